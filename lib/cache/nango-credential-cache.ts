import { Logger } from '@nestjs/common';
import type { NangoConnection } from '../interfaces/nango-connection.interface.js';
import type { ResolvedNangoCacheOptions } from '../interfaces/nango-module-options.interface.js';
import type { NangoCachedConnection } from './nango-credential-store.interface.js';
import {
  BoundedCredentialStore,
  type StoreOperation,
  type StoreReadBound,
} from './bounded-credential-store.js';
import { CredentialCipher } from './credential-cipher.js';
import { isRecord } from '../utils/is-record.js';
import { expiryMs } from '../utils/credential-expiry.js';

/** Least time between two warnings of one kind, in ms. */
const WARN_EVERY_MS = 60_000;

/**
 * The credential cache of one `NangoService`: reads and writes connections in the configured
 * store, bounded by `ttl` and by `expires_at` minus the safety margin. Every store call is
 * bounded by `storeTimeout`; a failing, late or unreadable store entry is a miss, logged at most
 * once a minute (never with a value). With `encryptionKey`, values are sealed and keys hashed
 * ({@link CredentialCipher}).
 */
export class NangoCredentialCache {
  private readonly logger = new Logger('NangoCredentialCache');
  private readonly lastWarning = new Map<string, number>();
  private readonly store: BoundedCredentialStore;
  private readonly cipher: CredentialCipher | undefined;
  /**
   * Entries written here whose store write has not settled yet, read when the store has
   * nothing: calls arriving while a fresh entry is on its way to a shared store do not ask Nango
   * again. An entry leaves once its write has landed, failed or timed out.
   */
  private readonly pending = new Map<string, NangoCachedConnection>();
  /**
   * With `encryptionKey`: the hashed names of recent connections, and the recent sealed values
   * already opened (keyed by store key and ciphertext, so the same input gives the same
   * output). A hit then costs no HMAC and, for a value read before, no decryption: measured,
   * those were a quarter of a Redis hit's time. Both bounded.
   */
  private readonly names = new Map<string, string>();
  private readonly opened = new Map<string, unknown>();

  /**
   * @param options the resolved `cache` options
   * @param host the Nango host, part of every key
   * @param secretKey the Nango secret key, from which the HMAC key of hashed store keys is derived
   */
  constructor(
    private readonly options: ResolvedNangoCacheOptions,
    private readonly host: string,
    secretKey: string,
  ) {
    this.store = new BoundedCredentialStore(options.store, options.storeTimeout, (op, cause) =>
      this.storeFailed(op, cause),
    );
    this.cipher =
      options.encryptionKeys === undefined
        ? undefined
        : new CredentialCipher(options.encryptionKeys, secretKey);
  }

  /**
   * The store key of a connection; `refreshToken` entries (with the refresh token) are apart.
   * With `encryptionKey` the ids are replaced by their HMAC.
   */
  key(providerConfigKey: string, connectionId: string, refreshToken: boolean): string {
    const ids = JSON.stringify([this.host, providerConfigKey, connectionId, refreshToken ? 1 : 0]);
    if (this.cipher === undefined) return `${this.options.keyPrefix}:${ids}`;
    let name = this.names.get(ids);
    if (name === undefined) {
      name = this.cipher.name(ids);
      remember(this.names, ids, name, MAX_NAMES);
    }
    return `${this.options.keyPrefix}:e1:${name}`;
  }

  /** The cached connection, if there is a live one. */
  async read(key: string, within?: StoreReadBound): Promise<NangoConnection | undefined> {
    const stored = await this.store.get(key, within);
    if (stored === undefined || stored === null) return live(this.pending.get(key));
    return live(this.decode(key, stored));
  }

  /**
   * Keeps a connection until `ttl` or its `expires_at` minus the margin, whichever is first.
   * Never waits for the store.
   */
  write(key: string, connection: NangoConnection): void {
    const now = Date.now();
    let expiresAt = now + this.options.ttl;
    const tokenExpiry = expiryMs(connection.credentials);
    if (tokenExpiry !== undefined) {
      expiresAt = Math.min(expiresAt, tokenExpiry - this.options.safetyMarginMs);
    }
    if (expiresAt <= now) return;
    const entry: NangoCachedConnection = { connection, expiresAt };
    this.pending.set(key, entry);
    const value = this.cipher === undefined ? entry : this.cipher.seal(key, JSON.stringify(entry));
    void this.store.set(key, value, expiresAt - now).then((written) => {
      const forget = () => {
        if (this.pending.get(key) === entry) this.pending.delete(key);
      };
      // Written: one more turn of the event loop, for a read answered before the write landed
      // that may still be on its way back. Not written: the store does not have it.
      if (written) setImmediate(forget);
      else forget();
    });
  }

  /** Drops the entries under `keys`; resolves when the store has done so, failed or timed out. */
  async drop(...keys: string[]): Promise<void> {
    for (const key of keys) this.pending.delete(key);
    await Promise.all(keys.map((key) => this.store.delete(key)));
  }

  /** A stored value as a cached connection: opened first when encrypted. */
  private decode(key: string, value: unknown): unknown {
    if (this.cipher === undefined || value === undefined || value === null) return value;
    const memo = typeof value === 'string' ? `${key}\u0000${value}` : undefined;
    if (memo !== undefined && this.opened.has(memo)) return this.opened.get(memo);
    const plaintext = this.cipher.open(key, value);
    if (plaintext !== undefined) {
      try {
        const entry = JSON.parse(plaintext) as unknown;
        if (memo !== undefined) remember(this.opened, memo, entry, MAX_OPENED);
        return entry;
      } catch {
        // Authentic but not ours: treated as unreadable below.
      }
    }
    this.warn(
      'decrypt',
      'A cached credential entry could not be decrypted (no encryptionKey opens it, or it was altered or moved); asking Nango instead.',
    );
    return undefined;
  }

  private storeFailed(operation: StoreOperation, cause: string): void {
    const what =
      cause === 'timeout'
        ? `took longer than storeTimeout (${this.options.storeTimeout} ms)`
        : `failed (${cause})`;
    const then = operation === 'get' ? 'asking Nango instead' : 'the call goes on';
    this.warn('store', `Credential store ${operation}() ${what}; ${then}.`);
  }

  private warn(kind: string, message: string): void {
    const now = Date.now();
    if (now - (this.lastWarning.get(kind) ?? -Infinity) < WARN_EVERY_MS) return;
    this.lastWarning.set(kind, now);
    this.logger.warn(message);
  }
}

/** Most hashed names kept by one cache. */
const MAX_NAMES = 10_000;
/** Most opened values kept by one cache. */
const MAX_OPENED = 1_000;

/** Sets `key` in a bounded map, dropping the oldest entry past `max`. */
function remember<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value as string);
}

/** The connection of a live cached entry, or `undefined`. */
function live(entry: unknown): NangoConnection | undefined {
  if (!isRecord(entry) || typeof entry['expiresAt'] !== 'number') return undefined;
  if (entry['expiresAt'] <= Date.now()) return undefined;
  const connection = entry['connection'];
  if (!isRecord(connection) || !isRecord(connection['credentials'])) return undefined;
  return connection as unknown as NangoConnection;
}
