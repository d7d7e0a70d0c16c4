import { NangoError } from './nango.error.js';

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
      `nestjs-nango cannot start this application:\n${problems.map((p) => `- ${p}`).join('\n')}`,
      problems,
      [...new Set(found.map((f) => f.handler))],
    );
  }
}
