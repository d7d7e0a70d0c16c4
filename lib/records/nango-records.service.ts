import {
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { Observable, Subject } from 'rxjs';
import type { NangoService } from '../nango.service.js';
import type { ResolvedNangoOptions } from '../interfaces/nango-module-options.interface.js';
import type { NangoSyncSuccessWebhook } from '../interfaces/nango-webhook.interface.js';
import type { NangoSyncWebhookListener } from '../webhooks/nango-sync-webhook.listener.js';
import { NangoStartupError, NangoUsageError } from '../errors/nango-misuse.errors.js';
import { NangoTelemetry } from '../telemetry/nango-telemetry.js';
import { namedInstance } from '../nango.tokens.js';
import { registeredNangoInstances } from '../utils/registered-instances.js';
import { providerMethods } from '../utils/provider-methods.js';
import { recordCommittedPage, traceRecordsDrain } from '../telemetry/nango-records.telemetry.js';
import type { NangoDrainQueue } from './nango-drain-queue.js';
import { InProcessDrainQueue } from './in-process-drain-queue.js';
import { nangoRecordsStreamKey, type NangoRecordsStream } from './nango-records-stream.js';
import { onNangoRecordsOptions, type OnNangoRecordsOptions } from './on-nango-records.decorator.js';
import type { NangoRecordsBatch } from './nango-records-batch.interface.js';
import type { NangoRecordsEvent } from './nango-records.events.js';
import { describeRecordsStream } from './nango-records-parked.error.js';
import {
  drainRecordsStream,
  type NangoRecordsDrainReport,
  type NangoRecordsHandler,
} from './nango-records.drainer.js';
import {
  resolveNangoRecordsOptions,
  type ResolvedNangoRecordsOptions,
} from './nango-records.options.js';

/** A stream as `drain()` and `cursorOf()` take it: `variant` defaults to `base`. */
export type NangoRecordsStreamInput = Omit<NangoRecordsStream, 'variant' | 'instance'> & {
  readonly variant?: string;
};

/** One discovered handler with what it takes. */
interface Registered extends NangoRecordsHandler {
  readonly options: OnNangoRecordsOptions;
}

/**
 * Delivers synced records to the `@OnNangoRecords()` handlers of one Nango instance: a
 * verified `sync` webhook queues a drain of its stream; {@link NangoRecordsService.drain}
 * drains on demand; `records.reconcileEvery` drains every stream of the handled models
 * periodically. Drains run on the `records.queue` (in process by default, BullMQ for several
 * replicas), one at a time per stream. Subscribe to {@link NangoRecordsService.events$} to see
 * pages committed, retries and parked streams.
 */
export class NangoRecordsService
  implements NangoSyncWebhookListener, OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly logger = new Logger('NangoRecords');
  private readonly events = new Subject<NangoRecordsEvent>();
  private readonly records: ResolvedNangoRecordsOptions;
  private readonly queue: NangoDrainQueue;
  private readonly telemetry: NangoTelemetry | undefined;
  private readonly instance: string | undefined;
  private readonly stopping = new AbortController();
  private readonly webhookAt = new Map<string, number>();
  private readonly saidEmpty = new Set<string>();
  private readonly parkedStreams = new Map<string, NangoRecordsStream>();
  private handlers: Registered[] = [];
  private reconcileTimer?: NodeJS.Timeout;
  private started = false;

  /** What happens to the streams: pages committed, retries, parked streams, drains ended. */
  readonly events$: Observable<NangoRecordsEvent> = this.events.asObservable();

  /**
   * @param discovery finds the `@OnNangoRecords()` methods
   * @param scanner lists provider methods
   * @param nango the instance's service: every page is read with its `listRecords`
   * @param options the instance's resolved options (`records` among them)
   * @param hasWebhookRoute whether the instance mounts `webhooks: { path }`
   */
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly nango: NangoService,
    options: ResolvedNangoOptions,
    private readonly hasWebhookRoute: boolean,
  ) {
    this.records = options.records ?? resolveNangoRecordsOptions(undefined, options.name);
    this.instance = options.name;
    this.queue =
      this.records.queue === 'in-process'
        ? new InProcessDrainQueue(this.records.concurrency)
        : this.records.queue;
    this.telemetry = NangoTelemetry.of(options);
  }

  /** Finds the handlers of this instance; a misuse stops `app.init()` with what to change. */
  onModuleInit(): void {
    const found: Registered[] = [];
    const problems: Array<{ handler: string; problem: string }> = [];
    const registered = registeredNangoInstances(this.discovery);
    for (const { instance, name, fn } of providerMethods(this.discovery, this.scanner)) {
      const all = onNangoRecordsOptions(fn);
      const seen = new Set(
        all.map((o) =>
          JSON.stringify([
            namedInstance(o.instance),
            o.model,
            o.providerConfigKey,
            o.variant ?? 'base',
            o.syncName,
          ]),
        ),
      );
      if (seen.size < all.length) {
        problems.push({
          handler: name,
          problem: `${name} has the same @OnNangoRecords() twice: it would get every page twice`,
        });
      }
      for (const wanted of new Set(all.map((o) => namedInstance(o.instance)))) {
        if (wanted === undefined || registered(wanted)) continue;
        problems.push({
          handler: name,
          problem: `${name} has @OnNangoRecords({ instance: '${wanted}' }) but the application registers no NangoModule.forRoot({ name: '${wanted}' }): it would never get a page`,
        });
      }
      const mine = all.filter((o) => namedInstance(o.instance) === namedInstance(this.instance));
      for (const options of mine) {
        const call = (batch: NangoRecordsBatch): unknown =>
          (fn as (b: NangoRecordsBatch) => unknown).call(instance, batch);
        found.push({ name, options, call });
      }
    }
    if (found.length > 0 && !this.hasWebhookRoute && this.records.reconcileEvery === undefined) {
      const named = this.instance === undefined ? '' : ` (name: '${this.instance}')`;
      for (const handler of found) {
        problems.push({
          handler: handler.name,
          problem:
            `${handler.name} has @OnNangoRecords() but NangoModule.forRoot()${named} mounts no webhook route: ` +
            "add webhooks: { path: 'nango/webhooks' } so sync webhooks start drains (or records: { reconcileEvery } to drain on a timer)",
        });
      }
    }
    if (problems.length > 0) throw NangoStartupError.create(problems);
    this.handlers = found;
  }

  /** Starts the queue (and the reconcile timer) when the instance has handlers. */
  async onApplicationBootstrap(): Promise<void> {
    if (this.handlers.length === 0) return;
    await this.queue.start((stream) => this.run(stream).then(() => undefined));
    this.started = true;
    const every = this.records.reconcileEvery;
    if (every !== undefined) {
      this.reconcileTimer = setInterval(() => {
        this.reconcile().catch((error: unknown) =>
          this.logger.warn(
            `Reconcile failed: ${error instanceof Error ? error.message : String(error)}`,
          ),
        );
      }, every);
      this.reconcileTimer.unref();
    }
  }

  /** Stops the timer and the waits between tries, then closes the queue (running drains end). */
  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.reconcileTimer);
    this.stopping.abort(new Error('The application is shutting down'));
    if (this.started) await this.queue.close();
    this.events.complete();
  }

  /**
   * Queues a drain of each stream a verified `sync` webhook (success) names, when a handler
   * takes it; resolves once queued with how many were. A run that changed nothing starts none
   * unless `records.drainEmptyRuns`.
   */
  async onSyncWebhook(payload: NangoSyncSuccessWebhook): Promise<number> {
    if (!this.started) return 0;
    const results = payload.responseResults;
    const changed = results === undefined || results.added + results.updated + results.deleted > 0;
    if (!changed && !this.records.drainEmptyRuns) return 0;
    const stream = this.stream({
      providerConfigKey: payload.providerConfigKey,
      connectionId: payload.connectionId,
      model: payload.model,
      variant: payload.syncVariant ?? 'base',
    });
    const takers = this.handlersOf(stream).filter(
      (h) => h.options.syncName === undefined || h.options.syncName === payload.syncName,
    );
    if (takers.length === 0) return 0;
    const key = nangoRecordsStreamKey(stream);
    if (!this.webhookAt.has(key)) this.webhookAt.set(key, Date.now());
    await this.queue.enqueue(stream);
    return 1;
  }

  /**
   * Drains a stream now, from its saved cursor to the end. With the in-process queue, resolves
   * when that drain ended and rejects with a `NangoRecordsParkedError` when it parked; with a
   * shared queue (BullMQ), resolves once the drain is queued (any replica may run it).
   */
  async drain(stream: NangoRecordsStreamInput): Promise<void> {
    const full = this.stream(stream);
    if (this.handlersOf(full).length === 0) {
      throw NangoUsageError.create(
        `NangoRecordsService.drain(): no @OnNangoRecords() handler takes ${describeRecordsStream(full)}, so nothing would receive its records`,
        `add @OnNangoRecords({ model: '${full.model}' }) to a provider method`,
      );
    }
    if (this.started && this.queue.run !== undefined) return this.queue.run(full);
    if (!this.started) await this.run(full);
    else await this.queue.enqueue(full);
  }

  /**
   * Queues a drain of every stream of the handled models, for every connection of their
   * integrations (`listConnections`): what `records.reconcileEvery` runs. Resolves with how
   * many streams were queued.
   */
  async reconcile(): Promise<number> {
    let queued = 0;
    const seen = new Set<string>();
    for await (const connection of this.nango.iterateConnections()) {
      for (const handler of this.handlers) {
        const { providerConfigKey, model, variant } = handler.options;
        if (providerConfigKey !== undefined && providerConfigKey !== connection.provider_config_key)
          continue;
        const stream = this.stream({
          providerConfigKey: connection.provider_config_key,
          connectionId: connection.connection_id,
          model,
          variant: variant ?? 'base',
        });
        const key = nangoRecordsStreamKey(stream);
        if (seen.has(key)) continue;
        seen.add(key);
        await this.queue.enqueue(stream);
        queued++;
      }
    }
    return queued;
  }

  /** The saved cursor of a stream (`undefined` before its first page was committed). */
  cursorOf(stream: NangoRecordsStreamInput): Promise<string | undefined> {
    return this.records.cursorStore.get(nangoRecordsStreamKey(this.stream(stream)));
  }

  /** The streams whose last drain parked (cleared when a drain of the stream ends well). */
  parked(): NangoRecordsStream[] {
    return [...this.parkedStreams.values()];
  }

  /** Resolves when no drain runs or waits in this process (see the queue's `idle()`). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** One drain of a stream, traced, with its outcome logged and told. */
  private async run(stream: NangoRecordsStream): Promise<NangoRecordsDrainReport> {
    const key = nangoRecordsStreamKey(stream);
    const webhookAt = this.webhookAt.get(key);
    this.webhookAt.delete(key);
    // No stream key on spans or metrics: it holds the connection id (telemetry.connectionId).
    const target = { providerConfigKey: stream.providerConfigKey, model: stream.model };
    try {
      const report = await traceRecordsDrain(this.telemetry, target, () =>
        drainRecordsStream(
          {
            list: (params) => this.nango.listRecords(params),
            handlers: this.handlersOf(stream),
            store: this.records.cursorStore,
            pageSize: this.records.pageSize,
            retry: this.records.retry,
            emit: (event) => this.events.next(event),
            committed: (records) => recordCommittedPage(this.telemetry, target, records, webhookAt),
            signal: this.stopping.signal,
          },
          stream,
        ),
      );
      this.parkedStreams.delete(key);
      if (report.empty && !this.saidEmpty.has(key)) {
        this.saidEmpty.add(key);
        this.logger.warn(
          `No records for ${describeRecordsStream(stream)}: Nango has none yet, or no sync writes model "${stream.model}" (an unknown model reads as empty)`,
        );
      }
      return report;
    } catch (error) {
      if (this.stopping.signal.aborted) {
        // Ended by the shutdown (while it waited between tries): not parked, and no error.
        this.logger.warn(
          `Drain of ${describeRecordsStream(stream)} stopped by the application's shutdown; its cursor stays on the last committed page`,
        );
        throw error;
      }
      this.parkedStreams.set(key, stream);
      this.logger.error(error instanceof Error ? error.message : String(error));
      throw error;
    }
  }

  private handlersOf(stream: NangoRecordsStream): Registered[] {
    return this.handlers.filter(
      ({ options }) =>
        options.model === stream.model &&
        (options.variant ?? 'base') === stream.variant &&
        (options.providerConfigKey === undefined ||
          options.providerConfigKey === stream.providerConfigKey),
    );
  }

  private stream(input: NangoRecordsStreamInput): NangoRecordsStream {
    return {
      ...(this.instance === undefined ? {} : { instance: this.instance }),
      providerConfigKey: input.providerConfigKey,
      connectionId: input.connectionId,
      model: input.model,
      variant: input.variant ?? 'base',
    };
  }
}
