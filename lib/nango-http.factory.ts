import { HttpService } from '@nestjs/axios';
import axios from 'axios';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { ResolvedNangoOptions } from './interfaces/nango-module-options.interface.js';

/**
 * Keep-alive settings of the agents Nango's `HttpService` uses: up to 128 sockets to Nango at
 * once, 32 kept idle for reuse, the most recently used first (so idle ones can time out).
 */
const AGENT_OPTIONS = {
  keepAlive: true,
  maxSockets: 128,
  maxFreeSockets: 32,
  scheduling: 'lifo',
} as const;

/** The variables axios (through `proxy-from-env`) reads to send requests through a proxy. */
const PROXY_VARIABLES = ['http_proxy', 'https_proxy', 'all_proxy'] as const;

/**
 * Whether the environment names a proxy (`HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY`, any case).
 * When it does, axios keeps honouring it (and `NO_PROXY`) request by request; when it does not,
 * the client says `proxy: false` once, sparing axios six `process.env` reads and a URL parse
 * per request. So a proxy variable must be set before the module starts.
 */
function proxyFromEnvironment(): boolean {
  return PROXY_VARIABLES.some(
    (name) => Boolean(process.env[name]) || Boolean(process.env[name.toUpperCase()]),
  );
}

/**
 * Builds the `HttpService` that `NangoModule` uses for Nango alone: its own axios instance with
 * Nango's base URL, the `Authorization` and `User-Agent` headers, the timeout and keep-alive
 * agents. It is not the application's `HttpModule` client, so its headers never reach other hosts.
 */
export function createNangoHttpService(options: ResolvedNangoOptions): HttpService {
  const instance = axios.create({
    baseURL: options.host,
    timeout: options.timeout,
    headers: {
      Authorization: `Bearer ${options.secretKey}`,
      'User-Agent': options.userAgent,
      Accept: 'application/json',
    },
    httpAgent: options.httpAgent ?? new HttpAgent(AGENT_OPTIONS),
    httpsAgent: options.httpsAgent ?? new HttpsAgent(AGENT_OPTIONS),
    // A redirect would be followed by the client itself, away from Nango: never do that.
    maxRedirects: 0,
    transitional: { clarifyTimeoutError: true },
    // Without a proxy variable at start, axios need not look for one on every request.
    ...(proxyFromEnvironment() ? {} : { proxy: false as const }),
  });
  return new HttpService(instance);
}

/**
 * Closes the keep-alive sockets of an `HttpService` made by {@link createNangoHttpService}.
 * Agents the caller passed in the options (`httpAgent`, `httpsAgent`) are theirs: left open.
 */
export function destroyNangoHttpService(http: HttpService, options?: ResolvedNangoOptions): void {
  const { httpAgent, httpsAgent } = http.axiosRef.defaults;
  for (const agent of [httpAgent, httpsAgent]) {
    if (agent === options?.httpAgent || agent === options?.httpsAgent) continue;
    if (agent instanceof HttpAgent) agent.destroy();
  }
}
