import 'reflect-metadata';
import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import KeyvRedis from '@keyv/redis';
import Keyv from 'keyv';
import {
  NangoAbortedError,
  NangoTimeoutError,
  type NangoCredentialStore,
  type NangoService,
} from '../lib/index.js';
import { NANGO_DEFAULT_CACHE_STORE_TIMEOUT_MS } from '../lib/nango.constants.js';
import { eventually } from './fixtures/eventually.js';
import { startRedis, type RedisServer } from './fixtures/redis-server.js';
import { standInSuite } from './fixtures/stand-in-suite.js';

const suite = standInSuite();

/** Calls to the stand-in's connection endpoint, all connections together. */
const nangoCalls = () => suite.standIn.count({ path: /^\/connections\// });

/** A promise that never settles, for a store that hangs. */
const never = () => new Promise<never>(() => undefined);

/** Captures the module's warnings (quietly). */
function warnings(): string[] {
  const lines: string[] = [];
  jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => {
    lines.push(String(message));
  });
  return lines;
}

afterEach(() => {
  jest.restoreAllMocks();
});

describe('storeTimeout: a store never slows or breaks a call', () => {
  it('defaults to 100 ms', () => {
    expect(NANGO_DEFAULT_CACHE_STORE_TIMEOUT_MS).toBe(100);
  });

  it('a read that hangs: the call goes to Nango once the bound passes', async () => {
    const logged = warnings();
    const store: NangoCredentialStore = { get: never, set: () => true, delete: () => true };
    const nango = await suite.service({ cache: { ttl: 60_000, store, storeTimeout: 50 } });
    await expect(nango.getToken('github', 'conn-oauth2')).resolves.toBe('gh-access-token-1');
    await expect(nango.getToken('github', 'conn-oauth2')).resolves.toBe('gh-access-token-1');
    expect(logged).toEqual([
      'Credential store get() took longer than storeTimeout (50 ms); asking Nango instead.',
    ]);
  });

  it("a read shares the call's deadline: a hung store cannot stretch a call past its timeout", async () => {
    warnings();
    const store: NangoCredentialStore = { get: never, set: () => true, delete: () => true };
    // The longest storeTimeout: without the call's own deadline, the read alone would wait 10 s
    // and the call would then still get its token from Nango.
    const nango = await suite.service({ cache: { ttl: 60_000, store, storeTimeout: 10_000 } });
    const before = nangoCalls();
    await expect(
      nango.getToken('github', 'conn-oauth2', false, { timeout: 300 }),
    ).rejects.toBeInstanceOf(NangoTimeoutError);
    // What is left of the deadline after the read is the Nango call's: none here, so the
    // call fails as a timeout rather than outliving it.
    expect(nangoCalls() - before).toBeLessThanOrEqual(1);
  });

  it('an abort ends a hung store read at once, and Nango is not asked', async () => {
    warnings();
    const store: NangoCredentialStore = { get: never, set: () => true, delete: () => true };
    const nango = await suite.service({ cache: { ttl: 60_000, store, storeTimeout: 10_000 } });
    const before = nangoCalls();
    const controller = new AbortController();
    const call = nango.getToken('github', 'conn-oauth2', false, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    await expect(call).rejects.toBeInstanceOf(NangoAbortedError);
    // At once, not when the 10 s storeTimeout passes (a margin no loaded machine comes near).
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(nangoCalls()).toBe(before);
  });

  it('a late answer is ignored, and a late failure is harmless', async () => {
    const late = (value: () => unknown) =>
      new Promise((resolve) => setTimeout(resolve, 300)).then(value);
    let gets = 0;
    const store: NangoCredentialStore = {
      // A valid-looking entry with another token, answered after the bound.
      get: () =>
        ++gets % 2 === 1
          ? late(() => ({
              connection: { connection_id: 'x', credentials: { access_token: 'stale' } },
              expiresAt: Date.now() + 60_000,
            }))
          : late(() => {
              throw new Error('late failure');
            }),
      set: () => late(() => true),
      delete: () => late(() => true),
    };
    warnings();
    const nango = await suite.service({ cache: { ttl: 60_000, store, storeTimeout: 20 } });
    await expect(nango.getToken('github', 'conn-oauth2')).resolves.toBe('gh-access-token-1');
    await expect(nango.getToken('github', 'conn-oauth2')).resolves.toBe('gh-access-token-1');
    // The late answers arrive (and are dropped) without an unhandled rejection.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(gets).toBe(2);
  });

  it('writes never delay the call, even with the longest storeTimeout', async () => {
    const logged = warnings();
    let sets = 0;
    const store: NangoCredentialStore = {
      get: () => undefined,
      set: () => {
        sets += 1;
        return never();
      },
      delete: () => true,
    };
    const nango = await suite.service({ cache: { ttl: 60_000, store, storeTimeout: 10_000 } });
    await expect(nango.getToken('github', 'conn-oauth2')).resolves.toBe('gh-access-token-1');
    // The call is back while its write is still waiting (it would time out after 10 s).
    expect(sets).toBe(1);
    expect(logged).toEqual([]);
  });

  it('a store that throws at once on read, write and delete: every call goes to Nango', async () => {
    const boom = () => {
      throw new TypeError('store bug');
    };
    const logged = warnings();
    const nango = await suite.service({
      cache: { ttl: 60_000, store: { get: boom, set: boom, delete: boom } },
    });
    await expect(nango.getToken('github', 'conn-oauth2')).resolves.toBe('gh-access-token-1');
    await expect(nango.getToken('github', 'conn-oauth2')).resolves.toBe('gh-access-token-1');
    await expect(nango.clearCachedCredentials('github', 'conn-oauth2')).resolves.toBeUndefined();
    expect(nangoCalls()).toBe(2);
    // Rate-limited: one line a minute, naming the error type only.
    expect(logged).toEqual(['Credential store get() failed (TypeError); asking Nango instead.']);
  });

  it('evictions against a hung store are bounded too', async () => {
    warnings();
    const store: NangoCredentialStore = { get: never, set: never, delete: never };
    const nango = await suite.service({ cache: { ttl: 60_000, store, storeTimeout: 30 } });
    await expect(nango.clearCachedCredentials('github', 'conn-oauth2')).resolves.toBeUndefined();
    await expect(nango.getToken('github', 'conn-oauth2', true)).resolves.toBe(
      'conn-oauth2-access-1',
    );
    await expect(
      nango.get({
        endpoint: '/status/401',
        providerConfigKey: 'github',
        connectionId: 'conn-oauth2',
      }),
    ).rejects.toMatchObject({ name: 'NangoUpstreamError' });
  });

  it('many concurrent calls over a hung store: all answered, one Nango request per connection', async () => {
    warnings();
    const store: NangoCredentialStore = { get: never, set: never, delete: never };
    const nango = await suite.service({ cache: { ttl: 60_000, store, storeTimeout: 50 } });
    const ids = ['conn-oauth2', 'conn-apikey', 'conn-basic'];
    const keys: Record<string, string> = {
      'conn-oauth2': 'github',
      'conn-apikey': 'jira',
      'conn-basic': 'basic-api',
    };
    const calls = Array.from({ length: 60 }, (_, i) => {
      const id = ids[i % ids.length] as string;
      return nango.getConnection(keys[id] as string, id);
    });
    const results = await Promise.all(calls);
    results.forEach((r, i) => expect(r.connection_id).toBe(ids[i % ids.length]));
    for (const id of ids) expect(suite.standIn.count({ path: `/connections/${id}` })).toBe(1);
  });
});

describe('a real Redis stopped (SIGSTOP), killed and restarted under load', () => {
  let redis: RedisServer;
  const adapters: KeyvRedis<unknown>[] = [];

  beforeAll(async () => {
    redis = await startRedis();
  }, 30_000);

  afterAll(async () => {
    // Stopped first (resumed if paused), so that nothing waits on it; then the clients go.
    await redis?.stop();
    for (const adapter of adapters) await adapter.disconnect(true).catch(() => undefined);
  });

  it('zero failed calls; each within storeTimeout plus the Nango round trip (loosely)', async () => {
    warnings();
    const ids = Array.from({ length: 20 }, (_, i) => `load-${i}`);
    suite.standIn.seed(
      ...ids.map((connectionId) => ({
        connectionId,
        providerConfigKey: 'github',
        credentials: {
          type: 'OAUTH2' as const,
          access_token: `token-of-${connectionId}`,
          expires_at: new Date(Date.now() + 3600_000).toISOString(),
        },
      })),
    );
    const apps: NangoService[] = [];
    for (let i = 0; i < 3; i += 1) {
      const adapter = new KeyvRedis(redis.url);
      adapters.push(adapter);
      apps.push(await suite.service({ cache: { ttl: 60_000, store: new Keyv(adapter) } }));
    }
    let failures = 0;
    let completed = 0;
    let slowest = 0;
    /** `total` getToken calls, 16 at a time, spread over the apps and connections. */
    const load = async (total: number) => {
      let next = 0;
      const worker = async () => {
        while (next < total) {
          const n = next++;
          const id = ids[(n * 7) % ids.length] as string;
          const started = performance.now();
          try {
            const token = await (apps[n % apps.length] as NangoService).getToken('github', id);
            if (token !== `token-of-${id}`) failures += 1;
          } catch {
            failures += 1;
          }
          slowest = Math.max(slowest, performance.now() - started);
          completed += 1;
        }
      };
      await Promise.all(Array.from({ length: 16 }, worker));
    };

    await load(300); // healthy, warming the shared cache
    redis.pause(); // hung: connections open, nothing answered
    await load(300);
    redis.resume();
    await load(100);
    await redis.kill(); // unreachable
    await load(300);
    await redis.restart(); // empty again
    await load(300);
    expect(failures).toBe(0);
    expect(completed).toBe(1300);
    // Loose on purpose (the machine is busy): without the bound a paused Redis hangs calls
    // until it is resumed, which these loads never wait for.
    expect(slowest).toBeLessThan(NANGO_DEFAULT_CACHE_STORE_TIMEOUT_MS + 10_000);
    // Once Redis is back, the shared cache serves again: every app gets a hit from it (tried
    // until it does: on a busy machine one read may take longer than the bound).
    await eventually(
      async () => {
        let served = 0;
        for (const [n, nango] of apps.entries()) {
          const before = nangoCalls();
          await nango.getToken('github', ids[n] as string);
          if (nangoCalls() === before) served += 1;
        }
        return served === apps.length;
      },
      'the cache serving again after the restart',
      30_000,
    );
    expect(failures).toBe(0);
  }, 120_000);
});
