import type {
  RecordedRequest,
  StandInResponse,
  StandInUpstream,
  StandInUpstreamRequest,
} from '../stand-in.interfaces.js';
import { JSON_TYPE, type Outgoing, type StandInReplies } from '../stand-in.replies.js';
import { UPSTREAM_HEADER } from '../stand-in.wire.js';

/**
 * The third-party API behind the stand-in's proxy: the built-in one (`/status/<code>`,
 * `/bytes/<n>`, else the echo) or the `upstream` option, its answer passed on as Nango does.
 */

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

/** What the default third-party API answers: `/status/<code>`, `/bytes/<n>`, or the echo. */
export function builtInUpstream(
  replies: StandInReplies,
  req: RecordedRequest,
  endpoint: string,
  echoHeaders: Record<string, string>,
): Outgoing {
  const endpointPath = req.pathname.slice('/proxy'.length) || '/';
  const status = /^\/status\/(\d{3})$/.exec(endpointPath);
  if (status !== null) {
    const code = Number(status[1]);
    if (code >= 200 && code <= 599) {
      // The third party's answer: on an error Nango keeps its headers (and sets its own
      // content-type); on a 2xx it keeps only the content-type.
      const out = replies.json(code, { echo_error: true, status: code });
      if (code >= 400) out.headers[UPSTREAM_HEADER] = 'nango-stand-in';
      return out;
    }
  }
  const bytes = /^\/bytes\/(\d{1,15})$/.exec(endpointPath);
  if (bytes !== null) {
    return {
      status: 200,
      headers: replies.headers(true, 'application/octet-stream'),
      bytes: Number(bytes[1]),
    };
  }

  const out = replies.json(200, {
    echo: { method: req.method, url: endpoint, headers: echoHeaders, body: req.body },
  });
  out.headers['content-type'] = 'application/json'; // the third party's, kept by Nango
  return out;
}

/** The `upstream` option's answer, passed on as Nango does; the built-in one when it has none. */
export async function fromUpstream(
  replies: StandInReplies,
  upstream: StandInUpstream,
  call: StandInUpstreamRequest,
  fallback: () => Outgoing,
): Promise<Outgoing> {
  let answer: StandInResponse | undefined;
  try {
    answer = await upstream(call);
  } catch {
    return replies.genericError();
  }
  if (answer === undefined) return fallback();
  const out = replies.scripted({
    ...answer,
    headers: passedOnHeaders(answer.status, answer.headers),
  });
  if (answer.status >= 400) out.headers['content-type'] = JSON_TYPE;
  return out;
}
