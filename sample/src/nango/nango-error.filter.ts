import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import {
  NangoConnectionNotFoundError,
  NangoError,
  NangoIntegrationNotFoundError,
  NangoInvalidArgumentError,
  NangoRateLimitError,
  NangoReconnectRequiredError,
  NangoTimeoutError,
  NangoUnavailableError,
} from '../../../lib/index.js';

/** The HTTP status the sample answers for each Nango error. */
export function statusOf(error: NangoError): number {
  if (error instanceof NangoInvalidArgumentError) return 400;
  if (error instanceof NangoConnectionNotFoundError) return 404; // the user never connected
  if (error instanceof NangoIntegrationNotFoundError) return 404;
  if (error instanceof NangoReconnectRequiredError) return 424; // the user must reconnect
  if (error instanceof NangoRateLimitError) return 503;
  if (error instanceof NangoUnavailableError) return 503;
  if (error instanceof NangoTimeoutError) return 504;
  return 502; // wrong secret key, a third-party error, any other refusal by Nango
}

/**
 * Turns a `NangoError` thrown by a handler or a service into an HTTP answer: 404 when the user
 * has no connection, 424 when they must reconnect, 503 (with `Retry-After`) on rate limits, ...
 * Nango errors never carry the secret key or a token, so their message can be shown.
 */
@Catch(NangoError)
export class NangoErrorFilter implements ExceptionFilter {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(error: NangoError, host: ArgumentsHost): void {
    const { httpAdapter } = this.adapterHost;
    const response: unknown = host.switchToHttp().getResponse();
    const statusCode = statusOf(error);
    if (error instanceof NangoRateLimitError && error.retryAfter !== undefined) {
      httpAdapter.setHeader(response, 'Retry-After', String(error.retryAfter));
    }
    const body: Record<string, unknown> = { statusCode, error: error.name, message: error.message };
    if (error instanceof NangoReconnectRequiredError) {
      body['reconnect'] = { providerConfigKey: error.providerConfigKey };
    }
    httpAdapter.reply(response, body, statusCode);
  }
}
