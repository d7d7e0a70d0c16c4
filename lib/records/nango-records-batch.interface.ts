import type { NangoRecord } from '../interfaces/nango-records.interface.js';

/**
 * What an `@OnNangoRecords()` handler receives: one page of a stream's changes, in Nango's
 * order (`last_modified_at`, then Nango's internal id). Records added, updated and deleted are
 * all there: read `_nango_metadata.last_action` (`ADDED`, `UPDATED`, `DELETED`) and
 * `_nango_metadata.deleted_at`; a deleted record keeps only what the sync's delete passed.
 */
export interface NangoRecordsBatch<T = Record<string, unknown>> {
  /** The named Nango instance; absent for the default one. */
  readonly instance?: string;
  /** The integration key. */
  readonly providerConfigKey: string;
  /** The connection whose records these are. */
  readonly connectionId: string;
  /** The synced model. */
  readonly model: string;
  /** The sync variant (`base` unless the sync has variants). */
  readonly variant: string;
  /** The page's records (never empty). */
  readonly records: ReadonlyArray<NangoRecord<T>>;
  /**
   * Where the stream resumes once this page is committed: the last record's
   * `_nango_metadata.cursor`. A handler that stores its records and the cursor in one
   * transaction (with a cursor store on the same database) gets exactly-once in effect.
   */
  readonly cursor: string;
  /** The cursor the page was read after (`undefined` for the stream's first page). */
  readonly previousCursor?: string;
}
