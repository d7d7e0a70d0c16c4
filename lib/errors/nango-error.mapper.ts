import { isAxiosError, type AxiosResponse } from 'axios';
import { Readable } from 'node:stream';
import { NangoError } from './nango.error.js';
import { NangoActionError } from './nango-action.error.js';
import {
  NangoAbortedError,
  NangoAuthenticationError,
  NangoConnectionNotFoundError,
  NangoIntegrationNotFoundError,
  NangoRateLimitError,
  NangoReconnectRequiredError,
  NangoRequestError,
  NangoTimeoutError,
  NangoUnavailableError,
  NangoUpstreamError,
  type NangoRequestErrorDetails,
} from './nango-request.error.js';
import { isRecord } from '../utils/is-record.js';
import { resourceNotFound, type NangoResourceRef } from './nango-not-found.error.js';

/** What the service knows about a failed call when it turns the failure into a `NangoError`. */
export interface NangoCallContext {
  /** The `NangoService` method. */
  operation: string;
  providerConfigKey?: string;
  connectionId?: string;
  /** Set for proxy calls: an error answer not in Nango's own shape is the third party's. */
  proxy?: { method: string; endpoint: string };
  /** Set when the call is about a provider, integration or function: a 404 names it. */
  resource?: NangoResourceRef;
  /** The timeout in force, in milliseconds. */
  timeoutMs: number;
  /** Nango's base URL, named in network errors. */
  host: string;
  /** Strings that must never appear in an error (the secret key); replaced by `[redacted]`. */
  secrets: readonly string[];
  /** The named Nango instance making the call; absent for the default instance. */
  instance?: string;
}

/** Nango's error body: `{ error: { code, message?, errors?, payload? } }`. */
interface NangoErrorBody {
  code: string;
  message?: string;
}

/**
 * Error codes Nango itself answers with on the proxy route; any other error answer there
 * comes from the third-party API.
 */
const NANGO_PROXY_ERROR_CODES: ReadonlySet<string> = new Set([
  'missing_auth_header',
  'invalid_secret_key_format',
  'invalid_secret_key',
  'unknown_account',
  'invalid_headers',
  'invalid_query_params',
  'invalid_body',
  'server_error',
  'unknown_provider_config',
  'unknown_connection',
  'not_found',
  'invalid_credentials',
  'connection_refresh_backoff',
  'connection_refresh_exhausted',
  'base_url_override_not_allowed',
  'missing_base_api_url',
  'resource_capped',
  'plan_limit',
  'too_many_request',
  'generic_error_support',
]);

/** Codes that mean something other than a failed action, even on `triggerAction`. */
const NOT_ACTION_CODES: ReadonlySet<string> = new Set([
  'invalid_credentials',
  'connection_refresh_backoff',
  'connection_refresh_exhausted',
  'generic_error_support',
  'server_error',
  'unknown_connection',
  'unknown_provider_config',
]);

/** Most bytes of an error body read from a stream response. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

/**
 * Turns anything a call to Nango threw into a `NangoError`. A raw `AxiosError` never escapes:
 * it carries the request config, and with it the `Authorization` header.
 */
export async function toNangoError(error: unknown, context: NangoCallContext): Promise<NangoError> {
  if (error instanceof NangoError) {
    return error;
  }
  if (!isAxiosError(error)) {
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return new NangoRequestError(
      scrub(`${context.operation}() failed: ${text}`, context.secrets),
      base(context),
    );
  }
  if (error.response) {
    return fromResponse(error.response, context);
  }
  const code = error.code ?? 'ERR_NETWORK';
  if (code === 'ERR_CANCELED') {
    return new NangoAbortedError(
      `${context.operation}() was cancelled by its AbortSignal${ids(context)}.`,
      {
        ...base(context),
        code,
      },
    );
  }
  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT') {
    return new NangoTimeoutError(
      `Nango did not answer within ${context.timeoutMs} ms (${context.operation}${ids(context)}).`,
      { ...base(context), timeoutMs: context.timeoutMs },
    );
  }
  const cause = new Error(scrub(`${code}: ${error.message}`, context.secrets));
  return new NangoUnavailableError(
    `Nango could not be reached at ${context.host} (${context.operation}${ids(context)}: ${code}).`,
    { ...base(context), code, cause },
  );
}

async function fromResponse(
  response: AxiosResponse<unknown>,
  context: NangoCallContext,
): Promise<NangoError> {
  const status = response.status;
  const data = await readBody(response.data);
  const nango = nangoErrorBody(data);
  if (context.proxy && !(nango && NANGO_PROXY_ERROR_CODES.has(nango.code))) {
    const { method, endpoint } = context.proxy;
    return new NangoUpstreamError(
      scrub(
        `The third-party API answered ${status} to ${method} ${endpoint.split('?')[0]} through Nango's proxy${ids(context, ' for')}.`,
        context.secrets,
      ),
      { ...base(context), status, data, headers: flatHeaders(response.headers) },
    );
  }
  const code = nango?.code;
  const nangoMessage =
    nango?.message === undefined ? undefined : scrub(nango.message, context.secrets);
  const details: NangoRequestErrorDetails = { ...base(context), status, code, nangoMessage };
  const said = `${context.operation}: ${status}${code ? ` ${code}` : ''}${nangoMessage ? `, "${nangoMessage}"` : ''}`;
  const { providerConfigKey: key, connectionId: id } = context;

  // triggerAction: a 424 or 500 with an action's own code is the action failing.
  if (
    context.operation === 'triggerAction' &&
    (status === 424 || status === 500) &&
    code !== undefined &&
    !NOT_ACTION_CODES.has(code)
  ) {
    const error = isRecord(data) && isRecord(data['error']) ? data['error'] : {};
    return new NangoActionError(
      `The action of integration "${key}" for connection "${id}" failed (${said}).`,
      { ...details, payload: error['payload'], upstream: error['upstream'] },
    );
  }
  if (status === 404 && context.resource !== undefined) {
    return resourceNotFound(context.resource, said, details);
  }
  // A 404 about an integration key alone (getIntegration) is about the integration.
  if (status === 404 && key !== undefined && id === undefined && code !== 'unknown_connection') {
    return new NangoIntegrationNotFoundError(
      `Nango has no integration "${key}" (${said}).`,
      details,
    );
  }

  if (status === 401) {
    return new NangoAuthenticationError(
      `Nango rejected the secret key (${said}). Check secretKey/apiKey: it must be the secret key of the Nango environment at ${context.host}.`,
      details,
    );
  }
  if (status === 429) {
    return new NangoRateLimitError(
      `Nango's rate limit was reached (${said})${ids(context, ' for')}; retry later.`,
      { ...details, retryAfter: retryAfterSeconds(response.headers) },
    );
  }
  if (
    status === 424 ||
    code === 'invalid_credentials' ||
    code === 'connection_refresh_backoff' ||
    code === 'connection_refresh_exhausted'
  ) {
    return new NangoReconnectRequiredError(
      `Connection "${id}" of integration "${key}" must be reconnected by its end user: Nango could not refresh its credentials (${said}).`,
      details,
    );
  }
  if (code === 'unknown_provider_config') {
    return new NangoIntegrationNotFoundError(
      `Nango has no integration "${key}" (${said}).`,
      details,
    );
  }
  if (
    status === 404 ||
    code === 'unknown_connection' ||
    (context.proxy &&
      code === 'server_error' &&
      /failed to get connection/i.test(nango?.message ?? ''))
  ) {
    return new NangoConnectionNotFoundError(
      `Nango has no connection "${id}" for integration "${key}" (${said}).`,
      details,
    );
  }
  if (status >= 500) {
    return new NangoUnavailableError(`Nango answered with a server error (${said}).`, details);
  }
  return new NangoRequestError(
    `Nango refused the request (${said})${ids(context, ' for')}.`,
    details,
  );
}

function base(context: NangoCallContext): NangoRequestErrorDetails {
  return {
    operation: context.operation,
    providerConfigKey: context.providerConfigKey,
    connectionId: context.connectionId,
    instance: context.instance,
  };
}

function ids(context: NangoCallContext, lead = ','): string {
  const parts: string[] = [];
  if (context.providerConfigKey !== undefined)
    parts.push(`integration "${context.providerConfigKey}"`);
  if (context.connectionId !== undefined) parts.push(`connection "${context.connectionId}"`);
  return parts.length ? `${lead} ${parts.join(', ')}` : '';
}

function nangoErrorBody(data: unknown): NangoErrorBody | undefined {
  if (!isRecord(data) || !isRecord(data['error'])) return undefined;
  const { code, message } = data['error'];
  if (typeof code !== 'string') return undefined;
  return typeof message === 'string' ? { code, message } : { code };
}

async function readBody(data: unknown): Promise<unknown> {
  if (data instanceof Readable) {
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of data) {
        const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
        chunks.push(buf);
        size += buf.length;
        if (size >= MAX_ERROR_BODY_BYTES) break;
      }
    } catch {
      // A body cut short still tells what it can.
    } finally {
      data.destroy();
    }
    return parseMaybeJson(Buffer.concat(chunks).subarray(0, MAX_ERROR_BODY_BYTES).toString('utf8'));
  }
  if (Buffer.isBuffer(data) || data instanceof ArrayBuffer) {
    return parseMaybeJson(Buffer.from(data as ArrayBuffer).toString('utf8'));
  }
  if (typeof data === 'string') {
    return parseMaybeJson(data);
  }
  return data;
}

function parseMaybeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Seconds from `Retry-After` (seconds or HTTP date), else from `x-ratelimit-reset` (epoch seconds). */
export function retryAfterSeconds(headers: AxiosResponse['headers']): number | undefined {
  const flat = flatHeaders(headers);
  const retryAfter = flat['retry-after'];
  if (retryAfter !== undefined) {
    if (/^\d+$/.test(retryAfter.trim())) return Number(retryAfter.trim());
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, Math.ceil((date - Date.now()) / 1000));
  }
  const reset = flat['x-ratelimit-reset'];
  if (reset !== undefined && /^\d+$/.test(reset.trim())) {
    return Math.max(0, Number(reset.trim()) - Math.floor(Date.now() / 1000));
  }
  return undefined;
}

function flatHeaders(headers: AxiosResponse['headers']): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined || value === null) continue;
    flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return flat;
}

/**
 * The error for a 2xx answer that is not what Nango sends (e.g. a connection without
 * credentials): the host is probably not a Nango API.
 */
export function unexpectedAnswer(
  context: Pick<NangoCallContext, 'operation' | 'providerConfigKey' | 'connectionId'>,
  what: string,
): NangoRequestError {
  return new NangoRequestError(
    `Nango answered ${context.operation}() with ${what}; is the host a Nango API?`,
    context,
  );
}

/** Replaces every occurrence of each secret in `text` by `[redacted]`. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length > 0) out = out.split(secret).join('[redacted]');
  }
  return out;
}
