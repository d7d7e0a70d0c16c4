import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { NangoError, NangoUpstreamError, toNangoHttpException } from '../../../lib/index.js';

/**
 * Turns a `NangoError` thrown by a service call (here: the proxy calls of `GithubService`) into
 * the same HTTP answer `@UseNangoConnection()` gives: 404 when the user has no connection, 424
 * when they must reconnect, 503 with `Retry-After` on rate limits, 502/504 when Nango is down
 * or slow. A third party's own error through the proxy is a 502 naming its status.
 */
@Catch(NangoError)
export class NangoErrorFilter implements ExceptionFilter {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(error: NangoError, host: ArgumentsHost): void {
    const { httpAdapter } = this.adapterHost;
    const response: unknown = host.switchToHttp().getResponse();
    if (error instanceof NangoUpstreamError) {
      const body = {
        statusCode: 502,
        error: 'Bad Gateway',
        code: 'upstream_error',
        message: `GitHub answered ${error.status}.`,
        upstreamStatus: error.status,
      };
      httpAdapter.reply(response, body, 502);
      return;
    }
    const exception = toNangoHttpException(error);
    if (exception === undefined) {
      httpAdapter.reply(response, { statusCode: 500, message: 'Internal server error' }, 500);
      return;
    }
    const body = exception.getResponse() as { retryAfter?: number };
    if (body.retryAfter !== undefined) {
      httpAdapter.setHeader(response, 'Retry-After', String(body.retryAfter));
    }
    httpAdapter.reply(response, body, exception.getStatus());
  }
}
