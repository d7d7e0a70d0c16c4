import type { NangoProxyCall } from '../interfaces/nango-call-context.interface.js';

// The phrases the request family's messages (`nango-request.errors.ts`) are made of.

/** The call and Nango's answer, as a request error's details hold them. */
interface Answered {
  operation: string;
  status?: number;
  code?: string;
  nangoMessage?: string;
}

/** The ids a call was about, as a request error's details hold them. */
interface About {
  providerConfigKey?: string;
  connectionId?: string;
}

/** `getToken: 404 not_found, "Connection not found"`: the call and Nango's answer. */
export function said(details: Answered): string {
  const { operation, status, code, nangoMessage } = details;
  return `${operation}: ${status}${code ? ` ${code}` : ''}${nangoMessage ? `, "${nangoMessage}"` : ''}`;
}

/** `, integration "github", connection "c1"`: what the call was about, after `lead`. */
export function ids(details: About, lead = ','): string {
  const parts: string[] = [];
  if (details.providerConfigKey !== undefined) {
    parts.push(`integration "${details.providerConfigKey}"`);
  }
  if (details.connectionId !== undefined) parts.push(`connection "${details.connectionId}"`);
  return parts.length ? `${lead} ${parts.join(', ')}` : '';
}

/** `GET /user/repos`: a proxy call, its query left out. */
export function proxyCall(proxy: NangoProxyCall): string {
  return `${proxy.method} ${proxy.endpoint.split('?')[0]}`;
}
