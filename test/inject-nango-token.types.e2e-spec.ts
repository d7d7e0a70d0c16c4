import 'reflect-metadata';
import { Controller, Get, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  InjectNangoToken,
  NangoModule,
  UseNangoConnection,
  type NangoToken,
  type NangoTokenFor,
} from '../lib/index.js';
import { NangoStandIn } from '../lib/testing/index.js';
import { seedConnections } from './fixtures/seed.js';
import { adapterFor, fetchAnswer, listenLocally, type AdapterName } from './fixtures/http.js';

/**
 * What `@InjectNangoToken()` injects for each credential type, as docs/credentials-in-controllers.md
 * tables it and `NangoTokenFor<Type>` types it: over real HTTP, on Express and Fastify, each
 * handler typed with the `NangoTokenFor` of its integration's type.
 */

/** The route's connection, from its path; the handler's name says which type it expects. */
const byType = (_type: string) => ({
  providerConfigKey: { param: 'key' },
  connectionId: { param: 'id' },
});

@Controller('injected')
class InjectedController {
  @Get('oauth2/:key/:id')
  @UseNangoConnection(byType('OAUTH2'))
  oauth2(@InjectNangoToken() token: NangoTokenFor<'OAUTH2'>) {
    return { kind: typeof token, token };
  }

  @Get('oauth1/:key/:id')
  @UseNangoConnection(byType('OAUTH1'))
  oauth1(@InjectNangoToken() token: NangoTokenFor<'OAUTH1'>) {
    return { kind: typeof token, token, secret: token.oAuthTokenSecret };
  }

  @Get('api-key/:key/:id')
  @UseNangoConnection(byType('API_KEY'))
  apiKey(@InjectNangoToken() token: NangoTokenFor<'API_KEY'>) {
    return { kind: typeof token, token, apiKey: token.apiKey };
  }

  @Get('basic/:key/:id')
  @UseNangoConnection(byType('BASIC'))
  basic(@InjectNangoToken() token: NangoTokenFor<'BASIC'>) {
    return { kind: typeof token, token, username: token.username };
  }

  @Get('app/:key/:id')
  @UseNangoConnection(byType('APP'))
  app(@InjectNangoToken() token: NangoTokenFor<'APP'>) {
    return { kind: typeof token, token, accessToken: token.access_token };
  }

  @Get('oauth2-cc/:key/:id')
  @UseNangoConnection(byType('OAUTH2_CC'))
  clientCredentials(@InjectNangoToken() token: NangoTokenFor<'OAUTH2_CC'>) {
    return { kind: typeof token, token, bearer: token.token };
  }

  @Get('custom/:key/:id')
  @UseNangoConnection(byType('CUSTOM'))
  custom(@InjectNangoToken() token: NangoTokenFor<'CUSTOM'>) {
    return { kind: typeof token, token, type: token.type };
  }

  @Get('none/:key/:id')
  @UseNangoConnection(byType(''))
  none(@InjectNangoToken() token: NangoTokenFor<undefined>) {
    return { kind: typeof token, token };
  }

  @Get('any/:key/:id')
  @UseNangoConnection(byType(''))
  any(@InjectNangoToken() token: NangoToken) {
    return { kind: typeof token, token };
  }
}

// Compile-time checks (npm run typecheck): each type names its own shape and no other.
const typed = {
  oauth2: 'gh-access-token-1' satisfies NangoTokenFor<'OAUTH2'>,
  apiKey: { type: 'API_KEY', apiKey: 'k' } satisfies NangoTokenFor<'API_KEY'>,
  none: {} satisfies NangoTokenFor<undefined>,
};
// @ts-expect-error an API key connection injects an object, not a string
const notAString: NangoTokenFor<'API_KEY'> = 'k';
// @ts-expect-error BASIC credentials have no apiKey
const notBasic: NangoTokenFor<'BASIC'> = { type: 'BASIC', apiKey: 'k' };

const EXTRA = [
  {
    connectionId: 'conn-app',
    providerConfigKey: 'github-app',
    credentials: { type: 'APP' as const, access_token: 'app-token', raw: { installation: 1 } },
  },
  {
    connectionId: 'conn-cc',
    providerConfigKey: 'cc-api',
    credentials: {
      type: 'OAUTH2_CC' as const,
      token: 'cc-token',
      client_id: 'cc-client',
      client_secret: 'cc-secret',
      raw: {},
    },
  },
  {
    connectionId: 'conn-custom',
    providerConfigKey: 'custom-api',
    credentials: { type: 'CUSTOM' as const, tenant: 't-1', signing: 'sig' },
  },
];

describe.each<AdapterName>(['express', 'fastify'])(
  '@InjectNangoToken() by credential type (%s)',
  (adapter) => {
    let standIn: NangoStandIn;
    let app: INestApplication;
    let base: string;

    beforeAll(async () => {
      standIn = await NangoStandIn.start({ connections: [...seedConnections(), ...EXTRA] });
      const ref = await Test.createTestingModule({
        imports: [NangoModule.forRoot({ secretKey: standIn.secretKey, host: standIn.url })],
        controllers: [InjectedController],
      }).compile();
      app = ref.createNestApplication(adapterFor(adapter), { logger: false });
      base = await listenLocally(app);
    });

    afterAll(async () => {
      await app?.close();
      await standIn?.close();
    });

    it.each([
      [
        'OAUTH2: the access token string',
        'oauth2/github/conn-oauth2',
        { kind: 'string', token: 'gh-access-token-1' },
      ],
      [
        'OAUTH1: { oAuthToken, oAuthTokenSecret }',
        'oauth1/twitter/conn-oauth1',
        {
          kind: 'object',
          token: { oAuthToken: 'tw-token', oAuthTokenSecret: 'tw-token-secret' },
          secret: 'tw-token-secret',
        },
      ],
      [
        'API_KEY: { type, apiKey }',
        'api-key/jira/conn-apikey',
        {
          kind: 'object',
          token: { type: 'API_KEY', apiKey: 'jira-api-key-123' },
          apiKey: 'jira-api-key-123',
        },
      ],
      [
        'BASIC: { type, username, password }',
        'basic/basic-api/conn-basic',
        {
          kind: 'object',
          token: { type: 'BASIC', username: 'alice', password: 'alice-password' },
          username: 'alice',
        },
      ],
      [
        'APP: the credentials object',
        'app/github-app/conn-app',
        {
          kind: 'object',
          token: expect.objectContaining({ type: 'APP', access_token: 'app-token' }),
          accessToken: 'app-token',
        },
      ],
      [
        'OAUTH2_CC: the credentials object',
        'oauth2-cc/cc-api/conn-cc',
        {
          kind: 'object',
          token: expect.objectContaining({
            type: 'OAUTH2_CC',
            token: 'cc-token',
            client_id: 'cc-client',
            client_secret: 'cc-secret',
          }),
          bearer: 'cc-token',
        },
      ],
      [
        'CUSTOM: the credentials object as Nango sends it',
        'custom/custom-api/conn-custom',
        { kind: 'object', token: EXTRA[2]?.credentials, type: 'CUSTOM' },
      ],
      ['unauthenticated: {}', 'none/public-api/conn-none', { kind: 'object', token: {} }],
    ])('%s', async (_what, path, expected) => {
      const answer = await fetchAnswer(`${base}/injected/${path}`);
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual(expected);
    });

    it('NangoToken types any of them', async () => {
      const answer = await fetchAnswer(`${base}/injected/any/jira/conn-apikey`);
      expect(answer.body).toEqual({
        kind: 'object',
        token: { type: 'API_KEY', apiKey: 'jira-api-key-123' },
      });
      expect(typed.oauth2).toBe('gh-access-token-1');
      expect([notAString, notBasic]).toHaveLength(2);
    });
  },
);
