import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsDefined,
  IsInstance,
  IsObject,
  IsOptional,
  IsUrl,
  Matches,
  ValidateBy,
  ValidateIf,
  ValidateNested,
  type ValidationArguments,
} from 'class-validator';
import { NANGO_MAX_TIMEOUT_MS } from '../nango.constants.js';
import { describeDefaultConnectionProblems } from '../utils/nango-value-source.js';
import { isRecord } from '../utils/is-record.js';
import type { NangoDefaultConnection } from '../interfaces/nango-connection-resolver.interface.js';
import type {
  NangoCacheOptions,
  NangoModuleOptions,
  NangoRetryOptions,
} from '../interfaces/nango-module-options.interface.js';
import { NangoCacheOptionsSchema } from './nango-cache-options.schema.js';
import { NangoRetryOptionsSchema } from './nango-retry-options.schema.js';
import { IsWholeNumberIn } from './whole-number.rule.js';
import { NangoTelemetryOptionsSchema } from '../telemetry/nango-telemetry-options.schema.js';
import type { NangoTelemetryOptions } from '../telemetry/nango-telemetry-options.interface.js';
import type { NangoRecordsOptions } from '../records/nango-records.options.js';

/** One key: printable characters, no space (so no CR/LF can reach a header). */
const KEY = /^[\x21-\x7e]+$/;

const KEY_MESSAGE =
  'must be a non-empty string of printable characters without spaces (the Nango environment secret key)';

const SIGNING_KEY_MESSAGE =
  'must be a non-empty string of printable characters without spaces, or a list of 1 to 10 of them (the webhook signing keys)';

/** `false` turns the option off; anything else is checked. */
const unlessOff = ValidateIf((_, value) => value !== false);

/**
 * The class-validator rules of each field of {@link NangoModuleOptions} on its own; an unknown
 * key is refused. The rules across fields are {@link NangoKeysSchema}'s.
 */
export class NangoModuleOptionsSchema implements NangoModuleOptions {
  @IsOptional()
  @Matches(KEY, { message: KEY_MESSAGE })
  secretKey?: string;

  @IsOptional()
  @Matches(KEY, { message: KEY_MESSAGE })
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
  @IsWholeNumberIn(1, NANGO_MAX_TIMEOUT_MS, 'milliseconds')
  timeout?: number;

  @IsOptional()
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
  @Matches(KEY, { each: true, message: SIGNING_KEY_MESSAGE })
  webhookSigningKey?: string | string[];

  @IsOptional()
  @unlessOff
  @IsObject({ message: 'must be false or an object such as { ttl: 60000 }' })
  @ValidateNested()
  cache?: NangoCacheOptions | false;

  @IsOptional()
  @unlessOff
  @IsObject({ message: 'must be false or an object such as { retries: 2 }' })
  @ValidateNested()
  retry?: NangoRetryOptions | false;

  @IsOptional()
  @IsObject({ message: "must be an object such as { connectionId: 'hash' }" })
  @ValidateNested()
  telemetry?: NangoTelemetryOptions;

  @IsOptional()
  @IsObject({ message: 'must be an object such as { pageSize: 100 }' })
  records?: NangoRecordsOptions;

  @IsOptional()
  @IsInstance(HttpAgent, { message: 'must be an http.Agent' })
  httpAgent?: HttpAgent;

  @IsOptional()
  @IsInstance(HttpsAgent, { message: 'must be an https.Agent' })
  httpsAgent?: HttpsAgent;

  /**
   * `raw` as an instance of this schema, its `cache`, `retry` and `telemetry` objects as instances of theirs,
   * so that class-validator finds every rule (without class-transformer).
   */
  static from(raw: Record<string, unknown>): NangoModuleOptionsSchema {
    const schema = Object.assign(new NangoModuleOptionsSchema(), raw);
    if (isRecord(schema.cache)) {
      schema.cache = Object.assign(new NangoCacheOptionsSchema(), schema.cache);
    }
    if (isRecord(schema.retry)) {
      schema.retry = Object.assign(new NangoRetryOptionsSchema(), schema.retry);
    }
    if (isRecord(schema.telemetry)) {
      schema.telemetry = Object.assign(new NangoTelemetryOptionsSchema(), schema.telemetry);
    }
    return schema;
  }
}

/**
 * The class-validator rules on the keys taken together: a secret key is given (as `secretKey`
 * or `apiKey`), the two agree when both are, and `webhookSigningKey` is one key or a list of 1
 * to 10. Checked after {@link NangoModuleOptionsSchema}, so their lines come after the fields'.
 */
export class NangoKeysSchema {
  // Checked only when neither key is given (`null`, as a config loader may give, is not a key),
  // so it then fails.
  @ValidateIf((keys: NangoKeysSchema) => keys.secretKey == null && keys.apiKey == null)
  @IsDefined({
    message: 'is required: set secretKey (or apiKey) to the Nango environment secret key',
  })
  secretKey?: unknown;

  @ValidateIf((keys: NangoKeysSchema) => keys.secretKey != null && keys.apiKey != null)
  @ValidateBy({
    name: 'isSameAsSecretKey',
    validator: {
      validate: (apiKey: unknown, args?: ValidationArguments) =>
        apiKey === (args?.object as NangoKeysSchema | undefined)?.secretKey,
      defaultMessage: () => 'and secretKey are both set, to different values: set only one of them',
    },
  })
  apiKey?: unknown;

  @ValidateIf((_, value) => value !== undefined && typeof value !== 'string')
  @IsArray({ message: SIGNING_KEY_MESSAGE })
  @ArrayMinSize(1, { message: SIGNING_KEY_MESSAGE })
  @ArrayMaxSize(10, { message: SIGNING_KEY_MESSAGE })
  webhookSigningKey?: unknown;

  /** The keys of `raw`, as an instance of this schema. */
  static from(raw: Record<string, unknown>): NangoKeysSchema {
    const { secretKey, apiKey, webhookSigningKey } = raw;
    return Object.assign(new NangoKeysSchema(), { secretKey, apiKey, webhookSigningKey });
  }
}
