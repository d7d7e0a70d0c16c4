import 'reflect-metadata';
import { eventually } from './fixtures/eventually.js';
import type { INestApplication } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import type { AddressInfo } from 'node:net';
import { NangoStandIn } from '../lib/testing/index.js';
import { AppModule } from '../sample/src/app.module.js';
import { demoConnections, demoThirdPartyApi } from '../sample/src/nango/embedded-nango.js';
import { startSample, type RunningSample } from '../sample/src/sample.js';
import { TRY_IT } from '../sample/src/try-it.js';

const ENV_KEYS = ['NANGO_SECRET_KEY', 'NANGO_HOST'] as const;
let savedEnv: Record<string, string | undefined>;

beforeEach(() => {
  savedEnv = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
});
afterEach(() => {
  for (const key of ENV_KEYS) {
    const value = savedEnv[key];
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

async function call(
  base: string,
  method: string,
  path: string,
  user?: string,
  body?: unknown,
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (user !== undefined) headers['x-user-id'] = user;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body: text ? (JSON.parse(text) as unknown) : undefined,
  };
}

describe.each([
  ['express', () => new ExpressAdapter()],
  ['fastify', () => new FastifyAdapter()],
])('the sample AppModule on %s, against a stand-in', (_platform, adapter) => {
  let standIn: NangoStandIn;
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    standIn = await NangoStandIn.start({
      connections: demoConnections(),
      upstream: demoThirdPartyApi,
    });
  });
  afterAll(async () => {
    await standIn.close();
  });

  beforeEach(async () => {
    standIn.seed(...demoConnections());
    standIn.clearRequests();
    // The sample reads its Nango settings through @nestjs/config, from the environment.
    process.env['NANGO_SECRET_KEY'] = standIn.secretKey;
    process.env['NANGO_HOST'] = standIn.url;
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    app = moduleRef.createNestApplication(adapter(), { logger: false, rawBody: true });
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    await app.close();
  });

  it('lists the signed-in user’s connections, without credentials', async () => {
    const answer = await call(base, 'GET', '/connections', 'user-1');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      connections: expect.arrayContaining([
        expect.objectContaining({
          integration: 'github',
          connectionId: 'user-1',
          hasErrors: false,
        }),
        expect.objectContaining({ integration: 'jira', connectionId: 'user-1', provider: 'jira' }),
      ]),
    });
    expect((answer.body as { connections: unknown[] }).connections).toHaveLength(2);
    expect(JSON.stringify(answer.body)).not.toContain('demo-');
    expect(standIn.requests.at(-1)?.url).toBe('/connections?endUserId=user-1');
    expect(standIn.requests.at(-1)?.headers['authorization']).toBe(`Bearer ${standIn.secretKey}`);
  });

  it('connects a new user through the Connect UI (played by the stand-in), then uses the connection', async () => {
    standIn.setWebhookTarget(`${base}/nango/webhooks`);
    expect((await call(base, 'GET', '/github/status', 'user-9')).status).toBe(404);
    expect((await call(base, 'POST', '/nango/connect-session')).status).toBe(401);
    const session = await call(base, 'POST', '/nango/connect-session', 'user-9');
    expect(session.status).toBe(201);
    const { token } = session.body as { token: string };
    const done = await standIn.completeConnect(token, { providerConfigKey: 'github' });
    expect(done.webhook?.status).toBe(200);
    expect(done.connectionId).not.toBe('user-9');
    const status = await call(base, 'GET', '/github/status', 'user-9');
    expect(status).toMatchObject({ status: 200, body: { connected: true } });
    const info = await call(base, 'GET', '/github/token-info', 'user-9');
    expect(info).toMatchObject({ status: 200, body: { kind: 'access_token' } });
    const proxied = await call(base, 'GET', '/github/profile', 'user-9');
    expect(proxied.status).toBe(200);
    expect(standIn.requests.at(-1)?.headers['connection-id']).toBe(done.connectionId);
    expect(JSON.stringify([session.body, status.body, info.body])).not.toContain(standIn.secretKey);
  });

  it('a sync run of GitHub issues reaches the records handler; GET /synced/issues shows what it stored', async () => {
    standIn.setWebhookTarget(`${base}/nango/webhooks`);
    const sync = { providerConfigKey: 'github', connectionId: 'user-1', model: 'GithubIssue' };
    const run = await standIn.sync({
      ...sync,
      added: [
        { id: '1', title: 'First', state: 'open' },
        { id: '2', title: 'Second', state: 'open' },
      ],
    });
    expect(run.webhook?.status).toBe(200);
    await eventually(
      async () =>
        ((await call(base, 'GET', '/synced/issues', 'user-1')).body as { issues: unknown[] }).issues
          .length === 2,
      'the synced issues',
      30_000,
    );
    await standIn.sync({
      ...sync,
      updated: [{ id: '1', title: 'First', state: 'closed' }],
      deleted: ['2'],
    });
    await eventually(
      async () =>
        ((await call(base, 'GET', '/synced/issues', 'user-1')).body as { issues: unknown[] }).issues
          .length === 1,
      'the second run',
      30_000,
    );
    expect(await call(base, 'GET', '/synced/issues', 'user-1')).toMatchObject({
      status: 200,
      body: { issues: [{ id: '1', title: 'First', state: 'closed' }] },
    });
    expect(
      ((await call(base, 'GET', '/synced/issues', 'user-2')).body as { issues: unknown[] }).issues,
    ).toEqual([]);
  });

  it('calls GitHub as the user through the proxy (GET and POST), never showing a token', async () => {
    const profile = await call(base, 'GET', '/github/profile', 'user-1');
    expect(profile.status).toBe(200);
    expect(profile.body).toEqual({ login: 'user-1', id: 1006, name: 'Demo user-1', type: 'User' });
    // Nango did send the user's token upstream, with the caller's headers unprefixed ...
    const sent = standIn.requests.at(-1);
    expect(sent?.headers['nango-proxy-accept']).toBe('application/vnd.github+json');
    expect(standIn.connection('github', 'user-1')?.credentials['access_token']).toBe(
      'demo-github-token-user-1',
    );
    // ... but no answer of the sample carries it.
    expect(JSON.stringify(profile.body)).not.toContain('demo-github');
    expect(JSON.stringify(profile.body)).not.toMatch(/authorization|bearer/i);
    const issue = await call(base, 'POST', '/github/repos/ac%20me/app/issues', 'user-1', {
      title: 'Bug',
    });
    expect(issue.status).toBe(201);
    expect(issue.body).toEqual({
      status: 201,
      data: {
        number: 1,
        title: 'Bug',
        state: 'open',
        html_url: 'https://github.com/ac%20me/app/issues/1',
        user: { login: 'user-1' },
      },
    });
    expect(JSON.stringify(issue.body)).not.toContain('demo-github');
    const invalid = await call(base, 'POST', '/github/repos/acme/app/issues', 'user-1', {});
    expect(invalid.status).toBe(502);
    expect(invalid.body).toMatchObject({ code: 'upstream_error', upstreamStatus: 422 });
    const proxied = standIn.requests.at(-1);
    expect(proxied?.headers['connection-id']).toBe('user-1');
    expect(proxied?.headers['provider-config-key']).toBe('github');
    expect(proxied?.headers['retries']).toBe('2');
  });

  it('@InjectNangoToken() hands the handler the fresh token (the answer shows only its length)', async () => {
    const answer = await call(base, 'GET', '/github/token-info', 'user-1');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      kind: 'access_token',
      length: 'demo-github-token-user-1'.length,
    });
    expect(standIn.requests.at(-1)?.url).toBe(
      '/connections/user-1?provider_config_key=github&force_refresh=false&refresh_token=false',
    );
  });

  it('an expired token is refreshed by Nango', async () => {
    const answer = await call(base, 'GET', '/github/status', 'user-2');
    expect(answer.status).toBe(200);
    const { expiresAt } = answer.body as { expiresAt: string };
    expect(Date.parse(expiresAt)).toBeGreaterThan(Date.now());
    expect(JSON.stringify(answer.body)).not.toContain('token');
  });

  it('401 without a user, 404 without a connection, 424 when the user must reconnect', async () => {
    const noUser = await call(base, 'GET', '/github/profile');
    expect(noUser.status).toBe(401);
    expect(JSON.stringify(noUser.body)).toContain('x-user-id');

    const missing = await call(base, 'GET', '/github/profile', 'nobody');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({
      statusCode: 404,
      code: 'connection_not_found',
      connectionId: 'nobody',
    });

    const broken = await call(base, 'GET', '/github/status', 'user-3');
    expect(broken.status).toBe(424);
    expect(broken.body).toMatchObject({
      statusCode: 424,
      code: 'reconnect_required',
      reconnect: true,
      providerConfigKey: 'github',
      connectionId: 'user-3',
    });
    const again = await call(base, 'GET', '/github/profile', 'user-3');
    expect(again.status).toBe(424);
    for (const answer of [missing, broken, again]) {
      expect(JSON.stringify(answer.body)).not.toContain(standIn.secretKey);
      expect(JSON.stringify(answer.body)).not.toContain('demo-github');
    }
  });

  it('Nango rate limits become 503 with Retry-After; Nango outages 502; upstream errors 502', async () => {
    standIn.script({
      path: '/proxy/user',
      times: 1,
      respond: {
        status: 429,
        headers: { 'retry-after': '9' },
        body: { error: { code: 'too_many_request', message: 'slow down' } },
      },
    });
    const limited = await call(base, 'GET', '/github/profile', 'user-1');
    expect(limited.status).toBe(503);
    expect(limited.headers.get('retry-after')).toBe('9');
    expect(limited.body).toMatchObject({ code: 'nango_rate_limited', retryAfter: 9 });

    standIn.script({ path: '/connections', times: 1, respond: { status: 500, body: {} } });
    const down = await call(base, 'GET', '/connections', 'user-1');
    expect(down.status).toBe(502);

    standIn.script({
      path: '/proxy/user',
      times: 1,
      respond: { status: 403, body: { message: 'Resource not accessible' } },
    });
    const upstream = await call(base, 'GET', '/github/profile', 'user-1');
    expect(upstream.status).toBe(502);
    expect(upstream.body).toMatchObject({ code: 'upstream_error', upstreamStatus: 403 });
  });
});

/** Splits a shell line into words, honouring single quotes (all the sample's curl lines use). */
function shellWords(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '');
}

/** Runs a curl line from the log with fetch: -X, -H, -d and the URL. */
async function runCurl(line: string): Promise<number> {
  const words = shellWords(line.split('   # ')[0] ?? '');
  let method = 'GET';
  const headers: Record<string, string> = {};
  let body: string | undefined;
  let url = '';
  for (let i = 1; i < words.length; i++) {
    const word = words[i] as string;
    if (word === '-X') method = words[++i] as string;
    else if (word === '-H') {
      const [name, ...rest] = (words[++i] as string).split(':');
      headers[(name as string).trim()] = rest.join(':').trim();
    } else if (word === '-d') body = words[++i];
    else if (word !== '-i') url = word;
  }
  const res = await fetch(url, { method, headers, body });
  await res.arrayBuffer();
  return res.status;
}

describe('startSample (what `npm run sample` runs)', () => {
  let sample: RunningSample | undefined;
  afterEach(async () => {
    await sample?.close();
    sample = undefined;
  });

  it('without NANGO_SECRET_KEY, starts the embedded stand-in, says so, and every logged curl line works', async () => {
    delete process.env['NANGO_SECRET_KEY'];
    delete process.env['NANGO_HOST'];
    const lines: string[] = [];
    sample = await startSample({ port: 0, nest: { logger: false }, log: (l) => lines.push(l) });
    expect(sample.standIn).toBeInstanceOf(NangoStandIn);
    const log = lines.join('\n');
    expect(log).toContain(`embedded Nango stand-in at ${sample.standIn?.url}`);
    expect(log).not.toContain(sample.standIn?.secretKey);
    const curls = log.split('\n').filter((l) => l.trim().startsWith('curl '));
    expect(curls).toHaveLength(TRY_IT.length);
    for (const [i, line] of curls.entries()) {
      expect(line).toContain(sample.url);
      await expect(runCurl(line.trim())).resolves.toBe(TRY_IT[i]?.status);
    }
    // The embedded stand-in answers like GitHub: no credential reaches the sample's client.
    for (const user of ['user-1', 'user-2']) {
      const profile = await call(sample.url, 'GET', '/github/profile', user);
      expect(profile).toMatchObject({ status: 200, body: { login: user } });
      expect(JSON.stringify(profile.body)).not.toMatch(/demo-github|authorization/i);
    }
  });

  it('with NANGO_SECRET_KEY and NANGO_HOST, uses that Nango and starts no stand-in', async () => {
    const external = await NangoStandIn.start({ connections: demoConnections() });
    try {
      process.env['NANGO_SECRET_KEY'] = external.secretKey;
      process.env['NANGO_HOST'] = external.url;
      const lines: string[] = [];
      sample = await startSample({ port: 0, nest: { logger: false }, log: (l) => lines.push(l) });
      expect(sample.standIn).toBeUndefined();
      expect(lines.join('\n')).toContain(`Using Nango at ${external.url}`);
      await expect(call(sample.url, 'GET', '/github/profile', 'user-1')).resolves.toMatchObject({
        status: 200,
      });
      expect(external.count({ path: '/proxy/user' })).toBe(1);
    } finally {
      await sample?.close();
      sample = undefined;
      await external.close();
    }
  });

  it('with a wrong NANGO_SECRET_KEY, calls fail with a bare 500 and never echo the key', async () => {
    const external = await NangoStandIn.start({ connections: demoConnections() });
    try {
      process.env['NANGO_SECRET_KEY'] = 'not-the-key-0123';
      process.env['NANGO_HOST'] = external.url;
      sample = await startSample({ port: 0, nest: { logger: false } });
      const answer = await call(sample.url, 'GET', '/connections', 'user-1');
      expect(answer.status).toBe(500);
      expect(answer.body).toEqual({
        statusCode: 500,
        error: 'Internal Server Error',
        code: 'internal_error',
        message: 'Internal server error',
      });
      expect(JSON.stringify(answer.body)).not.toContain('not-the-key-0123');
    } finally {
      await sample?.close();
      sample = undefined;
      await external.close();
    }
  });
});
