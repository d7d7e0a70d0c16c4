import { isRecord } from '../../utils/is-record.js';
import type {
  StandInAction,
  StandInConnectionSeed,
  StandInCredentials,
  StandInFunctionSeed,
  StandInProviderSeed,
  StandInRecordsSeed,
} from './stand-in.interfaces.js';
import { StandInRecords, type StandInSyncResults } from './stand-in.records.js';
import { dbTimestamp, postgresTimestamp, type StandInJsonAnswer } from './stand-in.wire.js';

/** The end user of a connection, as Nango sends it. */
export interface WireEndUser {
  id: string;
  display_name: string | null;
  email: string | null;
  tags: null;
  organization: null;
}

/** A connection as the stand-in keeps it. */
export interface StoredConnection {
  id: number;
  seed: StandInConnectionSeed;
  provider: string;
  credentials: StandInCredentials;
  raw: Record<string, unknown> | undefined;
  endUser: WireEndUser | null;
  tags: Record<string, string>;
  createdAt: string;
  /** `createdAt` as Postgres prints it (microseconds), for `GET /connections`. */
  created: string;
  updatedAt: string;
  lastFetchedAt: string;
  refreshCount: number;
  refreshFailed: boolean;
  errors: Array<{ type: string; log_id: string }>;
}

/** A connect session the stand-in handed out, kept until it is completed or expires. */
export interface StandInConnectSession {
  /** `end_user` of the session body. */
  endUser?: { id: string; email?: string; display_name?: string; tags?: Record<string, string> };
  /** `organization` of the session body. */
  organization?: { id: string; display_name?: string };
  /** `tags` of the session body. */
  tags?: Record<string, string>;
  /** `allowed_integrations` of the session body. */
  allowedIntegrations?: string[];
  /** `POST /connect/sessions/reconnect`: the existing connection the session reconnects. */
  reconnect?: { providerConfigKey: string; connectionId: string };
  /** Epoch milliseconds after which the token no longer works. */
  expiresAt: number;
}

/** Providers every stand-in knows. */
const BUILT_IN_PROVIDERS: readonly StandInProviderSeed[] = [
  { name: 'github', display_name: 'GitHub', auth_mode: 'OAUTH2', categories: ['dev-tools'] },
  { name: 'github-app', display_name: 'GitHub App', auth_mode: 'APP', categories: ['dev-tools'] },
  { name: 'slack', display_name: 'Slack', auth_mode: 'OAUTH2', categories: ['communication'] },
  { name: 'hubspot', display_name: 'HubSpot', auth_mode: 'OAUTH2', categories: ['marketing'] },
  { name: 'openai', display_name: 'OpenAI', auth_mode: 'API_KEY', categories: ['dev-tools'] },
];

/** What the stand-in remembers of a sync's runs on a connection (`sync()`), for `/sync/status`. */
export interface StoredSyncRuns {
  /** The start of the last successful run (the next failure webhook's `startedAt`). */
  lastStart?: string;
  /** `INITIAL` until a run succeeded, then `INCREMENTAL`. */
  type: 'INITIAL' | 'INCREMENTAL';
  /** When the last run ended, ISO with `Z`. */
  finishedAt: string;
  /** Whether the last run succeeded. */
  success: boolean;
  /** What the last successful run changed, by model (`{}` after a failed run). */
  latestResult: Record<string, StandInSyncResults>;
  /** The models the sync saved, for `recordCount`. */
  models: Set<string>;
}

/** One key for a tuple of names (integration, connection, model, ...). */
export function storeKey(...parts: string[]): string {
  return parts.join('\u0000');
}

/** The end user of a seed, in Nango's shape. */
export function wireEndUser(
  endUser: { id: string; email?: string | null; display_name?: string | null } | null | undefined,
): WireEndUser | null {
  if (endUser === undefined || endUser === null) return null;
  return {
    id: endUser.id,
    display_name: endUser.display_name ?? null,
    email: endUser.email ?? null,
    tags: null,
    organization: null,
  };
}

/**
 * The key of a stream of records: integration, connection and model, where a variant other
 * than `base` reads the model `<model>::<variant>` (as Nango stores it).
 */
export function recordStream(stream: {
  providerConfigKey: string;
  connectionId: string;
  model: string;
  variant?: string | undefined;
}): string {
  const { variant } = stream;
  const model =
    variant === undefined || variant === 'base' ? stream.model : `${stream.model}::${variant}`;
  return storeKey(stream.providerConfigKey, stream.connectionId, model);
}

function normaliseCredentials(credentials: StandInCredentials): StandInCredentials {
  const out: StandInCredentials = { ...credentials };
  delete out['raw'];
  const expires = out['expires_at'];
  if (expires instanceof Date) out['expires_at'] = expires.toISOString();
  return out;
}

/**
 * The stand-in's state: connections, integrations, records, actions, syncs, the provider
 * catalogue and deployed functions, and what the sync and environment routes remember. The
 * routes read and change it; the public class seeds it.
 */
export class StandInStore {
  /** Connections by `storeKey(providerConfigKey, connectionId)`. */
  readonly connections = new Map<string, StoredConnection>();
  /** Integrations: key -> provider. */
  readonly integrations = new Map<string, string>();
  /** When each integration was first listed. */
  readonly integrationCreatedAt = new Map<string, string>();
  /** Synced records, by {@link recordStream}. */
  readonly records = new StandInRecords();
  /** Actions by `storeKey(providerConfigKey, actionName)`. */
  readonly actions = new Map<string, StandInAction>();
  /** Sync names by integration. */
  readonly syncs = new Map<string, Set<string>>();
  /** The provider catalogue by name. */
  readonly providers = new Map<string, StandInProviderSeed>(
    BUILT_IN_PROVIDERS.map((p) => [p.name, p]),
  );
  /** Deployed functions by integration, then by `storeKey(type, name)`. */
  readonly functions = new Map<string, Map<string, StandInFunctionSeed>>();
  /** Deleted functions: `storeKey(providerConfigKey, type, name)`. */
  readonly deletedFunctions = new Set<string>();
  /** Paused sync schedules: `storeKey(providerConfigKey, sync, connectionId or '*')`. */
  readonly pausedSyncs = new Set<string>();
  /** Sync frequencies set per connection: `storeKey(providerConfigKey, sync, connectionId)`. */
  readonly syncFrequencies = new Map<string, string>();
  /** Sync runs played: `storeKey(providerConfigKey, connectionId, sync, variant)`. */
  readonly syncRuns = new Map<string, StoredSyncRuns>();
  /** Sync variants: `storeKey(providerConfigKey, connectionId, sync, variant)`. */
  readonly syncVariants = new Set<string>();
  /** Outcomes of asynchronous actions by id. */
  readonly asyncResults = new Map<string, StandInJsonAnswer>();
  /** Connect sessions handed out and not completed yet, by token. */
  readonly connectSessions = new Map<string, StandInConnectSession>();
  /** What `GET /environment-variables` answers. */
  environmentVariables: Array<{ name: string; value: string }> = [];
  private nextId = 0;

  /** `url`: the stand-in's base URL (logos are served under it). */
  constructor(readonly url: string) {}

  /** Adds connections, or replaces those with the same integration key and connection id. */
  seed(connections: StandInConnectionSeed[]): void {
    const now = Date.now();
    for (const seed of connections) {
      const key = storeKey(seed.providerConfigKey, seed.connectionId);
      const existing = this.connections.get(key);
      if (!this.integrations.has(seed.providerConfigKey)) {
        this.integrations.set(seed.providerConfigKey, seed.provider ?? seed.providerConfigKey);
      }
      const provider =
        seed.provider ?? this.integrations.get(seed.providerConfigKey) ?? seed.providerConfigKey;
      const endUser = wireEndUser(seed.endUser);
      const tags: Record<string, string> = { ...seed.tags };
      if (endUser !== null) {
        tags['end_user_id'] = endUser.id;
        if (endUser.email !== null) tags['end_user_email'] = endUser.email;
      }
      const createdAt = existing?.createdAt ?? dbTimestamp(now);
      const created =
        existing?.created ?? postgresTimestamp(now, Number(process.hrtime.bigint() % 1000n));
      const rawSeed = seed.credentials['raw'];
      this.connections.set(key, {
        id: existing?.id ?? ++this.nextId,
        seed: { ...seed },
        provider,
        credentials: normaliseCredentials(seed.credentials),
        raw: isRecord(rawSeed) ? { ...rawSeed } : undefined,
        endUser,
        tags,
        createdAt,
        created,
        updatedAt: dbTimestamp(now),
        lastFetchedAt: dbTimestamp(now),
        refreshCount: 0,
        refreshFailed: false,
        errors: [],
      });
    }
  }

  /** The stored connection, or undefined. */
  connection(providerConfigKey: string, connectionId: string): StoredConnection | undefined {
    return this.connections.get(storeKey(providerConfigKey, connectionId));
  }

  /** Whether the connection exists. */
  hasConnection(providerConfigKey: string, connectionId: string): boolean {
    return this.connections.has(storeKey(providerConfigKey, connectionId));
  }

  /** Drops every connection of an integration. */
  dropConnections(providerConfigKey: string): void {
    for (const [k, c] of this.connections) {
      if (c.seed.providerConfigKey === providerConfigKey) this.connections.delete(k);
    }
  }

  /** Adds an integration, or changes its provider. */
  addIntegration(key: string, provider?: string): void {
    this.integrations.set(key, provider ?? key);
  }

  /** Adds an integration with itself as provider, unless it exists. */
  ensureIntegration(key: string): void {
    if (!this.integrations.has(key)) this.addIntegration(key);
  }

  /** Replaces the records of a model of a connection: listed in the order given. */
  seedRecords(seed: StandInRecordsSeed): void {
    this.records.replace(recordStream(seed), seed.records);
  }

  /** Adds an action to an integration (created when missing). */
  addAction(providerConfigKey: string, actionName: string, run: StandInAction): void {
    this.ensureIntegration(providerConfigKey);
    this.actions.set(storeKey(providerConfigKey, actionName), run);
  }

  /** The actions of an integration. */
  actionNames(providerConfigKey: string): string[] {
    return [...this.actions.keys()]
      .filter((k) => k.startsWith(`${providerConfigKey}\u0000`))
      .map((k) => k.slice(providerConfigKey.length + 1));
  }

  /** Adds syncs to an integration (created when missing). */
  addSyncs(providerConfigKey: string, syncNames: string[]): void {
    this.ensureIntegration(providerConfigKey);
    const set = this.syncs.get(providerConfigKey) ?? new Set<string>();
    for (const name of syncNames) set.add(name);
    this.syncs.set(providerConfigKey, set);
  }

  /** The syncs of an integration. */
  syncNames(providerConfigKey: string): string[] {
    return [...(this.syncs.get(providerConfigKey) ?? [])];
  }

  /** Adds (or replaces) a provider of the catalogue. */
  addProvider(seed: StandInProviderSeed): void {
    this.providers.set(seed.name, { ...seed });
  }

  /** Adds (or replaces) a deployed function of an integration (created when missing). */
  addFunction(providerConfigKey: string, seed: StandInFunctionSeed): void {
    this.ensureIntegration(providerConfigKey);
    const map = this.functions.get(providerConfigKey) ?? new Map<string, StandInFunctionSeed>();
    map.set(storeKey(seed.type, seed.name), { ...seed });
    this.functions.set(providerConfigKey, map);
    this.deletedFunctions.delete(storeKey(providerConfigKey, seed.type, seed.name));
  }
}
