import { USER_HEADER } from './auth/user.guard.js';

/** A request the sample's log suggests, and what it answers against the embedded stand-in. */
export interface TryRequest {
  what: string;
  method: 'GET' | 'POST';
  path: string;
  user?: string;
  body?: unknown;
  /** The status against the embedded stand-in's demo connections. */
  status: number;
}

/** The requests printed as `curl` lines when the sample starts. */
export const TRY_IT: readonly TryRequest[] = [
  {
    what: "user-1's connections",
    method: 'GET',
    path: '/connections',
    user: 'user-1',
    status: 200,
  },
  {
    what: 'GitHub profile, through the proxy',
    method: 'GET',
    path: '/github/profile',
    user: 'user-1',
    status: 200,
  },
  {
    what: 'create an issue (POST through the proxy)',
    method: 'POST',
    path: '/github/repos/acme/app/issues',
    user: 'user-1',
    body: { title: 'Hello from nestjs-nango' },
    status: 201,
  },
  {
    what: 'expired token: Nango refreshes it',
    method: 'GET',
    path: '/github/status',
    user: 'user-2',
    status: 200,
  },
  {
    what: 'fresh credentials in a handler (@InjectNangoToken)',
    method: 'GET',
    path: '/github/token-info',
    user: 'user-1',
    status: 200,
  },
  {
    what: 'no connection: 404',
    method: 'GET',
    path: '/github/profile',
    user: 'nobody',
    status: 404,
  },
  {
    what: 'refresh failed, reconnect needed: 424',
    method: 'GET',
    path: '/github/profile',
    user: 'user-3',
    status: 424,
  },
  {
    what: "user-1's GitHub issues, as Nango synced them (@OnNangoRecords)",
    method: 'GET',
    path: '/synced/issues',
    user: 'user-1',
    status: 200,
  },
  { what: 'no user: 401', method: 'GET', path: '/github/profile', status: 401 },
  {
    what: 'a Connect session for user-4 ({ token, expiresAt } for @nangohq/frontend)',
    method: 'POST',
    path: '/nango/connect-session',
    user: 'user-4',
    status: 201,
  },
];

/** The `curl` command line of a request, against the app at `baseUrl`. */
export function curlLine(baseUrl: string, request: TryRequest): string {
  const parts = ['curl', '-i'];
  if (request.method !== 'GET') parts.push('-X', request.method);
  if (request.user !== undefined) parts.push('-H', `'${USER_HEADER}: ${request.user}'`);
  if (request.body !== undefined) {
    parts.push('-H', "'content-type: application/json'", '-d', `'${JSON.stringify(request.body)}'`);
  }
  parts.push(`${baseUrl}${request.path}`);
  return `${parts.join(' ')}   # ${request.what}`;
}
