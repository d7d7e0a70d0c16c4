import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NangoModule, verifyNangoWebhookSignature } from '../../lib/index.js';
import { NangoStandIn } from '../../lib/testing/index.js';
import { IssueSync } from '../fixtures/apps/stand-in-sync.app.js';
import { adapterFor, listenLocally, type AdapterName } from '../fixtures/http.js';
import { loadRecordings, RECORDS_RECORDINGS_DIR, shape } from '../fixtures/recordings.js';

/**
 * `standIn.sync()` end to end: the run's records are stored, the signed `sync` webhook reaches
 * an app's own `@OnNangoWebhook()` handler over real HTTP (Express and Fastify), the handler
 * fetches what the run changed from the stand-in, and `resendWebhook()` replays Nango's retry.
 */

const recorded = loadRecordings(RECORDS_RECORDINGS_DIR);
const recordedBody = (file: string): Record<string, unknown> =>
  recorded.get(file)?.request.body as Record<string, unknown>;

const stream = { providerConfigKey: 'github', connectionId: 'conn-1', model: 'Issue' };
const SIGNING_KEY = 'whsk-0000-stand-in-sync';

/** Keys sorted at every level, as Nango writes its webhook bodies. */
function keysSorted(value: unknown): boolean {
  if (Array.isArray(value)) return value.every(keysSorted);
  if (typeof value !== 'object' || value === null) return true;
  const keys = Object.keys(value);
  return (
    keys.join() === [...keys].sort().join() &&
    Object.values(value as Record<string, unknown>).every(keysSorted)
  );
}

describe.each(['express', 'fastify'] as AdapterName[])(
  'standIn.sync() into an app on %s',
  (platform) => {
    let standIn: NangoStandIn;
    let app: INestApplication;
    let handler: IssueSync;
    let webhookUrl: string;

    beforeAll(async () => {
      standIn = await NangoStandIn.start({
        connections: [{ ...stream, credentials: { type: 'API_KEY', apiKey: 'k' } }],
      });
      const moduleRef = await Test.createTestingModule({
        imports: [
          NangoModule.forRoot({
            secretKey: standIn.secretKey,
            host: standIn.url,
            webhookSigningKey: SIGNING_KEY,
            webhooks: { path: 'nango/webhooks' },
          }),
        ],
        providers: [IssueSync],
      }).compile();
      app = moduleRef.createNestApplication(adapterFor(platform), { rawBody: true, logger: false });
      await app.init();
      webhookUrl = `${await listenLocally(app)}/nango/webhooks`;
      standIn.setWebhookTarget(webhookUrl, SIGNING_KEY);
      handler = app.get(IssueSync);
    });

    afterAll(async () => {
      await app?.close();
      await standIn?.close();
    });

    beforeEach(() => {
      handler.seen.length = 0;
      handler.fail = false;
    });

    it("posts a signed webhook shaped like Nango's; the handler fetches exactly the run's records", async () => {
      const first = await standIn.sync({
        ...stream,
        syncName: 'issues',
        added: [
          { id: 'i-1', title: 'one' },
          { id: 'i-2', title: 'two' },
        ],
      });
      expect(first.webhook?.status).toBe(200);
      expect(first.syncType).toBe('INITIAL');
      const body = JSON.parse(first.webhook?.body ?? '') as Record<string, unknown>;
      expect(keysSorted(body)).toBe(true);
      expect(Object.keys(body)).toEqual(
        Object.keys(recordedBody('webhook_sync_success_initial.json')),
      );
      expect(shape(body)).toEqual(shape(recordedBody('webhook_sync_success_initial.json')));
      expect(body).toMatchObject({
        type: 'sync',
        from: 'nango',
        ...stream,
        syncName: 'issues',
        syncVariant: 'base',
        syncType: 'INITIAL',
        success: true,
        responseResults: { added: 2, updated: 0, deleted: 0 },
        modifiedAfter: first.modifiedAfter,
        queryTimeStamp: first.modifiedAfter,
      });
      expect(first.modifiedAfter).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

      const second = await standIn.sync({
        ...stream,
        syncName: 'issues',
        updated: [{ id: 'i-2', title: 'two, renamed' }],
        deleted: ['i-1'],
      });
      expect(second.syncType).toBe('INCREMENTAL');
      expect(JSON.parse(second.webhook?.body ?? '')).toMatchObject({
        responseResults: { added: 0, updated: 1, deleted: 1 },
      });
      expect(handler.seen.map((s) => s.records.map((r) => r['id']).sort())).toEqual([
        ['i-1', 'i-2'],
        ['i-1', 'i-2'],
      ]);
      const last = handler.seen[1]?.records ?? [];
      expect(last.find((r) => r['id'] === 'i-1')).toMatchObject({
        _nango_metadata: { last_action: 'DELETED' },
      });
      expect(last.find((r) => r['id'] === 'i-2')).toMatchObject({
        title: 'two, renamed',
        _nango_metadata: { last_action: 'UPDATED' },
      });
    });

    it('signs with X-Nango-Hmac-Sha256 and X-Nango-Signature; a wrong key is refused by the app', async () => {
      const run = await standIn.sync({ ...stream, added: [{ id: 'i-3' }] });
      const { body = '', headers = {} } = run.webhook ?? {};
      expect(verifyNangoWebhookSignature(body, headers['X-Nango-Hmac-Sha256'], [SIGNING_KEY])).toBe(
        true,
      );
      expect(headers['X-Nango-Hmac-Sha256']).toMatch(/^[0-9a-f]{64}$/);
      expect(headers['X-Nango-Signature']).toBe(
        createHash('sha256').update(`${SIGNING_KEY}${body}`).digest('hex'),
      );
      standIn.setWebhookTarget(webhookUrl, 'not-the-signing-key');
      try {
        const forged = await standIn.sync({ ...stream, added: [{ id: 'i-4' }] });
        expect(forged.webhook?.status).toBe(401);
        expect(handler.seen).toHaveLength(1);
      } finally {
        standIn.setWebhookTarget(webhookUrl, SIGNING_KEY);
      }
    });

    it("resendWebhook() replays Nango's retry: the same bytes and signatures after a 500", async () => {
      handler.fail = true;
      const run = await standIn.sync({ ...stream, updated: [{ id: 'i-3', title: 'retried' }] });
      expect(run.webhook?.status).toBe(500);
      expect(handler.seen).toHaveLength(0);
      expect(await standIn.resendWebhook(run)).toBe(200);
      expect(handler.seen).toHaveLength(1);
      expect(handler.seen[0]?.webhook).toEqual(JSON.parse(run.webhook?.body ?? ''));
      expect(handler.seen[0]?.records.map((r) => r['title'])).toEqual(['retried']);
    });
  },
);

describe('the webhook as it goes on the wire', () => {
  let receiver: Server;
  let url: string;
  const got: Array<{ method?: string; url?: string; headers: IncomingHttpHeaders; body: string }> =
    [];
  let answer = 200;

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        got.push({
          method: req.method,
          url: req.url,
          headers: req.headers,
          body: Buffer.concat(chunks).toString(),
        });
        res.writeHead(answer).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/nango`;
  });

  afterAll(async () => {
    await new Promise((resolve) => receiver.close(resolve));
  });

  it('`webhooks` at start, the secret key by default, Nango headers, exact bytes', async () => {
    const standIn = await NangoStandIn.start({
      connections: [{ ...stream, credentials: {} }],
      webhooks: { url },
    });
    try {
      got.length = 0;
      answer = 503;
      const run = await standIn.sync({ ...stream, variant: 'v2', added: [{ id: 'a' }] });
      expect(run.webhook?.status).toBe(503);
      answer = 200;
      expect(await standIn.resendWebhook(run)).toBe(200);
      expect(got).toHaveLength(2);
      const [first, second] = got;
      expect(first?.method).toBe('POST');
      expect(first?.url).toBe('/hooks/nango');
      expect(first?.body).toBe(run.webhook?.body);
      expect(second?.body).toBe(first?.body);
      expect(second?.headers['x-nango-hmac-sha256']).toBe(first?.headers['x-nango-hmac-sha256']);
      expect(first?.headers['content-type']).toBe('application/json');
      expect(first?.headers['user-agent']).toMatch(/^nango\/0\.71\.4 \(/);
      expect(
        verifyNangoWebhookSignature(first?.body ?? '', first?.headers['x-nango-hmac-sha256'], [
          standIn.secretKey,
        ]),
      ).toBe(true);
      expect(JSON.parse(first?.body ?? '')).toMatchObject({ syncVariant: 'v2', syncName: 'Issue' });
    } finally {
      await standIn.close();
    }
  });

  it("a failed run: nothing stored, Nango's failure body, startedAt the last good run's start", async () => {
    const standIn = await NangoStandIn.start({
      connections: [{ ...stream, credentials: {} }],
      webhooks: { url },
    });
    try {
      got.length = 0;
      const good = await standIn.sync({ ...stream, syncName: 'issues', added: [{ id: 'a' }] });
      const failed = await standIn.sync({
        ...stream,
        syncName: 'issues',
        error: { description: 'An error occurred during an HTTP call', payload: { status: 500 } },
      });
      expect(failed.results).toEqual({ added: 0, updated: 0, deleted: 0 });
      const body = JSON.parse(got[1]?.body ?? '') as Record<string, unknown>;
      const recordedFailure = recordedBody('webhook_sync_failure.json');
      expect(keysSorted(body)).toBe(true);
      expect(Object.keys(body)).toEqual(Object.keys(recordedFailure));
      expect(body).toMatchObject({
        success: false,
        syncType: 'INCREMENTAL',
        startedAt: good.modifiedAfter,
        failedAt: expect.stringMatching(/Z$/) as unknown,
        error: { type: 'script_error', description: 'An error occurred during an HTTP call' },
      });
      await expect(
        standIn.sync({ ...stream, added: [{ id: 'b' }], error: { description: 'x' } }),
      ).rejects.toThrow(/a failed run \(error\) saves no records/);
    } finally {
      await standIn.close();
    }
  });

  it('webhook: false stores the run and posts nothing; a run that sent none cannot be resent', async () => {
    const standIn = await NangoStandIn.start({
      connections: [{ ...stream, credentials: {} }],
      webhooks: { url },
    });
    try {
      got.length = 0;
      const run = await standIn.sync({ ...stream, added: [{ id: 'quiet' }], webhook: false });
      expect(run.webhook).toBeUndefined();
      expect(got).toHaveLength(0);
      await expect(standIn.resendWebhook(run)).rejects.toThrow(/that run sent no webhook/);
    } finally {
      await standIn.close();
    }
  });

  it('webhookUrl and resendWebhook(run, url) reach another replica, same bytes and key', async () => {
    const standIn = await NangoStandIn.start({
      connections: [{ ...stream, credentials: {} }],
      webhooks: { url: 'http://127.0.0.1:1/not-this-one', signingKey: SIGNING_KEY },
    });
    try {
      got.length = 0;
      const run = await standIn.sync({ ...stream, added: [{ id: 'r' }], webhookUrl: url });
      expect(run.webhook?.status).toBe(200);
      expect(await standIn.resendWebhook(run, `${url}?replica=2`)).toBe(200);
      expect(got.map((g) => g.url)).toEqual(['/hooks/nango', '/hooks/nango?replica=2']);
      expect(got[1]?.body).toBe(got[0]?.body);
      const signature = got[0]?.headers['x-nango-hmac-sha256'];
      expect(verifyNangoWebhookSignature(got[0]?.body ?? '', signature, [SIGNING_KEY])).toBe(true);
      await expect(
        standIn.sync({ ...stream, added: [{ id: 's' }], webhookUrl: 'not a url' }),
      ).rejects.toThrow(/standIn.sync\(\): "not a url" is not an http\(s\) URL/);
      await expect(standIn.resendWebhook(run, 'ftp://x')).rejects.toThrow(
        /standIn.resendWebhook\(\): "ftp:\/\/x" is not an http\(s\) URL/,
      );
    } finally {
      await standIn.close();
    }
  });

  it('an unreachable app is a clear error naming the URL', async () => {
    const standIn = await NangoStandIn.start({
      connections: [{ ...stream, credentials: {} }],
      webhooks: { url: 'http://127.0.0.1:1/nowhere' },
    });
    try {
      await expect(standIn.sync({ ...stream, added: [{ id: 'x' }] })).rejects.toThrow(
        /the stand-in's webhook to http:\/\/127\.0\.0\.1:1\/nowhere failed/,
      );
    } finally {
      await standIn.close();
    }
  });
});
