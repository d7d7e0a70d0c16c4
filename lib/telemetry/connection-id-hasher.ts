import { createHmac } from 'node:crypto';

/** The purpose the hashing key is derived for: a key of its own, never the secret key itself. */
const PURPOSE = 'nestjs-nango/telemetry/connection-id/v1';
/** Most hashed ids remembered by one hasher. */
const MAX_REMEMBERED = 10_000;

/**
 * Hashes connection ids for spans (`telemetry.connectionId: 'hash'`): the first 32 hex digits of
 * HMAC-SHA256(key, connectionId), where key = HMAC-SHA256(secretKey, purpose). The same id gives
 * the same hash on every replica that shares the secret key; the hash reveals neither the id
 * (no dictionary attack without the secret key) nor the key. Recent hashes are remembered, so
 * a busy connection costs one HMAC, not one per call.
 */
export class ConnectionIdHasher {
  private readonly key: Buffer;
  private readonly remembered = new Map<string, string>();

  /** @param secretKey the instance's Nango secret key */
  constructor(secretKey: string) {
    this.key = createHmac('sha256', secretKey).update(PURPOSE).digest();
  }

  /** The hash of `connectionId`. */
  hash(connectionId: string): string {
    let hashed = this.remembered.get(connectionId);
    if (hashed === undefined) {
      hashed = createHmac('sha256', this.key).update(connectionId).digest('hex').slice(0, 32);
      this.remembered.set(connectionId, hashed);
      if (this.remembered.size > MAX_REMEMBERED) {
        this.remembered.delete(this.remembered.keys().next().value as string);
      }
    }
    return hashed;
  }
}
