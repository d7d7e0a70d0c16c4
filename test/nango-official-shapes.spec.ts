import 'reflect-metadata';
import { jest } from '@jest/globals';
import {
  NangoAbortedError,
  NangoTimeoutError,
  NangoInvalidArgumentError,
  signNangoWebhook,
  type NangoService,
} from '../lib/index.js';
import { NANGO_WAIT_FOR_CONNECTION } from '../lib/api/wait-for-connection.js';
import { StandInAnswers, type RecordedRequest } from '../lib/testing/index.js';
import { standInSuite } from './fixtures/stand-in-suite.js';

/**
 * The official client's shapes of methods NangoService already had, next to this package's
 * own shapes: both send the same request. Plus the proxy options of the official type,
 * waitForConnection and verifyIncomingWebhookRequest.
 */

const suite = standInSuite();
let nango: NangoService;

beforeEach(async () => {
  nango = await suite.service();
});

function last(): RecordedRequest {
  const request = suite.standIn.requests.at(-1);
  if (!request) throw new Error('the stand-in received no request');
  return request;
}

function body(): unknown {
  return JSON.parse(last().body);
}

/** Bad arguments fail before anything is sent: the stand-in sees no new request. */
async function refused(call: Promise<unknown>, message: RegExp): Promise<void> {
  const before = suite.standIn.requests.length;
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(NangoInvalidArgumentError);
  expect((error as Error).message).toMatch(message);
  expect(suite.standIn.requests).toHaveLength(before);
}

describe('listConnections', () => {
  it('takes the official (connectionId?, search?, queries?) shape', async () => {
    const list = await nango.listConnections(undefined, undefined, { endUserId: 'user-1' });
    expect(last().url).toBe('/connections?endUserId=user-1');
    expect(list.connections.map((c) => c.connection_id)).toEqual(['conn-oauth2']);

    await nango.listConnections('team/a?b#c d', 'a b', {
      endUserOrganizationId: 'org 1',
      limit: 5,
      page: 1,
    });
    expect(last().url).toBe(
      '/connections?connectionId=team%2Fa%3Fb%23c+d&search=a+b&endUserOrganizationId=org+1&limit=5&page=1',
    );
    await nango.listConnections(undefined, 'conn-api');
    expect(last().url).toBe('/connections?search=conn-api');
  });

  it('the project shape with call options is still told apart from the official one', async () => {
    await nango.listConnections(undefined, { timeout: 5000 });
    expect(last().url).toBe('/connections');
    await nango.listConnections('conn-apikey', { retry: false });
    expect(last().url).toBe('/connections?connectionId=conn-apikey');
    await nango.listConnections(undefined, undefined, undefined, { timeout: 5000 });
    expect(last().url).toBe('/connections');
  });

  it('filters by end-user organization and by a list of integrations', async () => {
    const list = await nango.listConnections({ integrationId: ['jira', 'twitter'] });
    expect(last().url).toBe('/connections?integrationId=jira%2Ctwitter');
    expect(list.connections.map((c) => c.connection_id).sort()).toEqual([
      'conn-apikey',
      'conn-oauth1',
    ]);
    await nango.listConnections({ endUserOrganizationId: 'org/1' });
    expect(last().url).toBe('/connections?endUserOrganizationId=org%2F1');
  });

  it('sends tag names as the official client does (lower case, displayName and email renamed)', async () => {
    await nango.listConnections({ tags: { Env: 'test', email: 'u1@example.com' } });
    expect(last().query).toEqual({ 'tags[env]': 'test', 'tags[end_user_email]': 'u1@example.com' });
  });

  it('refuses bad filters before sending', async () => {
    await refused(nango.listConnections({ integrationId: [] }), /integrationId must be/);
    await refused(nango.listConnections({ integrationId: ['a,b'] }), /must not contain ","/);
    await refused(
      nango.listConnections(undefined, undefined, { endUser: 'x' } as unknown as object),
      /queries has unknown field\(s\) endUser/,
    );
    await refused(
      nango.listConnections({ user: 'x' } as unknown as object),
      /filter has unknown field\(s\) user/,
    );
  });
});

describe('patchConnection', () => {
  it('the official (params, body) shape sends what the project shape sends', async () => {
    const patch = { tags: { team: 'b' } };
    await nango.patchConnection('github', 'team/a?b#c d', patch);
    const project = { method: last().method, url: last().url, body: body() };
    suite.standIn.clearRequests();
    await expect(
      nango.patchConnection({ connectionId: 'team/a?b#c d', provider_config_key: 'github' }, patch),
    ).resolves.toEqual({ success: true });
    expect({ method: last().method, url: last().url, body: body() }).toEqual(project);
    expect(project).toEqual({
      method: 'PATCH',
      url: '/connections/team%2Fa%3Fb%23c%20d?provider_config_key=github',
      body: patch,
    });
  });

  it('refuses official params without ids', async () => {
    await refused(
      nango.patchConnection({ provider_config_key: 'github' } as never, { tags: {} }),
      /connectionId must be a string/,
    );
  });
});

describe('getIntegration', () => {
  it('the official ({ uniqueKey }, { include }) shape sends what the project shape sends', async () => {
    suite.standIn.addIntegration('int/a b', 'github');
    const project = await nango.getIntegration('int/a b', ['webhook', 'credentials']);
    const projectUrl = last().url;
    const official = await nango.getIntegration(
      { uniqueKey: 'int/a b' },
      { include: ['webhook', 'credentials'] },
    );
    expect(last().url).toBe(projectUrl);
    expect(projectUrl).toBe('/integrations/int%2Fa%20b?include=webhook&include=credentials');
    expect(official).toEqual(project);
    await nango.getIntegration({ uniqueKey: 'int/a b' });
    expect(last().url).toBe('/integrations/int%2Fa%20b');
  });

  it('refuses official params without a key', async () => {
    await refused(nango.getIntegration({} as { uniqueKey: string }), /uniqueKey must be a string/);
  });
});

describe('triggerSync', () => {
  beforeEach(() => suite.standIn.addSyncs('github', 'issues'));

  it.each([
    ['full_refresh', 'full_refresh'],
    ['incremental', 'incremental'],
    [true, 'full_refresh'],
    [false, 'incremental'],
  ] as const)('a 4th argument %p is sent as sync_mode %p', async (mode, sent) => {
    await nango.triggerSync('github', ['issues'], 'conn-oauth2', mode);
    expect(body()).toEqual({
      provider_config_key: 'github',
      syncs: ['issues'],
      connection_id: 'conn-oauth2',
      sync_mode: sent,
    });
  });

  it('opts stay as they were', async () => {
    await nango.triggerSync('github', ['issues'], undefined, { reset: true });
    expect(body()).toEqual({
      provider_config_key: 'github',
      syncs: ['issues'],
      opts: { reset: true, emptyCache: false },
    });
  });

  it('refuses an unknown sync mode', async () => {
    await refused(
      nango.triggerSync('github', ['issues'], undefined, 'fast' as 'incremental'),
      /syncMode must be incremental, full_refresh or full_refresh_and_clear_cache/,
    );
  });
});

describe('syncStatus', () => {
  it('takes { name, variant } objects, sent as name::variant', async () => {
    suite.standIn.addSyncs('github', 'issues', 'prs');
    await nango.syncStatus('github', [{ name: 'issues', variant: 'v2' }, 'prs', { name: 'x' }]);
    expect(last().query).toEqual({ provider_config_key: 'github', syncs: 'issues::v2,prs,x' });
    await refused(nango.syncStatus('github', [{ name: 'a,b' }]), /syncs\[0\] must not contain ","/);
  });
});

describe('refreshGithubAppJwtToken', () => {
  it('getConnection takes it 5th and getToken 4th, as the official client', async () => {
    await nango.getConnection('github', 'team/a?b#c d', false, false, true);
    expect(last().url).toBe(
      '/connections/team%2Fa%3Fb%23c%20d?provider_config_key=github&force_refresh=false&refresh_token=false&refresh_github_app_jwt_token=true',
    );
    await expect(nango.getToken('github', 'conn-oauth2', false, true)).resolves.toBe(
      'gh-access-token-1',
    );
    expect(last().query['refresh_github_app_jwt_token']).toBe('true');
    // Call options still come last.
    await nango.getToken('github', 'conn-oauth2', false, { timeout: 5000 });
    expect(last().query['refresh_github_app_jwt_token']).toBeUndefined();
    await nango.getConnection('github', 'conn-oauth2', false, false, true, { timeout: 5000 });
    expect(last().query['refresh_github_app_jwt_token']).toBe('true');
  });

  it('a JWT refresh is never answered from the credential cache', async () => {
    const cached = await suite.service({ cache: { ttl: 60_000 } });
    await cached.getToken('github', 'conn-oauth2');
    await cached.getToken('github', 'conn-oauth2');
    expect(suite.standIn.count({ path: '/connections/conn-oauth2' })).toBe(1);
    await cached.getToken('github', 'conn-oauth2', false, true);
    expect(suite.standIn.count({ path: '/connections/conn-oauth2' })).toBe(2);
  });

  it('refuses a non-boolean flag', async () => {
    await refused(
      nango.getConnection('github', 'c', false, false, 'yes' as unknown as boolean),
      /refreshGithubAppJwtToken must be a boolean|options must be an object/,
    );
  });
});

describe('listRecords filter', () => {
  const params = { providerConfigKey: 'github', connectionId: 'conn-oauth2', model: 'Issue' };

  it('takes several values, as a comma list or an array', async () => {
    await nango.listRecords({ ...params, filter: 'added,updated' });
    expect(last().query['filter']).toBe('added,updated');
    await nango.listRecords({ ...params, filter: ['added', 'deleted'] });
    expect(last().query['filter']).toBe('added,deleted');
    await nango.listRecords({ ...params, filter: 'updated' });
    expect(last().url).toBe('/records?model=Issue&filter=updated');
  });

  it('refuses an unknown value', async () => {
    await refused(
      nango.listRecords({ ...params, filter: 'added,bogus' as 'added' }),
      /filter must be one of added, updated, deleted/,
    );
  });
});

describe('proxy options of the official type', () => {
  const base = { providerConfigKey: 'github', connectionId: 'conn-oauth2' };
  type Echo = { echo: { method: string; url: string; body: string } };

  it('sends forwardHeadersOnRedirect as Forward-Headers-On-Redirect', async () => {
    await nango.get({ ...base, endpoint: '/user', forwardHeadersOnRedirect: true });
    expect(last().headers['forward-headers-on-redirect']).toBe('true');
    await nango.get({ ...base, endpoint: '/user', forwardHeadersOnRedirect: false });
    expect(last().headers['forward-headers-on-redirect']).toBe('false');
    await nango.get({ ...base, endpoint: '/user' });
    expect(last().headers['forward-headers-on-redirect']).toBeUndefined();
  });

  it('takes params as a query string, with or without "?"', async () => {
    const a = await nango.get<Echo>({ ...base, endpoint: '/search', params: 'q=a,b&page=2' });
    expect(a.data.echo.url).toBe('/search?q=a,b&page=2');
    await nango.get({ ...base, endpoint: '/search', params: '?q=x y' });
    expect(last().url).toBe('/proxy/search?q=x%20y');
    await refused(
      nango.get({ ...base, endpoint: '/search?a=1', params: 'b=2' }),
      /cannot be combined with an endpoint that already has a query string/,
    );
    await refused(nango.get({ ...base, endpoint: '/s', params: 'a=1#frag' }), /fragment/);
  });

  it('sends PROPFIND and REPORT with their body', async () => {
    const xml = '<?xml version="1.0"?><propfind xmlns="DAV:"><allprop/></propfind>';
    const propfind = await nango.proxy<Echo>({
      ...base,
      endpoint: '/dav/calendars',
      method: 'PROPFIND',
      data: xml,
      headers: { 'Content-Type': 'application/xml', Depth: 1 },
    });
    expect(last().method).toBe('PROPFIND');
    expect(propfind.data.echo).toMatchObject({ method: 'PROPFIND', body: xml });
    await nango.proxy({ ...base, endpoint: '/dav/calendars', method: 'report', data: xml });
    expect(last().method).toBe('REPORT');
  });
});

describe('waitForConnection', () => {
  it('resolves with the connection as soon as the end user has one of the integration', async () => {
    const connection = await nango.waitForConnection('github', 'user-1');
    expect(connection).toMatchObject({
      connection_id: 'conn-oauth2',
      provider_config_key: 'github',
    });
    expect(suite.standIn.requests.map((r) => r.url)).toEqual(['/connections?endUserId=user-1']);
  });

  it('an abort while it waits between checks rejects at once, and no more checks go out', async () => {
    const controller = new AbortController();
    const pending = nango.waitForConnection('slack', 'user 1/a', { signal: controller.signal });
    const outcome = pending.then(
      () => 'resolved',
      (error: unknown) => error,
    );
    // The first check has gone out and found nothing: the 10 s wait before the second begins.
    while (suite.standIn.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 200));
    expect(suite.standIn.requests.map((r) => r.url)).toEqual(['/connections?endUserId=user+1%2Fa']);
    controller.abort();
    // Settled long before the 10 s wait would end (2 s here: a wide margin, whatever the load).
    const first = await Promise.race([
      outcome,
      new Promise((r) => setTimeout(() => r('still waiting'), 2000)),
    ]);
    expect(first).toBeInstanceOf(NangoAbortedError);
    expect(suite.standIn.requests).toHaveLength(1);
  });

  describe('polling, on fake timers (the HTTP stays real)', () => {
    afterEach(() => {
      jest.useRealTimers();
    });

    /** Lets real I/O run while setTimeout is fake. */
    const tick = () => new Promise((r) => setImmediate(r));

    /** Waits for the n-th check, then for the pause after it, then ends the pause. */
    async function nextCheck(n: number, delayMs: number): Promise<void> {
      while (suite.standIn.requests.length < n) await tick();
      while (jest.getTimerCount() === 0) await tick();
      await jest.advanceTimersByTimeAsync(delayMs);
    }

    it('checks again 10 s after the first check, then every 2 s, until the connection appears', async () => {
      jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
      suite.script({
        path: '/connections',
        times: 2,
        respond: StandInAnswers.json({ connections: [] }),
      });
      const pending = nango.waitForConnection('github', 'user-1');
      await nextCheck(1, NANGO_WAIT_FOR_CONNECTION.firstDelayMs);
      await nextCheck(2, NANGO_WAIT_FOR_CONNECTION.delayMs);
      await expect(pending).resolves.toMatchObject({ connection_id: 'conn-oauth2' });
      expect(suite.standIn.requests).toHaveLength(3);
      expect(NANGO_WAIT_FOR_CONNECTION).toEqual({
        attempts: 30,
        firstDelayMs: 10_000,
        delayMs: 2_000,
      });
    });

    it('gives up with NangoTimeoutError after 30 checks, as the official client does', async () => {
      jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
      suite.script({ path: '/connections', respond: StandInAnswers.json({ connections: [] }) });
      const outcome = nango.waitForConnection('github', 'user-1').then(
        () => 'resolved',
        (error: unknown) => error,
      );
      for (let n = 1; n <= 30; n++) {
        await nextCheck(n, n === 1 ? 10_000 : 2_000);
      }
      const error = await outcome;
      expect(error).toBeInstanceOf(NangoTimeoutError);
      expect((error as Error).message).toMatch(/after 30 checks \(68 s\)/);
      expect(suite.standIn.requests).toHaveLength(30);
    });
  });

  it('an aborted signal sends nothing', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      nango.waitForConnection('github', 'user-1', { signal: controller.signal }),
    ).rejects.toBeInstanceOf(NangoAbortedError);
    expect(suite.standIn.requests).toHaveLength(0);
  });

  it('refuses bad ids before sending', async () => {
    await refused(nango.waitForConnection('', 'user-1'), /integrationKey must not be empty/);
    await refused(nango.waitForConnection('github', ''), /userId must not be empty/);
  });
});

describe('verifyIncomingWebhookRequest', () => {
  const raw = JSON.stringify({ type: 'auth', connectionId: 'c1', success: true });

  it('checks X-Nango-Hmac-Sha256 (any case) against the secret key by default', async () => {
    const signature = signNangoWebhook(raw, suite.standIn.secretKey);
    expect(nango.verifyIncomingWebhookRequest(raw, { 'X-Nango-Hmac-Sha256': signature })).toBe(
      true,
    );
    expect(nango.verifyIncomingWebhookRequest(raw, { 'x-nango-hmac-sha256': signature })).toBe(
      true,
    );
    expect(
      nango.verifyIncomingWebhookRequest(Buffer.from(raw), { 'x-nango-hmac-sha256': signature }),
    ).toBe(true);
  });

  it('is false for a wrong, missing, malformed or listed signature, or another body', async () => {
    const signature = signNangoWebhook(raw, suite.standIn.secretKey);
    expect(
      nango.verifyIncomingWebhookRequest(`${raw} `, { 'x-nango-hmac-sha256': signature }),
    ).toBe(false);
    expect(nango.verifyIncomingWebhookRequest(raw, {})).toBe(false);
    expect(nango.verifyIncomingWebhookRequest(raw, { 'x-nango-hmac-sha256': 'zz' })).toBe(false);
    expect(nango.verifyIncomingWebhookRequest(raw, { 'x-nango-hmac-sha256': [signature] })).toBe(
      false,
    );
    expect(
      nango.verifyIncomingWebhookRequest(raw, {
        'x-nango-hmac-sha256': signNangoWebhook(raw, 'other'),
      }),
    ).toBe(false);
    expect(
      nango.verifyIncomingWebhookRequest({} as string, { 'x-nango-hmac-sha256': signature }),
    ).toBe(false);
  });

  it('uses webhookSigningKey when set (any key of a rotation), not the secret key', async () => {
    const service = await suite.service({ webhookSigningKey: ['old-key', 'new-key'] });
    const header = (key: string) => ({ 'x-nango-hmac-sha256': signNangoWebhook(raw, key) });
    expect(service.verifyIncomingWebhookRequest(raw, header('old-key'))).toBe(true);
    expect(service.verifyIncomingWebhookRequest(raw, header('new-key'))).toBe(true);
    expect(service.verifyIncomingWebhookRequest(raw, header(suite.standIn.secretKey))).toBe(false);
  });
});
