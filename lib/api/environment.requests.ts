import { checkOneOf } from './nango-arguments.js';
import type { NangoApiRequest } from './nango-api-request.js';
import type { NangoEnvironmentVariable } from '../interfaces/nango-environment.interface.js';

/** `GET /environment-variables`. */
export function environmentVariablesRequest(): NangoApiRequest {
  return {
    request: { method: 'GET', url: '/environment-variables' },
    context: { operation: 'getEnvironmentVariables' },
  };
}

/** What `getEnvironmentVariables()` returns: Nango's list, `[]` when it answers null or nothing. */
export function environmentVariableList(
  body: NangoEnvironmentVariable[] | null | '',
): NangoEnvironmentVariable[] {
  return body || [];
}

/** `GET /scripts/config?format=nango|openai` (default `nango`). */
export function scriptsConfigRequest(format: unknown): NangoApiRequest {
  const operation = 'getScriptsConfig';
  const f = checkOneOf(operation, 'format', format ?? 'nango', ['nango', 'openai'] as const);
  return {
    request: { method: 'GET', url: `/scripts/config?format=${f}` },
    context: { operation },
  };
}
