import 'reflect-metadata';
import { jest } from '@jest/globals';
import {
  InMemoryCredentialStore,
  NangoConfigurationError,
  NangoService,
  NangoUpstreamError,
  type NangoCachedConnection,
  type NangoCredentialStore,
  type NangoModuleOptions,
} from '../lib/index.js';
import { seedConnections } from './fixtures/seed.js';
import { standInSuite } from './fixtures/stand-in-suite.js';

const suite = standInSuite();
const { service } = suite;

/** A store that records its calls, keeping values in a map. */
class RecordingStore implements NangoCredentialStore {
  readonly map = new Map<string, NangoCachedConnection>();
  readonly calls: Array<[string, string, number?]> = [];
  get(key: string) {
    this.calls.push(['get', key]);
    return Promise.resolve(this.map.get(key));
  }
  set(key: string, value: NangoCachedConnection, ttlMs: number) {
    this.calls.push(['set', key, ttlMs]);
    this.map.set(key, value);
    return Promise.resolve(true);
  }
  delete(key: string) {
    this.calls.push(['delete', key]);
    return Promise.resolve(this.map.delete(key));
  }
}

const hits = (id = 'conn-oauth2') => suite.standIn.count({ path: `/connections/${id}` });

/** Fakes only the clock (`Date`): sockets and timers stay real. */
function fakeClock(): void {
  jest.useFakeTimers({
    doNotFake: [
      'hrtime',
      'nextTick',
      'performance',
      'queueMicrotask',
      'requestAnimationFrame',
      'cancelAnimationFrame',
      'requestIdleCallback',
      'cancelIdleCallback',
      'setImmediate',
      'clearImmediate',
      'setInterval',
      'clearInterval',
      'setTimeout',
      'clearTimeout',
    ],
  });
}

const advance = (ms: number) => jest.setSystemTime(Date.now() + ms);

afterEach(() => {
  jest.useRealTimers();
});

describe('credential cache', () => {
  it('is off by default: every call asks Nango', async () => {
    const nango = await service();
    await nango.getToken('github', 'conn-oauth2');
    await nango.getToken('github', 'conn-oauth2');
    expect(hits()).toBe(2);
  });

  it('keeps a connection for ttl; getToken and getConnection share it; refreshToken is apart', async () => {
    fakeClock();
    const nango = await service({ cache: { ttl: 60_000 } });
    expect(await nango.getToken('github', 'conn-oauth2')).toBe('gh-access-token-1');
    expect(await nango.getToken('github', 'conn-oauth2')).toBe('gh-access-token-1');
    expect((await nango.getConnection('github', 'conn-oauth2')).connection_id).toBe('conn-oauth2');
    expect(hits()).toBe(1);
    const withRefresh = await nango.getConnection('github', 'conn-oauth2', false, true);
    expect(withRefresh.credentials).toHaveProperty('refresh_token', 'gh-refresh-token-1');
    expect(hits()).toBe(2);
    advance(59_000);
    await nango.getToken('github', 'conn-oauth2');
    expect(hits()).toBe(2);
    advance(1_001);
    await nango.getToken('github', 'conn-oauth2');
    expect(hits()).toBe(3);
  });

  it('never keeps a token past expires_at minus the safety margin', async () => {
    fakeClock();
    suite.standIn.seed({
      connectionId: 'short',
      providerConfigKey: 'github',
      credentials: {
        type: 'OAUTH2',
        access_token: 'short-lived',
        expires_at: new Date(Date.now() + 90_000).toISOString(),
      },
    });
    const nango = await service({ cache: { ttl: 300_000, safetyMarginMs: 60_000 } });
    await nango.getToken('github', 'short');
    advance(29_000);
    await nango.getToken('github', 'short');
    expect(hits('short')).toBe(1);
    advance(1_001);
    await nango.getToken('github', 'short');
    expect(hits('short')).toBe(2);
  });

  it('does not keep a token already within the margin of its expiry', async () => {
    suite.standIn.seed({
      connectionId: 'almost',
      providerConfigKey: 'github',
      credentials: {
        type: 'OAUTH2',
        access_token: 'almost-expired',
        expires_at: new Date(Date.now() + 30_000).toISOString(),
      },
    });
    const store = new RecordingStore();
    const nango = await service({ cache: { ttl: 300_000, store } });
    await nango.getToken('github', 'almost');
    await nango.getToken('github', 'almost');
    expect(hits('almost')).toBe(2);
    expect(store.calls.filter(([op]) => op === 'set')).toEqual([]);
  });

  it('passes the bounded ttl to the store, and keys hold neither the secret key nor a token', async () => {
    const store = new RecordingStore();
    const nango = await service({ cache: { ttl: 120_000, store } });
    await nango.getToken('jira', 'conn-apikey');
    const set = store.calls.find(([op]) => op === 'set');
    expect(set?.[2]).toBeGreaterThan(119_000);
    expect(set?.[2]).toBeLessThanOrEqual(120_000);
    for (const [, key] of store.calls) {
      expect(key).not.toContain(suite.standIn.secretKey);
      expect(key).not.toContain('jira-api-key-123');
      expect(key).toContain('conn-apikey');
    }
    expect(JSON.stringify([...store.map.values()])).not.toContain(suite.standIn.secretKey);
  });

  it('forceRefresh bypasses the cache and replaces the entry', async () => {
    const nango = await service({ cache: { ttl: 60_000 } });
    expect(await nango.getToken('github', 'conn-oauth2')).toBe('gh-access-token-1');
    expect(await nango.getToken('github', 'conn-oauth2', true)).toBe('conn-oauth2-access-1');
    expect(hits()).toBe(2);
    expect(await nango.getToken('github', 'conn-oauth2')).toBe('conn-oauth2-access-1');
    expect(hits()).toBe(2);
  });

  it('a 401 from the third-party API through the proxy drops that connection', async () => {
    const nango = await service({ cache: { ttl: 60_000 } });
    await nango.getToken('github', 'conn-oauth2');
    await nango.getToken('jira', 'conn-apikey');
    await expect(
      nango.get({
        endpoint: '/status/401',
        providerConfigKey: 'github',
        connectionId: 'conn-oauth2',
      }),
    ).rejects.toBeInstanceOf(NangoUpstreamError);
    await nango.getToken('github', 'conn-oauth2');
    await nango.getToken('jira', 'conn-apikey');
    expect(hits()).toBe(2);
    expect(hits('conn-apikey')).toBe(1);
  });

  it('clearCachedCredentials drops an entry', async () => {
    const nango = await service({ cache: { ttl: 60_000 } });
    await nango.getToken('github', 'conn-oauth2');
    await nango.clearCachedCredentials('github', 'conn-oauth2');
    await nango.getToken('github', 'conn-oauth2');
    expect(hits()).toBe(2);
    const off = await service();
    await expect(off.clearCachedCredentials('github', 'conn-oauth2')).resolves.toBeUndefined();
  });

  it('deleteConnection drops the deleted connection from the cache', async () => {
    const nango = await service({ cache: { ttl: 60_000 } });
    await expect(nango.getToken('github', 'conn-oauth2')).resolves.toBe('gh-access-token-1');
    await nango.deleteConnection('github', 'conn-oauth2');
    // Without the eviction the cached token of the deleted connection would still be served.
    await expect(nango.getToken('github', 'conn-oauth2')).rejects.toMatchObject({
      name: 'NangoConnectionNotFoundError',
    });
    suite.standIn.seed(...seedConnections());
  });

  it('a failing store never breaks a call: it falls back to Nango', async () => {
    const broken: NangoCredentialStore = {
      get: () => Promise.reject(new Error('redis down')),
      set: () => {
        throw new Error('redis down');
      },
      delete: () => Promise.reject(new Error('redis down')),
    };
    const nango = await service({ cache: { ttl: 60_000, store: broken } });
    await expect(nango.getToken('github', 'conn-oauth2')).resolves.toBe('gh-access-token-1');
    await expect(nango.getToken('github', 'conn-oauth2')).resolves.toBe('gh-access-token-1');
    await expect(nango.clearCachedCredentials('github', 'conn-oauth2')).resolves.toBeUndefined();
    expect(hits()).toBe(2);
  });

  it('ignores a store entry that is not a live cached connection', async () => {
    const store = new RecordingStore();
    const nango = await service({ cache: { ttl: 60_000, store } });
    await nango.getToken('github', 'conn-oauth2');
    const [key] = [...store.map.keys()] as [string];
    store.map.set(key, { connection: 'garbage', expiresAt: Date.now() + 60_000 } as never);
    await nango.getToken('github', 'conn-oauth2');
    store.map.set(key, { ...(store.map.get(key) as NangoCachedConnection), expiresAt: 0 });
    await nango.getToken('github', 'conn-oauth2');
    expect(hits()).toBe(3);
  });

  it("one store shared by two app instances: the second is served by the first one's fetch", async () => {
    const store = new InMemoryCredentialStore();
    const a = await service({ cache: { ttl: 60_000, store } });
    const b = await service({ cache: { ttl: 60_000, store } });
    await a.getToken('github', 'conn-oauth2');
    await expect(b.getToken('github', 'conn-oauth2')).resolves.toBe('gh-access-token-1');
    expect(hits()).toBe(1);
    // Another key prefix (another app or environment) does not see them.
    const c = await service({ cache: { ttl: 60_000, store, keyPrefix: 'other-app' } });
    await c.getToken('github', 'conn-oauth2');
    expect(hits()).toBe(2);
  });
});

describe('InMemoryCredentialStore', () => {
  const value = (id: string): NangoCachedConnection => ({
    connection: { connection_id: id, credentials: {} } as never,
    expiresAt: Date.now() + 60_000,
  });

  it('evicts the least recently used entry past maxEntries', () => {
    const store = new InMemoryCredentialStore({ maxEntries: 2 });
    store.set('a', value('a'), 60_000);
    store.set('b', value('b'), 60_000);
    store.get('a');
    store.set('c', value('c'), 60_000);
    expect(store.get('b')).toBeUndefined();
    expect(store.get('a')).toBeDefined();
    expect(store.get('c')).toBeDefined();
    expect(store.size).toBe(2);
  });

  it('drops expired entries when read', () => {
    fakeClock();
    const store = new InMemoryCredentialStore();
    store.set('a', value('a'), 1000);
    advance(999);
    expect(store.get('a')).toBeDefined();
    advance(1);
    expect(store.get('a')).toBeUndefined();
    expect(store.size).toBe(0);
  });

  it('refuses a bad maxEntries', () => {
    expect(() => new InMemoryCredentialStore({ maxEntries: 0 })).toThrow(/maxEntries/);
  });
});

describe('cache, retry and agent options are validated at start-up', () => {
  it.each([
    [{ cache: { ttl: 0 } }, 'cache.ttl', 'from 1 to 300000'],
    [{ cache: { ttl: 300_001 } }, 'cache.ttl', 'from 1 to 300000'],
    [{ cache: {} }, 'cache.ttl', 'whole number'],
    [{ cache: { ttl: 1.5 } }, 'cache.ttl', 'whole number'],
    [{ cache: true }, 'cache', 'false or an object'],
    [{ cache: { ttl: 1000, store: {} } }, 'cache.store', 'get(key), set(key, value, ttlMs)'],
    [{ cache: { ttl: 1000, safetyMarginMs: -1 } }, 'cache.safetyMarginMs', 'from 0'],
    [{ cache: { ttl: 1000, keyPrefix: 'a b' } }, 'cache.keyPrefix', 'without spaces'],
    [{ cache: { ttl: 1000, size: 3 } }, 'cache.size', 'is not a NangoModule option'],
    [{ cache: { ttl: 1000, storeTimeout: 0 } }, 'cache.storeTimeout', 'from 1 to 10000'],
    [{ cache: { ttl: 1000, storeTimeout: 10_001 } }, 'cache.storeTimeout', 'from 1 to 10000'],
    [{ cache: { ttl: 1000, storeTimeout: 2.5 } }, 'cache.storeTimeout', 'whole number'],
    [{ cache: { ttl: 1000, storeTimeout: '100' } }, 'cache.storeTimeout', 'whole number'],
    [{ retry: { retries: 11 } }, 'retry.retries', 'from 0 to 10'],
    [{ retry: { retries: -1 } }, 'retry.retries', 'from 0 to 10'],
    [{ retry: { minDelayMs: 0 } }, 'retry.minDelayMs', 'from 1'],
    [{ retry: { maxTotalDelayMs: 600_001 } }, 'retry.maxTotalDelayMs', 'to 600000'],
    [{ retry: 'yes' }, 'retry', 'false or an object'],
    [{ retry: { count: 2 } }, 'retry.count', 'is not a NangoModule option'],
    [{ httpAgent: {} }, 'httpAgent', 'must be an http.Agent'],
    [{ httpsAgent: 'agent' }, 'httpsAgent', 'must be an https.Agent'],
  ])('%j fails on %s', async (bad, field, words) => {
    const error = await service(bad as Partial<NangoModuleOptions>).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(NangoConfigurationError);
    expect((error as NangoConfigurationError).fields).toContain(field);
    expect((error as Error).message).toContain(`${field}: `);
    expect((error as Error).message).toContain(words);
  });

  // Values that are not the base64 of 32 bytes: none may show up in the error.
  const short = Buffer.alloc(31, 7).toString('base64');
  const long = Buffer.alloc(33, 7).toString('base64');
  const good = Buffer.alloc(32, 7).toString('base64');
  it.each([
    ['31 bytes', short],
    ['33 bytes', long],
    ['a passphrase', 'this-is-not-a-key-but-a-passphrase-of-43-cx'],
    ['not base64', 'not base64 at all, even if it is long enough!'],
    ['a hex string', 'a'.repeat(64)],
    ['empty', ''],
    ['a number', 42],
    ['an empty list', []],
    ['a list with a bad key', [good, short]],
    ['eleven keys', Array.from({ length: 11 }, () => good)],
  ])('a bad encryptionKey (%s) stops the app at start, the value never shown', async (_, key) => {
    const error = await service({ cache: { ttl: 1000, encryptionKey: key as string } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(NangoConfigurationError);
    expect((error as NangoConfigurationError).fields).toEqual(['cache.encryptionKey']);
    const message = (error as Error).message;
    expect(message).toContain('cache.encryptionKey: must be the base64 of 32 random bytes');
    for (const value of [short, long, 'this-is-not-a-key', 'aaaaaaaaaaaaaaaa']) {
      expect(message).not.toContain(value);
    }
  });

  it('accepts encryption keys in standard and URL-safe base64, and a cache-manager store', async () => {
    const bytes = Buffer.alloc(32, 0xfb);
    const store = new InMemoryCredentialStore();
    const cacheManagerLike = {
      get: (k: string) => store.get(k),
      set: (k: string, v: NangoCachedConnection, ttl: number) => store.set(k, v, ttl),
      del: (k: string) => store.delete(k),
    };
    for (const encryptionKey of [
      bytes.toString('base64'),
      bytes.toString('base64url'),
      [bytes.toString('base64'), Buffer.alloc(32, 1).toString('base64')],
    ]) {
      const nango = await service({
        cache: { ttl: 60_000, store: cacheManagerLike, encryptionKey, storeTimeout: 10_000 },
      });
      await expect(nango.getToken('github', 'conn-oauth2')).resolves.toBe('gh-access-token-1');
      await expect(nango.getToken('github', 'conn-oauth2')).resolves.toBe('gh-access-token-1');
      await nango.clearCachedCredentials('github', 'conn-oauth2');
      expect(store.size).toBe(0);
    }
    expect(hits()).toBe(3);
  });

  it('accepts false, and the documented shapes', async () => {
    await expect(service({ cache: false, retry: false })).resolves.toBeInstanceOf(NangoService);
    await expect(
      service({
        cache: {
          ttl: 300_000,
          store: new InMemoryCredentialStore(),
          safetyMarginMs: 0,
          keyPrefix: 'app:prod',
        },
        retry: { retries: 0, minDelayMs: 50, maxDelayMs: 500, maxTotalDelayMs: 0 },
      }),
    ).resolves.toBeInstanceOf(NangoService);
  });
});
