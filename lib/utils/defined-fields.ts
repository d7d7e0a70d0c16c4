/** A shallow copy of `value` without its `undefined` fields, so a spread never overrides with `undefined`. */
export function definedFields<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([, field]) => field !== undefined),
  ) as Partial<T>;
}

/** Copies the fields of `source` named in `keys` onto `target`, skipping undefined ones. */
export function assignDefined<S extends object>(
  target: object,
  source: S,
  keys: ReadonlyArray<keyof S>,
): void {
  for (const key of keys) {
    if (source[key] !== undefined) (target as Record<keyof S, unknown>)[key] = source[key];
  }
}
