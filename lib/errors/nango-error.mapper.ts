import { isAxiosError, type AxiosResponse } from 'axios';
import { Readable } from 'node:stream';
import { NangoError } from './nango.error.js';
import {
  NangoAbortedError,
  NangoActionError,
  NangoAsyncActionPendingError,
  NangoAuthenticationError,
  NangoConnectionNotFoundError,
  NangoFunctionNotFoundError,
  NangoIntegrationNotFoundError,
  NangoInvalidRequestError,
  NangoProviderNotFoundError,
  NangoRateLimitError,
  NangoReconnectRequiredError,
  NangoRequestError,
  NangoTimeoutError,
  NangoUnavailableError,
  NangoUpstreamError,
  type NangoRequestErrorDetails,
} from './nango-request.errors.js';
import {
  findNangoErrorRule,
  kindByStatus,
  type NangoAnswerKind,
  type NangoErrorKind,
  type NangoRoute,
} from './nango-error-table.js';
import { isRecord } from '../utils/is-record.js';
import { scrub } from '../utils/scrub.js';
import { flatHeaders } from '../utils/flat-headers.js';
import { retryAfterSeconds } from '../utils/retry-after.js';
import type {
  NangoCallContext,
  NangoResourceRef,
} from '../interfaces/nango-call-context.interface.js';

/** Nango's error body: `{ error: { code, message?, errors?, payload? } }`, read. */
interface NangoErrorBody {
  code: string;
  message?: string;
  /** The field named by the first of `errors` (zod issues), joined with `.`. */
  argument?: string;
  /** True when the body is exactly Nango's envelope, nothing else beside it. */
  exact: boolean;
}

/** An error answer, read: what the error of its kind is built from. */
interface ErrorAnswer {
  readonly context: NangoCallContext;
  /** The call's details plus the answer's status, Nango's code and (scrubbed) message. */
  readonly details: NangoRequestErrorDetails;
  /** The body, parsed when it is JSON. */
  readonly data: unknown;
  readonly headers: unknown;
  readonly nango: NangoErrorBody | undefined;
}

/** The error of each kind of {@link NANGO_ERROR_TABLE}: how an error answer is thrown. */
const ERROR_OF_KIND: {
  readonly [K in NangoAnswerKind]: (answer: ErrorAnswer) => NangoRequestError;
} = {
  authentication: ({ details, context }) => NangoAuthenticationError.create(details, context.host),
  connection_not_found: ({ details }) => NangoConnectionNotFoundError.create(details),
  integration_not_found: ({ details }) => NangoIntegrationNotFoundError.create(details),
  reconnect_required: ({ details }) => NangoReconnectRequiredError.create(details),
  rate_limited: ({ details, headers }) =>
    NangoRateLimitError.create({ ...details, retryAfter: retryAfterSeconds(headers) }),
  invalid_request: ({ details, nango }) =>
    NangoInvalidRequestError.create({ ...details, argument: nango?.argument }),
  refused: ({ details, context }) => NangoRequestError.refused(details, context.proxy),
  unavailable: ({ details }) => NangoUnavailableError.create(details),
  action_failed: ({ details, data }) => {
    const error = isRecord(data) && isRecord(data['error']) ? data['error'] : {};
    return NangoActionError.create({
      ...details,
      payload: error['payload'],
      upstream: error['upstream'],
    });
  },
};

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
    return NangoRequestError.failed(base(context), text, context.secrets);
  }
  if (error.response) {
    return fromResponse(error.response, context);
  }
  const code = error.code ?? 'ERR_NETWORK';
  if (code === 'ERR_CANCELED') {
    return NangoAbortedError.create({ ...base(context), code });
  }
  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT') {
    return NangoTimeoutError.create({ ...base(context), timeoutMs: context.timeoutMs });
  }
  const cause = new Error(scrub(`${code}: ${error.message}`, context.secrets));
  return NangoUnavailableError.unreachable({ ...base(context), code, cause }, context.host);
}

/** The route a call went to, as {@link NANGO_ERROR_TABLE} tells them apart. */
export function routeOf(context: Pick<NangoCallContext, 'operation' | 'proxy'>): NangoRoute {
  if (context.proxy !== undefined) return 'proxy';
  if (context.operation === 'triggerAction') return 'action';
  if (context.operation === 'getIntegration') return 'integration';
  return CONNECTION_OPERATIONS.has(context.operation) ? 'connection' : 'api';
}

/** The error of an answer: its kind from the table (else its status), built by its class. */
async function fromResponse(
  response: AxiosResponse<unknown>,
  context: NangoCallContext,
): Promise<NangoError> {
  const status = response.status;
  const data = await readBody(response.data);
  const nango = nangoErrorBody(data);
  const route = routeOf(context);
  const rule =
    nango === undefined ? undefined : findNangoErrorRule(nango.code, route, nango.message);
  const nangoMessage =
    nango?.message === undefined ? undefined : scrub(nango.message, context.secrets);
  const code = nango?.code;
  const details: NangoRequestErrorDetails = { ...base(context), status, code, nangoMessage };
  const answer: ErrorAnswer = { context, details, data, headers: response.headers, nango };
  // On /proxy, only Nango's envelope with a code Nango answers there is Nango's own refusal.
  if (context.proxy !== undefined && !(rule !== undefined && nango?.exact === true)) {
    // The third party's answer: Nango's code and message are not in it.
    const upstream = { status, data, headers: flatHeaders(response.headers) };
    return NangoUpstreamError.create(
      { ...base(context), ...upstream },
      context.proxy,
      context.secrets,
    );
  }
  // A 404 of a provider, integration or function route names what was not found.
  if (status === 404 && context.resource !== undefined) {
    return resourceNotFound(context.resource, details);
  }
  // triggerAction: a 424 or 500 with a code of the action's own (no row of the table).
  const actionFailed =
    route === 'action' && (status === 424 || status === 500) && code !== undefined;
  const kind = rule?.kind ?? (actionFailed ? 'action_failed' : kindByStatus(status, context));
  return ERROR_OF_KIND[kind](answer);
}

/** The not-found error of a resource: provider, integration, function or async action result. */
function resourceNotFound(
  resource: NangoResourceRef,
  details: NangoRequestErrorDetails,
): NangoRequestError {
  switch (resource.kind) {
    case 'provider':
      return NangoProviderNotFoundError.create({ ...details, provider: resource.provider });
    case 'integration':
      return NangoIntegrationNotFoundError.create({
        ...details,
        providerConfigKey: resource.integration,
      });
    case 'function':
      return NangoFunctionNotFoundError.create({
        ...details,
        providerConfigKey: resource.integration,
        functionName: resource.name,
      });
    case 'asyncAction':
      return NangoAsyncActionPendingError.create({ ...details, actionId: resource.id });
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

/**
 * The kind of a request error, from its class: the way back from {@link toNangoError}, for its
 * HTTP answer. A refusal naming something else than an id is the server's own fault (`refused`).
 */
export function kindOfError(error: NangoRequestError): NangoErrorKind {
  if (error instanceof NangoConnectionNotFoundError) return 'connection_not_found';
  if (error instanceof NangoIntegrationNotFoundError) return 'integration_not_found';
  if (error instanceof NangoReconnectRequiredError) return 'reconnect_required';
  if (error instanceof NangoAuthenticationError) return 'authentication';
  if (error instanceof NangoRateLimitError) return 'rate_limited';
  if (error instanceof NangoTimeoutError) return 'timeout';
  if (error instanceof NangoAbortedError) return 'aborted';
  if (error instanceof NangoUnavailableError) return 'unavailable';
  if (error instanceof NangoUpstreamError) return 'upstream';
  if (error instanceof NangoActionError) return 'action_failed';
  if (error instanceof NangoInvalidRequestError && isIdArgument(error.argument)) {
    return 'invalid_request';
  }
  return 'refused';
}

/** The names Nango gives a connection id or an integration key, in headers, paths and queries. */
const ID_ARGUMENTS: ReadonlySet<string> = new Set([
  'connection-id',
  'connectionId',
  'connection_id',
  'provider-config-key',
  'providerConfigKey',
  'provider_config_key',
]);

function isIdArgument(argument: string | undefined): boolean {
  return argument !== undefined && ID_ARGUMENTS.has(argument);
}

/**
 * The error for a 2xx answer that is not what Nango sends (e.g. a connection without
 * credentials): the host is probably not a Nango API.
 */
export function unexpectedAnswer(
  context: Pick<NangoCallContext, 'operation' | 'providerConfigKey' | 'connectionId'>,
  what: string,
): NangoRequestError {
  return NangoRequestError.unexpectedAnswer(context, what);
}
