import 'reflect-metadata';
import { Test } from '@nestjs/testing';
import { inspect } from 'node:util';
import {
  NangoModule,
  NangoService,
  NangoActionError,
  NangoAuthenticationError,
  NangoConnectionNotFoundError,
  NangoIntegrationNotFoundError,
  NangoRequestError,
  NangoUnavailableError,
  type NangoConnectSessionInput,
  type NangoListRecordsParams,
} from '../lib/index.js';
import { sharedStandInService } from './fixtures/stand-in-suite.js';
import { rejection, sentRequests } from './fixtures/sent-requests.js';

const suite = sharedStandInService();

const { last, sent, refused } = sentRequests(() => suite.standIn);

describe('deleteConnection', () => {
  it('sends DELETE /connections/{id} with the encoded id and the key', async () => {
    suite.standIn.seed({ connectionId: 'a/b c', providerConfigKey: 'github', credentials: {} });
    suite.standIn.clearRequests();
    await expect(suite.nango.deleteConnection('github', 'a/b c')).resolves.toEqual({
      success: true,
    });
    expect(sent()).toEqual({
      method: 'DELETE',
      url: '/connections/a%2Fb%20c?provider_config_key=github',
      body: undefined,
    });
    expect(suite.standIn.connection('github', 'a/b c')).toBeUndefined();
  });

  it('an unknown connection is NangoConnectionNotFoundError', async () => {
    const error = await rejection(suite.nango.deleteConnection('github', 'nope'));
    expect(error).toBeInstanceOf(NangoConnectionNotFoundError);
    expect(error).toMatchObject({ status: 400, code: 'unknown_connection', connectionId: 'nope' });
  });

  it('refuses bad ids', async () => {
    await refused(
      suite.nango.deleteConnection('github', ''),
      /deleteConnection\(\): connectionId must not be empty/,
    );
    await refused(suite.nango.deleteConnection('', 'c'), /providerConfigKey must not be empty/);
    await refused(suite.nango.deleteConnection('github', '..'), /must not be ".."/);
  });
});

describe('metadata', () => {
  it('getMetadata returns the connection metadata', async () => {
    await expect(suite.nango.getMetadata('github', 'conn-oauth2')).resolves.toEqual({ team: 'a' });
    expect(last().url).toBe(
      '/connections/conn-oauth2?provider_config_key=github&force_refresh=false&refresh_token=false',
    );
  });

  it('setMetadata POSTs /connections/metadata and replaces the metadata', async () => {
    const result = await suite.nango.setMetadata('github', 'conn-oauth2', { plan: 'pro' });
    expect(result).toEqual({
      connection_id: 'conn-oauth2',
      provider_config_key: 'github',
      metadata: { plan: 'pro' },
    });
    expect(sent()).toEqual({
      method: 'POST',
      url: '/connections/metadata',
      body: {
        connection_id: 'conn-oauth2',
        provider_config_key: 'github',
        metadata: { plan: 'pro' },
      },
    });
    expect(last().headers['content-type']).toMatch(/^application\/json/);
    await expect(suite.nango.getMetadata('github', 'conn-oauth2')).resolves.toEqual({
      plan: 'pro',
    });
  });

  it('updateMetadata PATCHes and merges, for several connections at once', async () => {
    await suite.nango.updateMetadata('github', ['conn-oauth2', 'conn-expired'], { plan: 'pro' });
    expect(sent()).toEqual({
      method: 'PATCH',
      url: '/connections/metadata',
      body: {
        connection_id: ['conn-oauth2', 'conn-expired'],
        provider_config_key: 'github',
        metadata: { plan: 'pro' },
      },
    });
    await expect(suite.nango.getMetadata('github', 'conn-oauth2')).resolves.toEqual({
      team: 'a',
      plan: 'pro',
    });
  });

  it('an unknown connection is NangoConnectionNotFoundError', async () => {
    const error = await rejection(
      suite.nango.setMetadata('github', ['conn-oauth2', 'nope'], { a: 1 }),
    );
    expect(error).toBeInstanceOf(NangoConnectionNotFoundError);
    expect((error as Error).message).toContain('"conn-oauth2, nope"');
    // All or none: the known connection kept its metadata.
    await expect(suite.nango.getMetadata('github', 'conn-oauth2')).resolves.toEqual({ team: 'a' });
  });

  it('refuses bad metadata and id lists', async () => {
    await refused(
      suite.nango.setMetadata('github', 'c', null as unknown as Record<string, unknown>),
      /setMetadata\(\): metadata must be an object/,
    );
    await refused(
      suite.nango.updateMetadata('github', [], { a: 1 }),
      /must be an id or a list of 1 to 1000 ids/,
    );
    await refused(
      suite.nango.updateMetadata('github', ['ok', ''], { a: 1 }),
      /connectionId\[1\] must not be empty/,
    );
  });
});

describe('patchConnection', () => {
  it('sends PATCH /connections/{id} with the tags', async () => {
    await expect(
      suite.nango.patchConnection('github', 'conn-oauth2', { tags: { plan: 'pro' } }),
    ).resolves.toEqual({ success: true });
    expect(sent()).toEqual({
      method: 'PATCH',
      url: '/connections/conn-oauth2?provider_config_key=github',
      body: { tags: { plan: 'pro' } },
    });
    const { connections } = await suite.nango.listConnections('conn-oauth2');
    expect(connections[0]?.tags).toEqual({ plan: 'pro' });
  });

  it('an unknown connection is NangoConnectionNotFoundError', async () => {
    const error = await rejection(suite.nango.patchConnection('github', 'nope', { tags: {} }));
    expect(error).toBeInstanceOf(NangoConnectionNotFoundError);
  });

  it('refuses patches Nango would not take', async () => {
    await refused(suite.nango.patchConnection('github', 'c', {}), /must change something/);
    await refused(
      suite.nango.patchConnection('github', 'c', { metadata: {} } as never),
      /unknown field\(s\) metadata/,
    );
    await refused(
      suite.nango.patchConnection('github', 'c', { tags: { a: 1 } } as never),
      /patch.tags.a must be a string/,
    );
    await refused(
      suite.nango.patchConnection('github', 'c', { webhook_url_override: 'ftp://x' }),
      /must be an http\(s\) URL, or ""/,
    );
  });
});

describe('connect sessions', () => {
  it('createConnectSession POSTs /connect/sessions and returns { data }', async () => {
    const input: NangoConnectSessionInput = {
      tags: { end_user_id: 'user-2' },
      allowed_integrations: ['github'],
    };
    const result = await suite.nango.createConnectSession(input);
    expect(sent()).toEqual({ method: 'POST', url: '/connect/sessions', body: input });
    expect(result.data.token).toMatch(/^nango_connect_session_[0-9a-f]{64}$/);
    expect(result.data.connect_link).toContain(result.data.token);
    expect(Date.parse(result.data.expires_at)).toBeGreaterThan(Date.now());
  });

  it('createReconnectSession POSTs /connect/sessions/reconnect', async () => {
    const result = await suite.nango.createReconnectSession({
      connection_id: 'conn-oauth2',
      integration_id: 'github',
    });
    expect(sent()).toEqual({
      method: 'POST',
      url: '/connect/sessions/reconnect',
      body: { connection_id: 'conn-oauth2', integration_id: 'github' },
    });
    expect(result.data.token).toMatch(/^nango_connect_session_/);
  });

  it("Nango's refusals are NangoRequestError, unknown connections NangoConnectionNotFoundError", async () => {
    const error = await rejection(
      suite.nango.createConnectSession({ allowed_integrations: ['nope'] }),
    );
    expect(error).toBeInstanceOf(NangoRequestError);
    expect(error).toMatchObject({ status: 400, code: 'invalid_body' });
    const reconnect = await rejection(
      suite.nango.createReconnectSession({ connection_id: 'nope', integration_id: 'github' }),
    );
    expect(reconnect).toBeInstanceOf(NangoConnectionNotFoundError);
  });

  it('refuses bad sessions', async () => {
    await refused(suite.nango.createConnectSession(null as never), /session must be an object/);
    await refused(
      suite.nango.createConnectSession({ allowed_integrations: 'github' as never }),
      /allowed_integrations must be a list/,
    );
    await refused(
      suite.nango.createReconnectSession({ integration_id: 'github' } as never),
      /connection_id must be a string/,
    );
  });
});

describe('integrations', () => {
  it('listIntegrations GETs /integrations', async () => {
    const { data } = await suite.nango.listIntegrations();
    expect(sent()).toEqual({ method: 'GET', url: '/integrations', body: undefined });
    expect(data.map((i) => i.unique_key)).toEqual(
      expect.arrayContaining(['github', 'jira', 'twitter']),
    );
    expect(data[0]).toEqual({
      unique_key: expect.any(String) as unknown,
      provider: expect.any(String) as unknown,
      display_name: expect.any(String) as unknown,
      logo: expect.any(String) as unknown,
      forward_webhooks: true,
      created_at: expect.any(String) as unknown,
      updated_at: expect.any(String) as unknown,
    });
  });

  it('getIntegration GETs /integrations/{key} with include', async () => {
    const { data } = await suite.nango.getIntegration('github', ['credentials', 'webhook']);
    expect(sent().url).toBe('/integrations/github?include=credentials&include=webhook');
    expect(data).toMatchObject({ unique_key: 'github', webhook_url: null });
    expect(data.credentials).toMatchObject({ type: 'OAUTH2' });
    await suite.nango.getIntegration('a b/c').catch(() => undefined);
    expect(sent().url).toBe('/integrations/a%20b%2Fc');
  });

  it('an unknown integration is NangoIntegrationNotFoundError', async () => {
    const error = await rejection(suite.nango.getIntegration('nope'));
    expect(error).toBeInstanceOf(NangoIntegrationNotFoundError);
    expect((error as Error).message).toContain('Nango has no integration "nope"');
  });

  it('refuses a bad include', async () => {
    await refused(
      suite.nango.getIntegration('github', ['secrets' as never]),
      /include must be one of webhook, credentials/,
    );
  });
});

describe('triggerAction', () => {
  beforeEach(() => {
    suite.standIn.addAction('github', 'create-issue', (input) => ({ created: input }));
    suite.standIn.addAction('github', 'explode', () => {
      throw new Error('boom');
    });
  });

  it('POSTs /action/trigger with the connection headers and returns the output', async () => {
    await expect(
      suite.nango.triggerAction('github', 'conn-oauth2', 'create-issue', { title: 'Bug' }),
    ).resolves.toEqual({ created: { title: 'Bug' } });
    const request = last();
    expect(sent()).toEqual({
      method: 'POST',
      url: '/action/trigger',
      body: { action_name: 'create-issue', input: { title: 'Bug' } },
    });
    expect(request.headers['connection-id']).toBe('conn-oauth2');
    expect(request.headers['provider-config-key']).toBe('github');
    expect(request.headers['x-async']).toBeUndefined();
  });

  it('async: sends X-Async and X-Max-Retries and returns { id, statusUrl }', async () => {
    const result = await suite.nango.triggerAction(
      'github',
      'conn-oauth2',
      'create-issue',
      undefined,
      {
        async: true,
        maxRetries: 3,
      },
    );
    expect(result).toEqual({
      id: expect.any(String),
      statusUrl: expect.stringMatching(/^\/action\//),
    });
    expect(last().headers['x-async']).toBe('true');
    expect(last().headers['x-max-retries']).toBe('3');
    expect(sent().body).toEqual({ action_name: 'create-issue' });
  });

  it('a failing action is NangoActionError with its payload, not printed', async () => {
    const error = await rejection(suite.nango.triggerAction('github', 'conn-oauth2', 'explode'));
    expect(error).toBeInstanceOf(NangoActionError);
    const e = error as NangoActionError;
    expect(e).toMatchObject({ status: 500, code: 'action_script_failure' });
    expect(e.payload).toEqual({ message: 'boom' });
    expect(inspect(e)).not.toContain('boom');
  });

  it('a 424 of an action is NangoActionError with the upstream answer', async () => {
    suite.standIn.script({
      method: 'POST',
      path: '/action/trigger',
      times: 1,
      respond: {
        status: 424,
        body: {
          error: {
            message: 'upstream failed',
            code: 'action_script_http_error',
            payload: {},
            upstream: { status: 403, headers: {}, body: { message: 'Forbidden' } },
          },
        },
      },
    });
    const error = await rejection(
      suite.nango.triggerAction('github', 'conn-oauth2', 'create-issue'),
    );
    expect(error).toBeInstanceOf(NangoActionError);
    expect((error as NangoActionError).upstream).toMatchObject({ status: 403 });
  });

  it("Nango's own errors keep their classes", async () => {
    expect(
      await rejection(suite.nango.triggerAction('github', 'nope', 'create-issue')),
    ).toBeInstanceOf(NangoConnectionNotFoundError);
    expect(
      await rejection(suite.nango.triggerAction('nope', 'conn-oauth2', 'create-issue')),
    ).toBeInstanceOf(NangoIntegrationNotFoundError);
    const unknown = await rejection(suite.nango.triggerAction('github', 'conn-oauth2', 'nope'));
    expect(unknown).toMatchObject({ status: 400, code: 'unknown_action' });
    suite.standIn.script({ path: '/action/trigger', times: 1, respond: { status: 503 } });
    expect(
      await rejection(suite.nango.triggerAction('github', 'conn-oauth2', 'create-issue')),
    ).toBeInstanceOf(NangoUnavailableError);
  });

  it('refuses bad arguments', async () => {
    await refused(
      suite.nango.triggerAction('github', 'conn-oauth2', ''),
      /actionName must not be empty/,
    );
    await refused(
      suite.nango.triggerAction('github', 'conn-é', 'a'),
      /connectionId must be ASCII to travel in a header/,
    );
    await refused(
      suite.nango.triggerAction('github', 'c', 'a', undefined, { maxRetries: 2 }),
      /maxRetries only applies to asynchronous actions/,
    );
    await refused(
      suite.nango.triggerAction('github', 'c', 'a', undefined, { async: true, maxRetries: 6 }),
      /maxRetries must be a whole number from 0 to 5/,
    );
  });
});

describe('records', () => {
  const params: NangoListRecordsParams = {
    providerConfigKey: 'github',
    connectionId: 'conn-oauth2',
    model: 'Issue',
  };

  beforeEach(() => {
    suite.standIn.seedRecords({
      providerConfigKey: 'github',
      connectionId: 'conn-oauth2',
      model: 'Issue',
      records: Array.from({ length: 5 }, (_, i) => ({ id: `issue-${i}`, title: `#${i}` })),
    });
    suite.standIn.clearRequests();
  });

  it('listRecords GETs /records with the headers and the query', async () => {
    // Nango takes only a `modified_after` of the last 12 months, and a variant is its own stream.
    const modifiedAfter = new Date(Date.now() - 60_000).toISOString();
    suite.standIn.seedRecords({
      ...params,
      variant: 'v2',
      records: Array.from({ length: 3 }, (_, i) => ({ id: `issue-${i}`, title: `#${i}` })),
    });
    const page = await suite.nango.listRecords<{ id: string; title: string }>({
      ...params,
      limit: 2,
      filter: 'added',
      modifiedAfter,
      variant: 'v2',
    });
    const request = last();
    expect(request.method).toBe('GET');
    expect(request.query).toEqual({
      model: 'Issue',
      variant: 'v2',
      limit: '2',
      filter: 'added',
      modified_after: modifiedAfter,
    });
    expect(request.headers['connection-id']).toBe('conn-oauth2');
    expect(request.headers['provider-config-key']).toBe('github');
    expect(page.records.map((r) => r.id)).toEqual(['issue-0', 'issue-1']);
    expect(page.records[0]?._nango_metadata.last_action).toBe('ADDED');
    expect(page.next_cursor).toEqual(expect.any(String));
  });

  it('iterateRecords follows next_cursor to the end', async () => {
    const ids: string[] = [];
    for await (const record of suite.nango.iterateRecords({ ...params, limit: 2 })) {
      ids.push(record['id'] as string);
    }
    expect(ids).toEqual(['issue-0', 'issue-1', 'issue-2', 'issue-3', 'issue-4']);
    expect(suite.standIn.requests).toHaveLength(3);
    expect(suite.standIn.requests[0]?.query['cursor']).toBeUndefined();
    expect(suite.standIn.requests[1]?.query['cursor']).toEqual(expect.any(String));
  });

  it('ids are sent as repeated parameters', async () => {
    const page = await suite.nango.listRecords({ ...params, ids: ['issue-1', 'issue-3'] });
    expect(last().url).toBe('/records?model=Issue&ids=issue-1&ids=issue-3');
    expect(page.records.map((r) => r['id'])).toEqual(['issue-1', 'issue-3']);
  });

  it('errors: unknown connection, bad arguments', async () => {
    expect(
      await rejection(suite.nango.listRecords({ ...params, connectionId: 'nope' })),
    ).toBeInstanceOf(NangoConnectionNotFoundError);
    suite.standIn.clearRequests();
    await refused(
      suite.nango.listRecords({ ...params, model: '' }),
      /listRecords\(\): model must not be empty/,
    );
    await refused(
      suite.nango.listRecords({ ...params, limit: 0 }),
      /limit must be a whole number from 1/,
    );
    await refused(
      suite.nango.listRecords({ ...params, modifiedAfter: 'yesterday' }),
      /modifiedAfter must be an ISO-8601 date-time/,
    );
    await refused(
      suite.nango.listRecords({ ...params, filter: 'all' as never }),
      /filter must be one of added, updated, deleted/,
    );
    await refused(suite.nango.listRecords(null as never), /params must be an object/);
  });
});

describe('iterateConnections', () => {
  it('pages through /connections with limit and page until a short page', async () => {
    const ids: string[] = [];
    for await (const connection of suite.nango.iterateConnections({ limit: 3 })) {
      ids.push(connection.connection_id);
    }
    const all = (await suite.nango.listConnections()).connections.map((c) => c.connection_id);
    expect(ids).toEqual(all);
    const pages = suite.standIn.requests.filter((r) => r.query['limit'] === '3');
    expect(pages.map((r) => r.query['page'])).toEqual(
      Array.from({ length: Math.floor(all.length / 3) + 1 }, (_, i) => String(i)),
    );
  });

  it('stops at the first error', async () => {
    suite.standIn.script({ path: '/connections', times: 1, respond: { status: 500 } });
    const iterate = async () => {
      for await (const _ of suite.nango.iterateConnections()) void _;
    };
    await expect(iterate()).rejects.toBeInstanceOf(NangoUnavailableError);
  });
});

describe('syncs', () => {
  beforeEach(() => {
    suite.standIn.addSyncs('github', 'issues', 'pulls');
  });

  it('triggerSync POSTs /sync/trigger', async () => {
    await expect(
      suite.nango.triggerSync(
        'github',
        ['issues', { name: 'pulls', variant: 'v2' }],
        'conn-oauth2',
        {
          reset: true,
        },
      ),
    ).resolves.toEqual({ success: true });
    expect(sent()).toEqual({
      method: 'POST',
      url: '/sync/trigger',
      body: {
        provider_config_key: 'github',
        syncs: ['issues', { name: 'pulls', variant: 'v2' }],
        connection_id: 'conn-oauth2',
        opts: { reset: true, emptyCache: false },
      },
    });
    await suite.nango.triggerSync('github');
    expect(sent().body).toEqual({ provider_config_key: 'github', syncs: [] });
  });

  it('syncStatus GETs /sync/status', async () => {
    const { syncs } = await suite.nango.syncStatus('github', ['issues', 'pulls'], 'conn-oauth2');
    expect(last().url).toBe(
      '/sync/status?provider_config_key=github&syncs=issues%2Cpulls&connection_id=conn-oauth2',
    );
    expect(syncs.map((s) => [s.name, s.status])).toEqual([
      ['issues', 'SUCCESS'],
      ['pulls', 'SUCCESS'],
    ]);
    await suite.nango.syncStatus('github', '*');
    expect(last().query['syncs']).toBe('*');
  });

  it('errors', async () => {
    expect(await rejection(suite.nango.triggerSync('github', ['nope']))).toMatchObject({
      status: 400,
      code: 'invalid_body',
    });
    expect(await rejection(suite.nango.triggerSync('nope', []))).toBeInstanceOf(
      NangoIntegrationNotFoundError,
    );
    suite.standIn.clearRequests();
    await refused(
      suite.nango.syncStatus('github', []),
      /syncs must be '\*' \(every sync\) or a non-empty list/,
    );
    await refused(suite.nango.syncStatus('github', ['a,b']), /syncs\[0\] must not contain ","/);
    await refused(
      suite.nango.triggerSync('github', [], undefined, { emptyCache: true }),
      /emptyCache needs reset: true as well/,
    );
    await refused(suite.nango.triggerSync('github', 'issues' as never), /syncs must be a list/);
  });
});

describe('every new method', () => {
  it('rejects with NangoAuthenticationError under a wrong key, and never shows it', async () => {
    const ref = await Test.createTestingModule({
      imports: [NangoModule.forRoot({ secretKey: 'wrong-key-SECRET', host: suite.standIn.url })],
    }).compile();
    const other = ref.get(NangoService);
    try {
      const calls: Array<Promise<unknown>> = [
        other.deleteConnection('github', 'conn-oauth2'),
        other.setMetadata('github', 'conn-oauth2', {}),
        other.updateMetadata('github', 'conn-oauth2', {}),
        other.patchConnection('github', 'conn-oauth2', { tags: {} }),
        other.createConnectSession({}),
        other.createReconnectSession({ connection_id: 'c', integration_id: 'github' }),
        other.listIntegrations(),
        other.getIntegration('github'),
        other.triggerAction('github', 'conn-oauth2', 'a'),
        other.listRecords({ providerConfigKey: 'github', connectionId: 'c', model: 'M' }),
        other.triggerSync('github'),
        other.syncStatus('github', '*'),
      ];
      for (const call of calls) {
        const error = await rejection(call);
        expect(error).toBeInstanceOf(NangoAuthenticationError);
        expect(`${inspect(error)}${JSON.stringify(error)}`).not.toContain('wrong-key-SECRET');
      }
    } finally {
      await ref.close();
    }
  });

  it('takes a per-call timeout and AbortSignal', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await rejection(suite.nango.listIntegrations({ signal: controller.signal }));
    expect((error as Error).name).toBe('NangoAbortedError');
    await refused(suite.nango.listIntegrations({ timeout: 0 }), /timeout must be a whole number/);
  });
});
