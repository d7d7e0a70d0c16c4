import { randomUUID } from 'node:crypto';
import type { StoredConnection } from './stand-in.store.js';
import { dbTimestamp } from './stand-in.wire.js';
import { expiryMs } from '../../utils/credential-expiry.js';

/**
 * The stand-in's OAuth2 refresh, as Nango does it when a token is fetched or proxied: an
 * expired token (or `force_refresh`) is replaced by a new one, unless the seed says
 * `refresh: 'fail'`: then the first attempt fails and later ones meet Nango's backoff.
 */

/** What a refresh came to: a fresh token, a failed refresh, or Nango backing off. */
export type RefreshOutcome = 'ok' | 'failed' | 'backoff';

/** Refreshes the connection's OAUTH2 token when expired (or when `force`d). */
export function ensureFresh(stored: StoredConnection, force: boolean, now: number): RefreshOutcome {
  const credentials = stored.credentials;
  if (credentials.type !== 'OAUTH2') return 'ok';
  const expires = expiryMs(credentials);
  if (!force && (expires === undefined || expires > now)) return 'ok';
  if (stored.seed.refresh === 'fail') {
    stored.updatedAt = dbTimestamp(now);
    if (stored.refreshFailed && !force) return 'backoff'; // force_refresh skips the backoff
    stored.refreshFailed = true;
    stored.errors = [{ type: 'auth', log_id: `${now}_${randomUUID().slice(0, 8)}` }];
    return 'failed';
  }
  const n = ++stored.refreshCount;
  const lifetime = stored.seed.tokenLifetimeSeconds ?? 3600;
  const accessToken = `${stored.seed.connectionId}-access-${n}`;
  const refreshToken = `${stored.seed.connectionId}-refresh-${n}`;
  stored.credentials = {
    ...credentials,
    access_token: accessToken,
    refresh_token: refreshToken,
    expires_at: new Date(now + lifetime * 1000).toISOString(),
  };
  stored.raw = {
    access_token: accessToken,
    refresh_token: refreshToken,
    token_type: 'Bearer',
    expires_in: lifetime,
  };
  stored.updatedAt = dbTimestamp(now);
  stored.refreshFailed = false;
  stored.errors = [];
  return 'ok';
}
