import { NangoStandIn, type StandInConnectionSeed } from '../lib/testing/index.js';
import { absorbOAuth2 as oauth2 } from './fixtures/seed.js';

interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

interface CallInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Authorization header value; `null` to send none. Default: the stand-in's key. */
  auth?: string | null;
  signal?: AbortSignal;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const DB_TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/;
/** `created` of `GET /connections`: microseconds, trailing zeros cut (connections_list_after_refresh_failures.json). */
const PG_TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{0,5}[1-9])?\+00:00$/;
const FUTURE = new Date(Date.now() + 3_600_000).toISOString();
const PAST = '2020-01-01T00:00:00.000Z';

const SEEDS: StandInConnectionSeed[] = [
  {
    connectionId: 'conn-apikey-1',
    providerConfigKey: 'jira-dc-test',
    provider: 'jira-data-center-api-key',
    credentials: { type: 'API_KEY', apiKey: 'sk-fake-api-key-123' },
    metadata: { team: 'a' },
    tags: { env: 'test' },
    endUser: { id: 'user-1', email: 'u1@example.com' },
    connectionConfig: { baseUrl: 'http://127.0.0.1:18080' },
  },
  { connectionId: 'conn-none-1', providerConfigKey: 'unauth-test', credentials: {} },
  {
    connectionId: 'conn-oauth1',
    providerConfigKey: 'oauth1-test',
    credentials: { type: 'OAUTH1', oauth_token: 'ot', oauth_token_secret: 'ots' },
  },
  {
    connectionId: 'conn-basic',
    providerConfigKey: 'basic-test',
    credentials: { type: 'BASIC', username: 'alice', password: 's3cret' },
  },
  oauth2('conn-oauth2-valid', FUTURE),
  oauth2('conn-oauth2-expired', PAST),
  { ...oauth2('conn-oauth2-force', FUTURE), tokenLifetimeSeconds: 120 },
  { ...oauth2('conn-oauth2-fail', PAST), refresh: 'fail' },
  { ...oauth2('conn-oauth2-fail-valid', FUTURE), refresh: 'fail' },
  { ...oauth2('conn-oauth2-fail-proxy', PAST), refresh: 'fail' },
  oauth2('conn-oauth2-proxy-expired', PAST),
  {
    connectionId: 'org/team?x y#1',
    providerConfigKey: 'unauth-test',
    credentials: { type: 'API_KEY', apiKey: 'weird' },
  },
];

let standIn: NangoStandIn;

async function call(path: string, init: CallInit = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...init.headers };
  const auth = init.auth === undefined ? `Bearer ${standIn.secretKey}` : init.auth;
  if (auth !== null) headers['Authorization'] = auth;
  const requestInit: RequestInit = { method: init.method ?? 'GET', headers };
  if (init.body !== undefined) requestInit.body = init.body;
  if (init.signal !== undefined) requestInit.signal = init.signal;
  const res = await fetch(`${standIn.url}${path}`, requestInit);
  const text = await res.text();
  const type = res.headers.get('content-type') ?? '';
  return {
    status: res.status,
    headers: res.headers,
    body: type.startsWith('application/json') ? (JSON.parse(text) as unknown) : text,
  };
}

function getConnection(id: string, key: string, extra = ''): Promise<Answer> {
  return call(
    `/connections/${encodeURIComponent(id)}?provider_config_key=${encodeURIComponent(key)}${extra}`,
  );
}

function field(body: unknown, ...path: string[]): unknown {
  let value = body;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

beforeAll(async () => {
  standIn = await NangoStandIn.start({ connections: SEEDS });
});

afterAll(async () => {
  await standIn.close();
});

describe('NangoStandIn', () => {
  it('listens on 127.0.0.1 with a UUID v4 secret key by default', () => {
    expect(standIn.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(standIn.secretKey).toMatch(UUID);
  });

  describe('auth', () => {
    it('401 missing_auth_header without Authorization, no ratelimit headers', async () => {
      const res = await call('/connections', { auth: null });
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(res.headers.get('x-ratelimit-limit')).toBeNull();
      expect(res.body).toEqual({
        error: {
          message: 'Authentication failed. The request is missing the Authorization header.',
          code: 'missing_auth_header',
          payload: {},
        },
      });
    });

    it.each(['Bearer not-a-valid-key', 'Basic abc', `Token ${'0'.repeat(8)}`])(
      '401 invalid_secret_key_format for %s',
      async (auth) => {
        const res = await call('/connections', { auth });
        expect(res.status).toBe(401);
        expect(res.body).toEqual({
          error: {
            message: 'Authentication failed. The provided secret key is not a UUID v4.',
            code: 'invalid_secret_key_format',
            payload: {},
          },
        });
      },
    );

    it('401 unknown_account for another UUID v4, on every route', async () => {
      for (const path of ['/connections', '/proxy/x', '/does-not-exist']) {
        const res = await call(path, { auth: 'Bearer 4cf2cf8b-b1c9-4b40-b1d0-85a827acd34e' });
        expect(res.status).toBe(401);
        expect(res.body).toEqual({
          error: {
            message:
              'Authentication failed. The provided authorization header does not match any account.',
            code: 'unknown_account',
            payload: {},
          },
        });
      }
    });
  });

  describe('GET /connection(s)/:id', () => {
    it('answers the full API_KEY connection with Nango headers', async () => {
      const res = await call('/connection/conn-apikey-1?provider_config_key=jira-dc-test');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(res.headers.get('x-ratelimit-limit')).toBe('200');
      expect(Number(res.headers.get('x-ratelimit-remaining'))).toBeLessThan(200);
      expect(Number(res.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
      expect(res.body).toEqual({
        id: 1,
        connection_id: 'conn-apikey-1',
        provider_config_key: 'jira-dc-test',
        provider: 'jira-data-center-api-key',
        errors: [],
        end_user: {
          id: 'user-1',
          display_name: null,
          email: 'u1@example.com',
          tags: null,
          organization: null,
        },
        tags: { env: 'test', end_user_id: 'user-1', end_user_email: 'u1@example.com' },
        metadata: { team: 'a' },
        connection_config: { baseUrl: 'http://127.0.0.1:18080' },
        webhook_url_override: null,
        created_at: expect.stringMatching(DB_TIMESTAMP),
        updated_at: expect.stringMatching(DB_TIMESTAMP),
        last_fetched_at: expect.stringMatching(DB_TIMESTAMP),
        credentials: { type: 'API_KEY', apiKey: 'sk-fake-api-key-123' },
      });
    });

    it('answers an unauthenticated connection with empty credentials', async () => {
      const res = await getConnection('conn-none-1', 'unauth-test');
      expect(res.status).toBe(200);
      expect(field(res.body, 'provider')).toBe('unauth-test');
      expect(field(res.body, 'end_user')).toBeNull();
      expect(field(res.body, 'tags')).toEqual({});
      expect(field(res.body, 'metadata')).toEqual({});
      expect(field(res.body, 'connection_config')).toEqual({});
      expect(field(res.body, 'credentials')).toEqual({});
    });

    it('answers OAUTH1 and BASIC credentials as seeded', async () => {
      const oauth1 = await getConnection('conn-oauth1', 'oauth1-test');
      expect(field(oauth1.body, 'credentials')).toEqual({
        type: 'OAUTH1',
        oauth_token: 'ot',
        oauth_token_secret: 'ots',
      });
      const basic = await getConnection('conn-basic', 'basic-test');
      expect(field(basic.body, 'credentials')).toEqual({
        type: 'BASIC',
        username: 'alice',
        password: 's3cret',
      });
    });

    it('answers OAUTH2 without refresh_token unless refresh_token=true', async () => {
      const plain = await getConnection('conn-oauth2-valid', 'absorb-test');
      expect(plain.status).toBe(200);
      expect(field(plain.body, 'credentials')).toEqual({
        type: 'OAUTH2',
        access_token: 'conn-oauth2-valid-at',
        expires_at: FUTURE,
        raw: { type: 'OAUTH2', access_token: 'conn-oauth2-valid-at', expires_at: FUTURE },
      });
      const withRefresh = await getConnection(
        'conn-oauth2-valid',
        'absorb-test',
        '&force_refresh=false&refresh_token=true',
      );
      expect(field(withRefresh.body, 'credentials')).toEqual({
        type: 'OAUTH2',
        access_token: 'conn-oauth2-valid-at',
        refresh_token: 'conn-oauth2-valid-rt',
        expires_at: FUTURE,
        raw: {
          type: 'OAUTH2',
          access_token: 'conn-oauth2-valid-at',
          refresh_token: 'conn-oauth2-valid-rt',
          expires_at: FUTURE,
        },
      });
    });

    it('decodes the id segment: "/", "?", "#" and spaces', async () => {
      const id = 'org/team?x y#1';
      const res = await getConnection(id, 'unauth-test');
      expect(res.status).toBe(200);
      expect(field(res.body, 'connection_id')).toBe(id);
      const last = standIn.requests[standIn.requests.length - 1];
      expect(last?.pathname).toBe('/connections/org%2Fteam%3Fx%20y%231');
      expect(last?.query).toEqual({ provider_config_key: 'unauth-test' });
    });

    it('does not match an unencoded "/" in the id', async () => {
      const res = await call('/connections/org/team?provider_config_key=unauth-test');
      expect(res.status).toBe(500);
      expect(field(res.body, 'error', 'code')).toBe('generic_error_support');
    });

    it('404 not_found for an unknown connection', async () => {
      const res = await call('/connection/does-not-exist?provider_config_key=absorb-test');
      expect(res.status).toBe(404);
      expect(res.headers.get('x-ratelimit-limit')).toBe('200');
      expect(res.body).toEqual({
        error: { code: 'not_found', message: 'Failed to find connection' },
      });
    });

    it('400 unknown_provider_config for an unknown integration', async () => {
      const res = await getConnection('conn-apikey-1', 'nope');
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: { code: 'unknown_provider_config', message: 'Provider does not exists' },
      });
    });

    it('400 invalid_query_params without provider_config_key', async () => {
      const res = await call('/connection/conn-apikey-1');
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: {
          code: 'invalid_query_params',
          errors: [
            {
              code: 'invalid_type',
              message: 'Invalid input: expected string, received undefined',
              path: ['provider_config_key'],
            },
          ],
        },
      });
    });

    it('400 invalid_query_params for an unknown query param', async () => {
      const res = await call('/connection/conn-apikey-1?provider_config_key=jira-dc-test&foo=bar');
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: {
          code: 'invalid_query_params',
          errors: [{ code: 'unrecognized_keys', message: 'Unrecognized key: "foo"', path: [] }],
        },
      });
    });

    it('refreshes an expired OAUTH2 token once, then serves the new one', async () => {
      const before = Date.now();
      const first = await getConnection('conn-oauth2-expired', 'absorb-test');
      expect(first.status).toBe(200);
      const credentials = field(first.body, 'credentials');
      expect(credentials).toEqual({
        type: 'OAUTH2',
        access_token: 'conn-oauth2-expired-access-1',
        expires_at: expect.any(String),
        raw: {
          access_token: 'conn-oauth2-expired-access-1',
          token_type: 'Bearer',
          expires_in: 3600,
        },
      });
      const expiresAt = Date.parse(String(field(credentials, 'expires_at')));
      expect(expiresAt).toBeGreaterThanOrEqual(before + 3_600_000);
      expect(expiresAt).toBeLessThanOrEqual(Date.now() + 3_600_000);

      const second = await getConnection(
        'conn-oauth2-expired',
        'absorb-test',
        '&refresh_token=true',
      );
      expect(field(second.body, 'credentials', 'access_token')).toBe(
        'conn-oauth2-expired-access-1',
      );
      expect(field(second.body, 'credentials', 'refresh_token')).toBe(
        'conn-oauth2-expired-refresh-1',
      );
      expect(standIn.connection('absorb-test', 'conn-oauth2-expired')?.credentials).toEqual({
        type: 'OAUTH2',
        access_token: 'conn-oauth2-expired-access-1',
        refresh_token: 'conn-oauth2-expired-refresh-1',
        expires_at: field(credentials, 'expires_at'),
      });
    });

    it('force_refresh=true issues a new token every time', async () => {
      const one = await getConnection('conn-oauth2-force', 'absorb-test', '&force_refresh=true');
      const two = await getConnection('conn-oauth2-force', 'absorb-test', '&force_refresh=true');
      expect(field(one.body, 'credentials', 'access_token')).toBe('conn-oauth2-force-access-1');
      expect(field(two.body, 'credentials', 'access_token')).toBe('conn-oauth2-force-access-2');
      const expiresAt = Date.parse(String(field(two.body, 'credentials', 'expires_at')));
      expect(expiresAt - Date.now()).toBeLessThanOrEqual(120_000);
      expect(expiresAt - Date.now()).toBeGreaterThan(110_000);
      expect(field(two.body, 'credentials', 'raw', 'expires_in')).toBe(120);
    });

    it('a failing refresh answers 400 invalid_credentials, then 424 while backing off', async () => {
      const first = await getConnection('conn-oauth2-fail', 'absorb-test');
      expect(first.status).toBe(400);
      expect(first.body).toEqual({
        error: {
          code: 'invalid_credentials',
          message:
            'The external API returned an error when trying to refresh the access token. Please try again later.',
          payload: {
            connection: {
              id: expect.any(Number),
              connection_id: 'conn-oauth2-fail',
              provider_config_key: 'absorb-test',
              provider: 'absorb-lms',
              errors: [{ type: 'auth', log_id: expect.stringMatching(/^\d+_\w+$/) }],
              end_user: null,
              tags: {},
              metadata: {},
              connection_config: {},
              webhook_url_override: null,
              created_at: expect.stringMatching(DB_TIMESTAMP),
              updated_at: expect.stringMatching(DB_TIMESTAMP),
              last_fetched_at: expect.stringMatching(DB_TIMESTAMP),
              credentials: {},
            },
          },
        },
      });
      const again = await getConnection('conn-oauth2-fail', 'absorb-test');
      expect(again.status).toBe(424);
      expect(field(again.body, 'error', 'code')).toBe('invalid_credentials');
      expect(field(again.body, 'error', 'message')).toBe(
        'A recent refresh attempt failed. Backing off before retrying.',
      );
      expect(field(again.body, 'error', 'payload', 'connection', 'credentials')).toEqual({});
    });

    it('a refresh-failing connection with a valid token answers 200 until forced', async () => {
      const ok = await getConnection('conn-oauth2-fail-valid', 'absorb-test');
      expect(ok.status).toBe(200);
      expect(field(ok.body, 'credentials', 'access_token')).toBe('conn-oauth2-fail-valid-at');
      const forced = await getConnection(
        'conn-oauth2-fail-valid',
        'absorb-test',
        '&force_refresh=true',
      );
      expect(forced.status).toBe(400);
      // force_refresh skips the backoff: 400 again (connection_get_oauth2_refresh_failed_force_refresh_in_backoff.json)
      const forcedAgain = await getConnection(
        'conn-oauth2-fail-valid',
        'absorb-test',
        '&force_refresh=true',
      );
      expect(forcedAgain.status).toBe(400);
      expect(field(forcedAgain.body, 'error', 'code')).toBe('invalid_credentials');
    });

    it('updates last_fetched_at on each fetch', async () => {
      const one = await getConnection('conn-none-1', 'unauth-test');
      await new Promise((r) => setTimeout(r, 5));
      const two = await getConnection('conn-none-1', 'unauth-test');
      expect(Date.parse(String(field(two.body, 'last_fetched_at')))).toBeGreaterThan(
        Date.parse(String(field(one.body, 'last_fetched_at'))),
      );
    });
  });

  describe('GET /connections', () => {
    beforeAll(() => {
      standIn.seed(
        {
          connectionId: 'list-a',
          providerConfigKey: 'list-test',
          provider: 'github',
          credentials: { type: 'API_KEY', apiKey: 'a' },
          endUser: { id: 'user-9', email: null, display_name: 'Nine' },
        },
        {
          connectionId: 'list-b',
          providerConfigKey: 'list-test',
          provider: 'github',
          credentials: { type: 'API_KEY', apiKey: 'b' },
          metadata: null,
        },
        {
          connectionId: 'list-c',
          providerConfigKey: 'list-test',
          provider: 'github',
          credentials: { type: 'API_KEY', apiKey: 'c' },
        },
      );
    });

    it('lists every connection without credentials, newest first', async () => {
      const res = await call('/connections');
      expect(res.status).toBe(200);
      const list = field(res.body, 'connections') as Array<Record<string, unknown>>;
      expect(list).toHaveLength(SEEDS.length + 3);
      const ids = list.map((c) => c['id']);
      expect(ids).toEqual([...ids].sort((a, b) => Number(b) - Number(a)));
      expect(list.every((c) => !('credentials' in c))).toBe(true);
      expect(list[list.length - 1]).toEqual({
        id: 1,
        connection_id: 'conn-apikey-1',
        provider_config_key: 'jira-dc-test',
        provider: 'jira-data-center-api-key',
        errors: [],
        end_user: {
          id: 'user-1',
          display_name: null,
          email: 'u1@example.com',
          tags: null,
          organization: null,
        },
        tags: { env: 'test', end_user_id: 'user-1', end_user_email: 'u1@example.com' },
        metadata: { team: 'a' },
        created: expect.stringMatching(PG_TIMESTAMP),
      });
    });

    it('filters by integrationId, connectionId, search and endUserId', async () => {
      const ids = async (query: string): Promise<unknown[]> => {
        const res = await call(`/connections?${query}`);
        expect(res.status).toBe(200);
        return (field(res.body, 'connections') as Array<Record<string, unknown>>).map(
          (c) => c['connection_id'],
        );
      };
      expect(await ids('integrationId=list-test')).toEqual(['list-c', 'list-b', 'list-a']);
      expect(await ids('connectionId=list-b')).toEqual(['list-b']);
      expect(await ids('search=LIST-')).toEqual(['list-c', 'list-b', 'list-a']);
      expect(await ids('endUserId=user-9')).toEqual(['list-a']);
      expect(await ids('endUserOrganizationId=org-1')).toEqual([]);
      expect(await ids('integrationId=list-test&limit=2&page=1')).toEqual(['list-a']);
      expect(await ids('integrationId=list-test&limit=2&page=0&tags=x')).toEqual([
        'list-c',
        'list-b',
      ]);
    });

    it('shows a failed refresh in errors and metadata null as null', async () => {
      const res = await call('/connections?connectionId=list-b');
      expect(field(res.body, 'connections')).toEqual([
        {
          id: expect.any(Number),
          connection_id: 'list-b',
          provider_config_key: 'list-test',
          provider: 'github',
          errors: [],
          end_user: null,
          tags: {},
          metadata: null,
          created: expect.stringMatching(PG_TIMESTAMP),
        },
      ]);
      const failed = await call('/connections?connectionId=conn-oauth2-fail');
      expect(field(failed.body, 'connections', '0', 'errors')).toEqual([
        { type: 'auth', log_id: expect.any(String) },
      ]);
    });

    it('400 invalid_query_params for an unknown query key', async () => {
      const res = await call('/connections?foo=1');
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: {
          code: 'invalid_query_params',
          errors: [{ code: 'unrecognized_keys', message: 'Unrecognized key: "foo"', path: [] }],
        },
      });
    });
  });

  describe('/proxy', () => {
    const apiKeyHeaders = {
      'Connection-Id': 'conn-apikey-1',
      'Provider-Config-Key': 'jira-dc-test',
    };

    it('echoes the request as the third-party API, with Nango-Proxy- headers and auth', async () => {
      const res = await call('/proxy/items?x=1&y=two', {
        method: 'POST',
        headers: {
          ...apiKeyHeaders,
          'Content-Type': 'application/json',
          'Nango-Proxy-X-Custom-Header': 'custom-value',
          Retries: '3',
          'Retry-On': '408,409',
          Decompress: 'true',
        },
        body: '{"name":"widget","qty":2}',
      });
      expect(res.status).toBe(200);
      // A 2xx keeps only the third party's content-type (proxy_get_apikey_upstream_headers_2xx.json).
      expect(res.headers.get('x-echo-server')).toBeNull();
      expect(res.headers.get('content-type')).toBe('application/json');
      expect(res.headers.get('x-ratelimit-limit')).toBe('200');
      expect(res.body).toEqual({
        echo: {
          method: 'POST',
          url: '/items?x=1&y=two',
          headers: {
            authorization: 'Bearer sk-fake-api-key-123',
            'x-custom-header': 'custom-value',
          },
          body: '{"name":"widget","qty":2}',
        },
      });
      const recorded = standIn.requests[standIn.requests.length - 1];
      expect(recorded?.headers['retries']).toBe('3');
      expect(recorded?.headers['retry-on']).toBe('408,409');
      expect(recorded?.headers['decompress']).toBe('true');
    });

    it('prefixes the base-url-override path', async () => {
      const res = await call('/proxy/items', {
        method: 'POST',
        headers: { ...apiKeyHeaders, 'Base-Url-Override': 'http://127.0.0.1:18080/v2' },
        body: 'x',
      });
      expect(field(res.body, 'echo', 'url')).toBe('/v2/items');
      const root = await call('/proxy/anything/path?x=1', {
        headers: {
          'Connection-Id': 'conn-none-1',
          'Provider-Config-Key': 'unauth-test',
          'Base-Url-Override': 'http://127.0.0.1:18080',
        },
      });
      expect(field(root.body, 'echo')).toEqual({
        method: 'GET',
        url: '/anything/path?x=1',
        headers: {},
        body: '',
      });
    });

    it('computes the authorization of OAUTH2 (refreshing expired tokens) and BASIC', async () => {
      const oauth = await call('/proxy/api/Users', {
        headers: {
          'Connection-Id': 'conn-oauth2-proxy-expired',
          'Provider-Config-Key': 'absorb-test',
        },
      });
      expect(oauth.status).toBe(200);
      expect(field(oauth.body, 'echo', 'headers', 'authorization')).toBe(
        'Bearer conn-oauth2-proxy-expired-access-1',
      );
      const basic = await call('/proxy/me', {
        headers: { 'Connection-Id': 'conn-basic', 'Provider-Config-Key': 'basic-test' },
      });
      expect(field(basic.body, 'echo', 'headers', 'authorization')).toBe(
        `Basic ${Buffer.from('alice:s3cret').toString('base64')}`,
      );
    });

    it('400 invalid_headers without connection-id or provider-config-key', async () => {
      const noConnection = await call('/proxy/x', {
        headers: { 'Provider-Config-Key': 'jira-dc-test' },
      });
      expect(noConnection.status).toBe(400);
      expect(noConnection.body).toEqual({
        error: {
          code: 'invalid_headers',
          errors: [
            {
              code: 'invalid_type',
              message: 'Invalid input: expected string, received undefined',
              path: ['connection-id'],
            },
          ],
        },
      });
      const noKey = await call('/proxy/x', { headers: { 'Connection-Id': 'conn-apikey-1' } });
      expect(noKey.status).toBe(400);
      expect(field(noKey.body, 'error', 'errors', '0', 'path')).toEqual(['provider-config-key']);
    });

    it('400 server_error for an unknown connection, 404 unknown_provider_config for an unknown integration', async () => {
      const res = await call('/proxy/x', {
        headers: { 'Connection-Id': 'nope', 'Provider-Config-Key': 'jira-dc-test' },
      });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: { code: 'server_error', message: 'Failed to get connection' },
      });
      const integration = await call('/proxy/x', {
        headers: { 'Connection-Id': 'conn-apikey-1', 'Provider-Config-Key': 'nope' },
      });
      expect(integration.status).toBe(404);
      expect(field(integration.body, 'error', 'code')).toBe('unknown_provider_config');
    });

    it('400 server_error on the first failed refresh, then 424 connection_refresh_backoff', async () => {
      const headers = {
        'Connection-Id': 'conn-oauth2-fail-proxy',
        'Provider-Config-Key': 'absorb-test',
      };
      const first = await call('/proxy/x', { headers });
      expect(first.status).toBe(400);
      expect(first.body).toEqual({
        error: {
          code: 'server_error',
          message:
            "Failed to get connection credentials: 'The external API returned an error when trying to refresh the access token. Please try again later.'",
        },
      });
      const res = await call('/proxy/x', { headers });
      expect(res.status).toBe(424);
      expect(res.body).toEqual({
        error: {
          code: 'connection_refresh_backoff',
          message: 'A recent refresh attempt failed. Backing off before retrying.',
        },
      });
    });

    it('passes a third-party status through /proxy/status/<code>', async () => {
      for (const code of [404, 500]) {
        const res = await call(`/proxy/status/${code}`, { headers: apiKeyHeaders });
        expect(res.status).toBe(code);
        expect(res.headers.get('x-ratelimit-limit')).toBe('200');
        expect(res.body).toEqual({ echo_error: true, status: code });
      }
    });

    it('streams /proxy/bytes/<n>', async () => {
      const n = 3 * 64 * 1024 + 123;
      const res = await fetch(`${standIn.url}/proxy/bytes/${n}`, {
        headers: { Authorization: `Bearer ${standIn.secretKey}`, ...apiKeyHeaders },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/octet-stream');
      expect(res.headers.get('content-length')).toBe(String(n));
      const bytes = new Uint8Array(await res.arrayBuffer());
      expect(bytes.length).toBe(n);
      expect([bytes[0], bytes[1], bytes[300], bytes[65536], bytes[n - 1]]).toEqual([
        0,
        1,
        300 & 0xff,
        0,
        (n - 1) & 0xff,
      ]);
    });
  });

  describe('script', () => {
    it('answers matching requests `times` times, before built-in routes', async () => {
      standIn.script({
        method: 'get',
        path: '/connections/conn-none-1',
        times: 2,
        respond: { status: 503, body: { down: true }, headers: { 'Retry-After': '1' } },
      });
      const one = await getConnection('conn-none-1', 'unauth-test');
      const two = await getConnection('conn-none-1', 'unauth-test');
      const three = await getConnection('conn-none-1', 'unauth-test');
      expect([one.status, two.status, three.status]).toEqual([503, 503, 200]);
      expect(one.body).toEqual({ down: true });
      expect(one.headers.get('retry-after')).toBe('1');
      expect(one.headers.get('x-ratelimit-limit')).toBe('200');
    });

    it('still checks auth first', async () => {
      const remove = standIn.script({ path: '/scripted', respond: { status: 200, body: 'ok' } });
      const res = await call('/scripted', { auth: null });
      expect(res.status).toBe(401);
      const ok = await call('/scripted');
      expect(ok.status).toBe(200);
      expect(ok.body).toBe('ok');
      remove();
      expect((await call('/scripted')).status).toBe(500);
    });

    it('checks the newest rule first and passes the request to a function', async () => {
      const removeOld = standIn.script({ path: /^\/fn\//, respond: { status: 418 } });
      const removeNew = standIn.script({
        method: 'POST',
        path: /^\/fn\//,
        respond: async (req) => ({ status: 201, body: { q: req.query, body: req.body } }),
      });
      const res = await call('/fn/x?a=1&a=2&b=%20', { method: 'POST', body: 'hello' });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({ q: { a: '2', b: ' ' }, body: 'hello' });
      expect((await call('/fn/x')).status).toBe(418);
      removeNew();
      removeOld();
    });

    it('delays an answer by delayMs', async () => {
      const remove = standIn.script({ path: '/slow', respond: { status: 200, delayMs: 150 } });
      const start = Date.now();
      const res = await call('/slow');
      expect(res.status).toBe(200);
      expect(Date.now() - start).toBeGreaterThanOrEqual(140);
      remove();
    });

    it('resets the connection', async () => {
      const remove = standIn.script({ path: '/reset', respond: { status: 200, reset: true } });
      await expect(call('/reset')).rejects.toThrow('fetch failed');
      remove();
    });

    it('hangs until the client aborts', async () => {
      const remove = standIn.script({ path: '/hang', respond: { status: 200, hang: true } });
      const start = Date.now();
      await expect(call('/hang', { signal: AbortSignal.timeout(200) })).rejects.toMatchObject({
        name: 'TimeoutError',
      });
      expect(Date.now() - start).toBeGreaterThanOrEqual(190);
      expect(standIn.count({ path: '/hang' })).toBe(1);
      remove();
    });
  });

  it('answers 500 generic_error_support for an unknown route', async () => {
    const res = await call('/does-not-exist');
    expect(res.status).toBe(500);
    expect(res.headers.get('x-ratelimit-limit')).toBeNull();
    const payload = field(res.body, 'error', 'payload');
    expect(payload).toMatch(UUID);
    expect(res.body).toEqual({
      error: {
        message: `An error occurred. Please contact support with this unique id: "${String(payload)}"`,
        code: 'generic_error_support',
        payload,
      },
    });
    const again = await call('/does-not-exist');
    expect(field(again.body, 'error', 'payload')).not.toBe(payload);
  });

  it('records every request and counts them', async () => {
    standIn.clearRequests();
    await call('/connections?search=a%20b', { auth: null });
    await call('/proxy/p', { method: 'PUT', body: 'data', headers: { 'Connection-Id': 'x' } });
    expect(standIn.requests).toHaveLength(2);
    expect(standIn.requests[0]).toMatchObject({
      method: 'GET',
      url: '/connections?search=a%20b',
      pathname: '/connections',
      query: { search: 'a b' },
      body: '',
    });
    expect(standIn.requests[0]?.headers['authorization']).toBeUndefined();
    expect(standIn.requests[1]).toMatchObject({
      method: 'PUT',
      url: '/proxy/p',
      pathname: '/proxy/p',
      query: {},
      body: 'data',
    });
    expect(standIn.requests[1]?.headers['connection-id']).toBe('x');
    expect(standIn.count({ path: '/connections' })).toBe(1);
    expect(standIn.count({ method: 'put', path: /^\/proxy\// })).toBe(1);
    expect(standIn.count({ method: 'GET', path: /^\/proxy\// })).toBe(0);
  });

  it('seed() replaces a connection and connection() shows it', () => {
    standIn.seed({
      connectionId: 'conn-basic',
      providerConfigKey: 'basic-test',
      credentials: { type: 'BASIC', username: 'bob', password: 'pw' },
    });
    expect(standIn.connection('basic-test', 'conn-basic')?.credentials).toEqual({
      type: 'BASIC',
      username: 'bob',
      password: 'pw',
    });
    expect(standIn.connection('basic-test', 'nope')).toBeUndefined();
  });

  it('addIntegration() makes an integration without connections known', async () => {
    expect((await getConnection('c', 'empty-integration')).status).toBe(400);
    standIn.addIntegration('empty-integration', 'github');
    expect((await getConnection('c', 'empty-integration')).status).toBe(404);
  });
});

describe('NangoStandIn lifecycle', () => {
  it('adds latencyMs to every answer', async () => {
    const slow = await NangoStandIn.start({ latencyMs: [80, 100] });
    try {
      const start = Date.now();
      const res = await fetch(`${slow.url}/connections`, {
        headers: { Authorization: `Bearer ${slow.secretKey}` },
      });
      expect(res.status).toBe(200);
      await res.text();
      expect(Date.now() - start).toBeGreaterThanOrEqual(75);
    } finally {
      await slow.close();
    }
  });

  it('close() destroys hung sockets, stops listening and is idempotent', async () => {
    const local = await NangoStandIn.start({ secretKey: '9c5b94b1-35ad-49bb-b118-8e8fc24abf80' });
    expect(local.secretKey).toBe('9c5b94b1-35ad-49bb-b118-8e8fc24abf80');
    local.script({ path: '/hang', respond: { status: 200, hang: true } });
    local.script({ path: '/delayed', respond: { status: 200, delayMs: 60_000 } });
    const auth = { Authorization: `Bearer ${local.secretKey}` };
    const outcome = (p: Promise<Response>): Promise<string> =>
      p.then(
        (r) => `answered ${r.status}`,
        (e: unknown) => String(field(e, 'message')),
      );
    const hung = outcome(fetch(`${local.url}/hang`, { headers: auth }));
    const delayed = outcome(fetch(`${local.url}/delayed`, { headers: auth }));
    while (local.requests.length < 2) await new Promise((r) => setTimeout(r, 5));
    const closed = local.close();
    expect(local.close()).toBe(closed);
    await closed;
    expect(await hung).toBe('fetch failed');
    expect(await delayed).toBe('fetch failed');
    expect(await outcome(fetch(`${local.url}/connections`, { headers: auth }))).toBe(
      'fetch failed',
    );
    await local.close();
  });
});
