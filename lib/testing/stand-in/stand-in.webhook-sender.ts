import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { signNangoWebhook } from '../../webhooks/nango-webhook.signature.js';
import { isRecord } from '../../utils/is-record.js';

/**
 * Sending a webhook as Nango 0.71.4 does (`webhook_*.json`): JSON with its keys sorted at every
 * level, `X-Nango-Hmac-Sha256` (hex HMAC-SHA256 of the raw bytes) and the older
 * `X-Nango-Signature` (hex SHA-256 of the key followed by the body), Nango's user agent, a 20 s
 * timeout. One attempt: a test replays Nango's retries with `resendWebhook()`.
 */

/** A webhook as the stand-in sent it. */
export interface StandInWebhookDelivery {
  /** The URL it was posted to. */
  url: string;
  /** The receiver's HTTP status. */
  status: number;
  /** The exact bytes sent (what the signatures cover). */
  body: string;
  /** The headers sent, names as Nango writes them. */
  headers: Record<string, string>;
}

/** The user agent Nango's webhooks carry (`webhook_*.json`). */
const USER_AGENT = `nango/0.71.4 (${process.platform}/stand-in; node.js/${process.versions.node})`;

/** How long Nango waits for a webhook's answer. */
const TIMEOUT_MS = 20_000;

/** A JSON value with the keys of every object sorted, as Nango serialises webhook bodies. */
export function sortedJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isRecord(value)) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sortKeys(value[k])]),
  );
}

/** The headers Nango sends with a webhook body signed with `signingKey`. */
export function webhookHeaders(body: string, signingKey: string): Record<string, string> {
  return {
    Accept: 'application/json, text/plain, */*',
    'Content-Type': 'application/json',
    'X-Nango-Signature': createHash('sha256').update(`${signingKey}${body}`).digest('hex'),
    'X-Nango-Hmac-Sha256': signNangoWebhook(body, signingKey),
    'user-agent': USER_AGENT,
    'Content-Length': String(Buffer.byteLength(body)),
  };
}

/**
 * Posts the body with its headers; resolves with the receiver's status once its answer is read.
 * Rejects on a network error or after 20 s without an answer, naming the URL.
 */
export function postWebhook(
  url: string,
  body: string,
  headers: Record<string, string>,
): Promise<number> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<number>((resolve, reject) => {
    const req = send(target, { method: 'POST', headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', (error) => reject(failed(url, error)));
    });
    req.setTimeout(TIMEOUT_MS, () => req.destroy(new Error(`no answer in ${TIMEOUT_MS} ms`)));
    req.on('error', (error) => reject(failed(url, error)));
    req.end(body);
  });
}

function failed(url: string, cause: Error): Error {
  return new Error(`the stand-in's webhook to ${url} failed: ${cause.message}`, { cause });
}
