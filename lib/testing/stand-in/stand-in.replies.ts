import { randomUUID } from 'node:crypto';
import type { StandInResponse } from './stand-in.interfaces.js';
import { genericErrorMessage, managedErrorBody } from './stand-in.wire.js';

/** An answer ready to be written: status, headers, and a body or a count of bytes to stream. */
export interface Outgoing {
  status: number;
  headers: Record<string, string>;
  body?: string | Buffer;
  bytes?: number;
  delayMs?: number;
  hang?: boolean;
  reset?: boolean;
}

/** The content type of Nango's JSON answers. */
export const JSON_TYPE = 'application/json; charset=utf-8';

const RATE_LIMIT = 200;
const RATE_WINDOW_MS = 60_000;

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-xss-protection': '0',
  'x-content-type-options': 'nosniff',
  'x-download-options': 'noopen',
  'x-frame-options': 'SAMEORIGIN',
  'x-dns-prefetch-control': 'off',
};

/**
 * Turns answers into {@link Outgoing}s with the headers Nango sends: its security headers and,
 * on rate-limited routes, `x-ratelimit-*` counted over a one-minute window. One per stand-in.
 */
export class StandInReplies {
  private rateWindowEnd = 0;
  private rateUsed = 0;

  /** Nango's headers, counting one request against the rate limit when `rateLimited`. */
  headers(rateLimited: boolean, contentType?: string): Record<string, string> {
    const headers: Record<string, string> = { ...SECURITY_HEADERS };
    if (rateLimited) {
      const now = Date.now();
      if (now >= this.rateWindowEnd) {
        this.rateWindowEnd = now + RATE_WINDOW_MS;
        this.rateUsed = 0;
      }
      this.rateUsed++;
      headers['x-ratelimit-limit'] = String(RATE_LIMIT);
      headers['x-ratelimit-remaining'] = String(Math.max(0, RATE_LIMIT - this.rateUsed));
      headers['x-ratelimit-reset'] = String(Math.ceil(this.rateWindowEnd / 1000));
    }
    if (contentType !== undefined) headers['content-type'] = contentType;
    return headers;
  }

  /** A JSON answer. */
  json(status: number, body: unknown, rateLimited = true): Outgoing {
    return { status, headers: this.headers(rateLimited, JSON_TYPE), body: JSON.stringify(body) };
  }

  /** Nango's 500 `generic_error_support`, with a fresh unique id. */
  genericError(): Outgoing {
    const id = randomUUID();
    return this.json(
      500,
      managedErrorBody(genericErrorMessage(id), 'generic_error_support', id),
      false,
    );
  }

  /** A scripted (or third-party) answer: its body typed by what it is, its headers on top. */
  scripted(response: StandInResponse): Outgoing {
    let body: string | Buffer | undefined;
    let contentType: string | undefined;
    const value = response.body;
    if (value === undefined) {
      body = undefined;
    } else if (typeof value === 'string') {
      body = value;
      contentType = 'text/plain; charset=utf-8';
    } else if (Buffer.isBuffer(value)) {
      body = value;
      contentType = 'application/octet-stream';
    } else if (value instanceof Uint8Array) {
      body = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      contentType = 'application/octet-stream';
    } else {
      body = JSON.stringify(value);
      contentType = JSON_TYPE;
    }
    const headers = this.headers(true, contentType);
    if (response.headers !== undefined) {
      for (const [name, v] of Object.entries(response.headers)) headers[name.toLowerCase()] = v;
    }
    const out: Outgoing = { status: response.status, headers };
    if (body !== undefined) out.body = body;
    if (response.delayMs !== undefined) out.delayMs = response.delayMs;
    if (response.hang === true) out.hang = true;
    if (response.reset === true) out.reset = true;
    return out;
  }
}
