/** Response headers as one lower-cased name -> value object; repeated values joined with `, `. */
export function flatHeaders(headers: unknown): Record<string, string> {
  const flat: Record<string, string> = {};
  if (typeof headers !== 'object' || headers === null) return flat;
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || value === null) continue;
    flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return flat;
}
