import { NangoInvalidArgumentError } from '../errors/nango-misuse.errors.js';
import type { NangoCallOptions } from '../interfaces/nango-module-options.interface.js';
import type {
  NangoProxyConfig,
  NangoProxyMethod,
  NangoProxyParamValue,
} from '../interfaces/nango-proxy.interface.js';
import { isRecord } from '../utils/is-record.js';
import { isWholeNumber } from '../utils/whole-number.js';
import {
  CONTROL_CHARS,
  checkCallOptions,
  checkFlag,
  checkInt,
  headerId,
} from './nango-arguments.js';
import type { NangoApiRequest } from './nango-api-request.js';

/**
 * The request builder of `NangoService.proxy()` (`/proxy/{endpoint}`, the connection in the
 * `Connection-Id` / `Provider-Config-Key` headers) and the checks only the proxy needs: the
 * endpoint, the caller's headers, the query, Nango's retry and redirect headers.
 */

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]*:/;
const PROXY_METHODS: ReadonlySet<string> = new Set([
  'GET',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'PROPFIND',
  'REPORT',
]);

/** The `responseType`s a proxy call takes. */
const PROXY_RESPONSE_TYPES: ReadonlySet<string> = new Set([
  'json',
  'text',
  'arraybuffer',
  'stream',
]);

/** A proxy call resolves with the third party's 2xx and 3xx answers. */
function isProxyAnswer(status: number): boolean {
  return status >= 200 && status < 400;
}

/** A proxy call ready to send: the request, and the call options taken from the config. */
export interface NangoProxyRequest extends NangoApiRequest {
  /** The checked call options (`timeout`, `signal`) of the config. */
  readonly options: NangoCallOptions;
  /** The checked ids, for dropping cached credentials the third party refused. */
  readonly providerConfigKey: string;
  readonly connectionId: string;
}

/** `/proxy/{endpoint}?{params}` with the method, body and headers of `config`, all checked. */
export function proxyRequest(config: NangoProxyConfig): NangoProxyRequest {
  const operation = 'proxy';
  if (typeof config !== 'object' || config === null) {
    throw NangoInvalidArgumentError.create(
      operation,
      'config',
      'must be an object with endpoint, providerConfigKey and connectionId.',
    );
  }
  const providerConfigKey = headerId(operation, 'providerConfigKey', config.providerConfigKey);
  const connectionId = proxyConnectionId(operation, config.connectionId);
  const method = checkMethod(operation, config.method);
  const endpoint = checkEndpoint(operation, config.endpoint);
  const query = queryString(operation, endpoint, config.params);
  if (method === 'GET' && config.data !== undefined) {
    throw NangoInvalidArgumentError.create(
      operation,
      'data',
      'cannot be sent with GET; use post/put/patch/delete.',
    );
  }
  const headers: Record<string, string> = {
    ...proxyHeaders(operation, config.headers),
    'Connection-Id': connectionId,
    'Provider-Config-Key': providerConfigKey,
  };
  const retries = checkRetries(operation, config.retries);
  if (retries > 0) headers['Retries'] = String(retries);
  const retryOn = checkRetryOn(operation, config.retryOn);
  if (retryOn !== undefined) headers['Retry-On'] = retryOn;
  const baseUrlOverride = checkBaseUrl(operation, config.baseUrlOverride);
  if (baseUrlOverride !== undefined) headers['Base-Url-Override'] = baseUrlOverride;
  if (checkFlag(operation, 'decompress', config.decompress)) headers['Decompress'] = 'true';
  if (config.forwardHeadersOnRedirect !== undefined) {
    headers['Forward-Headers-On-Redirect'] = String(
      checkFlag(operation, 'forwardHeadersOnRedirect', config.forwardHeadersOnRedirect),
    );
  }
  const responseType = config.responseType ?? 'json';
  if (!PROXY_RESPONSE_TYPES.has(responseType)) {
    throw NangoInvalidArgumentError.create(
      operation,
      'responseType',
      'must be one of json, text, arraybuffer, stream.',
    );
  }
  const options = checkCallOptions(operation, { timeout: config.timeout, signal: config.signal });
  return {
    request: {
      method,
      url: `/proxy${endpoint}${query ? `?${query}` : ''}`,
      headers,
      data: config.data,
      responseType,
      validateStatus: isProxyAnswer,
      // The size bound is for buffered answers; a stream is read by the caller, chunk by chunk.
      ...(responseType === 'stream' ? { maxContentLength: -1 } : {}),
    },
    context: { operation, providerConfigKey, connectionId, proxy: { method, endpoint } },
    options,
    providerConfigKey,
    connectionId,
  };
}

/**
 * Nango's rule for a connection id (`connectionIdSchema` in Nango's server), which its proxy
 * applies to the `Connection-Id` header (`proxy_invalid_connection_id_format.json`).
 */
export const NANGO_CONNECTION_ID_RULE = /^[a-zA-Z0-9,.;:=+~[\]|@${}"'\\/_ -]+$/;

/**
 * Checks the connection id of a proxy call, sent as `Connection-Id`: the checks of
 * {@link headerId}, and Nango's own rule ({@link NANGO_CONNECTION_ID_RULE}), which Nango's
 * proxy would refuse with 400 `invalid_headers`. Refused here, before anything is sent.
 */
function proxyConnectionId(operation: string, value: unknown): string {
  const id = headerId(operation, 'connectionId', value);
  if (!NANGO_CONNECTION_ID_RULE.test(id)) {
    throw NangoInvalidArgumentError.create(
      operation,
      'connectionId',
      `must match Nango's connection id rule ${String(NANGO_CONNECTION_ID_RULE)}: Nango's proxy refuses any other Connection-Id (400 invalid_headers).`,
    );
  }
  return id;
}

/** Fully percent-decodes a path segment (repeatedly, so `%252e` is seen as `.` too). */
function decodeFully(segment: string): string {
  let current = segment;
  for (let i = 0; i < 5; i++) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      return current;
    }
    if (next === current) return next;
    current = next;
  }
  return current;
}

/**
 * Checks a proxy endpoint and returns it with a leading `/`. It must be a path on the
 * third-party API: no scheme, no host (`//`), no `.`/`..` segments (even percent-encoded),
 * no backslash, no fragment, no control characters.
 */
function checkEndpoint(operation: string, endpoint: unknown): string {
  if (typeof endpoint !== 'string' || endpoint.trim().length === 0) {
    throw NangoInvalidArgumentError.create(
      operation,
      'endpoint',
      'must be a non-empty path such as "/user/repos".',
    );
  }
  const bad = (problem: string): never => {
    throw NangoInvalidArgumentError.create(
      operation,
      'endpoint',
      `${problem} Pass a path such as "/user/repos".`,
    );
  };
  if (CONTROL_CHARS.test(endpoint)) bad('must not contain control characters (CR, LF, ...).');
  if (SCHEME.test(endpoint))
    bad('must be a path, not a URL with a scheme; use baseUrlOverride to change the host.');
  if (endpoint.startsWith('//')) bad('must not start with "//" (that names a host).');
  if (endpoint.includes('\\')) bad('must not contain a backslash.');
  if (endpoint.includes('#')) bad('must not contain a fragment ("#").');
  const path = endpoint.split('?')[0] ?? '';
  for (const raw of path.split('/')) {
    const parts = decodeFully(raw).split(/[/\\]/);
    if (parts.some((part) => part === '.' || part === '..')) {
      bad('must not contain "." or ".." segments (percent-encoded or not).');
    }
    if (CONTROL_CHARS.test(decodeFully(raw))) bad('must not contain encoded control characters.');
  }
  return endpoint.startsWith('/') ? endpoint : `/${endpoint}`;
}

/** Checks a proxy method and returns it in upper case; default `GET`. */
function checkMethod(operation: string, method: unknown): NangoProxyMethod {
  if (method === undefined) return 'GET';
  const upper = typeof method === 'string' ? method.toUpperCase() : '';
  if (!PROXY_METHODS.has(upper)) {
    throw NangoInvalidArgumentError.create(
      operation,
      'method',
      'must be one of GET, POST, PUT, PATCH, DELETE, PROPFIND, REPORT.',
    );
  }
  return upper as NangoProxyMethod;
}

/** Checks caller headers and returns them prefixed `Nango-Proxy-`, for Nango to un-prefix. */
function proxyHeaders(
  operation: string,
  headers: NangoProxyConfig['headers'],
): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers === undefined) return out;
  if (!isRecord(headers)) {
    throw NangoInvalidArgumentError.create(
      operation,
      'headers',
      'must be an object of header names to values.',
    );
  }
  for (const [name, value] of Object.entries(headers)) {
    if (!HEADER_NAME.test(name)) {
      throw NangoInvalidArgumentError.create(
        operation,
        'headers',
        `has an invalid header name ${JSON.stringify(name.slice(0, 64))}.`,
      );
    }
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw NangoInvalidArgumentError.create(
        operation,
        'headers',
        `value of "${name}" must be a string or a number.`,
      );
    }
    if (CONTROL_CHARS.test(String(value).replace(/\t/g, ''))) {
      throw NangoInvalidArgumentError.create(
        operation,
        'headers',
        `value of "${name}" must not contain CR, LF or other control characters.`,
      );
    }
    out[`Nango-Proxy-${name}`] = String(value);
  }
  return out;
}

/**
 * Builds the query string of `params`: an object (arrays joined with `,`), or a ready query
 * string (`'a=1&b=2'`, a leading `?` allowed) sent as given, with only what a URL cannot carry
 * (spaces, quotes, non-ASCII) percent-encoded. '' when there are none.
 */
function queryString(
  operation: string,
  endpoint: string,
  params: NangoProxyConfig['params'],
): string {
  if (params === undefined) return '';
  let text: string;
  if (typeof params === 'string') {
    if (CONTROL_CHARS.test(params) || params.includes('#')) {
      throw NangoInvalidArgumentError.create(
        operation,
        'params',
        'must not contain control characters or a fragment ("#").',
      );
    }
    text = (params.startsWith('?') ? params.slice(1) : params).replace(
      /[^\x21-\x7e]+|["'<>]/gu,
      (chars) => encodeURIComponent(chars),
    );
  } else if (isRecord(params)) {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(params)) {
      if (value === undefined) continue;
      search.append(name, paramValue(operation, name, value));
    }
    text = search.toString();
  } else {
    throw NangoInvalidArgumentError.create(
      operation,
      'params',
      'must be an object of names to values, or a query string.',
    );
  }
  if (text.length > 0 && endpoint.includes('?')) {
    throw NangoInvalidArgumentError.create(
      operation,
      'params',
      'cannot be combined with an endpoint that already has a query string ("?"); use one or the other.',
    );
  }
  return text;
}

function paramValue(operation: string, name: string, value: NangoProxyParamValue): string {
  if (Array.isArray(value))
    return value.map((v) => paramValue(operation, name, v as NangoProxyParamValue)).join(',');
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return String(value);
  throw NangoInvalidArgumentError.create(
    operation,
    'params',
    `value of "${name}" must be a string, number, boolean or an array of them.`,
  );
}

/** Checks `retries` (0 to 10). */
function checkRetries(operation: string, retries: unknown): number {
  if (retries === undefined) return 0;
  return checkInt(operation, 'retries', retries, 0, 10) ?? 0;
}

/** Checks `retryOn` (HTTP status codes) and returns the header value, or undefined. */
function checkRetryOn(operation: string, retryOn: unknown): string | undefined {
  if (retryOn === undefined) return undefined;
  if (!Array.isArray(retryOn) || !retryOn.every((code) => isWholeNumber(code, 100, 599))) {
    throw NangoInvalidArgumentError.create(
      operation,
      'retryOn',
      'must be an array of HTTP status codes (100 to 599).',
    );
  }
  return retryOn.length ? retryOn.join(',') : undefined;
}

/** Checks `baseUrlOverride`: an absolute http(s) URL. */
function checkBaseUrl(operation: string, url: unknown): string | undefined {
  if (url === undefined) return undefined;
  if (typeof url !== 'string' || CONTROL_CHARS.test(url) || !/^https?:\/\/[^/\s]+/i.test(url)) {
    throw NangoInvalidArgumentError.create(
      operation,
      'baseUrlOverride',
      'must be an absolute http(s) URL such as "https://api.example.com/v2".',
    );
  }
  return url;
}
