import type { RecordedRequest } from './stand-in.interfaces.js';
import type { Outgoing } from './stand-in.replies.js';
import { AUTH_ERRORS } from './stand-in.wire.js';
import { actionsRoutes } from './routes/actions.routes.js';
import { connectSessionsRoutes } from './routes/connect-sessions.routes.js';
import { connectionsRoutes } from './routes/connections.routes.js';
import { environmentRoutes } from './routes/environment.routes.js';
import { functionsRoutes } from './routes/functions.routes.js';
import { integrationsRoutes } from './routes/integrations.routes.js';
import { providersRoutes } from './routes/providers.routes.js';
import { isProxyPath, proxyRoute } from './routes/proxy.routes.js';
import { recordsRoutes } from './routes/records.routes.js';
import type { StandInContext, StandInRoute } from './routes/stand-in-route.js';
import { syncsRoutes } from './routes/syncs.routes.js';

/**
 * The stand-in's one router: Nango's secret key check, then the routes of the resource the
 * path's first segment names (`/proxy/*`, `/connections`, `/integrations`, ...), then Nango's
 * 500 for anything else.
 */

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** The routes of each resource, by the first segment of the path. */
const RESOURCES: ReadonlyMap<string, readonly StandInRoute[]> = new Map([
  ['connections', [connectionsRoutes]],
  ['connection', [connectionsRoutes]],
  ['integrations', [integrationsRoutes, functionsRoutes]],
  ['connect', [connectSessionsRoutes]],
  ['action', [actionsRoutes]],
  ['records', [recordsRoutes]],
  ['sync', [syncsRoutes]],
  ['providers', [providersRoutes]],
  ['environment-variables', [environmentRoutes]],
  ['scripts', [environmentRoutes]],
]);

/** Nango's 401 body for this `Authorization` header, or undefined when it holds the key. */
export function authFailure(header: string | undefined, secretKey: string): unknown {
  if (header === undefined || header === '') return AUTH_ERRORS.missing;
  if (!header.startsWith('Bearer ')) return AUTH_ERRORS.badFormat;
  const token = header.slice(7).trim();
  if (token === secretKey) return undefined;
  return UUID_V4.test(token) ? AUTH_ERRORS.unknownAccount : AUTH_ERRORS.badFormat;
}

/** Nango's answer to an authenticated request. */
export function route(req: RecordedRequest, context: StandInContext): Outgoing | Promise<Outgoing> {
  const { replies, store } = context;
  if (isProxyPath(req.pathname)) return proxyRoute(req, context);
  const routes = RESOURCES.get(req.pathname.split('/')[1] ?? '') ?? [];
  for (const resource of routes) {
    const answer = resource(req, store);
    if (answer !== undefined) return replies.json(answer.status, answer.body);
  }
  return replies.genericError();
}
