import axios, {
  isCancel,
  type AxiosInstance,
  type CancelToken,
  type InternalAxiosRequestConfig,
} from 'axios';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { firstValueFrom, lastValueFrom, type Subscription } from 'rxjs';
import { NangoHttpService } from '../lib/transport/nango-http.service.js';

/**
 * A server on 127.0.0.1: `/ok` answers JSON, `/fail` a 500; `/hang` sends its headers and then
 * nothing, `/hang-silent` not even headers, `/hang-stream` headers and a first chunk.
 */
let server: Server;
let baseURL: string;
const hung: IncomingMessage[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/ok') return res.end(JSON.stringify({ ok: true }));
    if (req.url === '/fail') {
      res.statusCode = 500;
      return res.end('{}');
    }
    hung.push(req);
    if (req.url === '/hang-silent') return;
    res.flushHeaders();
    if (req.url === '/hang-stream') res.write('first bytes');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** An instance whose request interceptor records the cancel token each call was sent with. */
function instanceRecordingTokens(): { instance: AxiosInstance; tokens: CancelToken[] } {
  const instance = axios.create({ baseURL, adapter: 'http' });
  const tokens: CancelToken[] = [];
  instance.interceptors.request.use((config: InternalAxiosRequestConfig) => {
    if (config.cancelToken) tokens.push(config.cancelToken);
    return config;
  });
  return { instance, tokens };
}

/** Resolves when the server sees the client close the connection of the hung request `n`. */
async function closedByClient(n: number): Promise<void> {
  while (hung.length <= n) await new Promise((resolve) => setImmediate(resolve));
  const req = hung[n] as IncomingMessage;
  if (req.socket.destroyed) return;
  await new Promise((resolve) => req.socket.once('close', resolve));
}

describe('NangoHttpService: a call is cancelled on teardown only while it is in flight', () => {
  it('a completed call keeps its cancel token unfired (HttpService would fire it on teardown)', async () => {
    const { instance, tokens } = instanceRecordingTokens();
    const http = new NangoHttpService(instance);
    const response = await firstValueFrom(http.request({ url: '/ok' }));
    expect(response.data).toEqual({ ok: true });
    await lastValueFrom(http.get('/ok'));
    expect(tokens).toHaveLength(2);
    for (const token of tokens) expect(token.reason).toBeUndefined();
  });

  it('a failed call is not cancelled either: its error reaches the subscriber as is', async () => {
    const { instance, tokens } = instanceRecordingTokens();
    const http = new NangoHttpService(instance);
    const error: unknown = await firstValueFrom(http.request({ url: '/fail' })).catch(
      (e: unknown) => e,
    );
    expect(axios.isAxiosError(error) && error.response?.status).toBe(500);
    expect(tokens[0]?.reason).toBeUndefined();
  });

  it('unsubscribing from a call in flight cancels it: the connection closes, the token fires', async () => {
    const { instance, tokens } = instanceRecordingTokens();
    const http = new NangoHttpService(instance);
    const n = hung.length;
    const errors: unknown[] = [];
    const subscription: Subscription = http
      .request({ url: '/hang' })
      .subscribe({ error: (e: unknown) => errors.push(e) });
    while (hung.length <= n) await new Promise((resolve) => setImmediate(resolve));
    subscription.unsubscribe();
    await closedByClient(n);
    expect(isCancel(tokens[0]?.reason)).toBe(true);
    // As with HttpService: the subscriber has left, so nothing is delivered to it.
    expect(errors).toEqual([]);
  });

  it("a caller's own cancel token is used as given, and left to the caller", async () => {
    const { instance, tokens } = instanceRecordingTokens();
    const http = new NangoHttpService(instance);
    const own = axios.CancelToken.source();
    const n = hung.length;
    const subscription = http
      .request({ url: '/hang', cancelToken: own.token })
      .subscribe({ error: () => undefined });
    while (hung.length <= n) await new Promise((resolve) => setImmediate(resolve));
    subscription.unsubscribe();
    expect(tokens[0]).toBe(own.token);
    expect(own.token.reason).toBeUndefined();
    own.cancel('done by the caller');
    await closedByClient(n);
  });

  it('a stream is not cancelled on teardown, as with HttpService: its reader owns it', async () => {
    const { instance, tokens } = instanceRecordingTokens();
    const http = new NangoHttpService(instance);
    const n = hung.length;
    const subscription = http
      .request({ url: '/hang-silent', responseType: 'stream' })
      .subscribe({ error: () => undefined });
    while (hung.length <= n) await new Promise((resolve) => setImmediate(resolve));
    subscription.unsubscribe();
    // A cancel on teardown would have fired the token right there.
    expect(tokens[0]).toBeDefined();
    expect(tokens[0]?.reason).toBeUndefined();
    // And a stream that has its headers streams on once its Observable is done.
    const response = await firstValueFrom(
      http.request<NodeJS.ReadableStream & { destroy(): void }>({
        url: '/hang-stream',
        responseType: 'stream',
      }),
    );
    const first = await new Promise<string>((resolve) =>
      response.data.once('data', (chunk: Buffer) => resolve(chunk.toString())),
    );
    expect(first).toBe('first bytes');
    response.data.destroy();
  });
});
