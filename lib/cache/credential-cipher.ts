import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  hkdfSync,
  randomBytes,
  type KeyObject,
  createSecretKey,
} from 'node:crypto';

/** Marks a sealed value and the layout of what follows: `e1.` + base64(iv | ciphertext | tag). */
const SEALED_PREFIX = 'e1.';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** What `encryptionKey` must decode to: 32 bytes (AES-256). */
export const CACHE_KEY_BYTES = 32;

/**
 * The bytes of one `encryptionKey` (standard or URL-safe base64 of 32 bytes), or `undefined`
 * when it is not one. Never shows the value.
 */
export function decodeCacheKey(value: unknown): Buffer | undefined {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/_-]{43}=?$/.test(value)) return undefined;
  const standard = value.replace(/-/g, '+').replace(/_/g, '/').replace(/=$/, '');
  const bytes = Buffer.from(standard, 'base64');
  // Canonical only: the unused low bits of the last character are zero, as every encoder writes.
  if (bytes.length !== CACHE_KEY_BYTES || bytes.toString('base64') !== `${standard}=`) {
    return undefined;
  }
  return bytes;
}

/**
 * Encryption at rest of the credential cache: AES-256-GCM from `node:crypto` with a fresh
 * random IV per value and the entry's store key as additional authenticated data, so an entry
 * moved under another key does not decrypt. The first key seals; any of them opens (rotation).
 *
 * Store keys carry an HMAC-SHA256 of the connection's ids instead of the ids. Its key is derived
 * (HKDF) from the Nango secret key, not from an encryption key, so that rotating the encryption
 * key leaves store keys where they are and `[new, old]` still finds old entries. The keys are
 * held in private fields: they never show in `util.inspect` or `JSON.stringify`.
 */
export class CredentialCipher {
  readonly #keys: readonly KeyObject[];
  readonly #hmacKey: KeyObject;

  /**
   * @param encryptionKeys the `encryptionKey` values, already validated (the first seals)
   * @param secretKey the Nango secret key, from which the HMAC key of store keys is derived
   */
  constructor(encryptionKeys: readonly string[], secretKey: string) {
    this.#keys = encryptionKeys.map((key) => {
      const bytes = decodeCacheKey(key);
      if (bytes === undefined) throw new RangeError('CredentialCipher: a key is not 32 bytes.');
      return createSecretKey(bytes);
    });
    if (this.#keys.length === 0) throw new RangeError('CredentialCipher: no key.');
    const derived = hkdfSync('sha256', secretKey, 'nestjs-nango', 'credential cache keys v1', 32);
    this.#hmacKey = createSecretKey(Buffer.from(derived));
  }

  /** The opaque name of `material` (the ids of an entry) inside a store key: base64url HMAC. */
  name(material: string): string {
    return createHmac('sha256', this.#hmacKey).update(material).digest('base64url');
  }

  /** `plaintext` encrypted with the first key, bound to `storeKey`. */
  seal(storeKey: string, plaintext: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#keys[0] as KeyObject, iv);
    cipher.setAAD(Buffer.from(storeKey, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return SEALED_PREFIX + Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64');
  }

  /**
   * The plaintext of a value sealed under `storeKey` by any of the keys; `undefined` when it is
   * not a sealed value, no key opens it, or it fails authentication (tampered, or moved).
   */
  open(storeKey: string, sealed: unknown): string | undefined {
    if (typeof sealed !== 'string' || !sealed.startsWith(SEALED_PREFIX)) return undefined;
    const bytes = Buffer.from(sealed.slice(SEALED_PREFIX.length), 'base64');
    if (bytes.length < IV_BYTES + TAG_BYTES) return undefined;
    const iv = bytes.subarray(0, IV_BYTES);
    const tag = bytes.subarray(bytes.length - TAG_BYTES);
    const body = bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES);
    const aad = Buffer.from(storeKey, 'utf8');
    for (const key of this.#keys) {
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
        decipher.setAAD(aad);
        decipher.setAuthTag(tag);
        return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
      } catch {
        // Not this key, or not authentic: try the next one.
      }
    }
    return undefined;
  }
}
