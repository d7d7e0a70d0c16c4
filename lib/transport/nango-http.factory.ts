import type { HttpService } from '@nestjs/axios';
import axios, {
  type AxiosInstance,
  type AxiosRequestTransformer,
  type InternalAxiosRequestConfig,
} from 'axios';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { NANGO_MAX_RESPONSE_BYTES } from '../nango.constants.js';
import { isRecord } from '../utils/is-record.js';
import { createNangoUndiciAdapter } from './nango-undici.adapter.js';
import { parsingJsonAnswers } from './nango-json-answer.js';
import { NangoUndiciPool } from './nango-undici.pool.js';
import { NangoHttpService } from './nango-http.service.js';
import type { ResolvedNangoOptions } from '../interfaces/nango-module-options.interface.js';

/**
 * Keep-alive settings of the agents that axios's own adapter uses (streams, or every call when
 * a proxy variable is set): up to 128 sockets to Nango at once, 32 kept idle for reuse, the most
 * recently used first (so idle ones can time out).
 */
const AGENT_OPTIONS = {
  keepAlive: true,
  maxSockets: 128,
  maxFreeSockets: 32,
  scheduling: 'lifo',
} as const;

/** axios's per-method buckets of default headers. */
const METHOD_BUCKETS: ReadonlySet<string> = new Set([
  'delete',
  'get',
  'head',
  'options',
  'post',
  'put',
  'patch',
  'query',
]);

/**
 * axios defaults that only browsers (`xsrf*`) or `data:` URIs and multipart bodies (`env`, whose
 * `FormData` axios falls back to anyway) read. axios merges every default into every request's
 * config, `env` deeply: the module's instance leaves them out (a fifth of what axios itself
 * costs per call, measured with `bench/per-call.ts`'s `floor-axios`).
 */
const UNUSED_DEFAULTS = ['xsrfCookieName', 'xsrfHeaderName', 'env'] as const;

/** The variables axios (through `proxy-from-env`) reads to send requests through a proxy. */
const PROXY_VARIABLES = ['http_proxy', 'https_proxy', 'all_proxy'] as const;

/** What the module made for one `HttpService`, and so closes on shutdown. */
interface OwnedTransport {
  readonly pool?: NangoUndiciPool;
  readonly agents: ReadonlyArray<HttpAgent>;
}

/** The pools and agents made by {@link createNangoHttpService}, by axios instance. */
const OWNED = new WeakMap<AxiosInstance, OwnedTransport>();

/**
 * Whether the environment names a proxy (`HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY`, any case).
 * When it does, every call goes through axios's own adapter, which honours it (and `NO_PROXY`)
 * request by request; when it does not, the client says `proxy: false` once, sparing axios its
 * per-request lookup. So a proxy variable must be set before the module starts.
 */
function proxyFromEnvironment(): boolean {
  return PROXY_VARIABLES.some(
    (name) => Boolean(process.env[name]) || Boolean(process.env[name.toUpperCase()]),
  );
}

/**
 * Builds the `HttpService` that `NangoModule` uses for Nango alone: its own axios instance with
 * Nango's base URL, the `Authorization` and `User-Agent` headers, the timeout and the response
 * size bound. It is not the application's `HttpModule` client, so its headers never reach other
 * hosts.
 *
 * Under the instance sits the package's undici adapter, with one keep-alive `Pool` for Nango's
 * origin, for the buffered calls, parsing JSON answers itself. Streams, and every call when the options bring their own
 * `httpAgent` / `httpsAgent` or the environment names a proxy, go to axios's own `http` adapter.
 */
export function createNangoHttpService(options: ResolvedNangoOptions): HttpService {
  const agents: HttpAgent[] = [];
  const httpAgent = options.httpAgent ?? own(agents, new HttpAgent(AGENT_OPTIONS));
  const httpsAgent = options.httpsAgent ?? own(agents, new HttpsAgent(AGENT_OPTIONS));
  const viaProxy = proxyFromEnvironment();
  const fallback = axios.getAdapter('http');
  const pool =
    options.httpAgent === undefined && options.httpsAgent === undefined && !viaProxy
      ? new NangoUndiciPool(new URL(options.host).origin)
      : undefined;
  const instance = axios.create({
    baseURL: options.host,
    timeout: options.timeout,
    headers: {
      Authorization: `Bearer ${options.secretKey}`,
      'User-Agent': options.userAgent,
      Accept: 'application/json',
    },
    adapter: pool
      ? createNangoUndiciAdapter({ baseURL: options.host, dispatcher: pool, fallback })
      : parsingJsonAnswers(fallback),
    // axios's own request transform (JSON bodies), skipped for the calls without a body, which
    // it would hand on unchanged.
    transformRequest: [bodyTransform(axios.defaults.transformRequest)],
    // The adapters parse a JSON body once themselves (as axios's default transform would), so
    // no call pays for axios's transform machinery on its answer. Transforms a user adds here
    // still run, on the parsed body.
    transformResponse: [],
    httpAgent,
    httpsAgent,
    // Buffered answers bigger than this fail with ERR_BAD_RESPONSE instead of filling the heap.
    maxContentLength: NANGO_MAX_RESPONSE_BYTES,
    // A redirect would be followed by the client itself, away from Nango: never do that.
    maxRedirects: 0,
    transitional: { clarifyTimeoutError: true },
    // Without a proxy variable at start, axios need not look for one on every request.
    ...(viaProxy ? {} : { proxy: false as const }),
  });
  instance.defaults.headers = flatHeaders(instance.defaults.headers);
  for (const name of UNUSED_DEFAULTS) delete instance.defaults[name];
  OWNED.set(instance, { pool, agents });
  return new NangoHttpService(instance);
}

/**
 * The instance's default headers as one plain object, built once: axios's `common` bucket and
 * the module's headers (which win), without the per-method buckets that axios would otherwise
 * merge and flatten on every call (axios's own are empty). A non-empty bucket is kept, and so is
 * `common` (empty), where code that adds a default header to an axios instance puts it.
 */
function flatHeaders(
  headers: AxiosInstance['defaults']['headers'],
): AxiosInstance['defaults']['headers'] {
  const flat: Record<string, unknown> = { ...headers.common };
  for (const [name, value] of Object.entries(headers)) {
    if (name === 'common') continue;
    const bucket = isRecord(value) && METHOD_BUCKETS.has(name.toLowerCase());
    if (!bucket || Object.keys(value).length > 0) flat[name] = value;
  }
  flat['common'] = {};
  return flat as AxiosInstance['defaults']['headers'];
}

/** axios's request transforms as one, run only for a request with a body. */
function bodyTransform(
  transforms: AxiosRequestTransformer | AxiosRequestTransformer[] | undefined,
): AxiosRequestTransformer {
  const all = transforms === undefined ? [] : ([] as AxiosRequestTransformer[]).concat(transforms);
  return function transformBody(this: InternalAxiosRequestConfig, data, headers) {
    if (data === undefined) return data;
    let body: unknown = data;
    for (const transform of all) body = transform.call(this, body, headers);
    return body;
  };
}

function own<A extends HttpAgent>(agents: HttpAgent[], agent: A): A {
  agents.push(agent);
  return agent;
}

/**
 * Closes the pool and the keep-alive agents that {@link createNangoHttpService} made for this
 * `HttpService`, with their sockets. Agents the caller passed in the options (`httpAgent`,
 * `httpsAgent`) are theirs: left open. Calls still in flight fail.
 */
export async function destroyNangoHttpService(http: HttpService): Promise<void> {
  const owned = OWNED.get(http.axiosRef);
  if (owned === undefined) return;
  OWNED.delete(http.axiosRef);
  for (const agent of owned.agents) agent.destroy();
  await owned.pool?.destroy();
}
