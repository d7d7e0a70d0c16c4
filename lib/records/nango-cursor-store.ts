/**
 * Where the cursor of each records stream is kept between drains. A drain reads it before the
 * first page and writes it after every handler took a page, so the store decides what survives
 * a restart: {@link InMemoryCursorStore} (the default) forgets on restart, a Keyv store
 * ({@link KeyvCursorStore}, e.g. on Redis) is shared by the replicas, and a store on your own
 * database can be written in the handler's transaction (exactly once in effect: see
 * `docs/records.md`).
 */
export interface NangoCursorStore {
  /** The saved cursor of the stream `key` (`nangoRecordsStreamKey(stream)`), or `undefined`. */
  get(key: string): Promise<string | undefined>;
  /** Saves the cursor of the stream `key`; resolves once it is stored. */
  set(key: string, cursor: string): Promise<void>;
}

/** Cursors in this process's memory: the default, for one process and tests. */
export class InMemoryCursorStore implements NangoCursorStore {
  private readonly cursors = new Map<string, string>();

  /** The saved cursor of `key`. */
  async get(key: string): Promise<string | undefined> {
    return this.cursors.get(key);
  }

  /** Saves the cursor of `key`. */
  async set(key: string, cursor: string): Promise<void> {
    this.cursors.set(key, cursor);
  }
}
