import { Injectable, Logger, Optional, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, HttpAdapterHost, MetadataScanner, Reflector } from '@nestjs/core';
import { NangoConnectionMetadata } from '../decorators/nango-connection.metadata.js';
import { NangoWebhookMetadata } from '../webhooks/nango-webhook.constants.js';
import { NangoConnectionNotDeclaredError } from '../errors/nango-misuse.errors.js';
import { NangoStartupError } from '../errors/nango-misuse.errors.js';
import { nangoParamsOf } from '../decorators/nango-params.metadata.js';
import { unroutedWebhookHandlers } from '../webhooks/unrouted-webhook-handlers.js';

/** The part of Nest's HTTP adapter that installs body parsers. */
interface BodyParserAdapter {
  registerParserMiddleware?: (prefix?: string, rawBody?: boolean) => unknown;
  useBodyParser?: (type: string, rawBody?: boolean, ...rest: unknown[]) => unknown;
}

/** A controller or resolver class, as Nest's `DiscoveryService` lists it. */
type HandlerClass = (new (...args: never[]) => object) & { prototype: object };

/**
 * The class metadata `@Resolver()` of `@nestjs/graphql` sets (its `RESOLVER_TYPE_METADATA`),
 * read by its key so that `@nestjs/graphql`, an optional peer, is never loaded here.
 */
const GRAPHQL_RESOLVER_METADATA = 'graphql:resolver_type';

/** Adapters already watched (an adapter belongs to one application). */
const WATCHED = new WeakSet<object>();
/** Applications (by their `DiscoveryService`) already warned about unrouted webhook handlers. */
const WARNED = new WeakSet<object>();

/**
 * Checks, when the application initialises (`app.init()`), what would otherwise fail on the
 * first request, and stops the application with a {@link NangoStartupError} naming each
 * handler and its fix. It reads the controllers and the GraphQL resolvers (providers whose
 * class carries `@Resolver()` of `@nestjs/graphql`):
 * - `@InjectNangoToken()` / `@InjectNangoConnection()` on a handler no `@UseNangoConnection()`
 *   (on the handler or its controller or resolver) covers;
 * - `@NangoWebhookPayload()` on a handler without `@NangoWebhook()`;
 * - `@NangoWebhook()` routes in an application created without `rawBody: true` (seen from the
 *   body parsers Nest installs; an app with `bodyParser: false` parses bodies itself and is
 *   not judged).
 *
 * It also warns, once per application and without stopping it, of each `@OnNangoWebhook()`
 * handler no webhook route can call (a worker process may share the providers of an app that
 * mounts the route).
 */
@Injectable()
export class NangoStartupCheck implements OnModuleInit {
  /** Whether Nest installed its default body parsers, and whether they keep raw bodies. */
  private parsers: { installed: boolean; raw: boolean } = { installed: false, raw: false };
  /** Whether a JSON body parser keeping raw bodies was added with `app.useBodyParser()`. */
  private rawJsonParser = false;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    @Optional() adapterHost?: HttpAdapterHost,
  ) {
    // The adapter is set when the HTTP application is created, before its body parsers are.
    if (adapterHost === undefined) return;
    if (typeof adapterHost.init$?.subscribe === 'function') {
      adapterHost.init$.subscribe(() => this.watch(adapterHost.httpAdapter));
    } else {
      this.watch(adapterHost.httpAdapter);
    }
  }

  /** Runs the checks; throws {@link NangoStartupError} when any fails. */
  onModuleInit(): void {
    const found: Array<{ handler: string; problem: string }> = [];
    const resolvers = this.discovery
      .getProviders()
      .map((wrapper) => wrapper.metatype)
      .filter(isGraphqlResolver);
    const classes = new Set([
      ...this.discovery.getControllers().map((wrapper) => wrapper.metatype),
      ...resolvers,
    ]);
    for (const owner of classes) {
      if (isClass(owner)) found.push(...this.checkClass(owner));
    }
    if (found.length > 0) throw NangoStartupError.create(found);
    if (WARNED.has(this.discovery)) return;
    WARNED.add(this.discovery);
    const logger = new Logger('NangoWebhooks');
    for (const line of unroutedWebhookHandlers(this.discovery, this.scanner)) logger.warn(line);
  }

  /** The problems of one controller's or resolver's handlers. */
  private checkClass(owner: HandlerClass): Array<{ handler: string; problem: string }> {
    const found: Array<{ handler: string; problem: string }> = [];
    const prototype = owner.prototype as Record<string, unknown>;
    for (const method of this.scanner.getAllMethodNames(prototype)) {
      const handler = prototype[method];
      if (typeof handler !== 'function') continue;
      const name = `${owner.name}.${method}`;
      const uses = nangoParamsOf(this.reflector, handler);
      const declared = this.reflector.getAllAndOverride(NangoConnectionMetadata, [handler, owner]);
      for (const decorator of ['InjectNangoToken', 'InjectNangoConnection'] as const) {
        if (uses.has(decorator) && declared === undefined) {
          found.push({
            handler: name,
            problem: NangoConnectionNotDeclaredError.create(name, decorator).message,
          });
        }
      }
      const webhook =
        this.reflector.getAllAndOverride(NangoWebhookMetadata, [handler, owner]) !== undefined;
      if (uses.has('NangoWebhookPayload') && !webhook) {
        found.push({
          handler: name,
          problem: `${name} uses @NangoWebhookPayload() but has no @NangoWebhook(): add @NangoWebhook() to the handler, which verifies the signature and hands over the payload.`,
        });
      }
      if (webhook && this.missingRawBody()) found.push(rawBodyProblem(name));
    }
    return found;
  }

  /** Whether the app is known to parse JSON bodies without keeping the raw body. */
  missingRawBody(): boolean {
    return this.parsers.installed && !this.parsers.raw && !this.rawJsonParser;
  }

  /** Records how the adapter's body parsers are installed. */
  private watch(adapter: unknown): void {
    if (typeof adapter !== 'object' || adapter === null || WATCHED.has(adapter)) return;
    WATCHED.add(adapter);
    const target = adapter as BodyParserAdapter;
    const register = target.registerParserMiddleware;
    if (typeof register === 'function') {
      target.registerParserMiddleware = (prefix?: string, rawBody?: boolean) => {
        this.parsers = { installed: true, raw: this.parsers.raw || rawBody === true };
        return register.call(adapter, prefix, rawBody);
      };
    }
    const use = target.useBodyParser;
    if (typeof use === 'function') {
      target.useBodyParser = (type: string, rawBody?: boolean, ...rest: unknown[]) => {
        if (rawBody === true && /json/i.test(String(type))) this.rawJsonParser = true;
        return use.call(adapter, type, rawBody, ...rest);
      };
    }
  }
}

function isClass(value: unknown): value is HandlerClass {
  return typeof value === 'function' && typeof value.prototype === 'object';
}

/** Whether a provider is a `@nestjs/graphql` resolver (`@Resolver()` on its class). */
function isGraphqlResolver(metatype: unknown): metatype is HandlerClass {
  // `@Resolver()` without a type sets the key to `undefined`: its presence is what counts.
  return isClass(metatype) && Reflect.getMetadataKeys(metatype).includes(GRAPHQL_RESOLVER_METADATA);
}

/** The problem of a webhook route in an app without raw bodies. */
export function rawBodyProblem(handler: string): { handler: string; problem: string } {
  return {
    handler,
    problem: `${handler} receives Nango webhooks, whose signature is over the raw body, but the application keeps no raw bodies: create it with NestFactory.create(AppModule, { rawBody: true }).`,
  };
}
