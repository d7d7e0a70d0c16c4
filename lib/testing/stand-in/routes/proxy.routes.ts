import type { RecordedRequest, StandInCredentials } from '../stand-in.interfaces.js';
import { ensureFresh } from '../stand-in.refresh.js';
import type { Outgoing } from '../stand-in.replies.js';
import { headerValue } from '../stand-in.request.js';
import {
  PROXY_REFUSALS,
  UNAUTHENTICATED_PROVIDER,
  type StandInJsonAnswer,
} from '../stand-in.wire.js';
import { connectionHeaders } from './connection-headers.js';
import { builtInUpstream, fromUpstream } from './proxy-upstream.js';
import type { StandInContext } from './stand-in-route.js';

/**
 * `/proxy/*`, as `NangoService.proxy()` sends it: Nango's own checks and refusals (headers,
 * integration, connection, refresh, provider), then the third party's answer.
 */

/** Whether the request is one for the proxy. */
export function isProxyPath(pathname: string): boolean {
  return pathname === '/proxy' || pathname.startsWith('/proxy/');
}

/** Nango's proxy: its refusal, or the third party's answer. */
export function proxyRoute(
  req: RecordedRequest,
  { store, replies, upstream }: StandInContext,
): Outgoing | Promise<Outgoing> {
  const refuse = (answer: StandInJsonAnswer): Outgoing => replies.json(answer.status, answer.body);
  const names = connectionHeaders(req, true);
  if (!('connectionId' in names)) return refuse(names);
  const { connectionId, providerConfigKey } = names;
  if (!store.integrations.has(providerConfigKey)) return refuse(PROXY_REFUSALS.unknownIntegration);
  const stored = store.connection(providerConfigKey, connectionId);
  if (stored === undefined) return refuse(PROXY_REFUSALS.unknownConnection);
  const outcome = ensureFresh(stored, false, Date.now());
  if (outcome !== 'ok') {
    return refuse(
      outcome === 'failed' ? PROXY_REFUSALS.refreshFailed : PROXY_REFUSALS.refreshBackoff,
    );
  }
  const { headers } = req;
  const override = headerValue(headers['base-url-override']);
  if (stored.provider === UNAUTHENTICATED_PROVIDER && override === undefined) {
    return refuse(PROXY_REFUSALS.unsupportedProvider);
  }

  let endpoint = req.url.slice('/proxy'.length);
  if (!endpoint.startsWith('/')) endpoint = `/${endpoint}`;
  if (override !== undefined) {
    try {
      const prefix = new URL(override).pathname.replace(/\/+$/, '');
      endpoint = `${prefix}${endpoint}`;
    } catch {
      // Not a URL: no path to prefix.
    }
  }

  const echoHeaders: Record<string, string> = {};
  const authorization = proxyAuthorization(stored.credentials);
  if (authorization !== undefined) echoHeaders['authorization'] = authorization;
  for (const name of Object.keys(headers)) {
    if (name.startsWith('nango-proxy-') && name.length > 'nango-proxy-'.length) {
      const value = headerValue(headers[name]);
      if (value !== undefined) echoHeaders[name.slice('nango-proxy-'.length)] = value;
    }
  }
  const builtIn = (): Outgoing => builtInUpstream(replies, req, endpoint, echoHeaders);
  if (upstream === undefined) return builtIn();
  const call = {
    method: req.method,
    url: endpoint,
    headers: echoHeaders,
    body: req.body,
    providerConfigKey,
    connectionId,
  };
  return fromUpstream(replies, upstream, call, builtIn);
}

/** The `Authorization` Nango sends the third party for these credentials. */
function proxyAuthorization(credentials: StandInCredentials): string | undefined {
  switch (credentials.type) {
    case 'OAUTH2': {
      const token = credentials['access_token'];
      return typeof token === 'string' ? `Bearer ${token}` : undefined;
    }
    case 'API_KEY': {
      const key = credentials['apiKey'];
      return typeof key === 'string' ? `Bearer ${key}` : undefined;
    }
    case 'BASIC': {
      const username = credentials['username'];
      const password = credentials['password'];
      const user = typeof username === 'string' ? username : '';
      const pass = typeof password === 'string' ? password : '';
      return `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    }
    default:
      return undefined;
  }
}
