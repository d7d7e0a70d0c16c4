import 'reflect-metadata';
import { Module, type INestApplication } from '@nestjs/common';
import { Args, ID, Query, Resolver } from '@nestjs/graphql';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { request as httpRequest, type ClientRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  InjectNangoConnection,
  InjectNangoToken,
  NangoModule,
  UseNangoConnection,
  type NangoConnection,
  type NangoToken,
} from '../lib/index.js';
import type { NangoStandIn } from '../lib/testing/index.js';
import { eventually } from './fixtures/eventually.js';
import { graphqlModule } from './fixtures/graphql-module.js';
import { startHangingStandIn } from './fixtures/hanging-stand-in.js';

/**
 * A GraphQL client that hangs up while the interceptor waits for Nango cancels that Nango call
 * (the stand-in sees its request end) and the resolver never runs, on Apollo (Express) and
 * Mercurius (Fastify), as for HTTP routes (test/nango.client-disconnect.e2e-spec.ts).
 */

let resolved = 0;

@Resolver()
@UseNangoConnection({ providerConfigKey: 'github', connectionId: { arg: 'connectionId' } })
class SlowResolver {
  @Query(() => String, { nullable: true })
  token(
    @Args('connectionId', { type: () => ID }) _id: string,
    @InjectNangoToken() token: NangoToken,
  ): string {
    resolved++;
    return JSON.stringify(token);
  }

  @Query(() => String, { nullable: true })
  connection(
    @Args('connectionId', { type: () => ID }) _id: string,
    @InjectNangoConnection() connection: NangoConnection,
  ): string {
    resolved++;
    return connection.connection_id;
  }
}

describe.each(['apollo', 'mercurius'] as const)('GraphQL client disconnect on %s', (driver) => {
  let standIn: NangoStandIn;
  let app: INestApplication;
  let port: number;
  const clients: ClientRequest[] = [];

  beforeEach(async () => {
    resolved = 0;
    standIn = await startHangingStandIn();
    @Module({
      imports: [
        graphqlModule(driver),
        NangoModule.forRoot({ secretKey: standIn.secretKey, host: standIn.url, retry: false }),
      ],
      providers: [SlowResolver],
    })
    class AppModule {}

    const ref = await Test.createTestingModule({ imports: [AppModule] }).compile();
    app = ref.createNestApplication(
      driver === 'apollo' ? new ExpressAdapter() : new FastifyAdapter(),
      { logger: false },
    );
    await app.listen(0, '127.0.0.1');
    port = (app.getHttpServer().address() as AddressInfo).port;
  }, 60_000);

  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy();
    await app?.close();
    await standIn?.close();
  });

  /** Posts a query whose answer is never read; destroy the request to hang up. */
  function open(field: string, connectionId: string): ClientRequest {
    const body = JSON.stringify({
      query: `query($id: ID!) { ${field}(connectionId: $id) }`,
      variables: { id: connectionId },
    });
    const client = httpRequest({
      host: '127.0.0.1',
      port,
      path: '/graphql',
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    });
    client.on('error', () => {});
    client.end(body);
    clients.push(client);
    return client;
  }

  const slowRequests = () =>
    standIn.requests.filter((r) => r.pathname.startsWith('/connections/slow'));

  it.each(['token', 'connection'])(
    'hanging up while the %s field waits for Nango ends the Nango request; the resolver never runs',
    async (field) => {
      const client = open(field, 'slow 1/x');
      await eventually(() => slowRequests().length === 1, 'the stand-in got the request', 10_000);
      expect(slowRequests()[0]?.pathname).toBe(`/connections/${encodeURIComponent('slow 1/x')}`);
      expect(await standIn.openConnections()).toBe(1);
      client.destroy();
      await eventually(
        async () => (await standIn.openConnections()) === 0,
        'the Nango request ended',
        10_000,
      );
      // Give a resolver that wrongly ran the time to do so.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(resolved).toBe(0);
      expect(standIn.requests).toHaveLength(1);
    },
  );

  it('a client that stays gets its answer as before', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ token(connectionId: "fast") }' }),
    });
    expect(response.status).toBe(200);
    await expect(response.json()).resolves.toEqual({
      data: { token: JSON.stringify({ type: 'API_KEY', apiKey: 'k' }) },
    });
    expect(resolved).toBe(1);
  });
});
