import { NangoInvalidArgumentError } from '../errors/nango-misuse.errors.js';
import type { NangoIntegrationInclude } from '../interfaces/nango-integration.interface.js';
import {
  checkFlag,
  checkId,
  checkKnownFields,
  checkObject,
  checkOneOf,
  checkText,
  pathSegment,
} from './nango-arguments.js';
import type { NangoApiRequest } from './nango-api-request.js';

/**
 * Request builders of integrations: `GET /integrations`, `GET /integrations/{uniqueKey}`,
 * `POST /integrations`, `/integrations/quickstart`, `PATCH` and `DELETE
 * /integrations/{uniqueKey}`. Arguments are checked before anything is sent.
 */

/** `GET /integrations`. */
export function listIntegrationsRequest(): NangoApiRequest {
  return {
    request: { method: 'GET', url: '/integrations' },
    context: { operation: 'listIntegrations' },
  };
}

/**
 * `GET /integrations/{uniqueKey}?include=`, from `(uniqueKey, include?)` or the official
 * client's `({ uniqueKey }, { include }?)`.
 */
export function getIntegrationRequest(
  keyOrParams: string | { uniqueKey: string },
  includeOrQueries?: NangoIntegrationInclude[] | { include?: NangoIntegrationInclude[] },
): NangoApiRequest {
  const operation = 'getIntegration';
  const official = typeof keyOrParams === 'object' && keyOrParams !== null;
  const uniqueKey = official ? keyOrParams.uniqueKey : keyOrParams;
  const include =
    official && includeOrQueries !== undefined && !Array.isArray(includeOrQueries)
      ? checkObject(operation, 'queries', includeOrQueries, "{ include: ['webhook'] }")['include']
      : includeOrQueries;
  const key = pathSegment(operation, 'uniqueKey', uniqueKey);
  const query = new URLSearchParams();
  if (include !== undefined) {
    if (!Array.isArray(include)) {
      throw NangoInvalidArgumentError.create(
        operation,
        'include',
        "must be a list of 'webhook' and/or 'credentials'.",
      );
    }
    for (const part of include as unknown[]) {
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

/** The fields of an integration Nango takes on create (`POST /integrations`); the stand-in too. */
export const CREATE_FIELDS = [
  'provider',
  'unique_key',
  'display_name',
  'credentials',
  'forward_webhooks',
  'integration_config',
  'custom',
] as const;
const QUICKSTART_FIELDS = ['provider', 'unique_key', 'display_name', 'forward_webhooks'] as const;
const UPDATE_FIELDS = CREATE_FIELDS.filter((f) => f !== 'provider');

function checkBody(
  operation: string,
  body: unknown,
  allowed: readonly string[],
  example: string,
): Record<string, unknown> {
  const b = checkObject(operation, 'body', body, example);
  checkKnownFields(operation, 'body', b, allowed);
  if (b['unique_key'] !== undefined) checkId(operation, 'body.unique_key', b['unique_key']);
  if (b['provider'] !== undefined) checkId(operation, 'body.provider', b['provider']);
  checkText(operation, 'body.display_name', b['display_name']);
  checkFlag(operation, 'body.forward_webhooks', b['forward_webhooks']);
  if (b['credentials'] !== undefined) {
    const c = checkObject(
      operation,
      'body.credentials',
      b['credentials'],
      "{ type: 'OAUTH2', client_id, client_secret }",
    );
    checkId(operation, 'body.credentials.type', c['type']);
  }
  for (const field of ['integration_config', 'custom']) {
    if (b[field] === undefined) continue;
    const map = checkObject(operation, `body.${field}`, b[field], "{ name: 'value' }");
    for (const [name, value] of Object.entries(map)) {
      if (typeof value !== 'string') {
        throw NangoInvalidArgumentError.create(
          operation,
          `body.${field}.${name}`,
          'must be a string.',
        );
      }
    }
  }
  return b;
}

/** `POST /integrations` or `POST /integrations/quickstart`. */
export function createIntegrationRequest(
  operation: 'createIntegration' | 'createQuickstartIntegration',
  body: unknown,
): NangoApiRequest {
  const quick = operation === 'createQuickstartIntegration';
  const b = checkBody(
    operation,
    body,
    quick ? QUICKSTART_FIELDS : CREATE_FIELDS,
    "{ provider: 'github', unique_key: 'github-prod' }",
  );
  const key = checkId(operation, 'body.unique_key', b['unique_key']);
  checkId(operation, 'body.provider', b['provider']);
  return {
    request: {
      method: 'POST',
      url: quick ? '/integrations/quickstart' : '/integrations',
      data: b,
    },
    context: { operation, providerConfigKey: key },
  };
}

/** `PATCH /integrations/{uniqueKey}`. */
export function updateIntegrationRequest(params: unknown, body: unknown): NangoApiRequest {
  const operation = 'updateIntegration';
  const p = checkObject(operation, 'params', params, "{ uniqueKey: 'github' }");
  const key = pathSegment(operation, 'uniqueKey', p['uniqueKey']);
  const integration = p['uniqueKey'] as string;
  const b = checkBody(operation, body, UPDATE_FIELDS, "{ display_name: 'GitHub (prod)' }");
  if (Object.keys(b).length === 0) {
    throw NangoInvalidArgumentError.create(
      operation,
      'body',
      `must change something: ${UPDATE_FIELDS.join(', ')}.`,
    );
  }
  return {
    request: { method: 'PATCH', url: `/integrations/${key}`, data: b },
    context: {
      operation,
      providerConfigKey: integration,
      resource: { kind: 'integration', integration },
    },
  };
}

/** `DELETE /integrations/{uniqueKey}`. */
export function deleteIntegrationRequest(providerConfigKey: unknown): NangoApiRequest {
  const operation = 'deleteIntegration';
  const key = pathSegment(operation, 'providerConfigKey', providerConfigKey);
  const integration = providerConfigKey as string;
  return {
    request: { method: 'DELETE', url: `/integrations/${key}` },
    context: {
      operation,
      providerConfigKey: integration,
      resource: { kind: 'integration', integration },
    },
  };
}
