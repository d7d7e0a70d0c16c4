import { isRecord } from '../utils/is-record.js';
import {
  decode,
  header,
  invalidBody,
  jsonBody,
  notFound,
  type StandInHost,
  type StandInJsonAnswer,
  type StandInRouteRequest,
} from './stand-in-routes.shared.js';

/**
 * The stand-in's sync schedule (`/sync/start`, `/sync/pause`), frequency and variant routes,
 * record pruning, asynchronous action results (`/action/{id}`), environment variables and
 * scripts config, in the shapes of Nango 0.71's public API.
 */

/** The sync, record, action-result and environment routes; one per stand-in. */
export class StandInSyncRoutes {
  private readonly paused = new Set<string>();
  private readonly frequencies = new Map<string, string>();
  private readonly variants = new Set<string>();
  private readonly asyncResults = new Map<string, StandInJsonAnswer>();
  private environmentVariables: Array<{ name: string; value: string }> = [];

  constructor(private readonly host: StandInHost) {}

  /** Replaces the environment variables. */
  setEnvironmentVariables(variables: Array<{ name: string; value: string }>): void {
    this.environmentVariables = variables.map((v) => ({ ...v }));
  }

  /** Keeps the outcome of an asynchronous action for `GET /action/{id}`. */
  rememberAsyncResult(id: string, answer: StandInJsonAnswer): void {
    this.asyncResults.set(id, answer);
  }

  /** Whether a sync's schedule is paused for a connection (or for all connections). */
  isPaused(providerConfigKey: string, sync: string, connectionId?: string): boolean {
    return (
      this.paused.has(`${providerConfigKey}\u0000${sync}\u0000*`) ||
      (connectionId !== undefined &&
        this.paused.has(`${providerConfigKey}\u0000${sync}\u0000${connectionId}`))
    );
  }

  /** The frequency set for a sync of a connection, when overridden. */
  frequencyOf(providerConfigKey: string, sync: string, connectionId: string): string | undefined {
    return this.frequencies.get(`${providerConfigKey}\u0000${sync}\u0000${connectionId}`);
  }

  /** The answer of a route this module holds, or undefined. */
  route(req: StandInRouteRequest): StandInJsonAnswer | undefined {
    const { method, pathname } = req;
    const segments = pathname.split('/');
    const [, first, second, third, fourth] = segments;
    if (first === 'sync') {
      if (
        method === 'POST' &&
        (second === 'start' || second === 'pause') &&
        segments.length === 3
      ) {
        return this.schedule(req, second === 'pause');
      }
      if (method === 'PUT' && pathname === '/sync/update-connection-frequency') {
        return this.frequency(req);
      }
      if (segments.length === 5 && third === 'variant') {
        const name = decode(second);
        const variant = decode(fourth);
        if (name === undefined || variant === undefined) return undefined;
        if (method === 'POST') return this.createVariant(req, name, variant);
        if (method === 'DELETE') return this.deleteVariant(req, name, variant);
      }
      return undefined;
    }
    if (method === 'PATCH' && pathname === '/records/prune') return this.prune(req);
    if (method === 'GET' && first === 'action' && segments.length === 3) {
      const id = decode(second);
      if (id === undefined) return undefined;
      return this.asyncResults.get(id) ?? notFound('Action not completed yet');
    }
    if (method === 'GET' && pathname === '/environment-variables') {
      return { status: 200, body: this.environmentVariables };
    }
    if (method === 'GET' && pathname === '/scripts/config') return this.scriptsConfig(req);
    return undefined;
  }

  private syncBody(req: StandInRouteRequest): Record<string, unknown> | StandInJsonAnswer {
    const body = jsonBody(req);
    if (body === undefined) return invalidBody('body', 'Invalid input: expected object');
    const key = body['provider_config_key'];
    if (typeof key !== 'string') return invalidBody('provider_config_key', 'Invalid input');
    if (!this.host.integrations.has(key)) {
      return {
        status: 400,
        body: { error: { code: 'unknown_provider_config', message: 'Provider does not exists' } },
      };
    }
    const id = body['connection_id'];
    if (typeof id === 'string' && !this.host.hasConnection(key, id)) {
      return { status: 400, body: { error: { code: 'unknown_connection' } } };
    }
    return body;
  }

  private schedule(req: StandInRouteRequest, pause: boolean): StandInJsonAnswer {
    const body = this.syncBody(req);
    if (!isRecord(body) || 'status' in body) return body as StandInJsonAnswer;
    const key = body['provider_config_key'] as string;
    const syncs = body['syncs'];
    if (!Array.isArray(syncs)) return invalidBody('syncs', 'Invalid input: expected array');
    const known = this.host.syncNames(key);
    const id = typeof body['connection_id'] === 'string' ? body['connection_id'] : '*';
    for (const sync of syncs) {
      const name = isRecord(sync) ? sync['name'] : sync;
      if (typeof name !== 'string' || !known.includes(name)) {
        return invalidBody('syncs', `Sync "${String(name)}" does not exist`);
      }
      const entry = `${key}\u0000${name}\u0000${id}`;
      if (pause) this.paused.add(entry);
      else this.paused.delete(entry);
    }
    return { status: 200, body: { success: true } };
  }

  private frequency(req: StandInRouteRequest): StandInJsonAnswer {
    const body = this.syncBody(req);
    if (!isRecord(body) || 'status' in body) return body as StandInJsonAnswer;
    const key = body['provider_config_key'] as string;
    const name = body['sync_name'];
    const id = body['connection_id'];
    const frequency = body['frequency'];
    if (typeof name !== 'string') return invalidBody('sync_name', 'Invalid input');
    if (typeof id !== 'string') return invalidBody('connection_id', 'Invalid input');
    if (typeof frequency !== 'string' && frequency !== null) {
      return invalidBody('frequency', 'Invalid input');
    }
    if (!this.host.syncNames(key).includes(name)) {
      return { status: 404, body: { error: { code: 'unknown_sync', message: 'Sync not found' } } };
    }
    const entry = `${key}\u0000${name}\u0000${id}`;
    if (frequency === null) this.frequencies.delete(entry);
    else this.frequencies.set(entry, frequency);
    return { status: 200, body: { frequency: frequency ?? 'every hour' } };
  }

  private createVariant(
    req: StandInRouteRequest,
    name: string,
    variant: string,
  ): StandInJsonAnswer {
    const body = this.syncBody(req);
    if (!isRecord(body) || 'status' in body) return body as StandInJsonAnswer;
    const key = body['provider_config_key'] as string;
    const id = body['connection_id'];
    if (typeof id !== 'string') return invalidBody('connection_id', 'Invalid input');
    if (!this.host.syncNames(key).includes(name)) {
      return { status: 400, body: { error: { code: 'unknown_sync', message: 'Sync not found' } } };
    }
    if (variant === 'base') {
      return {
        status: 400,
        body: { error: { code: 'invalid_variant', message: 'Invalid variant' } },
      };
    }
    const entry = `${key}\u0000${id}\u0000${name}\u0000${variant}`;
    if (this.variants.has(entry)) {
      return {
        status: 400,
        body: { error: { code: 'sync_variant_already_exists', message: 'Variant already exists' } },
      };
    }
    this.variants.add(entry);
    return { status: 200, body: { id: `${id}-${name}-${variant}`, name, variant } };
  }

  private deleteVariant(
    req: StandInRouteRequest,
    name: string,
    variant: string,
  ): StandInJsonAnswer {
    const body = this.syncBody(req);
    if (!isRecord(body) || 'status' in body) return body as StandInJsonAnswer;
    const entry = `${String(body['provider_config_key'])}\u0000${String(body['connection_id'])}\u0000${name}\u0000${variant}`;
    if (!this.variants.delete(entry)) {
      return {
        status: 400,
        body: { error: { code: 'failed_sync_variant_deletion', message: 'No such variant' } },
      };
    }
    return { status: 200, body: { success: true } };
  }

  private prune(req: StandInRouteRequest): StandInJsonAnswer {
    const id = header(req.headers['connection-id']);
    const key = header(req.headers['provider-config-key']);
    if (id === undefined || key === undefined) {
      return { status: 400, body: { error: { code: 'invalid_headers' } } };
    }
    if (!this.host.hasConnection(key, id)) {
      return { status: 404, body: { error: { code: 'unknown_connection' } } };
    }
    const body = jsonBody(req);
    if (body === undefined) return invalidBody('body', 'Invalid input: expected object');
    const model = body['model'];
    const until = body['until_cursor'];
    if (typeof model !== 'string') return invalidBody('model', 'Invalid input');
    if (typeof until !== 'string') return invalidBody('until_cursor', 'Invalid input');
    const limit = typeof body['limit'] === 'number' ? body['limit'] : Infinity;
    const records = this.host.records(key, id, model) ?? [];
    const end = records.findIndex((r) => r.metadata['cursor'] === until);
    const upTo = end === -1 ? [] : records.slice(0, end + 1);
    const todo = upTo.filter((r) => r.metadata['pruned_at'] === null);
    const now = new Date().toISOString();
    const done = todo.slice(0, limit);
    for (const record of done) {
      record.metadata['pruned_at'] = now;
      for (const field of Object.keys(record.data)) if (field !== 'id') delete record.data[field];
    }
    return { status: 200, body: { count: done.length, has_more: todo.length > done.length } };
  }

  private scriptsConfig(req: StandInRouteRequest): StandInJsonAnswer {
    const format = req.query['format'] ?? 'nango';
    const keys = [...this.host.integrations.keys()].sort();
    if (format === 'openai') {
      const data = keys.flatMap((key) =>
        this.host.actionNames(key).map((name) => ({ name, description: '', parameters: {} })),
      );
      return { status: 200, body: { data } };
    }
    if (format !== 'nango') return invalidBody('format', 'Invalid option');
    return {
      status: 200,
      body: keys.map((key) => ({
        providerConfigKey: key,
        provider: this.host.integrations.get(key),
        syncs: this.host.syncNames(key).map((name) => ({ name, type: 'sync', enabled: true })),
        actions: this.host.actionNames(key).map((name) => ({ name, type: 'action' })),
      })),
    };
  }
}
