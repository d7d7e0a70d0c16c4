import type { AxiosRequestConfig } from 'axios';
import type { NangoCallContext } from '../interfaces/nango-call-context.interface.js';

/** The request-specific part of a {@link NangoCallContext}: what an error says about the call. */
export type NangoRequestContext = Pick<
  NangoCallContext,
  'operation' | 'providerConfigKey' | 'connectionId' | 'proxy' | 'resource'
>;

/**
 * A request to Nango built by one of the `*.requests.ts` builders, ready for the transport: the
 * axios request plus what an error should say about the call.
 */
export interface NangoApiRequest {
  /** The axios request (method, url relative to the host, headers, body). */
  readonly request: AxiosRequestConfig;
  /** What an error says about the call. */
  readonly context: NangoRequestContext;
}

/** `path`, with `?query` when the query has any parameter. */
export function urlWith(path: string, query: URLSearchParams): string {
  const text = query.toString();
  return text === '' ? path : `${path}?${text}`;
}
