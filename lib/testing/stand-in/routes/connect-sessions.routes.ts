import { randomUUID } from 'node:crypto';
import { jsonBody } from '../stand-in.request.js';
import {
  invalidBody,
  invalidInput,
  unknownConnection,
  type StandInJsonAnswer,
} from '../stand-in.wire.js';
import { connectSessionOf } from '../stand-in.connect.js';
import type { StandInRoute } from './stand-in-route.js';

/** `POST /connect/sessions` and `/connect/sessions/reconnect`: a session token and its link. */

const SESSION_MINUTES = 30;

/** The routes of `/connect/sessions`. */
export const connectSessionsRoutes: StandInRoute = (req, store) => {
  if (req.method !== 'POST') return undefined;
  const reconnect = req.pathname === '/connect/sessions/reconnect';
  if (!reconnect && req.pathname !== '/connect/sessions') return undefined;
  const body = jsonBody(req);
  if (body === undefined) return invalidBody('body', 'Invalid input: expected object');
  if (reconnect) {
    const id = body['connection_id'];
    const key = body['integration_id'];
    if (typeof id !== 'string') return invalidBody('connection_id');
    if (typeof key !== 'string') return invalidBody('integration_id');
    if (!store.hasConnection(key, id)) return unknownConnection();
  } else {
    const allowed = body['allowed_integrations'];
    if (Array.isArray(allowed)) {
      const unknown = allowed.find((k) => typeof k !== 'string' || !store.integrations.has(k));
      if (unknown !== undefined) return unknownAllowedIntegration(unknown);
    }
  }
  const token = `nango_connect_session_${randomUUID().replace(/-/g, '')}${randomUUID().replace(/-/g, '')}`;
  const expiresAt = Date.now() + SESSION_MINUTES * 60_000;
  const session = connectSessionOf(body, expiresAt);
  if (reconnect) {
    const providerConfigKey = String(body['integration_id']);
    session.reconnect = { providerConfigKey, connectionId: String(body['connection_id']) };
  }
  store.connectSessions.set(token, session);
  return {
    status: 201,
    body: {
      data: {
        token,
        connect_link: `${store.url}/connect?session_token=${token}`,
        expires_at: new Date(expiresAt).toISOString(),
      },
    },
  };
};

function unknownAllowedIntegration(key: unknown): StandInJsonAnswer {
  return invalidInput('invalid_body', [
    {
      code: 'custom',
      message: `Integration does not exist: ${String(key)}`,
      path: ['allowed_integrations'],
    },
  ]);
}
