import { NangoInvalidArgumentError } from '../errors/nango-misuse.errors.js';
import type { NangoApiRequest } from '../nango-connection-api.js';
import { checkInt, checkObject } from '../utils/nango-api-input.js';
import { checkId } from '../utils/nango-input.js';
import { isRecord } from '../utils/is-record.js';
import type {
  ListConnectionsFilter,
  ListConnectionsQueries,
} from '../interfaces/nango-connection.interface.js';
import { urlWith } from './request-url.js';

/**
 * `GET /connections` in both shapes of `listConnections()`: a filter object (or a connection
 * id), or the official client's positional `(connectionId?, search?, queries?)`.
 */

/** Tag names the official client renames before sending them. */
const TAG_ALIASES: Readonly<Record<string, string>> = {
  displayName: 'end_user_display_name',
  email: 'end_user_email',
};

const FILTER_FIELDS: ReadonlyArray<keyof ListConnectionsFilter> = [
  'connectionId',
  'userId',
  'endUserOrganizationId',
  'integrationId',
  'search',
  'tags',
  'limit',
  'page',
];

const QUERY_FIELDS: ReadonlyArray<keyof ListConnectionsQueries> = [
  'endUserId',
  'endUserOrganizationId',
  'integrationId',
  'tags',
  'limit',
  'page',
];

/** `GET /connections?...` from a filter object (`undefined`: every connection). */
export function listConnectionsRequest(filter: ListConnectionsFilter | undefined): NangoApiRequest {
  const operation = 'listConnections';
  const query = new URLSearchParams();
  if (filter !== undefined) {
    if (!isRecord(filter)) {
      throw new NangoInvalidArgumentError(
        operation,
        'filter',
        'must be a connection id or an object of filters.',
      );
    }
    unknownFields(operation, 'filter', filter, FILTER_FIELDS);
    const f = filter as ListConnectionsFilter;
    setId(query, operation, 'connectionId', 'connectionId', f.connectionId);
    setId(query, operation, 'userId', 'endUserId', f.userId);
    setId(
      query,
      operation,
      'endUserOrganizationId',
      'endUserOrganizationId',
      f.endUserOrganizationId,
    );
    setIntegrations(query, operation, f.integrationId);
    setId(query, operation, 'search', 'search', f.search);
    setTags(query, operation, f.tags);
    setPaging(query, operation, f.limit, f.page);
  }
  return {
    request: { method: 'GET', url: urlWith('/connections', query) },
    context: { operation },
  };
}

/** The official client's shape: `listConnections(connectionId?, search?, queries?)`. */
export function listConnectionsPositionalRequest(
  connectionId: unknown,
  search: unknown,
  queries: unknown,
): NangoApiRequest {
  const operation = 'listConnections';
  const query = new URLSearchParams();
  if (connectionId !== undefined && connectionId !== null) {
    setId(query, operation, 'connectionId', 'connectionId', connectionId);
  }
  if (search !== undefined && search !== null) setId(query, operation, 'search', 'search', search);
  if (queries !== undefined) {
    const q = checkObject(operation, 'queries', queries, "{ endUserId: 'user-1' }");
    unknownFields(operation, 'queries', q, QUERY_FIELDS);
    setId(query, operation, 'endUserId', 'endUserId', q['endUserId']);
    setId(
      query,
      operation,
      'endUserOrganizationId',
      'endUserOrganizationId',
      q['endUserOrganizationId'],
    );
    setIntegrations(query, operation, q['integrationId']);
    setTags(query, operation, q['tags']);
    setPaging(query, operation, q['limit'], q['page']);
  }
  return {
    request: { method: 'GET', url: urlWith('/connections', query) },
    context: { operation },
  };
}

function unknownFields(
  operation: string,
  argument: string,
  value: Record<string, unknown>,
  allowed: readonly string[],
): void {
  const unknown = Object.keys(value).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) {
    throw new NangoInvalidArgumentError(
      operation,
      argument,
      `has unknown field(s) ${unknown.join(', ')}: only ${allowed.join(', ')}.`,
    );
  }
}

function setId(
  query: URLSearchParams,
  operation: string,
  argument: string,
  name: string,
  value: unknown,
): void {
  if (value !== undefined) query.set(name, checkId(operation, argument, value));
}

/** One integration key, or several (sent comma-separated, as the official client does). */
function setIntegrations(query: URLSearchParams, operation: string, value: unknown): void {
  if (value === undefined) return;
  const list = Array.isArray(value) ? (value as unknown[]) : [value];
  if (list.length === 0) {
    throw new NangoInvalidArgumentError(
      operation,
      'integrationId',
      'must be an integration key or a non-empty list of them.',
    );
  }
  const keys = list.map((key, i) => {
    const argument = Array.isArray(value) ? `integrationId[${i}]` : 'integrationId';
    const checked = checkId(operation, argument, key);
    if (checked.includes(',')) {
      throw new NangoInvalidArgumentError(operation, argument, 'must not contain ",".');
    }
    return checked;
  });
  query.set('integrationId', keys.join(','));
}

/** `tags[name]=value`: names lower-cased, `displayName` / `email` renamed, as Nango stores them. */
function setTags(query: URLSearchParams, operation: string, tags: unknown): void {
  if (tags === undefined) return;
  if (!isRecord(tags)) {
    throw new NangoInvalidArgumentError(
      operation,
      'tags',
      'must be an object of tag names to string values.',
    );
  }
  for (const [tag, value] of Object.entries(tags)) {
    const name = TAG_ALIASES[tag] ?? checkId(operation, 'tags', tag).toLowerCase();
    query.set(`tags[${name}]`, checkId(operation, `tags.${tag}`, value));
  }
}

function setPaging(query: URLSearchParams, operation: string, limit: unknown, page: unknown): void {
  const l = checkInt(operation, 'limit', limit, 1, 10_000);
  if (l !== undefined) query.set('limit', String(l));
  const p = checkInt(operation, 'page', page, 0, 1_000_000);
  if (p !== undefined) query.set('page', String(p));
}
