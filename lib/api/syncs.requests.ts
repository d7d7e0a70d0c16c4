import { NangoInvalidArgumentError } from '../errors/nango-misuse.errors.js';
import { checkFlag, checkId, checkObject, checkText, pathSegment } from './nango-arguments.js';
import type { NangoApiRequest } from './nango-api-request.js';
import type {
  NangoSyncSelector,
  NangoTriggerSyncOptions,
} from '../interfaces/nango-records.interface.js';
import type { NangoSyncMode } from '../interfaces/nango-sync.interface.js';

/**
 * Request builders of syncs: trigger, start, pause, status, frequency and variants
 * (`/sync/...`). Arguments are checked before anything is sent.
 */

const SYNC_MODES: ReadonlySet<unknown> = new Set([
  'incremental',
  'full_refresh',
  'full_refresh_and_clear_cache',
]);

/** Checks a list of syncs: names, or `{ name, variant }` objects. */
export function checkSyncList(
  operation: string,
  syncs: unknown,
  allowEmpty: boolean,
): NangoSyncSelector[] {
  if (!Array.isArray(syncs) || (!allowEmpty && syncs.length === 0)) {
    throw NangoInvalidArgumentError.create(
      operation,
      'syncs',
      `must be a list of sync names or { name, variant } objects${allowEmpty ? ' ([] for all)' : ''}.`,
    );
  }
  syncs.forEach((sync: unknown, i) => {
    if (typeof sync === 'string') return void checkId(operation, `syncs[${i}]`, sync);
    const s = checkObject(operation, `syncs[${i}]`, sync, "{ name: 'issues', variant: 'v2' }");
    checkId(operation, `syncs[${i}].name`, s['name']);
    checkText(operation, `syncs[${i}].variant`, s['variant']);
  });
  return syncs as NangoSyncSelector[];
}

/** A sync request with `data` as its body, its errors naming the integration (and connection). */
function withBody(
  method: 'POST' | 'PUT',
  url: string,
  data: Record<string, unknown>,
  context: NangoApiRequest['context'],
): NangoApiRequest {
  return { request: { method, url, data }, context };
}

function scope(operation: string, providerConfigKey: string, connectionId: string | undefined) {
  return {
    operation,
    providerConfigKey,
    ...(connectionId === undefined ? {} : { connectionId }),
  };
}

/**
 * `POST /sync/trigger`. The 4th argument is `{ reset, emptyCache }` (sent as `opts`) or, as
 * in the official client's deprecated form, a sync mode or boolean (sent as `sync_mode`).
 */
export function triggerSyncRequest(
  providerConfigKey: string,
  syncs: NangoSyncSelector[] | undefined,
  connectionId: string | undefined,
  syncOptions: NangoTriggerSyncOptions | NangoSyncMode | undefined,
): NangoApiRequest {
  const operation = 'triggerSync';
  const key = checkId(operation, 'providerConfigKey', providerConfigKey);
  const list = checkSyncList(operation, syncs ?? [], true);
  const data: Record<string, unknown> = { provider_config_key: key, syncs: list };
  if (connectionId !== undefined)
    data['connection_id'] = checkId(operation, 'connectionId', connectionId);
  if (typeof syncOptions === 'boolean') {
    data['sync_mode'] = syncOptions ? 'full_refresh' : 'incremental';
  } else if (typeof syncOptions === 'string') {
    if (!SYNC_MODES.has(syncOptions)) {
      throw NangoInvalidArgumentError.create(
        operation,
        'syncMode',
        'must be incremental, full_refresh or full_refresh_and_clear_cache (or { reset: true }).',
      );
    }
    data['sync_mode'] = syncOptions;
  } else if (syncOptions !== undefined) {
    const o = checkObject(operation, 'syncOptions', syncOptions, '{ reset: true }');
    const reset = checkFlag(operation, 'reset', o['reset']);
    const emptyCache = checkFlag(operation, 'emptyCache', o['emptyCache']);
    if (emptyCache && !reset) {
      throw NangoInvalidArgumentError.create(operation, 'emptyCache', 'needs reset: true as well.');
    }
    if (reset || emptyCache) data['opts'] = { reset, emptyCache };
  }
  return withBody('POST', '/sync/trigger', data, scope(operation, providerConfigKey, connectionId));
}

/** `POST /sync/start` or `/sync/pause`: starts or pauses the schedule of syncs. */
export function syncScheduleRequest(
  operation: 'startSync' | 'pauseSync',
  providerConfigKey: string,
  syncs: NangoSyncSelector[],
  connectionId: string | undefined,
): NangoApiRequest {
  const key = checkId(operation, 'providerConfigKey', providerConfigKey);
  const data: Record<string, unknown> = {
    syncs: checkSyncList(operation, syncs, false),
    provider_config_key: key,
  };
  if (connectionId !== undefined)
    data['connection_id'] = checkId(operation, 'connectionId', connectionId);
  const url = operation === 'startSync' ? '/sync/start' : '/sync/pause';
  return withBody('POST', url, data, scope(operation, providerConfigKey, connectionId));
}

function syncFullName(operation: string, sync: NangoSyncSelector, i: number): string {
  const [name, variant] =
    typeof sync === 'string' ? [sync, undefined] : [sync.name, sync.variant ?? undefined];
  for (const part of [name, variant]) {
    if (part?.includes(',')) {
      throw NangoInvalidArgumentError.create(operation, `syncs[${i}]`, 'must not contain ",".');
    }
  }
  return variant === undefined ? name : `${name}::${variant}`;
}

/** `GET /sync/status?provider_config_key=&syncs=&connection_id=` (`{ name, variant }` -> `name::variant`). */
export function syncStatusRequest(
  providerConfigKey: string,
  syncs: '*' | NangoSyncSelector[],
  connectionId: string | undefined,
): NangoApiRequest {
  const operation = 'syncStatus';
  const query = new URLSearchParams({
    provider_config_key: checkId(operation, 'providerConfigKey', providerConfigKey),
  });
  if (syncs === '*') {
    query.set('syncs', '*');
  } else if (Array.isArray(syncs) && syncs.length > 0) {
    const list = checkSyncList(operation, syncs, false);
    query.set('syncs', list.map((s, i) => syncFullName(operation, s, i)).join(','));
  } else {
    throw NangoInvalidArgumentError.create(
      operation,
      'syncs',
      "must be '*' (every sync) or a non-empty list of sync names or { name, variant } objects.",
    );
  }
  if (connectionId !== undefined)
    query.set('connection_id', checkId(operation, 'connectionId', connectionId));
  return {
    request: { method: 'GET', url: `/sync/status?${query}` },
    context: scope(operation, providerConfigKey, connectionId),
  };
}

/** `PUT /sync/update-connection-frequency`; `frequency: null` reverts to the default. */
export function syncFrequencyRequest(
  providerConfigKey: string,
  sync: NangoSyncSelector,
  connectionId: string,
  frequency: string | null,
): NangoApiRequest {
  const operation = 'updateSyncConnectionFrequency';
  const key = checkId(operation, 'providerConfigKey', providerConfigKey);
  const [s] = checkSyncList(operation, [sync], false) as [NangoSyncSelector];
  const id = checkId(operation, 'connectionId', connectionId);
  if (frequency !== null) checkId(operation, 'frequency', frequency);
  const data: Record<string, unknown> =
    typeof s === 'string' ? { sync_name: s } : { sync_name: s.name, sync_variant: s.variant };
  Object.assign(data, { provider_config_key: key, connection_id: id, frequency });
  const context = scope(operation, providerConfigKey, connectionId);
  return withBody('PUT', '/sync/update-connection-frequency', data, context);
}

/** `POST` (create) or `DELETE` `/sync/{name}/variant/{variant}` with the connection in the body. */
export function syncVariantRequest(
  operation: 'createSyncVariant' | 'deleteSyncVariant',
  props: unknown,
): NangoApiRequest {
  const p = checkObject(
    operation,
    'props',
    props,
    "{ provider_config_key: 'github', connection_id: 'c1', name: 'issues', variant: 'v2' }",
  );
  const name = pathSegment(operation, 'name', p['name']);
  const variant = pathSegment(operation, 'variant', p['variant']);
  const providerConfigKey = checkId(operation, 'provider_config_key', p['provider_config_key']);
  const connectionId = checkId(operation, 'connection_id', p['connection_id']);
  return {
    request: {
      method: operation === 'createSyncVariant' ? 'POST' : 'DELETE',
      url: `/sync/${name}/variant/${variant}`,
      data: { provider_config_key: providerConfigKey, connection_id: connectionId },
    },
    context: { operation, providerConfigKey, connectionId },
  };
}
