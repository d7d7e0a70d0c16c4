import type { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { namedInstance } from '../nango.tokens.js';
import { registeredNangoInstances } from '../utils/registered-instances.js';
import { providerMethods } from '../utils/provider-methods.js';
import { NANGO_WEBHOOK_ROUTE, type NangoWebhookRoute } from './nango-webhook.dispatcher.js';
import { onNangoWebhookFilters } from './on-nango-webhook.decorator.js';

/**
 * What is wrong with each `@OnNangoWebhook()` handler that no webhook route can ever call: its
 * instance registers no `forRoot()` at all, or one without `webhooks: { path }`. One line per
 * handler and instance, saying what to add.
 */
export function unroutedWebhookHandlers(
  discovery: DiscoveryService,
  scanner: MetadataScanner,
): string[] {
  const registered = registeredNangoInstances(discovery);
  const routed = new Set(
    discovery
      .getProviders()
      .filter((wrapper) => wrapper.token === NANGO_WEBHOOK_ROUTE)
      .map((wrapper) =>
        namedInstance((wrapper.instance as NangoWebhookRoute | undefined)?.instance),
      ),
  );
  const found: string[] = [];
  for (const { name, fn } of providerMethods(discovery, scanner)) {
    const instances = new Set(onNangoWebhookFilters(fn).map((f) => namedInstance(f.instance)));
    for (const instance of instances) {
      if (routed.has(instance)) continue;
      const forRoot =
        instance === undefined
          ? 'NangoModule.forRoot()'
          : `NangoModule.forRoot({ name: '${instance}' })`;
      found.push(
        registered(instance)
          ? `${name} has @OnNangoWebhook() but ${forRoot} mounts no webhook route, so it is never called: add webhooks: { path: 'nango/webhooks' }`
          : `${name} has @OnNangoWebhook({ instance: '${String(instance)}' }) but the application registers no ${forRoot}, so it is never called`,
      );
    }
  }
  return found;
}
