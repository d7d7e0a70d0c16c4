import 'reflect-metadata';
import type { HttpService } from '@nestjs/axios';
import type { AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import { NangoConnectionNotFoundError, NangoService } from '../lib/index.js';
import { NANGO_HTTP_SERVICE } from '../lib/nango.tokens.js';
import { standInSuite } from './fixtures/stand-in-suite.js';
import { settle } from './fixtures/eventually.js';

const FAST = { retries: 2, minDelayMs: 1, maxDelayMs: 5, maxTotalDelayMs: 2000 };
const suite = standInSuite({ retry: FAST });

async function nangoWithHttp(): Promise<{ nango: NangoService; http: HttpService }> {
  const ref = await suite.moduleFor();
  return { nango: ref.get(NangoService), http: ref.get<HttpService>(NANGO_HTTP_SERVICE) };
}

describe("the module's axios instance: what a user adds to it applies to every call", () => {
  it('a request and a response interceptor see every attempt, retries included, with parsed JSON', async () => {
    const { nango, http } = await nangoWithHttp();
    const requests: string[] = [];
    const answers: unknown[] = [];
    http.axiosRef.interceptors.request.use((config: InternalAxiosRequestConfig) => {
      requests.push(String(config.url));
      return config;
    });
    http.axiosRef.interceptors.response.use(
      (response: AxiosResponse) => {
        answers.push(response.data);
        return response;
      },
      (error: unknown) => {
        answers.push('error');
        throw error;
      },
    );
    suite.script({
      path: '/connections/conn-oauth2',
      times: 1,
      respond: { status: 503, body: {} },
    });
    await expect(nango.getToken('github', 'conn-oauth2')).resolves.toBe('gh-access-token-1');
    await nango.get({
      endpoint: '/user',
      providerConfigKey: 'github',
      connectionId: 'conn-oauth2',
    });
    expect(requests).toHaveLength(3);
    expect(requests[0]).toMatch(/^\/connections\/conn-oauth2\?/);
    expect(requests[1]).toBe(requests[0]);
    expect(requests[2]).toBe('/proxy/user');
    expect(answers[0]).toBe('error');
    // The body reaches a response interceptor parsed, as with axios's default transform.
    expect(answers[1]).toMatchObject({ connection_id: 'conn-oauth2' });
    expect(typeof answers[2]).toBe('object');
  });

  it('a default header added to defaults.headers.common reaches Nango; the module headers stay', async () => {
    const { nango, http } = await nangoWithHttp();
    http.axiosRef.defaults.headers.common['X-Trace'] = 'trace-1';
    await nango.getToken('github', 'conn-oauth2');
    const [request] = suite.standIn.requests;
    expect(request?.headers['x-trace']).toBe('trace-1');
    expect(request?.headers['authorization']).toBe(`Bearer ${suite.standIn.secretKey}`);
    expect(request?.headers['accept']).toBe('application/json');
  });

  it("request bodies go through axios's own transform: JSON, form-urlencoded and multipart; a GET sends none", async () => {
    const { nango } = await nangoWithHttp();
    const target = { endpoint: '/items', providerConfigKey: 'github', connectionId: 'conn-oauth2' };
    await nango.post({ ...target, data: { name: 'a', n: 1 } });
    let request = suite.standIn.requests.at(-1);
    expect(request?.body).toBe('{"name":"a","n":1}');
    expect(request?.headers['content-type']).toMatch(/^application\/json/);

    await nango.post({ ...target, data: new URLSearchParams({ name: 'a b', n: '1' }) });
    request = suite.standIn.requests.at(-1);
    expect(request?.body).toBe('name=a+b&n=1');
    expect(request?.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);

    const form = new FormData();
    form.append('name', 'a b');
    await nango.post({ ...target, data: form });
    request = suite.standIn.requests.at(-1);
    const boundary = /^multipart\/form-data; boundary=(.+)$/.exec(
      String(request?.headers['content-type']),
    )?.[1];
    expect(boundary).toBeDefined();
    expect(request?.body).toContain(`--${boundary}`);
    expect(request?.body).toContain('Content-Disposition: form-data; name="name"\r\n\r\na b');

    await nango.get(target);
    request = suite.standIn.requests.at(-1);
    expect(request?.method).toBe('GET');
    expect(request?.body).toBe('');
    expect(request?.headers['content-type']).toBeUndefined();
  });

  it('a transform added to defaults.transformResponse runs on the parsed body', async () => {
    const { nango, http } = await nangoWithHttp();
    const seen: unknown[] = [];
    const transforms = http.axiosRef.defaults.transformResponse as Array<
      (data: unknown) => unknown
    >;
    transforms.push((data) => {
      seen.push(data);
      return data;
    });
    await nango.getToken('github', 'conn-oauth2');
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ connection_id: 'conn-oauth2' });
  });

  it('a body that is not JSON stays text, and an error answer is still mapped', async () => {
    const { nango } = await nangoWithHttp();
    suite.script({
      path: '/proxy/user',
      times: 1,
      respond: { status: 200, body: 'not json {', headers: { 'content-type': 'text/plain' } },
    });
    const text = await nango.get({
      endpoint: '/user',
      providerConfigKey: 'github',
      connectionId: 'conn-oauth2',
    });
    expect(text.data).toBe('not json {');
    suite.script({
      path: '/connections/conn-oauth2',
      times: 1,
      respond: { status: 404, body: {} },
    });
    expect(await settle(nango.getToken('github', 'conn-oauth2'))).toBeInstanceOf(
      NangoConnectionNotFoundError,
    );
  });
});
