import { NangoInvalidArgumentError } from '../errors/nango-misuse.errors.js';
import { unexpectedAnswer } from '../errors/nango-error.mapper.js';
import type { NangoCallOptions } from '../interfaces/nango-module-options.interface.js';
import type {
  ListConnectionsFilter,
  ListConnectionsQueries,
  NangoConnection,
  NangoConnectionList,
  NangoPatchConnectionParams,
} from '../interfaces/nango-connection.interface.js';
import type { NangoConnectionPatch } from '../interfaces/nango-records.interface.js';
import { isRecord } from '../utils/is-record.js';
import {
  checkCallOptions,
  checkEndUser,
  checkFlag,
  checkId,
  checkIdOrIds,
  checkInt,
  checkKnownFields,
  checkObject,
  checkTags,
  pathSegment,
} from './nango-arguments.js';
import { urlWith, type NangoApiRequest } from './nango-api-request.js';

/**
 * Request builders of connections: `GET /connections/{connectionId}` (the credentials),
 * `GET /connections` in both shapes of `listConnections()`, `DELETE` and `PATCH` of one
 * connection, and `/connections/metadata`. Arguments are checked before anything is sent.
 */

/** The credential fetch of one connection, with what its cache and single-flight key need. */
export interface NangoConnectionRequest extends NangoApiRequest {
  /** The checked integration key. */
  readonly providerConfigKey: string;
  /** The checked connection id. */
  readonly connectionId: string;
  /** Whether the OAuth refresh token is asked for. */
  readonly refreshToken: boolean;
  /** Whether Nango refreshes the token: a forced refresh, or a GitHub App JWT refresh. */
  readonly force: boolean;
  /** Whether the GitHub App JWT is refreshed. */
  readonly githubJwt: boolean;
  /** The checked call options (timeout, signal). */
  readonly options: NangoCallOptions;
}

/**
 * `GET /connections/{connectionId}?provider_config_key=&force_refresh=&refresh_token=`, plus
 * `refresh_github_app_jwt_token=true` when asked. `githubJwtOrOptions` is the official
 * client's `refreshGithubAppJwtToken` flag, or this package's call options in its place.
 */
export function getConnectionRequest(
  operation: string,
  providerConfigKey: string,
  connectionId: string,
  forceRefresh: boolean | undefined,
  refreshToken: boolean | undefined,
  githubJwtOrOptions: boolean | NangoCallOptions | undefined,
  options: NangoCallOptions | undefined,
): NangoConnectionRequest {
  const flag = typeof githubJwtOrOptions === 'boolean';
  const id = pathSegment(operation, 'connectionId', connectionId);
  const key = checkId(operation, 'providerConfigKey', providerConfigKey);
  const githubJwt = flag && checkFlag(operation, 'refreshGithubAppJwtToken', githubJwtOrOptions);
  const forceFlag = checkFlag(operation, 'forceRefresh', forceRefresh);
  const withRefreshToken = checkFlag(operation, 'refreshToken', refreshToken);
  const callOptions = checkCallOptions(
    operation,
    flag || githubJwtOrOptions === undefined ? options : githubJwtOrOptions,
  );
  return {
    // A template rather than URLSearchParams: the one value that needs it is encoded.
    request: {
      method: 'GET',
      url: `/connections/${id}?provider_config_key=${encodeURIComponent(key)}&force_refresh=${forceFlag}&refresh_token=${withRefreshToken}${githubJwt ? '&refresh_github_app_jwt_token=true' : ''}`,
    },
    context: { operation, providerConfigKey: key, connectionId },
    providerConfigKey: key,
    connectionId,
    refreshToken: withRefreshToken,
    // A refreshed GitHub App JWT is a new token: like a forced refresh, it skips the cache.
    force: forceFlag || githubJwt,
    githubJwt,
    options: callOptions,
  };
}

/** `DELETE /connections/{connectionId}?provider_config_key=`. */
export function deleteConnectionRequest(
  providerConfigKey: string,
  connectionId: string,
): NangoApiRequest {
  const operation = 'deleteConnection';
  return {
    request: { method: 'DELETE', url: connectionUrl(operation, providerConfigKey, connectionId) },
    context: { operation, providerConfigKey, connectionId },
  };
}

const PATCH_FIELDS = ['tags', 'end_user', 'webhook_url_override'];

/** The arguments of `patchConnection()`, in either of its shapes. */
export type PatchConnectionArgs =
  | [string, string, NangoConnectionPatch, NangoCallOptions?]
  | [NangoPatchConnectionParams, NangoConnectionPatch, NangoCallOptions?];

/**
 * `PATCH /connections/{connectionId}?provider_config_key=` with tags / end user / webhook URL,
 * from `(providerConfigKey, connectionId, patch, options?)` or the official client's
 * `({ connectionId, provider_config_key }, patch, options?)`. Returns the request and the call
 * options.
 */
export function patchConnectionCall(
  args: PatchConnectionArgs,
): [NangoApiRequest, NangoCallOptions | undefined] {
  const operation = 'patchConnection';
  if (typeof args[0] !== 'string' && typeof args[1] !== 'string') {
    const p = checkObject(
      operation,
      'params',
      args[0],
      "{ connectionId: 'c1', provider_config_key: 'github' }",
    );
    return [
      patchConnectionRequest(p['provider_config_key'], p['connectionId'], args[1]),
      args[2] as NangoCallOptions | undefined,
    ];
  }
  return [patchConnectionRequest(args[0], args[1], args[2]), args[3]];
}

function patchConnectionRequest(
  providerConfigKey: unknown,
  connectionId: unknown,
  patch: unknown,
): NangoApiRequest {
  const operation = 'patchConnection';
  const url = connectionUrl(operation, providerConfigKey, connectionId);
  const body = checkObject(operation, 'patch', patch, "{ tags: { team: 'a' } }");
  checkKnownFields(
    operation,
    'patch',
    body,
    PATCH_FIELDS,
    'only tags, end_user and webhook_url_override can be changed.',
  );
  if (Object.keys(body).length === 0) {
    throw NangoInvalidArgumentError.create(
      operation,
      'patch',
      'must change something: tags, end_user or webhook_url_override.',
    );
  }
  if (body['tags'] !== undefined) checkTags(operation, 'patch.tags', body['tags']);
  if (body['end_user'] !== undefined) checkEndUser(operation, 'patch.end_user', body['end_user']);
  const override = body['webhook_url_override'];
  if (
    override !== undefined &&
    (typeof override !== 'string' || (override !== '' && !/^https?:\/\/\S+$/i.test(override)))
  ) {
    throw NangoInvalidArgumentError.create(
      operation,
      'patch.webhook_url_override',
      'must be an http(s) URL, or "" to clear it.',
    );
  }
  return {
    request: { method: 'PATCH', url, data: body },
    context: {
      operation,
      providerConfigKey: providerConfigKey as string,
      connectionId: connectionId as string,
    },
  };
}

/** `POST` (set) or `PATCH` (merge) `/connections/metadata`, for one connection id or many. */
export function metadataRequest(
  operation: 'setMetadata' | 'updateMetadata',
  providerConfigKey: string,
  connectionId: string | string[],
  metadata: Record<string, unknown>,
): NangoApiRequest {
  const key = checkId(operation, 'providerConfigKey', providerConfigKey);
  const ids = checkIdOrIds(operation, 'connectionId', connectionId);
  checkObject(operation, 'metadata', metadata, "{ team: 'a' }");
  return {
    request: {
      method: operation === 'setMetadata' ? 'POST' : 'PATCH',
      url: '/connections/metadata',
      data: { connection_id: ids, provider_config_key: key, metadata },
    },
    // Several ids: errors name them all, comma-separated.
    context: {
      operation,
      providerConfigKey,
      connectionId: typeof ids === 'string' ? ids : ids.join(', '),
    },
  };
}

function connectionUrl(operation: string, providerConfigKey: unknown, connectionId: unknown) {
  const id = pathSegment(operation, 'connectionId', connectionId);
  const key = checkId(operation, 'providerConfigKey', providerConfigKey);
  return `/connections/${id}?${new URLSearchParams({ provider_config_key: key })}`;
}

/** The arguments of `listConnections()`, in either of its shapes. */
export type ListConnectionsArgs =
  | [(string | ListConnectionsFilter)?, NangoCallOptions?]
  | [string | undefined, string | undefined, ListConnectionsQueries?, NangoCallOptions?];

/**
 * `GET /connections?...` from the arguments of `listConnections()`: a filter object (or a
 * connection id) and options, or the official client's `(connectionId?, search?, queries?,
 * options?)`. Returns the request and the call options.
 */
export function listConnectionsCall(
  args: ListConnectionsArgs,
): [NangoApiRequest, NangoCallOptions | undefined] {
  if (args.length >= 3 || typeof args[1] === 'string') {
    return [listConnectionsPositionalRequest(args[0], args[1], args[2]), args[3]];
  }
  const [filter, options] = args as [(string | ListConnectionsFilter)?, NangoCallOptions?];
  return [
    listConnectionsRequest(typeof filter === 'string' ? { connectionId: filter } : filter),
    options,
  ];
}

/** What `getMetadata()` returns: the connection's `metadata`, `{}` when it has none. */
export function metadataOf<M>(connection: NangoConnection): M {
  return (connection.metadata ?? {}) as M;
}

/** Nango's answer to `GET /connections`, checked: a body with a `connections` list. */
export function connectionList(data: unknown): NangoConnectionList {
  if (!isRecord(data) || !Array.isArray(data['connections'])) {
    throw unexpectedAnswer({ operation: 'listConnections' }, 'a body without a "connections" list');
  }
  return data as unknown as NangoConnectionList;
}

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
function listConnectionsRequest(filter: ListConnectionsFilter | undefined): NangoApiRequest {
  const operation = 'listConnections';
  const query = new URLSearchParams();
  if (filter !== undefined) {
    if (!isRecord(filter)) {
      throw NangoInvalidArgumentError.create(
        operation,
        'filter',
        'must be a connection id or an object of filters.',
      );
    }
    checkKnownFields(operation, 'filter', filter, FILTER_FIELDS);
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
function listConnectionsPositionalRequest(
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
    checkKnownFields(operation, 'queries', q, QUERY_FIELDS);
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
    throw NangoInvalidArgumentError.create(
      operation,
      'integrationId',
      'must be an integration key or a non-empty list of them.',
    );
  }
  const keys = list.map((key, i) => {
    const argument = Array.isArray(value) ? `integrationId[${i}]` : 'integrationId';
    const checked = checkId(operation, argument, key);
    if (checked.includes(',')) {
      throw NangoInvalidArgumentError.create(operation, argument, 'must not contain ",".');
    }
    return checked;
  });
  query.set('integrationId', keys.join(','));
}

/** `tags[name]=value`: names lower-cased, `displayName` / `email` renamed, as Nango stores them. */
function setTags(query: URLSearchParams, operation: string, tags: unknown): void {
  if (tags === undefined) return;
  if (!isRecord(tags)) {
    throw NangoInvalidArgumentError.create(
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
