import type { Attributes } from '@opentelemetry/api';
import type { NangoWebhookBody } from '../interfaces/nango-webhook.interface.js';
import type { NangoTelemetry } from './nango-telemetry.js';
import { NANGO_TELEMETRY, type NangoWebhookVerdict } from './nango-telemetry.names.js';

const names = NANGO_TELEMETRY.attributes;

/** The span name of a webhook, verified (its handlers run in it) or refused. */
export const NANGO_WEBHOOK_SPAN = 'nango webhook';

/** What a webhook's handlers did, as the dispatcher reports it. */
export interface NangoWebhookRun {
  /** Handlers run. */
  handlers: number;
  /** Handlers that failed. */
  failed: number;
}

/**
 * A refused webhook: one more `nango.webhooks.received` with its verdict, and an ended span
 * `nango webhook` saying why. Nothing of the unverified body is recorded.
 *
 * @param telemetry the instance's telemetry; `undefined` records nothing
 * @param verdict why it was refused
 */
export function recordRefusedWebhook(
  telemetry: NangoTelemetry | undefined,
  verdict: Exclude<NangoWebhookVerdict, 'verified'>,
): void {
  if (telemetry === undefined) return;
  telemetry.instruments?.webhooksReceived.add(1, { [names.webhookVerdict]: verdict });
  void telemetry.span(NANGO_WEBHOOK_SPAN, (span) => {
    span?.setAttribute(names.webhookVerdict, verdict);
    span?.setStatus({ code: 2, message: verdict });
    span?.end();
    return Promise.resolve();
  });
}

/**
 * Runs the handlers of a verified webhook in a span `nango webhook` (type, integration,
 * handlers run and failed), and counts it in `nango.webhooks.received`.
 *
 * @param telemetry the instance's telemetry; `undefined`: `run` runs as is
 * @param payload the verified webhook
 * @param run runs the handlers and reports what they did; its rejection is rethrown
 */
export async function traceWebhook(
  telemetry: NangoTelemetry | undefined,
  payload: NangoWebhookBody,
  run: () => Promise<NangoWebhookRun>,
): Promise<NangoWebhookRun> {
  if (telemetry === undefined) return run();
  const labels: Attributes = { [names.webhookType]: payload.type };
  telemetry.instruments?.webhooksReceived.add(1, { ...labels, [names.webhookVerdict]: 'verified' });
  return telemetry.span(NANGO_WEBHOOK_SPAN, async (span) => {
    if (span === undefined) return run();
    span.setAttributes({ ...labels, [names.webhookVerdict]: 'verified' });
    const key = (payload as { providerConfigKey?: unknown }).providerConfigKey;
    if (typeof key === 'string') span.setAttribute(names.providerConfigKey, key);
    try {
      const outcome = await run();
      span.setAttributes({
        [names.webhookHandlers]: outcome.handlers,
        [names.webhookHandlersFailed]: outcome.failed,
      });
      if (outcome.failed > 0) span.setStatus({ code: 2, message: 'handler failed' });
      return outcome;
    } finally {
      span.end();
    }
  });
}
