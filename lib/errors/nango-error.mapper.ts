import { isAxiosError, type AxiosResponse } from 'axios';
import { Readable } from 'node:stream';
import { NangoError } from './nango.error.js';
import { NangoActionError } from './nango-action.error.js';
import {
  NangoAbortedError,
  NangoAuthenticationError,
  NangoConnectionNotFoundError,
  NangoIntegrationNotFoundError,
  NangoInvalidRequestError,
  NangoRateLimitError,
  NangoReconnectRequiredError,
  NangoRequestError,
  NangoTimeoutError,
  NangoUnavailableError,
  NangoUpstreamError,
  type NangoRequestErrorDetails,
} from './nango-request.error.js';
import {
  findNangoErrorRule,
  kindByStatus,
  type NangoErrorKind,
  type NangoRoute,
} from './nango-error-table.js';
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

/** Nango's error body: `{ error: { code, message?, errors?, payload? } }`, read. */
interface NangoErrorBody {
  code: string;
  message?: string;
  /** The field named by the first of `errors` (zod issues), joined with `.`. */
  argument?: string;
  /** True when the body is exactly Nango's envelope, nothing else beside it. */
  exact: boolean;
}

/** The keys Nango puts in `error`; a body with others is not Nango's own. */
const ENVELOPE_KEYS: ReadonlySet<string> = new Set(['code', 'message', 'errors', 'payload']);

/** `NangoService` methods whose route is `/connections/{id}` or the connection metadata. */
const CONNECTION_OPERATIONS: ReadonlySet<string> = new Set([
  'getToken',
  'getConnection',
  'getMetadata',
  'deleteConnection',
  'patchConnection',
  'setMetadata',
  'updateMetadata',
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

/** The route a call went to, as {@link NANGO_ERROR_TABLE} tells them apart. */
export function routeOf(context: Pick<NangoCallContext, 'operation' | 'proxy'>): NangoRoute {
  if (context.proxy !== undefined) return 'proxy';
  if (context.operation === 'triggerAction') return 'action';
  if (context.operation === 'getIntegration') return 'integration';
  return CONNECTION_OPERATIONS.has(context.operation) ? 'connection' : 'api';
}

async function fromResponse(
  response: AxiosResponse<unknown>,
  context: NangoCallContext,
): Promise<NangoError> {
  const status = response.status;
  const data = await readBody(response.data);
  const nango = nangoErrorBody(data);
  const route = routeOf(context);
  const nangoMessage =
    nango?.message === undefined ? undefined : scrub(nango.message, context.secrets);
  const rule =
    nango === undefined ? undefined : findNangoErrorRule(nango.code, route, nango.message);

  if (context.proxy !== undefined && !(rule !== undefined && nango?.exact === true)) {
    // Not Nango's envelope with a code Nango answers on /proxy: the third party's answer.
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
  const details: NangoRequestErrorDetails = { ...base(context), status, code, nangoMessage };
  const said = `${context.operation}: ${status}${code ? ` ${code}` : ''}${nangoMessage ? `, "${nangoMessage}"` : ''}`;
  const { providerConfigKey: key, connectionId: id } = context;

  // A 404 of a provider, integration or function route names what was not found.
  if (status === 404 && context.resource !== undefined) {
    return resourceNotFound(context.resource, said, details);
  }
  // triggerAction: a 424 or 500 with a code of the action's own (no row of the table).
  const kind: NangoErrorKind =
    rule?.kind ??
    (route === 'action' && (status === 424 || status === 500) && code !== undefined
      ? 'action_failed'
      : kindByStatus(status, context));
  switch (kind) {
    case 'action_failed': {
      const error = isRecord(data) && isRecord(data['error']) ? data['error'] : {};
      return new NangoActionError(
        `The action of integration "${key}" for connection "${id}" failed (${said}).`,
        { ...details, payload: error['payload'], upstream: error['upstream'] },
      );
    }
    case 'authentication':
      return new NangoAuthenticationError(
        `Nango rejected the secret key (${said}). Check secretKey/apiKey: it must be the secret key of the Nango environment at ${context.host}.`,
        details,
      );
    case 'rate_limited':
      return new NangoRateLimitError(
        `Nango's rate limit was reached (${said})${ids(context, ' for')}; retry later.`,
        { ...details, retryAfter: retryAfterSeconds(response.headers) },
      );
    case 'reconnect_required':
      return new NangoReconnectRequiredError(
        `Connection "${id}" of integration "${key}" must be reconnected by its end user: Nango could not refresh its credentials (${said}).`,
        details,
      );
    case 'integration_not_found':
      return new NangoIntegrationNotFoundError(
        `Nango has no integration "${key}" (${said}).`,
        details,
      );
    case 'connection_not_found':
      return new NangoConnectionNotFoundError(
        `Nango has no connection "${id}" for integration "${key}" (${said}).`,
        details,
      );
    case 'invalid_request': {
      const what = nango?.argument === undefined ? 'the request' : `"${nango.argument}"`;
      return new NangoInvalidRequestError(
        `Nango refused ${what} as invalid (${said})${ids(context, ' for')}.`,
        { ...details, argument: nango?.argument },
      );
    }
    case 'unavailable':
      return new NangoUnavailableError(`Nango answered with a server error (${said}).`, details);
    default: {
      const lead =
        context.proxy === undefined
          ? 'Nango refused the request'
          : `Nango refused the proxy call ${context.proxy.method} ${context.proxy.endpoint.split('?')[0]} itself, no third-party API was called`;
      return new NangoRequestError(`${lead} (${said})${ids(context, ' for')}.`, details);
    }
  }
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
  const error = data['error'];
  const { code, message, errors } = error;
  if (typeof code !== 'string') return undefined;
  const exact =
    Object.keys(data).length === 1 && Object.keys(error).every((k) => ENVELOPE_KEYS.has(k));
  const body: NangoErrorBody = { code, exact };
  const first: unknown = Array.isArray(errors) ? errors[0] : undefined;
  if (typeof message === 'string') {
    body.message = message;
  } else if (isRecord(first) && typeof first['message'] === 'string') {
    body.message = first['message']; // zod issues: the first one says what is wrong.
  }
  if (isRecord(first) && Array.isArray(first['path']) && first['path'].length > 0) {
    body.argument = first['path'].map(String).join('.');
  }
  return body;
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
