import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { standInSuite } from './fixtures/stand-in-suite.js';
import { startFilterGraphqlApp } from './fixtures/apps/exception-filter.graphql-app.js';
import { CapturingLogger } from './fixtures/capturing-logger.js';
import { expectNoneOf } from './fixtures/secrets.js';
import { seedConnections } from './fixtures/seed.js';

interface GraphqlAnswer {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; path?: string[]; extensions?: Record<string, unknown> }>;
}

const suite = standInSuite();
const logger = new CapturingLogger();
let booted: { app: INestApplication; url: string } | undefined;

afterEach(async () => {
  await booted?.app.close();
  booted = undefined;
  logger.clear();
});

async function ask(url: string, query: string): Promise<GraphqlAnswer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  return (await response.json()) as GraphqlAnswer;
}

/** The captured lines at `level` (a line is `<level> <message and stacks>`). */
function linesAt(level: 'error' | 'warn'): string[] {
  return logger.lines.filter((line) => line.startsWith(`${level} `));
}

/** Every secret of the stand-in: the secret key and each seeded token. */
function secrets(): string[] {
  const tokens = seedConnections().flatMap((c) => {
    const credentials = c.credentials as unknown as Record<string, unknown>;
    return Object.values(credentials).filter(
      (value): value is string => typeof value === 'string' && value.length > 8,
    );
  });
  return [suite.standIn.secretKey, ...tokens];
}

const cases: Array<['apollo' | 'mercurius', boolean]> = [
  ['apollo', false],
  ['apollo', true],
  ['mercurius', false],
  ['mercurius', true],
];

describe.each(cases)('what a failed Nango field logs (%s, filter: %s)', (driver, filter) => {
  async function boot(): Promise<string> {
    booted = await startFilterGraphqlApp(suite.standIn, driver, { filter, logger });
    logger.clear();
    return booted.url;
  }

  it('a 404 (no such connection) logs no ERROR line, and answers as before', async () => {
    const url = await boot();
    const answer = await ask(url, '{ declaredToken(connectionId: "nobody") }');
    expect(answer.data).toEqual({ declaredToken: null });
    expect(answer.errors).toHaveLength(1);
    expect(answer.errors?.[0]).toMatchObject({
      message: 'No such Nango connection for this integration.',
      path: ['declaredToken'],
      extensions: { code: 'connection_not_found', status: 404, connectionId: 'nobody' },
    });
    expect(linesAt('error')).toEqual([]);
    expect(linesAt('warn')).toEqual([]);
  });

  it('a 424 (reconnect required) logs one warning, no stack', async () => {
    const url = await boot();
    const answer = await ask(url, '{ declaredToken(connectionId: "conn-broken") }');
    expect(answer.errors?.[0]?.extensions).toMatchObject({
      code: 'reconnect_required',
      status: 424,
    });
    expect(linesAt('error')).toEqual([]);
    expect(linesAt('warn')).toHaveLength(1);
    expect(logger.text()).not.toMatch(/\n\s+at /);
  });

  it('a 5xx (Nango down) logs exactly one ERROR line, with no stack and no secret', async () => {
    const url = await boot();
    suite.script({ path: '/connections/conn-oauth2', respond: { status: 500 } });
    const answer = await ask(url, '{ declaredToken(connectionId: "conn-oauth2") }');
    expect(answer.data).toEqual({ declaredToken: null });
    expect(answer.errors?.[0]?.extensions).toMatchObject({
      code: 'nango_unavailable',
      status: 502,
    });
    const errors = linesAt('error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('declaredToken');
    expect(logger.text()).not.toMatch(/\n\s+at /);
    expectNoneOf(secrets(), logger.text(), JSON.stringify(answer));
  });

  it('several failed fields of one query: one line per 5xx field, none for 404s', async () => {
    const url = await boot();
    suite.script({ path: '/connections/conn-oauth2', respond: { status: 500 } });
    const answer = await ask(
      url,
      '{ a: declaredToken(connectionId: "nobody") b: declaredToken(connectionId: "conn-oauth2") c: declaredToken(connectionId: "nobody") }',
    );
    expect(answer.data).toEqual({ a: null, b: null, c: null });
    expect(answer.errors).toHaveLength(3);
    expect(linesAt('error')).toHaveLength(1);
    expect(logger.text()).not.toMatch(/\n\s+at /);
  });
});

describe.each([['apollo' as const], ['mercurius' as const]])(
  "with NangoExceptionFilter, a NangoError of the resolver's own code (%s)",
  (driver) => {
    async function boot(): Promise<string> {
      booted = await startFilterGraphqlApp(suite.standIn, driver, { logger });
      logger.clear();
      return booted.url;
    }

    it('a 404 logs no ERROR line', async () => {
      const url = await boot();
      const answer = await ask(url, '{ serviceToken(connectionId: "nobody") }');
      expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'connection_not_found' });
      expect(linesAt('error')).toEqual([]);
    });

    it('a 5xx logs exactly one ERROR line naming the field, with no stack and no secret', async () => {
      const url = await boot();
      suite.script({ path: '/connections/conn-oauth2', respond: { status: 500 } });
      const answer = await ask(url, '{ serviceToken(connectionId: "conn-oauth2") }');
      expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'nango_unavailable' });
      const errors = linesAt('error');
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain('Query.serviceToken: ');
      expect(logger.text()).not.toMatch(/\n\s+at /);
      expectNoneOf(secrets(), logger.text(), JSON.stringify(answer));
    });
  },
);
