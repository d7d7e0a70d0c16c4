/** `path`, with `?query` when the query has any parameter. */
export function urlWith(path: string, query: URLSearchParams): string {
  const text = query.toString();
  return text === '' ? path : `${path}?${text}`;
}
