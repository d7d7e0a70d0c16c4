import 'reflect-metadata';
import {
  Controller,
  Get,
  Module,
  type ExecutionContext,
  type INestApplication,
} from '@nestjs/common';
import { Args, Field, GqlExecutionContext, ID, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test, type TestingModule } from '@nestjs/testing';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import {
  InjectNangoConnection,
  InjectNangoToken,
  NangoConnectionOptionsError,
  NangoModule,
  NangoStartupError,
  UseNangoConnection,
  type NangoConnection,
  type NangoToken,
} from '../lib/index.js';
import { settle } from './fixtures/eventually.js';
import { graphqlModule, type GraphqlDriver } from './fixtures/graphql-module.js';
import { standInSuite } from './fixtures/stand-in-suite.js';

const SCHEMA = fileURLToPath(new URL('./fixtures/nango-graphql.schema.graphql', import.meta.url));
/** Connections seeded for the concurrency tests, each with its own token. */
const MANY = Array.from({ length: 12 }, (_, i) => ({
  id: `gql-conn ${i}/x`,
  token: `gql-tok-${i}`,
}));

function headerConnection(ctx: ExecutionContext): string | undefined {
  const { req } = GqlExecutionContext.create(ctx).getContext<{
    req: { headers: Record<string, string | undefined> };
  }>();
  return req.headers['x-connection-id'];
}

@ObjectType('Connection')
class ConnectionView {
  @Field(() => String)
  id!: string;

  @Field(() => String)
  token!: string;
}

/** Code-first resolvers. */
@Resolver()
@UseNangoConnection({ providerConfigKey: 'github' })
class CodeFirstResolver {
  @Query(() => String, { nullable: true })
  @UseNangoConnection({ connectionId: { arg: 'connectionId' } })
  token(
    @Args('connectionId', { type: () => ID, nullable: true }) _id: string,
    @InjectNangoToken() token: NangoToken,
  ): string {
    return String(token);
  }

  @Query(() => ConnectionView, { nullable: true })
  @UseNangoConnection({ connectionId: { arg: 'connectionId' } })
  connection(
    @Args('connectionId', { type: () => ID }) _id: string,
    @InjectNangoConnection() connection: NangoConnection,
    @InjectNangoToken() token: NangoToken,
  ): ConnectionView {
    return { id: connection.connection_id, token: String(token) };
  }

  @Query(() => String, { nullable: true })
  @UseNangoConnection({ connectionId: headerConnection })
  viaHeader(@InjectNangoToken() token: NangoToken): string {
    return String(token);
  }

  @Query(() => String, { nullable: true })
  @UseNangoConnection({ connectionId: { param: 'id' } })
  misusedParam(@InjectNangoToken() token: NangoToken): string {
    return String(token);
  }
}

/** The same resolvers, schema-first (test/fixtures/nango-graphql.schema.graphql). */
@Resolver('Query')
@UseNangoConnection({ providerConfigKey: 'github' })
class SchemaFirstResolver {
  @Query('token')
  @UseNangoConnection({ connectionId: { arg: 'connectionId' } })
  token(@InjectNangoToken() token: NangoToken): string {
    return String(token);
  }

  @Query('connection')
  @UseNangoConnection({ connectionId: { arg: 'connectionId' } })
  connection(
    @InjectNangoConnection() connection: NangoConnection,
    @InjectNangoToken() token: NangoToken,
  ): ConnectionView {
    return { id: connection.connection_id, token: String(token) };
  }

  @Query('viaHeader')
  @UseNangoConnection({ connectionId: headerConnection })
  viaHeader(@InjectNangoToken() token: NangoToken): string {
    return String(token);
  }

  @Query('misusedParam')
  @UseNangoConnection({ connectionId: { param: 'id' } })
  misusedParam(@InjectNangoToken() token: NangoToken): string {
    return String(token);
  }
}

/** `@InjectNangoToken()` / `@InjectNangoConnection()` with no `@UseNangoConnection()`: start-up stops the app. */
@Resolver()
class UndeclaredCodeFirstResolver {
  @Query(() => String, { nullable: true })
  undeclared(@InjectNangoToken() token: NangoToken): string {
    return String(token);
  }

  @Query(() => ConnectionView, { nullable: true })
  undeclaredConnection(@InjectNangoConnection() connection: NangoConnection): ConnectionView {
    return { id: connection.connection_id, token: '' };
  }
}

@Resolver('Query')
class UndeclaredSchemaFirstResolver {
  @Query('undeclared')
  undeclared(@InjectNangoToken() token: NangoToken): string {
    return String(token);
  }

  @Query('undeclaredConnection')
  undeclaredConnection(@InjectNangoConnection() connection: NangoConnection): ConnectionView {
    return { id: connection.connection_id, token: '' };
  }
}

/** `{ arg }` on an HTTP route: it has no resolver arguments. */
@Controller('http')
class HttpArgController {
  @Get('token')
  @UseNangoConnection({ providerConfigKey: 'github', connectionId: { arg: 'connectionId' } })
  token(@InjectNangoToken() token: NangoToken): unknown {
    return { token };
  }
}

type Style = 'code-first' | 'schema-first';

interface GraphqlAnswer {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; path?: string[]; extensions?: Record<string, unknown> }>;
}

const suite = standInSuite();

/** The app of a case; `undeclared` adds the resolvers the start-up check refuses. */
function graphqlApp(
  driver: GraphqlDriver,
  style: Style,
  undeclared = false,
): Promise<TestingModule> {
  const { secretKey, url } = suite.standIn;
  const schema = style === 'code-first' ? undefined : { typePaths: [SCHEMA] };
  @Module({
    imports: [graphqlModule(driver, schema), NangoModule.forRoot({ secretKey, host: url })],
    providers:
      style === 'code-first'
        ? [CodeFirstResolver, ...(undeclared ? [UndeclaredCodeFirstResolver] : [])]
        : [SchemaFirstResolver, ...(undeclared ? [UndeclaredSchemaFirstResolver] : [])],
  })
  class AppModule {}

  return Test.createTestingModule({ imports: [AppModule] }).compile();
}

/** Creates the app of a case on its adapter (Apollo on Express, Mercurius on Fastify). */
function createApp(ref: TestingModule, driver: GraphqlDriver): INestApplication {
  return ref.createNestApplication(
    driver === 'apollo' ? new ExpressAdapter() : new FastifyAdapter(),
    { logger: false },
  );
}

async function boot(
  driver: GraphqlDriver,
  style: Style,
): Promise<{ app: INestApplication; url: string }> {
  const app = createApp(await graphqlApp(driver, style), driver);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, url: `http://127.0.0.1:${port}/graphql` };
}

async function ask(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<GraphqlAnswer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphqlAnswer;
}

const CASES: Array<[GraphqlDriver, Style]> = [
  ['apollo', 'code-first'],
  ['apollo', 'schema-first'],
  ['mercurius', 'code-first'],
  ['mercurius', 'schema-first'],
];

describe.each(CASES)('GraphQL resolvers: %s (%s)', (driver, style) => {
  let booted: { app: INestApplication; url: string } | undefined;
  const url = (): string => {
    if (booted === undefined) throw new Error('the app boots in beforeEach');
    return booted.url;
  };

  beforeEach(async () => {
    suite.standIn.seed(
      ...MANY.map(({ id, token }) => ({
        connectionId: id,
        providerConfigKey: 'github',
        credentials: { type: 'OAUTH2' as const, access_token: token, raw: {} },
      })),
    );
    booted = await boot(driver, style);
  }, 60_000);

  afterEach(async () => {
    await booted?.app.close();
    booted = undefined;
  });

  it('injects the token of the connection named by a resolver argument', async () => {
    const answer = await ask(url(), 'query($id: ID) { token(connectionId: $id) }', {
      id: 'conn-oauth2',
    });
    expect(answer).toEqual({ data: { token: 'gh-access-token-1' } });
    const calls = suite.standIn.requests.filter((r) => r.pathname.startsWith('/connection'));
    expect(calls.map((r) => r.pathname)).toEqual(['/connections/conn-oauth2']);
    expect(calls[0]?.query.provider_config_key).toBe('github');
  });

  it('injects the whole connection with @InjectNangoConnection(), in one Nango call', async () => {
    const answer = await ask(
      url(),
      'query($id: ID!) { connection(connectionId: $id) { id token } }',
      {
        id: 'team/a?b#c d',
      },
    );
    expect(answer).toEqual({
      data: { connection: { id: 'team/a?b#c d', token: 'gh-odd-id-token' } },
    });
    const calls = suite.standIn.requests.filter((r) => r.pathname.startsWith('/connection'));
    expect(calls.map((r) => r.pathname)).toEqual([
      `/connections/${encodeURIComponent('team/a?b#c d')}`,
    ]);
  });

  it('gives concurrent queries each their own connection’s credentials', async () => {
    const answers = await Promise.all(
      [...MANY, ...MANY].map(({ id }) =>
        ask(url(), 'query($id: ID) { token(connectionId: $id) }', { id }),
      ),
    );
    expect(answers).toEqual([...MANY, ...MANY].map(({ token }) => ({ data: { token } })));
  });

  it('keeps the credentials per field: aliased fields of one query get their own connection', async () => {
    const fields = MANY.map(({ id }, i) => `f${i}: token(connectionId: ${JSON.stringify(id)})`);
    const answer = await ask(url(), `{ ${fields.join(' ')} }`);
    expect(answer.errors).toBeUndefined();
    expect(answer.data).toEqual(Object.fromEntries(MANY.map(({ token }, i) => [`f${i}`, token])));
  });

  it('passes the ExecutionContext to a function source (GqlExecutionContext reads the request)', async () => {
    const answer = await ask(url(), '{ viaHeader }', {}, { 'x-connection-id': 'conn-oauth2' });
    expect(answer).toEqual({ data: { viaHeader: 'gh-access-token-1' } });
  });

  it('answers a Nango failure as a GraphQL error with the HTTP answer’s code and status', async () => {
    const answer = await ask(url(), '{ token(connectionId: "nobody") }');
    expect(answer.data).toEqual({ token: null });
    expect(answer.errors).toHaveLength(1);
    expect(answer.errors?.[0]).toMatchObject({
      path: ['token'],
      extensions: {
        code: 'connection_not_found',
        status: 404,
        providerConfigKey: 'github',
        connectionId: 'nobody',
      },
    });
    expect(JSON.stringify(answer)).not.toContain(suite.standIn.secretKey);
  });

  it('answers a missing argument as missing_connection_id, status 400, without calling Nango', async () => {
    const answer = await ask(url(), '{ token }');
    expect(answer.errors?.[0]).toMatchObject({
      message: 'Missing connectionId (from GraphQL argument "connectionId").',
      extensions: { code: 'missing_connection_id', status: 400 },
    });
    expect(suite.standIn.requests.filter((r) => r.pathname.startsWith('/connection'))).toEqual([]);
  });

  it('fails a misused source ({ param } on a resolver) without calling Nango or leaking a secret', async () => {
    const answer = await ask(url(), '{ misusedParam }');
    expect(answer.data).toEqual({ misusedParam: null });
    expect(answer.errors).toHaveLength(1);
    expect(answer.errors?.[0]?.message).toContain(
      'a GraphQL resolver has no route or query parameters: use { arg }, { header } or a function',
    );
    expect(answer.errors?.[0]?.extensions?.code).not.toBe('connection_not_found');
    expect(JSON.stringify(answer)).not.toContain(suite.standIn.secretKey);
    expect(suite.standIn.requests.filter((r) => r.pathname.startsWith('/connection'))).toEqual([]);
  });

  it('stops app.init() when a resolver uses @InjectNangoToken() / @InjectNangoConnection() without @UseNangoConnection(), naming each field and the fix', async () => {
    const resolver =
      style === 'code-first' ? 'UndeclaredCodeFirstResolver' : 'UndeclaredSchemaFirstResolver';
    const app = createApp(await graphqlApp(driver, style, true), driver);
    const error = await settle(app.init());
    await app.close();
    expect(error).toBeInstanceOf(NangoStartupError);
    expect((error as NangoStartupError).handlers).toEqual([
      `${resolver}.undeclared`,
      `${resolver}.undeclaredConnection`,
    ]);
    expect((error as Error).message).toContain(
      `${resolver}.undeclared uses @InjectNangoToken() but no @UseNangoConnection() ` +
        'applies to it: add @UseNangoConnection({ providerConfigKey, connectionId })',
    );
    expect((error as Error).message).toContain(
      `${resolver}.undeclaredConnection uses @InjectNangoConnection() but no @UseNangoConnection()`,
    );
    expect(suite.standIn.requests.filter((r) => r.pathname.startsWith('/connection'))).toEqual([]);
  });
});

describe('the { arg } source', () => {
  it('is checked when the decorator is applied', () => {
    expect(() => UseNangoConnection({ connectionId: { arg: '' } })).toThrow(
      NangoConnectionOptionsError,
    );
    expect(() => UseNangoConnection({ connectionId: { arg: '' } })).toThrow(
      'connectionId { arg } must name the arg with a non-empty string',
    );
  });

  it('on an HTTP route answers 500 without calling Nango', async () => {
    const { secretKey, url } = suite.standIn;
    const ref = await Test.createTestingModule({
      imports: [NangoModule.forRoot({ secretKey, host: url })],
      controllers: [HttpArgController],
    }).compile();
    const app = ref.createNestApplication(new ExpressAdapter(), { logger: false });
    try {
      await app.listen(0, '127.0.0.1');
      const { port } = app.getHttpServer().address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/http/token?connectionId=conn-oauth2`);
      expect(response.status).toBe(500);
      expect(await response.text()).not.toContain('gh-access-token-1');
      expect(suite.standIn.requests.filter((r) => r.pathname.startsWith('/connection'))).toEqual(
        [],
      );
    } finally {
      await app.close();
    }
  });
});
