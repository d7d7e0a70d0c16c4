import {
  NANGO_DEFAULT_CACHE_SAFETY_MARGIN_MS,
  NANGO_DEFAULT_CACHE_STORE_TIMEOUT_MS,
  NANGO_DEFAULT_HOST,
  NANGO_DEFAULT_RETRY,
  NANGO_DEFAULT_TIMEOUT_MS,
} from './nango.constants.js';
import { InMemoryCredentialStore } from './cache/in-memory-credential-store.js';
import type { NangoRetryPolicy } from './utils/retry-policy.js';
import { NESTJS_NANGO_VERSION } from './nango.version.js';
import { NangoConfigurationError } from './errors/nango-misuse.errors.js';
import type {
  NangoCacheOptions,
  NangoModuleOptions,
  NangoRetryOptions,
  ResolvedNangoCacheOptions,
  ResolvedNangoOptions,
} from './interfaces/nango-module-options.interface.js';
import { isRecord } from './utils/is-record.js';
import { definedFields } from './utils/defined-fields.js';
import {
  NangoKeysSchema,
  NangoModuleOptionsSchema,
} from './options/nango-module-options.schema.js';
import { findOptionProblems } from './options/nango-option-problems.js';
import { resolveNangoRecordsOptions } from './records/nango-records.options.js';
import { resolveTelemetry } from './telemetry/nango-telemetry-options.interface.js';

/**
 * Validates the raw module options with class-validator and applies the defaults, once, at
 * start-up. Throws a {@link NangoConfigurationError} naming every bad field; no field's value is
 * ever shown.
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
  const options: NangoModuleOptions = NangoModuleOptionsSchema.from(raw);
  const problems = findOptionProblems(options, NangoKeysSchema.from(raw));
  if (problems.length > 0) {
    throw NangoConfigurationError.create(problems, name);
  }
  const host = (options.host ?? NANGO_DEFAULT_HOST).replace(/\/$/, '');
  const resolved: ResolvedNangoOptions = Object.freeze({
    secretKey: (options.secretKey ?? options.apiKey) as string,
    host,
    timeout: options.timeout ?? NANGO_DEFAULT_TIMEOUT_MS,
    userAgent: `nestjs-nango/${NESTJS_NANGO_VERSION}${options.userAgent ? ` ${options.userAgent}` : ''}`,
    ...(options.defaultConnection === undefined
      ? {}
      : { defaultConnection: Object.freeze({ ...options.defaultConnection }) }),
    ...(options.webhookSigningKey === undefined
      ? {}
      : { webhookSigningKeys: listOf(options.webhookSigningKey) }),
    ...(name === undefined ? {} : { name }),
    cache: resolveCache(options.cache),
    retry: resolveRetry(options.retry),
    ...(options.telemetry == null ? {} : { telemetry: resolveTelemetry(options.telemetry) }),
    ...(options.records == null
      ? {}
      : { records: resolveNangoRecordsOptions(options.records, name) }),
    ...(options.httpAgent === undefined ? {} : { httpAgent: options.httpAgent }),
    ...(options.httpsAgent === undefined ? {} : { httpsAgent: options.httpsAgent }),
  });
  if (options.secretKey == null) GIVEN_AS_API_KEY.add(resolved);
  return resolved;
}

/** Resolved options whose key was given as `apiKey` alone (kept aside: the shape is public). */
const GIVEN_AS_API_KEY = new WeakSet<ResolvedNangoOptions>();

/**
 * Whether `options` got their key as `apiKey` alone (not as `secretKey`). The official client
 * then never verifies webhooks with it: Nango does not sign webhooks with the API key.
 */
export function keyGivenAsApiKey(options: ResolvedNangoOptions): boolean {
  return GIVEN_AS_API_KEY.has(options);
}

function resolveCache(
  cache: NangoCacheOptions | false | null | undefined,
): ResolvedNangoCacheOptions | false {
  if (cache == null || cache === false) return false;
  return Object.freeze({
    ttl: cache.ttl,
    store: cache.store ?? new InMemoryCredentialStore(),
    safetyMarginMs: cache.safetyMarginMs ?? NANGO_DEFAULT_CACHE_SAFETY_MARGIN_MS,
    keyPrefix: cache.keyPrefix ?? 'nango',
    storeTimeout: cache.storeTimeout ?? NANGO_DEFAULT_CACHE_STORE_TIMEOUT_MS,
    ...(cache.encryptionKey === undefined ? {} : { encryptionKeys: listOf(cache.encryptionKey) }),
  });
}

function resolveRetry(retry: NangoRetryOptions | false | undefined): NangoRetryPolicy | false {
  if (retry === false) return false;
  const policy = { ...NANGO_DEFAULT_RETRY, ...definedFields(retry ?? {}) };
  return Object.freeze({ ...policy, maxDelayMs: Math.max(policy.maxDelayMs, policy.minDelayMs) });
}

/** One key or a list of them, as a frozen list. */
function listOf(keys: string | readonly string[]): readonly string[] {
  return Object.freeze(typeof keys === 'string' ? [keys] : [...keys]);
}
