import { NangoInvalidArgumentError } from '../errors/nango-misuse.errors.js';
import type { NangoFunctionType } from '../interfaces/nango-function.interface.js';
import {
  checkInt,
  checkKnownFields,
  checkObject,
  checkOneOf,
  checkText,
  pathSegment,
} from './nango-arguments.js';
import { urlWith, type NangoApiRequest } from './nango-api-request.js';

/**
 * Request builders of an integration's deployed functions: `GET /integrations/{key}/functions`,
 * `GET` / `DELETE /integrations/{key}/functions/{name}`, `GET .../{name}/code`.
 */

const TYPES: readonly NangoFunctionType[] = ['action', 'sync', 'on-event'];

function checkQueries(
  operation: string,
  queries: unknown,
  allowed: readonly string[],
  example: string,
): Record<string, unknown> {
  if (queries === undefined) return {};
  const q = checkObject(operation, 'queries', queries, example);
  checkKnownFields(operation, 'queries', q, allowed);
  return q;
}

/** `GET /integrations/{uniqueKey}/functions?type=&search=&page=&limit=`. */
export function listFunctionsRequest(params: unknown, queries: unknown): NangoApiRequest {
  const operation = 'listFunctions';
  const p = checkObject(operation, 'params', params, "{ uniqueKey: 'github' }");
  const key = pathSegment(operation, 'uniqueKey', p['uniqueKey']);
  const integration = p['uniqueKey'] as string;
  const q = checkQueries(
    operation,
    queries,
    ['type', 'search', 'page', 'limit'],
    "{ type: 'sync' }",
  );
  const query = new URLSearchParams();
  const type = checkOneOf(operation, 'type', q['type'], TYPES);
  if (type !== undefined) query.set('type', type);
  const search = checkText(operation, 'search', q['search']);
  if (search !== undefined) query.set('search', search);
  const page = checkInt(operation, 'page', q['page'], 0, 1_000_000);
  if (page !== undefined) query.set('page', String(page));
  const limit = checkInt(operation, 'limit', q['limit'], 1, 100);
  if (limit !== undefined) query.set('limit', String(limit));
  return {
    request: { method: 'GET', url: urlWith(`/integrations/${key}/functions`, query) },
    context: {
      operation,
      providerConfigKey: integration,
      resource: { kind: 'integration', integration },
    },
  };
}

/** `GET /integrations/{key}/functions/{name}[/code]` or `DELETE .../functions/{name}?type=`. */
export function functionRequest(
  operation: 'getFunction' | 'getFunctionCode' | 'deleteFunction',
  params: unknown,
  queries: unknown,
): NangoApiRequest {
  const p = checkObject(operation, 'params', params, "{ uniqueKey: 'github', name: 'issues' }");
  const key = pathSegment(operation, 'uniqueKey', p['uniqueKey']);
  const name = pathSegment(operation, 'name', p['name']);
  const deleting = operation === 'deleteFunction';
  const q = checkQueries(operation, queries, ['type'], "{ type: 'sync' }");
  const type = checkOneOf(
    operation,
    'type',
    q['type'],
    deleting ? (['action', 'sync'] as const) : TYPES,
  );
  if (deleting && type === undefined) {
    throw NangoInvalidArgumentError.create(
      operation,
      'type',
      "is required: { type: 'action' } or { type: 'sync' }.",
    );
  }
  const query = new URLSearchParams();
  if (type !== undefined) query.set('type', type);
  const path = `/integrations/${key}/functions/${name}${operation === 'getFunctionCode' ? '/code' : ''}`;
  const integration = p['uniqueKey'] as string;
  return {
    request: { method: deleting ? 'DELETE' : 'GET', url: urlWith(path, query) },
    context: {
      operation,
      providerConfigKey: integration,
      resource: { kind: 'function', integration, name: p['name'] as string },
    },
  };
}
