import {
  HttpException,
  Injectable,
  Logger,
  Optional,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { HttpAdapterHost, Reflector } from '@nestjs/core';
import type { Observable } from 'rxjs';
import type { NangoService } from '../nango.service.js';
import { NangoInstanceRegistry } from '../nango-instance.registry.js';
import { NangoConnectionResolutionError } from '../errors/nango-misuse.errors.js';
import { NangoHttpException, answerNangoError } from '../errors/nango-http.exception.js';
import {
  getNangoRequestState,
  setNangoRequestState,
  type NangoRequestState,
} from '../utils/nango-request-state.js';
import { requireToken } from '../utils/nango-token.js';
import type { NangoSourceInput } from '../utils/nango-value-source.js';
import { graphqlCall, loadGraphql } from '../graphql/nango-graphql.context.js';
import { NangoGraphqlError } from '../errors/nango-graphql.error.js';
import { clientDisconnectSignal } from '../utils/client-disconnect.js';
import { handlerName } from '../utils/handler-name.js';
import type {
  NangoDefaultConnection,
  UseNangoConnectionOptions,
} from '../interfaces/nango-connection-resolver.interface.js';
import { resolveConnectionTarget, type NangoConnectionTarget } from './nango-connection-target.js';
import { readNangoRoute, type NangoRoute } from './nango-route.metadata.js';

/** Status of a request whose client left before the answer (nginx's 499); nobody reads it. */
const CLIENT_CLOSED_REQUEST = 499;

/**
 * Fetches fresh Nango credentials for routes marked with `@UseNangoConnection()`, before the
 * handler runs (after guards, so `req.user` is set), and stores them on the request for
 * `@InjectNangoToken()` / `@InjectNangoConnection()`.
 *
 * A singleton: it is handed the app's Nango instances ({@link NangoInstanceRegistry}) and
 * reads the route metadata that the decorators set (through `Reflector`); the credentials live
 * in a private map keyed by the request, never on the interceptor. Routes without
 * `@UseNangoConnection()` pass through untouched, so it can also be registered globally
 * (`{ provide: APP_INTERCEPTOR, useExisting: NangoTokenInterceptor }`).
 * One Nango call per request: `getToken`, or `getConnection` when the handler uses
 * `@InjectNangoConnection()`. Failures become {@link NangoHttpException}s. A client that hangs
 * up while the credentials are fetched cancels the Nango call; the handler then never runs.
 *
 * Extend it and override the protected hooks to change how the connection is resolved, fetched
 * or reported.
 */
@Injectable()
export class NangoTokenInterceptor implements NestInterceptor {
  /** Logs server-side failures: messages only, which never hold a secret. */
  protected readonly logger = new Logger(NangoTokenInterceptor.name);
  /** What each route needs, by controller class and handler: read from metadata once. */
  private readonly routes = new WeakMap<object, WeakMap<object, NangoRoute>>();

  constructor(
    protected readonly reflector: Reflector,
    @Optional() protected readonly registry?: NangoInstanceRegistry,
    @Optional() protected readonly adapterHost?: HttpAdapterHost,
  ) {}

  /**
   * Resolves the route's connection, fetches its credentials and stores them on the request
   * (on a GraphQL resolver: on the resolver call, and failures become {@link NangoGraphqlError}s).
   */
  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const type = context.getType<string>();
    if (type !== 'http' && type !== 'graphql') return next.handle();
    const route = this.getRouteOptions(context);
    if (route === undefined) return next.handle();
    if (type === 'graphql') {
      try {
        return await this.interceptGraphql(context, next, route);
      } catch (error) {
        throw error instanceof NangoHttpException
          ? NangoGraphqlError.fromHttpException(error)
          : error;
      }
    }
    const request = context.switchToHttp().getRequest<object>();
    const input: NangoSourceInput = { kind: 'http', request };
    return this.interceptCall(
      context,
      next,
      route,
      request,
      input,
      context.switchToHttp().getResponse(),
    );
  }

  private async interceptGraphql(
    context: ExecutionContext,
    next: CallHandler,
    route: UseNangoConnectionOptions,
  ): Promise<Observable<unknown>> {
    const call = graphqlCall(await loadGraphql(), context);
    const input: NangoSourceInput = { kind: 'graphql', request: call.request, args: call.args };
    return this.interceptCall(context, next, route, call.carrier, input, call.response);
  }

  /** The work of {@link intercept}, for a request (`carrier`) of either kind. */
  private async interceptCall(
    context: ExecutionContext,
    next: CallHandler,
    route: UseNangoConnectionOptions,
    carrier: object,
    input: NangoSourceInput,
    response: unknown,
  ): Promise<Observable<unknown>> {
    // Registered both globally and by the decorator: the first run did the work.
    if (getNangoRequestState(carrier) !== undefined) return next.handle();
    const target = await this.resolveTarget(context, route, input);
    // A client that hangs up cancels its Nango call (a shared one ends when its last caller
    // has left), and its handler never runs.
    const disconnect = clientDisconnectSignal(response);
    const closed = (): HttpException =>
      new HttpException('The client closed the request.', CLIENT_CLOSED_REQUEST);
    let state: NangoRequestState;
    try {
      state = await this.fetchCredentials(context, route, target, disconnect.signal);
    } catch (error) {
      if (disconnect.signal?.aborted === true) throw closed();
      throw this.toException(error, context, route);
    } finally {
      disconnect.release();
    }
    if (disconnect.signal?.aborted === true) throw closed();
    setNangoRequestState(carrier, state);
    return next.handle();
  }

  /**
   * The `@UseNangoConnection()` options of the route: the controller's, with each field the
   * handler sets overriding it. `undefined` when neither is decorated.
   */
  protected getRouteOptions(context: ExecutionContext): UseNangoConnectionOptions | undefined {
    return this.routeInfo(context).options;
  }

  /**
   * Works out the integration key and connection id from the route's options, falling back to
   * the module's `defaultConnection`. A missing value is a 400 (or the route's `missingStatus`).
   */
  protected async resolveTarget(
    context: ExecutionContext,
    route: UseNangoConnectionOptions,
    input?: NangoSourceInput,
  ): Promise<NangoConnectionTarget> {
    return resolveConnectionTarget(
      context,
      route,
      this.getDefaultConnection(route.instance),
      input,
    );
  }

  /**
   * Fetches the credentials with one Nango call: `getConnection` when the handler reads the
   * whole connection, `getToken` otherwise. `signal` fires when the HTTP client hangs up.
   */
  protected async fetchCredentials(
    context: ExecutionContext,
    route: UseNangoConnectionOptions,
    target: NangoConnectionTarget,
    signal?: AbortSignal,
  ): Promise<NangoRequestState> {
    const nango = this.getService(context, route.instance);
    const { providerConfigKey, connectionId } = target;
    const forceRefresh = route.forceRefresh ?? false;
    const options = signal === undefined ? undefined : { signal };
    if (this.routeInfo(context).connection) {
      const connection = await nango.getConnection(
        providerConfigKey,
        connectionId,
        forceRefresh,
        false,
        options,
      );
      const token = requireToken(connection.credentials, {
        operation: 'getConnection',
        providerConfigKey,
        connectionId,
      });
      return { providerConfigKey, connectionId, token, connection };
    }
    const token = await nango.getToken(providerConfigKey, connectionId, forceRefresh, options);
    return { providerConfigKey, connectionId, token };
  }

  /**
   * Turns a failure into the HTTP answer: a {@link NangoHttpException} for Nango's errors
   * (setting `Retry-After` when known), the error itself otherwise. Logs server-side failures.
   */
  protected toException(
    error: unknown,
    context: ExecutionContext,
    route: UseNangoConnectionOptions,
  ): unknown {
    const answer = answerNangoError(error, { reconnectStatus: route.reconnectStatus });
    if (answer === undefined) return error;
    if (answer.log !== undefined) {
      this.logger[answer.log.level](`${handlerName(context)}: ${answer.log.message}`);
    }
    if (context.getType() === 'http') {
      for (const [name, value] of Object.entries(answer.headers)) {
        this.setHeader(context, name, value);
      }
    }
    return answer.exception;
  }

  /** Sets a response header through the HTTP adapter (Express and Fastify alike). */
  protected setHeader(context: ExecutionContext, name: string, value: string): void {
    const adapter = this.adapterHost?.httpAdapter;
    if (adapter === undefined) return;
    adapter.setHeader(context.switchToHttp().getResponse(), name, value);
  }

  /**
   * The module option `defaultConnection` of a Nango instance (default: the unnamed one), from
   * any module of the application (so it applies in feature modules that do not import
   * `NangoModule` themselves). `undefined` when there is no such instance: `getService()`
   * reports it.
   */
  protected getDefaultConnection(instance?: string): NangoDefaultConnection | undefined {
    return this.registry?.find(instance)?.options.defaultConnection;
  }

  /** The `NangoService` of a Nango instance (default: the unnamed one). */
  protected getService(context: ExecutionContext, instance: string | undefined): NangoService {
    const found = this.registry?.find(instance);
    if (found !== undefined) return found.service;
    throw NangoConnectionResolutionError.missingInstance(
      handlerName(context),
      instance,
      NangoInstanceRegistry.missing(instance, NangoTokenInterceptor.name),
    );
  }

  /**
   * The route's `@UseNangoConnection()` options and whether its handler reads the whole
   * connection: metadata that decorators fixed when the classes were defined, so read on the
   * first request of a route and kept.
   */
  private routeInfo(context: ExecutionContext): NangoRoute {
    const controller = context.getClass();
    const handler = context.getHandler();
    let byHandler = this.routes.get(controller);
    if (byHandler === undefined) {
      byHandler = new WeakMap();
      this.routes.set(controller, byHandler);
    }
    let info = byHandler.get(handler);
    if (info === undefined) {
      info = readNangoRoute(this.reflector, controller, handler);
      byHandler.set(handler, info);
    }
    return info;
  }
}
