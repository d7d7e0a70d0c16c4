import { isRecord } from './is-record.js';

/**
 * `expires_at` of credentials in ms since the epoch (an ISO string, or a number of ms), or
 * undefined when there is none or it is not a time. The credential cache and the stand-in's
 * refresh both read it this way.
 */
export function expiryMs(credentials: unknown): number | undefined {
  const value = isRecord(credentials) ? credentials['expires_at'] : undefined;
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
