import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { NangoConnectionNotDeclaredError } from '../errors/nango-misuse.errors.js';
import { getNangoRequestState, type NangoRequestState } from '../utils/nango-request-state.js';
import { nangoParamsOf, recordNangoParam } from '../startup/nango-param-usage.js';
import { graphqlCarrier } from '../graphql/nango-graphql.context.js';

/** Which parameter decorators a handler uses: what the interceptor must fetch. */
export interface NangoHandlerNeeds {
  /** `@InjectNangoConnection()` is used: fetch the whole connection. */
  connection: boolean;
}

/**
 * Whether a handler of a controller class (or of a class it extends) reads the whole
 * connection with `@InjectNangoConnection()`.
 */
export function nangoHandlerNeeds(controller: object, handler: string | symbol): NangoHandlerNeeds {
  return { connection: nangoParamsOf(controller, handler).has('InjectNangoConnection') };
}

function stateOf(context: ExecutionContext, decorator: string): NangoRequestState {
  // On a GraphQL resolver, the credentials are kept per resolver call, not per HTTP request.
  const carrier =
    context.getType<string>() === 'graphql'
      ? graphqlCarrier(context)
      : context.switchToHttp().getRequest();
  const state = getNangoRequestState(carrier);
  if (state === undefined) {
    const handler = `${context.getClass().name}.${context.getHandler().name}`;
    throw NangoConnectionNotDeclaredError.create(handler, decorator);
  }
  return state;
}

/**
 * Injects what `NangoService.getToken` returns for the route's connection: the access token
 * string for OAUTH2, `{ oAuthToken, oAuthTokenSecret }` for OAUTH1, the credentials object
 * otherwise. Needs `@UseNangoConnection()` on the handler or its controller.
 */
export const InjectNangoToken: () => ParameterDecorator = createParamDecorator(
  (_data: unknown, context: ExecutionContext) => stateOf(context, 'InjectNangoToken').token,
  [recordNangoParam('InjectNangoToken')],
) as () => ParameterDecorator;

/**
 * Injects the route's whole Nango connection, credentials included (`NangoConnection`). Needs
 * `@UseNangoConnection()` on the handler or its controller.
 */
export const InjectNangoConnection: () => ParameterDecorator = createParamDecorator(
  (_data: unknown, context: ExecutionContext) => {
    const { connection } = stateOf(context, 'InjectNangoConnection');
    if (connection === undefined) {
      // The interceptor fetched only the token: the handler was not seen as a connection reader.
      const handler = `${context.getClass().name}.${context.getHandler().name}`;
      throw NangoConnectionNotDeclaredError.create(handler, 'InjectNangoConnection');
    }
    return connection;
  },
  [recordNangoParam('InjectNangoConnection')],
) as () => ParameterDecorator;
