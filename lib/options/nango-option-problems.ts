import { validateSync, type ValidationError } from 'class-validator';

/** One line of a `NangoConfigurationError`: the option (dotted when nested) and what is wrong. */
export interface NangoOptionProblem {
  field: string;
  problem: string;
}

/**
 * Runs class-validator over each schema in turn (unknown keys refused) and lists what fails:
 * one line per field and message, in that order, nested fields named with dots (`cache.ttl`).
 * No value is ever kept or shown.
 */
export function findOptionProblems(...schemas: object[]): NangoOptionProblem[] {
  const problems = schemas.flatMap((schema) =>
    validateSync(schema, {
      whitelist: true,
      forbidNonWhitelisted: true,
      validationError: { target: false, value: false },
    }).flatMap((error) => flattenProblems(error, '')),
  );
  return [...new Map(problems.map((p) => [`${p.field}\u0000${p.problem}`, p])).values()];
}

/** One problem per failed rule, nested fields named with dots (`cache.ttl`). */
function flattenProblems(error: ValidationError, parent: string): NangoOptionProblem[] {
  const field = parent ? `${parent}.${error.property}` : error.property;
  const own = Object.entries(error.constraints ?? {}).map(([rule, message]) => ({
    field,
    problem: rule === 'whitelistValidation' ? 'is not a NangoModule option' : message,
  }));
  return [...own, ...(error.children ?? []).flatMap((child) => flattenProblems(child, field))];
}
