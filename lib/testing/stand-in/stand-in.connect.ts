import { randomBytes, randomUUID } from 'node:crypto';
import { isRecord } from '../../utils/is-record.js';
import type { StandInCredentials } from './stand-in.interfaces.js';
import type { StandInConnectSession, StandInStore } from './stand-in.store.js';
import type { StandInWebhookTarget } from './stand-in.webhook-target.js';

/** What the end user did in the Connect UI: which integration, and what came out of it. */
export interface StandInConnectCompletion {
  /** The integration the user connected (it must exist and be allowed by the session). */
  providerConfigKey: string;
  /** The id Nango gives the new connection; default a random UUID, as the Connect UI does. */
  connectionId?: string;
  /** The credentials of the new connection; default a fresh OAUTH2 token valid for an hour. */
  credentials?: StandInCredentials;
}

/** What `completeConnect()` did: the new connection, and the receiver's answer to the webhook. */
export interface StandInConnectResult {
  providerConfigKey: string;
  connectionId: string;
  /** The status the app's webhook route answered; `undefined` when no webhook target is set. */
  webhookStatus: number | undefined;
}

/** The session of a `POST /connect/sessions` body, to keep under its token. */
export function connectSessionOf(
  body: Record<string, unknown>,
  expiresAt: number,
): StandInConnectSession {
  const pick = <T>(value: unknown): T | undefined => (isRecord(value) ? (value as T) : undefined);
  const allowed = body['allowed_integrations'];
  const endUser = pick<StandInConnectSession['endUser']>(body['end_user']);
  const organization = pick<StandInConnectSession['organization']>(body['organization']);
  const tags = pick<Record<string, string>>(body['tags']);
  return {
    expiresAt,
    ...(endUser === undefined ? {} : { endUser }),
    ...(organization === undefined ? {} : { organization }),
    ...(tags === undefined ? {} : { tags }),
    ...(Array.isArray(allowed) ? { allowedIntegrations: allowed.map(String) } : {}),
  };
}

/** The tags Nango gives a connection made through a session: the end user's and organization's. */
function connectionTags(session: StandInConnectSession): Record<string, string> {
  const { endUser, organization } = session;
  return {
    ...session.tags,
    ...(endUser?.display_name === undefined ? {} : { end_user_display_name: endUser.display_name }),
    ...(endUser?.email === undefined ? {} : { end_user_email: endUser.email }),
    ...(endUser === undefined ? {} : { end_user_id: endUser.id }),
    ...(organization?.display_name === undefined
      ? {}
      : { organization_display_name: organization.display_name }),
    ...(organization === undefined ? {} : { organization_id: organization.id }),
  };
}

/** Nango's `authMode` for a credentials type (`NONE` for an unauthenticated integration). */
function authModeOf(credentials: StandInCredentials): string {
  return typeof credentials.type === 'string' ? credentials.type : 'NONE';
}

/**
 * Completes a connect session as the end user finishing the Connect UI would: creates the
 * connection (with the session's end user and tags), forgets the token, and posts the signed
 * `auth` webhook (`operation: 'creation'`, `success: true`) Nango sends, shaped as a real Nango
 * 0.71 sends it, to the webhook target. Throws when the token is unknown or expired, or the
 * integration is unknown or not allowed by the session.
 */
export async function completeConnectSession(
  store: StandInStore,
  target: StandInWebhookTarget,
  token: string,
  completion: StandInConnectCompletion,
): Promise<StandInConnectResult> {
  const session = store.connectSessions.get(token);
  if (session === undefined || session.expiresAt <= Date.now()) {
    throw new Error(
      'NangoStandIn.completeConnect(): no such connect session (unknown or expired token)',
    );
  }
  const { providerConfigKey } = completion;
  const provider = store.integrations.get(providerConfigKey);
  if (provider === undefined) {
    throw new Error(
      `NangoStandIn.completeConnect(): no integration "${providerConfigKey}" (add it with addIntegration())`,
    );
  }
  if (session.allowedIntegrations?.includes(providerConfigKey) === false) {
    throw new Error(
      `NangoStandIn.completeConnect(): the session does not allow "${providerConfigKey}" (allowed_integrations)`,
    );
  }
  store.connectSessions.delete(token);
  const connectionId = completion.connectionId ?? randomUUID();
  const credentials = completion.credentials ?? {
    type: 'OAUTH2',
    access_token: `gho_${randomBytes(18).toString('hex')}`,
    expires_at: new Date(Date.now() + 3_600_000).toISOString(),
  };
  const tags = connectionTags(session);
  const { endUser, organization } = session;
  store.seed([
    {
      connectionId,
      providerConfigKey,
      credentials,
      tags,
      ...(endUser === undefined ? {} : { endUser }),
    },
  ]);
  const webhookStatus = await target.post({
    type: 'auth',
    from: 'nango',
    operation: 'creation',
    success: true,
    authMode: authModeOf(credentials),
    connectionId,
    providerConfigKey,
    provider,
    environment: 'dev',
    tags,
    ...(endUser === undefined
      ? {}
      : {
          endUser: {
            endUserId: endUser.id,
            ...(endUser.email === undefined ? {} : { endUserEmail: endUser.email }),
            ...(organization === undefined ? {} : { organizationId: organization.id }),
            ...(endUser.tags === undefined ? {} : { tags: endUser.tags }),
          },
        }),
  });
  return { providerConfigKey, connectionId, webhookStatus };
}
