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
 * Where the optional credential cache keeps connections. The default is an
 * {@link InMemoryCredentialStore} per module; pass one shared store (Redis through Keyv or
 * `cache-manager`, for instance) so several app instances share tokens.
 *
 * A Keyv instance fits as is; a `cache-manager` cache needs `delete: (key) => cache.del(key)`.
 * Any method may return a Promise. Values hold third-party tokens: a shared store must be
 * private to your app (authenticated, not readable by other tenants). The store is never
 * given the Nango secret key; its keys hold the Nango host, integration and connection ids.
 *
 * If a method throws or rejects, the call falls back to Nango: a broken store never breaks
 * a call.
 */
export interface NangoCredentialStore {
  /** The entry for `key`, or `undefined` (or `null`) when there is none. */
  get(key: string): Promise<unknown> | unknown;
  /** Keeps `value` under `key` for at most `ttlMs` milliseconds. */
  set(key: string, value: NangoCachedConnection, ttlMs: number): Promise<unknown> | unknown;
  /** Drops the entry for `key`. */
  delete(key: string): Promise<unknown> | unknown;
}
