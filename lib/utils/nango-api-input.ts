import { NangoInvalidArgumentError } from '../errors/nango-misuse.errors.js';
import { checkId } from './nango-input.js';
import { isRecord } from './is-record.js';

/** Checks a plain object (not null, not an array) and returns it. */
export function checkObject(
  operation: string,
  argument: string,
  value: unknown,
  example: string,
): Record<string, unknown> {
  if (!isRecord(value)) {
    throw new NangoInvalidArgumentError(
      operation,
      argument,
      `must be an object such as ${example}.`,
    );
  }
  return value as Record<string, unknown>;
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
    throw new NangoInvalidArgumentError(
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
    throw new NangoInvalidArgumentError(operation, argument, 'must have at most 10 tags.');
  }
  for (const [name, tag] of entries) {
    checkId(operation, `${argument} name`, name);
    if (typeof tag !== 'string' || tag.length > 255) {
      throw new NangoInvalidArgumentError(
        operation,
        `${argument}.${name}`,
        'must be a string of at most 255 characters.',
      );
    }
  }
  return tags as Record<string, string>;
}

/** Checks an optional whole number in [min, max]. */
export function checkInt(
  operation: string,
  argument: string,
  value: unknown,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new NangoInvalidArgumentError(
      operation,
      argument,
      `must be a whole number from ${min} to ${max}.`,
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
    throw new NangoInvalidArgumentError(
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
    throw new NangoInvalidArgumentError(
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
