import type { RecordedRequest } from '../stand-in.interfaces.js';
import { headerValue, jsonBody, queryValues, stringFields } from '../stand-in.request.js';
import type { StandInStore } from '../stand-in.store.js';
import {
  errorAnswer,
  intParam,
  invalidBody,
  invalidInput,
  missingInput,
  unknownConnection,
  type StandInJsonAnswer,
  isAnswer,
} from '../stand-in.wire.js';
import { connectionFromHeaders } from './connection-headers.js';
import type { StandInRoute } from './stand-in-route.js';

/** `GET /records` (paged by cursor) and `PATCH /records/prune`, as `records.requests.ts` builds them. */

/** The routes of `/records`. */
export const recordsRoutes: StandInRoute = (req, store) => {
  if (req.method === 'GET' && req.pathname === '/records') return listRecords(req, store);
  if (req.method === 'PATCH' && req.pathname === '/records/prune') return pruneRecords(req, store);
  return undefined;
};

function listRecords(req: RecordedRequest, store: StandInStore): StandInJsonAnswer {
  const connection = connectionFromHeaders(req, store);
  if (isAnswer(connection)) return connection;
  const { query } = req;
  const errors: unknown[] = [];
  const limit = intParam(query, 'limit', 1, errors) ?? 100;
  const model = query['model'];
  if (model === undefined) errors.push(missingInput('model'));
  if (model === undefined || errors.length > 0) return invalidInput('invalid_query_params', errors);
  const { providerConfigKey, connectionId } = connection.seed;
  const all = store.recordsOf(providerConfigKey, connectionId, model);
  const ids = queryValues(req, 'ids');
  const selected = ids.length === 0 ? all : all.filter((r) => ids.includes(r.data.id));
  const after = query['cursor'];
  const start =
    after === undefined ? 0 : selected.findIndex((r) => r.metadata['cursor'] === after) + 1;
  const page = selected.slice(start, start + limit);
  const last = page[page.length - 1];
  return {
    status: 200,
    body: {
      records: page.map((r) => ({ ...r.data, _nango_metadata: r.metadata })),
      next_cursor:
        last !== undefined && start + limit < selected.length ? last.metadata['cursor'] : null,
    },
  };
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
  const records = store.recordsOf(key, id, model);
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
