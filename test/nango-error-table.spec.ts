import axios, { isAxiosError } from 'axios';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  NangoActionError,
  NangoAuthenticationError,
  NangoConnectionNotFoundError,
  NangoIntegrationNotFoundError,
  NangoInvalidRequestError,
  NangoReconnectRequiredError,
  NangoRequestError,
  NangoUnavailableError,
  NangoUpstreamError,
  toNangoHttpException,
} from '../lib/index.js';
import { toNangoError } from '../lib/errors/nango-error.mapper.js';
import type { NangoCallContext } from '../lib/interfaces/nango-call-context.interface.js';
import { NANGO_ERROR_TABLE } from '../lib/errors/nango-error-table.js';
import { loadRecordings, recordedHeaders, type Recording } from './fixtures/recordings.js';
import { EXPECTED } from './fixtures/expected-errors.js';

const recordings = loadRecordings();

/** The `NangoService` call a recorded request is, as the mapper sees it. */
function contextOf(recording: Recording, host: string): NangoCallContext {
  const { method, path } = recording.request;
  const url = new URL(path, 'http://nango.invalid');
  const headers = recordedHeaders(recording);
  const body = (recording.request.body ?? {}) as Record<string, unknown>;
  const segments = url.pathname.split('/');
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  let operation = `${method} ${url.pathname}`;
  let connectionId = headers['connection-id'] ?? str(body['connection_id']);
  let providerConfigKey =
    headers['provider-config-key'] ??
    url.searchParams.get('provider_config_key') ??
    str(body['provider_config_key']);
  let proxy: NangoCallContext['proxy'];
  if (segments[1] === 'proxy') {
    operation = 'proxy';
    proxy = { method, endpoint: path.slice('/proxy'.length) };
  } else if (/^connections?$/.test(segments[1] ?? '') && segments.length === 3) {
    operation = method === 'DELETE' ? 'deleteConnection' : 'getConnection';
    connectionId = decodeURIComponent(segments[2] ?? '');
  } else if (segments[1] === 'connections' && method === 'GET') {
    operation = 'listConnections';
  } else if (segments[1] === 'integrations' && segments.length === 3) {
    operation = 'getIntegration';
    providerConfigKey = segments[2];
  }
  return {
    operation,
    ...(providerConfigKey === undefined || providerConfigKey === null ? {} : { providerConfigKey }),
    ...(connectionId === undefined ? {} : { connectionId }),
    ...(proxy === undefined ? {} : { proxy }),
    timeoutMs: 5000,
    host,
    secrets: ['never-sent-secret'],
  };
}

/** Subclasses a row's class must not be (a row naming `NangoRequestError` means exactly it). */
const SUBCLASSES = [
  NangoAuthenticationError,
  NangoConnectionNotFoundError,
  NangoIntegrationNotFoundError,
  NangoInvalidRequestError,
  NangoReconnectRequiredError,
  NangoUnavailableError,
  NangoUpstreamError,
  NangoActionError,
];

describe('every error recording of a real Nango, through the mapper', () => {
  let server: Server;
  let host = '';
  let current: Recording | undefined;

  beforeAll(async () => {
    // Replays the current recording over real HTTP: its status, headers and body.
    server = createServer((_req, res) => {
      const recording = current as Recording;
      const headers = { ...recording.headers };
      delete headers['content-length'];
      if (headers['content-type'] === undefined) headers['content-type'] = 'application/json';
      res.writeHead(recording.status, headers);
      res.end(JSON.stringify(recording.body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    host = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  async function replay(recording: Recording) {
    current = recording;
    const failure = await axios
      .request({ method: recording.request.method, url: `${host}/replay` })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    if (!isAxiosError(failure)) throw new Error(`${recording.file} did not fail`);
    return toNangoError(failure, contextOf(recording, host));
  }

  it('covers every recording with an error status', () => {
    const errors = [...recordings.values()].filter((r) => r.status >= 400).map((r) => r.file);
    expect(EXPECTED.map(([file]) => file).sort()).toEqual(errors.sort());
  });

  it.each(EXPECTED)('%s', async (file, errorClass, code, [httpStatus, httpCode]) => {
    const recording = recordings.get(file) as Recording;
    const error = await replay(recording);
    expect(error).toBeInstanceOf(errorClass);
    if (errorClass === NangoRequestError) {
      for (const sub of SUBCLASSES) expect(error).not.toBeInstanceOf(sub);
    }
    const requestError = error as NangoRequestError;
    expect(requestError.status).toBe(recording.status);
    expect(requestError.code).toBe(code);
    const exception = toNangoHttpException(error);
    expect(exception?.getStatus()).toBe(httpStatus);
    const body = exception?.getResponse();
    expect(body?.code).toBe(httpCode);
    if (error instanceof NangoUpstreamError) {
      expect(body?.upstreamStatus).toBe(recording.status);
      expect(body?.message).toBe(
        `The third-party API answered ${recording.status} through Nango's proxy.`,
      );
    }
    if (httpCode === 'nango_error') expect(body?.nangoCode).toBe(code);
    expect(JSON.stringify(body)).not.toContain('never-sent-secret');
  });

  it("names the field Nango refused, with Nango's words, in the error and the answer", async () => {
    const error = await replay(
      recordings.get('proxy_invalid_connection_id_format.json') as Recording,
    );
    expect(error).toMatchObject({
      argument: 'connection-id',
      nangoMessage: expect.stringContaining('must match pattern'),
    });
    expect(toNangoHttpException(error)?.getResponse()).toMatchObject({
      statusCode: 400,
      code: 'invalid_connection',
      nangoCode: 'invalid_headers',
      message: expect.stringMatching(
        /^Nango refused the connection-id: Invalid string: must match pattern/,
      ),
    });
  });

  it("says a refusal on /proxy is Nango's own, and that no third party was called", async () => {
    const error = await replay(
      recordings.get('proxy_none_no_base_url_unsupported_provider.json') as Recording,
    );
    expect(error.message).toMatch(/Nango refused the proxy call GET \/harness\/echo itself/);
    expect(error.message).not.toMatch(/third-party API answered/);
  });

  it('names a recording for every row that reads a message, and every recording it names exists', () => {
    for (const rule of NANGO_ERROR_TABLE) {
      if (rule.message !== undefined) {
        expect([rule.code, rule.recordings.length > 0, rule.why !== undefined]).toEqual([
          rule.code,
          true,
          true,
        ]);
      }
      if (rule.recordings.length === 0) expect(rule.why).toEqual(expect.any(String));
      for (const file of rule.recordings)
        expect([file, recordings.has(file)]).toEqual([file, true]);
    }
  });

  it("a third party's body shaped like Nango's, with a code Nango does not answer on /proxy, stays the third party's", async () => {
    const error = await replay({
      file: 'made-up',
      request: {
        method: 'GET',
        path: '/proxy/x',
        extra_args: '-H Connection-Id: c -H Provider-Config-Key: k',
      },
      status: 404,
      body: { error: { code: 'not_found', message: 'No such repo' } },
    });
    expect(error).toBeInstanceOf(NangoUpstreamError);
    const extra = await replay({
      file: 'made-up',
      request: {
        method: 'GET',
        path: '/proxy/x',
        extra_args: '-H Connection-Id: c -H Provider-Config-Key: k',
      },
      status: 401,
      body: { error: { code: 'unknown_account', message: 'x' }, request_id: 'r1' },
    });
    expect(extra).toBeInstanceOf(NangoUpstreamError);
  });
});
