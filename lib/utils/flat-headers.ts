/**
 * Response headers as one plain object of lower-case names to strings: a list of values is
 * joined with `, `, an absent one (`undefined`, `null`) left out, anything but an object gives
 * `{}`. For reading the headers of an answer (axios's `AxiosHeaders`, or a plain object) by name.
 */
export function flatHeaders(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof headers !== 'object' || headers === null) return out;
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || value === null) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}
