import { NANGO_MAX_ID_LENGTH, NANGO_MAX_TIMEOUT_MS } from '../nango.constants.js';
import { NangoInvalidArgumentError } from '../errors/nango-misuse.errors.js';
import type { NangoCallOptions } from '../interfaces/nango-module-options.interface.js';
import { isRecord } from '../utils/is-record.js';
import { isWholeNumber } from '../utils/whole-number.js';

/**
 * The argument checks of every `NangoService` method, each written once: they return the
 * checked value or throw `NangoInvalidArgumentError` naming the method and the argument, before
 * anything is sent. The proxy's own checks (endpoint, headers, query) live with its builder.
 */

/** C0 control characters and DEL: never valid in an id, a path or a header. */
// eslint-disable-next-line no-control-regex
export const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/** Visible ASCII and space: what a header value (or a cursor in a query) may carry. */
export const HEADER_SAFE = /^[\x20-\x7e]*$/;

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
    throw NangoInvalidArgumentError.create(
      operation,
      argument,
      `must be a string, got ${typeof value}.`,
    );
  }
  if (value.length === 0) {
    throw NangoInvalidArgumentError.create(operation, argument, 'must not be empty.');
  }
  if (value.length > NANGO_MAX_ID_LENGTH) {
    throw NangoInvalidArgumentError.create(
      operation,
      argument,
      `must be at most ${NANGO_MAX_ID_LENGTH} characters (got ${value.length}).`,
    );
  }
  if (value === '.' || value === '..') {
    throw NangoInvalidArgumentError.create(operation, argument, `must not be "${value}".`);
  }
  if (CONTROL_CHARS.test(value)) {
    throw NangoInvalidArgumentError.create(
      operation,
      argument,
      'must not contain control characters (CR, LF, ...).',
    );
  }
  return value;
}

/**
 * Checks an id that travels in a header (`Connection-Id`, `Provider-Config-Key`) and returns
 * it: the checks of {@link checkId}, and ASCII only.
 */
export function headerId(operation: string, argument: string, value: unknown): string {
  const id = checkId(operation, argument, value);
  if (!HEADER_SAFE.test(id)) {
    throw NangoInvalidArgumentError.create(
      operation,
      argument,
      'must be ASCII to travel in a header.',
    );
  }
  return id;
}

/** The `Connection-Id` and `Provider-Config-Key` headers of a call about one connection, checked. */
export function connectionHeaders(
  operation: string,
  providerConfigKey: unknown,
  connectionId: unknown,
): Record<string, string> {
  return {
    'Connection-Id': headerId(operation, 'connectionId', connectionId),
    'Provider-Config-Key': headerId(operation, 'providerConfigKey', providerConfigKey),
  };
}

/** Checks an optional boolean flag. */
export function checkFlag(operation: string, argument: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') {
    throw NangoInvalidArgumentError.create(
      operation,
      argument,
      `must be a boolean, got ${typeof value}.`,
    );
  }
  return value;
}

/** Checks a plain object (not null, not an array) and returns it. */
export function checkObject(
  operation: string,
  argument: string,
  value: unknown,
  example: string,
): Record<string, unknown> {
  if (!isRecord(value)) {
    throw NangoInvalidArgumentError.create(
      operation,
      argument,
      `must be an object such as ${example}.`,
    );
  }
  return value as Record<string, unknown>;
}

/**
 * Refuses the fields of `value` not in `allowed`, saying "only a, b, c." (or `only`, when given).
 */
export function checkKnownFields(
  operation: string,
  argument: string,
  value: Record<string, unknown>,
  allowed: readonly string[],
  only = `only ${allowed.join(', ')}.`,
): void {
  const unknown = Object.keys(value).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) {
    throw NangoInvalidArgumentError.create(
      operation,
      argument,
      `has unknown field(s) ${unknown.join(', ')}: ${only}`,
    );
  }
}

/** Checks one connection id or a non-empty list of them (at most `max`). */
export function checkIdOrIds(
  operation: string,
  argument: string,
  value: unknown,
  max = 1000,
): string | string[] {
  if (!Array.isArray(value)) return checkId(operation, argument, value);
  if (value.length === 0 || value.length > max) {
    throw NangoInvalidArgumentError.create(
      operation,
      argument,
      `must be an id or a list of 1 to ${max} ids.`,
    );
  }
  return value.map((id, i) => checkId(operation, `${argument}[${i}]`, id));
}

/** Checks tags: at most 10 string values of at most 255 characters. */
export function checkTags(
  operation: string,
  argument: string,
  value: unknown,
): Record<string, string> {
  const tags = checkObject(operation, argument, value, "{ team: 'a' }");
  const entries = Object.entries(tags);
  if (entries.length > 10) {
    throw NangoInvalidArgumentError.create(operation, argument, 'must have at most 10 tags.');
  }
  for (const [name, tag] of entries) {
    checkId(operation, `${argument} name`, name);
    if (typeof tag !== 'string' || tag.length > 255) {
      throw NangoInvalidArgumentError.create(
        operation,
        `${argument}.${name}`,
        'must be a string of at most 255 characters.',
      );
    }
  }
  return tags as Record<string, string>;
}

/** Checks `end_user`: an object with an `id`. */
export function checkEndUser(operation: string, argument: string, value: unknown): void {
  const endUser = checkObject(operation, argument, value, "{ id: 'user-1' }");
  checkId(operation, `${argument}.id`, endUser['id']);
}

/** Checks an optional whole number in [min, max]; `what` names the unit, if any. */
export function checkInt(
  operation: string,
  argument: string,
  value: unknown,
  min: number,
  max: number,
  what?: string,
): number | undefined {
  if (value === undefined) return undefined;
  if (!isWholeNumber(value, min, max)) {
    throw NangoInvalidArgumentError.create(
      operation,
      argument,
      `must be a whole number ${what === undefined ? '' : `of ${what} `}from ${min} to ${max}.`,
    );
  }
  return value;
}

/** Checks an optional value among `allowed`. */
export function checkOneOf<T extends string>(
  operation: string,
  argument: string,
  value: unknown,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw NangoInvalidArgumentError.create(
      operation,
      argument,
      `must be one of ${allowed.join(', ')}.`,
    );
  }
  return value as T;
}

/** Checks an optional ISO-8601 date-time string. */
export function checkIsoDate(
  operation: string,
  argument: string,
  value: unknown,
): string | undefined {
  if (value === undefined) return undefined;
  if (
    typeof value !== 'string' ||
    !/^\d{4}-\d{2}-\d{2}T/.test(value) ||
    Number.isNaN(Date.parse(value))
  ) {
    throw NangoInvalidArgumentError.create(
      operation,
      argument,
      'must be an ISO-8601 date-time such as "2024-05-31T11:46:13.390Z".',
    );
  }
  return value;
}

/** Checks an optional non-empty string (at most 255 characters, no control characters). */
export function checkText(operation: string, argument: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  return checkId(operation, argument, value);
}

/** No per-call options: what {@link checkCallOptions} returns for `undefined`. */
const NO_CALL_OPTIONS: NangoCallOptions = Object.freeze({});

/** Checks the per-call options (`timeout`, `signal`, `retry`) and returns them as given. */
export function checkCallOptions(
  operation: string,
  options: NangoCallOptions | undefined,
): NangoCallOptions {
  if (options === undefined) return NO_CALL_OPTIONS;
  if (typeof options !== 'object' || options === null) {
    throw NangoInvalidArgumentError.create(
      operation,
      'options',
      'must be an object such as { timeout, signal }.',
    );
  }
  const { timeout, signal, retry } = options;
  checkInt(operation, 'timeout', timeout, 1, NANGO_MAX_TIMEOUT_MS, 'milliseconds');
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw NangoInvalidArgumentError.create(operation, 'signal', 'must be an AbortSignal.');
  }
  if (retry !== undefined && typeof retry !== 'boolean') {
    throw NangoInvalidArgumentError.create(operation, 'retry', 'must be a boolean.');
  }
  return options;
}
