import { NangoInvalidArgumentError } from '../errors/nango-misuse.errors.js';
import type { NangoApiRequest } from '../nango-connection-api.js';
import {
  checkInt,
  checkIsoDate,
  checkObject,
  checkOneOf,
  checkText,
} from '../utils/nango-api-input.js';
import { HEADER_SAFE, checkId, headerId } from '../utils/nango-input.js';
import type { NangoListRecordsParams } from '../interfaces/nango-records.interface.js';
import type { NangoPruneRecordsParams } from '../interfaces/nango-sync.interface.js';

/**
 * Request builders of synced records: `GET /records` and `PATCH /records/prune`, with the
 * connection in the `Connection-Id` / `Provider-Config-Key` headers.
 */

/** Longest cursor accepted. */
const MAX_CURSOR = 4096;

const FILTERS = ['added', 'updated', 'deleted'] as const;

/** `filter`: one of added, updated, deleted, or several (`'added,updated'` or a list). */
function recordFilter(operation: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const parts = Array.isArray(value)
    ? (value as unknown[])
    : typeof value === 'string'
      ? value.split(',')
      : [value];
  if (parts.length === 0) {
    throw new NangoInvalidArgumentError(
      operation,
      'filter',
      `must name at least one of ${FILTERS.join(', ')}.`,
    );
  }
  const names = parts.map((part) => checkOneOf(operation, 'filter', part, FILTERS) as string);
  return [...new Set(names)].join(',');
}

function connectionHeaders(operation: string, providerConfigKey: unknown, connectionId: unknown) {
  return {
    'Connection-Id': headerId(operation, 'connectionId', connectionId),
    'Provider-Config-Key': headerId(operation, 'providerConfigKey', providerConfigKey),
  };
}

/** `GET /records?model=&...` with `Connection-Id` / `Provider-Config-Key` headers. */
export function listRecordsRequest(params: NangoListRecordsParams): NangoApiRequest {
  const operation = 'listRecords';
  const p = checkObject(
    operation,
    'params',
    params,
    "{ providerConfigKey, connectionId, model: 'GithubIssue' }",
  ) as Partial<NangoListRecordsParams>;
  const headers = connectionHeaders(operation, p.providerConfigKey, p.connectionId);
  const query = new URLSearchParams({ model: checkId(operation, 'model', p.model) });
  const variant = checkText(operation, 'variant', p.variant);
  if (variant !== undefined) query.set('variant', variant);
  if (p.cursor !== undefined) query.set('cursor', checkCursor(operation, 'cursor', p.cursor));
  const limit = checkInt(operation, 'limit', p.limit, 1, 10_000);
  if (limit !== undefined) query.set('limit', String(limit));
  const filter = recordFilter(operation, p.filter);
  if (filter !== undefined) query.set('filter', filter);
  const modifiedAfter = checkIsoDate(
    operation,
    p.modifiedAfter === undefined ? 'delta' : 'modifiedAfter',
    p.modifiedAfter ?? p.delta,
  );
  if (modifiedAfter !== undefined) query.set('modified_after', modifiedAfter);
  if (p.ids !== undefined) {
    if (!Array.isArray(p.ids) || p.ids.length === 0 || p.ids.length > 100) {
      throw new NangoInvalidArgumentError(
        operation,
        'ids',
        'must be a list of 1 to 100 record ids.',
      );
    }
    p.ids.forEach((id, i) => query.append('ids', checkId(operation, `ids[${i}]`, id)));
  }
  return {
    request: { method: 'GET', url: `/records?${query}`, headers },
    context: { operation, providerConfigKey: p.providerConfigKey, connectionId: p.connectionId },
  };
}

/** `PATCH /records/prune`: empties the payloads of a model's records up to a cursor. */
export function pruneRecordsRequest(params: NangoPruneRecordsParams): NangoApiRequest {
  const operation = 'pruneRecords';
  const p = checkObject(
    operation,
    'params',
    params,
    "{ providerConfigKey, connectionId, model: 'GithubIssue', untilCursor }",
  ) as Partial<NangoPruneRecordsParams>;
  const headers = connectionHeaders(operation, p.providerConfigKey, p.connectionId);
  const data: Record<string, unknown> = {
    model: checkId(operation, 'model', p.model),
    until_cursor: checkCursor(operation, 'untilCursor', p.untilCursor),
  };
  const limit = checkInt(operation, 'limit', p.limit, 1, 10_000);
  if (limit !== undefined) data['limit'] = limit;
  const variant = checkText(operation, 'variant', p.variant);
  if (variant !== undefined) data['variant'] = variant;
  return {
    request: { method: 'PATCH', url: '/records/prune', headers, data },
    context: { operation, providerConfigKey: p.providerConfigKey, connectionId: p.connectionId },
  };
}

function checkCursor(operation: string, argument: string, cursor: unknown): string {
  if (
    typeof cursor !== 'string' ||
    cursor.length === 0 ||
    cursor.length > MAX_CURSOR ||
    !HEADER_SAFE.test(cursor)
  ) {
    throw new NangoInvalidArgumentError(
      operation,
      argument,
      'must be a cursor Nango returned (next_cursor or _nango_metadata.cursor).',
    );
  }
  return cursor;
}
