import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsOptional,
  Matches,
  ValidateBy,
} from 'class-validator';
import { NangoConfigurationError } from '../errors/nango-misuse.errors.js';
import { findOptionProblems } from '../options/nango-option-problems.js';
import { isRecord } from '../utils/is-record.js';
import { literalRoutePath } from '../utils/route-path.js';
import type {
  NangoConnectOptions,
  NangoConnectOrganization,
  NangoConnectRequest,
  NangoConnectUser,
} from './nango-connect.options.js';

/** A rule: the value is a function. */
function IsFunction(example: string): PropertyDecorator {
  return ValidateBy({
    name: 'isFunction',
    validator: {
      validate: (value: unknown) => typeof value === 'function',
      defaultMessage: () => `must be a function such as ${example}`,
    },
  });
}

/** The class-validator rules of the `connect` extra; an unknown key is refused. */
export class NangoConnectOptionsSchema implements NangoConnectOptions {
  @ValidateBy({
    name: 'isLiteralRoutePath',
    validator: {
      validate: (value: unknown) => literalRoutePath(value) !== undefined,
      defaultMessage: () =>
        "must be a route path such as 'nango/connect-session' (no parameters, wildcards or '..')",
    },
  })
  path!: string;

  @IsFunction('(req) => ({ id: req.user.id, email: req.user.email })')
  endUser!: (request: NangoConnectRequest) => NangoConnectUser | undefined;

  @IsOptional()
  @IsArray({ message: "must be a list of integration keys such as ['github']" })
  @ArrayMinSize(1, { message: 'must list at least one integration (leave it out to allow all)' })
  @ArrayMaxSize(100, { message: 'must list at most 100 integrations' })
  @Matches(/^[\x21-\x7e]{1,255}$/, {
    each: true,
    message: 'must hold integration keys: strings of printable characters without spaces',
  })
  allowedIntegrations?: string[];

  @IsOptional()
  @IsFunction("(req) => ({ id: req.user.orgId, displayName: 'Acme' })")
  organization?: (request: NangoConnectRequest) => NangoConnectOrganization | undefined;
}

/** The route of a `forRoot({ connect })`: its checked options and the instance it uses. */
export interface NangoConnectRoute {
  /** The path, without leading or trailing `/`. */
  path: string;
  /** The options as given (checked). */
  options: NangoConnectOptions;
  /** The Nango instance whose `NangoService` creates the sessions; default the default one. */
  instance?: string;
}

/**
 * Checks the `connect` extra with class-validator and gives its route; a
 * `NangoConfigurationError` names every bad field (`connect.path`, `connect.endUser`, ...),
 * never a value.
 */
export function nangoConnectRoute(
  connect: unknown,
  instance: string | undefined,
): NangoConnectRoute {
  if (!isRecord(connect)) {
    throw NangoConfigurationError.create(
      [
        {
          field: 'connect',
          problem:
            "must be an object such as { path: 'nango/connect-session', endUser: (req) => ... }",
        },
      ],
      instance,
    );
  }
  const schema = Object.assign(new NangoConnectOptionsSchema(), connect);
  const problems = findOptionProblems(schema).map(({ field, problem }) => ({
    field: `connect.${field}`,
    problem: problem === 'is not a NangoModule option' ? 'is not a connect option' : problem,
  }));
  if (problems.length > 0) throw NangoConfigurationError.create(problems, instance);
  const options = connect as unknown as NangoConnectOptions;
  return {
    path: literalRoutePath(options.path) as string,
    options,
    ...(instance === undefined ? {} : { instance }),
  };
}
