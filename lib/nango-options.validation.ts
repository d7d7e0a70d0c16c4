import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import {
  IsInstance,
  IsInt,
  IsNotEmpty,
  IsObject,
  ValidateIf,
  ValidateNested,
  type ValidationError,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  ValidateBy,
  validateSync,
} from 'class-validator';
import {
  NANGO_DEFAULT_CACHE_SAFETY_MARGIN_MS,
  NANGO_DEFAULT_CACHE_STORE_TIMEOUT_MS,
  NANGO_DEFAULT_HOST,
  NANGO_DEFAULT_RETRY,
  NANGO_DEFAULT_TIMEOUT_MS,
  NANGO_MAX_CACHE_TTL_MS,
  NANGO_MAX_TIMEOUT_MS,
} from './nango.constants.js';
import { InMemoryCredentialStore } from './cache/in-memory-credential-store.js';
import type {
  NangoCacheManagerStore,
  NangoCredentialStore,
} from './cache/nango-credential-store.interface.js';
import { decodeCacheKey } from './cache/credential-cipher.js';
import type { NangoRetryPolicy } from './utils/retry-policy.js';
import { NESTJS_NANGO_VERSION } from './nango.version.js';
import { NangoConfigurationError } from './errors/nango-misuse.errors.js';
import { describeDefaultConnectionProblems } from './utils/nango-value-source.js';
import type { NangoDefaultConnection } from './interfaces/nango-connection-resolver.interface.js';
import type {
  NangoCacheOptions,
  NangoModuleOptions,
  NangoRetryOptions,
  ResolvedNangoCacheOptions,
  ResolvedNangoOptions,
} from './interfaces/nango-module-options.interface.js';
import { isRecord } from './utils/is-record.js';

const KEY_MESSAGE =
  'must be a non-empty string of printable characters without spaces (the Nango environment secret key)';

const SIGNING_KEY_MESSAGE =
  'must be a non-empty string of printable characters without spaces, or a list of 1 to 10 of them (the webhook signing keys)';
/** A whole-number range rule with one message. */
function intRange(min: number, max: number, what: string): PropertyDecorator {
  const message = `must be a whole number of ${what} from ${min} to ${max}`;
  return (target, key) => {
    IsInt({ message })(target, key);
    Min(min, { message })(target, key);
    Max(max, { message })(target, key);
  };
}

function isCredentialStore(value: unknown): value is NangoCredentialStore {
  if (typeof value !== 'object' || value === null) return false;
  const store = value as Record<string, unknown>;
  return (
    ['get', 'set'].every((name) => typeof store[name] === 'function') &&
    (typeof store['delete'] === 'function' || typeof store['del'] === 'function')
  );
}

const ENCRYPTION_KEY_MESSAGE =
  'must be the base64 of 32 random bytes (openssl rand -base64 32), or a list of 1 to 10 of them (the first encrypts)';

function isEncryptionKey(value: unknown): boolean {
  const keys: unknown[] = Array.isArray(value) ? value : [value];
  return (
    keys.length >= 1 && keys.length <= 10 && keys.every((key) => decodeCacheKey(key) !== undefined)
  );
}

/** The validation rules of `cache`. */
class NangoCacheOptionsSchema implements NangoCacheOptions {
  @intRange(1, NANGO_MAX_CACHE_TTL_MS, 'milliseconds')
  ttl!: number;

  @IsOptional()
  @ValidateBy({
    name: 'isCredentialStore',
    validator: {
      validate: isCredentialStore,
      defaultMessage: () =>
        'must be a credential store with get(key), set(key, value, ttlMs) and delete(key) (or del(key)) methods (a Keyv instance or a cache-manager cache fits)',
    },
  })
  store?: NangoCredentialStore | NangoCacheManagerStore;

  @IsOptional()
  @intRange(1, 10_000, 'milliseconds')
  storeTimeout?: number;

  @IsOptional()
  @ValidateBy({
    name: 'isEncryptionKey',
    validator: { validate: isEncryptionKey, defaultMessage: () => ENCRYPTION_KEY_MESSAGE },
  })
  encryptionKey?: string | string[];

  @IsOptional()
  @intRange(0, 3_600_000, 'milliseconds')
  safetyMarginMs?: number;

  @IsOptional()
  @IsString({ message: 'must be a string of printable characters without spaces, at most 100' })
  @Matches(/^[\x21-\x7e]{1,100}$/, {
    message: 'must be a string of printable characters without spaces, at most 100',
  })
  keyPrefix?: string;
}

/** The validation rules of `retry`. */
class NangoRetryOptionsSchema implements NangoRetryOptions {
  @IsOptional()
  @intRange(0, 10, 'retries')
  retries?: number;

  @IsOptional()
  @intRange(1, 60_000, 'milliseconds')
  minDelayMs?: number;

  @IsOptional()
  @intRange(1, 300_000, 'milliseconds')
  maxDelayMs?: number;

  @IsOptional()
  @intRange(0, 600_000, 'milliseconds')
  maxTotalDelayMs?: number;
}

const CACHE_MESSAGE = 'must be false or an object such as { ttl: 60000 }';
const RETRY_MESSAGE = 'must be false or an object such as { retries: 2 }';

/** The validation rules of {@link NangoModuleOptions}, checked with class-validator at start-up. */
class NangoModuleOptionsSchema implements NangoModuleOptions {
  @IsOptional()
  @IsString({ message: KEY_MESSAGE })
  @IsNotEmpty({ message: KEY_MESSAGE })
  @Matches(/^[\x21-\x7e]+$/, { message: KEY_MESSAGE })
  secretKey?: string;

  @IsOptional()
  @IsString({ message: KEY_MESSAGE })
  @IsNotEmpty({ message: KEY_MESSAGE })
  @Matches(/^[\x21-\x7e]+$/, { message: KEY_MESSAGE })
  apiKey?: string;

  @IsOptional()
  @IsUrl(
    {
      protocols: ['http', 'https'],
      require_protocol: true,
      require_tld: false,
      require_host: true,
    },
    { message: 'must be an http(s) URL such as https://api.nango.dev or http://localhost:3003' },
  )
  host?: string;

  @IsOptional()
  @IsInt({ message: `must be a whole number of milliseconds from 1 to ${NANGO_MAX_TIMEOUT_MS}` })
  @Min(1, { message: `must be a whole number of milliseconds from 1 to ${NANGO_MAX_TIMEOUT_MS}` })
  @Max(NANGO_MAX_TIMEOUT_MS, {
    message: `must be a whole number of milliseconds from 1 to ${NANGO_MAX_TIMEOUT_MS}`,
  })
  timeout?: number;

  @IsOptional()
  @IsString({ message: 'must be a string of printable characters, at most 200' })
  @Matches(/^[\x20-\x7e]{1,200}$/, {
    message: 'must be a string of printable characters, at most 200',
  })
  userAgent?: string;

  @IsOptional()
  @ValidateBy({
    name: 'nangoDefaultConnection',
    validator: {
      validate: (value: unknown) => describeDefaultConnectionProblems(value).length === 0,
      defaultMessage: (args) => describeDefaultConnectionProblems(args?.value).join('; '),
    },
  })
  defaultConnection?: NangoDefaultConnection;

  @IsOptional()
  @IsString({ each: true, message: SIGNING_KEY_MESSAGE })
  @IsNotEmpty({ each: true, message: SIGNING_KEY_MESSAGE })
  @Matches(/^[\x21-\x7e]+$/, { each: true, message: SIGNING_KEY_MESSAGE })
  webhookSigningKey?: string | string[];

  @IsOptional()
  @ValidateIf((_, value) => value !== false)
  @IsObject({ message: CACHE_MESSAGE })
  @ValidateNested()
  cache?: NangoCacheOptions | false;

  @IsOptional()
  @ValidateIf((_, value) => value !== false)
  @IsObject({ message: RETRY_MESSAGE })
  @ValidateNested()
  retry?: NangoRetryOptions | false;

  @IsOptional()
  @IsInstance(HttpAgent, { message: 'must be an http.Agent' })
  httpAgent?: HttpAgent;

  @IsOptional()
  @IsInstance(HttpsAgent, { message: 'must be an https.Agent' })
  httpsAgent?: HttpsAgent;
}

/**
 * Validates the raw module options and applies the defaults, once, at start-up. Throws a
 * {@link NangoConfigurationError} naming every bad field; no field's value is ever shown.
 */
export function resolveNangoOptions(raw: unknown, name?: string): ResolvedNangoOptions {
  if (!isRecord(raw)) {
    throw NangoConfigurationError.create(
      [
        {
          field: 'options',
          problem: 'must be an object such as { secretKey: process.env.NANGO_SECRET_KEY }',
        },
      ],
      name,
    );
  }
  const schema = Object.assign(new NangoModuleOptionsSchema(), raw);
  // Nested option objects are checked against their own rules (no class-transformer needed).
  if (isRecord(schema.cache)) {
    schema.cache = Object.assign(new NangoCacheOptionsSchema(), schema.cache);
  }
  if (isRecord(schema.retry)) {
    schema.retry = Object.assign(new NangoRetryOptionsSchema(), schema.retry);
  }
  const problems = validateSync(schema, {
    whitelist: true,
    forbidNonWhitelisted: true,
    validationError: { target: false, value: false },
  }).flatMap((error) => flattenProblems(error, ''));
  const { secretKey, apiKey } = raw as NangoModuleOptions;
  if (secretKey === undefined && apiKey === undefined) {
    problems.push({
      field: 'secretKey',
      problem: 'is required: set secretKey (or apiKey) to the Nango environment secret key',
    });
  } else if (secretKey !== undefined && apiKey !== undefined && secretKey !== apiKey) {
    problems.push({
      field: 'apiKey',
      problem: 'and secretKey are both set, to different values: set only one of them',
    });
  }
  const signing = (raw as NangoModuleOptions).webhookSigningKey;
  if (
    signing !== undefined &&
    (typeof signing === 'string'
      ? false
      : !Array.isArray(signing) || signing.length < 1 || signing.length > 10)
  ) {
    problems.push({ field: 'webhookSigningKey', problem: SIGNING_KEY_MESSAGE });
  }
  // One line per field and problem, in a stable order.
  const unique = [...new Map(problems.map((p) => [`${p.field}\u0000${p.problem}`, p])).values()];
  if (unique.length > 0) {
    throw NangoConfigurationError.create(unique, name);
  }
  const options = schema as NangoModuleOptions;
  const host = (options.host ?? NANGO_DEFAULT_HOST).replace(/\/$/, '');
  return Object.freeze({
    secretKey: (options.secretKey ?? options.apiKey) as string,
    host,
    timeout: options.timeout ?? NANGO_DEFAULT_TIMEOUT_MS,
    userAgent: `nestjs-nango/${NESTJS_NANGO_VERSION}${options.userAgent ? ` ${options.userAgent}` : ''}`,
    ...(options.defaultConnection === undefined
      ? {}
      : { defaultConnection: Object.freeze({ ...options.defaultConnection }) }),
    ...(options.webhookSigningKey === undefined
      ? {}
      : {
          webhookSigningKeys: Object.freeze(
            typeof options.webhookSigningKey === 'string'
              ? [options.webhookSigningKey]
              : [...options.webhookSigningKey],
          ),
        }),
    ...(name === undefined ? {} : { name }),
    cache: resolveCache(options.cache),
    retry: resolveRetry(options.retry),
    ...(options.httpAgent === undefined ? {} : { httpAgent: options.httpAgent }),
    ...(options.httpsAgent === undefined ? {} : { httpsAgent: options.httpsAgent }),
  });
}

function resolveCache(
  cache: NangoCacheOptions | false | undefined,
): ResolvedNangoCacheOptions | false {
  if (cache === undefined || cache === false) return false;
  return Object.freeze({
    ttl: cache.ttl,
    store: cache.store ?? new InMemoryCredentialStore(),
    safetyMarginMs: cache.safetyMarginMs ?? NANGO_DEFAULT_CACHE_SAFETY_MARGIN_MS,
    keyPrefix: cache.keyPrefix ?? 'nango',
    storeTimeout: cache.storeTimeout ?? NANGO_DEFAULT_CACHE_STORE_TIMEOUT_MS,
    ...(cache.encryptionKey === undefined
      ? {}
      : {
          encryptionKeys: Object.freeze(
            typeof cache.encryptionKey === 'string'
              ? [cache.encryptionKey]
              : [...cache.encryptionKey],
          ),
        }),
  });
}

function resolveRetry(retry: NangoRetryOptions | false | undefined): NangoRetryPolicy | false {
  if (retry === false) return false;
  const policy = { ...NANGO_DEFAULT_RETRY, ...stripUndefined(retry ?? {}) };
  return Object.freeze({ ...policy, maxDelayMs: Math.max(policy.maxDelayMs, policy.minDelayMs) });
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** One problem per failed rule, nested fields named with dots (`cache.ttl`). */
function flattenProblems(
  error: ValidationError,
  parent: string,
): Array<{ field: string; problem: string }> {
  const field = parent ? `${parent}.${error.property}` : error.property;
  const own = Object.entries(error.constraints ?? {}).map(([rule, message]) => ({
    field,
    problem: rule === 'whitelistValidation' ? 'is not a NangoModule option' : message,
  }));
  return [...own, ...(error.children ?? []).flatMap((child) => flattenProblems(child, field))];
}
