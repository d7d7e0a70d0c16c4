import 'reflect-metadata';
import {
  NangoService,
  NangoAsyncActionPendingError,
  NangoConnectionNotFoundError,
  NangoFunctionNotFoundError,
  NangoIntegrationNotFoundError,
  NangoProviderNotFoundError,
  NangoRequestError,
} from '../lib/index.js';
import { sharedStandInService } from './fixtures/stand-in-suite.js';
import { rejection, sentRequests } from './fixtures/sent-requests.js';

/**
 * The methods of the official client that NangoService gained, over real HTTP against the
 * stand-in: each request as sent (ids with `/` and spaces percent-encoded), the result as the
 * official client returns it, failures as NangoError subclasses naming what was not found.
 */

const suite = sharedStandInService();

const { last, sent, refused } = sentRequests(() => suite.standIn);

describe('providers', () => {
  it('listProviders sends GET /providers, with search when given', async () => {
    const all = await suite.nango.listProviders();
    expect(sent()).toEqual({ method: 'GET', url: '/providers', body: undefined });
    expect(all.data.map((p) => p.name)).toContain('github');
    const some = await suite.nango.listProviders({ search: 'git hub' });
    expect(last().url).toBe('/providers?search=git+hub');
    expect(some.data).toEqual([]);
    await suite.nango.listProviders({ search: 'git' });
    expect(last().url).toBe('/providers?search=git');
  });

  it('getProvider and getProviderTemplates encode the provider into the path', async () => {
    suite.standIn.addProvider({
      name: 'my/provider x',
      display_name: 'Mine',
      templates: [{ name: 'issues', type: 'sync' }],
    });
    const one = await suite.nango.getProvider({ provider: 'my/provider x' });
    expect(sent()).toEqual({ method: 'GET', url: '/providers/my%2Fprovider%20x', body: undefined });
    expect(one.data).toMatchObject({ name: 'my/provider x', display_name: 'Mine' });
    const templates = await suite.nango.getProviderTemplates({ provider: 'my/provider x' });
    expect(last().url).toBe('/providers/my%2Fprovider%20x/templates');
    expect(templates.data).toEqual([{ name: 'issues', type: 'sync' }]);
  });

  it('an unknown provider is NangoProviderNotFoundError naming it, not a connection error', async () => {
    const error = await rejection(suite.nango.getProvider({ provider: 'no such' }));
    expect(error).toBeInstanceOf(NangoProviderNotFoundError);
    expect(error).not.toBeInstanceOf(NangoConnectionNotFoundError);
    expect(error).toMatchObject({ status: 404, provider: 'no such', operation: 'getProvider' });
    expect((error as Error).message).toMatch(/no provider "no such"/);
    expect((error as Error).message).not.toMatch(/undefined/);
    await expect(suite.nango.getProviderTemplates({ provider: 'nope' })).rejects.toBeInstanceOf(
      NangoProviderNotFoundError,
    );
  });

  it('refuses bad arguments before sending', async () => {
    await refused(
      suite.nango.getProvider({ provider: '' }),
      /getProvider\(\): provider must not be empty/,
    );
    await refused(
      suite.nango.getProvider(undefined as unknown as { provider: string }),
      /params must be an object/,
    );
    await refused(
      suite.nango.listProviders({ q: 'x' } as unknown as { search: string }),
      /unknown field\(s\) q/,
    );
  });
});

describe('integration changes', () => {
  const key = 'team/a b';

  it('createIntegration POSTs the body as given and returns Nango body', async () => {
    const body = {
      provider: 'github',
      unique_key: key,
      display_name: 'GitHub A',
      credentials: { type: 'OAUTH2', client_id: 'id', client_secret: 'secret', scopes: 'repo' },
    };
    const created = await suite.nango.createIntegration(body);
    expect(sent()).toEqual({ method: 'POST', url: '/integrations', body });
    expect(created.data).toMatchObject({ unique_key: key, provider: 'github' });
    await expect(suite.nango.getIntegration(key)).resolves.toMatchObject({
      data: { unique_key: key },
    });
    expect(last().url).toBe('/integrations/team%2Fa%20b');
  });

  it('a duplicate key is refused by Nango as a NangoRequestError', async () => {
    const error = await rejection(
      suite.nango.createIntegration({ provider: 'github', unique_key: 'github' }),
    );
    expect(error).toBeInstanceOf(NangoRequestError);
    expect(error).toMatchObject({ status: 400, code: 'invalid_body' });
  });

  it('createQuickstartIntegration POSTs /integrations/quickstart', async () => {
    const body = { provider: 'slack', unique_key: 'slack quick/1' };
    const created = await suite.nango.createQuickstartIntegration(body);
    expect(sent()).toEqual({ method: 'POST', url: '/integrations/quickstart', body });
    expect(created.data.unique_key).toBe('slack quick/1');
  });

  it('updateIntegration PATCHes /integrations/{uniqueKey}', async () => {
    suite.standIn.addIntegration('upd/a b', 'github');
    const updated = await suite.nango.updateIntegration(
      { uniqueKey: 'upd/a b' },
      { display_name: 'X' },
    );
    expect(sent()).toEqual({
      method: 'PATCH',
      url: '/integrations/upd%2Fa%20b',
      body: { display_name: 'X' },
    });
    expect(updated.data).toMatchObject({ unique_key: 'upd/a b', display_name: 'X' });
  });

  it('deleteIntegration DELETEs and resolves with the body; unknown keys name the integration', async () => {
    suite.standIn.addIntegration('del/a b', 'github');
    await expect(suite.nango.deleteIntegration('del/a b')).resolves.toEqual({ success: true });
    expect(sent()).toEqual({ method: 'DELETE', url: '/integrations/del%2Fa%20b', body: undefined });
    const error = await rejection(suite.nango.deleteIntegration('del/a b'));
    expect(error).toBeInstanceOf(NangoIntegrationNotFoundError);
    expect(error).toMatchObject({ status: 404, providerConfigKey: 'del/a b' });
    expect((error as Error).message).toMatch(/no integration "del\/a b"/);
    await expect(
      suite.nango.updateIntegration({ uniqueKey: 'nope' }, { display_name: 'x' }),
    ).rejects.toBeInstanceOf(NangoIntegrationNotFoundError);
  });

  it('refuses bad bodies before sending', async () => {
    await refused(
      suite.nango.createIntegration({ provider: 'github' } as unknown as {
        provider: string;
        unique_key: string;
      }),
      /body\.unique_key must be a string/,
    );
    await refused(
      suite.nango.createQuickstartIntegration({
        provider: 'github',
        unique_key: 'k',
        credentials: {},
      } as unknown as { provider: string; unique_key: string }),
      /unknown field\(s\) credentials/,
    );
    await refused(suite.nango.updateIntegration({ uniqueKey: 'k' }, {}), /must change something/);
    await refused(suite.nango.deleteIntegration(''), /providerConfigKey must not be empty/);
  });
});

describe('functions', () => {
  const key = 'fn/int egration';

  beforeEach(() => {
    suite.standIn.addFunction(key, {
      name: 'fetch issues/v2',
      type: 'sync',
      code: 'export default 1;',
    });
    suite.standIn.addFunction(key, { name: 'create-issue', type: 'action' });
    suite.standIn.clearRequests();
  });

  it('listFunctions sends the filters as query parameters', async () => {
    const list = await suite.nango.listFunctions(
      { uniqueKey: key },
      { type: 'sync', limit: 5, page: 0 },
    );
    expect(sent()).toEqual({
      method: 'GET',
      url: '/integrations/fn%2Fint%20egration/functions?type=sync&page=0&limit=5',
      body: undefined,
    });
    expect(list.data.map((f) => f.name)).toEqual(['fetch issues/v2']);
    expect(list.pagination).toEqual({ total: 1, page: 0, limit: 5 });
    await suite.nango.listFunctions({ uniqueKey: key });
    expect(last().url).toBe('/integrations/fn%2Fint%20egration/functions');
  });

  it('getFunction and getFunctionCode encode both ids', async () => {
    const fn = await suite.nango.getFunction({ uniqueKey: key, name: 'fetch issues/v2' });
    expect(last().url).toBe('/integrations/fn%2Fint%20egration/functions/fetch%20issues%2Fv2');
    expect(fn.data).toMatchObject({ name: 'fetch issues/v2', type: 'sync' });
    const code = await suite.nango.getFunctionCode(
      { uniqueKey: key, name: 'fetch issues/v2' },
      { type: 'sync' },
    );
    expect(last().url).toBe(
      '/integrations/fn%2Fint%20egration/functions/fetch%20issues%2Fv2/code?type=sync',
    );
    expect(code).toEqual({ type: 'sync', code: 'export default 1;' });
  });

  it('an unknown function is NangoFunctionNotFoundError naming it and its integration', async () => {
    const error = await rejection(suite.nango.getFunction({ uniqueKey: key, name: 'nope' }));
    expect(error).toBeInstanceOf(NangoFunctionNotFoundError);
    expect(error).toMatchObject({ status: 404, functionName: 'nope', providerConfigKey: key });
    expect((error as Error).message).toMatch(/"fn\/int egration" has no function "nope"/);
    await expect(
      suite.nango.getFunctionCode({ uniqueKey: key, name: 'nope' }),
    ).rejects.toBeInstanceOf(NangoFunctionNotFoundError);
    await expect(suite.nango.listFunctions({ uniqueKey: 'no such' })).rejects.toBeInstanceOf(
      NangoIntegrationNotFoundError,
    );
  });

  it('deleteFunction needs the type and sends it', async () => {
    await refused(
      suite.nango.deleteFunction(
        { uniqueKey: key, name: 'create-issue' },
        {} as unknown as { type: 'action' },
      ),
      /type is required/,
    );
    const result = await suite.nango.deleteFunction(
      { uniqueKey: key, name: 'create-issue' },
      { type: 'action' },
    );
    expect(sent()).toEqual({
      method: 'DELETE',
      url: '/integrations/fn%2Fint%20egration/functions/create-issue?type=action',
      body: undefined,
    });
    expect(result).toEqual({ data: { success: true } });
    await expect(
      suite.nango.deleteFunction({ uniqueKey: key, name: 'create-issue' }, { type: 'action' }),
    ).rejects.toBeInstanceOf(NangoFunctionNotFoundError);
  });

  it('refuses bad arguments before sending', async () => {
    await refused(
      suite.nango.listFunctions({ uniqueKey: key }, { limit: 101 }),
      /limit must be a whole number from 1 to 100/,
    );
    await refused(
      suite.nango.getFunction({ uniqueKey: key, name: '..' }),
      /getFunction\(\): name must not be "\.\."/,
    );
    await refused(
      suite.nango.getFunction({ uniqueKey: key, name: 'x' }, { type: 'job' as 'sync' }),
      /type must be one of action, sync, on-event/,
    );
  });
});

describe('getRawTokenResponse', () => {
  it('returns credentials.raw of GET /connections/{id}', async () => {
    await expect(suite.nango.getRawTokenResponse('github', 'team/a?b#c d')).resolves.toEqual({});
    expect(last().url).toBe(
      '/connections/team%2Fa%3Fb%23c%20d?provider_config_key=github&force_refresh=false&refresh_token=false',
    );
    await expect(suite.nango.getRawTokenResponse('github', 'conn-oauth2')).resolves.toEqual({
      access_token: 'gh-access-token-1',
      token_type: 'bearer',
    });
  });

  it('takes refreshGithubAppJwtToken 4th, as the official client does', async () => {
    await suite.nango.getRawTokenResponse('github', 'conn-oauth2', false, true, { timeout: 5000 });
    expect(last().query).toMatchObject({ refresh_github_app_jwt_token: 'true' });
  });
});

describe('getScriptsConfig', () => {
  it('sends format=nango by default, openai when asked', async () => {
    suite.standIn.addSyncs('github', 'issues');
    suite.standIn.addAction('github', 'create-issue', () => ({ ok: true }));
    const config = await suite.nango.getScriptsConfig();
    expect(sent()).toEqual({ method: 'GET', url: '/scripts/config?format=nango', body: undefined });
    expect(Array.isArray(config)).toBe(true);
    expect(config).toEqual(
      expect.arrayContaining([expect.objectContaining({ providerConfigKey: 'github' })]),
    );
    const openai = await suite.nango.getScriptsConfig('openai');
    expect(last().url).toBe('/scripts/config?format=openai');
    expect(openai).toEqual({
      data: expect.arrayContaining([expect.objectContaining({ name: 'create-issue' })]),
    });
    suite.standIn.clearRequests();
    await refused(
      suite.nango.getScriptsConfig('yaml' as 'nango'),
      /format must be one of nango, openai/,
    );
  });
});

describe('pruneRecords', () => {
  it('PATCHes /records/prune with the connection in headers', async () => {
    suite.standIn.seedRecords({
      providerConfigKey: 'github',
      connectionId: 'team/a?b#c d',
      model: 'Issue',
      variant: 'v2',
      records: [
        { id: '1', title: 'a' },
        { id: '2', title: 'b' },
      ],
    });
    const page = await suite.nango.listRecords({
      providerConfigKey: 'github',
      connectionId: 'team/a?b#c d',
      model: 'Issue',
      variant: 'v2',
    });
    const untilCursor = page.records[0]?._nango_metadata.cursor as string;
    suite.standIn.clearRequests();
    const result = await suite.nango.pruneRecords({
      providerConfigKey: 'github',
      connectionId: 'team/a?b#c d',
      model: 'Issue',
      untilCursor,
      limit: 10,
      variant: 'v2',
    });
    expect(result).toEqual({ count: 1, has_more: false });
    expect(sent()).toEqual({
      method: 'PATCH',
      url: '/records/prune',
      body: { model: 'Issue', until_cursor: untilCursor, limit: 10, variant: 'v2' },
    });
    expect(last().headers).toMatchObject({
      'connection-id': 'team/a?b#c d',
      'provider-config-key': 'github',
    });
  });

  it('refuses a missing cursor before sending', async () => {
    await refused(
      suite.nango.pruneRecords({
        providerConfigKey: 'github',
        connectionId: 'c',
        model: 'Issue',
      } as unknown as Parameters<NangoService['pruneRecords']>[0]),
      /untilCursor must be a cursor/,
    );
  });
});

describe('sync schedule, frequency and variants', () => {
  beforeEach(() => {
    suite.standIn.addSyncs('github', 'issues', 'my sync');
    suite.standIn.clearRequests();
  });

  it('startSync and pauseSync POST the syncs and the connection', async () => {
    await expect(
      suite.nango.startSync(
        'github',
        ['issues', { name: 'my sync', variant: 'v2' }],
        'team/a?b#c d',
      ),
    ).resolves.toEqual({ success: true });
    expect(sent()).toEqual({
      method: 'POST',
      url: '/sync/start',
      body: {
        syncs: ['issues', { name: 'my sync', variant: 'v2' }],
        provider_config_key: 'github',
        connection_id: 'team/a?b#c d',
      },
    });
    await expect(suite.nango.pauseSync('github', ['issues'])).resolves.toEqual({ success: true });
    expect(sent()).toEqual({
      method: 'POST',
      url: '/sync/pause',
      body: { syncs: ['issues'], provider_config_key: 'github' },
    });
  });

  it('startSync refuses an empty or missing list, as the official client does', async () => {
    await refused(suite.nango.startSync('github', []), /startSync\(\): syncs must be a list/);
    await refused(
      suite.nango.pauseSync('github', undefined as unknown as string[]),
      /pauseSync\(\): syncs must be a list/,
    );
  });

  it('updateSyncConnectionFrequency PUTs the sync name, variant and frequency', async () => {
    await expect(
      suite.nango.updateSyncConnectionFrequency(
        'github',
        { name: 'my sync', variant: 'v2' },
        'team/a?b#c d',
        'every 5 minutes',
      ),
    ).resolves.toEqual({ frequency: 'every 5 minutes' });
    expect(sent()).toEqual({
      method: 'PUT',
      url: '/sync/update-connection-frequency',
      body: {
        sync_name: 'my sync',
        sync_variant: 'v2',
        provider_config_key: 'github',
        connection_id: 'team/a?b#c d',
        frequency: 'every 5 minutes',
      },
    });
    await suite.nango.updateSyncConnectionFrequency('github', 'issues', 'conn-oauth2', null);
    expect(sent().body).toEqual({
      sync_name: 'issues',
      provider_config_key: 'github',
      connection_id: 'conn-oauth2',
      frequency: null,
    });
  });

  it('createSyncVariant and deleteSyncVariant encode name and variant into the path', async () => {
    const props = {
      provider_config_key: 'github',
      connection_id: 'team/a?b#c d',
      name: 'my sync',
      variant: 'v/2',
    };
    const created = await suite.nango.createSyncVariant(props);
    expect(sent()).toEqual({
      method: 'POST',
      url: '/sync/my%20sync/variant/v%2F2',
      body: { provider_config_key: 'github', connection_id: 'team/a?b#c d' },
    });
    expect(created).toMatchObject({ name: 'my sync', variant: 'v/2' });
    await expect(suite.nango.deleteSyncVariant(props)).resolves.toEqual({ success: true });
    expect(sent()).toEqual({
      method: 'DELETE',
      url: '/sync/my%20sync/variant/v%2F2',
      body: { provider_config_key: 'github', connection_id: 'team/a?b#c d' },
    });
    suite.standIn.clearRequests();
    await refused(
      suite.nango.createSyncVariant({ ...props, variant: '' }),
      /variant must not be empty/,
    );
  });
});

describe('getEnvironmentVariables', () => {
  it('returns the list, [] when there is none', async () => {
    await expect(suite.nango.getEnvironmentVariables()).resolves.toEqual([]);
    expect(sent()).toEqual({ method: 'GET', url: '/environment-variables', body: undefined });
    suite.standIn.setEnvironmentVariables([{ name: 'REGION', value: 'eu' }]);
    await expect(suite.nango.getEnvironmentVariables()).resolves.toEqual([
      { name: 'REGION', value: 'eu' },
    ]);
  });
});

describe('asynchronous actions', () => {
  beforeEach(() => {
    suite.standIn.addAction('github', 'echo', (input) => ({ echoed: input }));
    suite.standIn.clearRequests();
  });

  it('triggerActionAsync sends X-Async and getAsyncActionResult fetches the output', async () => {
    const started = await suite.nango.triggerActionAsync('github', 'team/a?b#c d', 'echo', {
      n: 1,
    });
    expect(sent()).toEqual({
      method: 'POST',
      url: '/action/trigger',
      body: { action_name: 'echo', input: { n: 1 } },
    });
    expect(last().headers).toMatchObject({
      'x-async': 'true',
      'connection-id': 'team/a?b#c d',
      'provider-config-key': 'github',
    });
    expect(started).toEqual({ id: expect.any(String), statusUrl: `/action/${started.id}` });
    await expect(
      suite.nango.getAsyncActionResult({ statusUrl: started.statusUrl }),
    ).resolves.toEqual({
      echoed: { n: 1 },
    });
    expect(sent()).toEqual({ method: 'GET', url: `/action/${started.id}`, body: undefined });
    await expect(suite.nango.getAsyncActionResult({ id: started.id })).resolves.toEqual({
      echoed: { n: 1 },
    });
  });

  it('a result not ready (or unknown) is NangoAsyncActionPendingError naming the id', async () => {
    const error = await rejection(suite.nango.getAsyncActionResult({ id: 'no such/id' }));
    expect(last().url).toBe('/action/no%20such%2Fid');
    expect(error).toBeInstanceOf(NangoAsyncActionPendingError);
    expect(error).not.toBeInstanceOf(NangoConnectionNotFoundError);
    expect(error).toMatchObject({ status: 404, actionId: 'no such/id' });
  });

  it('refuses a statusUrl that is not an action path, or no id at all', async () => {
    await refused(
      suite.nango.getAsyncActionResult({ statusUrl: 'https://elsewhere.example/action/1' }),
      /statusUrl must be the statusUrl triggerActionAsync\(\) returned/,
    );
    await refused(
      suite.nango.getAsyncActionResult({ statusUrl: '/action/../connections' }),
      /statusUrl must be/,
    );
    await refused(suite.nango.getAsyncActionResult({}), /needs an id or a statusUrl/);
  });
});
