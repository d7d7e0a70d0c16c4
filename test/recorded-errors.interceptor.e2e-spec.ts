import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { NangoModule } from '../lib/index.js';
import { NangoStandIn } from '../lib/testing/index.js';
import { EXPECTED } from './fixtures/expected-errors.js';
import { loadRecordings, type Recording } from './fixtures/recordings.js';
import { TokenController } from './fixtures/apps/recorded-errors.app.js';
import { listenLocally } from './fixtures/http.js';

/**
 * The HTTP answer of the interceptor for every recorded error of `GET /connection(s)/{id}`:
 * the stand-in replays the real Nango's answer (status, headers, body), a route decorated with
 * `@UseNangoConnection()` fetches the token, and the app must answer what the table says.
 */

const recordings = loadRecordings();
const ON_CONNECTION = EXPECTED.filter(([file]) => {
  const { method, path } = (recordings.get(file) as Recording).request;
  return method === 'GET' && /^\/connections?\/[^/?]+/.test(path);
});

describe.each([
  ['express', () => new ExpressAdapter()],
  ['fastify', () => new FastifyAdapter()],
])('recorded Nango errors through the interceptor on %s', (_platform, adapter) => {
  let standIn: NangoStandIn;
  let app: INestApplication;
  let base = '';

  beforeAll(async () => {
    standIn = await NangoStandIn.start();
    const ref = await Test.createTestingModule({
      imports: [
        NangoModule.forRoot({ secretKey: standIn.secretKey, host: standIn.url, retry: false }),
      ],
      controllers: [TokenController],
    }).compile();
    app = ref.createNestApplication(adapter(), { logger: false });
    base = await listenLocally(app);
  });

  afterAll(async () => {
    await app?.close();
    await standIn?.close();
  });

  it('covers the recordings of GET /connection(s)/{id}', () => {
    expect(ON_CONNECTION.length).toBeGreaterThanOrEqual(10);
  });

  it.each(ON_CONNECTION)('%s', async (file, _class, _code, [status, code]) => {
    const recording = recordings.get(file) as Recording;
    const url = new URL(recording.request.path, 'http://nango.invalid');
    const id = decodeURIComponent(url.pathname.split('/')[2] ?? '');
    const key = url.searchParams.get('provider_config_key') ?? 'some-key';
    const headers = { ...recording.headers };
    delete headers['content-length'];
    const remove = standIn.script({
      path: `/connections/${encodeURIComponent(id)}`,
      times: 1,
      respond: { status: recording.status, headers, body: recording.body },
    });
    try {
      const res = await fetch(`${base}/c/${encodeURIComponent(key)}/${encodeURIComponent(id)}`);
      const body = (await res.json()) as { statusCode: number; code: string };
      expect([res.status, body.statusCode, body.code]).toEqual([status, status, code]);
      expect(JSON.stringify(body)).not.toContain(standIn.secretKey);
    } finally {
      remove();
    }
  });
});
