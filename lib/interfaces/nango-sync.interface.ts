/**
 * `triggerSync()`'s legacy 4th argument (Nango's `sync_mode`): `'incremental'`,
 * `'full_refresh'`, `'full_refresh_and_clear_cache'`, or a boolean (`true` = `full_refresh`).
 */
export type NangoSyncMode =
  'incremental' | 'full_refresh' | 'full_refresh_and_clear_cache' | boolean;

/** One sync by name, or by name and variant (for `updateSyncConnectionFrequency()`). */
export type NangoSyncRef = string | { name: string; variant?: string };

/** What `updateSyncConnectionFrequency()` returns. */
export interface NangoSyncFrequencyResult {
  frequency: string;
}

/** Argument of `createSyncVariant()` / `deleteSyncVariant()`. */
export interface NangoSyncVariantInput {
  provider_config_key: string;
  connection_id: string;
  /** The sync's name. */
  name: string;
  /** The variant's name. */
  variant: string;
}

/** What `createSyncVariant()` returns. */
export interface NangoSyncVariant {
  id: string;
  name: string;
  variant: string;
}

/** Argument of `pruneRecords()`. */
export interface NangoPruneRecordsParams {
  providerConfigKey: string;
  connectionId: string;
  model: string;
  variant?: string;
  /** Prune the payloads of the records up to this cursor. */
  untilCursor: string;
  /** At most this many records in one call. */
  limit?: number;
}

/** What `pruneRecords()` returns. */
export interface NangoPruneRecordsResult {
  count: number;
  has_more: boolean;
}
