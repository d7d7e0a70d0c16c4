import type { AxiosRequestConfig } from 'axios';
import { NangoInvalidArgumentError } from './errors/nango-misuse.errors.js';
import type { NangoCallContext } from './interfaces/nango-call-context.interface.js';
import { checkFlag, checkId, headerId, pathSegment } from './utils/nango-input.js';
import {
  checkIdOrIds,
  checkInt,
  checkObject,
  checkOneOf,
  checkTags,
} from './utils/nango-api-input.js';
import type { NangoIntegrationInclude } from './interfaces/nango-integration.interface.js';
import type {
  NangoConnectSessionInput,
  NangoReconnectSessionInput,
} from './interfaces/nango-connect-session.interface.js';
import type {
  NangoConnectionPatch,
  NangoTriggerActionOptions,
} from './interfaces/nango-records.interface.js';

/**
 * Request builders of the connection, integration, connect-session and action
 * operations of `NangoService`: pure functions that check their arguments (throwing
 * `NangoInvalidArgumentError` before anything is sent) and return the axios request plus what
 * an error should say about the call.
 */

/** A request ready for `NangoService.send()`. */
export interface NangoApiRequest {
  request: AxiosRequestConfig;
  context: Pick<NangoCallContext, 'operation' | 'providerConfigKey' | 'connectionId' | 'resource'>;
}

function connectionUrl(operation: string, providerConfigKey: unknown, connectionId: unknown) {
  const id = pathSegment(operation, 'connectionId', connectionId);
  const key = checkId(operation, 'providerConfigKey', providerConfigKey);
  return `/connections/${id}?${new URLSearchParams({ provider_config_key: key })}`;
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

/** `PATCH /connections/{connectionId}?provider_config_key=` with tags / end user / webhook URL. */
export function patchConnectionRequest(
  providerConfigKey: string,
  connectionId: string,
  patch: NangoConnectionPatch,
): NangoApiRequest {
  const operation = 'patchConnection';
  const url = connectionUrl(operation, providerConfigKey, connectionId);
  const body = checkObject(operation, 'patch', patch, "{ tags: { team: 'a' } }");
  const allowed = new Set(['tags', 'end_user', 'webhook_url_override']);
  const unknown = Object.keys(body).filter((k) => !allowed.has(k));
  if (unknown.length > 0) {
    throw new NangoInvalidArgumentError(
      operation,
      'patch',
      `has unknown field(s) ${unknown.join(', ')}: only tags, end_user and webhook_url_override can be changed.`,
    );
  }
  if (Object.keys(body).length === 0) {
    throw new NangoInvalidArgumentError(
      operation,
      'patch',
      'must change something: tags, end_user or webhook_url_override.',
    );
  }
  if (body['tags'] !== undefined) checkTags(operation, 'patch.tags', body['tags']);
  if (body['end_user'] !== undefined) {
    const endUser = checkObject(operation, 'patch.end_user', body['end_user'], "{ id: 'user-1' }");
    checkId(operation, 'patch.end_user.id', endUser['id']);
  }
  const override = body['webhook_url_override'];
  if (
    override !== undefined &&
    (typeof override !== 'string' || (override !== '' && !/^https?:\/\/\S+$/i.test(override)))
  ) {
    throw new NangoInvalidArgumentError(
      operation,
      'patch.webhook_url_override',
      'must be an http(s) URL, or "" to clear it.',
    );
  }
  return {
    request: { method: 'PATCH', url, data: body },
    context: { operation, providerConfigKey, connectionId },
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

/** `GET /integrations`. */
export function listIntegrationsRequest(): NangoApiRequest {
  return {
    request: { method: 'GET', url: '/integrations' },
    context: { operation: 'listIntegrations' },
  };
}

/** `GET /integrations/{uniqueKey}?include=`. */
export function getIntegrationRequest(
  uniqueKey: string,
  include?: NangoIntegrationInclude[],
): NangoApiRequest {
  const operation = 'getIntegration';
  const key = pathSegment(operation, 'uniqueKey', uniqueKey);
  const query = new URLSearchParams();
  if (include !== undefined) {
    if (!Array.isArray(include)) {
      throw new NangoInvalidArgumentError(
        operation,
        'include',
        "must be a list of 'webhook' and/or 'credentials'.",
      );
    }
    for (const part of include) {
      query.append(
        'include',
        checkOneOf(operation, 'include', part, ['webhook', 'credentials'] as const) as string,
      );
    }
  }
  const q = query.toString();
  return {
    request: { method: 'GET', url: `/integrations/${key}${q ? `?${q}` : ''}` },
    context: { operation, providerConfigKey: uniqueKey },
  };
}

/** `POST /connect/sessions` or `/connect/sessions/reconnect`. */
export function connectSessionRequest(
  operation: 'createConnectSession' | 'createReconnectSession',
  input: NangoConnectSessionInput | NangoReconnectSessionInput,
): NangoApiRequest {
  const body = checkObject(
    operation,
    'session',
    input,
    operation === 'createConnectSession'
      ? "{ tags: { end_user_id: 'user-1' }, allowed_integrations: ['github'] }"
      : "{ connection_id: 'c1', integration_id: 'github' }",
  );
  let context: NangoApiRequest['context'] = { operation };
  if (operation === 'createReconnectSession') {
    const connectionId = checkId(operation, 'connection_id', body['connection_id']);
    const providerConfigKey = checkId(operation, 'integration_id', body['integration_id']);
    context = { operation, providerConfigKey, connectionId };
  } else if (body['allowed_integrations'] !== undefined) {
    const allowed = body['allowed_integrations'];
    if (!Array.isArray(allowed)) {
      throw new NangoInvalidArgumentError(
        operation,
        'allowed_integrations',
        'must be a list of integration keys.',
      );
    }
    allowed.forEach((key, i) => checkId(operation, `allowed_integrations[${i}]`, key));
  }
  if (body['tags'] !== undefined) checkTags(operation, 'tags', body['tags']);
  if (body['end_user'] !== undefined) {
    const endUser = checkObject(operation, 'end_user', body['end_user'], "{ id: 'user-1' }");
    checkId(operation, 'end_user.id', endUser['id']);
  }
  return {
    request: {
      method: 'POST',
      url:
        operation === 'createConnectSession' ? '/connect/sessions' : '/connect/sessions/reconnect',
      data: body,
    },
    context,
  };
}

/** `POST /action/trigger` with `Connection-Id` / `Provider-Config-Key` headers. */
export function triggerActionRequest(
  providerConfigKey: string,
  connectionId: string,
  actionName: string,
  input: unknown,
  options: NangoTriggerActionOptions | undefined,
  operation: 'triggerAction' | 'triggerActionAsync' = 'triggerAction',
): NangoApiRequest {
  const headers: Record<string, string> = {
    'Connection-Id': headerId(operation, 'connectionId', connectionId),
    'Provider-Config-Key': headerId(operation, 'providerConfigKey', providerConfigKey),
  };
  const action_name = checkId(operation, 'actionName', actionName);
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new NangoInvalidArgumentError(
      operation,
      'options',
      'must be an object such as { async: true, timeout: 5000 }.',
    );
  }
  if (checkFlag(operation, 'async', options?.async)) headers['X-Async'] = 'true';
  const maxRetries = checkInt(operation, 'maxRetries', options?.maxRetries, 0, 5);
  if (maxRetries !== undefined) {
    if (headers['X-Async'] === undefined) {
      throw new NangoInvalidArgumentError(
        operation,
        'maxRetries',
        'only applies to asynchronous actions: add async: true.',
      );
    }
    headers['X-Max-Retries'] = String(maxRetries);
  }
  return {
    request: {
      method: 'POST',
      url: '/action/trigger',
      headers,
      data: input === undefined ? { action_name } : { action_name, input },
    },
    context: { operation, providerConfigKey, connectionId },
  };
}
