import type { ExecutionContext } from '@nestjs/common';
import { NangoUsageError } from '../errors/nango-misuse.errors.js';

/** The part of `@nestjs/graphql` this package uses. */
interface GraphqlModule {
  GqlExecutionContext: {
    create(context: ExecutionContext): {
      getArgs(): unknown;
      getContext(): unknown;
      getInfo(): unknown;
    };
  };
}

/** A GraphQL resolver call, as `NangoTokenInterceptor` reads it. */
export interface NangoGraphqlCall {
  /** The resolver's arguments. */
  args: unknown;
  /** The HTTP request the driver put in the GraphQL context (`context.req`), if any. */
  request: unknown;
  /** The HTTP response (Express `res`, Fastify `reply`), if the context holds one. */
  response: unknown;
  /**
   * The field's `GraphQLResolveInfo`: one object per resolver call, where the call's
   * credentials are kept (a query's fields share one HTTP request, not their connection).
   */
  carrier: object;
}

let loaded: Promise<GraphqlModule> | undefined;

/**
 * Imports `@nestjs/graphql`, once, when the first GraphQL resolver call is seen; an app
 * without GraphQL never loads it. Fails with a {@link NangoUsageError} saying to
 * install it.
 */
export function loadGraphql(): Promise<GraphqlModule> {
  loaded ??= Promise.resolve()
    .then(async () => (await import('@nestjs/graphql')) as unknown as GraphqlModule)
    .catch((error: unknown) => {
      loaded = undefined;
      throw NangoUsageError.missingDependency(
        '@UseNangoConnection() on a GraphQL resolver',
        '@nestjs/graphql',
        error,
      );
    });
  return loaded;
}

/** Reads a resolver call through `GqlExecutionContext` (of the loaded `@nestjs/graphql`). */
export function graphqlCall(graphql: GraphqlModule, context: ExecutionContext): NangoGraphqlCall {
  const gql = graphql.GqlExecutionContext.create(context);
  const ctx = objectOr(gql.getContext());
  const request = ctx?.req;
  // Express sets `req.res`; Mercurius puts Fastify's `reply` in the context.
  const response = ctx?.res ?? ctx?.reply ?? objectOr(request)?.res;
  const info = gql.getInfo();
  return {
    args: gql.getArgs(),
    request,
    response,
    carrier: typeof info === 'object' && info !== null ? info : {},
  };
}

/**
 * Where a GraphQL resolver call's credentials are kept: its `GraphQLResolveInfo` (the fourth
 * resolver argument, `GqlExecutionContext.getInfo()`), read without loading `@nestjs/graphql`
 * so parameter decorators stay synchronous.
 */
export function graphqlCarrier(context: ExecutionContext): unknown {
  return context.getArgByIndex(3);
}

function objectOr(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null
    ? (value as Record<string, unknown>)
    : undefined;
}
