import type { NangoConnection } from '../interfaces/nango-connection.interface.js';

/**
 * What the credential cache keeps for one connection: the connection as Nango returned it
 * (credentials included) and the time, in ms since the epoch, after which it must not be used.
 */
export interface NangoCachedConnection {
  /** The connection, with its credentials. */
  connection: NangoConnection;
  /** Not to be used at or after this time (ms since the epoch). */
  expiresAt: number;
}

/**
 * A value the credential cache hands a store: a {@link NangoCachedConnection}, or, when
 * `cache.encryptionKey` is set, that entry sealed with AES-256-GCM as one opaque string.
 */
export type NangoCachedValue = NangoCachedConnection | string;

/**
 * Where the optional credential cache keeps connections. The default is an
 * {@link InMemoryCredentialStore} per module; pass one shared store (Redis through Keyv, for
 * instance) so several app instances share tokens. A Keyv instance fits as is; so does a
 * `cache-manager` (v6+) cache, see {@link NangoCacheManagerStore}.
 *
 * Any method may return a Promise. Each call is bounded by `cache.storeTimeout`: a store that
 * throws, rejects, hangs or is unreachable never breaks a call and delays it at most that long;
 * writes never delay it. Values hold third-party tokens: a shared store must be private to your
 * app, and `cache.encryptionKey` keeps them (and the connection ids in the keys) unreadable in
 * it. The store is never given the Nango secret key.
 */
export interface NangoCredentialStore {
  /** The entry for `key`, or `undefined` (or `null`) when there is none. */
  get(key: string): Promise<unknown> | unknown;
  /** Keeps `value` under `key` for at most `ttlMs` milliseconds. */
  set(key: string, value: NangoCachedValue, ttlMs: number): Promise<unknown> | unknown;
  /** Drops the entry for `key`. */
  delete(key: string): Promise<unknown> | unknown;
}

/**
 * A `cache-manager` (v6+) `Cache`, such as `createCache({ stores: [keyv] })` or Nest's
 * `CACHE_MANAGER`: the same as {@link NangoCredentialStore} with `del(key)` for `delete(key)`.
 * Its `set` takes the TTL in milliseconds, as cache-manager v6+ does.
 */
export interface NangoCacheManagerStore {
  /** The entry for `key`, or `undefined` (or `null`) when there is none. */
  get(key: string): Promise<unknown> | unknown;
  /** Keeps `value` under `key` for at most `ttl` milliseconds. */
  set(key: string, value: NangoCachedValue, ttl: number): Promise<unknown> | unknown;
  /** Drops the entry for `key`. */
  del(key: string): Promise<unknown> | unknown;
}
