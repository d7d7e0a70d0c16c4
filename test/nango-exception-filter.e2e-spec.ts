import 'reflect-metadata';
import { NangoStandIn, type StandInRule } from '../lib/testing/index.js';
import { seedConnections } from './fixtures/seed.js';
import { CapturingLogger } from './fixtures/capturing-logger.js';
import { fetchAnswer, type AdapterName, type Answer } from './fixtures/http.js';
import {
  startFilterApp,
  type FilterApp,
  type FilterRegistration,
} from './fixtures/apps/exception-filter.app.js';
import { expectNoneOf } from './fixtures/secrets.js';

/** A recognisable secret key: it must never reach a response body or a log line. */
const SECRET = '5ec2e7aa-f11e-4bad-8c0d-5ec2e75ec2e7';
/** Tokens of the seeded connections: none may show up in an error body or a log either. */
const TOKENS = ['gh-access-token-1', 'gh-refresh-token-1', 'gh-broken-token', 'gh-expired-token'];

/** GETs `path` of `app`. */
function get(app: FilterApp, path: string): Promise<Answer> {
  return fetchAnswer(`${app.url}${path}`);
}

function expectNoSecret(...texts: string[]): void {
  expectNoneOf([SECRET, ...TOKENS], ...texts);
}

let standIn: NangoStandIn;
const rules: Array<() => void> = [];

beforeAll(async () => {
  standIn = await NangoStandIn.start({ secretKey: SECRET, connections: seedConnections() });
});

afterEach(() => {
  while (rules.length > 0) rules.pop()?.();
});

/** Makes the stand-in answer `respond` to the next `times` fetches of `conn-oauth2`. */
function scriptConnection(respond: StandInRule['respond'], times: number): void {
  rules.push(standIn.script({ path: '/connections/conn-oauth2', times, respond }));
}

afterAll(async () => {
  await standIn.close();
});

const cases: Array<[AdapterName, Exclude<FilterRegistration, 'none'>]> = [
  ['express', 'useGlobalFilters'],
  ['express', 'APP_FILTER'],
  ['fastify', 'useGlobalFilters'],
  ['fastify', 'APP_FILTER'],
];

describe.each(cases)('NangoExceptionFilter on %s, registered by %s', (adapter, registration) => {
  let app: FilterApp;
  /** The same app without the filter: what Nest answers by itself. */
  let bare: FilterApp;

  const logger = new CapturingLogger();

  beforeAll(async () => {
    app = await startFilterApp(standIn, adapter, registration, logger);
    bare = await startFilterApp(standIn, adapter, 'none', logger);
  });

  beforeEach(() => {
    logger.clear();
  });

  afterAll(async () => {
    await app?.app.close();
    await bare?.app.close();
  });

  afterEach(() => {
    expectNoSecret(logger.text());
  });

  it('without the filter, a NangoError from a service is Nest 500 (what the filter fixes)', async () => {
    const res = await get(bare, '/service?conn=nobody');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ statusCode: 500, message: 'Internal server error' });
  });

  it('404 for an unknown connection, the body @UseNangoConnection() gives', async () => {
    const res = await get(app, '/service?conn=nobody');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.body).toEqual({
      statusCode: 404,
      error: 'Not Found',
      code: 'connection_not_found',
      message: 'No such Nango connection for this integration.',
      providerConfigKey: 'github',
      connectionId: 'nobody',
    });
    const declared = await get(app, '/declared/nobody');
    expect(declared.status).toBe(404);
    expect(declared.body).toEqual(res.body);
    expectNoSecret(res.text);
  });

  it('424 with a reconnect hint when the refresh failed, logged as a warning', async () => {
    const res = await get(app, '/service?conn=conn-broken');
    expect(res.status).toBe(424);
    expect(res.body).toEqual({
      statusCode: 424,
      error: 'Failed Dependency',
      code: 'reconnect_required',
      message: 'The connection can no longer be refreshed: the end user must reconnect.',
      reconnect: true,
      providerConfigKey: 'github',
      connectionId: 'conn-broken',
    });
    expect(logger.text()).toMatch(/warn .*GET \/service: .*must be reconnected/);
    expectNoSecret(res.text);
  });

  it('503 with Retry-After when Nango rate limits, as the interceptor answers', async () => {
    scriptConnection(
      {
        status: 429,
        headers: { 'retry-after': '7' },
        body: { error: { code: 'too_many_request' } },
      },
      2,
    );
    const res = await get(app, '/service?conn=conn-oauth2');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(res.body).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      code: 'nango_rate_limited',
      message: 'Nango is rate limiting this server; try again later.',
      retryAfter: 7,
    });
    const declared = await get(app, '/declared/conn-oauth2');
    expect(declared.status).toBe(503);
    expect(declared.headers.get('retry-after')).toBe('7');
    expect(declared.body).toEqual(res.body);
  });

  it('502 when Nango answers a server error, logged as an error without secrets', async () => {
    scriptConnection({ status: 500 }, 1);
    const res = await get(app, '/service?conn=conn-oauth2');
    expect(res.status).toBe(502);
    expect(res.body).toEqual({
      statusCode: 502,
      error: 'Bad Gateway',
      code: 'nango_unavailable',
      message: 'Nango is unavailable.',
    });
    expect(logger.text()).toMatch(/error .*GET \/service: .*server error/);
    expectNoSecret(res.text);
  });

  it('500 without detail when Nango refuses the secret key', async () => {
    scriptConnection(
      { status: 401, body: { error: { code: 'unknown_account', message: 'No account found' } } },
      1,
    );
    const res = await get(app, '/service?conn=conn-oauth2');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      code: 'internal_error',
      message: 'Internal server error',
    });
    expect(logger.text()).toContain('Nango rejected the secret key');
    expectNoSecret(res.text);
  });

  it('504 when Nango does not answer in time', async () => {
    scriptConnection({ status: 200, hang: true }, 1);
    const res = await get(app, '/service?conn=conn-oauth2');
    expect(res.status).toBe(504);
    expect(res.body).toEqual({
      statusCode: 504,
      error: 'Gateway Timeout',
      code: 'nango_timeout',
      message: 'Nango did not answer in time.',
    });
  });

  it('400 for an argument no request could carry, before anything is sent', async () => {
    standIn.clearRequests();
    const res = await get(app, `/service?conn=${'x'.repeat(256)}`);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      code: 'invalid_connection',
      message: 'connectionId must be at most 255 characters (got 256).',
    });
    const empty = await get(app, '/service?conn=');
    expect(empty.status).toBe(400);
    expect(empty.body).toMatchObject({ code: 'invalid_connection' });
    expect(standIn.requests).toHaveLength(0);
  });

  it.each([['/forbidden'], ['/plain'], ['/misuse']])(
    'leaves %s (not a Nango request failure) exactly as Nest answers it',
    async (path) => {
      const res = await get(app, path);
      const without = await get(bare, path);
      expect(res.status).toBe(without.status);
      expect(res.body).toEqual(without.body);
      expect(res.headers.get('content-type')).toBe(without.headers.get('content-type'));
      expect(res.status).toBe(path === '/forbidden' ? 403 : 500);
    },
  );

  it.each([['/plain'], ['/misuse']])(
    'logs an error it leaves to Nest (%s) as Nest does',
    async (path) => {
      await get(bare, path);
      const without = logger.text();
      logger.clear();
      await get(app, path);
      expect(logger.text()).toBe(without);
      expect(without).toMatch(/^error .*(Something broke|NangoStartupError)/);
    },
  );
});
