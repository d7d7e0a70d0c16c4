import 'reflect-metadata';
import { resolveNangoOptions } from '../../lib/nango-options.validation.js';
import { NangoTelemetry } from '../../lib/telemetry/nango-telemetry.js';
import {
  recordCommittedPage,
  traceRecordsDrain,
} from '../../lib/telemetry/nango-records.telemetry.js';
import { installOpenTelemetry, type OpenTelemetryHarness } from '../fixtures/open-telemetry.js';

/**
 * The helpers the records drains (built on another branch) call: a span per drain, the records
 * delivered and the lag. Driven directly here, with the real SDK.
 */

let otel: OpenTelemetryHarness;
let telemetry: NangoTelemetry;
const target = { providerConfigKey: 'github', model: 'Issue', stream: 'github:Issue' };

beforeEach(async () => {
  otel = installOpenTelemetry();
  telemetry = NangoTelemetry.of(
    resolveNangoOptions({ secretKey: 'sk-records-telemetry', host: 'http://127.0.0.1:9' }),
  );
  await telemetry.ready();
});

afterEach(async () => {
  await otel.uninstall();
});

describe('records drain telemetry', () => {
  it('a drain: its span with the report, records delivered and the lag', async () => {
    const webhookAt = Date.now() - 2000;
    const report = await traceRecordsDrain(telemetry, target, async () => {
      recordCommittedPage(telemetry, target, 100, webhookAt);
      recordCommittedPage(telemetry, target, 20, webhookAt);
      return { pages: 2, records: 120, cursorAdvanced: true, retries: 1 };
    });
    expect(report.records).toBe(120);
    expect(otel.named('nango records drain')).toEqual([
      expect.objectContaining({
        kind: 4, // CONSUMER
        status: { code: 0 },
        attributes: {
          'nango.provider_config_key': 'github',
          'nango.records.model': 'Issue',
          'nango.records.stream': 'github:Issue',
          'nango.records.pages': 2,
          'nango.records.count': 120,
          'nango.records.cursor_advanced': true,
          'nango.records.retries': 1,
        },
      }),
    ]);
    const where = { 'nango.provider_config_key': 'github', 'nango.records.model': 'Issue' };
    expect(await otel.total('nango.records.delivered', where)).toBe(120);
    expect(await otel.total('nango.records.lag', where)).toBe(2);
    const lag = (await otel.metrics()).get('nango.records.lag');
    const point = lag?.dataPoints[0]?.value as { min?: number } | undefined;
    expect(point?.min).toBeGreaterThanOrEqual(2);
  });

  it('a failed drain: the span fails with the error class, the error goes on', async () => {
    class CommitFailed extends Error {}
    await expect(
      traceRecordsDrain(telemetry, target, () => Promise.reject(new CommitFailed('x'))),
    ).rejects.toBeInstanceOf(CommitFailed);
    expect(otel.named('nango records drain')[0]).toMatchObject({
      status: { code: 2 },
      attributes: { 'error.type': 'CommitFailed' },
    });
  });

  it('without telemetry, the drain just runs', async () => {
    await expect(
      traceRecordsDrain(undefined, target, () =>
        Promise.resolve({ pages: 0, records: 0, cursorAdvanced: false, retries: 0 }),
      ),
    ).resolves.toMatchObject({ pages: 0 });
    recordCommittedPage(undefined, target, 5);
    expect(otel.spans()).toEqual([]);
  });
});
