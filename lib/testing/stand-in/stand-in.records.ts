import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { StandInRecordSeed } from './stand-in.interfaces.js';
import { postgresTimestamp } from './stand-in.wire.js';

/**
 * The synced records of the stand-in, kept as Nango's records store keeps them (recorded in
 * `records_*.json`): each record has an internal UUID and a `last_modified_at` with
 * microseconds; records are listed by `(last_modified_at, internal id)`, so a record changed
 * again moves to the end; the cursor is base64 of `<last_modified_at>||<internal id>` and a
 * page resumes strictly after it (keyset paging); records saved in one batch share one time.
 */

/** `_nango_metadata` of a record, keys in the order Nango writes them. */
export interface StandInRecordMetadata {
  first_seen_at: string;
  last_modified_at: string;
  last_action: 'ADDED' | 'UPDATED' | 'DELETED';
  deleted_at: string | null;
  pruned_at: string | null;
  cursor: string;
}

/** A synced record as the stand-in keeps it. */
export interface StoredRecord {
  /** Nango's internal record UUID (the second key of the order). */
  readonly uid: string;
  /** `last_modified_at` in microseconds since the epoch (the first key of the order). */
  modified: number;
  /** The payload the sync saved last. */
  data: StandInRecordSeed;
  /** What `GET /records` adds as `_nango_metadata`. */
  metadata: StandInRecordMetadata;
}

/** A position in a stream's order, decoded from a cursor. */
export interface RecordPosition {
  modified: number;
  uid: string;
}

/** What one sync run changed, as the `sync` webhook's `responseResults` counts it. */
export interface StandInSyncResults {
  added: number;
  updated: number;
  deleted: number;
}

/** The changes of one sync run: upserts saved in one batch, then deletes in another. */
export interface StandInRecordChanges {
  upserts: StandInRecordSeed[];
  deletes: StandInRecordSeed[];
}

const TIMESTAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?(?:Z|\+00:00)$/;

/** Microseconds since the epoch of a Postgres timestamp (`...21:18:59.297297+00:00`), or NaN. */
export function timestampMicros(text: string): number {
  const match = TIMESTAMP.exec(text);
  if (match === null) return NaN;
  const seconds = Date.parse(`${match[1] ?? ''}Z`);
  const fraction = Number((match[2] ?? '').padEnd(6, '0'));
  return seconds * 1000 + fraction;
}

/** A Postgres timestamp (`+00:00`, trailing zeros of the fraction cut) of a time in microseconds. */
export function microsTimestamp(micros: number): string {
  return postgresTimestamp(Math.floor(micros / 1000), micros % 1000);
}

/** The cursor of a position: base64 of `<last_modified_at>||<internal id>`. */
export function encodeCursor(record: StoredRecord): string {
  return Buffer.from(`${record.metadata.last_modified_at}||${record.uid}`).toString('base64');
}

/** The position a cursor names, or undefined when it does not decode (Nango: 500). */
export function decodeCursor(cursor: string): RecordPosition | undefined {
  const [at, uid, ...rest] = Buffer.from(cursor, 'base64').toString('utf8').split('||');
  if (at === undefined || uid === undefined || rest.length > 0 || uid === '') return undefined;
  const modified = timestampMicros(at);
  return Number.isNaN(modified) ? undefined : { modified, uid };
}

/** Whether a record comes after a position in the stream's order. */
export function isAfter(record: StoredRecord, position: RecordPosition): boolean {
  return (
    record.modified > position.modified ||
    (record.modified === position.modified && record.uid > position.uid)
  );
}

/** A UUID (version 5 layout) made from a stream and a record id, as stable as Nango's. */
function recordUid(stream: string, id: string): string {
  const hex = createHash('sha1').update(stream).update('\u0000').update(id).digest('hex');
  const variant = ((parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** One stream's records: in Nango's order, and by id. */
interface Stream {
  order: StoredRecord[];
  readonly byId: Map<string, StoredRecord>;
}

/** The index of the first record after a position (binary search: the order is sorted). */
export function firstAfter(records: readonly StoredRecord[], position: RecordPosition): number {
  let low = 0;
  let high = records.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (isAfter(records[mid] as StoredRecord, position)) high = mid;
    else low = mid + 1;
  }
  return low;
}

/** The records of every stream (`storeKey(providerConfigKey, connectionId, model[::variant])`). */
export class StandInRecords {
  private readonly streams = new Map<string, Stream>();
  /** The last time given to a batch, in microseconds: every batch gets a later one. */
  private last = 0;

  /** The records of a stream in Nango's order. */
  list(stream: string): readonly StoredRecord[] {
    return this.streams.get(stream)?.order ?? [];
  }

  /**
   * Replaces a stream's records, as if each had been saved by a run of its own, one after the
   * other: they are listed in the order given.
   */
  replace(stream: string, records: StandInRecordSeed[]): void {
    this.streams.delete(stream);
    for (const data of records) this.save(stream, [data]);
  }

  /** The start of a run: a whole millisecond after every record saved so far (ISO, `Z`). */
  startRun(): string {
    const ms = Math.max(Date.now(), Math.floor(this.last / 1000) + 1);
    this.last = ms * 1000;
    return new Date(ms).toISOString();
  }

  /** Saves a run's changes: the upserts in one batch, then the deletes in another. */
  apply(stream: string, changes: StandInRecordChanges): StandInSyncResults {
    const results = this.save(stream, changes.upserts);
    if (changes.deletes.length > 0) results.deleted = this.delete(stream, changes.deletes);
    return results;
  }

  /** Saves one batch: new (or deleted) ids are ADDED, changed ones UPDATED, equal ones kept. */
  private save(stream: string, batch: StandInRecordSeed[]): StandInSyncResults {
    const results: StandInSyncResults = { added: 0, updated: 0, deleted: 0 };
    if (batch.length === 0) return results;
    const at = this.batchTime();
    const records = this.stream(stream);
    const moved: StoredRecord[] = [];
    for (const data of lastById(batch)) {
      const existing = records.byId.get(data.id);
      const alive = existing !== undefined && existing.metadata.deleted_at === null;
      if (alive && isDeepStrictEqual(existing.data, data)) continue;
      const action = alive ? 'UPDATED' : 'ADDED';
      results[alive ? 'updated' : 'added']++;
      const firstSeen = alive ? existing.metadata.first_seen_at : microsTimestamp(at);
      moved.push(this.record(stream, { ...data }, at, action, firstSeen, null));
    }
    commit(records, moved);
    return results;
  }

  /**
   * Deletes the records of the ids given, keeping only what the delete passed as payload. The
   * batch's time is a whole millisecond (`deleted_at`, as JavaScript gives it to Postgres); a
   * record whose payload changed gets a slightly later `last_modified_at`, as Nango's trigger does.
   */
  private delete(stream: string, batch: StandInRecordSeed[]): number {
    const records = this.stream(stream);
    const deletedAt = Math.ceil((this.last + 1) / 1000) * 1000;
    const changedAt = deletedAt + 1 + Math.floor(Math.random() * 998);
    this.last = changedAt;
    const moved: StoredRecord[] = [];
    for (const data of lastById(batch)) {
      const existing = records.byId.get(data.id);
      if (existing === undefined || existing.metadata.deleted_at !== null) continue;
      const at = isDeepStrictEqual(existing.data, data) ? deletedAt : changedAt;
      const { first_seen_at } = existing.metadata;
      moved.push(this.record(stream, { ...data }, at, 'DELETED', first_seen_at, deletedAt));
    }
    commit(records, moved);
    return moved.length;
  }

  private stream(key: string): Stream {
    let stream = this.streams.get(key);
    if (stream === undefined) {
      stream = { order: [], byId: new Map() };
      this.streams.set(key, stream);
    }
    return stream;
  }

  private record(
    stream: string,
    data: StandInRecordSeed,
    at: number,
    action: StandInRecordMetadata['last_action'],
    firstSeen: string,
    deletedAt: number | null,
  ): StoredRecord {
    const record: StoredRecord = {
      uid: recordUid(stream, data.id),
      modified: at,
      data,
      metadata: {
        first_seen_at: firstSeen,
        last_modified_at: microsTimestamp(at),
        last_action: action,
        deleted_at: deletedAt === null ? null : microsTimestamp(deletedAt),
        pruned_at: null,
        cursor: '',
      },
    };
    record.metadata.cursor = encodeCursor(record);
    return record;
  }

  /** A batch's time: now with microseconds, and always after the previous batch's. */
  private batchTime(): number {
    const now = Date.now() * 1000 + Number(process.hrtime.bigint() % 1000n);
    this.last = Math.max(now, this.last + 1);
    return this.last;
  }
}

/**
 * Puts a batch's records in place of the ones they replace: out of the order (one pass), then at
 * its end, sorted by time and internal id (the batch is later than every record stored).
 */
function commit(stream: Stream, batch: StoredRecord[]): void {
  if (batch.length === 0) return;
  const replaced = new Set<StoredRecord>();
  for (const record of batch) {
    const old = stream.byId.get(record.data.id);
    if (old !== undefined) replaced.add(old);
    stream.byId.set(record.data.id, record);
  }
  if (replaced.size > 0) stream.order = stream.order.filter((r) => !replaced.has(r));
  for (const record of sortBatch(batch)) stream.order.push(record);
}

/** Records of one batch in Nango's order: by time, then by internal id. */
function sortBatch(records: StoredRecord[]): StoredRecord[] {
  return records.sort((a, b) => a.modified - b.modified || (a.uid < b.uid ? -1 : 1));
}

/** A batch with one record per id: the last one given (as a later save would leave it). */
function lastById(batch: StandInRecordSeed[]): StandInRecordSeed[] {
  return [...new Map(batch.map((data) => [data.id, data])).values()];
}
