import {
  HttpException,
  Injectable,
  Logger,
  Optional,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { HttpAdapterHost, ModuleRef, Reflector } from '@nestjs/core';
import type { Observable } from 'rxjs';
import { getNangoOptionsToken } from '../nango-instance.providers.js';
import { NangoService } from '../nango.service.js';
import {
  getNangoServiceToken,
  NANGO_DEFAULT_INSTANCE,
} from '../decorators/inject-nango.decorator.js';
import { NangoConnectionMetadata } from '../decorators/nango-connection.metadata.js';
import { nangoHandlerNeeds } from '../decorators/inject-nango-token.decorator.js';
import { NangoConnectionResolutionError } from '../errors/nango-misuse.errors.js';
import { NangoHttpException, answerNangoError } from '../errors/nango-http.exception.js';
import {
  getNangoRequestState,
  setNangoRequestState,
  type NangoRequestState,
} from '../utils/nango-request-state.js';
import { requireToken } from '../utils/nango-token.js';
import { resolveSource, type NangoSourceInput } from '../utils/nango-value-source.js';
import { graphqlCall, loadGraphql } from '../graphql/nango-graphql.context.js';
import { NangoGraphqlError } from '../errors/nango-graphql.error.js';
import { clientDisconnectSignal } from '../utils/client-disconnect.js';
import type { ResolvedNangoOptions } from '../interfaces/nango-module-options.interface.js';
import type {
  NangoDefaultConnection,
  NangoValueSource,
  UseNangoConnectionOptions,
} from '../interfaces/nango-connection-resolver.interface.js';

/** What a route needs, from its metadata (see `NangoTokenInterceptor.routeInfo`). */
interface RouteInfo {
  /** The merged `@UseNangoConnection()` options; `undefined` when the route has none. */
  readonly options: UseNangoConnectionOptions | undefined;
  /** Whether the handler uses `@InjectNangoConnection()`. */
  readonly connection: boolean;
}

/** Status of a request whose client left before the answer (nginx's 499); nobody reads it. */
const CLIENT_CLOSED_REQUEST = 499;

/** The connection a request works on, once its sources are resolved. */
export interface NangoConnectionTarget {
  /** The integration key. */
  providerConfigKey: string;
  /** The connection id. */
  connectionId: string;
}

/**
 * Fetches fresh Nango credentials for routes marked with `@UseNangoConnection()`, before the
 * handler runs (after guards, so `req.user` is set), and stores them on the request for
 * `@InjectNangoToken()` / `@InjectNangoConnection()`.
 *
 * A singleton: the credentials live on the request object under a private Symbol, never on the
 * interceptor. Routes without `@UseNangoConnection()` pass through untouched, so it can also be
 * registered globally (`{ provide: APP_INTERCEPTOR, useExisting: NangoTokenInterceptor }`).
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
  private readonly services = new Map<string, NangoService>();
  private readonly defaults = new Map<string, NangoDefaultConnection | undefined>();
  /** What each route needs, by controller class and handler: read from metadata once. */
  private readonly routes = new WeakMap<object, WeakMap<object, RouteInfo>>();

  constructor(
    protected readonly reflector: Reflector,
    protected readonly moduleRef: ModuleRef,
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
    let state: NangoRequestState;
    try {
      state = await this.fetchCredentials(context, route, target, disconnect.signal);
    } catch (error) {
      if (disconnect.signal?.aborted === true) {
        throw new HttpException('The client closed the request.', CLIENT_CLOSED_REQUEST);
      }
      throw this.toException(error, context, route);
    } finally {
      disconnect.release();
    }
    if (disconnect.signal?.aborted === true) {
      throw new HttpException('The client closed the request.', CLIENT_CLOSED_REQUEST);
    }
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
    const defaults = this.getDefaultConnection(route.instance);
    const providerConfigKey = await this.resolveValue(
      context,
      route,
      'providerConfigKey',
      route.providerConfigKey ?? defaults?.providerConfigKey,
      input,
    );
    const connectionId = await this.resolveValue(
      context,
      route,
      'connectionId',
      route.connectionId ?? defaults?.connectionId,
      input,
    );
    return { providerConfigKey, connectionId };
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
   * The module option `defaultConnection`, looked up once in the whole application (so it
   * applies in feature modules that do not import `NangoModule` themselves).
   */
  protected getDefaultConnection(instance?: string): NangoDefaultConnection | undefined {
    const name = instance ?? NANGO_DEFAULT_INSTANCE;
    if (!this.defaults.has(name)) {
      let options: ResolvedNangoOptions | undefined;
      try {
        options = this.moduleRef.get<ResolvedNangoOptions>(getNangoOptionsToken(instance), {
          strict: false,
        });
      } catch {
        options = undefined; // No such Nango instance: getService() reports it.
      }
      this.defaults.set(name, options?.defaultConnection);
    }
    return this.defaults.get(name);
  }

  /** The `NangoService` of a Nango instance (default: the unnamed one), looked up once. */
  protected getService(context: ExecutionContext, instance: string | undefined): NangoService {
    const key = instance ?? '';
    const cached = this.services.get(key);
    if (cached !== undefined) return cached;
    let service: NangoService;
    try {
      service = this.moduleRef.get<NangoService>(getNangoServiceToken(instance), {
        strict: false,
      });
    } catch (error) {
      throw NangoConnectionResolutionError.create(
        handlerName(context),
        instance === undefined
          ? 'no NangoService is registered: import NangoModule.forRoot() in the application.'
          : `no Nango instance is named "${instance}": register NangoModule.forRoot({ name: '${instance}', ... }).`,
        error,
      );
    }
    this.services.set(key, service);
    return service;
  }

  /**
   * The route's `@UseNangoConnection()` options and whether its handler reads the whole
   * connection: metadata that decorators fixed when the classes were defined, so looked up on
   * the first request of a route and kept.
   */
  private routeInfo(context: ExecutionContext): RouteInfo {
    const controller = context.getClass();
    const handler = context.getHandler();
    let byHandler = this.routes.get(controller);
    if (byHandler === undefined) {
      byHandler = new WeakMap();
      this.routes.set(controller, byHandler);
    }
    let info = byHandler.get(handler);
    if (info === undefined) {
      const onClass = this.reflector.get(NangoConnectionMetadata, controller);
      const onHandler = this.reflector.get(NangoConnectionMetadata, handler);
      info = {
        options:
          onClass === undefined || onHandler === undefined
            ? (onHandler ?? onClass)
            : { ...onClass, ...definedFields(onHandler) },
        connection: nangoHandlerNeeds(controller, handler.name).connection,
      };
      byHandler.set(handler, info);
    }
    return info;
  }

  private async resolveValue(
    context: ExecutionContext,
    route: UseNangoConnectionOptions,
    field: 'providerConfigKey' | 'connectionId',
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
}

function handlerName(context: ExecutionContext): string {
  return `${context.getClass().name}.${context.getHandler().name}`;
}

function snake(field: string): string {
  return field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function definedFields<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([, field]) => field !== undefined),
  ) as Partial<T>;
}
