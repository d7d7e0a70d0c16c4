import 'reflect-metadata';
import { Test, type TestingModule } from '@nestjs/testing';
import axios, { AxiosError } from 'axios';
import { Agent } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import type { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import type { Dispatcher } from 'undici';
import {
  NangoModule,
  NangoRequestError,
  NangoService,
  NangoUnavailableError,
  type NangoModuleOptions,
} from '../lib/index.js';
import { createNangoUndiciAdapter } from '../lib/transport/nango-undici.adapter.js';
import { NangoUndiciPool } from '../lib/transport/nango-undici.pool.js';
import { connectionBody, eventually, settle } from './fixtures/eventually.js';
import { MisbehavingServer, type Answer } from './fixtures/misbehaving-server.js';

const SECRET = 'sk-transport-test';
const connection = connectionBody('conn', { type: 'API_KEY', apiKey: 'key-of-conn' });
const proxied = { items: [1, 2, 3], name: 'žluťoučký kůň' };

const ENCODERS: Record<string, (data: Buffer) => Buffer> = {
  gzip: gzipSync,
  deflate: deflateSync,
  'deflate (raw)': deflateRawSync,
  br: brotliCompressSync,
};

/** Answers by path: connections, proxied JSON, text, bytes, and compressed copies of each. */
const answer: Answer = (req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  const encoding = url.searchParams.get('encoding');
  // A host may have a path prefix (see 'a host with a path prefix').
  url.pathname = url.pathname.replace(/^\/nango\//, '/');
  let body: Buffer;
  let type = 'application/json';
  if (url.pathname.startsWith('/connections/')) body = Buffer.from(JSON.stringify(connection));
  else if (url.pathname === '/proxy/text') {
    body = Buffer.from('plain text, not JSON');
    type = 'text/plain';
  } else if (url.pathname === '/proxy/bytes') {
    body = Buffer.from([0, 1, 2, 250, 255]);
    type = 'application/octet-stream';
  } else body = Buffer.from(JSON.stringify(proxied));
  const headers: Record<string, string> = { 'content-type': type };
  if (encoding !== null) {
    body = ENCODERS[encoding](body);
    headers['content-encoding'] = encoding.startsWith('deflate') ? 'deflate' : encoding;
  }
  headers['content-length'] = String(body.length);
  res.writeHead(200, headers);
  res.end(body);
};

let server: MisbehavingServer;
let moduleRef: TestingModule | undefined;

beforeAll(async () => {
  server = await MisbehavingServer.start(answer);
});

afterEach(async () => {
  await moduleRef?.close();
  moduleRef = undefined;
  server.answer = answer;
  server.requests.length = 0;
});

afterAll(async () => {
  await server.close();
});

async function nango(options: Partial<NangoModuleOptions> = {}): Promise<NangoService> {
  moduleRef = await Test.createTestingModule({
    imports: [NangoModule.forRoot({ secretKey: SECRET, host: server.url, ...options })],
  }).compile();
  return moduleRef.get(NangoService);
}

const ids = { providerConfigKey: 'jira', connectionId: 'conn' } as const;

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

// The undici adapter serves buffered calls of a module with its own sockets; with a caller's
// agent (or a proxy variable) every call goes through axios's own http adapter. Both must
// give the same answers.
const httpAgent = new Agent({ keepAlive: true });
afterAll(() => httpAgent.destroy());

describe.each([
  ['the undici adapter', {}],
  ["axios's http adapter (a caller's httpAgent)", { httpAgent }],
] as Array<[string, Partial<NangoModuleOptions>]>)('through %s', (_name, options) => {
  it('reads json, text, arraybuffer and stream answers', async () => {
    const service = await nango(options);
    await expect(service.get({ endpoint: '/json', ...ids })).resolves.toMatchObject({
      status: 200,
      data: proxied,
    });
    const text = await service.get({ endpoint: '/text', ...ids, responseType: 'text' });
    expect(text.data).toBe('plain text, not JSON');
    const bytes = await service.get<Buffer>({
      endpoint: '/bytes',
      ...ids,
      responseType: 'arraybuffer',
    });
    expect(Buffer.from(bytes.data)).toEqual(Buffer.from([0, 1, 2, 250, 255]));
    const stream = await service.get<Readable>({
      endpoint: '/json',
      ...ids,
      responseType: 'stream',
    });
    expect(JSON.parse((await readAll(stream.data)).toString())).toEqual(proxied);
    await expect(service.getToken('jira', 'conn')).resolves.toMatchObject({
      apiKey: 'key-of-conn',
    });
    // Every request carried the module's headers.
    for (const request of server.requests) {
      expect(request.headers['authorization']).toBe(`Bearer ${SECRET}`);
      expect(request.headers['user-agent']).toMatch(/^nestjs-nango\//);
    }
  });

  it.each(Object.keys(ENCODERS))('decompresses %s answers', async (encoding) => {
    const service = await nango(options);
    const query = { encoding };
    const json = await service.get({ endpoint: '/json', ...ids, params: query });
    expect(json.data).toEqual(proxied);
    expect(json.headers['content-encoding']).toBeUndefined();
    const text = await service.get({
      endpoint: '/text',
      ...ids,
      params: query,
      responseType: 'text',
    });
    expect(text.data).toBe('plain text, not JSON');
    expect(server.requests[0].headers['accept-encoding']).toMatch(/gzip/);
  });

  it('follows no redirect: the Authorization header never reaches the target', async () => {
    const target = await MisbehavingServer.start();
    try {
      const service = await nango(options);
      server.answer = (_req, res) => {
        res.writeHead(302, { location: `${target.url}/stolen` });
        res.end();
      };
      const error = await settle(service.getToken('jira', 'conn'));
      expect(error).toBeInstanceOf(NangoRequestError);
      expect(error).toMatchObject({ status: 302 });
      // Through the proxy a 3xx is the third party's answer, handed back as it came.
      const redirect = await service.get({ endpoint: '/moved', ...ids });
      expect(redirect.status).toBe(302);
      expect(redirect.headers['location']).toBe(`${target.url}/stolen`);
      expect(target.requests).toHaveLength(0);
    } finally {
      await target.close();
    }
  });

  it('a connection reset before the answer is NangoUnavailableError ECONNRESET', async () => {
    const service = await nango({ ...options, retry: false });
    server.answer = (_req, res) => res.socket?.resetAndDestroy();
    await expect(service.getToken('jira', 'conn')).rejects.toMatchObject({
      name: 'NangoUnavailableError',
      code: 'ECONNRESET',
    });
  });
});

describe('a host with a path prefix', () => {
  it('keeps the prefix on every request of the undici adapter', async () => {
    moduleRef = await Test.createTestingModule({
      imports: [NangoModule.forRoot({ secretKey: SECRET, host: `${server.url}/nango/` })],
    }).compile();
    const service = moduleRef.get(NangoService);
    await expect(service.getToken('jira', 'conn')).resolves.toMatchObject({
      apiKey: 'key-of-conn',
    });
    await service.get({ endpoint: '/json', ...ids });
    expect(server.requests.map((r) => r.url.split('?')[0])).toEqual([
      '/nango/connections/conn',
      '/nango/proxy/json',
    ]);
  });
});

describe('errors of the undici adapter keep axios codes', () => {
  it('a closed port is NangoUnavailableError ECONNREFUSED, without the secret key', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    moduleRef = await Test.createTestingModule({
      imports: [
        NangoModule.forRoot({ secretKey: SECRET, host: `http://127.0.0.1:${port}`, retry: false }),
      ],
    }).compile();
    const error = await settle(moduleRef.get(NangoService).getToken('jira', 'conn'));
    expect(error).toBeInstanceOf(NangoUnavailableError);
    expect(error).toMatchObject({ code: 'ECONNREFUSED' });
    expect(JSON.stringify(error)).not.toContain(SECRET);
  });
});

describe('the size bound of buffered answers (maxContentLength)', () => {
  let pool: NangoUndiciPool;
  beforeEach(() => {
    pool = new NangoUndiciPool(server.url);
  });
  afterEach(async () => {
    await pool.destroy();
  });

  function client(maxContentLength: number) {
    return axios.create({
      baseURL: server.url,
      maxContentLength,
      adapter: createNangoUndiciAdapter({
        baseURL: server.url,
        dispatcher: pool,
        fallback: axios.getAdapter('http'),
      }),
    });
  }

  it('an answer within the bound is read', async () => {
    const response = await client(1000).get('/proxy/json');
    expect(response.data).toEqual(proxied);
  });

  it('a bigger answer fails with ERR_BAD_RESPONSE, before or after decompression', async () => {
    const big = Buffer.from(JSON.stringify({ data: 'x'.repeat(5000) }));
    server.answer = (req, res) => {
      const zipped = req.url?.includes('gzip');
      const body = zipped ? gzipSync(big) : big;
      res.writeHead(200, {
        'content-type': 'application/json',
        ...(zipped ? { 'content-encoding': 'gzip' } : {}),
      });
      res.end(body);
    };
    for (const url of ['/plain', '/gzip']) {
      const error = await settle(client(1000).get(url));
      expect(error).toBeInstanceOf(AxiosError);
      expect(error).toMatchObject({
        code: 'ERR_BAD_RESPONSE',
        message: 'maxContentLength size of 1000 exceeded',
      });
    }
    // The gzipped answer is small on the wire: only its decompressed size is over the bound.
    expect(gzipSync(big).length).toBeLessThan(1000);
  });
});

describe('what a finished call keeps', () => {
  // A full collection on demand: the flag makes `gc` a global of contexts created after it.
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;

  it('a handler undici still holds after the call keeps nothing of the answer, nor of a failure', async () => {
    const pool = new NangoUndiciPool(server.url);
    // undici may keep a dispatch handler referenced after its request ended; so does this list.
    const handlers: Dispatcher.DispatchHandler[] = [];
    const dispatcher = {
      get waiting() {
        return pool.waiting;
      },
      set waiting(value: number) {
        pool.waiting = value;
      },
      dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler) {
        handlers.push(handler);
        return pool.dispatch(options, handler);
      },
    };
    const client = axios.create({
      baseURL: server.url,
      adapter: createNangoUndiciAdapter({
        baseURL: server.url,
        dispatcher,
        fallback: axios.getAdapter('http'),
      }),
    });
    server.answer = (req, res) => {
      const failed = req.url === '/failing';
      res.writeHead(failed ? 500 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ records: Array.from({ length: 100 }, (_, i) => ({ id: i })) }));
    };
    try {
      const answers: WeakRef<object>[] = [];
      const call = async (path: string): Promise<void> => {
        const data = await client.get<object>(path).then(
          (response) => response.data,
          (error: AxiosError<object>) => error.response?.data ?? {},
        );
        expect(data).toHaveProperty('records');
        answers.push(new WeakRef(data));
      };
      await call('/records');
      await call('/failing');
      for (let i = 0; i < 3; i++) {
        await new Promise((resolve) => setImmediate(resolve));
        gc();
      }
      expect(handlers).toHaveLength(2);
      expect(answers.map((answer) => answer.deref())).toEqual([undefined, undefined]);
    } finally {
      await pool.destroy();
    }
  });
});

describe('shutdown', () => {
  const sockets = () =>
    process.getActiveResourcesInfo().filter((kind) => kind === 'TCPSocketWrap').length;

  it('app.close() closes the pool and agents the module made, and leaves no socket', async () => {
    const before = sockets();
    const service = await nango();
    await service.getToken('jira', 'conn');
    const stream = await service.get<Readable>({
      endpoint: '/json',
      ...ids,
      responseType: 'stream',
    });
    await readAll(stream.data);
    // One keep-alive socket of the pool, one of axios's agent (for the stream), both idle.
    await eventually(() => server.openSockets === 2, 'two idle sockets');
    await moduleRef?.close();
    moduleRef = undefined;
    await eventually(() => server.openSockets === 0, 'no socket on the server');
    // (Sockets of earlier tests may still have been closing when `before` was counted.)
    await eventually(() => sockets() <= before, 'no socket in the process');
  });

  it('a call after close fails clearly rather than opening a socket', async () => {
    const service = await nango({ retry: false });
    await moduleRef?.close();
    moduleRef = undefined;
    await expect(service.getToken('jira', 'conn')).rejects.toBeInstanceOf(NangoUnavailableError);
    expect(server.openSockets).toBe(0);
  });
});
