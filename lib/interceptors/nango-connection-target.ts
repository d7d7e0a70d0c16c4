import { HttpException, type ExecutionContext } from '@nestjs/common';
import { NangoConnectionResolutionError } from '../errors/nango-misuse.errors.js';
import { NangoHttpException } from '../errors/nango-http.exception.js';
import { resolveSource, type NangoSourceInput } from '../utils/nango-value-source.js';
import { handlerName } from '../utils/handler-name.js';
import type {
  NangoDefaultConnection,
  NangoValueSource,
  UseNangoConnectionOptions,
} from '../interfaces/nango-connection-resolver.interface.js';

/** The connection a request works on, once its sources are resolved. */
export interface NangoConnectionTarget {
  /** The integration key. */
  providerConfigKey: string;
  /** The connection id. */
  connectionId: string;
}

/** The two values that name a connection, each from its own source. */
type TargetField = keyof NangoConnectionTarget;

/**
 * Works out the integration key and connection id of a request from the route's
 * `@UseNangoConnection()` options, falling back to the instance's `defaultConnection`.
 * A value the request lacks or gets wrong is a 400 (or the route's `missingStatus`) as a
 * {@link NangoHttpException}; a server-side fault (no source at all, a resolver that throws
 * or returns a non-string) is a {@link NangoConnectionResolutionError} naming the handler.
 */
export async function resolveConnectionTarget(
  context: ExecutionContext,
  route: UseNangoConnectionOptions,
  defaults: NangoDefaultConnection | undefined,
  input: NangoSourceInput | undefined,
): Promise<NangoConnectionTarget> {
  const resolve = (field: TargetField): Promise<string> =>
    resolveField(context, route, field, route[field] ?? defaults?.[field], input);
  // One after the other: a failing integration key leaves the connection id's resolver unrun.
  const providerConfigKey = await resolve('providerConfigKey');
  return { providerConfigKey, connectionId: await resolve('connectionId') };
}

async function resolveField(
  context: ExecutionContext,
  route: UseNangoConnectionOptions,
  field: TargetField,
  source: NangoValueSource | undefined,
  input: NangoSourceInput | undefined,
): Promise<string> {
  if (source === undefined) {
    throw NangoConnectionResolutionError.create(
      handlerName(context),
      `no ${field} to use: set @UseNangoConnection({ ${field} }) or the module option ` +
        `defaultConnection.${field}.`,
    );
  }
  let resolved;
  try {
    resolved = await resolveSource(source, context, input);
  } catch (error) {
    if (error instanceof HttpException) throw error;
    throw NangoConnectionResolutionError.create(
      handlerName(context),
      `the ${field} resolver threw "${error instanceof Error ? error.message : String(error)}"; ` +
        'fix it, or throw an HttpException to answer with it.',
      error,
    );
  }
  if (resolved.kind === 'value') return resolved.value;
  if (resolved.kind === 'unsupported') {
    throw NangoConnectionResolutionError.create(
      handlerName(context),
      `the ${field} source ${resolved.problem}.`,
    );
  }
  if (resolved.kind === 'invalid' && typeof source === 'function') {
    throw NangoConnectionResolutionError.create(
      handlerName(context),
      `the ${field} resolver ${resolved.problem}: return a string (or a number).`,
    );
  }
  if (resolved.kind === 'missing') {
    throw NangoHttpException.create(
      route.missingStatus ?? 400,
      `missing_${snake(field)}`,
      `Missing ${field} (from ${resolved.where}).`,
    );
  }
  throw NangoHttpException.create(
    400,
    `invalid_${snake(field)}`,
    `Invalid ${field} (from ${resolved.where}): ${resolved.problem}.`,
  );
}

function snake(field: string): string {
  return field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
