import type { AxiosResponse } from 'axios';
/** HTTP methods Nango's proxy forwards (`PROPFIND` and `REPORT` for WebDAV / CalDAV APIs). */
export type NangoProxyMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'PROPFIND' | 'REPORT';

/** How the proxied response body is handed back. */
export type NangoProxyResponseType = 'json' | 'text' | 'arraybuffer' | 'stream';

/** A query parameter value; arrays are joined with `,`. */
export type NangoProxyParamValue =
  string | number | boolean | ReadonlyArray<string | number | boolean>;

import type { NangoCallOptions } from './nango-module-options.interface.js';

/** Options of `NangoService.proxy()`; the third-party API is reached through Nango. */
export interface NangoProxyConfig extends NangoCallOptions {
  /** The third-party API path, e.g. `/user/repos` (a `/` is inserted if missing). */
  endpoint: string;
  /** The integration key (Nango's "provider config key"). */
  providerConfigKey: string;
  /** The connection whose credentials Nango adds. */
  connectionId: string;
  /** HTTP method; default `GET`. */
  method?: NangoProxyMethod | Lowercase<NangoProxyMethod>;
  /** Headers for the third-party API; sent as `Nango-Proxy-<name>`, which Nango un-prefixes. */
  headers?: Record<string, string | number>;
  /**
   * Query parameters, as an object or a query string (`'a=1&b=2'`); an endpoint that already
   * has `?` cannot also take `params`.
   */
  params?: Record<string, NangoProxyParamValue | undefined> | string;
  /** Request body for POST, PUT, PATCH, DELETE, PROPFIND and REPORT. */
  data?: unknown;
  /** How many times Nango retries the third-party call (with backoff); sent as `Retries`. */
  retries?: number;
  /** Extra status codes Nango retries on; sent as `Retry-On`. */
  retryOn?: number[];
  /** Replaces the provider's base URL; sent as `Base-Url-Override`. */
  baseUrlOverride?: string;
  /** Ask Nango to decompress the upstream body; sent as `Decompress: true`. */
  decompress?: boolean;
  /** Whether Nango sends the request's headers again when the third party redirects; sent as `Forward-Headers-On-Redirect`. */
  forwardHeadersOnRedirect?: boolean;
  /** How to read the response body; default `json`. */
  responseType?: NangoProxyResponseType;
}

/** `NangoProxyConfig` without `method`, for `get/post/put/patch/delete`. */
export type NangoProxyMethodConfig = Omit<NangoProxyConfig, 'method'>;

/**
 * What the proxy methods resolve with: the third party's answer as Nango passed it on. The
 * axios `config` and `request` are left out on purpose: they carry the `Authorization` header.
 */
export interface NangoProxyResponse<T = unknown> {
  status: number;
  statusText: string;
  headers: AxiosResponse['headers'];
  data: T;
}
