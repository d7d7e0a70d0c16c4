import { isRecord } from '../../../utils/is-record.js';
import type { RecordedRequest } from '../stand-in.interfaces.js';
import { decodeSegment, jsonBody } from '../stand-in.request.js';
import { recordStream, storeKey, type StandInStore } from '../stand-in.store.js';
import {
  errorAnswer,
  invalidBody,
  missingQueryParam,
  unknownConnection,
  unknownIntegration,
  type StandInJsonAnswer,
  isAnswer,
} from '../stand-in.wire.js';
import type { StandInRoute } from './stand-in-route.js';

/**
 * `/sync/...`, as `syncs.requests.ts` builds its requests: trigger, status, start and pause,
 * per-connection frequency, and variants.
 */

/** A sync request's body, with the integration it names (known) and its connection, if any. */
interface SyncBody {
  body: Record<string, unknown>;
  key: string;
  connectionId: unknown;
}

/** The routes of `/sync`. */
export const syncsRoutes: StandInRoute = (req, store) => {
  const { method, pathname } = req;
  const [, , second, third, fourth, ...rest] = pathname.split('/');
  if (method === 'POST' && pathname === '/sync/trigger') return triggerSync(req, store);
  if (method === 'GET' && pathname === '/sync/status') return syncStatus(req, store);
  if (method === 'POST' && (second === 'start' || second === 'pause') && third === undefined) {
    return schedule(req, store, second === 'pause');
  }
  if (method === 'PUT' && pathname === '/sync/update-connection-frequency') {
    return frequency(req, store);
  }
  if (third === 'variant' && fourth !== undefined && rest.length === 0) {
    const name = decodeSegment(second);
    const variant = decodeSegment(fourth);
    if (name === undefined || variant === undefined) return undefined;
    if (method === 'POST' || method === 'DELETE') return variantRoute(req, store, name, variant);
  }
  return undefined;
};

/** Records not deleted, by model, as `recordCount` counts them (`sync_status.json`). */
function recordCount(
  store: StandInStore,
  providerConfigKey: string,
  connectionId: string,
  models: Set<string> | undefined,
): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const model of models ?? []) {
    const records = store.records.list(recordStream({ providerConfigKey, connectionId, model }));
    counts[model] = records.filter((r) => r.metadata.deleted_at === null).length;
  }
  return counts;
}

/** The first of `syncs` (names or `{ name }`s) the integration does not have, if any. */
function unknownSync(syncs: unknown[], known: string[]): { name: string } | undefined {
  for (const sync of syncs) {
    const name = isRecord(sync) ? sync['name'] : sync;
    if (typeof name !== 'string' || !known.includes(name)) return { name: String(name) };
  }
  return undefined;
}

function syncNameOf(sync: unknown): string {
  return String(isRecord(sync) ? sync['name'] : sync);
}

function triggerSync(req: RecordedRequest, store: StandInStore): StandInJsonAnswer {
  const body = jsonBody(req);
  if (body === undefined) return invalidBody('body', 'Invalid input: expected object');
  const key = body['provider_config_key'];
  if (typeof key !== 'string') return invalidBody('provider_config_key');
  if (!store.integrations.has(key)) return unknownIntegration();
  const syncs = body['syncs'];
  if (!Array.isArray(syncs)) return invalidBody('syncs', 'Invalid input: expected array');
  const unknown = unknownSync(syncs, store.syncNames(key));
  if (unknown !== undefined) {
    return errorAnswer(400, 'invalid_body', `Sync "${unknown.name}" does not exist`);
  }
  const id = body['connection_id'];
  if (typeof id === 'string' && !store.hasConnection(key, id)) return unknownConnection();
  return { status: 200, body: { success: true } };
}

function syncStatus(req: RecordedRequest, store: StandInStore): StandInJsonAnswer {
  const { query } = req;
  const key = query['provider_config_key'];
  const names = query['syncs'];
  if (key === undefined) return missingQueryParam('provider_config_key');
  if (names === undefined) return missingQueryParam('syncs');
  const known = store.syncNames(key);
  const wanted = names === '*' ? known : names.split(',').filter((n) => known.includes(n));
  const id = query['connection_id'];
  const connections = [...store.connections.values()].filter(
    (c) => c.seed.providerConfigKey === key && (id === undefined || c.seed.connectionId === id),
  );
  return {
    status: 200,
    body: {
      syncs: connections.flatMap((c) =>
        wanted.map((name) => {
          const runs = store.syncRuns.get(storeKey(key, c.seed.connectionId, name, 'base'));
          const paused = [c.seed.connectionId, '*'].some((on) =>
            store.pausedSyncs.has(storeKey(key, name, on)),
          );
          const finishedAt = runs?.finishedAt ?? c.updatedAt;
          return {
            id: `${c.id}-${name}`,
            connection_id: c.seed.connectionId,
            type: runs?.type ?? 'INITIAL',
            finishedAt,
            // Every hour after the last run; none while paused (`sync_status_paused.json`).
            nextScheduledSyncAt: paused
              ? null
              : new Date(Date.parse(finishedAt) + 3_600_000).toISOString(),
            name,
            variant: 'base',
            status: paused ? 'PAUSED' : runs?.success === false ? 'ERROR' : 'SUCCESS',
            frequency: 'every hour',
            latestResult: runs?.latestResult ?? {},
            latestExecutionStatus: runs?.success === false ? 'STOPPED' : 'SUCCESS',
            recordCount: recordCount(store, key, c.seed.connectionId, runs?.models),
            checkpoint: null,
          };
        }),
      ),
    },
  };
}

/** The body of start, pause, frequency and variant requests, checked as Nango checks it. */
function syncBody(req: RecordedRequest, store: StandInStore): SyncBody | StandInJsonAnswer {
  const body = jsonBody(req);
  if (body === undefined) return invalidBody('body', 'Invalid input: expected object');
  const key = body['provider_config_key'];
  if (typeof key !== 'string') return invalidBody('provider_config_key', 'Invalid input');
  if (!store.integrations.has(key)) return unknownIntegration();
  const connectionId = body['connection_id'];
  if (typeof connectionId === 'string' && !store.hasConnection(key, connectionId)) {
    return unknownConnection();
  }
  return { body, key, connectionId };
}

function schedule(req: RecordedRequest, store: StandInStore, pause: boolean): StandInJsonAnswer {
  const checked = syncBody(req, store);
  if (isAnswer(checked)) return checked;
  const { body, key, connectionId } = checked;
  const syncs = body['syncs'];
  if (!Array.isArray(syncs)) return invalidBody('syncs', 'Invalid input: expected array');
  const unknown = unknownSync(syncs, store.syncNames(key));
  if (unknown !== undefined) return invalidBody('syncs', `Sync "${unknown.name}" does not exist`);
  const id = typeof connectionId === 'string' ? connectionId : '*';
  for (const sync of syncs) {
    const entry = storeKey(key, syncNameOf(sync), id);
    if (pause) store.pausedSyncs.add(entry);
    else store.pausedSyncs.delete(entry);
  }
  return { status: 200, body: { success: true } };
}

/** The sync body if it names a connection, else Nango's answer. */
function withConnection(
  checked: SyncBody,
): (SyncBody & { connectionId: string }) | StandInJsonAnswer {
  const { connectionId } = checked;
  if (typeof connectionId !== 'string') return invalidBody('connection_id', 'Invalid input');
  return { ...checked, connectionId };
}

function frequency(req: RecordedRequest, store: StandInStore): StandInJsonAnswer {
  const checked = syncBody(req, store);
  if (isAnswer(checked)) return checked;
  const name = checked.body['sync_name'];
  if (typeof name !== 'string') return invalidBody('sync_name', 'Invalid input');
  const named = withConnection(checked);
  if (isAnswer(named)) return named;
  const { body, key, connectionId } = named;
  const value = body['frequency'];
  if (typeof value !== 'string' && value !== null) return invalidBody('frequency', 'Invalid input');
  if (!store.syncNames(key).includes(name)) {
    return errorAnswer(404, 'unknown_sync', 'Sync not found');
  }
  const entry = storeKey(key, name, connectionId);
  if (value === null) store.syncFrequencies.delete(entry);
  else store.syncFrequencies.set(entry, value);
  return { status: 200, body: { frequency: value ?? 'every hour' } };
}

/** `POST` (create) or `DELETE` `/sync/{name}/variant/{variant}`. */
function variantRoute(
  req: RecordedRequest,
  store: StandInStore,
  name: string,
  variant: string,
): StandInJsonAnswer {
  const checked = syncBody(req, store);
  if (isAnswer(checked)) return checked;
  if (req.method === 'DELETE') {
    const entry = storeKey(checked.key, String(checked.connectionId), name, variant);
    if (!store.syncVariants.delete(entry)) {
      return errorAnswer(400, 'failed_sync_variant_deletion', 'No such variant');
    }
    return { status: 200, body: { success: true } };
  }
  const named = withConnection(checked);
  if (isAnswer(named)) return named;
  const { key, connectionId } = named;
  if (!store.syncNames(key).includes(name)) {
    return errorAnswer(400, 'unknown_sync', 'Sync not found');
  }
  if (variant === 'base') return errorAnswer(400, 'invalid_variant', 'Invalid variant');
  const entry = storeKey(key, connectionId, name, variant);
  if (store.syncVariants.has(entry)) {
    return errorAnswer(400, 'sync_variant_already_exists', 'Variant already exists');
  }
  store.syncVariants.add(entry);
  return { status: 200, body: { id: `${connectionId}-${name}-${variant}`, name, variant } };
}
