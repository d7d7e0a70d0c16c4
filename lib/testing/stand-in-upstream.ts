import type { StandInResponse } from './nango-stand-in.js';

/** A call Nango's proxy makes to the third-party API, as the stand-in's `upstream` gets it. */
export interface StandInUpstreamRequest {
  /** HTTP method. */
  method: string;
  /** Path and query on the third-party API (after `Base-Url-Override`'s path, if any). */
  url: string;
  /**
   * Headers Nango sends upstream: `authorization` built from the connection's credentials, and
   * the caller's `Nango-Proxy-*` headers unprefixed (names lower case).
   */
  headers: Record<string, string>;
  /** Raw request body ('' if none). */
  body: string;
  /** The integration key of the call. */
  providerConfigKey: string;
  /** The connection id of the call. */
  connectionId: string;
}

/**
 * The third-party API behind the stand-in's proxy: called once Nango's own checks passed (auth,
 * headers, integration, connection, refresh), it answers instead of the built-in echo (return
 * `undefined` to fall back to it). The stand-in passes its answer on as Nango does: a 2xx keeps
 * only the third party's `content-type`, an error keeps its headers with Nango's `content-type`.
 *
 * @example
 * const standIn = await NangoStandIn.start({
 *   connections,
 *   upstream: (req) => (req.url === '/user' ? { status: 200, body: { login: req.connectionId } } : undefined),
 * });
 */
export type StandInUpstream = (
  request: StandInUpstreamRequest,
) => StandInResponse | undefined | Promise<StandInResponse | undefined>;

/** The headers Nango passes on from a third party's answer of this status. */
export function passedOnHeaders(
  status: number,
  headers: Record<string, string> | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const lower = name.toLowerCase();
    if (status < 400 ? lower === 'content-type' : lower !== 'content-type') out[lower] = value;
  }
  return out;
}
