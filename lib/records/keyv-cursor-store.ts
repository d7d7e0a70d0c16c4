import type { NangoCursorStore } from './nango-cursor-store.js';

/** The part of a `Keyv` instance the cursor store uses (any Keyv 4 or 5, any adapter). */
export interface NangoKeyvLike {
  /** Keyv's `get`. */
  get(key: string): Promise<unknown>;
  /** Keyv's `set`; cursors are kept without a TTL. */
  set(key: string, value: string): Promise<unknown>;
}

/**
 * Cursors in a Keyv store, e.g. on Redis with `@keyv/redis`, so that every replica (and a
 * restarted process) resumes each stream where the last drain left it. A cursor is Nango's
 * opaque position in the records cache, not a credential; the key is
 * `nangoRecordsStreamKey(stream)` under Keyv's namespace.
 *
 * @example
 * new KeyvCursorStore(new Keyv({ store: new KeyvRedis('redis://127.0.0.1:6379'), namespace: 'cursors' }))
 */
export class KeyvCursorStore implements NangoCursorStore {
  /** @param keyv the Keyv instance to keep cursors in (yours: this store never closes it) */
  constructor(private readonly keyv: NangoKeyvLike) {}

  /** The saved cursor of `key`; anything but a string reads as none. */
  async get(key: string): Promise<string | undefined> {
    const value = await this.keyv.get(key);
    return typeof value === 'string' ? value : undefined;
  }

  /** Saves the cursor of `key`. */
  async set(key: string, cursor: string): Promise<void> {
    await this.keyv.set(key, cursor);
  }
}
