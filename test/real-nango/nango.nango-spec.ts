import 'reflect-metadata';
import { Test, type TestingModule } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import {
  NangoAuthenticationError,
  NangoConnectionNotFoundError,
  NangoIntegrationNotFoundError,
  NangoInvalidArgumentError,
  NangoInvalidRequestError,
  NangoModule,
  NangoReconnectRequiredError,
  NangoRequestError,
  NangoService,
} from '../../lib/index.js';

/**
 * The e2e cases that make sense against a real Nango (`npm run test:nango`): the Nango at
 * NANGO_TEST_HOST, with NANGO_TEST_SECRET_KEY. The suite seeds its own integrations and
 * connections through Nango's API (names start with a per-run prefix) and deletes them after.
 * Requests are paced under Nango's default limit of 200 a minute. Proxy calls to a third party
 * need NANGO_TEST_UPSTREAM_URL: an http(s) API the Nango server may reach (any path answers 2xx).
 */

const HOST = process.env['NANGO_TEST_HOST'] ?? '';
const SECRET_KEY = process.env['NANGO_TEST_SECRET_KEY'] ?? '';
const UPSTREAM = process.env['NANGO_TEST_UPSTREAM_URL'];
const PER_MINUTE = 150;

/** Spaces requests at least 60 s / PER_MINUTE apart, whoever sends them. */
let nextSlot = 0;
async function pace(): Promise<void> {
  const now = Date.now();
  const at = Math.max(now, nextSlot);
  nextSlot = at + Math.ceil(60_000 / PER_MINUTE);
  if (at > now) await new Promise((resolve) => setTimeout(resolve, at - now));
}

/** One paced call to Nango's API, outside the package (for seeding and cleaning up). */
async function api(method: string, path: string, body?: unknown): Promise<Response> {
  await pace();
  return fetch(`${HOST.replace(/\/$/, '')}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${SECRET_KEY}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

async function rejection(call: () => Promise<unknown>): Promise<unknown> {
  await pace();
  return call().then(
    () => undefined,
    (error: unknown) => error,
  );
}

async function paced<T>(call: () => Promise<T>): Promise<T> {
  await pace();
  return call();
}

const run = `nestjs-nango-${Date.now().toString(36)}`;
const keys = { none: `${run}-none`, apiKey: `${run}-apikey`, oauth2: `${run}-oauth2` };
const ids = { none: `${run}-none-1`, apiKey: `${run}-apikey-1`, expired: `${run}-expired-1` };
const endUser = `${run}-user`;

(HOST && SECRET_KEY ? describe : describe.skip)(`a real Nango at ${HOST}`, () => {
  let moduleRef: TestingModule;
  let nango: NangoService;

  beforeAll(async () => {
    const seeds: Array<[string, unknown]> = [
      ['/integrations', { provider: 'unauthenticated', unique_key: keys.none }],
      ['/integrations', { provider: 'jira-data-center-api-key', unique_key: keys.apiKey }],
      [
        '/integrations',
        {
          provider: 'absorb-lms',
          unique_key: keys.oauth2,
          credentials: { type: 'OAUTH2', client_id: 'test', client_secret: 'test', scopes: 'read' },
        },
      ],
      [
        '/connections',
        { provider_config_key: keys.none, connection_id: ids.none, credentials: { type: 'NONE' } },
      ],
      [
        '/connections',
        {
          provider_config_key: keys.apiKey,
          connection_id: ids.apiKey,
          connection_config: { baseUrl: UPSTREAM ?? 'https://example.invalid' },
          credentials: { type: 'API_KEY', apiKey: 'test-api-key' },
          end_user: { id: endUser },
          tags: { suite: run },
        },
      ],
      [
        '/connections',
        {
          provider_config_key: keys.oauth2,
          connection_id: ids.expired,
          // An expired token whose refresh cannot succeed: the token URL's host does not exist.
          connection_config: {
            portalRoute: 'nestjs-nango.invalid',
            restApiKey: 'k',
            apiVersion: '2',
          },
          credentials: {
            type: 'OAUTH2',
            access_token: 'expired-access-token',
            refresh_token: 'refresh-token',
            expires_at: '2020-01-01T00:00:00.000Z',
          },
        },
      ],
    ];
    for (const [path, body] of seeds) {
      const res = await api('POST', path, body);
      if (!res.ok) throw new Error(`seeding ${path} failed: ${res.status} ${await res.text()}`);
    }
    moduleRef = await Test.createTestingModule({
      imports: [NangoModule.forRoot({ secretKey: SECRET_KEY, host: HOST, retry: false })],
    }).compile();
    nango = moduleRef.get(NangoService);
  });

  afterAll(async () => {
    await moduleRef?.close();
    for (const [key, id] of [
      [keys.none, ids.none],
      [keys.apiKey, ids.apiKey],
      [keys.oauth2, ids.expired],
    ] as const) {
      await api('DELETE', `/connections/${encodeURIComponent(id)}?provider_config_key=${key}`);
    }
    for (const key of Object.values(keys)) {
      await api('DELETE', `/integrations/${encodeURIComponent(key)}`);
    }
  });

  it('credentials of each type: API_KEY and none', async () => {
    await expect(paced(() => nango.getToken(keys.apiKey, ids.apiKey))).resolves.toEqual({
      type: 'API_KEY',
      apiKey: 'test-api-key',
    });
    await expect(paced(() => nango.getToken(keys.none, ids.none))).resolves.toEqual({});
    const connection = await paced(() => nango.getConnection(keys.apiKey, ids.apiKey));
    expect(connection).toMatchObject({
      connection_id: ids.apiKey,
      provider_config_key: keys.apiKey,
      end_user: { id: endUser },
    });
  });

  it('list filters: connection id, end user, integration, tags, paging', async () => {
    const only = (list: { connections: Array<{ connection_id: string }> }) =>
      list.connections.map((c) => c.connection_id).sort();
    expect(only(await paced(() => nango.listConnections(ids.apiKey)))).toEqual([ids.apiKey]);
    expect(only(await paced(() => nango.listConnections({ userId: endUser })))).toEqual([
      ids.apiKey,
    ]);
    expect(only(await paced(() => nango.listConnections({ integrationId: keys.none })))).toEqual([
      ids.none,
    ]);
    expect(only(await paced(() => nango.listConnections({ tags: { suite: run } })))).toEqual([
      ids.apiKey,
    ]);
    const page = await paced(() => nango.listConnections({ limit: 1, page: 0 }));
    expect(page.connections).toHaveLength(1);
  });

  it('unknown connection and integration, on /connections/{id} and through the proxy', async () => {
    expect(await rejection(() => nango.getToken(keys.apiKey, `${run}-nope`))).toBeInstanceOf(
      NangoConnectionNotFoundError,
    );
    expect(await rejection(() => nango.getToken(`${run}-no-such`, ids.apiKey))).toBeInstanceOf(
      NangoIntegrationNotFoundError,
    );
    const proxy = (providerConfigKey: string, connectionId: string) => () =>
      nango.get({ endpoint: '/x', providerConfigKey, connectionId });
    expect(await rejection(proxy(keys.apiKey, `${run}-nope`))).toBeInstanceOf(
      NangoConnectionNotFoundError,
    );
    expect(await rejection(proxy(`${run}-no-such`, ids.apiKey))).toBeInstanceOf(
      NangoIntegrationNotFoundError,
    );
  });

  it("a connection id outside Nango's rule: refused before sending on /proxy, Nango's refusal on /connections/{id}", async () => {
    const proxied = await rejection(() =>
      nango.get({ endpoint: '/x', providerConfigKey: keys.apiKey, connectionId: 'bad!id' }),
    );
    expect(proxied).toBeInstanceOf(NangoInvalidArgumentError);
    const fetched = await rejection(() => nango.getConnection(keys.apiKey, 'bad!id'));
    expect(fetched).toBeInstanceOf(NangoInvalidRequestError);
    expect(fetched).toMatchObject({ status: 400, argument: 'connectionId' });
  });

  it("Nango's own refusal through the proxy: an unauthenticated API without a base URL", async () => {
    const error = await rejection(() =>
      nango.get({ endpoint: '/x', providerConfigKey: keys.none, connectionId: ids.none }),
    );
    expect(error).toBeInstanceOf(NangoRequestError);
    expect(error).toMatchObject({ status: 400, code: 'unsupported_provider' });
  });

  (UPSTREAM ? it : it.skip)('proxy GET and POST to NANGO_TEST_UPSTREAM_URL', async () => {
    const base = {
      providerConfigKey: keys.none,
      connectionId: ids.none,
      baseUrlOverride: UPSTREAM,
    };
    const got = await paced(() => nango.get({ ...base, endpoint: '/get', params: { q: '1' } }));
    expect(got.status).toBeGreaterThanOrEqual(200);
    expect(got.status).toBeLessThan(300);
    const posted = await paced(() =>
      nango.post({ ...base, endpoint: '/post', data: { name: 'widget' } }),
    );
    expect(posted.status).toBeGreaterThanOrEqual(200);
    expect(posted.status).toBeLessThan(300);
  });

  it('a failed refresh: the end user must reconnect, on /connections/{id} and through the proxy', async () => {
    const first = await rejection(() => nango.getToken(keys.oauth2, ids.expired));
    expect(first).toBeInstanceOf(NangoReconnectRequiredError);
    const again = await rejection(() => nango.getToken(keys.oauth2, ids.expired));
    expect(again).toBeInstanceOf(NangoReconnectRequiredError);
    const proxied = await rejection(() =>
      nango.get({ endpoint: '/x', providerConfigKey: keys.oauth2, connectionId: ids.expired }),
    );
    expect(proxied).toBeInstanceOf(NangoReconnectRequiredError);
  });

  it('a secret key Nango does not know', async () => {
    const ref = await Test.createTestingModule({
      imports: [NangoModule.forRoot({ secretKey: randomUUID(), host: HOST, retry: false })],
    }).compile();
    try {
      const error = await rejection(() => ref.get(NangoService).listConnections());
      expect(error).toBeInstanceOf(NangoAuthenticationError);
      expect(JSON.stringify(error)).not.toContain(SECRET_KEY);
    } finally {
      await ref.close();
    }
  });
});
