import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { NangoError, toNangoHttpException } from '../../../lib/index.js';

/**
 * Turns a `NangoError` thrown by a service call (here: the proxy calls of `GithubService`) into
 * the same HTTP answer `@UseNangoConnection()` gives: 404 when the user has no connection, 424
 * when they must reconnect, 503 with `Retry-After` on rate limits, 502/504 when Nango is down
 * or slow, 502 `upstream_error` (with `upstreamStatus`) when GitHub itself answers an error.
 */
@Catch(NangoError)
export class NangoErrorFilter implements ExceptionFilter {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(error: NangoError, host: ArgumentsHost): void {
    const { httpAdapter } = this.adapterHost;
    const response: unknown = host.switchToHttp().getResponse();
    const exception = toNangoHttpException(error);
    if (exception === undefined) {
      httpAdapter.reply(response, { statusCode: 500, message: 'Internal server error' }, 500);
      return;
    }
    const body = exception.getResponse();
    if (body.retryAfter !== undefined) {
      httpAdapter.setHeader(response, 'Retry-After', String(body.retryAfter));
    }
    httpAdapter.reply(response, body, exception.getStatus());
  }
}
