import {
  Catch,
  Logger,
  Optional,
  type ArgumentsHost,
  type ExceptionFilter,
  type HttpServer,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { NangoError } from '../errors/nango.error.js';
import { NangoGraphqlError } from '../errors/nango-graphql.error.js';
import { answerNangoError, type NangoErrorAnswer } from '../errors/nango-http.exception.js';

/** The body Nest answers an error it knows nothing about with. */
const UNKNOWN_ERROR_BODY = { statusCode: 500, message: 'Internal server error' } as const;

/** The logger Nest's own exception handler writes unknown errors with. */
const NEST_EXCEPTIONS_LOGGER = new Logger('ExceptionsHandler');

/** The parts of an Express response or a Fastify reply the filter writes through. */
interface OwnResponse {
  /** Fastify: `reply.code(status)`. */
  code?: (status: number) => unknown;
  /** Fastify: `reply.header(name, value)`. */
  header?: (name: string, value: string) => unknown;
  /** Fastify: `reply.send(body)`; Express has it too. */
  send?: (body: unknown) => unknown;
  /** Fastify: whether the reply went out. */
  sent?: boolean;
  /** Express: `res.status(status)`. */
  status?: (status: number) => unknown;
  /** Express / Node: `res.setHeader(name, value)`. */
  setHeader?: (name: string, value: string) => unknown;
  /** Express: `res.json(body)`. */
  json?: (body: unknown) => unknown;
  /** Node: whether the headers went out. */
  headersSent?: boolean;
  /** Node: ends the response. */
  end?: () => unknown;
}

/**
 * Answers a {@link NangoError} thrown anywhere in a request (a controller, a service it calls,
 * a guard) exactly as `@UseNangoConnection()` answers it: the status, body and `Retry-After` of
 * `toNangoHttpException()` (404 `connection_not_found`, 424 `reconnect_required`, 503 with
 * `Retry-After`, 502/504 when Nango is down or slow, ...), logged the same way. Every other
 * error goes to Nest as before, and a `NangoError` with no HTTP answer (a misuse of the
 * package) gets Nest's own 500. On a GraphQL resolver it gives the {@link NangoGraphqlError}
 * the interceptor gives.
 *
 * Register it globally, either way:
 *
 * @example
 * app.useGlobalFilters(new NangoExceptionFilter());
 * // or, in a module's providers:
 * { provide: APP_FILTER, useClass: NangoExceptionFilter }
 */
@Catch(NangoError)
export class NangoExceptionFilter implements ExceptionFilter<NangoError> {
  /** Logs server-side failures: messages only, which never hold a secret. */
  protected readonly logger = new Logger(NangoExceptionFilter.name);

  /** @param adapterHost Nest's HTTP adapter, when the filter is made by Nest (`APP_FILTER`). */
  constructor(@Optional() protected readonly adapterHost?: HttpAdapterHost) {}

  /** Answers `error`; see the class. */
  catch(error: NangoError, host: ArgumentsHost): void {
    const answer = answerNangoError(error);
    const type = host.getType<string>();
    if (type === 'graphql') throw this.toGraphqlError(error, answer, host);
    // Outside HTTP and GraphQL, Nest's own handling: rethrown.
    if (type !== 'http') throw error;
    const response = host.switchToHttp().getResponse<unknown>();
    if (answer === undefined) {
      // No HTTP answer of its own (a misuse of the package): Nest's answer and log line.
      this.reply(response, 500, UNKNOWN_ERROR_BODY, {});
      NEST_EXCEPTIONS_LOGGER.error(error);
      return;
    }
    this.log(answer, host);
    const { exception } = answer;
    this.reply(response, exception.getStatus(), exception.getResponse(), answer.headers);
  }

  /**
   * The GraphQL error a resolver's field fails with, logged as on HTTP (naming the field): a
   * {@link NangoGraphqlError} as it is (the interceptor logged it), a misuse with Nest's line.
   */
  protected toGraphqlError(
    error: NangoError,
    answer: NangoErrorAnswer | undefined,
    host: ArgumentsHost,
  ): NangoError {
    if (answer === undefined) {
      if (!(error instanceof NangoGraphqlError)) NEST_EXCEPTIONS_LOGGER.error(error);
      return error;
    }
    if (answer.log !== undefined) {
      const info = host.getArgByIndex<{ parentType?: { name?: string }; fieldName?: string }>(3);
      const field = `${info?.parentType?.name ?? ''}.${info?.fieldName ?? ''}`;
      this.logger[answer.log.level](`${field}: ${answer.log.message}`);
    }
    return NangoGraphqlError.fromHttpException(answer.exception);
  }

  /** Writes the answer's log line, naming the request's method and path. */
  protected log(answer: NangoErrorAnswer, host: ArgumentsHost): void {
    if (answer.log === undefined) return;
    const request = host.switchToHttp().getRequest<{ method?: string; url?: string }>();
    const path = (request.url ?? '').split('?')[0];
    this.logger[answer.log.level](`${request.method ?? ''} ${path}: ${answer.log.message}`);
  }

  private reply(
    response: unknown,
    status: number,
    body: object,
    headers: Readonly<Record<string, string>>,
  ): void {
    const adapter: HttpServer | undefined = this.adapterHost?.httpAdapter;
    if (adapter !== undefined) {
      if (adapter.isHeadersSent(response)) {
        adapter.end(response);
        return;
      }
      for (const [name, value] of Object.entries(headers)) adapter.setHeader(response, name, value);
      adapter.reply(response, body, status);
      return;
    }
    replyDirectly(response as OwnResponse, status, body, headers);
  }
}

/** Answers through the response's own API: Fastify's reply, or Express's response. */
function replyDirectly(
  res: OwnResponse,
  status: number,
  body: object,
  headers: Readonly<Record<string, string>>,
): void {
  if (res.sent === true || res.headersSent === true) {
    res.end?.();
    return;
  }
  if (typeof res.code === 'function' && typeof res.header === 'function') {
    for (const [name, value] of Object.entries(headers)) res.header(name, value);
    res.code(status);
    res.send?.(body);
    return;
  }
  for (const [name, value] of Object.entries(headers)) res.setHeader?.(name, value);
  res.status?.(status);
  res.json?.(body);
}
