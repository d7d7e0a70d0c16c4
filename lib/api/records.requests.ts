import { NangoInvalidArgumentError } from '../errors/nango-misuse.errors.js';
import {
  HEADER_SAFE,
  checkId,
  checkInt,
  checkIsoDate,
  checkObject,
  checkOneOf,
  checkText,
  connectionHeaders,
} from './nango-arguments.js';
import type { NangoApiRequest } from './nango-api-request.js';
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
    throw NangoInvalidArgumentError.create(
      operation,
      'filter',
      `must name at least one of ${FILTERS.join(', ')}.`,
    );
  }
  const names = parts.map((part) => checkOneOf(operation, 'filter', part, FILTERS) as string);
  return [...new Set(names)].join(',');
}

/** The checked params of a records call, its connection headers and its error context. */
function recordsCall<P extends { providerConfigKey: string; connectionId: string }>(
  operation: string,
  params: unknown,
  moreFields: string,
): [Partial<P>, Record<string, string>, NangoApiRequest['context']] {
  const p = checkObject(
    operation,
    'params',
    params,
    `{ providerConfigKey, connectionId, model: 'GithubIssue'${moreFields} }`,
  ) as Partial<P>;
  const headers = connectionHeaders(operation, p.providerConfigKey, p.connectionId);
  return [
    p,
    headers,
    { operation, providerConfigKey: p.providerConfigKey, connectionId: p.connectionId },
  ];
}

/** `GET /records?model=&...` with `Connection-Id` / `Provider-Config-Key` headers. */
export function listRecordsRequest(params: NangoListRecordsParams): NangoApiRequest {
  const operation = 'listRecords';
  const [p, headers, context] = recordsCall<NangoListRecordsParams>(operation, params, '');
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
      throw NangoInvalidArgumentError.create(
        operation,
        'ids',
        'must be a list of 1 to 100 record ids.',
      );
    }
    p.ids.forEach((id, i) => query.append('ids', checkId(operation, `ids[${i}]`, id)));
  }
  return {
    request: { method: 'GET', url: `/records?${query}`, headers },
    context,
  };
}

/** `PATCH /records/prune`: empties the payloads of a model's records up to a cursor. */
export function pruneRecordsRequest(params: NangoPruneRecordsParams): NangoApiRequest {
  const operation = 'pruneRecords';
  const [p, headers, context] = recordsCall<NangoPruneRecordsParams>(
    operation,
    params,
    ', untilCursor',
  );
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
    context,
  };
}

function checkCursor(operation: string, argument: string, cursor: unknown): string {
  if (
    typeof cursor !== 'string' ||
    cursor.length === 0 ||
    cursor.length > MAX_CURSOR ||
    !HEADER_SAFE.test(cursor)
  ) {
    throw NangoInvalidArgumentError.create(
      operation,
      argument,
      'must be a cursor Nango returned (next_cursor or _nango_metadata.cursor).',
    );
  }
  return cursor;
}
