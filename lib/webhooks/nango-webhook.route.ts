import { Controller, Inject, Post, type Type } from '@nestjs/common';
import { NangoConfigurationError } from '../errors/nango-misuse.errors.js';
import { isRecord } from '../utils/is-record.js';
import { literalRoutePath } from '../utils/route-path.js';
import type { NangoWebhookBody } from '../interfaces/nango-webhook.interface.js';
import { NangoWebhook } from './nango-webhook.decorator.js';
import { NangoWebhookPayload } from './nango-webhook-payload.decorator.js';
import { NangoWebhookDispatcher, type NangoWebhookRoute } from './nango-webhook.dispatcher.js';

/** The `webhooks` extra of `forRoot()` / `forRootAsync()`: mount Nango's webhook route. */
export interface NangoWebhooksOptions {
  /** Where Nango posts webhooks, e.g. `'nango/webhooks'` (under the app's global prefix). */
  path: string;
}

function checkPath(webhooks: unknown): string {
  const path = literalRoutePath(isRecord(webhooks) ? webhooks['path'] : undefined);
  if (path === undefined) {
    throw NangoConfigurationError.create([
      {
        field: 'webhooks.path',
        problem: "must be a route path such as 'nango/webhooks' (no parameters, wildcards or '..')",
      },
    ]);
  }
  return path;
}

/**
 * The webhook route of a `forRoot({ webhooks })`, its path checked: a
 * `NangoConfigurationError` naming `webhooks.path` when it is not a literal route path.
 */
export function nangoWebhookRoute(
  webhooks: unknown,
  instance: string | undefined,
): NangoWebhookRoute {
  return { path: checkPath(webhooks), ...(instance === undefined ? {} : { instance }) };
}

/**
 * The controller of one webhook route: verifies once (`@NangoWebhook()`), then hands the
 * payload to the `NangoWebhookDispatcher`, which finds the `@OnNangoWebhook()` handlers.
 */
export function nangoWebhookController({ path, instance }: NangoWebhookRoute): Type {
  @Controller()
  class NangoWebhookController {
    constructor(
      @Inject(NangoWebhookDispatcher) private readonly dispatcher: NangoWebhookDispatcher,
    ) {}

    @Post(path)
    @NangoWebhook(instance === undefined ? {} : { instance })
    async receive(@NangoWebhookPayload() payload: NangoWebhookBody): Promise<{ ok: true }> {
      await this.dispatcher.dispatch(payload);
      return { ok: true };
    }
  }
  return NangoWebhookController;
}
