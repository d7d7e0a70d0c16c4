import { NangoError } from './nango.error.js';

/**
 * The misuse family: the application uses this package in a way that cannot work. Each error
 * says what to change; none is about Nango's answer (that is the request family,
 * `nango-request.errors.ts`). They are thrown at boot (options, start-up checks), when a
 * decorator is applied, when a method is called with a bad argument, or when a request meets
 * a setup that cannot serve it.
 */

/** One line per problem, each as a Markdown-ish `- ` item. */
function bullets(problems: readonly string[]): string {
  return problems.map((p) => `- ${p}`).join('\n');
}

/** `import NangoModule.forRoot({ ... })`, naming the instance when it has a name. */
function forRootOf(instance: string | undefined): string {
  return instance === undefined
    ? 'NangoModule.forRoot({ ... })'
    : `NangoModule.forRoot({ name: '${instance}', ... })`;
}

/**
 * The module options are invalid. Thrown while the application starts (`compile()` / `init()`),
 * with a message naming each bad field and what it takes, never a field's value.
 */
export class NangoConfigurationError extends NangoError {
  /** The option names that failed validation. */
  readonly fields: string[];

  constructor(message: string, fields: string[]) {
    super(message);
    this.fields = fields;
  }

  /** Builds the error from one line per bad field, naming the instance when it has a name. */
  static create(
    problems: ReadonlyArray<{ field: string; problem: string }>,
    instance?: string,
  ): NangoConfigurationError {
    const lines = problems.map(({ field, problem }) => `${field}: ${problem}`);
    const of = instance === undefined ? '' : ` of instance "${instance}"`;
    return new NangoConfigurationError(`Invalid NangoModule options${of}:\n${bullets(lines)}`, [
      ...new Set(problems.map((p) => p.field)),
    ]);
  }
}

/**
 * A method got an argument that cannot make a valid request (an empty or over-long id, an
 * endpoint that is not a path, a header with CR/LF, ...). Thrown before anything is sent.
 */
export class NangoInvalidArgumentError extends NangoError {
  /** The method that was called, e.g. `proxy`. */
  readonly operation: string;
  /** The argument at fault, e.g. `connectionId` or `headers`. */
  readonly argument: string;

  constructor(operation: string, argument: string, problem: string) {
    super(`${operation}(): ${argument} ${problem}`);
    this.operation = operation;
    this.argument = argument;
  }

  /** Builds the error for a method's argument and what is wrong with it (`must not be empty.`). */
  static create(operation: string, argument: string, problem: string): NangoInvalidArgumentError {
    return new NangoInvalidArgumentError(operation, argument, problem);
  }
}

/**
 * A handler reads Nango credentials (`@InjectNangoToken()` / `@InjectNangoConnection()`) but
 * no `@UseNangoConnection()` applies to it, so nothing fetched them. Thrown when the route is
 * called; Nest answers 500 and logs this message.
 */
export class NangoConnectionNotDeclaredError extends NangoError {
  /** `Controller.handler` of the route at fault. */
  readonly handler: string;

  constructor(message: string, handler: string) {
    super(message);
    this.handler = handler;
  }

  /** Builds the error for a handler and the parameter decorator it uses. */
  static create(handler: string, decorator: string): NangoConnectionNotDeclaredError {
    return new NangoConnectionNotDeclaredError(
      `${handler} uses @${decorator}() but no @UseNangoConnection() applies to it: add ` +
        `@UseNangoConnection({ providerConfigKey, connectionId }) to the handler or its controller.`,
      handler,
    );
  }
}

/**
 * `@UseNangoConnection()` got options it cannot work with (an unknown resolver form, a bad
 * status, ...). Thrown when the decorator is applied, i.e. when the controller's file loads.
 */
export class NangoConnectionOptionsError extends NangoError {
  /** One line per problem. */
  readonly problems: string[];

  constructor(message: string, problems: string[]) {
    super(message);
    this.problems = problems;
  }

  /** Builds the error from one line per problem. */
  static create(problems: string[]): NangoConnectionOptionsError {
    return new NangoConnectionOptionsError(
      `Invalid @UseNangoConnection() options:\n${bullets(problems)}`,
      problems,
    );
  }
}

/**
 * A route's connection could not be worked out on the server side: a resolver function threw
 * (anything but an `HttpException`) or returned a non-string, no source gives the integration
 * key or connection id, or the named Nango instance is not registered. Nest answers 500.
 */
export class NangoConnectionResolutionError extends NangoError {
  /** `Controller.handler` of the route at fault. */
  readonly handler: string;

  constructor(message: string, handler: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.handler = handler;
  }

  /** Builds the error for a handler, with what went wrong and how to fix it. */
  static create(handler: string, problem: string, cause?: unknown): NangoConnectionResolutionError {
    return new NangoConnectionResolutionError(`${handler}: ${problem}`, handler, cause);
  }

  /**
   * Builds the error for a route whose Nango instance (named `instance`, or the default one) is
   * not registered; `cause` is the registry's {@link NangoUsageError.missingInstance}.
   */
  static missingInstance(
    handler: string,
    instance: string | undefined,
    cause: NangoUsageError,
  ): NangoConnectionResolutionError {
    const problem =
      instance === undefined
        ? 'no NangoService is registered: import NangoModule.forRoot() in the application.'
        : `no Nango instance is named "${instance}": register ${forRootOf(instance)}.`;
    return NangoConnectionResolutionError.create(handler, problem, cause);
  }
}

/**
 * The application misuses this package in a way no request could ever work with (a handler
 * reading credentials no `@UseNangoConnection()` fetches, `@NangoWebhookPayload()` without
 * `@NangoWebhook()`, webhook routes in an app without raw bodies). Thrown by `app.init()`, so
 * the application does not start; the message has one line per handler, with the fix.
 */
export class NangoStartupError extends NangoError {
  /** One line per problem, each naming its handler (`Controller.method`). */
  readonly problems: string[];
  /** The handlers at fault. */
  readonly handlers: string[];

  constructor(message: string, problems: string[], handlers: string[]) {
    super(message);
    this.problems = problems;
    this.handlers = handlers;
  }

  /** Builds the error from the problems found, each with its handler. */
  static create(found: ReadonlyArray<{ handler: string; problem: string }>): NangoStartupError {
    const problems = found.map((f) => f.problem);
    return new NangoStartupError(
      `nestjs-nango cannot start this application:\n${bullets(problems)}`,
      problems,
      [...new Set(found.map((f) => f.handler))],
    );
  }
}

/**
 * A misuse found at run time, when a request (or a health check) meets a setup that cannot
 * serve it: a webhook route without `@NangoWebhook()`, an app created without raw bodies, an
 * optional dependency that is not installed (`@nestjs/terminus`, `@nestjs/graphql`), a Nango
 * instance that is not registered. The message says what to change. Nest answers 500.
 */
export class NangoUsageError extends NangoError {
  /** What the application must change, e.g. `npm i @nestjs/terminus`. */
  readonly fix: string;

  constructor(message: string, fix: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.fix = fix;
  }

  /** Builds the error from what went wrong and what to change (`${problem}: ${fix}`). */
  static create(problem: string, fix: string, cause?: unknown): NangoUsageError {
    return new NangoUsageError(`${problem}: ${fix}`, fix, cause);
  }

  /**
   * `user` needs the optional peer dependency `pkg`, which could not be imported; `install` is
   * what to pass to `npm i` when it is more than the name (a version, a companion package).
   */
  static missingDependency(
    user: string,
    pkg: string,
    cause: unknown,
    install: string = pkg,
  ): NangoUsageError {
    const why = cause instanceof Error ? cause.message : String(cause);
    const fix = `npm i ${install}`;
    return new NangoUsageError(
      `${user} needs ${pkg}, which could not be loaded (${why}). Install it: ${fix}`,
      fix,
      cause,
    );
  }

  /** `user` found no Nango instance (named `instance`, or the default one) in the application. */
  static missingInstance(user: string, instance: string | undefined): NangoUsageError {
    const named = instance === undefined ? '' : ` named "${instance}"`;
    return NangoUsageError.create(
      `${user} found no Nango instance${named}`,
      `import ${forRootOf(instance)} in the application.`,
    );
  }

  /** `NangoWebhookGuard` got a request whose raw body the application does not keep. */
  static missingRawBody(): NangoUsageError {
    const fix = 'Create the application with NestFactory.create(AppModule, { rawBody: true }).';
    return new NangoUsageError(
      `NangoWebhookGuard: the request has no raw body, so its signature cannot be checked. ${fix}`,
      fix,
    );
  }
}
