import 'reflect-metadata';
import { context, metrics, trace } from '@opentelemetry/api';
import { NangoService, NangoUnavailableError } from '../../lib/index.js';
import { NangoTelemetry } from '../../lib/telemetry/nango-telemetry.js';
import { NANGO_OPTIONS } from '../../lib/nango.internal-constants.js';
import type { ResolvedNangoOptions } from '../../lib/interfaces/nango-module-options.interface.js';
import { standInSuite } from '../fixtures/stand-in-suite.js';
import { settle } from '../fixtures/eventually.js';
import { installOpenTelemetry, type OpenTelemetryHarness } from '../fixtures/open-telemetry.js';

const suite = standInSuite({ retry: { retries: 1, minDelayMs: 1, maxDelayMs: 2 } });
let otel: OpenTelemetryHarness | undefined;

afterEach(async () => {
  await otel?.uninstall();
  otel = undefined;
  trace.disable();
  metrics.disable();
  context.disable();
});

describe('@opentelemetry/api installed, no SDK registered', () => {
  it('every call works as without telemetry, and sends no traceparent', async () => {
    const ref = await suite.moduleFor({ cache: { ttl: 60_000 }, telemetry: { propagate: true } });
    await ref.init();
    const nango = ref.get(NangoService);
    suite.script({
      path: '/connections/conn-oauth2',
      times: 1,
      respond: { status: 503, body: {} },
    });
    await expect(nango.getToken('github', 'conn-oauth2')).resolves.toBe('gh-access-token-1');
    await expect(nango.getToken('github', 'conn-oauth2')).resolves.toBe('gh-access-token-1');
    await expect(
      nango.get({ endpoint: '/user', providerConfigKey: 'github', connectionId: 'conn-oauth2' }),
    ).resolves.toMatchObject({ status: 200 });
    suite.script({ path: '/connections', times: 5, respond: { status: 503, body: {} } });
    expect(await settle(nango.listConnections())).toBeInstanceOf(NangoUnavailableError);
    expect(suite.standIn.requests.map((r) => r.headers['traceparent'])).toEqual(
      suite.standIn.requests.map(() => undefined),
    );
    // No meter provider when the instance was made: not even metric attributes are built.
    expect(NangoTelemetry.of(ref.get<ResolvedNangoOptions>(NANGO_OPTIONS)).instruments).toBe(
      undefined,
    );
  });

  it('nothing is kept for an SDK registered later: it sees only later calls (spans only)', async () => {
    const nango = await suite.service();
    await nango.getToken('github', 'conn-oauth2');
    otel = installOpenTelemetry();
    expect(otel.spans()).toEqual([]);
    await nango.getToken('github', 'conn-oauth2');
    // The tracer follows a provider registered later; the meter was resolved with the instance.
    expect(otel.spans().map((span) => span.name)).toEqual(['nango getToken']);
    expect(await otel.metrics()).toEqual(new Map());
  });
});
