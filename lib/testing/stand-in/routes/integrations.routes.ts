import { CREATE_FIELDS } from '../../../api/integrations.requests.js';
import type { RecordedRequest } from '../stand-in.interfaces.js';
import { decodeSegment, jsonBody, queryValues, stringFields } from '../stand-in.request.js';
import type { StandInStore } from '../stand-in.store.js';
import { invalidBody, notFound, type StandInJsonAnswer, isAnswer } from '../stand-in.wire.js';
import type { StandInRoute } from './stand-in-route.js';

/**
 * `/integrations`, as `integrations.requests.ts` builds its requests: list, get (with
 * `include`), create (and quickstart), update and delete.
 */

const INTEGRATION_FIELDS: ReadonlySet<string> = new Set(CREATE_FIELDS);

/** Nango's 404 for an integration it does not have. */
export function integrationNotFound(key: string): StandInJsonAnswer {
  return notFound(`Integration "${key}" does not exist`);
}

/** The routes of `/integrations` and `/integrations/{key}`. */
export const integrationsRoutes: StandInRoute = (req, store) => {
  const { method, pathname } = req;
  const segments = pathname.split('/');
  if (method === 'GET' && pathname === '/integrations') {
    const keys = [...store.integrations.keys()].sort();
    return { status: 200, body: { data: keys.map((key) => integrationWire(store, key)) } };
  }
  if (method === 'GET' && segments.length === 3) {
    const key = decodeSegment(segments[2], true);
    return key === undefined ? undefined : getIntegration(key, req, store);
  }
  if (segments.length === 2 && method === 'POST') return createIntegration(req, store, false);
  if (segments.length === 3 && segments[2] === 'quickstart' && method === 'POST') {
    return createIntegration(req, store, true);
  }
  const key = decodeSegment(segments[2]);
  if (key === undefined || segments.length !== 3) return undefined;
  if (method === 'PATCH') return updateIntegration(req, store, key);
  if (method === 'DELETE') {
    if (!store.integrations.has(key)) return integrationNotFound(key);
    store.integrations.delete(key);
    store.dropConnections(key);
    store.functions.delete(key);
    return { status: 200, body: { success: true } };
  }
  return undefined;
};

/** The integration as `GET /integrations` lists it. */
function integrationWire(store: StandInStore, key: string): Record<string, unknown> {
  let at = store.integrationCreatedAt.get(key);
  if (at === undefined) {
    at = new Date().toISOString();
    store.integrationCreatedAt.set(key, at);
  }
  const provider = store.integrations.get(key) ?? key;
  return {
    unique_key: key,
    provider,
    display_name: provider,
    logo: `${store.url}/images/template-logos/${provider}.svg`,
    forward_webhooks: true,
    created_at: at,
    updated_at: at,
  };
}

function getIntegration(key: string, req: RecordedRequest, store: StandInStore): StandInJsonAnswer {
  if (!store.integrations.has(key)) return integrationNotFound(key);
  const include = queryValues(req, 'include');
  const data = integrationWire(store, key);
  if (include.includes('webhook')) data['webhook_url'] = null;
  if (include.includes('credentials')) {
    data['credentials'] = {
      type: 'OAUTH2',
      client_id: `${key}-client-id`,
      client_secret: `${key}-client-secret`,
      scopes: null,
      webhook_secret: null,
    };
  }
  return { status: 200, body: { data } };
}

function createIntegration(
  req: RecordedRequest,
  store: StandInStore,
  quickstart: boolean,
): StandInJsonAnswer {
  const body = jsonBody(req);
  if (body === undefined) return invalidBody('body', 'Invalid input: expected object');
  const fields = stringFields(body, ['provider', 'unique_key']);
  if (isAnswer(fields)) return fields;
  const [provider, key] = fields;
  if (!store.providers.has(provider)) return invalidBody('provider', 'Invalid provider');
  if (quickstart && body['credentials'] !== undefined) {
    return invalidBody('credentials', 'Unrecognized key: "credentials"');
  }
  if (store.integrations.has(key)) return invalidBody('uniqueKey', 'Unique key already exists');
  store.integrations.set(key, provider);
  return { status: 200, body: { data: integrationWire(store, key) } };
}

function updateIntegration(
  req: RecordedRequest,
  store: StandInStore,
  key: string,
): StandInJsonAnswer {
  if (!store.integrations.has(key)) return integrationNotFound(key);
  const body = jsonBody(req);
  if (body === undefined) return invalidBody('body', 'Invalid input: expected object');
  const unknown = Object.keys(body).find((k) => !INTEGRATION_FIELDS.has(k) || k === 'provider');
  if (unknown !== undefined) return invalidBody(unknown, `Unrecognized key: "${unknown}"`);
  const newKey = body['unique_key'];
  let current = key;
  if (typeof newKey === 'string' && newKey !== key) {
    if (store.integrations.has(newKey)) {
      return invalidBody('uniqueKey', 'Unique key already exists');
    }
    store.integrations.set(newKey, store.integrations.get(key) as string);
    store.integrations.delete(key);
    current = newKey;
  }
  const data = integrationWire(store, current);
  if (typeof body['display_name'] === 'string') data['display_name'] = body['display_name'];
  return { status: 200, body: { data } };
}
