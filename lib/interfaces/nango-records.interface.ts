import type { NangoCallOptions } from './nango-module-options.interface.js';

/** What Nango adds to every synced record. */
export interface NangoRecordMetadata {
  deleted_at: string | null;
  last_action: 'ADDED' | 'UPDATED' | 'DELETED';
  first_seen_at: string;
  last_modified_at: string;
  /** Pass it as `cursor` to fetch the records modified after this one. */
  cursor: string;
  pruned_at?: string | null;
}

/** A synced record: the model's fields plus `_nango_metadata`. */
export type NangoRecord<T = Record<string, unknown>> = T & { _nango_metadata: NangoRecordMetadata };

/** What `listRecords()` returns: `GET /records`. */
export interface NangoRecordsPage<T = Record<string, unknown>> {
  records: Array<NangoRecord<T>>;
  /** Cursor of the next page; `null` on the last one. */
  next_cursor: string | null;
}

/** What a record was last: a `filter` value of `listRecords()`. */
export type NangoRecordFilter = 'added' | 'updated' | 'deleted';

/** Arguments of `listRecords()` / `iterateRecords()`. */
export interface NangoListRecordsParams {
  providerConfigKey: string;
  connectionId: string;
  /** The data model, e.g. `GithubIssue`. */
  model: string;
  /** The model's variant, when there are several. */
  variant?: string;
  /** Continue after this cursor (`next_cursor`, or a record's `_nango_metadata.cursor`). */
  cursor?: string;
  /** Page size, 1 to 10 000 (Nango's default: 100). */
  limit?: number;
  /** Only records last `added`, `updated` or `deleted`; several as `'added,updated'` or a list. */
  filter?: NangoRecordFilter | `${NangoRecordFilter},${NangoRecordFilter}` | NangoRecordFilter[];
  /** ISO-8601: only records modified after this time. */
  modifiedAfter?: string;
  /** @deprecated by Nango: use `modifiedAfter`. */
  delta?: string;
  /** Only the records with these ids (at most 100). */
  ids?: string[];
}

/** One sync of `triggerSync()`: its name, or its name and variant. */
export type NangoSyncSelector = string | { name: string; variant?: string };

/** Options of `triggerSync()`. */
export interface NangoTriggerSyncOptions {
  /** Clear the checkpoint and last sync date first: the sync starts fresh. */
  reset?: boolean;
  /** Also delete the sync's cached records (needs `reset: true`). */
  emptyCache?: boolean;
}

/** A sync's status, as `GET /sync/status` reports it. */
export interface NangoSyncStatus {
  id: string;
  connection_id?: string;
  name: string;
  variant?: string;
  status: 'RUNNING' | 'PAUSED' | 'STOPPED' | 'SUCCESS' | 'ERROR' | (string & {});
  /** @deprecated by Nango. */
  type?: 'INCREMENTAL' | 'INITIAL';
  finishedAt?: string;
  nextScheduledSyncAt?: string;
  frequency?: string;
  latestResult?: Record<string, unknown>;
  recordCount?: Record<string, number>;
  checkpoint?: Record<string, unknown> | null;
}

/** What `syncStatus()` returns. */
export interface NangoSyncStatusResult {
  syncs: NangoSyncStatus[];
}

/** Per-call options of `triggerAction()`. */
export interface NangoTriggerActionOptions extends NangoCallOptions {
  /** Run the action asynchronously: Nango answers `{ id, statusUrl }` at once (`X-Async`). */
  async?: boolean;
  /** Retries of an asynchronous action, 0 to 5 (`X-Max-Retries`). */
  maxRetries?: number;
}

/** What an asynchronous `triggerAction()` returns. */
export interface NangoAsyncActionResult {
  id: string;
  statusUrl: string;
}

/** `{ success }`, as Nango answers deletes, patches and sync triggers. */
export interface NangoSuccess {
  success: boolean;
}

/** What `setMetadata()` / `updateMetadata()` return. */
export interface NangoMetadataResult<M = Record<string, unknown>> {
  connection_id: string | string[];
  provider_config_key: string;
  metadata: M;
}

/** Body of `patchConnection()`: `PATCH /connections/{connectionId}`. */
export interface NangoConnectionPatch {
  /** Replaces the connection's tags (at most 10). */
  tags?: Record<string, string>;
  /** Send this connection's webhooks only to this URL; `''` clears it. */
  webhook_url_override?: string;
  /** @deprecated by Nango: use `tags`. */
  end_user?: { id: string; email?: string; display_name?: string; tags?: Record<string, string> };
}
