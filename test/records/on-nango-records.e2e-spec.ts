import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { createHmac } from 'node:crypto';
import {
  InMemoryCursorStore,
  NangoModule,
  NangoRecordsParkedError,
  NangoRecordsService,
  NangoService,
  nangoRecordsStreamKey,
  type NangoRecordsEvent,
  type NangoRecordsOptions,
} from '../../lib/index.js';
import { NangoStandIn } from '../../lib/testing/index.js';
import { NANGO_DEFAULT_RETRY } from '../../lib/nango.constants.js';
import { IssueRecords, UnknownModelRecords } from '../fixtures/apps/records.app.js';
import { adapterFor, listenLocally, type AdapterName } from '../fixtures/http.js';
import { CapturingLogger } from '../fixtures/capturing-logger.js';
import { eventually } from '../fixtures/eventually.js';
import { expectNoneOf } from '../fixtures/secrets.js';

/**
 * `@OnNangoRecords()` end to end over real HTTP (Express and Fastify): the stand-in plays sync
 * runs and posts their signed webhooks to the app, whose drains page `GET /records` and hand
 * every page to the handler; cursors, order, retries, parking and coalescing are checked on
 * what the handler saw and what the stand-in was asked.
 */

const SIGNING_KEY = 'whsk-records-e2e';
const github = (connectionId: string) => ({
  providerConfigKey: 'github',
  connectionId,
  model: 'Issue',
});
const issues = (from: number, count: number, title = 'issue') =>
  Array.from({ length: count }, (_, i) => ({
    id: `i-${String(from + i).padStart(5, '0')}`,
    title,
  }));

const LONG = 60_000;

describe.each(['express', 'fastify'] as AdapterName[])('@OnNangoRecords() on %s', (platform) => {
  let standIn: NangoStandIn;
  let app: INestApplication;
  let handler: IssueRecords;
  let records: NangoRecordsService;
  let store: InMemoryCursorStore;
  let events: NangoRecordsEvent[];
  let logger: CapturingLogger;
  let webhookUrl: string;

  /** The ids of a stream in Nango's own order (after `cursor`), read straight from GET /records. */
  const nangoOrder = async (connectionId: string, cursor?: string): Promise<string[]> => {
    const ids: string[] = [];
    const params = { ...github(connectionId), ...(cursor === undefined ? {} : { cursor }) };
    for await (const record of app.get(NangoService).iterateRecords<{ id: string }>(params)) {
      ids.push(record.id);
    }
    return ids;
  };
  const sorted = (ids: string[]): string[] => [...ids].sort();

  const listCalls = (connectionId: string): number =>
    standIn.requests.filter(
      (r) => r.pathname === '/records' && r.headers['connection-id'] === connectionId,
    ).length;

  beforeAll(async () => {
    standIn = await NangoStandIn.start({
      connections: [
        'c-main',
        'c-fail',
        'c-other',
        'c-many',
        'c-dup',
        'c-429',
        'c-bad',
        'c-ahead',
      ].map((connectionId) => ({
        providerConfigKey: 'github',
        connectionId,
        credentials: { type: 'API_KEY' as const, apiKey: 'k' },
      })),
    });
    store = new InMemoryCursorStore();
    const recordsOptions: NangoRecordsOptions = {
      cursorStore: store,
      pageSize: 100,
      retry: { attempts: 3, minDelayMs: 5, maxDelayMs: 20 },
    };
    const moduleRef = await Test.createTestingModule({
      imports: [
        NangoModule.forRoot({
          secretKey: standIn.secretKey,
          host: standIn.url,
          webhookSigningKey: SIGNING_KEY,
          webhooks: { path: 'nango/webhooks' },
          records: recordsOptions,
        }),
      ],
      providers: [IssueRecords, UnknownModelRecords],
    }).compile();
    logger = new CapturingLogger();
    app = moduleRef.createNestApplication(adapterFor(platform), { rawBody: true, logger });
    await app.init();
    webhookUrl = `${await listenLocally(app)}/nango/webhooks`;
    standIn.setWebhookTarget(webhookUrl, SIGNING_KEY);
    handler = app.get(IssueRecords);
    handler.store = store;
    records = app.get(NangoRecordsService);
    events = [];
    records.events$.subscribe((event) => events.push(event));
  }, LONG);

  afterAll(async () => {
    await app?.close();
    await standIn?.close();
  });

  it(
    "delivers 2,000 records over 20 pages in order, each page once, the cursor saved after the page; then the next run's updates and deletes",
    async () => {
      const run = await standIn.sync({ ...github('c-main'), added: issues(0, 2000) });
      expect(run.webhook?.status).toBe(200);
      await eventually(() => handler.idsOf('c-main').length >= 2000, '2,000 records', LONG);
      await records.idle();
      const pages = handler.pages.filter((p) => p.connectionId === 'c-main');
      expect(pages).toHaveLength(20);
      expect(sorted(handler.idsOf('c-main'))).toEqual(issues(0, 2000).map((i) => i.id));
      expect(handler.idsOf('c-main')).toEqual(await nangoOrder('c-main'));
      for (const [i, page] of pages.entries()) {
        // During the call the store still held the previous page's cursor: saved after, not before.
        expect(page.savedDuringCall).toBe(i === 0 ? undefined : pages[i - 1]?.cursor);
        expect(page.previousCursor).toBe(i === 0 ? undefined : pages[i - 1]?.cursor);
      }
      expect(await records.cursorOf(github('c-main'))).toBe(pages[19]?.cursor);
      expect(listCalls('c-main')).toBe(20 + 20); // the drain's 20, then nangoOrder's 20

      // The next run: 50 updated, 30 deleted; only those come, after the saved cursor.
      await standIn.sync({
        ...github('c-main'),
        updated: issues(100, 50, 'renamed'),
        deleted: issues(1000, 30).map((i) => i.id),
      });
      await eventually(() => handler.idsOf('c-main').length >= 2080, 'the second run', LONG);
      await records.idle();
      const next = handler.pages.filter((p) => p.connectionId === 'c-main').slice(20);
      expect(next).toHaveLength(1);
      expect(sorted(next[0]?.ids ?? [])).toEqual(
        [...issues(100, 50), ...issues(1000, 30)].map((i) => i.id),
      );
      expect(next[0]?.ids).toEqual(await nangoOrder('c-main', pages[19]?.cursor));
      expect(sorted(next[0]?.actions ?? [])).toEqual([
        ...Array(30).fill('DELETED'),
        ...Array(50).fill('UPDATED'),
      ]);
      expect(next[0]?.savedDuringCall).toBe(pages[19]?.cursor);
    },
    LONG,
  );

  it(
    'a handler failing on page 7: pages 1-6 committed once, page 7 tried 3 times then parked; another stream flows; fixed, it resumes at page 7',
    async () => {
      handler.failOn = { connectionId: 'c-fail', page: 7 };
      const failuresBefore = handler.failures;
      await standIn.sync({ ...github('c-fail'), added: issues(0, 1000) });
      await eventually(
        () => events.some((e) => e.type === 'parked' && e.stream.connectionId === 'c-fail'),
        'the stream parks',
        LONG,
      );
      await standIn.sync({ ...github('c-other'), added: issues(0, 250) });
      await eventually(() => handler.idsOf('c-other').length === 250, 'the other stream', LONG);
      await records.idle();

      const failPages = handler.pages.filter((p) => p.connectionId === 'c-fail');
      expect(failPages).toHaveLength(6);
      expect(handler.idsOf('c-fail')).toEqual((await nangoOrder('c-fail')).slice(0, 600));
      expect(handler.failures - failuresBefore).toBe(3);
      expect(await records.cursorOf(github('c-fail'))).toBe(failPages[5]?.cursor);
      const parked = events.find((e) => e.type === 'parked' && e.stream.connectionId === 'c-fail');
      expect(parked).toMatchObject({ attempts: 3, cursor: failPages[5]?.cursor });
      expect(records.parked().map((s) => s.connectionId)).toContain('c-fail');
      const line = logger.lines.filter((l) => l.includes('github/c-fail'));
      expect(line).toHaveLength(1);
      expect(line[0]).toMatch(
        /^error .*parked after 3 tries \(a handler failed\): Error: cannot store page 7/,
      );

      await expect(records.drain(github('c-fail'))).rejects.toBeInstanceOf(NangoRecordsParkedError);
      handler.failOn = undefined;
      await records.drain(github('c-fail'));
      expect(handler.idsOf('c-fail')).toEqual(await nangoOrder('c-fail'));
      expect(sorted(handler.idsOf('c-fail'))).toEqual(issues(0, 1000).map((i) => i.id));
      expect(handler.pages.filter((p) => p.connectionId === 'c-fail')[6]?.savedDuringCall).toBe(
        failPages[5]?.cursor,
      );
      expect(records.parked().map((s) => s.connectionId)).not.toContain('c-fail');
    },
    LONG,
  );

  it(
    'reads the next page while the handlers work on one, never more than one page ahead',
    async () => {
      // Requests of the stream the stand-in had seen while each page was handled.
      const seen: number[] = [];
      handler.during = async (batch) => {
        if (batch.connectionId !== 'c-ahead') return;
        const page = seen.length + 1;
        if (page < 5) {
          await eventually(
            () => listCalls('c-ahead') === page + 1,
            `the read of page ${page + 1} while page ${page} is handled`,
            LONG,
          );
        }
        // Time for a second read ahead to show, were there one.
        await new Promise((resolve) => setTimeout(resolve, 20));
        seen.push(listCalls('c-ahead'));
      };
      try {
        await standIn.sync({ ...github('c-ahead'), added: issues(0, 450) });
        await eventually(() => handler.idsOf('c-ahead').length === 450, 'the records', LONG);
        await records.idle();
      } finally {
        handler.during = undefined;
      }
      // Pages 1-4 each had the next read sent; the last page (50 records) has none after it.
      expect(seen).toEqual([2, 3, 4, 5, 5]);
      expect(handler.idsOf('c-ahead')).toEqual(await nangoOrder('c-ahead'));
    },
    LONG,
  );

  it(
    '50 webhooks for one stream at once: one drain at a time, every record once, in order',
    async () => {
      let release!: () => void;
      handler.hold = new Promise((resolve) => (release = resolve));
      const run = await standIn.sync({ ...github('c-many'), added: issues(0, 300) });
      const statuses = await Promise.all(
        Array.from({ length: 50 }, () => standIn.resendWebhook(run)),
      );
      expect(statuses.every((s) => s === 200)).toBe(true);
      release();
      handler.hold = undefined;
      await eventually(() => handler.idsOf('c-many').length >= 300, 'the records', LONG);
      await records.idle();
      expect(handler.idsOf('c-many')).toEqual(await nangoOrder('c-many'));
      expect(sorted(handler.idsOf('c-many'))).toEqual(issues(0, 300).map((i) => i.id));
      expect(handler.maxParallel).toBe(1);
      // The first drain, then one more for every webhook that came during it (coalesced).
      const drains = events.filter(
        (e) => e.type === 'drained' && e.stream.connectionId === 'c-many',
      );
      expect(drains.length).toBeLessThanOrEqual(2);
      expect(drains.length).toBeGreaterThanOrEqual(1);
    },
    LONG,
  );

  it(
    "Nango's retries of one webhook (three deliveries of the same bytes) deliver each record once",
    async () => {
      const run = await standIn.sync({ ...github('c-dup'), added: issues(0, 120) });
      await records.idle();
      expect(await standIn.resendWebhook(run)).toBe(200);
      expect(await standIn.resendWebhook(run)).toBe(200);
      await records.idle();
      expect(handler.idsOf('c-dup')).toEqual(await nangoOrder('c-dup'));
      expect(sorted(handler.idsOf('c-dup'))).toEqual(issues(0, 120).map((i) => i.id));
    },
    LONG,
  );

  it('a run that changed nothing, a failed run and a model no handler takes start no drain', async () => {
    const before = standIn.requests.filter((r) => r.pathname === '/records').length;
    await standIn.sync({ ...github('c-main') }); // responseResults all 0
    await standIn.sync({ ...github('c-main'), error: { description: 'boom' } });
    await standIn.sync({
      providerConfigKey: 'github',
      connectionId: 'c-main',
      model: 'Untaken',
      added: issues(0, 3),
    });
    await records.idle();
    expect(standIn.requests.filter((r) => r.pathname === '/records').length).toBe(before);
  });

  it('forged, unsigned and malformed sync webhooks start nothing', async () => {
    const before = standIn.requests.filter((r) => r.pathname === '/records').length;
    const body = JSON.stringify({
      type: 'sync',
      from: 'nango',
      connectionId: 'c-main',
      providerConfigKey: 'github',
      syncName: 'Issue',
      syncVariant: 'base',
      model: 'Issue',
      syncType: 'INCREMENTAL',
      success: true,
      responseResults: { added: 1, updated: 0, deleted: 0 },
      modifiedAfter: new Date().toISOString(),
    });
    const post = (headers: Record<string, string>, payload = body) =>
      fetch(webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: payload,
      });
    expect((await post({})).status).toBe(401);
    const forged = createHmac('sha256', 'not-the-key').update(body).digest('hex');
    expect((await post({ 'x-nango-hmac-sha256': forged })).status).toBe(401);
    const malformed = '{"type":"sync",';
    const signed = createHmac('sha256', SIGNING_KEY).update(malformed).digest('hex');
    expect((await post({ 'x-nango-hmac-sha256': signed }, malformed)).status).toBe(400);
    await records.idle();
    expect(standIn.requests.filter((r) => r.pathname === '/records').length).toBe(before);
  });

  it(
    'a rate limit (429, Retry-After) is waited out and the drain goes on; the retry is told',
    async () => {
      await standIn.sync({ ...github('c-429'), added: issues(0, 150), webhook: false });
      const remove = standIn.script({
        method: 'GET',
        path: '/records',
        // The transport's own tries of the GET (1 + NANGO_DEFAULT_RETRY.retries) all meet the
        // 429; the drain then waits and reads the page again.
        times: 1 + NANGO_DEFAULT_RETRY.retries,
        respond: {
          status: 429,
          headers: { 'retry-after': '0' },
          body: { error: { code: 'too_many_requests', message: 'slow down' } },
        },
      });
      await records.drain(github('c-429'));
      remove();
      expect(sorted(handler.idsOf('c-429'))).toEqual(issues(0, 150).map((i) => i.id));
      expect(events.some((e) => e.type === 'retry' && e.stream.connectionId === 'c-429')).toBe(
        true,
      );
    },
    LONG,
  );

  it(
    'an unknown connection (400 unknown_connection) parks at once; a refused cursor (500) parks after bounded tries; the saved cursor stays',
    async () => {
      const unknown = github('nobody');
      const calls = () => listCalls('nobody');
      const error = await records.drain(unknown).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NangoRecordsParkedError);
      expect((error as NangoRecordsParkedError).stage).toBe('listRecords');
      expect((error as Error).message).toMatch(/parked after 1 try \(listRecords failed\)/);
      expect(calls()).toBe(1);
      expect(await records.cursorOf(unknown)).toBeUndefined();

      await standIn.sync({ ...github('c-bad'), added: issues(0, 10), webhook: false });
      const key = nangoRecordsStreamKey({ ...github('c-bad'), variant: 'base' });
      await store.set(key, 'not-a-cursor-nango-gave');
      const bad = await records.drain(github('c-bad')).catch((e: unknown) => e);
      expect(bad).toBeInstanceOf(NangoRecordsParkedError);
      expect(listCalls('c-bad')).toBeLessThanOrEqual(3 * 3); // 3 tries, each at most the transport's own retries
      expect(await store.get(key)).toBe('not-a-cursor-nango-gave');
      expect(handler.idsOf('c-bad')).toEqual([]);
      expectNoneOf([standIn.secretKey, SIGNING_KEY], logger.text());
    },
    LONG,
  );

  it('an unknown model drains nothing and says so once', async () => {
    const unknown = app.get(UnknownModelRecords);
    const stream = { providerConfigKey: 'github', connectionId: 'c-main', model: 'NoSuchModel' };
    await records.drain(stream);
    await records.drain(stream);
    expect(unknown.calls).toBe(0);
    expect(logger.lines.filter((l) => l.includes('model "NoSuchModel"'))).toHaveLength(1);
    expect(
      events.filter((e) => e.type === 'empty' && e.stream.model === 'NoSuchModel'),
    ).toHaveLength(2);
  });

  it('drain() of a stream no handler takes is a clear error', async () => {
    await expect(
      records.drain({ providerConfigKey: 'github', connectionId: 'c-main', model: 'Untaken' }),
    ).rejects.toThrow(/no @OnNangoRecords\(\) handler takes github\/c-main Untaken \(base\)/);
  });
});
