import { isRecord } from '../../utils/is-record.js';
import type { RecordedRequest } from './stand-in.interfaces.js';
import { invalidBody, type StandInJsonAnswer } from './stand-in.wire.js';

/** Reading a recorded request: its query, headers, path segments and JSON body. */

/** Decoded query parameters of a raw query string (last value wins, `__proto__` kept as data). */
export function parseQuery(search: string): Record<string, string> {
  const query: Record<string, string> = {};
  if (search === '') return query;
  for (const [key, value] of new URLSearchParams(search)) {
    if (key === '__proto__') {
      Object.defineProperty(query, key, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else {
      query[key] = value;
    }
  }
  return query;
}

/** Every value of a repeated query parameter (`?ids=a&ids=b`). */
export function queryValues(req: RecordedRequest, name: string): string[] {
  return new URLSearchParams(req.url.split('?')[1] ?? '').getAll(name);
}

/** A header's value, repeated values joined as Node joins them. */
export function headerValue(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * A decoded path segment; undefined when missing or malformed, and when empty unless
 * `allowEmpty`.
 */
export function decodeSegment(segment: string | undefined, allowEmpty = false): string | undefined {
  if (segment === undefined || (segment === '' && !allowEmpty)) return undefined;
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** The request's JSON object body (an empty body is `{}`), or undefined. */
export function jsonBody(req: RecordedRequest): Record<string, unknown> | undefined {
  try {
    const body: unknown = JSON.parse(req.body === '' ? '{}' : req.body);
    return isRecord(body) ? body : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The named fields of a body, when all are strings; else Nango's 400 `invalid_body` about the
 * first that is not.
 */
export function stringFields<const N extends readonly string[]>(
  body: Record<string, unknown>,
  names: N,
  message = 'Invalid input',
): { -readonly [K in keyof N]: string } | StandInJsonAnswer {
  const values: string[] = [];
  for (const name of names) {
    const value = body[name];
    if (typeof value !== 'string') return invalidBody(name, message);
    values.push(value);
  }
  return values as { -readonly [K in keyof N]: string };
}
