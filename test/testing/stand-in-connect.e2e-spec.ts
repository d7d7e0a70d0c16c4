import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { NangoModule, verifyNangoWebhookSignature } from '../../lib/index.js';
import { NangoStandIn } from '../../lib/testing/index.js';
import { UserConnections, connectionsByUser } from '../fixtures/apps/connect.app.js';
import { listenLocally } from '../fixtures/http.js';
import { loadRecordings, RECORDS_RECORDINGS_DIR } from '../fixtures/recordings.js';

/**
 * `standIn.completeConnect()`: the end user finishing the Connect UI. The connection is created
 * with the session's end user, and the signed `auth` webhook is the very bytes a real Nango sent
 * for the same session (`webhook_auth_creation_connect_session.json`), received by an app's own
 * `@OnNangoWebhook()` handler.
 */

const recording = loadRecordings(RECORDS_RECORDINGS_DIR).get(
  'webhook_auth_creation_connect_session.json',
);
const recorded = recording?.request as unknown as {
  body: Record<string, unknown>;
  body_raw: string;
};

describe('standIn.completeConnect()', () => {
  let standIn: NangoStandIn;
  let app: INestApplication;
  let webhookUrl: string;

  beforeAll(async () => {
    standIn = await NangoStandIn.start();
    const moduleRef = await Test.createTestingModule({
      imports: [
        NangoModule.forRoot({
          secretKey: standIn.secretKey,
          host: standIn.url,
          webhooks: { path: 'nango/webhooks' },
        }),
      ],
      providers: [UserConnections],
    }).compile();
    app = moduleRef.createNestApplication({ rawBody: true, logger: false });
    webhookUrl = `${await listenLocally(app)}/nango/webhooks`;
  });
  afterAll(async () => {
    await app?.close();
    await standIn?.close();
  });
  beforeEach(() => connectionsByUser.clear());

  /** A session as `POST /connect/sessions` hands it out (the recording's trigger). */
  async function session(body: Record<string, unknown>): Promise<string> {
    const res = await fetch(`${standIn.url}/connect/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${standIn.secretKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { data: { token: string } }).data.token;
  }

  const RECORDED_SESSION = {
    end_user: {
      id: 'user-10',
      email: 'u10@example.com',
      display_name: 'User Ten',
      tags: { plan: 'pro' },
    },
    organization: { id: 'org-1', display_name: 'Org One' },
  };

  it("posts, signed, the same bytes as real Nango's auth webhook for the same session", async () => {
    standIn.addIntegration('none-test', 'unauthenticated');
    standIn.setWebhookTarget(webhookUrl);
    const token = await session(RECORDED_SESSION);
    const done = await standIn.completeConnect(token, {
      providerConfigKey: 'none-test',
      connectionId: String(recorded.body['connectionId']),
      credentials: {},
    });
    expect(done.webhook?.body).toBe(recorded.body_raw);
    expect(done.webhook?.status).toBe(200);
    const headers = done.webhook?.headers ?? {};
    expect(Object.keys(headers).sort()).toEqual(
      Object.keys(recording?.request.headers ?? {})
        .filter((h) => !['Accept-Encoding', 'Host', 'Connection'].includes(h))
        .sort(),
    );
    expect(
      verifyNangoWebhookSignature(recorded.body_raw, headers['X-Nango-Hmac-Sha256'], [
        standIn.secretKey,
      ]),
    ).toBe(true);
    // The app's own handler linked the new connection to the end user.
    expect(connectionsByUser.get('user-10')).toBe(recorded.body['connectionId']);
    expect(standIn.connection('none-test', done.connectionId)).toMatchObject({
      endUser: RECORDED_SESSION.end_user,
      tags: recorded.body['tags'],
    });
  });

  it('defaults to a new OAuth2 connection with a random id, and uses a session once', async () => {
    standIn.setWebhookTarget(webhookUrl);
    standIn.addIntegration('github');
    const token = await session({ end_user: { id: 'user-2' } });
    const done = await standIn.completeConnect(token, { providerConfigKey: 'github' });
    expect(done.connectionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(done.webhook?.body ?? '')).toMatchObject({
      authMode: 'OAUTH2',
      endUser: { endUserId: 'user-2' },
      tags: { end_user_id: 'user-2' },
    });
    expect(standIn.connection('github', done.connectionId)?.credentials).toMatchObject({
      type: 'OAUTH2',
      access_token: expect.any(String),
    });
    await expect(standIn.completeConnect(token, { providerConfigKey: 'github' })).rejects.toThrow(
      'standIn.completeConnect(): no such connect session',
    );
  });

  it("a reconnect session gives the same connection new credentials, and the webhook says 'override'", async () => {
    standIn.setWebhookTarget(webhookUrl);
    standIn.addIntegration('github');
    const first = await standIn.completeConnect(
      await session({ end_user: { id: 'user-4', email: 'u4@example.com' } }),
      { providerConfigKey: 'github' },
    );
    const before = standIn.connection('github', first.connectionId);
    const res = await fetch(`${standIn.url}/connect/sessions/reconnect`, {
      method: 'POST',
      headers: { authorization: `Bearer ${standIn.secretKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ connection_id: first.connectionId, integration_id: 'github' }),
    });
    expect(res.status).toBe(201);
    const { token } = ((await res.json()) as { data: { token: string } }).data;
    await expect(
      standIn.completeConnect(token, { providerConfigKey: 'github', connectionId: 'other' }),
    ).rejects.toThrow(
      `standIn.completeConnect(): the reconnect session is for connection "${first.connectionId}" of "github", not "other"`,
    );
    const again = await standIn.completeConnect(token, {
      providerConfigKey: 'github',
      credentials: { type: 'API_KEY', apiKey: 'k-new' },
    });
    expect(again.connectionId).toBe(first.connectionId);
    expect(again.webhook?.status).toBe(200);
    expect(JSON.parse(again.webhook?.body ?? '')).toEqual({
      authMode: 'API_KEY',
      connectionId: first.connectionId,
      endUser: { endUserEmail: 'u4@example.com', endUserId: 'user-4' },
      environment: 'dev',
      from: 'nango',
      operation: 'override',
      provider: 'github',
      providerConfigKey: 'github',
      success: true,
      tags: before?.tags,
      type: 'auth',
    });
    expect(standIn.connection('github', first.connectionId)).toMatchObject({
      credentials: { type: 'API_KEY', apiKey: 'k-new' },
      endUser: before?.endUser,
      tags: before?.tags,
    });
    await expect(standIn.completeConnect(token, { providerConfigKey: 'github' })).rejects.toThrow(
      'standIn.completeConnect(): no such connect session',
    );
  });

  it('without a webhook target: a clear error and the session kept; webhook: false only connects', async () => {
    const bare = await NangoStandIn.start();
    try {
      bare.addIntegration('github');
      const res = await fetch(`${bare.url}/connect/sessions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${bare.secretKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ end_user: { id: 'u' } }),
      });
      const { token } = ((await res.json()) as { data: { token: string } }).data;
      await expect(bare.completeConnect(token, { providerConfigKey: 'github' })).rejects.toThrow(
        'standIn.completeConnect(): no webhook target: pass `webhooks: { url }` to NangoStandIn.start()',
      );
      const done = await bare.completeConnect(token, {
        providerConfigKey: 'github',
        connectionId: 'c-quiet',
        webhook: false,
      });
      expect(done).toEqual({ providerConfigKey: 'github', connectionId: 'c-quiet' });
      expect(bare.connection('github', 'c-quiet')).toBeDefined();
    } finally {
      await bare.close();
    }
  });

  it('refuses bad input with a TypeError naming the field', async () => {
    await expect(standIn.completeConnect('', { providerConfigKey: 'github' })).rejects.toThrow(
      'token must be the session token',
    );
    for (const [completion, field] of [
      [{ providerConfigKey: '' }, 'providerConfigKey'],
      [{ providerConfigKey: 'github', connectionId: 3 }, 'connectionId'],
      [{ providerConfigKey: 'github', credentials: 'k' }, 'credentials'],
      [{ providerConfigKey: 'github', webhook: 'yes' }, 'webhook'],
    ] as const) {
      await expect(standIn.completeConnect('t', completion as never)).rejects.toThrow(
        new TypeError(
          `standIn.completeConnect(): ${field} must be ${field === 'credentials' ? 'an object' : field === 'webhook' ? 'a boolean' : 'a non-empty string'}`,
        ),
      );
    }
    standIn.setWebhookTarget(webhookUrl);
    const token = await session({ end_user: { id: 'u3' } });
    await expect(standIn.completeConnect(token, { providerConfigKey: 'nope' })).rejects.toThrow(
      'no integration "nope" (add it with addIntegration())',
    );
  });
});
