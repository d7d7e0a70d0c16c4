import 'reflect-metadata';
import { Module, type INestApplication } from '@nestjs/common';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Args, GraphQLModule, ID, Query, Resolver } from '@nestjs/graphql';
import { MercuriusDriver, type MercuriusDriverConfig } from '@nestjs/mercurius';
import { APP_FILTER } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import type { AddressInfo } from 'node:net';
import {
  InjectNangoToken,
  NangoExceptionFilter,
  NangoModule,
  NangoService,
  UseNangoConnection,
  type NangoToken,
} from '../lib/index.js';
import { standInSuite } from './fixtures/stand-in-suite.js';

/** A resolver whose own code calls Nango, and one whose credentials the interceptor fetches. */
@Resolver()
class TokenResolver {
  constructor(private readonly nango: NangoService) {}

  @Query(() => String, { nullable: true })
  async serviceToken(@Args('connectionId', { type: () => ID }) id: string): Promise<string> {
    return String(await this.nango.getToken('github', id));
  }

  @Query(() => String, { nullable: true })
  @UseNangoConnection({ providerConfigKey: 'github', connectionId: { arg: 'connectionId' } })
  declaredToken(
    @Args('connectionId', { type: () => ID }) _id: string,
    @InjectNangoToken() token: NangoToken,
  ): string {
    return String(token);
  }
}

interface GraphqlAnswer {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; path?: string[]; extensions?: Record<string, unknown> }>;
}

const suite = standInSuite();
let booted: { app: INestApplication; url: string } | undefined;

afterEach(async () => {
  await booted?.app.close();
  booted = undefined;
});

async function boot(driver: 'apollo' | 'mercurius'): Promise<string> {
  const { secretKey, url } = suite.standIn;
  const graphql =
    driver === 'apollo'
      ? GraphQLModule.forRoot<ApolloDriverConfig>({
          driver: ApolloDriver,
          playground: false,
          includeStacktraceInErrorResponses: false,
          autoSchemaFile: true,
        })
      : GraphQLModule.forRoot<MercuriusDriverConfig>({
          driver: MercuriusDriver,
          graphiql: false,
          autoSchemaFile: true,
        });

  @Module({
    imports: [graphql, NangoModule.forRoot({ secretKey, host: url })],
    providers: [TokenResolver, { provide: APP_FILTER, useClass: NangoExceptionFilter }],
  })
  class AppModule {}

  const ref = await Test.createTestingModule({ imports: [AppModule] }).compile();
  const app = ref.createNestApplication(
    driver === 'apollo' ? new ExpressAdapter() : new FastifyAdapter(),
    { logger: false },
  );
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  booted = { app, url: `http://127.0.0.1:${port}/graphql` };
  return booted.url;
}

async function ask(url: string, query: string): Promise<GraphqlAnswer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  return (await response.json()) as GraphqlAnswer;
}

describe.each([['apollo' as const], ['mercurius' as const]])(
  'NangoExceptionFilter on a GraphQL resolver (%s)',
  (driver) => {
    it('gives the GraphQL error the interceptor gives, not a broken answer', async () => {
      const url = await boot(driver);
      const fromService = await ask(url, '{ serviceToken(connectionId: "nobody") }');
      expect(fromService.data).toEqual({ serviceToken: null });
      expect(fromService.errors).toHaveLength(1);
      expect(fromService.errors?.[0]).toMatchObject({
        message: 'No such Nango connection for this integration.',
        path: ['serviceToken'],
        extensions: {
          code: 'connection_not_found',
          status: 404,
          providerConfigKey: 'github',
          connectionId: 'nobody',
        },
      });
      const declared = await ask(url, '{ declaredToken(connectionId: "nobody") }');
      expect(declared.errors?.[0]?.message).toBe(fromService.errors?.[0]?.message);
      expect(declared.errors?.[0]?.extensions).toMatchObject(
        fromService.errors?.[0]?.extensions ?? {},
      );
      expect(JSON.stringify(fromService)).not.toContain(suite.standIn.secretKey);
    });

    it('leaves a working resolver alone', async () => {
      const url = await boot(driver);
      const answer = await ask(url, '{ serviceToken(connectionId: "conn-oauth2") }');
      expect(answer).toEqual({ data: { serviceToken: 'gh-access-token-1' } });
    });
  },
);
