/**
 * Whether `value` is a whole number in `[min, max]` (no bound by default): the one test behind
 * every such check, of call arguments, module options, the credential store and the stand-in.
 */
export function isWholeNumber(value: unknown, min = -Infinity, max = Infinity): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}
