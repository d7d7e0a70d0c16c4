import { isWholeNumber } from '../utils/whole-number.js';
import type { NangoCachedValue, NangoCredentialStore } from './nango-credential-store.interface.js';

/** Options of {@link InMemoryCredentialStore}. */
export interface InMemoryCredentialStoreOptions {
  /** Most entries kept; the least recently used go first. Default 10 000. */
  maxEntries?: number;
}

interface Entry {
  value: NangoCachedValue;
  expiresAt: number;
}

/**
 * The default credential store: a bounded in-process map, least recently used entries evicted
 * first, expired entries dropped when read. It runs no timer.
 */
export class InMemoryCredentialStore implements NangoCredentialStore {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;

  constructor(options: InMemoryCredentialStoreOptions = {}) {
    const max = options.maxEntries ?? 10_000;
    if (!isWholeNumber(max, 1)) {
      throw new RangeError('InMemoryCredentialStore: maxEntries must be a whole number >= 1.');
    }
    this.maxEntries = max;
  }

  /** Number of entries held, expired ones included until read. */
  get size(): number {
    return this.entries.size;
  }

  /** The live entry for `key`, or undefined. */
  get(key: string): NangoCachedValue | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt <= Date.now()) return undefined;
    this.entries.set(key, entry); // most recently used last
    return entry.value;
  }

  /** Keeps `value` for `ttlMs` milliseconds, evicting the least recently used past the cap. */
  set(key: string, value: NangoCachedValue, ttlMs: number): void {
    this.entries.delete(key);
    if (!(ttlMs > 0)) return;
    this.entries.set(key, { value, expiresAt: Date.now() + ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  /** Drops the entry for `key`. */
  delete(key: string): void {
    this.entries.delete(key);
  }

  /** Drops every entry. */
  clear(): void {
    this.entries.clear();
  }
}
