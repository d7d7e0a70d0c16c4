import 'reflect-metadata';
import { Module, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { Readable } from 'node:stream';
import {
  NangoInvalidArgumentError,
  NangoModule,
  NangoService,
  toStreamableFile,
} from '../lib/index.js';
import { NangoStandIn } from '../lib/testing/index.js';
import { seedConnections } from './fixtures/seed.js';
import { eventually } from './fixtures/eventually.js';
import { FilesController } from './fixtures/apps/streaming.app.js';
import { listenLocally } from './fixtures/http.js';

const TWO_HUNDRED_MB = 200 * 1024 * 1024;
const PDF = Buffer.from('%PDF-1.7 fake report body');

describe.each(['express', 'fastify'] as const)('streaming proxy (%s)', (platform) => {
  let standIn: NangoStandIn;
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    standIn = await NangoStandIn.start({ connections: seedConnections() });
    standIn.script({
      path: '/proxy/report.pdf',
      respond: {
        status: 200,
        headers: {
          'content-type': 'application/pdf',
          'content-disposition': 'attachment; filename="report.pdf"',
        },
        body: PDF,
      },
    });
    @Module({
      imports: [NangoModule.forRoot({ secretKey: standIn.secretKey, host: standIn.url })],
      controllers: [FilesController],
    })
    class AppModule {}
    const ref = await Test.createTestingModule({ imports: [AppModule] }).compile();
    app =
      platform === 'fastify'
        ? ref.createNestApplication(new FastifyAdapter(), { logger: false })
        : ref.createNestApplication({ logger: false });
    base = await listenLocally(app);
  });

  afterAll(async () => {
    await app?.close();
    await standIn?.close();
  });

  it('a route returns a proxied stream as a StreamableFile, with the upstream type and length', async () => {
    const response = await fetch(`${base}/files/bytes`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/octet-stream');
    expect(response.headers.get('content-length')).toBe('1048576');
    const body = Buffer.from(await response.arrayBuffer());
    expect(body.length).toBe(1048576);
    expect(body[1000]).toBe(1000 & 0xff);
  });

  it('keeps the upstream Content-Disposition', async () => {
    const response = await fetch(`${base}/files/report`);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="report.pdf"');
    expect(Buffer.from(await response.arrayBuffer())).toEqual(PDF);
  });

  it('takes an arraybuffer response too, and overrides from the options', async () => {
    const response = await fetch(`${base}/files/report-buffer`);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(response.headers.get('content-disposition')).toBe('inline');
    expect(Buffer.from(await response.arrayBuffer())).toEqual(PDF);
  });

  it('a stream is passed through unbuffered: a 200 MB body resolves at once and can be dropped', async () => {
    const nango = app.get(NangoService);
    const response = await nango.get<Readable>({
      endpoint: `/bytes/${TWO_HUNDRED_MB}`,
      providerConfigKey: 'jira',
      connectionId: 'conn-apikey',
      responseType: 'stream',
    });
    expect(response.headers['content-length']).toBe(String(TWO_HUNDRED_MB));
    let read = 0;
    for await (const chunk of response.data) {
      read += (chunk as Buffer).length;
      if (read >= 1024 * 1024) break; // leaving the loop destroys the stream
    }
    // Had the client buffered the body, the call could not have resolved before all 200 MB came.
    expect(read).toBeLessThan(TWO_HUNDRED_MB);
    await eventually(
      async () => (await standIn.openConnections()) === 0,
      'the dropped download closed its socket',
      // Generous for a loaded machine, and still half the 30 s idle timeout that would close it
      // anyway: only the drop itself can close the socket in time.
      15_000,
    );
  });

  it('an arraybuffer response is a Buffer', async () => {
    const response = await app.get(NangoService).get<Buffer>({
      endpoint: '/report.pdf',
      providerConfigKey: 'jira',
      connectionId: 'conn-apikey',
      responseType: 'arraybuffer',
    });
    expect(Buffer.isBuffer(response.data)).toBe(true);
    expect(response.data).toEqual(PDF);
  });

  it('toStreamableFile refuses a JSON response, saying what it takes', async () => {
    const response = await app.get(NangoService).get({
      endpoint: '/x',
      providerConfigKey: 'jira',
      connectionId: 'conn-apikey',
    });
    expect(() => toStreamableFile(response)).toThrow(NangoInvalidArgumentError);
    expect(() => toStreamableFile(response)).toThrow(/responseType 'stream' or 'arraybuffer'/);
  });
});
