import { HttpCode, UseGuards, applyDecorators } from '@nestjs/common';
import { checkInstanceName } from '../nango.tokens.js';
import type { NangoWebhookOptions } from '../interfaces/nango-webhook.interface.js';
import { NangoWebhookMetadata } from './nango-webhook.constants.js';
import { NangoWebhookGuard } from './nango-webhook.guard.js';

/**
 * Marks a route as Nango's webhook endpoint: {@link NangoWebhookGuard} verifies
 * `X-Nango-Hmac-Sha256` before the handler runs (401 when it does not match), and the route
 * answers 200. Needs `NestFactory.create(AppModule, { rawBody: true })`.
 *
 * @example
 * \@Post('nango/webhooks')
 * \@NangoWebhook()
 * handle(\@NangoWebhookPayload() event: NangoWebhookBody) { ... }
 *
 * @param options `instance`: the named Nango instance whose signing keys apply
 */
export function NangoWebhook(options: NangoWebhookOptions = {}): MethodDecorator {
  const instance = checkInstanceName(options.instance);
  return applyDecorators(
    NangoWebhookMetadata(instance === undefined ? {} : { instance }),
    UseGuards(NangoWebhookGuard),
    HttpCode(200),
  );
}
