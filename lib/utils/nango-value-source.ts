import type { ExecutionContext } from '@nestjs/common';
import type {
  NangoDefaultConnection,
  NangoValueSource,
  UseNangoConnectionOptions,
} from '../interfaces/nango-connection-resolver.interface.js';
import { isRecord } from './is-record.js';

const SOURCE_FORMS =
  "a string, { param: 'name' }, { header: 'name' }, { query: 'name' } or a function (ctx) => string";

/** What a source resolved to: a value, or a reason it is missing or malformed. */
export type ResolvedValue =
  | { kind: 'value'; value: string }
  | { kind: 'missing'; where: string }
  | { kind: 'invalid'; where: string; problem: string };

/** Explains what is wrong with a value source, or returns `undefined` when it is well formed. */
export function describeSourceProblem(source: unknown): string | undefined {
  if (typeof source === 'function') return undefined;
  if (typeof source === 'string') {
    return source.length > 0 ? undefined : `must not be an empty string; give ${SOURCE_FORMS}`;
  }
  if (!isRecord(source)) {
    return `must be ${SOURCE_FORMS}`;
  }
  const keys = Object.keys(source);
  const kind = keys[0];
  if (keys.length !== 1 || (kind !== 'param' && kind !== 'header' && kind !== 'query')) {
    return `has keys [${keys.join(', ')}]; it must be ${SOURCE_FORMS}`;
  }
  const name = (source as Record<string, unknown>)[kind];
  if (typeof name !== 'string' || name.length === 0) {
    return `{ ${kind} } must name the ${kind} with a non-empty string`;
  }
  return undefined;
}

/** Problems of `@UseNangoConnection()` options, one line per field; empty when valid. */
export function describeOptionsProblems(options: unknown): string[] {
  if (!isRecord(options)) {
    return ['options must be an object such as { providerConfigKey, connectionId }'];
  }
  const problems: string[] = [];
  const allowed = new Set([
    'providerConfigKey',
    'connectionId',
    'forceRefresh',
    'missingStatus',
    'reconnectStatus',
    'instance',
  ]);
  for (const key of Object.keys(options)) {
    if (!allowed.has(key)) problems.push(`${key} is not an option of @UseNangoConnection()`);
  }
  const o = options as UseNangoConnectionOptions;
  for (const field of ['providerConfigKey', 'connectionId'] as const) {
    if (o[field] === undefined) continue;
    const problem = describeSourceProblem(o[field]);
    if (problem !== undefined) problems.push(`${field} ${problem}`);
  }
  if (o.forceRefresh !== undefined && typeof o.forceRefresh !== 'boolean') {
    problems.push('forceRefresh must be a boolean');
  }
  if (o.missingStatus !== undefined && o.missingStatus !== 400 && o.missingStatus !== 401) {
    problems.push('missingStatus must be 400 or 401');
  }
  if (o.reconnectStatus !== undefined && o.reconnectStatus !== 424 && o.reconnectStatus !== 401) {
    problems.push('reconnectStatus must be 424 or 401');
  }
  if (o.instance !== undefined && (typeof o.instance !== 'string' || o.instance.length === 0)) {
    problems.push('instance must be the non-empty name of a Nango instance');
  }
  return problems;
}

/** Problems of the module option `defaultConnection`; empty when valid. */
export function describeDefaultConnectionProblems(value: unknown): string[] {
  if (!isRecord(value)) {
    return [
      'must be an object such as { connectionId: (ctx) => ctx.switchToHttp().getRequest().user.id }',
    ];
  }
  const problems: string[] = [];
  for (const key of Object.keys(value)) {
    if (key !== 'providerConfigKey' && key !== 'connectionId') {
      problems.push(`has an unknown key "${key}"; it takes providerConfigKey and connectionId`);
    }
  }
  const d = value as NangoDefaultConnection;
  for (const field of ['providerConfigKey', 'connectionId'] as const) {
    if (d[field] === undefined) continue;
    const problem = describeSourceProblem(d[field]);
    if (problem !== undefined) problems.push(`.${field} ${problem}`);
  }
  return problems;
}

/** Describes where a source reads from, for error messages (never a value). */
export function describeSource(source: NangoValueSource): string {
  if (typeof source === 'string') return 'a constant';
  if (typeof source === 'function') return 'a resolver function';
  if ('param' in source) return `route parameter "${source.param}"`;
  if ('header' in source) return `header "${source.header}"`;
  return `query parameter "${source.query}"`;
}

/**
 * Resolves a (validated) source against the current HTTP request. A function's own exceptions
 * propagate; the caller decides what they mean.
 */
export async function resolveSource(
  source: NangoValueSource,
  context: ExecutionContext,
): Promise<ResolvedValue> {
  const where = describeSource(source);
  if (typeof source === 'string') return { kind: 'value', value: source };
  let raw: unknown;
  if (typeof source === 'function') {
    raw = await source(context);
    if (typeof raw === 'number' && Number.isFinite(raw)) raw = String(raw);
    if (raw === undefined || raw === null || raw === '') return { kind: 'missing', where };
    if (typeof raw !== 'string') {
      return { kind: 'invalid', where, problem: `returned ${typeof raw}, not a string` };
    }
    return { kind: 'value', value: raw };
  }
  const request = context.switchToHttp().getRequest<Record<string, unknown>>();
  if ('param' in source) raw = recordOf(request.params)[source.param];
  else if ('header' in source) raw = recordOf(request.headers)[source.header.toLowerCase()];
  else raw = recordOf(request.query)[source.query];
  if (raw === undefined || raw === null || raw === '') return { kind: 'missing', where };
  if (typeof raw !== 'string') {
    return { kind: 'invalid', where, problem: 'must be given once, as a plain string' };
  }
  return { kind: 'value', value: raw };
}

function recordOf(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}
