import { randomBytes, randomUUID } from 'node:crypto';
import { isRecord } from '../../utils/is-record.js';
import type { StandInCredentials } from './stand-in.interfaces.js';
import type { StandInConnectSession, StandInStore } from './stand-in.store.js';
import type { StandInSyncs } from './stand-in.sync.js';
import { sortedJson, type StandInWebhookDelivery } from './stand-in.webhook-sender.js';

/** What the end user did in the Connect UI: which integration, and what came out of it. */
export interface StandInConnectCompletion {
  /** The integration the user connected (it must exist and be allowed by the session). */
  providerConfigKey: string;
  /** The id Nango gives the new connection; default a random UUID, as the Connect UI does. */
  connectionId?: string;
  /** The credentials of the new connection; default a fresh OAUTH2 token valid for an hour. */
  credentials?: StandInCredentials;
  /**
   * Post the signed `auth` webhook to the webhook target; default true (then a target must be
   * set: `setWebhookTarget()`). Pass false to only create the connection.
   */
  webhook?: boolean;
}

/** What `completeConnect()` did: the new connection, and the receiver's answer to the webhook. */
export interface StandInConnectResult {
  providerConfigKey: string;
  connectionId: string;
  /** The `auth` webhook sent, with the app's answer (absent with `webhook: false`). */
  webhook?: StandInWebhookDelivery;
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
    ...endUser?.tags,
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

/** The completion's fields, when each has its type; else a TypeError naming the field. */
function checkCompletion(token: unknown, completion: StandInConnectCompletion): void {
  if (typeof token !== 'string' || token === '') {
    throw new TypeError('standIn.completeConnect(): token must be the session token, a string');
  }
  const { providerConfigKey, connectionId, credentials, webhook } = completion;
  if (typeof providerConfigKey !== 'string' || providerConfigKey === '') {
    throw new TypeError('standIn.completeConnect(): providerConfigKey must be a non-empty string');
  }
  if (connectionId !== undefined && (typeof connectionId !== 'string' || connectionId === '')) {
    throw new TypeError('standIn.completeConnect(): connectionId must be a non-empty string');
  }
  if (credentials !== undefined && !isRecord(credentials)) {
    throw new TypeError('standIn.completeConnect(): credentials must be an object');
  }
  if (webhook !== undefined && typeof webhook !== 'boolean') {
    throw new TypeError('standIn.completeConnect(): webhook must be a boolean');
  }
}

/**
 * The `auth` webhook body of a connection made through `session`
 * (`webhook_auth_creation_connect_session.json`): `operation` `creation`, or `override` for a
 * reconnect session (`webhook_auth_override_import_again.json`).
 */
function authWebhook(
  session: Pick<StandInConnectSession, 'endUser' | 'organization'>,
  connection: { connectionId: string; providerConfigKey: string; provider: string },
  credentials: StandInCredentials,
  tags: Record<string, string>,
  operation: 'creation' | 'override',
): string {
  const { endUser, organization } = session;
  return sortedJson({
    ...{ type: 'auth', from: 'nango', operation, success: true },
    ...connection,
    ...{ authMode: authModeOf(credentials), environment: 'dev', tags },
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
}

/**
 * Completes a connect session as the end user finishing the Connect UI would: creates the
 * connection (with the session's end user and tags), forgets the token, and posts the signed
 * `auth` webhook (`operation: 'creation'`, `success: true`) Nango sends, shaped as a real Nango
 * 0.71 sends it, to the webhook target. A reconnect session instead gives its connection the new
 * credentials, and the webhook says `operation: 'override'`. Throws when the token is unknown, expired or already
 * used, the integration is unknown or not allowed by the session, or no webhook target is set.
 */
export async function completeConnectSession(
  store: StandInStore,
  webhooks: StandInSyncs,
  token: string,
  completion: StandInConnectCompletion,
): Promise<StandInConnectResult> {
  checkCompletion(token, completion);
  const session = store.connectSessions.get(token);
  if (session === undefined || session.expiresAt <= Date.now()) {
    throw new Error(
      'standIn.completeConnect(): no such connect session (unknown, expired or already used token)',
    );
  }
  const { providerConfigKey } = completion;
  const provider = store.integrations.get(providerConfigKey);
  if (provider === undefined) {
    throw new Error(
      `standIn.completeConnect(): no integration "${providerConfigKey}" (add it with addIntegration())`,
    );
  }
  if (session.allowedIntegrations?.includes(providerConfigKey) === false) {
    throw new Error(
      `standIn.completeConnect(): the session does not allow "${providerConfigKey}" (allowed_integrations)`,
    );
  }
  const send = completion.webhook ?? true;
  if (session.reconnect !== undefined) {
    return reconnectConnection(store, webhooks, token, session, session.reconnect, completion);
  }
  if (send) webhooks.checkTarget('completeConnect');
  store.connectSessions.delete(token);
  const connectionId = completion.connectionId ?? randomUUID();
  const credentials = completion.credentials ?? freshOAuth2();
  const tags = connectionTags(session);
  const { endUser } = session;
  store.seed([
    {
      connectionId,
      providerConfigKey,
      credentials,
      tags,
      ...(endUser === undefined ? {} : { endUser }),
    },
  ]);
  const result: StandInConnectResult = { providerConfigKey, connectionId };
  if (!send) return result;
  const body = authWebhook(
    session,
    { connectionId, providerConfigKey, provider },
    credentials,
    tags,
    'creation',
  );
  return { ...result, webhook: await webhooks.deliver(body, 'completeConnect') };
}

/** A fresh OAUTH2 token valid for an hour: what the Connect UI's default provider hands back. */
function freshOAuth2(): StandInCredentials {
  return {
    type: 'OAUTH2',
    access_token: `gho_${randomBytes(18).toString('hex')}`,
    expires_at: new Date(Date.now() + 3_600_000).toISOString(),
  };
}

/**
 * Completes a reconnect session (`POST /connect/sessions/reconnect`): the session's connection
 * gets the new credentials and keeps its id, end user and tags, and the `auth` webhook says
 * `operation: 'override'`.
 */
async function reconnectConnection(
  store: StandInStore,
  webhooks: StandInSyncs,
  token: string,
  session: StandInConnectSession,
  target: { providerConfigKey: string; connectionId: string },
  completion: StandInConnectCompletion,
): Promise<StandInConnectResult> {
  const { providerConfigKey, connectionId } = target;
  const what = `the reconnect session is for connection "${connectionId}" of "${providerConfigKey}"`;
  if (completion.providerConfigKey !== providerConfigKey) {
    throw new Error(`standIn.completeConnect(): ${what}, not of "${completion.providerConfigKey}"`);
  }
  if (completion.connectionId !== undefined && completion.connectionId !== connectionId) {
    throw new Error(`standIn.completeConnect(): ${what}, not "${completion.connectionId}"`);
  }
  const existing = store.connection(providerConfigKey, connectionId);
  if (existing === undefined) {
    throw new Error(`standIn.completeConnect(): ${what}, and it no longer exists`);
  }
  const send = completion.webhook ?? true;
  if (send) webhooks.checkTarget('completeConnect');
  store.connectSessions.delete(token);
  const credentials = completion.credentials ?? freshOAuth2();
  store.seed([{ ...existing.seed, credentials }]);
  const result: StandInConnectResult = { providerConfigKey, connectionId };
  if (!send) return result;
  const endUser = existing.seed.endUser ?? undefined;
  const body = authWebhook(
    {
      ...(endUser === undefined
        ? {}
        : {
            endUser: {
              id: endUser.id,
              ...(endUser.email == null ? {} : { email: endUser.email }),
            },
          }),
      ...(session.organization === undefined ? {} : { organization: session.organization }),
    },
    { connectionId, providerConfigKey, provider: existing.provider },
    credentials,
    existing.tags,
    'override',
  );
  return { ...result, webhook: await webhooks.deliver(body, 'completeConnect') };
}
