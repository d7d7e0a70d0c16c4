import { randomUUID } from 'node:crypto';
import {
  NangoStandIn,
  type NangoStandInOptions,
  type StandInConnectionSeed,
} from '../lib/testing/index.js';
import {
  errorFacts,
  loadRecordings,
  recordedHeaders,
  shape,
  type Recording,
} from './fixtures/recordings.js';
import { absorbOAuth2 } from './fixtures/seed.js';

/**
 * The stand-in against a real Nango: each recording it can reproduce is sent to it as
 * recorded, and its answer must have the same status, the same body shape, and the same
 * codes and messages (ids, times and UUIDs normalised).
 */

const recordings = loadRecordings();
const FUTURE = new Date(Date.now() + 3_600_000).toISOString();
const PAST = '2020-01-01T00:00:00.000Z';

function oauth2(connectionId: string, expiresAt: string, fail = false): StandInConnectionSeed {
  return {
    ...absorbOAuth2(connectionId, expiresAt),
    connectionConfig: { apiVersion: '2', restApiKey: 'k', portalRoute: '127.0.0.1:18443' },
    ...(fail ? { refresh: 'fail' as const } : {}),
  };
}

/** The connections of the recorded server, as far as the recordings show them. */
function seeds(): StandInConnectionSeed[] {
  const apiKey = (providerConfigKey: string, metadata = {}): StandInConnectionSeed => ({
    connectionId: 'conn-apikey-1',
    providerConfigKey,
    provider: 'jira-data-center-api-key',
    credentials: { type: 'API_KEY', apiKey: 'sk-fake-api-key-123' },
    metadata,
    tags: { env: 'test' },
    endUser: { id: 'user-1', email: 'u1@example.com' },
    connectionConfig: { baseUrl: 'http://127.0.0.1:18080' },
  });
  const none = (
    providerConfigKey: string,
    connectionId = 'conn-none-1',
  ): StandInConnectionSeed => ({
    connectionId,
    providerConfigKey,
    provider: 'unauthenticated',
    credentials: {},
  });
  return [
    apiKey('jira-dc-test', { team: 'a' }),
    apiKey('apikey-test'),
    none('unauth-test'),
    none('none-test'),
    none('unauth-test', 'conn-delete-me'),
    oauth2('conn-oauth2-1', FUTURE),
    { ...oauth2('conn-oauth2-legacy', PAST, true), metadata: null },
    oauth2('realerr-run-cmp-fail', PAST, true),
    oauth2('realerr-run-cmp-fail-proxy', PAST, true),
  ];
}

type Auth = 'key' | 'none' | 'unknown-uuidv4' | 'uuid-not-v4' | 'malformed' | 'basic';

interface Case {
  file: string;
  auth?: Auth;
  /** Requests sent first, each as another recording's request (state the recording follows). */
  after?: string[];
  /** Compare the body's shape (off for a third party's echo: another echo server was recorded). */
  shape?: boolean;
  /** Response headers whose value (or absence) must be the recording's. */
  headers?: string[];
}

const CASES: Case[] = [
  { file: 'auth_bad_secret_key_malformed.json', auth: 'malformed' },
  { file: 'auth_bad_secret_key_unknown_uuidv4.json', auth: 'unknown-uuidv4' },
  { file: 'auth_bad_secret_key_uuid.json', auth: 'uuid-not-v4' },
  { file: 'auth_missing_authorization_header.json', auth: 'none' },
  { file: 'auth_non_bearer_header.json', auth: 'basic' },
  { file: 'connection_delete.json' },
  { file: 'connection_delete_unknown.json', after: ['connection_delete.json'] },
  { file: 'connection_get_apikey.json' },
  { file: 'connection_get_none_new_path.json' },
  { file: 'connection_get_missing_provider_config_key.json' },
  { file: 'connection_get_unknown_connection.json' },
  { file: 'connection_get_unknown_provider_config_key.json' },
  { file: 'connection_get_unknown_query_param.json' },
  { file: 'connection_get_oauth2_refresh_failed.json' },
  {
    file: 'connection_get_oauth2_refresh_failed_again.json',
    after: ['connection_get_oauth2_refresh_failed.json'],
  },
  {
    file: 'connection_get_oauth2_refresh_failed_force_refresh_in_backoff.json',
    after: ['connection_get_oauth2_refresh_failed_force_refresh_in_backoff.json'],
  },
  { file: 'connections_list_bad_query.json' },
  { file: 'connections_list_filter_connection_id.json' },
  { file: 'connections_list_filter_tags.json' },
  { file: 'integration_get_unknown.json' },
  {
    file: 'proxy_get_apikey_upstream_headers_2xx.json',
    shape: false,
    headers: ['content-type', 'x-echo-server'],
  },
  { file: 'proxy_get_base_url_override_none_auth.json', shape: false },
  { file: 'proxy_invalid_connection_id_format.json' },
  { file: 'proxy_missing_connection_id.json' },
  { file: 'proxy_missing_provider_config_key.json' },
  { file: 'proxy_none_no_base_url_unsupported_provider.json' },
  { file: 'proxy_refresh_failed_first_attempt.json' },
  {
    file: 'proxy_refresh_failed_connection.json',
    after: ['proxy_refresh_failed_connection.json'],
  },
  { file: 'proxy_unknown_connection.json' },
  { file: 'proxy_unknown_provider_config_key.json' },
  { file: 'proxy_unknown_secret_key.json', auth: 'unknown-uuidv4' },
  { file: 'proxy_upstream_404_passthrough.json' },
  { file: 'proxy_upstream_500_passthrough.json' },
  { file: 'proxy_upstream_404_upstream_headers.json', headers: ['content-type', 'x-echo-server'] },
  { file: 'proxy_upstream_500_upstream_headers.json', headers: ['content-type', 'x-echo-server'] },
  { file: 'unknown_route.json' },
];

let standIn: NangoStandIn;

beforeAll(async () => {
  const options: NangoStandInOptions = { connections: seeds() };
  standIn = await NangoStandIn.start(options);
  standIn.addIntegration('absorb-test', 'absorb-lms');
});

beforeEach(() => standIn.seed(...seeds()));

afterAll(async () => {
  await standIn.close();
});

function authorization(auth: Auth): string | undefined {
  switch (auth) {
    case 'key':
      return `Bearer ${standIn.secretKey}`;
    case 'none':
      return undefined;
    case 'unknown-uuidv4':
      return `Bearer ${randomUUID()}`;
    case 'uuid-not-v4':
      return 'Bearer 00000000-0000-1000-8000-000000000000';
    case 'malformed':
      return 'Bearer not-a-valid-key';
    case 'basic':
      return 'Basic abc';
  }
}

async function send(recording: Recording, auth: Auth): Promise<Response> {
  const headers: Record<string, string> = { ...recordedHeaders(recording) };
  const value = authorization(auth);
  if (value !== undefined) headers['authorization'] = value;
  const { method, path, body } = recording.request;
  if (body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${standIn.url}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

describe('the stand-in answers like the recorded Nango', () => {
  it('covers the rows of the issue: every case names an existing recording', () => {
    for (const { file } of CASES) expect([file, recordings.has(file)]).toEqual([file, true]);
  });

  it.each(CASES)(
    '$file',
    async ({ file, auth = 'key', after = [], shape: withShape = true, headers = [] }) => {
      const recording = recordings.get(file) as Recording;
      for (const first of after) await send(recordings.get(first) as Recording, 'key');
      const res = await send(recording, auth);
      const text = await res.text();
      const body: unknown = text === '' ? undefined : JSON.parse(text);
      expect(res.status).toBe(recording.status);
      expect(errorFacts(body)).toEqual(errorFacts(recording.body));
      if (withShape) expect(shape(body)).toEqual(shape(recording.body));
      for (const name of headers) {
        expect([name, res.headers.get(name)]).toEqual([
          name,
          recording.headers?.[name] === undefined ? null : expect.any(String),
        ]);
        if (name === 'content-type') expect(res.headers.get(name)).toBe(recording.headers?.[name]);
      }
      const limited = recording.headers?.['x-ratelimit-limit'] !== undefined;
      expect(['x-ratelimit-limit', res.headers.has('x-ratelimit-limit')]).toEqual([
        'x-ratelimit-limit',
        limited,
      ]);
    },
  );

  it('lists `created` as Postgres prints it: microseconds, trailing zeros cut', async () => {
    const res = await send(recordings.get('connections_list.json') as Recording, 'key');
    const { connections } = (await res.json()) as { connections: Array<{ created: string }> };
    expect(connections.length).toBeGreaterThan(0);
    for (const { created } of connections) {
      expect(created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{0,5}[1-9])?\+00:00$/);
    }
  });
});

describe('the upstream option: a third-party API behind the proxy, passed on as Nango does', () => {
  let api: NangoStandIn;
  const calls: string[] = [];

  beforeAll(async () => {
    api = await NangoStandIn.start({
      connections: seeds(),
      upstream: (req) => {
        calls.push(`${req.method} ${req.url} ${req.connectionId}`);
        if (req.url === '/echo') return undefined;
        if (req.url === '/throws') throw new Error('the test API broke');
        const status = req.url === '/missing' ? 404 : 200;
        return {
          status,
          headers: { 'content-type': 'application/vnd.api+json', 'x-request-id': 'r1' },
          body: { seen: req.headers['authorization'] !== undefined, status },
        };
      },
    });
  });
  afterAll(async () => {
    await api.close();
  });

  const proxy = (path: string, connectionId = 'conn-apikey-1') =>
    fetch(`${api.url}/proxy${path}`, {
      headers: {
        authorization: `Bearer ${api.secretKey}`,
        'connection-id': connectionId,
        'provider-config-key': 'jira-dc-test',
      },
    });

  it("a 2xx keeps only the content-type, an error keeps the headers with Nango's content-type", async () => {
    const ok = await proxy('/ok');
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ seen: true, status: 200 });
    expect(ok.headers.get('content-type')).toBe('application/vnd.api+json');
    expect(ok.headers.get('x-request-id')).toBeNull();
    const missing = await proxy('/missing');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(missing.headers.get('x-request-id')).toBe('r1');
  });

  it('undefined falls back to the echo; Nango refuses before the API is called', async () => {
    const echo = await proxy('/echo');
    expect(((await echo.json()) as { echo: { url: string } }).echo.url).toBe('/echo');
    calls.length = 0;
    const unknown = await proxy('/ok', 'nope');
    expect(unknown.status).toBe(400);
    expect(calls).toEqual([]);
  });

  it("an upstream that throws gets Nango's 500 generic_error_support, not a hung request", async () => {
    const broken = await proxy('/throws');
    expect(broken.status).toBe(500);
    expect(((await broken.json()) as { error: { code: string } }).error.code).toBe(
      'generic_error_support',
    );
  });
});
