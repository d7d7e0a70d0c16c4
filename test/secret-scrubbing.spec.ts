import 'reflect-metadata';
import { Test, type TestingModule } from '@nestjs/testing';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { NangoError, NangoModule, NangoService, type NangoModuleOptions } from '../lib/index.js';
import { NangoStandIn } from '../lib/testing/index.js';
import { seedConnections } from './fixtures/seed.js';

/** A recognisable secret key (a UUID v4, as self-hosted Nango wants). */
const SECRET = '5ec2e7aa-1eaf-4bad-8c0d-5ec2e75ec2e7';
/** Tokens of the seeded connections: none may show up in an error either. */
const TOKENS = [
  'gh-access-token-1',
  'gh-refresh-token-1',
  'jira-api-key-123',
  'alice-password',
  'tw-token-secret',
];
const WRONG_KEY = 'bad0bad0-1111-4222-8333-bad0bad0bad0';

describe('no error path leaks the secret key or a token', () => {
  let standIn: NangoStandIn;
  const refs: TestingModule[] = [];
  const output: string[] = [];
  const writes = { out: process.stdout.write, err: process.stderr.write };

  async function service(options: Partial<NangoModuleOptions> = {}): Promise<NangoService> {
    const ref = await Test.createTestingModule({
      imports: [
        NangoModule.forRoot({ secretKey: SECRET, host: standIn.url, retry: false, ...options }),
      ],
    }).compile();
    refs.push(ref);
    return ref.get(NangoService);
  }

  beforeAll(async () => {
    standIn = await NangoStandIn.start({ secretKey: SECRET, connections: seedConnections() });
    const capture =
      (stream: 'out' | 'err') =>
      (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
        output.push(String(chunk));
        return (writes[stream] as (c: string | Uint8Array, ...r: unknown[]) => boolean).call(
          stream === 'out' ? process.stdout : process.stderr,
          chunk,
          ...rest,
        );
      };
    process.stdout.write = capture('out') as typeof process.stdout.write;
    process.stderr.write = capture('err') as typeof process.stderr.write;
  });

  afterAll(async () => {
    process.stdout.write = writes.out;
    process.stderr.write = writes.err;
    for (const ref of refs) await ref.close();
    await standIn.close();
  });

  it('drives every error path and finds neither secret nor token in any rendering', async () => {
    const nango = await service();
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    standIn.script({
      path: '/proxy/leaky',
      respond: {
        status: 401,
        body: {
          echo: { authorization: 'Bearer gh-access-token-1', key: SECRET },
          error: { code: 'bad_token' },
        },
      },
    });
    standIn.script({
      path: '/connections/echo-secret',
      respond: {
        status: 400,
        body: { error: { code: 'invalid_query_params', message: `bad key ${SECRET} here` } },
      },
    });

    standIn.script({
      path: '/proxy/refused',
      respond: {
        status: 400,
        body: { error: { code: 'unsupported_provider', message: `no base URL ${SECRET}` } },
      },
    });

    const calls: Array<[string, () => Promise<unknown>]> = [
      [
        "Nango's own proxy refusal carrying the key",
        () =>
          nango.get({
            endpoint: '/refused',
            providerConfigKey: 'jira',
            connectionId: 'conn-apikey',
          }),
      ],
      ['unknown connection', () => nango.getToken('github', 'nope')],
      ['unknown integration', () => nango.getConnection('nope', 'conn-oauth2')],
      ['refresh failed', () => nango.getToken('github', 'conn-broken')],
      ['refresh backoff', () => nango.getToken('github', 'conn-broken')],
      ['nango message carrying the key', () => nango.getToken('github', 'echo-secret')],
      ['wrong key', async () => (await service({ secretKey: WRONG_KEY })).listConnections()],
      ['malformed key', async () => (await service({ secretKey: `x${SECRET}` })).listConnections()],
      [
        'nango down',
        async () =>
          (await service({ host: `http://127.0.0.1:${deadPort}` })).getToken(
            'github',
            'conn-oauth2',
          ),
      ],
      [
        'upstream echoing the token',
        () =>
          nango.get({
            endpoint: '/leaky',
            providerConfigKey: 'github',
            connectionId: 'conn-oauth2',
          }),
      ],
      [
        'upstream 404',
        () =>
          nango.get({
            endpoint: '/status/404',
            providerConfigKey: 'jira',
            connectionId: 'conn-apikey',
          }),
      ],
      [
        'proxy unknown connection',
        () => nango.get({ endpoint: '/x', providerConfigKey: 'jira', connectionId: 'nope' }),
      ],
      [
        'proxy reconnect',
        () =>
          nango.get({ endpoint: '/x', providerConfigKey: 'github', connectionId: 'conn-broken' }),
      ],
      [
        'bad endpoint',
        () =>
          nango.get({
            endpoint: 'https://evil.example',
            providerConfigKey: 'jira',
            connectionId: 'conn-apikey',
          }),
      ],
      [
        'bad header',
        () =>
          nango.get({
            endpoint: '/x',
            providerConfigKey: 'jira',
            connectionId: 'conn-apikey',
            headers: { 'X-A': `${SECRET}\r\n` },
          }),
      ],
    ];
    standIn.script({
      path: '/connections',
      respond: { status: 429, headers: { 'retry-after': '3' }, body: {} },
      times: 1,
    });
    calls.push(['rate limited', () => nango.listConnections()]);
    standIn.script({ path: '/connections/hang', respond: { status: 200, hang: true } });
    calls.push(['timeout', () => nango.getToken('github', 'hang', false, { timeout: 100 })]);
    calls.push([
      'abort',
      () => nango.getToken('github', 'hang', false, { signal: AbortSignal.timeout(50) }),
    ]);
    standIn.script({ path: '/connections/reset', respond: { status: 200, reset: true } });
    calls.push(['reset', () => nango.getToken('github', 'reset')]);

    const seen = new Set<string>();
    for (const [name, call] of calls) {
      const error = await call().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect({ name, isNangoError: error instanceof NangoError }).toEqual({
        name,
        isNangoError: true,
      });
      const err = error as NangoError;
      seen.add(err.name);
      const renderings = [
        err.message,
        err.stack ?? '',
        String(err),
        JSON.stringify(err),
        inspect(err, { depth: Infinity }),
        inspect(err.cause, { depth: Infinity }),
        JSON.stringify(err.cause ?? null),
      ];
      for (const text of renderings) {
        for (const secret of [SECRET, WRONG_KEY, ...TOKENS]) {
          expect({ name, leaks: text.includes(secret) }).toEqual({ name, leaks: false });
        }
      }
    }
    // The drive really reached each kind of error.
    expect([...seen].sort()).toEqual(
      [
        'NangoAbortedError',
        'NangoAuthenticationError',
        'NangoConnectionNotFoundError',
        'NangoIntegrationNotFoundError',
        'NangoInvalidArgumentError',
        'NangoInvalidRequestError',
        'NangoRateLimitError',
        'NangoReconnectRequiredError',
        'NangoRequestError',
        'NangoTimeoutError',
        'NangoUnavailableError',
        'NangoUpstreamError',
      ].sort(),
    );
    for (const line of output) {
      for (const secret of [SECRET, WRONG_KEY, ...TOKENS]) expect(line).not.toContain(secret);
    }
  });

  it('a successful proxy response holds no axios config or request carrying the key', async () => {
    const nango = await service();
    const response = await nango.get({
      endpoint: '/x',
      providerConfigKey: 'public-api',
      connectionId: 'conn-none',
    });
    expect(inspect(response, { depth: Infinity })).not.toContain(SECRET);
    expect(JSON.stringify(response)).not.toContain(SECRET);
  });

  it('the scrubber really removes the key from a Nango message (this test would fail without it)', async () => {
    const nango = await service();
    const error = (await nango
      .getToken('github', 'echo-secret')
      .catch((e: unknown) => e)) as NangoError & {
      nangoMessage: string;
    };
    expect(error.nangoMessage).toBe('bad key [redacted] here');
  });
});
