import { NangoStandIn } from '../lib/testing/index.js';

/** The stand-in's "more of Nango's API" routes answer as Nango 0.71 did (see real-responses). */
let standIn: NangoStandIn;

async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: unknown }> {
  const init: RequestInit = {
    method,
    headers: {
      Authorization: `Bearer ${standIn.secretKey}`,
      'Content-Type': 'application/json',
      ...headers,
    },
  };
  if (body !== undefined) init.body = JSON.stringify(body);
  const res = await fetch(`${standIn.url}${path}`, init);
  return { status: res.status, body: (await res.json()) as unknown };
}

beforeEach(async () => {
  standIn = await NangoStandIn.start({
    connections: [
      { connectionId: 'conn-none-1', providerConfigKey: 'unauth-test', credentials: {} },
      { connectionId: 'conn-delete-me', providerConfigKey: 'unauth-test', credentials: {} },
    ],
  });
});

afterEach(async () => {
  await standIn.close();
});

describe('NangoStandIn: more of Nango API', () => {
  it('DELETE /connections/{id}: 200 { success: true }, then 400 unknown_connection', async () => {
    const path = '/connections/conn-delete-me?provider_config_key=unauth-test';
    expect(await call('DELETE', path)).toEqual({ status: 200, body: { success: true } });
    expect(await call('DELETE', path)).toEqual({
      status: 400,
      body: { error: { code: 'unknown_connection' } },
    });
  });

  it('POST /connections/metadata answers 201 with the body, PATCH 200', async () => {
    const body = {
      connection_id: 'conn-none-1',
      provider_config_key: 'unauth-test',
      metadata: { k: 'v' },
    };
    expect(await call('POST', '/connections/metadata', body)).toEqual({ status: 201, body });
    const patch = { ...body, metadata: { k2: 'v2' } };
    expect(await call('PATCH', '/connections/metadata', patch)).toEqual({
      status: 200,
      body: patch,
    });
    expect(standIn.connection('unauth-test', 'conn-none-1')?.metadata).toEqual({
      k: 'v',
      k2: 'v2',
    });
  });

  it('PATCH /connections/{id} answers { success: true }', async () => {
    expect(
      await call('PATCH', '/connections/conn-none-1?provider_config_key=unauth-test', {
        tags: { a: 'b' },
      }),
    ).toEqual({ status: 200, body: { success: true } });
  });

  it('GET /integrations and /integrations/{key}', async () => {
    const list = await call('GET', '/integrations');
    expect(list.status).toBe(200);
    expect(list.body).toEqual({
      data: [
        {
          unique_key: 'unauth-test',
          provider: 'unauth-test',
          display_name: 'unauth-test',
          logo: `${standIn.url}/images/template-logos/unauth-test.svg`,
          forward_webhooks: true,
          created_at: expect.stringMatching(/Z$/) as unknown,
          updated_at: expect.stringMatching(/Z$/) as unknown,
        },
      ],
    });
    expect(await call('GET', '/integrations/nope')).toEqual({
      status: 404,
      body: { error: { code: 'not_found', message: 'Integration "nope" does not exist' } },
    });
  });

  it('POST /connect/sessions answers 201 { data: { token, connect_link, expires_at } }', async () => {
    const res = await call('POST', '/connect/sessions', {
      end_user: { id: 'user-2', email: 'u2@example.com' },
      allowed_integrations: ['unauth-test'],
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      data: {
        token: expect.stringMatching(/^nango_connect_session_[0-9a-f]{64}$/) as unknown,
        connect_link: expect.stringContaining('session_token=nango_connect_session_') as unknown,
        expires_at: expect.any(String) as unknown,
      },
    });
  });

  it('routes with connection headers refuse missing headers as Nango does', async () => {
    expect(await call('GET', '/records?model=M')).toEqual({
      status: 400,
      body: {
        error: {
          code: 'invalid_headers',
          errors: [
            { code: 'invalid_type', message: expect.any(String), path: ['connection-id'] },
            { code: 'invalid_type', message: expect.any(String), path: ['provider-config-key'] },
          ],
        },
      },
    });
    expect(
      (
        await call(
          'POST',
          '/action/trigger',
          { action_name: 'a' },
          {
            'Connection-Id': 'conn-none-1',
            'Provider-Config-Key': 'nope',
          },
        )
      ).body,
    ).toEqual({ error: { code: 'unknown_provider_config', message: 'Provider does not exists' } });
  });

  it('reads a sync body that has a `status` field as a body, not as an answer', async () => {
    standIn.addSyncs('unauth-test', 'issues');
    // Before the stand-in's split, a body with a numeric `status` was sent back as if it were
    // the stand-in's own answer (and a status like 1 crashed the server).
    const body = { provider_config_key: 'unauth-test', syncs: ['issues'], status: 1, body: 'x' };
    expect(await call('POST', '/sync/pause', body)).toEqual({
      status: 200,
      body: { success: true },
    });
    expect(await call('POST', '/sync/start', { ...body, syncs: ['nope'] })).toEqual({
      status: 400,
      body: {
        error: {
          code: 'invalid_body',
          errors: [
            { code: 'invalid_type', message: 'Sync "nope" does not exist', path: ['syncs'] },
          ],
        },
      },
    });
  });
});
