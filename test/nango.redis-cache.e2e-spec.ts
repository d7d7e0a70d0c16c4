import 'reflect-metadata';
import { jest } from '@jest/globals';
import { Logger, type INestApplication } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import KeyvRedis from '@keyv/redis';
import { createCache, type Cache } from 'cache-manager';
import Keyv from 'keyv';
import { randomBytes } from 'node:crypto';
import {
  NangoModule,
  NangoUpstreamError,
  type NangoCacheOptions,
  type NangoService,
} from '../lib/index.js';
import { eventually } from './fixtures/eventually.js';
import { dumpRedis, redisCli, startRedis, type RedisServer } from './fixtures/redis-server.js';
import { seedConnections } from './fixtures/seed.js';
import { standInSuite } from './fixtures/stand-in-suite.js';
import { TokenController } from './fixtures/apps/redis-cache.app.js';
import { listenLocally } from './fixtures/http.js';

// Real redis-server, started on a free port of 127.0.0.1 with persistence off.
jest.setTimeout(60_000);

const suite = standInSuite();
let redis: RedisServer;
/** Keyv instances and caches to disconnect after each test. */
const closers: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  redis = await startRedis();
}, 30_000);

afterEach(async () => {
  while (closers.length > 0) await closers.pop()?.();
  await redisCli(redis.port, 'FLUSHALL');
  jest.restoreAllMocks();
});

afterAll(async () => {
  await redis?.stop();
});

/** A Keyv over @keyv/redis on the test's Redis, exactly as a user builds it. */
function keyv(): Keyv {
  const adapter = new KeyvRedis(redis.url);
  closers.push(() => adapter.disconnect(true));
  return new Keyv(adapter);
}

/** A cache-manager (v7) cache over the test's Redis. */
function cacheManager(): Cache {
  const adapter = new KeyvRedis(redis.url);
  closers.push(() => adapter.disconnect(true));
  return createCache({ stores: [new Keyv(adapter)] });
}

const newKey = () => randomBytes(32).toString('base64');

/**
 * Store calls here may wait up to 5 s: these tests count Nango requests exactly, and on a busy
 * machine a Redis answer (or the first connect) can take longer than the default 100 ms, which
 * would rightly send the call to Nango. The bound itself is tested in nango.store-timeout.
 */
const STORE_TIMEOUT = 5_000;

/** A `NangoService` of its own module (an "app"), sharing the test's Redis through Keyv. */
function app(cache: Partial<NangoCacheOptions> = {}): Promise<NangoService> {
  return suite.service({
    cache: { ttl: 60_000, store: keyv(), storeTimeout: STORE_TIMEOUT, ...cache },
  });
}

const hits = (id: string) => suite.standIn.count({ path: `/connections/${id}` });

/** `count` OAUTH2 connections `rc-<i>`, each with its own token `token-of-rc-<i>`. */
function seedMany(count: number): string[] {
  const ids = Array.from({ length: count }, (_, i) => `rc-${i}@example.com`);
  suite.standIn.seed(
    ...ids.map((connectionId) => ({
      connectionId,
      providerConfigKey: 'github',
      credentials: {
        type: 'OAUTH2' as const,
        access_token: `token-of-${connectionId}`,
        refresh_token: `refresh-of-${connectionId}`,
        expires_at: new Date(Date.now() + 3600_000).toISOString(),
      },
    })),
  );
  return ids;
}

/** Waits until the Redis holds `n` keys (writes are fire and forget). */
async function redisKeys(n: number): Promise<Map<string, string>> {
  let entries = new Map<string, string>();
  await eventually(async () => {
    entries = await dumpRedis(redis.port);
    return entries.size >= n;
  }, `${n} keys in Redis`);
  return entries;
}

/** A Nest HTTP app with `@UseNangoConnection()` routes, its cache in the test's Redis. */
async function httpApp(): Promise<{ app: INestApplication; url: string }> {
  const { secretKey, url } = suite.standIn;
  const ref = await Test.createTestingModule({
    imports: [
      NangoModule.forRoot({
        secretKey,
        host: url,
        cache: { ttl: 60_000, store: keyv(), storeTimeout: STORE_TIMEOUT },
      }),
    ],
    controllers: [TokenController],
  }).compile();
  const nest = ref.createNestApplication(new ExpressAdapter(), { logger: false });
  const base = await listenLocally(nest);
  closers.push(() => nest.close());
  return { app: nest, url: base };
}

describe('Redis (Keyv + @keyv/redis) as the shared credential store', () => {
  it('three Nest apps: each connection gets its own token, Nango asked at most once per connection per app', async () => {
    const ids = seedMany(12);
    const apps = await Promise.all([httpApp(), httpApp(), httpApp()]);
    // Cold: every app asks for every connection, four times, all at once.
    const calls = apps.flatMap(({ url }) =>
      ids.flatMap((id) =>
        Array.from({ length: 4 }, async () => {
          const res = await fetch(`${url}/token/${encodeURIComponent(id)}`);
          expect(res.status).toBe(200);
          return { id, body: (await res.json()) as { token: string } };
        }),
      ),
    );
    for (const { id, body } of await Promise.all(calls)) {
      expect(body.token).toBe(`token-of-${id}`);
    }
    for (const id of ids) expect(hits(id)).toBeLessThanOrEqual(apps.length);
    await redisKeys(ids.length);
    const cold = ids.reduce((sum, id) => sum + hits(id), 0);
    // Warm: nobody asks Nango any more.
    for (const { url } of apps) {
      for (const id of ids) {
        const res = await fetch(`${url}/token/${encodeURIComponent(id)}`);
        expect(((await res.json()) as { token: string }).token).toBe(`token-of-${id}`);
      }
    }
    expect(ids.reduce((sum, id) => sum + hits(id), 0)).toBe(cold);
  });

  it('one app fetches, the others are served from Redis', async () => {
    const [a, b, c] = await Promise.all([app(), app(), app()]);
    await expect(a.getToken('github', 'conn-oauth2')).resolves.toBe('gh-access-token-1');
    await redisKeys(1);
    await expect(b.getToken('github', 'conn-oauth2')).resolves.toBe('gh-access-token-1');
    await expect(c.getConnection('github', 'conn-oauth2')).resolves.toMatchObject({
      connection_id: 'conn-oauth2',
    });
    expect(hits('conn-oauth2')).toBe(1);
  });

  it('a cache-manager (v7) cache over Keyv fits as the store unchanged', async () => {
    const store = cacheManager();
    const a = await suite.service({ cache: { ttl: 60_000, store, storeTimeout: STORE_TIMEOUT } });
    const b = await suite.service({
      cache: { ttl: 60_000, store: cacheManager(), storeTimeout: STORE_TIMEOUT },
    });
    await a.getToken('jira', 'conn-apikey');
    await redisKeys(1);
    await expect(b.getToken('jira', 'conn-apikey')).resolves.toEqual(
      expect.objectContaining({ apiKey: 'jira-api-key-123' }),
    );
    expect(hits('conn-apikey')).toBe(1);
    await b.clearCachedCredentials('jira', 'conn-apikey');
    expect(await dumpRedis(redis.port)).toEqual(new Map());
    await a.getToken('jira', 'conn-apikey');
    expect(hits('conn-apikey')).toBe(2);
  });
});

describe('eviction reaches every app sharing the Redis', () => {
  /** Two apps; `a` has cached conn-oauth2 and the entry has landed in Redis. */
  async function warmPair(cache: Partial<NangoCacheOptions> = {}) {
    const a = await app(cache);
    const b = await app(cache);
    await expect(a.getToken('github', 'conn-oauth2')).resolves.toBe('gh-access-token-1');
    await redisKeys(1);
    await expect(b.getToken('github', 'conn-oauth2')).resolves.toBe('gh-access-token-1');
    expect(hits('conn-oauth2')).toBe(1);
    return { a, b };
  }

  it.each([
    ['plain', {}],
    ['encrypted', { encryptionKey: newKey() }],
  ])(
    'clearCachedCredentials() in one app: the other asks Nango once (%s entries)',
    async (_, cache) => {
      const { a, b } = await warmPair(cache);
      await b.clearCachedCredentials('github', 'conn-oauth2');
      expect((await dumpRedis(redis.port)).size).toBe(0);
      await a.getToken('github', 'conn-oauth2');
      expect(hits('conn-oauth2')).toBe(2);
      await redisKeys(1);
      await b.getToken('github', 'conn-oauth2');
      expect(hits('conn-oauth2')).toBe(2);
    },
  );

  it("a third party's 401 through one app's proxy", async () => {
    const { a, b } = await warmPair();
    await expect(
      b.get({ endpoint: '/status/401', providerConfigKey: 'github', connectionId: 'conn-oauth2' }),
    ).rejects.toBeInstanceOf(NangoUpstreamError);
    await a.getToken('github', 'conn-oauth2');
    expect(hits('conn-oauth2')).toBe(2);
  });

  it('forceRefresh in one app: the other never gets the old token again', async () => {
    const { a, b } = await warmPair();
    const fresh = await b.getToken('github', 'conn-oauth2', true);
    expect(fresh).toBe('conn-oauth2-access-1');
    await expect(a.getToken('github', 'conn-oauth2')).resolves.toBe(fresh);
    await redisKeys(1);
    await expect(a.getToken('github', 'conn-oauth2')).resolves.toBe(fresh);
  });

  it('deleteConnection in one app: the other no longer has the token', async () => {
    const { a, b } = await warmPair();
    await b.deleteConnection('github', 'conn-oauth2');
    await expect(a.getToken('github', 'conn-oauth2')).rejects.toMatchObject({
      name: 'NangoConnectionNotFoundError',
    });
    suite.standIn.seed(...seedConnections());
  });
});

describe('encryptionKey: entries encrypted at rest, ids hashed', () => {
  /** Every secret a seeded connection holds. */
  const SECRETS = [
    'gh-access-token-1',
    'gh-refresh-token-1',
    'jira-api-key-123',
    'alice-password',
    'tw-token-secret',
  ];
  /** Ids of the seeded connections read below, and their integration keys. */
  const IDS = ['conn-oauth2', 'conn-apikey', 'conn-basic', 'conn-oauth1'];

  it('no token, refresh token, API key, password or secret key in any Redis value, no id in any key', async () => {
    const encryptionKey = newKey();
    const a = await app({ encryptionKey });
    const b = await app({ encryptionKey });
    const seeds = seedConnections().filter((s) => IDS.includes(s.connectionId));
    expect(seeds).toHaveLength(IDS.length);
    for (const seed of seeds) {
      await a.getConnection(seed.providerConfigKey, seed.connectionId);
      await a.getConnection(seed.providerConfigKey, seed.connectionId, false, true);
    }
    const entries = await redisKeys(seeds.length * 2);
    expect(entries.size).toBe(seeds.length * 2);
    const integrationKeys = seeds.map((s) => s.providerConfigKey);
    const host = new URL(suite.standIn.url).host;
    for (const [key, value] of entries) {
      for (const id of [...IDS, ...integrationKeys, host]) expect(key).not.toContain(id);
      for (const plain of [...SECRETS, ...IDS, suite.standIn.secretKey]) {
        expect(value).not.toContain(plain);
      }
      expect(value).not.toContain(encryptionKey);
      // Keyv's namespace (`keyv:`) and @keyv/redis's (`keyv::`) in front of `<keyPrefix>:e1:`.
      expect(key).toMatch(/^keyv::keyv:nango:e1:[A-Za-z0-9_-]{43}$/);
    }
    // Another app with the same key reads them all: Nango is not asked again.
    const before = suite.standIn.count({ path: /^\/connections\// });
    for (const seed of seeds) {
      const got = await b.getConnection(seed.providerConfigKey, seed.connectionId, false, true);
      expect(got.connection_id).toBe(seed.connectionId);
    }
    expect(suite.standIn.count({ path: /^\/connections\// })).toBe(before);
    await expect(b.getToken('github', 'conn-oauth2')).resolves.toBe('gh-access-token-1');
    expect(suite.standIn.count({ path: /^\/connections\// })).toBe(before);
  });

  it('the key in Redis, as docs/performance.md gives it: Keyv namespaces in front of <keyPrefix>:', async () => {
    const plain = await app();
    await plain.getToken('github', 'conn-oauth2');
    const [key] = [...(await redisKeys(1)).keys()];
    const ids = JSON.stringify([suite.standIn.url, 'github', 'conn-oauth2', 0]);
    expect(key).toBe(`keyv::keyv:nango:${ids}`);
  });

  it('a fresh IV per write: the same entry written twice is two different ciphertexts', async () => {
    const encryptionKey = newKey();
    const a = await app({ encryptionKey });
    await a.getToken('github', 'conn-oauth2');
    const [first] = [...(await redisKeys(1)).values()];
    await a.clearCachedCredentials('github', 'conn-oauth2');
    await a.getToken('github', 'conn-oauth2');
    const [second] = [...(await redisKeys(1)).values()];
    expect(first).toBeDefined();
    expect(second).not.toBe(first);
  });

  it('rotation: [new, old] reads entries written with old; an unrelated key only misses, warning once', async () => {
    const spy = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const decryptWarnings = () =>
      spy.mock.calls.map(([m]) => String(m)).filter((m) => m.includes('decrypt'));
    const oldKey = newKey();
    const key = newKey();
    const writer = await app({ encryptionKey: oldKey });
    await writer.getToken('github', 'conn-oauth2');
    await writer.getToken('jira', 'conn-apikey');
    await redisKeys(2);
    const rotated = await app({ encryptionKey: [key, oldKey] });
    await expect(rotated.getToken('github', 'conn-oauth2')).resolves.toBe('gh-access-token-1');
    expect(hits('conn-oauth2')).toBe(1);
    expect(decryptWarnings()).toEqual([]);

    const unrelated = await app({ encryptionKey: newKey() });
    await expect(unrelated.getToken('github', 'conn-oauth2')).resolves.toBe('gh-access-token-1');
    await expect(unrelated.getToken('jira', 'conn-apikey')).resolves.toMatchObject({
      apiKey: 'jira-api-key-123',
    });
    expect(hits('conn-oauth2')).toBe(2);
    expect(hits('conn-apikey')).toBe(2);
    // Two undecryptable entries within a minute: one warning, naming no key, id or token.
    expect(decryptWarnings()).toHaveLength(1);
    const message = decryptWarnings()[0] as string;
    expect(message).toMatch(/could not be decrypted/);
    for (const secret of ['conn-oauth2', 'gh-access-token-1', oldKey, key]) {
      expect(message).not.toContain(secret);
    }
  });

  it('tampered ciphertext, or an entry moved to another connection’s key: a miss, never a wrong token', async () => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const encryptionKey = newKey();
    const a = await app({ encryptionKey });
    await a.getToken('github', 'conn-oauth2');
    const [[oauthKey, oauthValue]] = [...(await redisKeys(1)).entries()] as [[string, string]];
    await a.getToken('jira', 'conn-apikey');
    const entries = await redisKeys(2);
    const apiKeyKey = [...entries.keys()].find((k) => k !== oauthKey) as string;

    // Moved: conn-oauth2's entry under conn-apikey's key.
    await redisCli(redis.port, 'SET', apiKeyKey, oauthValue);
    const b = await app({ encryptionKey });
    await expect(b.getToken('jira', 'conn-apikey')).resolves.toMatchObject({
      apiKey: 'jira-api-key-123',
    });
    expect(hits('conn-apikey')).toBe(2);

    // Tampered: one byte of the ciphertext changed.
    const wrapper = JSON.parse(oauthValue) as { value: string };
    const at = wrapper.value.length - 30;
    const flipped = wrapper.value[at] === 'A' ? 'B' : 'A';
    wrapper.value = wrapper.value.slice(0, at) + flipped + wrapper.value.slice(at + 1);
    await redisCli(redis.port, 'SET', oauthKey, JSON.stringify(wrapper));
    const c = await app({ encryptionKey });
    await expect(c.getToken('github', 'conn-oauth2')).resolves.toBe('gh-access-token-1');
    expect(hits('conn-oauth2')).toBe(2);
  });
});
