import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header carrying Nango's webhook signature: hex HMAC-SHA256 of the raw body. */
export const NANGO_WEBHOOK_SIGNATURE_HEADER = 'x-nango-hmac-sha256';

const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;

/**
 * Checks a Nango webhook signature (`X-Nango-Hmac-Sha256`): the hex HMAC-SHA256 of the raw
 * request body, under any one of `keys` (several during a key rotation). Compares in constant
 * time. The legacy `X-Nango-Signature` is never accepted.
 *
 * @param rawBody the request body exactly as received
 * @param signature the header's value (`undefined` when missing)
 * @param keys the webhook signing keys
 * @returns true when the signature matches one of the keys
 */
export function verifyNangoWebhookSignature(
  rawBody: Buffer | string,
  signature: string | string[] | undefined,
  keys: readonly string[],
): boolean {
  return nangoWebhookSignatureProblem(rawBody, signature, keys) === undefined;
}

/**
 * Why a webhook signature fails (see {@link verifyNangoWebhookSignature}), or `undefined` when
 * it is valid: `'missing-signature'` (no header), `'bad-encoding'` (not 64 hex characters) or
 * `'mismatch'` (no key signs this body so).
 */
export function nangoWebhookSignatureProblem(
  rawBody: Buffer | string,
  signature: string | string[] | undefined,
  keys: readonly string[],
): 'missing-signature' | 'bad-encoding' | 'mismatch' | undefined {
  if (signature === undefined || signature === '') return 'missing-signature';
  if (typeof signature !== 'string' || !HEX_SHA256.test(signature.trim())) return 'bad-encoding';
  const given = Buffer.from(signature.trim().toLowerCase(), 'hex');
  let valid = false;
  // Every key is tried, whatever matched, so the time taken says nothing about which key did.
  for (const key of keys) {
    if (key.length === 0) continue;
    const expected = createHmac('sha256', key).update(rawBody).digest();
    if (expected.length === given.length && timingSafeEqual(expected, given)) valid = true;
  }
  return valid ? undefined : 'mismatch';
}

/**
 * Signs a webhook body as Nango does: the hex HMAC-SHA256 of `body` under `key`. For tests
 * and tools that send webhooks to an app.
 */
export function signNangoWebhook(body: Buffer | string, key: string): string {
  return createHmac('sha256', key).update(body).digest('hex');
}
