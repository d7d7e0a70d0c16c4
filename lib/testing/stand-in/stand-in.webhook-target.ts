import { createHash, createHmac } from 'node:crypto';
import { isRecord } from '../../utils/is-record.js';

/** What Nango 0.71 sends as `user-agent` with its webhooks. */
const USER_AGENT = 'nango/0.71.4 (linux; node.js/22)';

/** Every object's keys sorted, at every level, as Nango writes its webhook bodies. */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (!isRecord(value)) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortedKeys(value[key])]),
  );
}

/**
 * Where the stand-in posts webhooks, as Nango does: the body as JSON with sorted keys, signed with
 * `X-Nango-Hmac-Sha256` (the lowercase hex HMAC-SHA256 of the body) and the legacy
 * `X-Nango-Signature` (hex SHA-256 of key + body), under the signing key (default the secret
 * key, as on a fresh Nango install).
 */
export class StandInWebhookTarget {
  private url: string | undefined;
  private signingKey: string | undefined;

  /** @param secretKey the stand-in's secret key, the default signing key */
  constructor(private readonly secretKey: string) {}

  /** Posts webhooks to `url` from now on, signed with `signingKey` (default the secret key). */
  set(url: string, signingKey?: string): void {
    this.url = url;
    this.signingKey = signingKey;
  }

  /** The URL webhooks go to, when one is set. */
  get target(): string | undefined {
    return this.url;
  }

  /** Posts `body` to the target and resolves with the receiver's status; none without a target. */
  async post(body: Record<string, unknown>): Promise<number | undefined> {
    if (this.url === undefined) return undefined;
    const key = this.signingKey ?? this.secretKey;
    const raw = JSON.stringify(sortedKeys(body));
    const response = await fetch(this.url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'X-Nango-Signature': createHash('sha256').update(`${key}${raw}`).digest('hex'),
        'X-Nango-Hmac-Sha256': createHmac('sha256', key).update(raw).digest('hex'),
        'user-agent': USER_AGENT,
      },
      body: raw,
    });
    await response.arrayBuffer();
    return response.status;
  }
}
