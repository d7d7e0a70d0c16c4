import type { RecordedRequest } from '../stand-in.interfaces.js';
import type { StandInStore } from '../stand-in.store.js';
import { invalidBody, type StandInJsonAnswer } from '../stand-in.wire.js';
import type { StandInRoute } from './stand-in-route.js';

/**
 * `GET /environment-variables` and `GET /scripts/config`, as `environment.requests.ts` builds
 * them.
 */

/** The routes of `/environment-variables` and `/scripts/config`. */
export const environmentRoutes: StandInRoute = (req, store) => {
  if (req.method !== 'GET') return undefined;
  if (req.pathname === '/environment-variables') {
    return { status: 200, body: store.environmentVariables };
  }
  if (req.pathname === '/scripts/config') return scriptsConfig(req, store);
  return undefined;
};

function scriptsConfig(req: RecordedRequest, store: StandInStore): StandInJsonAnswer {
  const format = req.query['format'] ?? 'nango';
  const keys = [...store.integrations.keys()].sort();
  if (format === 'openai') {
    const data = keys.flatMap((key) =>
      store.actionNames(key).map((name) => ({ name, description: '', parameters: {} })),
    );
    return { status: 200, body: { data } };
  }
  if (format !== 'nango') return invalidBody('format', 'Invalid option');
  return {
    status: 200,
    body: keys.map((key) => ({
      providerConfigKey: key,
      provider: store.integrations.get(key),
      syncs: store.syncNames(key).map((name) => ({ name, type: 'sync', enabled: true })),
      actions: store.actionNames(key).map((name) => ({ name, type: 'action' })),
    })),
  };
}
