import type { ExecutionContext } from '@nestjs/common';
import type {
  NangoDefaultConnection,
  NangoValueSource,
  UseNangoConnectionOptions,
} from '../interfaces/nango-connection-resolver.interface.js';
import { isRecord } from './is-record.js';

const SOURCE_FORMS =
  "a string, { param: 'name' }, { header: 'name' }, { query: 'name' }, { arg: 'name' } or a function (ctx) => string";

/**
 * What a source reads from: the HTTP request (`request`) of a controller route, or, on a
 * GraphQL resolver, the HTTP request the driver put in the GraphQL context and the resolver's
 * arguments (`args`).
 */
export interface NangoSourceInput {
  /** `'http'` for a controller route, `'graphql'` for a resolver. */
  kind: 'http' | 'graphql';
  /** The HTTP request, when there is one. */
  request: unknown;
  /** The GraphQL resolver's arguments (`graphql` only). */
  args?: unknown;
}

/** What a source resolved to: a value, or a reason it is missing or malformed. */
export type ResolvedValue =
  | { kind: 'value'; value: string }
  | { kind: 'missing'; where: string }
  | { kind: 'invalid'; where: string; problem: string }
  | { kind: 'unsupported'; where: string; problem: string };

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
  if (
    keys.length !== 1 ||
    (kind !== 'param' && kind !== 'header' && kind !== 'query' && kind !== 'arg')
  ) {
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
  if ('arg' in source) return `GraphQL argument "${source.arg}"`;
  return `query parameter "${source.query}"`;
}

/**
 * Resolves a (validated) source against the current HTTP request or GraphQL resolver call
 * (`input`; default: the HTTP request of `context`). A function's own exceptions propagate;
 * the caller decides what they mean.
 */
export async function resolveSource(
  source: NangoValueSource,
  context: ExecutionContext,
  input: NangoSourceInput = { kind: 'http', request: context.switchToHttp().getRequest() },
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
  const unsupported = unsupportedProblem(source, input.kind);
  if (unsupported !== undefined) return { kind: 'unsupported', where, problem: unsupported };
  const request = recordOf(input.request);
  if ('arg' in source) {
    raw = recordOf(input.args)[source.arg];
    if (typeof raw === 'number' && Number.isFinite(raw)) raw = String(raw);
  } else if ('param' in source) raw = recordOf(request.params)[source.param];
  else if ('header' in source) raw = recordOf(request.headers)[source.header.toLowerCase()];
  else raw = recordOf(request.query)[source.query];
  if (raw === undefined || raw === null || raw === '') return { kind: 'missing', where };
  if (typeof raw !== 'string') {
    return { kind: 'invalid', where, problem: 'must be given once, as a plain string' };
  }
  return { kind: 'value', value: raw };
}

/** Why a source cannot be read in this kind of context, or `undefined` when it can. */
function unsupportedProblem(
  source: Exclude<NangoValueSource, string | ((...args: never[]) => unknown)>,
  kind: NangoSourceInput['kind'],
): string | undefined {
  if (kind === 'http' && 'arg' in source) {
    return '{ arg } reads a GraphQL resolver argument, and this is an HTTP route: use { param }, { header } or { query }';
  }
  if (kind === 'graphql' && ('param' in source || 'query' in source)) {
    return 'a GraphQL resolver has no route or query parameters: use { arg }, { header } or a function';
  }
  return undefined;
}

function recordOf(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}
