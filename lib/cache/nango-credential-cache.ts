import { Logger } from '@nestjs/common';
import type { NangoConnection } from '../interfaces/nango-connection.interface.js';
import type { ResolvedNangoCacheOptions } from '../interfaces/nango-module-options.interface.js';
import type { NangoCachedConnection } from './nango-credential-store.interface.js';
import { isRecord } from '../utils/is-record.js';

/** Least time between two warnings about a failing store, in ms. */
const WARN_EVERY_MS = 60_000;

/**
 * The credential cache of one `NangoService`: reads and writes connections in the configured
 * store, bounded by `ttl` and by `expires_at` minus the safety margin. A failing store is
 * logged (at most once a minute, never with a value) and treated as empty.
 */
export class NangoCredentialCache {
  private readonly logger = new Logger('NangoCredentialCache');
  private lastWarning = -Infinity;

  constructor(
    private readonly options: ResolvedNangoCacheOptions,
    private readonly host: string,
  ) {}

  /** The store key of a connection; `refreshToken` entries (with the refresh token) are apart. */
  key(providerConfigKey: string, connectionId: string, refreshToken: boolean): string {
    return `${this.options.keyPrefix}:${JSON.stringify([this.host, providerConfigKey, connectionId, refreshToken ? 1 : 0])}`;
  }

  /** The cached connection, if there is a live one. */
  async read(key: string): Promise<NangoConnection | undefined> {
    let entry: unknown;
    try {
      entry = await this.options.store.get(key);
    } catch (error) {
      this.warn('get', error);
      return undefined;
    }
    if (!isRecord(entry) || typeof entry['expiresAt'] !== 'number') return undefined;
    if (entry['expiresAt'] <= Date.now()) return undefined;
    const connection = entry['connection'];
    if (!isRecord(connection) || !isRecord(connection['credentials'])) return undefined;
    return connection as unknown as NangoConnection;
  }

  /** Keeps a connection until `ttl` or its `expires_at` minus the margin, whichever is first. */
  write(key: string, connection: NangoConnection): void {
    const now = Date.now();
    let expiresAt = now + this.options.ttl;
    const tokenExpiry = expiryMs(connection.credentials);
    if (tokenExpiry !== undefined) {
      expiresAt = Math.min(expiresAt, tokenExpiry - this.options.safetyMarginMs);
    }
    if (expiresAt <= now) return;
    const value: NangoCachedConnection = { connection, expiresAt };
    void this.guard('set', () => this.options.store.set(key, value, expiresAt - now));
  }

  /** Drops the entries under `keys`; resolves when the store has done so (or failed). */
  async drop(...keys: string[]): Promise<void> {
    await Promise.all(
      keys.map((key) => this.guard('delete', () => this.options.store.delete(key))),
    );
  }

  private async guard(operation: string, call: () => unknown): Promise<void> {
    try {
      await call();
    } catch (error) {
      this.warn(operation, error);
    }
  }

  private warn(operation: string, error: unknown): void {
    const now = Date.now();
    if (now - this.lastWarning < WARN_EVERY_MS) return;
    this.lastWarning = now;
    // The error's name only: a store's message could quote a key or a value.
    const name = error instanceof Error ? error.name : typeof error;
    this.logger.warn(`Credential store ${operation}() failed (${name}); asking Nango instead.`);
  }
}

/** `expires_at` of credentials, in ms since the epoch, when there is one. */
function expiryMs(credentials: unknown): number | undefined {
  if (!isRecord(credentials)) return undefined;
  const value = credentials['expires_at'];
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
