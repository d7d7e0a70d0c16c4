import type { RecordedRequest } from '../stand-in.interfaces.js';
import {
  decodeCursor,
  firstAfter,
  type RecordPosition,
  type StoredRecord,
} from '../stand-in.records.js';
import { headerValue, jsonBody, queryValues, stringFields } from '../stand-in.request.js';
import { recordStream, type StandInStore } from '../stand-in.store.js';
import {
  errorAnswer,
  intParam,
  invalidBody,
  invalidInput,
  missingInput,
  RECORDS_BAD_CURSOR,
  RECORDS_UNKNOWN_CONNECTION,
  unknownConnection,
  unrecognizedKeys,
  type StandInJsonAnswer,
  isAnswer,
} from '../stand-in.wire.js';
import { connectionHeaders } from './connection-headers.js';
import type { StandInRoute } from './stand-in-route.js';

/**
 * `GET /records` (paged by cursor, as recorded in `records_*.json`) and `PATCH /records/prune`,
 * as `records.requests.ts` builds them.
 */

/** The routes of `/records`. */
export const recordsRoutes: StandInRoute = (req, store) => {
  // Nango's Express router is not strict: `@nangohq/node` asks for `/records/`.
  if (req.method === 'GET' && (req.pathname === '/records' || req.pathname === '/records/')) {
    return listRecords(req, store);
  }
  if (req.method === 'PATCH' && req.pathname === '/records/prune') return pruneRecords(req, store);
  return undefined;
};

/** The query parameters `GET /records` knows (any other is 400 `unrecognized_keys`). */
const RECORDS_QUERY = [
  'model',
  'variant',
  'delta',
  'modified_after',
  'limit',
  'filter',
  'cursor',
  'ids',
];

const FILTERS = ['added', 'updated', 'deleted', 'ADDED', 'UPDATED', 'DELETED'];

/** `z.iso.datetime()`: UTC written with `Z` only (`records_modified_after_with_offset.json`). */
const ISO_Z = /^\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?Z$/;

/** What `GET /records` keeps of a stream, once its query is checked. */
interface RecordsQuery {
  model: string;
  variant: string | undefined;
  limit: number;
  keep: (record: StoredRecord) => boolean;
  cursor: string | undefined;
}

function listRecords(req: RecordedRequest, store: StandInStore): StandInJsonAnswer {
  const query = recordsQuery(req);
  if (isAnswer(query)) return query;
  const headers = connectionHeaders(req, false);
  if (!('connectionId' in headers)) return headers;
  const { providerConfigKey, connectionId } = headers;
  if (!store.hasConnection(providerConfigKey, connectionId)) return RECORDS_UNKNOWN_CONNECTION;
  let after: RecordPosition | undefined;
  if (query.cursor !== undefined) {
    after = decodeCursor(query.cursor);
    if (after === undefined) return RECORDS_BAD_CURSOR;
  }
  const stream = recordStream({ providerConfigKey, connectionId, ...query });
  const page: StoredRecord[] = [];
  const records = store.records.list(stream);
  for (let i = after === undefined ? 0 : firstAfter(records, after); i < records.length; i++) {
    const record = records[i] as StoredRecord;
    if (!query.keep(record)) continue;
    // Nango reads one row more than `limit`: a next page exists exactly when it is there.
    if (page.length === query.limit) {
      return recordsPage(page, page[page.length - 1]?.metadata.cursor ?? null);
    }
    page.push(record);
  }
  return recordsPage(page, null);
}

function recordsPage(page: StoredRecord[], next: string | null): StandInJsonAnswer {
  return {
    status: 200,
    body: {
      next_cursor: next,
      records: page.map((r) => ({ ...r.data, _nango_metadata: { ...r.metadata } })),
    },
  };
}

/** The query of `GET /records`, checked as Nango does (before the headers), or its 400. */
function recordsQuery(req: RecordedRequest): RecordsQuery | StandInJsonAnswer {
  const { query } = req;
  const errors: unknown[] = [];
  const unknown = Object.keys(query).filter((k) => !RECORDS_QUERY.includes(k));
  if (unknown.length > 0) errors.push(unrecognizedKeys(unknown));
  const model = query['model'];
  if (model === undefined) errors.push(missingInput('model'));
  const limit = intParam(query, 'limit', 1, errors) ?? 100;
  if (limit > MAX_LIMIT) errors.push(tooBig('limit', `number to be <=${MAX_LIMIT}`));
  const filter = recordsFilter(query['filter'], errors);
  const since = modifiedAfter(query['modified_after'] ?? query['delta'], errors);
  const ids = queryValues(req, 'ids');
  if (ids.length > MAX_IDS) errors.push(tooBig('ids', `array to have <=${MAX_IDS} items`));
  if (model === undefined || errors.length > 0) return invalidInput('invalid_query_params', errors);
  return {
    model,
    variant: query['variant'],
    limit,
    cursor: query['cursor'],
    keep: (record) =>
      filter(record) &&
      (since === undefined || record.modified >= since) &&
      (ids.length === 0 || ids.includes(record.data.id)),
  };
}

const MAX_LIMIT = 10_000;
const MAX_IDS = 100;

function tooBig(path: string, expected: string): unknown {
  return { code: 'too_big', message: `Too big: expected ${expected}`, path: [path] };
}

/**
 * `filter`: `added` is never changed, `updated` changed, `deleted` deleted; `added,updated` is
 * everything not deleted, and, as recorded, `updated,deleted` gives only the updated records
 * and `added,deleted` only the added ones.
 */
function recordsFilter(
  value: string | undefined,
  errors: unknown[],
): (record: StoredRecord) => boolean {
  if (value === undefined) return () => true;
  const parts = value.split(',');
  parts.forEach((part, i) => {
    if (!FILTERS.includes(part)) {
      const expected = FILTERS.map((f) => JSON.stringify(f)).join('|');
      errors.push({
        code: 'invalid_value',
        message: `Invalid option: expected one of ${expected}`,
        path: ['filter', String(i)],
      });
    }
  });
  const wanted = new Set(parts.map((p) => p.toUpperCase()));
  const alive = (r: StoredRecord) => r.metadata.deleted_at === null;
  if (wanted.has('ADDED') && wanted.has('UPDATED')) return alive;
  if (wanted.has('UPDATED')) return (r) => alive(r) && r.metadata.last_action === 'UPDATED';
  if (wanted.has('ADDED')) return (r) => alive(r) && r.metadata.last_action === 'ADDED';
  return (r) => !alive(r);
}

/** `modified_after` (or `delta`) in microseconds: an ISO date-time in `Z` form within 12 months. */
function modifiedAfter(value: string | undefined, errors: unknown[]): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (!ISO_Z.test(value) || Number.isNaN(ms)) {
    errors.push({
      code: 'invalid_format',
      message: 'Invalid ISO datetime',
      path: ['modified_after'],
    });
    return undefined;
  }
  const yearAgo = new Date();
  yearAgo.setUTCFullYear(yearAgo.getUTCFullYear() - 1);
  if (ms < yearAgo.getTime()) {
    errors.push({
      code: 'custom',
      message: 'must be within the last 12 months',
      path: ['modified_after'],
    });
    return undefined;
  }
  return ms * 1000;
}

function pruneRecords(req: RecordedRequest, store: StandInStore): StandInJsonAnswer {
  const id = headerValue(req.headers['connection-id']);
  const key = headerValue(req.headers['provider-config-key']);
  if (id === undefined || key === undefined) return errorAnswer(400, 'invalid_headers');
  if (!store.hasConnection(key, id)) return unknownConnection(404);
  const body = jsonBody(req);
  if (body === undefined) return invalidBody('body', 'Invalid input: expected object');
  const fields = stringFields(body, ['model', 'until_cursor']);
  if (isAnswer(fields)) return fields;
  const [model, until] = fields;
  const limit = typeof body['limit'] === 'number' ? body['limit'] : Infinity;
  const variant = typeof body['variant'] === 'string' ? body['variant'] : undefined;
  const records = store.records.list(
    recordStream({ providerConfigKey: key, connectionId: id, model, variant }),
  );
  const end = records.findIndex((r) => r.metadata['cursor'] === until);
  const upTo = end === -1 ? [] : records.slice(0, end + 1);
  const todo = upTo.filter((r) => r.metadata['pruned_at'] === null);
  const now = new Date().toISOString();
  const done = todo.slice(0, limit);
  for (const record of done) {
    record.metadata['pruned_at'] = now;
    for (const field of Object.keys(record.data)) if (field !== 'id') delete record.data[field];
  }
  return { status: 200, body: { count: done.length, has_more: todo.length > done.length } };
}
