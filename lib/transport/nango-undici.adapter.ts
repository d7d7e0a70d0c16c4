import {
  AxiosError,
  AxiosHeaders,
  CanceledError,
  type AxiosAdapter,
  type AxiosResponse,
  type InternalAxiosRequestConfig,
} from 'axios';
import type { Dispatcher } from 'undici';
import type { IncomingHttpHeaders } from 'node:http';
import { STATUS_CODES } from 'node:http';
import { brotliDecompress, gunzip, inflate, inflateRaw, type ZlibOptions } from 'node:zlib';
import { nangoAnswerTurns } from './nango-answer-turns.js';
import { parseJsonAnswer, parsingJsonAnswers } from './nango-json-answer.js';

/** What the adapter needs of its dispatcher: a `NangoUndiciPool` in the module. */
export interface NangoDispatcher {
  /** Sends one request. */
  dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean;
  /** Calls dispatched that have not started on a connection yet: kept up to date by the adapter. */
  waiting: number;
}

/** Methods in the case HTTP wants them (axios lowercases `config.method`). */
const METHODS: Readonly<Record<string, Dispatcher.HttpMethod>> = {
  get: 'GET',
  post: 'POST',
  put: 'PUT',
  patch: 'PATCH',
  delete: 'DELETE',
  head: 'HEAD',
  options: 'OPTIONS',
};

/** Response types the adapter reads into memory itself; any other goes to the fallback. */
const BUFFERED: ReadonlySet<string | undefined> = new Set([
  undefined,
  'json',
  'text',
  'arraybuffer',
]);

/** undici's timeout errors: axios reports them as `ETIMEDOUT` / `ECONNABORTED`. */
const TIMEOUT_CODES: ReadonlySet<string> = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
]);

type Decompress = (buffer: Buffer, options: ZlibOptions) => Promise<Buffer>;

function promised(fn: typeof gunzip): Decompress {
  return (buffer, options) =>
    new Promise((resolve, reject) =>
      fn(buffer, options, (error, result) => (error ? reject(error) : resolve(result))),
    );
}

/** Decoders by `Content-Encoding`; `deflate` is zlib-wrapped or raw, as servers send both. */
const DECODERS: Readonly<Record<string, Decompress>> = {
  gzip: promised(gunzip),
  'x-gzip': promised(gunzip),
  br: promised(brotliDecompress as typeof gunzip),
  deflate: (buffer, options) =>
    promised(isZlibWrapped(buffer) ? inflate : inflateRaw)(buffer, options),
};

function isZlibWrapped(buffer: Buffer): boolean {
  return (
    buffer.length >= 2 && (buffer[0] & 0x0f) === 8 && ((buffer[0] << 8) | buffer[1]) % 31 === 0
  );
}

const SLASH = 0x2f;

/** Where the adapter sends: the origin of its pool, and the path prefix of the base URL. */
export interface NangoAdapterTarget {
  /** The axios `baseURL` the adapter serves (requests with another base go to the fallback). */
  readonly baseURL: string;
  /** Sends the requests; one keep-alive pool per Nango origin. */
  readonly dispatcher: NangoDispatcher;
  /**
   * The adapter for every request this one does not handle (axios's own `http` adapter); its
   * JSON answers are parsed too (see {@link parsingJsonAnswers}).
   */
  readonly fallback: AxiosAdapter;
}

/**
 * An axios adapter on undici, for the buffered calls (json, text, arraybuffer) that are nearly
 * all of the traffic to Nango. It sits under the axios instance of the module's `HttpService`,
 * so interceptors, defaults and transforms apply as with any adapter. It never follows a
 * redirect, decompresses gzip, deflate and br, honours `signal`, `cancelToken`, `timeout`
 * (as undici's headers and body timeouts) and `maxContentLength` (bytes after decompression),
 * and fails with axios's codes (`ECONNRESET`, `ECONNREFUSED`, `ETIMEDOUT`/`ECONNABORTED`,
 * `ERR_CANCELED`, `ERR_BAD_RESPONSE`). It parses a JSON body once, as axios's default
 * `transformResponse` would (see {@link parseJsonAnswer}), and hands axios its headers as
 * `AxiosHeaders`, so the instance needs no default response transform. Answers of 64 KB and
 * more are parsed one per turn of the event loop (see {@link nangoAnswerTurns}). Streams, `params`, a per-request `proxy`, `auth`,
 * `socketPath`, progress callbacks, other origins and bodies that are not a string or a
 * Buffer go to `fallback`.
 */
export function createNangoUndiciAdapter(target: NangoAdapterTarget): AxiosAdapter {
  const base = new URL(target.baseURL);
  const origin = base.origin;
  const prefix = base.pathname.replace(/\/+$/, '');
  const fallback = parsingJsonAnswers(target.fallback);
  return (config) => {
    const path = config.baseURL === target.baseURL ? pathOf(config.url, origin, prefix) : undefined;
    if (path === undefined || !handles(config)) return fallback(config);
    return new Promise<AxiosResponse>((resolve, reject) => {
      new BufferedCall(config, target.dispatcher, resolve, reject).send(path);
    });
  };
}

/** The request path for the pool's origin, or `undefined` when `url` is elsewhere. */
function pathOf(url: string | undefined, origin: string, prefix: string): string | undefined {
  if (url === undefined || url === '') return prefix || '/';
  // The module's own calls: one leading slash, a path on Nango's origin.
  if (url.charCodeAt(0) === SLASH && url.charCodeAt(1) !== SLASH) return `${prefix}${url}`;
  if (/^[a-z][a-z\d+\-.]*:/i.test(url) || url.startsWith('//')) {
    const absolute = new URL(url);
    return absolute.origin === origin ? `${absolute.pathname}${absolute.search}` : undefined;
  }
  return `${prefix}/${url.replace(/^\/+/, '')}`;
}

function handles(config: InternalAxiosRequestConfig): boolean {
  const { data } = config;
  return (
    BUFFERED.has(config.responseType) &&
    config.params === undefined &&
    !config.proxy &&
    config.auth === undefined &&
    config.socketPath == null &&
    config.onDownloadProgress === undefined &&
    config.onUploadProgress === undefined &&
    (data === undefined || data === null || typeof data === 'string' || Buffer.isBuffer(data))
  );
}

/** The settle functions of the promise a call's caller awaits. */
interface Caller {
  readonly resolve: (response: AxiosResponse) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * One request in flight: an undici dispatch handler that buffers the answer. Once it settles
 * it holds nothing of the answer: its chunks, its listeners and its caller are dropped, since
 * undici may keep a handler referenced after its request ended.
 */
class BufferedCall implements Dispatcher.DispatchHandler {
  private chunks: Buffer[] = [];
  private size = 0;
  private status = 0;
  private statusText = '';
  private headers: IncomingHttpHeaders = {};
  private controller: Dispatcher.DispatchController | undefined;
  /** Whether the request has reached a connection, or needs none (not dispatched, or over). */
  private started = true;
  /**
   * The caller, until it has an answer or an error; later events only stop the request. Dropped
   * then: a resolved promise keeps its response, the whole parsed body, for as long as anything
   * reaches it, and a handler kept by undici would make the GC copy and promote every answer
   * (measured: 2.9 MB instead of 0.3 MB surviving each scavenge while a drain reads pages).
   */
  private caller: Caller | undefined;
  private readonly limit: number;
  private readonly onCancel = (reason?: unknown): void => {
    const error =
      reason instanceof CanceledError
        ? reason
        : new CanceledError(undefined, undefined, this.config);
    this.fail(error);
  };

  constructor(
    private readonly config: InternalAxiosRequestConfig,
    private readonly dispatcher: NangoDispatcher,
    resolve: (response: AxiosResponse) => void,
    reject: (error: unknown) => void,
  ) {
    this.caller = { resolve, reject };
    const max = config.maxContentLength;
    this.limit = max !== undefined && max > -1 ? max : Infinity;
  }

  send(path: string): void {
    const { config, dispatcher } = this;
    const { cancelToken, signal } = config;
    if (signal?.aborted) return this.onCancel();
    cancelToken?.subscribe(this.onCancel);
    signal?.addEventListener?.('abort', this.onCancel);
    const headers = config.headers.toJSON(true) as Record<string, string>;
    if (headers['Accept-Encoding'] === undefined && config.decompress !== false) {
      headers['Accept-Encoding'] = 'gzip, deflate, br';
    }
    const timeout = config.timeout !== undefined && config.timeout > 0 ? config.timeout : 0;
    const method = config.method ?? 'get';
    this.started = false;
    dispatcher.waiting++;
    try {
      dispatcher.dispatch(
        {
          path,
          method: METHODS[method] ?? (method.toUpperCase() as Dispatcher.HttpMethod),
          headers,
          body: (config.data as string | Buffer | null | undefined) ?? null,
          headersTimeout: timeout,
          bodyTimeout: timeout,
        },
        this,
      );
    } catch (error) {
      this.fail(this.toAxiosError(error));
    }
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    this.start();
    // undici may start a request again (after a failure at the head of a pipeline): a call
    // that has already ended must send nothing more.
    if (this.caller === undefined) controller.abort(new CanceledError());
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
    statusMessage?: string,
  ): void {
    this.status = statusCode;
    this.headers = headers;
    this.statusText = statusMessage || STATUS_CODES[statusCode] || '';
    const declared = Number(headers['content-length']);
    if (declared > this.limit) this.tooLarge();
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.caller === undefined) return;
    this.size += chunk.length;
    // Compressed bytes count too: a body never grows when decompressed by less than nothing.
    if (this.size > this.limit) return this.tooLarge();
    this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    // The request is complete: nothing left to abort, and the socket goes back to the pool.
    this.controller = undefined;
    if (this.caller === undefined) return;
    const body = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    this.chunks = [];
    const encoding = String(this.headers['content-encoding'] ?? '').toLowerCase();
    const decode = this.config.decompress === false ? undefined : DECODERS[encoding];
    if (decode === undefined || body.length === 0) return this.settleInTurn(body);
    decode(body, { maxOutputLength: Math.min(this.limit, 2 ** 32) }).then(
      (decoded) => {
        delete this.headers['content-encoding'];
        delete this.headers['content-length'];
        this.settleInTurn(decoded);
      },
      (error: unknown) =>
        this.fail(
          (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE'
            ? this.tooLargeError()
            : this.toAxiosError(error, AxiosError.ERR_BAD_RESPONSE),
        ),
    );
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.fail(this.toAxiosError(error));
  }

  /** Settles with the body once it has a turn of the event loop (see {@link nangoAnswerTurns}). */
  private settleInTurn(body: Buffer): void {
    nangoAnswerTurns.run(body.length, () => this.settle(body));
  }

  private settle(body: Buffer): void {
    // Canceled, or timed out, while the answer waited for its turn.
    if (this.caller === undefined) return;
    const { config } = this;
    let data: Buffer | string = body;
    if (config.responseType !== 'arraybuffer') {
      const encoding = (config.responseEncoding ?? 'utf8') as BufferEncoding;
      data = body.toString(encoding);
      if (encoding === 'utf8' && data.charCodeAt(0) === 0xfeff) data = data.slice(1);
    }
    const response: AxiosResponse = {
      data,
      status: this.status,
      statusText: this.statusText,
      // What axios would make of the headers after the adapter: built once, here.
      headers: new AxiosHeaders(this.headers as Record<string, string>),
      config,
      request: undefined,
    };
    try {
      response.data = parseJsonAnswer(config, response);
    } catch (error) {
      return this.fail(error);
    }
    const valid = config.validateStatus;
    if (!valid || valid(this.status)) {
      this.finish()?.resolve(response);
      return;
    }
    this.fail(
      new AxiosError(
        `Request failed with status code ${this.status}`,
        this.status < 500 ? AxiosError.ERR_BAD_REQUEST : AxiosError.ERR_BAD_RESPONSE,
        config,
        undefined,
        response,
      ),
    );
  }

  private tooLarge(): void {
    this.fail(this.tooLargeError());
  }

  private tooLargeError(): AxiosError {
    return new AxiosError(
      `maxContentLength size of ${this.limit} exceeded`,
      AxiosError.ERR_BAD_RESPONSE,
      this.config,
    );
  }

  /** Rejects the call (once) and stops the request if it is still running. */
  private fail(error: unknown): void {
    const caller = this.finish();
    if (caller === undefined) return;
    const controller = this.controller;
    if (controller !== undefined && !controller.aborted) controller.abort(error as Error);
    caller.reject(error);
  }

  /** The request no longer waits for a connection. */
  private start(): void {
    if (this.started) return;
    this.started = true;
    this.dispatcher.waiting--;
  }

  /** Ends the call (once): gives the caller, which the handler no longer keeps. */
  private finish(): Caller | undefined {
    const caller = this.caller;
    if (caller === undefined) return undefined;
    this.caller = undefined;
    this.start();
    this.chunks = [];
    this.config.cancelToken?.unsubscribe(this.onCancel);
    this.config.signal?.removeEventListener?.('abort', this.onCancel);
    return caller;
  }

  /** An undici or socket error as the `AxiosError` axios's own adapter would have thrown. */
  private toAxiosError(error: unknown, fallbackCode = 'ERR_NETWORK'): AxiosError {
    if (error instanceof AxiosError) return error;
    const { config } = this;
    const raw = error as { code?: unknown; message?: unknown };
    let code = typeof raw.code === 'string' ? raw.code : fallbackCode;
    let message = typeof raw.message === 'string' ? raw.message : String(error);
    if (TIMEOUT_CODES.has(code)) {
      code = config.transitional?.clarifyTimeoutError ? 'ETIMEDOUT' : 'ECONNABORTED';
      message = `timeout of ${config.timeout}ms exceeded`;
    } else if (code === 'UND_ERR_SOCKET') {
      code = 'ECONNRESET';
    }
    const axiosError = new AxiosError(message, code, config);
    axiosError.cause = error instanceof Error ? error : undefined;
    return axiosError;
  }
}
