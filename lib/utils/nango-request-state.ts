import type { ExecutionContext } from '@nestjs/common';
import type { NangoToken } from '../interfaces/nango-credentials.interface.js';
import type { NangoConnection } from '../interfaces/nango-connection.interface.js';
import { NangoConnectionNotDeclaredError } from '../errors/nango-misuse.errors.js';
import { graphqlCarrier } from '../graphql/nango-graphql.context.js';
import { handlerName } from './handler-name.js';

/**
 * Module-private map from a request object to its credentials: never a shared field, so one
 * request can never see another's, and nothing on the request itself, so logging or inspecting
 * the request never prints them (and the request keeps its shape: no property is added per
 * request). An entry goes with its request when the request is garbage collected.
 */
const NANGO_REQUEST_STATE = new WeakMap<object, NangoRequestState>();

/** What the interceptor stores on a request. */
export interface NangoRequestState {
  /** The integration key the credentials belong to. */
  readonly providerConfigKey: string;
  /** The connection id the credentials belong to. */
  readonly connectionId: string;
  /** What `getToken` returns for the connection. */
  readonly token: NangoToken;
  /** The whole connection, when a handler asked for it with `@InjectNangoConnection()`. */
  readonly connection?: NangoConnection;
}

/** Stores a request's credentials, in the module-private map (never on the request itself). */
export function setNangoRequestState(request: object, state: NangoRequestState): void {
  NANGO_REQUEST_STATE.set(request, state);
}

/** The credentials stored on a request, or `undefined` when the interceptor did not run. */
export function getNangoRequestState(request: unknown): NangoRequestState | undefined {
  if (typeof request !== 'object' || request === null) return undefined;
  return NANGO_REQUEST_STATE.get(request);
}

/**
 * The credentials of the request (on a GraphQL resolver: of the resolver call) that a
 * parameter decorator hands over; a {@link NangoConnectionNotDeclaredError} naming the handler
 * and `decorator` when the interceptor did not run for it.
 */
export function requireNangoRequestState(
  context: ExecutionContext,
  decorator: string,
): NangoRequestState {
  const carrier =
    context.getType<string>() === 'graphql'
      ? graphqlCarrier(context)
      : context.switchToHttp().getRequest();
  const state = getNangoRequestState(carrier);
  if (state === undefined) {
    throw NangoConnectionNotDeclaredError.create(handlerName(context), decorator);
  }
  return state;
}
