import { NangoError } from './nango.error.js';

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
      `Invalid @UseNangoConnection() options:\n${problems.map((p) => `- ${p}`).join('\n')}`,
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
}
