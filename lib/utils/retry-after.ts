import { flatHeaders } from './flat-headers.js';

/** Seconds from `Retry-After` (seconds or HTTP date), else from `x-ratelimit-reset` (epoch seconds). */
export function retryAfterSeconds(headers: unknown): number | undefined {
  const flat = flatHeaders(headers);
  const retryAfter = flat['retry-after'];
  if (retryAfter !== undefined) {
    if (/^\d+$/.test(retryAfter.trim())) return Number(retryAfter.trim());
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, Math.ceil((date - Date.now()) / 1000));
  }
  const reset = flat['x-ratelimit-reset'];
  if (reset !== undefined && /^\d+$/.test(reset.trim())) {
    return Math.max(0, Number(reset.trim()) - Math.floor(Date.now() / 1000));
  }
  return undefined;
}
