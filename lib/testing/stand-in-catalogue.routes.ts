import {
  decode,
  invalidBody,
  jsonBody,
  notFound,
  type StandInHost,
  type StandInJsonAnswer,
  type StandInRouteRequest,
} from './stand-in-routes.shared.js';

/**
 * The stand-in's provider catalogue (`/providers`), integration changes (`POST`, `PATCH`,
 * `DELETE /integrations...`) and deployed functions (`/integrations/{key}/functions...`), in
 * the shapes of Nango 0.71's public API.
 */

/** A provider of the stand-in's catalogue (`addProvider()`). */
export interface StandInProviderSeed {
  name: string;
  display_name?: string;
  auth_mode?: string;
  /** Function templates `getProviderTemplates()` lists. */
  templates?: Array<Record<string, unknown> & { name: string; type: string }>;
  /** Any other field of the provider. */
  [field: string]: unknown;
}

/** A function deployed to an integration (`addFunction()`); syncs and actions are listed too. */
export interface StandInFunctionSeed {
  name: string;
  type: 'action' | 'sync' | 'on-event';
  /** Its source, for `getFunctionCode()`. */
  code?: string;
  /** Any other field Nango lists. */
  [field: string]: unknown;
}

/** Providers every stand-in knows. */
const BUILT_IN_PROVIDERS: readonly StandInProviderSeed[] = [
  { name: 'github', display_name: 'GitHub', auth_mode: 'OAUTH2', categories: ['dev-tools'] },
  { name: 'github-app', display_name: 'GitHub App', auth_mode: 'APP', categories: ['dev-tools'] },
  { name: 'slack', display_name: 'Slack', auth_mode: 'OAUTH2', categories: ['communication'] },
  { name: 'hubspot', display_name: 'HubSpot', auth_mode: 'OAUTH2', categories: ['marketing'] },
  { name: 'openai', display_name: 'OpenAI', auth_mode: 'API_KEY', categories: ['dev-tools'] },
];

const INTEGRATION_FIELDS: ReadonlySet<string> = new Set([
  'provider',
  'unique_key',
  'display_name',
  'credentials',
  'forward_webhooks',
  'integration_config',
  'custom',
]);

/** The catalogue and function routes; one per stand-in. */
export class StandInCatalogueRoutes {
  private readonly providers = new Map<string, StandInProviderSeed>(
    BUILT_IN_PROVIDERS.map((p) => [p.name, p]),
  );
  private readonly functions = new Map<string, Map<string, StandInFunctionSeed>>();
  private readonly deletedFunctions = new Set<string>();

  constructor(private readonly host: StandInHost) {}

  /** Adds (or replaces) a provider of the catalogue. */
  addProvider(seed: StandInProviderSeed): void {
    this.providers.set(seed.name, { ...seed });
  }

  /** Adds (or replaces) a deployed function of an integration. */
  addFunction(providerConfigKey: string, seed: StandInFunctionSeed): void {
    if (!this.host.integrations.has(providerConfigKey)) {
      this.host.integrations.set(providerConfigKey, providerConfigKey);
    }
    const map = this.functions.get(providerConfigKey) ?? new Map<string, StandInFunctionSeed>();
    map.set(`${seed.type}\u0000${seed.name}`, { ...seed });
    this.functions.set(providerConfigKey, map);
    this.deletedFunctions.delete(`${providerConfigKey}\u0000${seed.type}\u0000${seed.name}`);
  }

  /** The answer of a route this module holds, or undefined. */
  route(req: StandInRouteRequest): StandInJsonAnswer | undefined {
    const segments = req.pathname.split('/');
    if (segments[1] === 'integrations') return this.integrationRoute(req, segments);
    if (segments[1] !== 'providers' || req.method !== 'GET') return undefined;
    if (segments.length === 2) return this.listProviders(req);
    const name = decode(segments[2]);
    if (name === undefined) return undefined;
    if (segments.length === 3) return this.getProvider(name);
    if (segments.length === 4 && segments[3] === 'templates') return this.templates(name);
    return undefined;
  }

  // ---------------------------------------------------------------- providers

  private providerWire(seed: StandInProviderSeed): Record<string, unknown> {
    const { templates, ...rest } = seed;
    void templates;
    return {
      display_name: seed.name,
      auth_mode: 'OAUTH2',
      ...rest,
      logo_url: `${this.host.url}/images/template-logos/${seed.name}.svg`,
    };
  }

  private listProviders(req: StandInRouteRequest): StandInJsonAnswer {
    const search = req.query['search']?.toLowerCase();
    const list = [...this.providers.values()].filter(
      (p) => search === undefined || p.name.toLowerCase().includes(search),
    );
    return { status: 200, body: { data: list.map((p) => this.providerWire(p)) } };
  }

  private getProvider(name: string): StandInJsonAnswer {
    const seed = this.providers.get(name);
    if (seed === undefined) return notFound(`Provider "${name}" does not exist`);
    return { status: 200, body: { data: this.providerWire(seed) } };
  }

  private templates(name: string): StandInJsonAnswer {
    const seed = this.providers.get(name);
    if (seed === undefined) return notFound(`Provider "${name}" does not exist`);
    return { status: 200, body: { data: seed.templates ?? [] } };
  }

  // ---------------------------------------------------------------- integrations and functions

  private integrationRoute(
    req: StandInRouteRequest,
    segments: string[],
  ): StandInJsonAnswer | undefined {
    const { method } = req;
    if (segments.length === 2 && method === 'POST') return this.createIntegration(req, false);
    if (segments.length === 3 && segments[2] === 'quickstart' && method === 'POST') {
      return this.createIntegration(req, true);
    }
    const key = decode(segments[2]);
    if (key === undefined) return undefined;
    if (segments.length === 3 && method === 'PATCH') return this.updateIntegration(req, key);
    if (segments.length === 3 && method === 'DELETE') {
      if (!this.host.integrations.has(key)) return notFound(`Integration "${key}" does not exist`);
      this.host.integrations.delete(key);
      this.host.dropConnections(key);
      this.functions.delete(key);
      return { status: 200, body: { success: true } };
    }
    if (segments[3] !== 'functions') return undefined;
    if (!this.host.integrations.has(key)) return notFound(`Integration "${key}" does not exist`);
    if (segments.length === 4 && method === 'GET') return this.listFunctions(req, key);
    const name = decode(segments[4]);
    if (name === undefined) return undefined;
    if (segments.length === 5 && method === 'GET') return this.getFunction(req, key, name, false);
    if (segments.length === 6 && segments[5] === 'code' && method === 'GET') {
      return this.getFunction(req, key, name, true);
    }
    if (segments.length === 5 && method === 'DELETE') return this.deleteFunction(req, key, name);
    return undefined;
  }

  private createIntegration(req: StandInRouteRequest, quickstart: boolean): StandInJsonAnswer {
    const body = jsonBody(req);
    if (body === undefined) return invalidBody('body', 'Invalid input: expected object');
    const provider = body['provider'];
    const key = body['unique_key'];
    if (typeof provider !== 'string') return invalidBody('provider', 'Invalid input');
    if (typeof key !== 'string') return invalidBody('unique_key', 'Invalid input');
    if (!this.providers.has(provider)) return invalidBody('provider', 'Invalid provider');
    if (quickstart && body['credentials'] !== undefined) {
      return invalidBody('credentials', 'Unrecognized key: "credentials"');
    }
    if (this.host.integrations.has(key))
      return invalidBody('uniqueKey', 'Unique key already exists');
    this.host.integrations.set(key, provider);
    return { status: 200, body: { data: this.host.integrationWire(key) } };
  }

  private updateIntegration(req: StandInRouteRequest, key: string): StandInJsonAnswer {
    if (!this.host.integrations.has(key)) return notFound(`Integration "${key}" does not exist`);
    const body = jsonBody(req);
    if (body === undefined) return invalidBody('body', 'Invalid input: expected object');
    const unknown = Object.keys(body).find((k) => !INTEGRATION_FIELDS.has(k) || k === 'provider');
    if (unknown !== undefined) return invalidBody(unknown, `Unrecognized key: "${unknown}"`);
    const newKey = body['unique_key'];
    let current = key;
    if (typeof newKey === 'string' && newKey !== key) {
      if (this.host.integrations.has(newKey)) {
        return invalidBody('uniqueKey', 'Unique key already exists');
      }
      this.host.integrations.set(newKey, this.host.integrations.get(key) as string);
      this.host.integrations.delete(key);
      current = newKey;
    }
    const data = this.host.integrationWire(current);
    if (typeof body['display_name'] === 'string') data['display_name'] = body['display_name'];
    return { status: 200, body: { data } };
  }

  private allFunctions(key: string): StandInFunctionSeed[] {
    const seeded = [...(this.functions.get(key)?.values() ?? [])];
    const derived: StandInFunctionSeed[] = [
      ...this.host.syncNames(key).map((name) => ({ name, type: 'sync' as const })),
      ...this.host.actionNames(key).map((name) => ({ name, type: 'action' as const })),
    ];
    const all = [...seeded];
    for (const fn of derived) {
      if (!all.some((f) => f.name === fn.name && f.type === fn.type)) all.push(fn);
    }
    return all.filter((f) => !this.deletedFunctions.has(`${key}\u0000${f.type}\u0000${f.name}`));
  }

  private functionWire(fn: StandInFunctionSeed): Record<string, unknown> {
    const { code, ...rest } = fn;
    void code;
    return { description: null, version: '0.0.1', enabled: true, ...rest };
  }

  private listFunctions(req: StandInRouteRequest, key: string): StandInJsonAnswer {
    const { type, search } = req.query;
    const page = Number(req.query['page'] ?? 0);
    const limit = Number(req.query['limit'] ?? 20);
    const selected = this.allFunctions(key).filter(
      (f) =>
        (type === undefined || f.type === type) &&
        (search === undefined || f.name.toLowerCase().includes(search.toLowerCase())),
    );
    return {
      status: 200,
      body: {
        data: selected.slice(page * limit, (page + 1) * limit).map((f) => this.functionWire(f)),
        pagination: { total: selected.length, page, limit },
      },
    };
  }

  private findFunction(
    req: StandInRouteRequest,
    key: string,
    name: string,
  ): StandInFunctionSeed | StandInJsonAnswer {
    const type = req.query['type'];
    const matches = this.allFunctions(key).filter(
      (f) => f.name === name && (type === undefined || f.type === type),
    );
    if (matches.length === 0) return notFound(`Function "${name}" does not exist`);
    if (matches.length > 1) {
      return {
        status: 400,
        body: {
          error: {
            code: 'ambiguous_function',
            message: `Several functions are named "${name}": pass type`,
            payload: { matches: matches.map((m) => ({ type: m.type, name: m.name })) },
          },
        },
      };
    }
    return matches[0] as StandInFunctionSeed;
  }

  private getFunction(
    req: StandInRouteRequest,
    key: string,
    name: string,
    code: boolean,
  ): StandInJsonAnswer {
    const found = this.findFunction(req, key, name);
    if ('status' in found && typeof found.status === 'number') return found as StandInJsonAnswer;
    const fn = found as StandInFunctionSeed;
    if (code) {
      return {
        status: 200,
        body: { type: fn.type, code: fn.code ?? `// ${fn.type} ${fn.name}\nexport default {};\n` },
      };
    }
    return { status: 200, body: { data: this.functionWire(fn) } };
  }

  private deleteFunction(req: StandInRouteRequest, key: string, name: string): StandInJsonAnswer {
    const type = req.query['type'];
    if (type !== 'action' && type !== 'sync') {
      return {
        status: 400,
        body: {
          error: {
            code: 'invalid_query_params',
            errors: [{ code: 'invalid_value', message: 'Invalid option', path: ['type'] }],
          },
        },
      };
    }
    const found = this.findFunction(req, key, name);
    if ('status' in found && typeof found.status === 'number') return found as StandInJsonAnswer;
    this.deletedFunctions.add(`${key}\u0000${type}\u0000${name}`);
    this.functions.get(key)?.delete(`${type}\u0000${name}`);
    return { status: 200, body: { data: { success: true } } };
  }
}
