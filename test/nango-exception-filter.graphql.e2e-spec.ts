import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { standInSuite } from './fixtures/stand-in-suite.js';
import { startFilterGraphqlApp } from './fixtures/apps/exception-filter.graphql-app.js';

interface GraphqlAnswer {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; path?: string[]; extensions?: Record<string, unknown> }>;
}

const suite = standInSuite();
let booted: { app: INestApplication; url: string } | undefined;

async function boot(driver: 'apollo' | 'mercurius'): Promise<string> {
  booted = await startFilterGraphqlApp(suite.standIn, driver);
  return booted.url;
}

afterEach(async () => {
  await booted?.app.close();
  booted = undefined;
});

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
