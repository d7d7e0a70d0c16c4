import { IsOptional, Matches, ValidateBy } from 'class-validator';
import { NANGO_MAX_CACHE_TTL_MS } from '../nango.constants.js';
import { decodeCacheKey } from '../cache/credential-cipher.js';
import type {
  NangoCacheManagerStore,
  NangoCredentialStore,
} from '../cache/nango-credential-store.interface.js';
import type { NangoCacheOptions } from '../interfaces/nango-module-options.interface.js';
import { IsWholeNumberIn } from './whole-number.rule.js';

const STORE_MESSAGE =
  'must be a credential store with get(key), set(key, value, ttlMs) and delete(key) (or del(key)) methods (a Keyv instance or a cache-manager cache fits)';

const ENCRYPTION_KEY_MESSAGE =
  'must be the base64 of 32 random bytes (openssl rand -base64 32), or a list of 1 to 10 of them (the first encrypts)';

/** Whether `value` has the methods the cache calls (a Keyv instance or a cache-manager cache). */
function isCredentialStore(value: unknown): value is NangoCredentialStore {
  if (typeof value !== 'object' || value === null) return false;
  const store = value as Record<string, unknown>;
  return (
    ['get', 'set'].every((name) => typeof store[name] === 'function') &&
    (typeof store['delete'] === 'function' || typeof store['del'] === 'function')
  );
}

/** Whether `value` is one encryption key, or a list of 1 to 10 of them. */
function isEncryptionKey(value: unknown): boolean {
  const keys: unknown[] = Array.isArray(value) ? value : [value];
  return (
    keys.length >= 1 && keys.length <= 10 && keys.every((key) => decodeCacheKey(key) !== undefined)
  );
}

/** The class-validator rules of the `cache` option, one decorator stack per field. */
export class NangoCacheOptionsSchema implements NangoCacheOptions {
  @IsWholeNumberIn(1, NANGO_MAX_CACHE_TTL_MS, 'milliseconds')
  ttl!: number;

  @IsOptional()
  @ValidateBy({
    name: 'isCredentialStore',
    validator: { validate: isCredentialStore, defaultMessage: () => STORE_MESSAGE },
  })
  store?: NangoCredentialStore | NangoCacheManagerStore;

  @IsOptional()
  @IsWholeNumberIn(1, 10_000, 'milliseconds')
  storeTimeout?: number;

  @IsOptional()
  @ValidateBy({
    name: 'isEncryptionKey',
    validator: { validate: isEncryptionKey, defaultMessage: () => ENCRYPTION_KEY_MESSAGE },
  })
  encryptionKey?: string | string[];

  @IsOptional()
  @IsWholeNumberIn(0, 3_600_000, 'milliseconds')
  safetyMarginMs?: number;

  @IsOptional()
  @Matches(/^[\x21-\x7e]{1,100}$/, {
    message: 'must be a string of printable characters without spaces, at most 100',
  })
  keyPrefix?: string;
}
