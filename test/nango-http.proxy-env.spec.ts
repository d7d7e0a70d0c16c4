import 'reflect-metadata';
import { Test, type TestingModule } from '@nestjs/testing';
import type { HttpService } from '@nestjs/axios';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NangoModule, NangoService } from '../lib/index.js';
import { NANGO_HTTP_SERVICE } from '../lib/nango.tokens.js';
import { NangoStandIn } from '../lib/testing/index.js';
import { seedConnections } from './fixtures/seed.js';

// The module reads the proxy variables once, when it starts: `proxy: false` when there are none
// (axios then skips its per-request lookup), axios's own per-request handling when there are.
describe('proxy variables of the environment', () => {
  let standIn: NangoStandIn;
  let proxy: Server;
  let proxyUrl: string;
  /** Request targets the forward proxy received (absolute URLs). */
  const proxied: string[] = [];
  let moduleRef: TestingModule | undefined;
  const saved = {
    HTTP_PROXY: process.env['HTTP_PROXY'],
    http_proxy: process.env['http_proxy'],
    NO_PROXY: process.env['NO_PROXY'],
    no_proxy: process.env['no_proxy'],
  };

  beforeAll(async () => {
    standIn = await NangoStandIn.start({ connections: seedConnections() });
    // A minimal forward proxy: takes `GET http://host/path` and relays it to the stand-in.
    proxy = createServer((req, res) => {
      proxied.push(req.url ?? '');
      const target = new URL(req.url ?? '/');
      const upstream = request(
        standIn.url,
        { method: req.method, path: `${target.pathname}${target.search}`, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    await moduleRef?.close();
    moduleRef = undefined;
    proxied.length = 0;
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => proxy.close(() => resolve()));
    await standIn.close();
  });

  async function start(): Promise<{ service: NangoService; http: HttpService }> {
    moduleRef = await Test.createTestingModule({
      imports: [
        NangoModule.forRoot({ secretKey: standIn.secretKey, host: standIn.url, retry: false }),
      ],
    }).compile();
    return { service: moduleRef.get(NangoService), http: moduleRef.get(NANGO_HTTP_SERVICE) };
  }

  it('without a proxy variable at start, the client connects directly (proxy: false)', async () => {
    delete process.env['HTTP_PROXY'];
    delete process.env['http_proxy'];
    const { service, http } = await start();
    expect(http.axiosRef.defaults.proxy).toBe(false);
    await expect(service.getToken('github', 'conn-oauth2')).resolves.toBe('gh-access-token-1');
    expect(proxied).toEqual([]);
  });

  it('with HTTP_PROXY set at start, calls to Nango go through that proxy', async () => {
    delete process.env['http_proxy'];
    process.env['HTTP_PROXY'] = proxyUrl;
    const { service, http } = await start();
    expect(http.axiosRef.defaults.proxy).toBeUndefined();
    await expect(service.getToken('github', 'conn-oauth2')).resolves.toBe('gh-access-token-1');
    expect(proxied).toHaveLength(1);
    expect(proxied[0]).toMatch(new RegExp(`^${standIn.url}/connections/conn-oauth2\\?`));
  });

  it('a lower-case http_proxy counts too', async () => {
    delete process.env['HTTP_PROXY'];
    process.env['http_proxy'] = proxyUrl;
    const { service } = await start();
    await expect(service.getToken('github', 'conn-oauth2')).resolves.toBe('gh-access-token-1');
    expect(proxied).toHaveLength(1);
  });

  it('NO_PROXY naming the Nango host makes calls to it go direct', async () => {
    delete process.env['http_proxy'];
    delete process.env['no_proxy'];
    process.env['HTTP_PROXY'] = proxyUrl;
    process.env['NO_PROXY'] = '127.0.0.1';
    const { service } = await start();
    await expect(service.getToken('github', 'conn-oauth2')).resolves.toBe('gh-access-token-1');
    await expect(service.listConnections()).resolves.toBeDefined();
    expect(proxied).toEqual([]);
  });

  it('through the proxy, every kind of call arrives: list, proxy, stream', async () => {
    delete process.env['http_proxy'];
    delete process.env['NO_PROXY'];
    delete process.env['no_proxy'];
    process.env['HTTP_PROXY'] = proxyUrl;
    const { service } = await start();
    await service.listConnections();
    const ids = { providerConfigKey: 'github', connectionId: 'conn-oauth2' };
    await service.get({ endpoint: '/user', ...ids });
    const stream = await service.get<NodeJS.ReadableStream>({
      endpoint: '/user',
      ...ids,
      responseType: 'stream',
    });
    for await (const chunk of stream.data) void chunk;
    expect(proxied).toEqual([
      `${standIn.url}/connections`,
      `${standIn.url}/proxy/user`,
      `${standIn.url}/proxy/user`,
    ]);
  });
});
