import {
  IsInt,
  IsNotEmpty,
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
  NANGO_DEFAULT_HOST,
  NANGO_DEFAULT_TIMEOUT_MS,
  NANGO_MAX_TIMEOUT_MS,
} from './nango.constants.js';
import { NESTJS_NANGO_VERSION } from './nango.version.js';
import { NangoConfigurationError } from './errors/nango.error.js';
import { describeDefaultConnectionProblems } from './utils/nango-value-source.js';
import type { NangoDefaultConnection } from './interfaces/nango-connection-resolver.interface.js';
import type {
  NangoModuleOptions,
  ResolvedNangoOptions,
} from './interfaces/nango-module-options.interface.js';

const KEY_MESSAGE =
  'must be a non-empty string of printable characters without spaces (the Nango environment secret key)';

const SIGNING_KEY_MESSAGE =
  'must be a non-empty string of printable characters without spaces, or a list of 1 to 10 of them (the webhook signing keys)';

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
}

/**
 * Validates the raw module options and applies the defaults, once, at start-up. Throws a
 * {@link NangoConfigurationError} naming every bad field; no field's value is ever shown.
 */
export function resolveNangoOptions(raw: unknown, name?: string): ResolvedNangoOptions {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw NangoConfigurationError.create([
      {
        field: 'options',
        problem: 'must be an object such as { secretKey: process.env.NANGO_SECRET_KEY }',
      },
    ]);
  }
  const schema = Object.assign(new NangoModuleOptionsSchema(), raw);
  const problems = validateSync(schema, {
    whitelist: true,
    forbidNonWhitelisted: true,
    validationError: { target: false, value: false },
  }).flatMap((error) =>
    Object.entries(error.constraints ?? {}).map(([rule, message]) => ({
      field: error.property,
      problem: rule === 'whitelistValidation' ? 'is not a NangoModule option' : message,
    })),
  );
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
    throw NangoConfigurationError.create(unique);
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
  });
}
