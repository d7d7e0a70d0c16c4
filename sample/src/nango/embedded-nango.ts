import { NangoStandIn, type StandInConnectionSeed } from '../../../lib/testing/index.js';

/**
 * The demo connections of the embedded stand-in. Connection ids are user ids:
 * - `user-1`: GitHub (OAuth2, valid token) and Jira (API key);
 * - `user-2`: GitHub with an expired token, which Nango refreshes on the next call;
 * - `user-3`: GitHub with an expired token whose refresh fails: the user must reconnect.
 */
export function demoConnections(): StandInConnectionSeed[] {
  const inOneHour = new Date(Date.now() + 3600_000).toISOString();
  const anHourAgo = new Date(Date.now() - 3600_000).toISOString();
  const github = (
    id: string,
    expiresAt: string,
    refresh: 'ok' | 'fail',
  ): StandInConnectionSeed => ({
    connectionId: id,
    providerConfigKey: 'github',
    refresh,
    credentials: {
      type: 'OAUTH2',
      access_token: `demo-github-token-${id}`,
      refresh_token: `demo-github-refresh-${id}`,
      expires_at: expiresAt,
      raw: {},
    },
    endUser: { id, email: `${id}@example.com` },
  });
  return [
    github('user-1', inOneHour, 'ok'),
    {
      connectionId: 'user-1',
      providerConfigKey: 'jira',
      credentials: { type: 'API_KEY', apiKey: 'demo-jira-key' },
      endUser: { id: 'user-1', email: 'user-1@example.com' },
    },
    github('user-2', anHourAgo, 'ok'),
    github('user-3', anHourAgo, 'fail'),
  ];
}

/** Starts the package's Nango stand-in on 127.0.0.1, seeded with {@link demoConnections}. */
export function startEmbeddedNango(): Promise<NangoStandIn> {
  return NangoStandIn.start({ connections: demoConnections() });
}
