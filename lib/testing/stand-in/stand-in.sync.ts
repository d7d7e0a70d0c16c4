import type { StandInRecordSeed } from './stand-in.interfaces.js';
import type { StandInSyncResults } from './stand-in.records.js';
import {
  recordStream,
  storeKey,
  type StandInStore,
  type StoredSyncRuns,
} from './stand-in.store.js';
import {
  postWebhook,
  sortedJson,
  webhookHeaders,
  type StandInWebhookDelivery,
} from './stand-in.webhook-sender.js';

/**
 * A sync run played by the stand-in (`standIn.sync()`): the records saved as Nango's persist
 * service saves them, then the `sync` webhook Nango's jobs service sends for the model
 * (`webhook_sync_success_*.json`).
 */

/** A sync run for `standIn.sync()`: what one run of a sync saved for one model. */
export interface StandInSyncOptions {
  providerConfigKey: string;
  connectionId: string;
  model: string;
  /** The sync's name, as the webhook's `syncName` says it; default: the model's name. */
  syncName?: string;
  /** The sync variant; default `base` (another variant is a stream of its own). */
  variant?: string;
  /** Records saved (an id already stored and not deleted counts as updated, as in Nango). */
  added?: StandInRecordSeed[];
  /** Records saved again with new data (an unknown or deleted id counts as added). */
  updated?: StandInRecordSeed[];
  /**
   * Records deleted: an id (the record then keeps only `{ id }`, as a `batchDelete` of ids
   * leaves it) or the payload the delete passed (kept as is). Unknown ids are skipped.
   */
  deleted?: Array<string | StandInRecordSeed>;
  /**
   * Plays a failed run instead (`webhook_sync_failure.json`): nothing is stored, and the webhook
   * says `success: false` with this error (`type` default `script_error`), `startedAt` the start
   * of the last successful run (as Nango sends it) and `failedAt` now. No records may be given.
   */
  error?: { type?: string; description: string; payload?: unknown };
  /**
   * Post this run's webhook here instead of the webhook target's URL (signed with the target's
   * key, or the secret key without a target), e.g. to one replica of several behind no balancer.
   */
  webhookUrl?: string;
  /**
   * Post the signed `sync` webhook to the webhook target; default true. Real Nango sends none
   * for a run that changed nothing unless `on_sync_completion_always` is set: pass false to
   * play that.
   */
  webhook?: boolean;
}

/** What `standIn.sync()` did. */
export interface StandInSyncRun {
  /** The run's start, ISO with `Z`: the webhook's `modifiedAfter` (and `queryTimeStamp`). */
  modifiedAfter: string;
  /** What the run changed: the webhook's `responseResults`. */
  results: StandInSyncResults;
  /** `INITIAL` for the first run of the sync on the connection, `INCREMENTAL` afterwards. */
  syncType: 'INITIAL' | 'INCREMENTAL';
  /** The webhook sent (absent with `webhook: false`). */
  webhook?: StandInWebhookDelivery;
}

/** Where the stand-in posts webhooks, and the key it signs them with. */
export interface StandInWebhookTarget {
  /** The app's webhook route, e.g. `http://127.0.0.1:3000/nango/webhooks`. */
  url: string;
  /** The environment's webhook signing key; default the stand-in's secret key. */
  signingKey?: string;
}

/** The stand-in's sync runs: which syncs ran before, and where webhooks go. */
export class StandInSyncs {
  private target: Required<StandInWebhookTarget> | undefined;

  constructor(
    private readonly store: StandInStore,
    private readonly defaultKey: string,
  ) {}

  /** Sets where webhooks are posted, and the signing key (default: the secret key). */
  setTarget(url: string, signingKey?: string): void {
    httpUrl(url, 'setWebhookTarget');
    if (signingKey !== undefined && signingKey === '') {
      throw new TypeError('standIn.setWebhookTarget(): the signing key must not be empty');
    }
    this.target = { url, signingKey: signingKey ?? this.defaultKey };
  }

  /** Plays a run: stores its records, then posts the signed webhook (unless told not to). */
  async run(options: StandInSyncOptions): Promise<StandInSyncRun> {
    const { providerConfigKey, connectionId, model } = checkRun(options);
    const send = options.webhook ?? true;
    const target =
      options.webhookUrl === undefined
        ? this.target
        : {
            url: httpUrl(options.webhookUrl, 'sync'),
            signingKey: this.target?.signingKey ?? this.defaultKey,
          };
    if (send && target === undefined) {
      throw new Error(
        'standIn.sync(): no webhook target: pass `webhooks: { url }` to NangoStandIn.start(), ' +
          'call standIn.setWebhookTarget(url), or pass `webhook: false`',
      );
    }
    if (!this.store.hasConnection(providerConfigKey, connectionId)) {
      throw new Error(
        `standIn.sync(): the stand-in has no connection "${connectionId}" of integration ` +
          `"${providerConfigKey}": seed it first`,
      );
    }
    const syncName = options.syncName ?? model;
    const variant = options.variant ?? 'base';
    this.store.addSyncs(providerConfigKey, [syncName]);
    const state = this.state(storeKey(providerConfigKey, connectionId, syncName, variant), model);
    const { lastStart } = state;
    const syncType = lastStart === undefined ? 'INITIAL' : 'INCREMENTAL';
    const modifiedAfter = this.store.records.startRun();
    const sent = {
      ...{ type: 'sync', from: 'nango', connectionId, providerConfigKey, syncName },
      ...{ syncVariant: variant, model, syncType },
    };
    let results: StandInSyncResults = { added: 0, updated: 0, deleted: 0 };
    let body: string;
    if (options.error === undefined) {
      results = this.store.records.apply(recordStream({ ...options, variant }), {
        upserts: [...(options.added ?? []), ...(options.updated ?? [])],
        deletes: (options.deleted ?? []).map((d) => (typeof d === 'string' ? { id: d } : d)),
      });
      const latestResult = state.success ? { ...state.latestResult } : {};
      Object.assign(state, { lastStart: modifiedAfter, type: 'INCREMENTAL', success: true });
      state.latestResult = { ...latestResult, [model]: results };
      body = sortedJson({
        ...sent,
        success: true,
        responseResults: results,
        modifiedAfter,
        queryTimeStamp: modifiedAfter,
      });
    } else {
      Object.assign(state, { success: false, latestResult: {} });
      const { type = 'script_error', ...rest } = options.error;
      body = sortedJson({
        ...sent,
        success: false,
        error: { type, ...rest },
        startedAt: lastStart ?? modifiedAfter,
        failedAt: new Date().toISOString(),
      });
    }
    state.finishedAt = new Date().toISOString();
    const run: StandInSyncRun = { modifiedAfter, results, syncType };
    if (!send || target === undefined) return run;
    const headers = webhookHeaders(body, target.signingKey);
    const status = await postWebhook(target.url, body, headers);
    return { ...run, webhook: { url: target.url, status, body, headers } };
  }

  /** The runs of a sync on a connection so far (created on its first run). */
  private state(key: string, model: string): StoredSyncRuns {
    let state = this.store.syncRuns.get(key);
    if (state === undefined) {
      state = {
        type: 'INITIAL',
        finishedAt: '',
        success: true,
        latestResult: {},
        models: new Set(),
      };
      this.store.syncRuns.set(key, state);
    }
    state.models.add(model);
    return state;
  }

  /** Sends a run's webhook again (Nango's retry): the same bytes and signatures, to `url` or the same URL. */
  async resend(run: StandInSyncRun, url?: string): Promise<number> {
    const { webhook } = run;
    if (webhook === undefined) {
      throw new Error('standIn.resendWebhook(): that run sent no webhook (`webhook: false`)');
    }
    const to = url === undefined ? webhook.url : httpUrl(url, 'resendWebhook');
    return postWebhook(to, webhook.body, webhook.headers);
  }
}

/** The URL, when it is an http(s) one; else a TypeError naming the method. */
function httpUrl(url: string, method: string): string {
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    protocol = '';
  }
  if (protocol !== 'http:' && protocol !== 'https:') {
    throw new TypeError(`standIn.${method}(): "${url}" is not an http(s) URL`);
  }
  return url;
}

/** The run's names, when each is a non-empty string, and record ids likewise; else a TypeError. */
function checkRun(options: StandInSyncOptions): StandInSyncOptions {
  for (const field of ['providerConfigKey', 'connectionId', 'model'] as const) {
    const value: unknown = options[field];
    if (typeof value !== 'string' || value === '') {
      throw new TypeError(`standIn.sync(): ${field} must be a non-empty string`);
    }
  }
  for (const field of ['syncName', 'variant'] as const) {
    const value: unknown = options[field];
    if (value !== undefined && (typeof value !== 'string' || value === '')) {
      throw new TypeError(`standIn.sync(): ${field} must be a non-empty string when given`);
    }
  }
  const { error } = options;
  if (error !== undefined) {
    if (typeof error !== 'object' || error === null || typeof error.description !== 'string') {
      throw new TypeError('standIn.sync(): error must be { type?, description, payload? }');
    }
    if ([options.added, options.updated, options.deleted].some((l) => l !== undefined)) {
      throw new TypeError('standIn.sync(): a failed run (error) saves no records');
    }
  }
  for (const field of ['added', 'updated', 'deleted'] as const) {
    const list: unknown = options[field];
    if (list === undefined) continue;
    if (!Array.isArray(list)) throw new TypeError(`standIn.sync(): ${field} must be an array`);
    list.forEach((item: unknown, i) => {
      const id: unknown =
        typeof item === 'string' && field === 'deleted'
          ? item
          : typeof item === 'object' && item !== null && 'id' in item
            ? item.id
            : undefined;
      if (typeof id !== 'string' || id === '') {
        throw new TypeError(
          `standIn.sync(): ${field}[${i}] must be ${field === 'deleted' ? 'an id or ' : ''}a record with a non-empty string id`,
        );
      }
    });
  }
  return options;
}
