import type { StandInConnectionSeed } from '../lib/testing/index.js';

/** `count` OAUTH2 connections `conn-<i>` of integration `github`, valid for a day. */
export function benchSeeds(count: number): StandInConnectionSeed[] {
  const expiresAt = new Date(Date.now() + 24 * 3600_000).toISOString();
  return Array.from({ length: count }, (_, i) => ({
    connectionId: `conn-${i}`,
    providerConfigKey: 'github',
    credentials: {
      type: 'OAUTH2',
      access_token: `token-${i}`,
      refresh_token: `refresh-${i}`,
      expires_at: expiresAt,
      raw: {},
    },
  }));
}
