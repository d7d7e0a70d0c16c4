import {
  Inject,
  Injectable,
  InternalServerErrorException,
  Logger,
  Optional,
  type OnModuleInit,
} from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import type {
  NangoSyncSuccessWebhook,
  NangoWebhookBody,
} from '../interfaces/nango-webhook.interface.js';
import {
  matchesNangoWebhook,
  onNangoWebhookFilters,
  type OnNangoWebhookFilter,
} from './on-nango-webhook.decorator.js';
import { NangoInstanceRegistry } from '../nango-instance.registry.js';
import { namedInstance } from '../nango.tokens.js';
import { providerMethods } from '../utils/provider-methods.js';
import { NangoTelemetry } from '../telemetry/nango-telemetry.js';
import { traceWebhook, type NangoWebhookRun } from '../telemetry/nango-webhook.telemetry.js';
import {
  NANGO_SYNC_WEBHOOK_LISTENER,
  type NangoSyncWebhookListener,
} from './nango-sync-webhook.listener.js';

/** Token of the webhook route settings of one `forRoot({ webhooks })`. */
export const NANGO_WEBHOOK_ROUTE = Symbol('NANGO_WEBHOOK_ROUTE');

/** The webhook route settings of one `forRoot({ webhooks })`. */
export interface NangoWebhookRoute {
  /** The route's path, without leading or trailing `/`. */
  path: string;
  /** The named instance; absent for the default one. */
  instance?: string;
}

interface Handler {
  name: string;
  filters: readonly OnNangoWebhookFilter[];
  call: (payload: NangoWebhookBody) => unknown;
}

/**
 * Finds the `@OnNangoWebhook()` methods of the application's providers (with Nest's
 * `DiscoveryService`) when the module initialises, and hands each verified webhook to every
 * handler that matches it. All matching handlers run; when one throws, the others still run,
 * each failure is logged, and the route answers 500 so that Nango retries.
 */
@Injectable()
export class NangoWebhookDispatcher implements OnModuleInit {
  private readonly logger = new Logger('NangoWebhooks');
  private handlers: Handler[] = [];

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    @Inject(NANGO_WEBHOOK_ROUTE) private readonly route: NangoWebhookRoute,
    @Optional() private readonly registry?: NangoInstanceRegistry,
    @Optional()
    @Inject(NANGO_SYNC_WEBHOOK_LISTENER)
    private readonly records?: NangoSyncWebhookListener,
  ) {}

  /** Collects the handlers. */
  onModuleInit(): void {
    const handlers: Handler[] = [];
    for (const { instance, name, fn } of providerMethods(this.discovery, this.scanner)) {
      const filters = onNangoWebhookFilters(fn).filter(
        (f) => namedInstance(f.instance) === namedInstance(this.route.instance),
      );
      if (filters.length === 0 || typeof fn !== 'function') continue;
      handlers.push({
        name,
        filters,
        call: (payload) => (fn as (p: NangoWebhookBody) => unknown).call(instance, payload),
      });
    }
    this.handlers = handlers;
  }

  /** The handlers of a webhook, by `Class.method`. */
  handlersOf(payload: NangoWebhookBody): string[] {
    return this.matching(payload).map((h) => h.name);
  }

  /**
   * Runs every handler matching the webhook. Rejects with a 500 `HttpException` when one
   * failed (each failure logged with its handler); resolves when all succeeded or none matched.
   * Traced as a span `nango webhook` when telemetry is on.
   */
  async dispatch(payload: NangoWebhookBody): Promise<void> {
    const options = this.registry?.find(this.route.instance)?.options;
    const telemetry = options && NangoTelemetry.of(options);
    const { failed } = await traceWebhook(telemetry, payload, () => this.run(payload));
    if (failed > 0) {
      throw new InternalServerErrorException(
        `${failed} Nango webhook handler(s) failed; Nango will send the webhook again.`,
      );
    }
  }

  /** Runs every handler matching the webhook, logs each failure, and counts them. */
  private async run(payload: NangoWebhookBody): Promise<NangoWebhookRun> {
    const handlers = this.matching(payload);
    const records = this.records;
    if (records !== undefined && payload.type === 'sync' && payload.success === true) {
      // The records drains of the sync's stream: queued here, run after the route answered.
      handlers.push({
        name: 'NangoRecordsService.onSyncWebhook',
        filters: [],
        call: () => records.onSyncWebhook(payload as NangoSyncSuccessWebhook),
      });
    }
    const outcomes = await Promise.allSettled(
      handlers.map(async (handler) => handler.call(payload)),
    );
    let failed = 0;
    outcomes.forEach((outcome, i) => {
      if (outcome.status === 'fulfilled') return;
      failed++;
      const error = outcome.reason as unknown;
      const handler = (handlers[i] as Handler).name;
      this.logger.error(
        `${handler} failed on a "${payload.type}" webhook: ${error instanceof Error ? error.message : String(error)}`,
        error instanceof Error ? error.stack : undefined,
      );
    });
    return { handlers: handlers.length, failed };
  }

  private matching(payload: NangoWebhookBody): Handler[] {
    return this.handlers.filter((h) =>
      h.filters.some((f) => matchesNangoWebhook(f, payload, this.route.instance)),
    );
  }
}
