import {
  NangoStandIn,
  type StandInRecordSeed,
  type StandInSyncRun,
} from '../../lib/testing/index.js';
import {
  errorFacts,
  loadRecordings,
  RECORDS_RECORDINGS_DIR,
  recordedHeaders,
  shape,
  type Recording,
} from '../fixtures/recordings.js';
import { absorbOAuth2 } from '../fixtures/seed.js';

/**
 * The stand-in's `GET /records` against the real Nango's (`records_*.json`): the recorded
 * state is played again with `standIn.sync()` (run 1 saving issue-1..25 in batches of 10, 10
 * and 5; run 2 changing issue-2, -5 and -8, deleting issue-24 by id and issue-25 with its
 * payload), then every recorded request is sent and the answer compared: status, error codes
 * and messages, body shape, payloads, and the order in batches of one `last_modified_at`.
 */

const recordings = loadRecordings(RECORDS_RECORDINGS_DIR);
const recording = (file: string): Recording => {
  const found = recordings.get(file);
  if (found === undefined) throw new Error(`no recording ${file}`);
  return found;
};

interface WireRecord extends StandInRecordSeed {
  _nango_metadata: {
    first_seen_at: string;
    last_modified_at: string;
    last_action: string;
    deleted_at: string | null;
    pruned_at: string | null;
    cursor: string;
  };
}
interface WirePage {
  next_cursor: string | null;
  records: WireRecord[];
}

const finalState = (recording('records_default_limit_all.json').body as WirePage).records;
const payload = ({ _nango_metadata: _, ...data }: WireRecord): StandInRecordSeed => data;
const byId = new Map(finalState.map((r) => [r.id, payload(r)]));
const issue = (n: number): StandInRecordSeed => byId.get(`issue-${n}`) as StandInRecordSeed;
/**
 * Run 1's version of a record run 2 changed (the recordings show only the new one; issue-24,
 * deleted by id, kept only its id).
 */
const original = (n: number): StandInRecordSeed =>
  n === 24
    ? { ...issue(23), id: 'issue-24', number: 24, title: 'Issue number 24' }
    : { ...issue(n), title: `Issue ${n}, first` };
const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => i + from);

/** The place in the recorded order of each cursor the recordings show. */
const recordedCursors = new Map<string, number>(
  finalState.map((r, i) => [r._nango_metadata.cursor, i]),
);

const stream = { providerConfigKey: 'absorb-test', connectionId: 'conn-oauth2-1', model: 'Issue' };
let standIn: NangoStandIn;
let run2: StandInSyncRun;

beforeEach(async () => {
  const inOneHour = new Date(Date.now() + 3_600_000).toISOString();
  standIn = await NangoStandIn.start({
    connections: [
      absorbOAuth2('conn-oauth2-1', inOneHour),
      {
        connectionId: 'conn-apikey-1',
        providerConfigKey: 'apikey-test',
        credentials: { type: 'API_KEY', apiKey: 'k' },
      },
    ],
  });
  const run1 = (ns: number[]) =>
    standIn.sync({
      ...stream,
      syncName: 'issues',
      added: ns.map((n) => ([2, 5, 8, 24].includes(n) ? original(n) : issue(n))),
      webhook: false,
    });
  await run1(range(1, 10));
  await run1(range(11, 20));
  await run1(range(21, 25));
  run2 = await standIn.sync({
    ...stream,
    syncName: 'issues',
    updated: [issue(2), issue(5), issue(8)],
    deleted: ['issue-24', { ...issue(25) }],
    webhook: false,
  });
});

afterEach(async () => {
  await standIn.close();
});

/** The stand-in's cursor at the place of the recorded one (after as many records). */
async function cursorOf(recorded: string): Promise<string> {
  const all = (await get('/records?model=Issue')).body as WirePage;
  const record = all.records[recordedCursors.get(recorded) ?? -1];
  if (record === undefined) throw new Error(`no record for cursor ${recorded}`);
  return record._nango_metadata.cursor;
}

/** The recorded request with the stand-in's values for what depends on time and UUIDs. */
async function translate(path: string): Promise<string> {
  const url = new URL(path, 'http://x');
  const cursor = url.searchParams.get('cursor');
  if (cursor !== null && recordedCursors.has(cursor))
    url.searchParams.set('cursor', await cursorOf(cursor));
  for (const name of ['modified_after', 'delta']) {
    const value = url.searchParams.get(name);
    // run 2's modifiedAfter, and a time after the last record (future when recorded).
    if (value === '2026-12-06T21:19:01.632Z') url.searchParams.set(name, run2.modifiedAfter);
    if (value === '2026-12-06T22:20:33.372Z') {
      url.searchParams.set(name, new Date(Date.now() + 3_600_000).toISOString());
    }
  }
  return `${url.pathname}${url.search}`;
}

async function get(
  path: string,
  headers: Record<string, string> = {
    'connection-id': 'conn-oauth2-1',
    'provider-config-key': 'absorb-test',
  },
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${standIn.url}${path}`, {
    headers: { authorization: `Bearer ${standIn.secretKey}`, ...headers },
  });
  return { status: res.status, body: (await res.json()) as unknown };
}

/** Records in runs of one `last_modified_at` (a batch), each run's ids sorted: the order Nango keeps. */
function batches(page: WirePage): string[][] {
  const runs: Array<{ at: string; ids: string[] }> = [];
  for (const r of page.records) {
    const label = `${r.id}:${r._nango_metadata.last_action}`;
    const last = runs[runs.length - 1];
    if (last?.at === r._nango_metadata.last_modified_at) last.ids.push(label);
    else runs.push({ at: r._nango_metadata.last_modified_at, ids: [label] });
  }
  return runs.map((b) => b.ids.sort());
}

/**
 * The same records as recorded, batch by batch. A page that a page edge cuts through a batch
 * holds the batch's records of the lowest internal UUIDs, which differ from Nango's: only the
 * sizes and actions of its batches are compared.
 */
function sameRecords(actual: WirePage, expected: WirePage, paged: boolean): void {
  const outline = (page: WirePage) =>
    batches(page).map((b) => `${b.length} ${[...new Set(b.map((l) => l.split(':')[1]))].join()}`);
  if (paged) expect(outline(actual)).toEqual(outline(expected));
  else expect(batches(actual)).toEqual(batches(expected));
  if (!paged) {
    expect(actual.records.map(payload)).toEqual(
      expect.arrayContaining(expected.records.map(payload)),
    );
  }
  expect(actual.records).toHaveLength(expected.records.length);
  expect(actual.next_cursor === null).toBe(expected.next_cursor === null);
}

/** A page with each record's metadata only (payloads differ by record: compared apart). */
function metadataOnly(body: unknown): unknown {
  const page = body as Partial<WirePage>;
  if (page.records === undefined) return body;
  return { ...page, records: page.records.map((r) => ({ _nango_metadata: r._nango_metadata })) };
}

const REPLAYED = [...recordings.keys()].filter(
  (f) =>
    f.startsWith('records_') &&
    !f.startsWith('records_paginate_during_sync_') &&
    // `GET /v1/<endpoint>`: the stand-in has no deployed sync endpoints.
    !f.startsWith('records_legacy_v1_'),
);

describe('GET /records answers as the recorded Nango', () => {
  it('replays the records recordings (all but the /v1 endpoints)', () => {
    expect(REPLAYED.length).toBeGreaterThanOrEqual(35);
  });

  it.each(REPLAYED)('%s', async (file) => {
    const recorded = recording(file);
    const answer = await get(await translate(recorded.request.path), recordedHeaders(recorded));
    expect(answer.status).toBe(recorded.status);
    expect(errorFacts(answer.body)).toEqual(errorFacts(recorded.body));
    expect(shape(metadataOnly(answer.body))).toEqual(shape(metadataOnly(recorded.body)));
    if (recorded.status === 200) {
      const page = recorded.body as WirePage;
      const paged = page.next_cursor !== null || recorded.request.path.includes('cursor=');
      sameRecords(answer.body as WirePage, page, paged);
    }
  });

  it('a record changed while a client pages comes back on a later page (paginate_during_sync)', async () => {
    const first = (await get('/records?model=Issue&limit=10')).body as WirePage;
    sameRecords(
      first,
      recording('records_paginate_during_sync_1_first_page.json').body as WirePage,
      true,
    );
    const touched = (
      recording('records_paginate_during_sync_3_next_page.json').body as WirePage
    ).records.find((r) => r.id === 'issue-1') as WireRecord;
    await standIn.sync({
      ...stream,
      syncName: 'issues',
      updated: [payload(touched)],
      webhook: false,
    });
    const second = (
      await get(
        `/records?model=Issue&limit=10&cursor=${encodeURIComponent(first.next_cursor ?? '')}`,
      )
    ).body as WirePage;
    sameRecords(
      second,
      recording('records_paginate_during_sync_2_next_page.json').body as WirePage,
      true,
    );
    const third = (
      await get(
        `/records?model=Issue&limit=10&cursor=${encodeURIComponent(second.next_cursor ?? '')}`,
      )
    ).body as WirePage;
    sameRecords(
      third,
      recording('records_paginate_during_sync_3_next_page.json').body as WirePage,
      true,
    );
    const ids = [first, second, third].flatMap((p) => p.records.map((r) => r.id));
    expect(ids).toHaveLength(26);
    expect(new Set(ids).size).toBe(25);
    const again = third.records[third.records.length - 1] as WireRecord;
    expect(`${again.id}:${again._nango_metadata.last_action}`).toBe('issue-1:UPDATED');
    expect(again._nango_metadata.first_seen_at).toBe(
      first.records.find((r) => r.id === 'issue-1')?._nango_metadata.first_seen_at,
    );
  });
});

describe('records metadata, cursors and order', () => {
  const all = async () => ((await get('/records?model=Issue')).body as WirePage).records;

  it('timestamps as Postgres prints them, cursors base64 of <last_modified_at>||<uuid>', async () => {
    for (const r of await all()) {
      const meta = r._nango_metadata;
      expect(meta.last_modified_at).toMatch(
        /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{0,5}[1-9])?\+00:00$/,
      );
      expect(Buffer.from(meta.cursor, 'base64').toString()).toMatch(
        new RegExp(
          `^${meta.last_modified_at.replace(/[.+]/g, '\\$&')}\\|\\|[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`,
        ),
      );
      expect(Object.keys(meta)).toEqual(Object.keys(finalState[0]?._nango_metadata ?? {}));
    }
  });

  it('deleted records keep only what the delete passed; deleted_at set', async () => {
    const records = await all();
    const deleted24 = records.find((r) => r.id === 'issue-24') as WireRecord;
    const deleted25 = records.find((r) => r.id === 'issue-25') as WireRecord;
    expect(payload(deleted24)).toEqual({ id: 'issue-24' });
    expect(payload(deleted25)).toEqual(issue(25));
    for (const r of [deleted24, deleted25]) {
      expect(r._nango_metadata.last_action).toBe('DELETED');
      expect(r._nango_metadata.deleted_at).toEqual(expect.any(String));
    }
    // As recorded: a delete without a payload change keeps deleted_at as its modification time.
    expect(deleted25._nango_metadata.last_modified_at).toBe(deleted25._nango_metadata.deleted_at);
    expect(deleted24._nango_metadata.last_modified_at).not.toBe(
      deleted24._nango_metadata.deleted_at,
    );
  });

  it('run results count what changed; a record saved unchanged is neither counted nor moved', async () => {
    expect(run2.results).toEqual({ added: 0, updated: 3, deleted: 2 });
    const before = await all();
    const run = await standIn.sync({
      ...stream,
      added: [issue(3), { id: 'issue-26', title: 'new' }],
      updated: [{ ...issue(4), title: 'changed' }],
      deleted: ['issue-24', 'issue-999'],
      webhook: false,
    });
    expect(run.results).toEqual({ added: 1, updated: 1, deleted: 0 });
    const after = await all();
    expect(after.slice(0, 3)).toEqual(before.filter((r) => r.id !== 'issue-4').slice(0, 3));
    expect(
      after
        .slice(-2)
        .map((r) => `${r.id}:${r._nango_metadata.last_action}`)
        .sort(),
    ).toEqual(['issue-26:ADDED', 'issue-4:UPDATED']);
  });

  it('a deleted record saved again is ADDED with a new first_seen_at', async () => {
    const before = (await all()).find((r) => r.id === 'issue-24') as WireRecord;
    await standIn.sync({ ...stream, added: [issue(24)], webhook: false });
    const after = (await all()).find((r) => r.id === 'issue-24') as WireRecord;
    expect(after._nango_metadata).toMatchObject({ last_action: 'ADDED', deleted_at: null });
    expect(after._nango_metadata.first_seen_at).not.toBe(before._nango_metadata.first_seen_at);
  });

  it("modified_after with a run's modifiedAfter gives exactly what that run changed", async () => {
    const run = await standIn.sync({
      ...stream,
      updated: [{ ...issue(7), state: 'closed' }],
      webhook: false,
    });
    const page = (await get(`/records?model=Issue&modified_after=${run.modifiedAfter}`))
      .body as WirePage;
    expect(page.records.map((r) => r.id)).toEqual(['issue-7']);
  });

  it('a variant other than base is a stream of its own', async () => {
    await standIn.sync({ ...stream, variant: 'v2', added: [{ id: 'v2-1' }], webhook: false });
    const v2 = (await get('/records?model=Issue&variant=v2')).body as WirePage;
    expect(v2.records.map((r) => r.id)).toEqual(['v2-1']);
    const base = (await get('/records?model=Issue&variant=base')).body as WirePage;
    expect(base.records.map((r) => r.id)).not.toContain('v2-1');
  });

  it('paging 2,000 records by 100: every record once, next_cursor null exactly on the last page', async () => {
    const many = range(1, 2000).map((n) => ({ id: `m-${n}`, n }));
    for (let i = 0; i < many.length; i += 500) {
      await standIn.sync({
        ...stream,
        model: 'Many',
        added: many.slice(i, i + 500),
        webhook: false,
      });
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
      const page = (await get(`/records?model=Many&limit=100${query}`)).body as WirePage;
      pages++;
      expect(page.records).toHaveLength(100);
      seen.push(...page.records.map((r) => r.id));
      cursor = page.next_cursor;
      if (cursor !== null) expect(cursor).toBe(page.records[99]?._nango_metadata.cursor);
    } while (cursor !== null);
    expect(pages).toBe(20);
    expect(new Set(seen).size).toBe(2000);
  });

  it('answers /records/ too, as the official client asks for it (Express is not strict)', async () => {
    const page = (await get('/records/?model=Issue&limit=2')).body as WirePage;
    expect(page.records).toHaveLength(2);
  });

  it('bad queries are 400 invalid_query_params as Nango words them', async () => {
    const ids = range(1, 101)
      .map((n) => `ids=${n}`)
      .join('&');
    expect(await get(`/records?model=Issue&${ids}`)).toEqual({
      status: 400,
      body: {
        error: {
          code: 'invalid_query_params',
          errors: [
            {
              code: 'too_big',
              message: 'Too big: expected array to have <=100 items',
              path: ['ids'],
            },
          ],
        },
      },
    });
    const mixed = await get('/records?model=Issue&filter=Deleted');
    expect(mixed.status).toBe(400);
  });
});

describe('GET /sync/status tells what the runs did', () => {
  const status = async () =>
    (
      (
        await get(
          '/sync/status?provider_config_key=absorb-test&syncs=issues&connection_id=conn-oauth2-1',
        )
      ).body as { syncs: Array<Record<string, unknown>> }
    ).syncs;

  it('after a good run: its type, results by model and the records not deleted', async () => {
    const syncs = await status();
    expect(shape(syncs[0])).toEqual(
      shape((recording('sync_status.json').body as { syncs: unknown[] }).syncs[0]),
    );
    expect(syncs[0]).toMatchObject({
      type: 'INCREMENTAL',
      status: 'SUCCESS',
      latestExecutionStatus: 'SUCCESS',
      latestResult: { Issue: { added: 0, updated: 3, deleted: 2 } },
      recordCount: { Issue: 23 },
    });
  });

  it('after a failed run: ERROR, STOPPED and no results, as recorded', async () => {
    await standIn.sync({
      ...stream,
      syncName: 'issues',
      error: { description: 'An error occurred during an HTTP call' },
      webhook: false,
    });
    const recorded = (
      recording('sync_status_after_failed_run.json').body as {
        syncs: Array<Record<string, unknown>>;
      }
    ).syncs[0];
    const [sync] = await status();
    expect(sync).toMatchObject({
      status: recorded?.['status'],
      latestExecutionStatus: recorded?.['latestExecutionStatus'],
      latestResult: {},
      recordCount: { Issue: 23 },
    });
  });
});

describe('standIn.sync() refuses bad runs with a clear error', () => {
  it.each([
    [{ ...stream, connectionId: '' }, /connectionId must be a non-empty string/],
    [{ ...stream, model: 3 as unknown as string }, /model must be a non-empty string/],
    [{ ...stream, variant: '' }, /variant must be a non-empty string when given/],
    [
      { ...stream, added: [{ title: 'no id' } as unknown as StandInRecordSeed] },
      /added\[0\] must be a record with a non-empty string id/,
    ],
    [{ ...stream, deleted: [''] }, /deleted\[0\] must be an id or a record/],
    [{ ...stream, updated: {} as unknown as StandInRecordSeed[] }, /updated must be an array/],
    [
      { ...stream, connectionId: 'nope' },
      /no connection "nope" of integration "absorb-test": seed it first/,
    ],
  ])('%o', async (run, message) => {
    await expect(standIn.sync({ ...run, webhook: false })).rejects.toThrow(message);
  });

  it('without a webhook target it says how to set one', async () => {
    await expect(standIn.sync({ ...stream, added: [{ id: 'x' }] })).rejects.toThrow(
      /no webhook target: pass `webhooks: \{ url \}` to NangoStandIn.start\(\), call standIn.setWebhookTarget\(url\)/,
    );
    // Nothing was stored by the refused run.
    const page = (await get('/records?model=Issue&ids=x')).body as WirePage;
    expect(page.records).toEqual([]);
  });

  it('setWebhookTarget() refuses what is not an http(s) URL', () => {
    expect(() => standIn.setWebhookTarget('ftp://x')).toThrow(
      /"ftp:\/\/x" is not an http\(s\) URL/,
    );
    expect(() => standIn.setWebhookTarget('http://127.0.0.1:1/x', '')).toThrow(
      /signing key must not be empty/,
    );
  });
});
