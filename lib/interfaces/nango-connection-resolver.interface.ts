import type { ExecutionContext } from '@nestjs/common';

/** Reads a value from a route parameter, e.g. `{ param: 'connectionId' }` for `/:connectionId`. */
export interface NangoParamSource {
  /** The route parameter's name. */
  param: string;
}

/** Reads a value from a request header (any case), e.g. `{ header: 'x-connection-id' }`. */
export interface NangoHeaderSource {
  /** The header's name. */
  header: string;
}

/** Reads a value from the query string, e.g. `{ query: 'connection' }` for `?connection=abc`. */
export interface NangoQuerySource {
  /** The query parameter's name. */
  query: string;
}

/**
 * Reads a value from an argument of a GraphQL resolver (`@nestjs/graphql`), e.g.
 * `{ arg: 'connectionId' }` for `repos(connectionId: ID!)`. A number is turned into a string.
 */
export interface NangoArgSource {
  /** The resolver argument's name. */
  arg: string;
}

/**
 * Computes a value from the request, e.g. `(ctx) => ctx.switchToHttp().getRequest().user.id`
 * (the user set by a guard, which runs before the interceptor). A number is turned into a
 * string; `undefined`, `null` or `''` count as missing. Throw an `HttpException` to answer
 * with it.
 */
export type NangoValueResolver = (
  context: ExecutionContext,
) => string | number | null | undefined | Promise<string | number | null | undefined>;

/**
 * Where an integration key or a connection id comes from: a constant string, a route
 * parameter, a header, a query parameter, a GraphQL resolver argument, or a function of the
 * `ExecutionContext` (on a resolver, read it with `GqlExecutionContext.create(ctx)`).
 */
export type NangoValueSource =
  | string
  | NangoParamSource
  | NangoHeaderSource
  | NangoQuerySource
  | NangoArgSource
  | NangoValueResolver;

/**
 * The connection an application's routes use when `@UseNangoConnection()` leaves a field out:
 * the module option `defaultConnection`, e.g. `{ connectionId: (ctx) => userOf(ctx).id }`.
 */
export interface NangoDefaultConnection {
  /** Default integration key source. */
  providerConfigKey?: NangoValueSource;
  /** Default connection id source. */
  connectionId?: NangoValueSource;
}

/** Options of `@UseNangoConnection()`. */
export interface UseNangoConnectionOptions {
  /** The integration key, or where to read it; default: the module's `defaultConnection`. */
  providerConfigKey?: NangoValueSource;
  /** The connection id, or where to read it; default: the module's `defaultConnection`. */
  connectionId?: NangoValueSource;
  /** Make Nango refresh the token on every request, even if it has not expired. Default `false`. */
  forceRefresh?: boolean;
  /**
   * Status when the request carries no connection id or integration key: `400` (default) for a
   * malformed request, `401` when the id comes from authentication (e.g. `req.user`).
   */
  missingStatus?: 400 | 401;
  /**
   * Status when the end user must reconnect (the refresh failed): `424` (default, as Nango
   * answers) or `401`. The body carries `reconnect: true` either way.
   */
  reconnectStatus?: 424 | 401;
  /**
   * The Nango instance to use, by the `name` it was registered with; default: the instance
   * registered without a name.
   */
  instance?: string;
}
