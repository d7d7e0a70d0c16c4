import { isRecord } from '../../../utils/is-record.js';
import type { RecordedRequest, StandInCredentials } from '../stand-in.interfaces.js';
import { ensureFresh } from '../stand-in.refresh.js';
import { decodeSegment, jsonBody } from '../stand-in.request.js';
import {
  storeKey,
  wireEndUser,
  type StandInStore,
  type StoredConnection,
} from '../stand-in.store.js';
import {
  BACKOFF_MESSAGE,
  CONNECTION_NOT_FOUND_MESSAGE,
  REFRESH_FAILED_MESSAGE,
  dbTimestamp,
  intParam,
  invalidBody,
  invalidInput,
  missingInput,
  missingQueryParam,
  notFound,
  unknownConnection,
  unknownIntegration,
  unrecognizedKeys,
  type StandInJsonAnswer,
} from '../stand-in.wire.js';
import type { StandInRoute } from './stand-in-route.js';

/**
 * `/connections`, as `connections.requests.ts` builds its requests: get (with the OAuth2
 * refresh), list, delete, patch, and metadata set/update.
 */

const GET_CONNECTION_KEYS: ReadonlySet<string> = new Set([
  'provider_config_key',
  'force_refresh',
  'refresh_token',
  'refresh_github_app_jwt_token',
]);

const LIST_CONNECTIONS_KEYS: ReadonlySet<string> = new Set([
  'connectionId',
  'search',
  'endUserId',
  'endUserOrganizationId',
  'integrationId',
  'limit',
  'page',
  'tags',
]);

/** A deep-object tag filter of `GET /connections`: `tags[name]`. */
const TAG_FILTER = /^tags\[([^\]]+)\]$/;

/** The routes of `/connections` (and of `GET /connection`, which Nango keeps too). */
export const connectionsRoutes: StandInRoute = (req, store) => {
  const { method, pathname } = req;
  const segments = pathname.split('/');
  if (method === 'GET') {
    const rawId = segments[2];
    if (rawId === undefined || (rawId === '' && segments.length === 3)) {
      return listConnections(req, store);
    }
    if (segments.length === 3) {
      const id = decodeSegment(rawId);
      return id === undefined ? undefined : getConnection(id, req, store);
    }
  }
  if (pathname === '/connections/metadata' && (method === 'POST' || method === 'PATCH')) {
    return setMetadata(req, store);
  }
  if (segments[1] === 'connections' && segments.length === 3) {
    const id = decodeSegment(segments[2]);
    if (id === undefined) return undefined;
    if (method === 'DELETE') return deleteConnection(id, req, store);
    if (method === 'PATCH') return patchConnection(id, req, store);
  }
  return undefined;
};

function getConnection(
  connectionId: string,
  req: RecordedRequest,
  store: StandInStore,
): StandInJsonAnswer {
  const { query } = req;
  const errors: unknown[] = [];
  const providerConfigKey = query['provider_config_key'];
  if (providerConfigKey === undefined) errors.push(missingInput('provider_config_key'));
  const unknown = Object.keys(query).filter((k) => !GET_CONNECTION_KEYS.has(k));
  if (unknown.length > 0) errors.push(unrecognizedKeys(unknown));
  if (providerConfigKey === undefined || errors.length > 0) {
    return invalidInput('invalid_query_params', errors);
  }
  if (!store.integrations.has(providerConfigKey)) return unknownIntegration();
  const stored = store.connection(providerConfigKey, connectionId);
  if (stored === undefined) return notFound(CONNECTION_NOT_FOUND_MESSAGE);
  const now = Date.now();
  stored.lastFetchedAt = dbTimestamp(now);
  const outcome = ensureFresh(stored, query['force_refresh'] === 'true', now);
  if (outcome !== 'ok') {
    const connection = { ...wireConnection(stored), credentials: {} };
    const [status, message] =
      outcome === 'failed' ? [400, REFRESH_FAILED_MESSAGE] : [424, BACKOFF_MESSAGE];
    return {
      status,
      body: { error: { code: 'invalid_credentials', message, payload: { connection } } },
    };
  }
  return {
    status: 200,
    body: {
      ...wireConnection(stored),
      credentials: wireCredentials(stored, query['refresh_token'] === 'true'),
    },
  };
}

function listConnections(req: RecordedRequest, store: StandInStore): StandInJsonAnswer {
  const { query } = req;
  const unknown = Object.keys(query).filter(
    (k) => !LIST_CONNECTIONS_KEYS.has(k) && !TAG_FILTER.test(k),
  );
  // Tag filters arrive as a deep object: tags[name]=value; all must match.
  const tagFilters = Object.entries(query).flatMap(([k, v]) => {
    const name = TAG_FILTER.exec(k)?.[1];
    return name === undefined ? [] : [[name, v] as const];
  });
  const errors: unknown[] = [];
  const limit = intParam(query, 'limit', 1, errors);
  const page = intParam(query, 'page', 0, errors);
  if (unknown.length > 0) errors.push(unrecognizedKeys(unknown));
  if (errors.length > 0) return invalidInput('invalid_query_params', errors);

  const connectionId = query['connectionId'];
  const search = query['search']?.toLowerCase();
  const endUserId = query['endUserId'];
  const orgId = query['endUserOrganizationId'];
  const integrationId = query['integrationId'];
  const all = [...store.connections.values()].reverse();
  const selected = all.filter(
    (c) =>
      (connectionId === undefined || c.seed.connectionId === connectionId) &&
      (search === undefined || c.seed.connectionId.toLowerCase().includes(search)) &&
      (endUserId === undefined || c.endUser?.id === endUserId) &&
      orgId === undefined &&
      (integrationId === undefined ||
        integrationId.split(',').includes(c.seed.providerConfigKey)) &&
      tagFilters.every(([name, value]) => c.tags[name] === value),
  );
  const paged =
    limit === undefined ? selected : selected.slice((page ?? 0) * limit, ((page ?? 0) + 1) * limit);
  return {
    status: 200,
    body: {
      connections: paged.map((c) => ({
        id: c.id,
        connection_id: c.seed.connectionId,
        provider_config_key: c.seed.providerConfigKey,
        provider: c.provider,
        errors: c.errors,
        end_user: c.endUser,
        tags: c.tags,
        metadata: c.seed.metadata === undefined ? {} : c.seed.metadata,
        created: c.created,
      })),
    },
  };
}

function deleteConnection(
  connectionId: string,
  req: RecordedRequest,
  store: StandInStore,
): StandInJsonAnswer {
  const key = req.query['provider_config_key'];
  if (key === undefined) return missingQueryParam('provider_config_key');
  if (!store.connections.delete(storeKey(key, connectionId))) return unknownConnection();
  return { status: 200, body: { success: true } };
}

function patchConnection(
  connectionId: string,
  req: RecordedRequest,
  store: StandInStore,
): StandInJsonAnswer {
  const key = req.query['provider_config_key'];
  const stored = key === undefined ? undefined : store.connection(key, connectionId);
  if (stored === undefined) return unknownConnection(404);
  const body = jsonBody(req);
  if (body === undefined) return invalidBody('body', 'Invalid input: expected object');
  const tags = body['tags'];
  if (tags !== undefined) {
    if (!isRecord(tags) || Object.values(tags).some((v) => typeof v !== 'string')) {
      return invalidBody('tags', 'Invalid input: expected record');
    }
    stored.tags = Object.fromEntries(
      Object.entries(tags).map(([k, v]) => [k.toLowerCase(), v as string]),
    );
  }
  const endUser = body['end_user'];
  if (isRecord(endUser) && typeof endUser['id'] === 'string') {
    stored.endUser = wireEndUser({
      id: endUser['id'],
      display_name: typeof endUser['display_name'] === 'string' ? endUser['display_name'] : null,
      email: typeof endUser['email'] === 'string' ? endUser['email'] : null,
    });
  }
  stored.updatedAt = dbTimestamp(Date.now());
  return { status: 200, body: { success: true } };
}

function setMetadata(req: RecordedRequest, store: StandInStore): StandInJsonAnswer {
  const body = jsonBody(req);
  if (body === undefined) return invalidBody('body', 'Invalid input: expected object');
  const key = body['provider_config_key'];
  const ids = body['connection_id'];
  const metadata = body['metadata'];
  if (typeof key !== 'string') return invalidBody('provider_config_key');
  if (typeof ids !== 'string' && !Array.isArray(ids)) return invalidBody('connection_id');
  if (!isRecord(metadata)) return invalidBody('metadata', 'Invalid input: expected record');
  const list = typeof ids === 'string' ? [ids] : ids;
  const stored = list.map((id) => (typeof id === 'string' ? store.connection(key, id) : undefined));
  if (stored.some((c) => c === undefined)) return unknownConnection(404);
  for (const connection of stored as StoredConnection[]) {
    const current = connection.seed.metadata ?? {};
    connection.seed.metadata =
      req.method === 'POST' ? { ...metadata } : { ...current, ...metadata };
  }
  return {
    status: req.method === 'POST' ? 201 : 200,
    body: { connection_id: ids, provider_config_key: key, metadata },
  };
}

/** The connection as `GET /connections/{id}` sends it, without its credentials. */
function wireConnection(stored: StoredConnection): Record<string, unknown> {
  const { seed } = stored;
  return {
    id: stored.id,
    connection_id: seed.connectionId,
    provider_config_key: seed.providerConfigKey,
    provider: stored.provider,
    errors: stored.errors,
    end_user: stored.endUser,
    tags: stored.tags,
    metadata: seed.metadata === undefined ? {} : seed.metadata,
    connection_config: seed.connectionConfig ?? {},
    webhook_url_override: null,
    created_at: stored.createdAt,
    updated_at: stored.updatedAt,
    last_fetched_at: stored.lastFetchedAt,
  };
}

/** The credentials as Nango sends them: OAUTH2 with `raw`, the refresh token only when asked. */
function wireCredentials(stored: StoredConnection, withRefreshToken: boolean): StandInCredentials {
  const credentials: StandInCredentials = { ...stored.credentials };
  if (credentials.type !== 'OAUTH2') return credentials;
  const raw: Record<string, unknown> = { ...(stored.raw ?? stored.credentials) };
  if (!withRefreshToken) {
    delete credentials['refresh_token'];
    delete raw['refresh_token'];
  }
  credentials['raw'] = raw;
  return credentials;
}
