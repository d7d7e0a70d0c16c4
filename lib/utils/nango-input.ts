import { NANGO_MAX_ID_LENGTH } from '../nango.constants.js';
import { NangoInvalidArgumentError } from '../errors/nango-misuse.errors.js';
import type {
  NangoProxyConfig,
  NangoProxyMethod,
  NangoProxyParamValue,
} from '../interfaces/nango-proxy.interface.js';
import { isRecord } from './is-record.js';

// C0 control characters and DEL: never valid in an id, a path or a header.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
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

/**
 * Checks a connection id or integration key and returns it percent-encoded for a URL path.
 * Refuses what Nango could never match: empty, `.` or `..`, over 255 characters, control
 * characters. Anything else (`/`, `?`, `#`, spaces) is encoded and reaches Nango as is.
 */
export function pathSegment(operation: string, argument: string, value: unknown): string {
  return encodeURIComponent(checkId(operation, argument, value));
}

/** Checks a connection id or integration key (see {@link pathSegment}) and returns it. */
export function checkId(operation: string, argument: string, value: unknown): string {
  if (typeof value !== 'string') {
    throw new NangoInvalidArgumentError(
      operation,
      argument,
      `must be a string, got ${typeof value}.`,
    );
  }
  if (value.length === 0) {
    throw new NangoInvalidArgumentError(operation, argument, 'must not be empty.');
  }
  if (value.length > NANGO_MAX_ID_LENGTH) {
    throw new NangoInvalidArgumentError(
      operation,
      argument,
      `must be at most ${NANGO_MAX_ID_LENGTH} characters (got ${value.length}).`,
    );
  }
  if (value === '.' || value === '..') {
    throw new NangoInvalidArgumentError(operation, argument, `must not be "${value}".`);
  }
  if (CONTROL_CHARS.test(value)) {
    throw new NangoInvalidArgumentError(
      operation,
      argument,
      'must not contain control characters (CR, LF, ...).',
    );
  }
  return value;
}

/** Visible ASCII and space: what a header value (or a cursor in a query) may carry. */
export const HEADER_SAFE = /^[\x20-\x7e]*$/;

/**
 * Checks an id that travels in a header (`Connection-Id`, `Provider-Config-Key`) and returns
 * it: the checks of {@link checkId}, and ASCII only.
 */
export function headerId(operation: string, argument: string, value: unknown): string {
  const id = checkId(operation, argument, value);
  if (!HEADER_SAFE.test(id)) {
    throw new NangoInvalidArgumentError(
      operation,
      argument,
      'must be ASCII to travel in a header.',
    );
  }
  return id;
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
export function proxyConnectionId(operation: string, value: unknown): string {
  const id = headerId(operation, 'connectionId', value);
  if (!NANGO_CONNECTION_ID_RULE.test(id)) {
    throw new NangoInvalidArgumentError(
      operation,
      'connectionId',
      `must match Nango's connection id rule ${String(NANGO_CONNECTION_ID_RULE)}: Nango's proxy refuses any other Connection-Id (400 invalid_headers).`,
    );
  }
  return id;
}

/** Checks an optional boolean flag. */
export function checkFlag(operation: string, argument: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') {
    throw new NangoInvalidArgumentError(
      operation,
      argument,
      `must be a boolean, got ${typeof value}.`,
    );
  }
  return value;
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
export function checkEndpoint(operation: string, endpoint: unknown): string {
  if (typeof endpoint !== 'string' || endpoint.trim().length === 0) {
    throw new NangoInvalidArgumentError(
      operation,
      'endpoint',
      'must be a non-empty path such as "/user/repos".',
    );
  }
  const bad = (problem: string): never => {
    throw new NangoInvalidArgumentError(
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
export function checkMethod(operation: string, method: unknown): NangoProxyMethod {
  if (method === undefined) return 'GET';
  const upper = typeof method === 'string' ? method.toUpperCase() : '';
  if (!PROXY_METHODS.has(upper)) {
    throw new NangoInvalidArgumentError(
      operation,
      'method',
      'must be one of GET, POST, PUT, PATCH, DELETE, PROPFIND, REPORT.',
    );
  }
  return upper as NangoProxyMethod;
}

/** Checks caller headers and returns them prefixed `Nango-Proxy-`, for Nango to un-prefix. */
export function proxyHeaders(
  operation: string,
  headers: NangoProxyConfig['headers'],
): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers === undefined) return out;
  if (!isRecord(headers)) {
    throw new NangoInvalidArgumentError(
      operation,
      'headers',
      'must be an object of header names to values.',
    );
  }
  for (const [name, value] of Object.entries(headers)) {
    if (!HEADER_NAME.test(name)) {
      throw new NangoInvalidArgumentError(
        operation,
        'headers',
        `has an invalid header name ${JSON.stringify(name.slice(0, 64))}.`,
      );
    }
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new NangoInvalidArgumentError(
        operation,
        'headers',
        `value of "${name}" must be a string or a number.`,
      );
    }
    if (CONTROL_CHARS.test(String(value).replace(/\t/g, ''))) {
      throw new NangoInvalidArgumentError(
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
export function queryString(
  operation: string,
  endpoint: string,
  params: NangoProxyConfig['params'],
): string {
  if (params === undefined) return '';
  let text: string;
  if (typeof params === 'string') {
    if (CONTROL_CHARS.test(params) || params.includes('#')) {
      throw new NangoInvalidArgumentError(
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
    throw new NangoInvalidArgumentError(
      operation,
      'params',
      'must be an object of names to values, or a query string.',
    );
  }
  if (text.length > 0 && endpoint.includes('?')) {
    throw new NangoInvalidArgumentError(
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
  throw new NangoInvalidArgumentError(
    operation,
    'params',
    `value of "${name}" must be a string, number, boolean or an array of them.`,
  );
}

/** Checks `retries` (0 to 10). */
export function checkRetries(operation: string, retries: unknown): number {
  if (retries === undefined) return 0;
  if (typeof retries !== 'number' || !Number.isInteger(retries) || retries < 0 || retries > 10) {
    throw new NangoInvalidArgumentError(
      operation,
      'retries',
      'must be a whole number from 0 to 10.',
    );
  }
  return retries;
}

/** Checks `retryOn` (HTTP status codes) and returns the header value, or undefined. */
export function checkRetryOn(operation: string, retryOn: unknown): string | undefined {
  if (retryOn === undefined) return undefined;
  if (
    !Array.isArray(retryOn) ||
    !retryOn.every(
      (code) => typeof code === 'number' && Number.isInteger(code) && code >= 100 && code <= 599,
    )
  ) {
    throw new NangoInvalidArgumentError(
      operation,
      'retryOn',
      'must be an array of HTTP status codes (100 to 599).',
    );
  }
  return retryOn.length ? retryOn.join(',') : undefined;
}

/** Checks `baseUrlOverride`: an absolute http(s) URL. */
export function checkBaseUrl(operation: string, url: unknown): string | undefined {
  if (url === undefined) return undefined;
  if (typeof url !== 'string' || CONTROL_CHARS.test(url) || !/^https?:\/\/[^/\s]+/i.test(url)) {
    throw new NangoInvalidArgumentError(
      operation,
      'baseUrlOverride',
      'must be an absolute http(s) URL such as "https://api.example.com/v2".',
    );
  }
  return url;
}
