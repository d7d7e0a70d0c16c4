import { randomUUID } from 'node:crypto';
import type { RecordedRequest } from '../stand-in.interfaces.js';
import { decodeSegment, headerValue, jsonBody } from '../stand-in.request.js';
import { storeKey, type StandInStore } from '../stand-in.store.js';
import {
  errorAnswer,
  invalidBody,
  managedErrorBody,
  notFound,
  type StandInJsonAnswer,
  isAnswer,
} from '../stand-in.wire.js';
import { connectionFromHeaders } from './connection-headers.js';
import type { StandInRoute } from './stand-in-route.js';

/**
 * `POST /action/trigger` (run now, or with `X-Async: true` later) and `GET /action/{id}` (an
 * asynchronous action's outcome), as `actions.requests.ts` builds them.
 */

/** The routes of `/action`. */
export const actionsRoutes: StandInRoute = (req, store) => {
  const { method, pathname } = req;
  if (method === 'POST' && pathname === '/action/trigger') return triggerAction(req, store);
  const segments = pathname.split('/');
  if (method === 'GET' && segments.length === 3) {
    const id = decodeSegment(segments[2]);
    if (id === undefined) return undefined;
    return store.asyncResults.get(id) ?? notFound('Action not completed yet');
  }
  return undefined;
};

function triggerAction(req: RecordedRequest, store: StandInStore): StandInJsonAnswer {
  const connection = connectionFromHeaders(req, store);
  if (isAnswer(connection)) return connection;
  const body = jsonBody(req);
  const name = body?.['action_name'];
  if (typeof name !== 'string') return invalidBody('action_name');
  const action = store.actions.get(storeKey(connection.seed.providerConfigKey, name));
  if (action === undefined) {
    return errorAnswer(400, 'unknown_action', `Action "${name}" does not exist`);
  }
  let outcome: StandInJsonAnswer;
  try {
    outcome = { status: 200, body: action(body?.['input'], connection.seed.connectionId) ?? null };
  } catch (error) {
    outcome = {
      status: 500,
      body: managedErrorBody('Failed to run action', 'action_script_failure', {
        message: error instanceof Error ? error.message : String(error),
      }),
    };
  }
  if (headerValue(req.headers['x-async']) === 'true') {
    // Run now; `GET /action/{id}` answers its outcome.
    const id = randomUUID();
    store.asyncResults.set(id, outcome);
    return { status: 200, body: { id, statusUrl: `/action/${id}` } };
  }
  return outcome;
}
