import {
  NangoStandIn,
  type StandInConnectionSeed,
  type StandInResponse,
  type StandInUpstreamRequest,
} from '../../../lib/testing/index.js';

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

/**
 * The third-party API behind the embedded stand-in's proxy: GitHub-like answers for the routes
 * the sample calls (`GET /user`, `POST /repos/{owner}/{repo}/issues`), GitHub's 404 otherwise.
 * It never puts the token Nango sends upstream (`authorization`) in an answer, so no credential
 * can reach the sample's HTTP clients.
 */
export function demoThirdPartyApi(request: StandInUpstreamRequest): StandInResponse {
  const login = request.connectionId;
  const path = request.url.split('?')[0] ?? '';
  if (request.headers['authorization'] === undefined) {
    return { status: 401, body: { message: 'Requires authentication' } };
  }
  if (request.providerConfigKey === 'github' && request.method === 'GET' && path === '/user') {
    return {
      status: 200,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: { login, id: 1000 + login.length, name: `Demo ${login}`, type: 'User' },
    };
  }
  const issues = /^\/repos\/([^/]+)\/([^/]+)\/issues$/.exec(path);
  if (request.providerConfigKey === 'github' && request.method === 'POST' && issues !== null) {
    const [, owner = '', repo = ''] = issues;
    let title: unknown;
    try {
      title = (JSON.parse(request.body) as { title?: unknown }).title;
    } catch {
      title = undefined;
    }
    if (typeof title !== 'string' || title === '') {
      return { status: 422, body: { message: 'Validation Failed' } };
    }
    return {
      status: 201,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: {
        number: 1,
        title,
        state: 'open',
        html_url: `https://github.com/${owner}/${repo}/issues/1`,
        user: { login },
      },
    };
  }
  return { status: 404, body: { message: 'Not Found' } };
}

/**
 * Starts the package's Nango stand-in on 127.0.0.1, seeded with {@link demoConnections}, with
 * {@link demoThirdPartyApi} behind its proxy.
 */
export function startEmbeddedNango(): Promise<NangoStandIn> {
  return NangoStandIn.start({ connections: demoConnections(), upstream: demoThirdPartyApi });
}
