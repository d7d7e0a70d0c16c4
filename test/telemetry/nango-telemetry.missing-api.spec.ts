import 'reflect-metadata';
import { jest } from '@jest/globals';
import { ConsoleLogger, Logger } from '@nestjs/common';
import { CapturingLogger } from '../fixtures/capturing-logger.js';

// `@opentelemetry/api` cannot be loaded in this file, as in an app that does not install it:
// the package's lazy import of it rejects (jest's module registry, not the HTTP layer).
jest.unstable_mockModule('@opentelemetry/api', () => {
  throw Object.assign(new Error("Cannot find package '@opentelemetry/api'"), {
    code: 'ERR_MODULE_NOT_FOUND',
  });
});

const { NangoService } = await import('../../lib/index.js');
const { standInSuite } = await import('../fixtures/stand-in-suite.js');
const { loadOpenTelemetry } = await import('../../lib/telemetry/opentelemetry.loader.js');

const suite = standInSuite();
const logger = new CapturingLogger();

afterAll(() => Logger.overrideLogger(new ConsoleLogger()));
beforeEach(() => logger.clear());

/** A module of the suite, started with `logger` (the testing module's own logs only errors). */
async function started(options: Parameters<typeof suite.moduleFor>[0]) {
  const ref = await suite.moduleFor(options);
  Logger.overrideLogger(logger);
  await ref.init();
  return ref;
}

/** The warnings logged so far. */
const warnings = () => logger.lines.filter((line) => line.startsWith('warn '));

describe('@opentelemetry/api not installed', () => {
  it('the loader reports it missing, without throwing', async () => {
    await expect(loadOpenTelemetry()).resolves.toBeUndefined();
  });

  it('every call works, with the default options and no warning', async () => {
    const ref = await started({ cache: { ttl: 60_000 } });
    const nango = ref.get(NangoService);
    await expect(nango.getToken('github', 'conn-oauth2')).resolves.toBe('gh-access-token-1');
    await expect(
      nango.get({ endpoint: '/user', providerConfigKey: 'github', connectionId: 'conn-oauth2' }),
    ).resolves.toMatchObject({ status: 200 });
    expect(warnings()).toEqual([]);
  });

  it('an app that asked for telemetry is told, once, what to install', async () => {
    for (let i = 0; i < 2; i++) {
      const ref = await started({ telemetry: { propagate: true } });
      await expect(ref.get(NangoService).getToken('github', 'conn-oauth2')).resolves.toBe(
        'gh-access-token-1',
      );
    }
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toContain('npm install @opentelemetry/api@"^1.9.0"');
  });
});
