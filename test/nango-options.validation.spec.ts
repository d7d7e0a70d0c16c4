import 'reflect-metadata';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { inspect } from 'node:util';
import { NangoConfigurationError } from '../lib/index.js';
import { resolveNangoOptions } from '../lib/nango-options.validation.js';

// Pins every line, and the order of the lines, that the module options' validation gives: a
// refactoring of the rules (lib/options/) must leave all of them as they are. (A row's optional
// instance name is a rest parameter: jest takes a test function with more parameters than its
// row for one that waits for a `done` callback.)

const K = 'sk-SECRET-0f3c';
const good = Buffer.alloc(32, 7).toString('base64');
const KEY =
  'must be a non-empty string of printable characters without spaces (the Nango environment secret key)';
const REQUIRED =
  '- secretKey: is required: set secretKey (or apiKey) to the Nango environment secret key';
const DIFFER = '- apiKey: and secretKey are both set, to different values: set only one of them';
const HOST =
  '- host: must be an http(s) URL such as https://api.nango.dev or http://localhost:3003';
const SIGNING =
  '- webhookSigningKey: must be a non-empty string of printable characters without spaces, or a list of 1 to 10 of them (the webhook signing keys)';
const TIMEOUT = '- timeout: must be a whole number of milliseconds from 1 to 600000';

const rejected: Array<[string, unknown, string[], string?]> = [
  [
    'undefined',
    undefined,
    ['- options: must be an object such as { secretKey: process.env.NANGO_SECRET_KEY }'],
  ],
  [
    'null',
    null,
    ['- options: must be an object such as { secretKey: process.env.NANGO_SECRET_KEY }'],
  ],
  [
    'array',
    [],
    ['- options: must be an object such as { secretKey: process.env.NANGO_SECRET_KEY }'],
  ],
  [
    'string',
    'x',
    ['- options: must be an object such as { secretKey: process.env.NANGO_SECRET_KEY }'],
  ],
  ['empty', {}, [REQUIRED]],
  ['empty, of a named instance', {}, [REQUIRED], 'prod'],
  ['both differ', { secretKey: K, apiKey: K + 'x' }, [DIFFER]],
  ['secretKey null', { secretKey: null }, [REQUIRED]],
  ['both keys null', { secretKey: null, apiKey: null }, [REQUIRED]],
  ['secretKey empty api', { secretKey: '', apiKey: K }, [`- secretKey: ${KEY}`, DIFFER]],
  ['secretKey 42', { secretKey: 42 }, [`- secretKey: ${KEY}`]],
  ['secretKey space', { secretKey: 'a b' }, [`- secretKey: ${KEY}`]],
  ['apiKey space', { apiKey: 'a b' }, [`- apiKey: ${KEY}`]],
  ['host bad no key', { host: 'nope' }, [HOST, REQUIRED]],
  [
    'host bad timeout 0 nokey',
    { host: 'nope', timeout: 0, userAgent: 'x\n' },
    [HOST, TIMEOUT, '- userAgent: must be a string of printable characters, at most 200', REQUIRED],
  ],
  [
    'many + differ',
    {
      secretKey: K,
      apiKey: 'b',
      host: 'x',
      webhookSigningKey: [],
      cache: { ttl: 0, size: 1 },
      retry: 'x',
      httpAgent: {},
    },
    [
      HOST,
      '- cache.size: is not a NangoModule option',
      '- cache.ttl: must be a whole number of milliseconds from 1 to 300000',
      '- retry: must be false or an object such as { retries: 2 }',
      '- retry: nested property retry must be either object or array',
      '- httpAgent: must be an http.Agent',
      DIFFER,
      SIGNING,
    ],
  ],
  [
    'unknown first',
    { secretKey: K, zzz: 1, host: 'x', aaa: 2 },
    ['- zzz: is not a NangoModule option', '- aaa: is not a NangoModule option', HOST],
  ],
  ['unknown and no key', { zzz: 1 }, ['- zzz: is not a NangoModule option', REQUIRED]],
  ['host ftp', { secretKey: K, host: 'ftp://x' }, [HOST]],
  ['host 42', { secretKey: K, host: 42 }, [HOST]],
  ['timeout 1.5', { secretKey: K, timeout: 1.5 }, [TIMEOUT]],
  ['timeout a string', { secretKey: K, timeout: '3' }, [TIMEOUT]],
  ['timeout NaN', { secretKey: K, timeout: NaN }, [TIMEOUT]],
  [
    'ua empty',
    { secretKey: K, userAgent: '' },
    ['- userAgent: must be a string of printable characters, at most 200'],
  ],
  [
    'ua long',
    { secretKey: K, userAgent: 'a'.repeat(201) },
    ['- userAgent: must be a string of printable characters, at most 200'],
  ],
  [
    'ua 42',
    { secretKey: K, userAgent: 42 },
    ['- userAgent: must be a string of printable characters, at most 200'],
  ],
  [
    'dc str',
    { secretKey: K, defaultConnection: 'user' },
    [
      '- defaultConnection: must be an object such as { connectionId: (ctx) => ctx.switchToHttp().getRequest().user.id }',
    ],
  ],
  [
    'dc bad keys',
    {
      secretKey: K,
      defaultConnection: { connection: 'x', connectionId: { cookie: 's' }, providerConfigKey: 5 },
    },
    [
      `- defaultConnection: has an unknown key "connection"; it takes providerConfigKey and connectionId; .providerConfigKey must be a string, { param: 'name' }, { header: 'name' }, { query: 'name' }, { arg: 'name' } or a function (ctx) => string; .connectionId has keys [cookie]; it must be a string, { param: 'name' }, { header: 'name' }, { query: 'name' }, { arg: 'name' } or a function (ctx) => string`,
    ],
  ],
  ['webhookSigningKey empty list', { secretKey: K, webhookSigningKey: [] }, [SIGNING]],
  [
    'wsk empty list + host',
    { secretKey: K, webhookSigningKey: [], host: 'x', httpsAgent: 1 },
    [HOST, '- httpsAgent: must be an https.Agent', SIGNING],
  ],
  [
    'webhookSigningKey 11',
    { secretKey: K, webhookSigningKey: Array.from({ length: 11 }, () => 'k') },
    [SIGNING],
  ],
  [
    'wsk 11 bad',
    { secretKey: K, webhookSigningKey: Array.from({ length: 11 }, () => 'k k'), host: 'x' },
    [HOST, SIGNING],
  ],
  ['webhookSigningKey 42', { secretKey: K, webhookSigningKey: 42, host: 'x' }, [HOST, SIGNING]],
  [
    'webhookSigningKey obj',
    { secretKey: K, webhookSigningKey: { a: 'b' }, host: 'x' },
    [HOST, SIGNING],
  ],
  ['webhookSigningKey empty', { secretKey: K, webhookSigningKey: '' }, [SIGNING]],
  [
    'wsk space list',
    { secretKey: K, webhookSigningKey: ['a', 'b c', 3], host: 'x' },
    [HOST, SIGNING],
  ],
  ['webhookSigningKey null', { secretKey: K, webhookSigningKey: null }, [SIGNING]],
  ['webhookSigningKey set', { secretKey: K, webhookSigningKey: new Set(['a']) }, [SIGNING]],
  [
    'cache true',
    { secretKey: K, cache: true },
    [
      '- cache: must be false or an object such as { ttl: 60000 }',
      '- cache: nested property cache must be either object or array',
    ],
  ],
  [
    'cache array',
    { secretKey: K, cache: [] },
    ['- cache: must be false or an object such as { ttl: 60000 }'],
  ],
  [
    'cache str',
    { secretKey: K, cache: 'x' },
    [
      '- cache: must be false or an object such as { ttl: 60000 }',
      '- cache: nested property cache must be either object or array',
    ],
  ],
  [
    'cache empty',
    { secretKey: K, cache: {} },
    ['- cache.ttl: must be a whole number of milliseconds from 1 to 300000'],
  ],
  [
    'cache all bad',
    {
      secretKey: K,
      cache: {
        zz: 1,
        ttl: 1.5,
        store: {},
        storeTimeout: 0,
        encryptionKey: 'x',
        safetyMarginMs: -1,
        keyPrefix: 'a b',
        aa: 2,
      },
    },
    [
      '- cache.zz: is not a NangoModule option',
      '- cache.aa: is not a NangoModule option',
      '- cache.ttl: must be a whole number of milliseconds from 1 to 300000',
      '- cache.store: must be a credential store with get(key), set(key, value, ttlMs) and delete(key) (or del(key)) methods (a Keyv instance or a cache-manager cache fits)',
      '- cache.storeTimeout: must be a whole number of milliseconds from 1 to 10000',
      '- cache.encryptionKey: must be the base64 of 32 random bytes (openssl rand -base64 32), or a list of 1 to 10 of them (the first encrypts)',
      '- cache.safetyMarginMs: must be a whole number of milliseconds from 0 to 3600000',
      '- cache.keyPrefix: must be a string of printable characters without spaces, at most 100',
    ],
  ],
  [
    'cache ttl null',
    { secretKey: K, cache: { ttl: null } },
    ['- cache.ttl: must be a whole number of milliseconds from 1 to 300000'],
  ],
  [
    'cache keyPrefix long',
    { secretKey: K, cache: { ttl: 5, keyPrefix: 'a'.repeat(101) } },
    ['- cache.keyPrefix: must be a string of printable characters without spaces, at most 100'],
  ],
  [
    'cache keyPrefix 5',
    { secretKey: K, cache: { ttl: 5, keyPrefix: 5 } },
    ['- cache.keyPrefix: must be a string of printable characters without spaces, at most 100'],
  ],
  [
    'cache enc []',
    { secretKey: K, cache: { ttl: 5, encryptionKey: [] } },
    [
      '- cache.encryptionKey: must be the base64 of 32 random bytes (openssl rand -base64 32), or a list of 1 to 10 of them (the first encrypts)',
    ],
  ],
  [
    'retry all bad',
    {
      secretKey: K,
      retry: { x: 1, retries: 11, minDelayMs: 0, maxDelayMs: 300001, maxTotalDelayMs: -1 },
    },
    [
      '- retry.x: is not a NangoModule option',
      '- retry.retries: must be a whole number of retries from 0 to 10',
      '- retry.minDelayMs: must be a whole number of milliseconds from 1 to 60000',
      '- retry.maxDelayMs: must be a whole number of milliseconds from 1 to 300000',
      '- retry.maxTotalDelayMs: must be a whole number of milliseconds from 0 to 600000',
    ],
  ],
  [
    'retry true',
    { secretKey: K, retry: true },
    [
      '- retry: must be false or an object such as { retries: 2 }',
      '- retry: nested property retry must be either object or array',
    ],
  ],
  [
    'retry array',
    { secretKey: K, retry: [1] },
    [
      '- retry: must be false or an object such as { retries: 2 }',
      '- retry.0: nested property retry must be either object or array',
    ],
  ],
  [
    'agents swapped',
    { secretKey: K, httpAgent: new HttpsAgent(), httpsAgent: new HttpAgent() },
    ['- httpsAgent: must be an https.Agent'],
  ],
  [
    'two bad fields, of a named instance',
    { secretKey: 'has space', timeout: -1 },
    [`- secretKey: ${KEY}`, TIMEOUT],
    'prod',
  ],
  [
    'nokey, wsk [], cache bad',
    { cache: { ttl: 0 }, webhookSigningKey: [] },
    ['- cache.ttl: must be a whole number of milliseconds from 1 to 300000', REQUIRED, SIGNING],
  ],
  [
    'differ, wsk 11',
    { secretKey: 'a', apiKey: 'b', webhookSigningKey: Array.from({ length: 11 }, () => 'k') },
    [DIFFER, SIGNING],
  ],
  ['isGlobal', { secretKey: K, isGlobal: true }, ['- isGlobal: is not a NangoModule option']],
  ['name key', { secretKey: K, name: 'x' }, ['- name: is not a NangoModule option']],
];

describe('resolveNangoOptions', () => {
  it.each(rejected)('refuses %s, line by line and in order', (_label, raw, lines, ...[name]) => {
    let error: unknown;
    try {
      resolveNangoOptions(raw, name);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NangoConfigurationError);
    const configError = error as NangoConfigurationError;
    const of = name === undefined ? '' : ` of instance "${name}"`;
    expect(configError.message).toBe([`Invalid NangoModule options${of}:`, ...lines].join('\n'));
    const fields = lines.map((line) => line.slice(2, line.indexOf(': ')));
    expect(configError.fields).toEqual([...new Set(fields)]);
    for (const text of [configError.message, JSON.stringify(configError), inspect(configError)]) {
      expect(text).not.toContain(K);
    }
  });

  const accepted: Array<[string, unknown, string?]> = [
    ['key', { secretKey: K }],
    ['apiKey', { apiKey: K }],
    ['both same', { secretKey: K, apiKey: K }],
    ['secretKey null api', { secretKey: null, apiKey: K }],
    ['host ok slash', { secretKey: K, host: 'http://localhost:3003/' }],
    ['host null', { secretKey: K, host: null }],
    ['timeout null', { secretKey: K, timeout: null }],
    ['timeout max', { secretKey: K, timeout: 600000 }],
    ['userAgent ok', { secretKey: K, userAgent: 'my app/1' }],
    ['defaultConnection ok', { secretKey: K, defaultConnection: { connectionId: 'c' } }],
    ['defaultConnection null', { secretKey: K, defaultConnection: null }],
    ['webhookSigningKey ok', { secretKey: K, webhookSigningKey: 'w' }],
    ['webhookSigningKey list', { secretKey: K, webhookSigningKey: ['a', 'b'] }],
    ['cache false', { secretKey: K, cache: false }],
    ['cache null', { secretKey: K, cache: null }],
    ['cache ok', { secretKey: K, cache: { ttl: 1000 } }],
    [
      'cache full',
      {
        secretKey: K,
        cache: {
          ttl: 1000,
          storeTimeout: 5,
          safetyMarginMs: 0,
          keyPrefix: 'p',
          encryptionKey: good,
        },
      },
    ],
    ['cache keys list', { secretKey: K, cache: { ttl: 1000, encryptionKey: [good, good] } }],
    ['cache store null', { secretKey: K, cache: { ttl: 5, store: null, keyPrefix: null } }],
    [
      'cache store del',
      { secretKey: K, cache: { ttl: 5, store: { get() {}, set() {}, del() {} } } },
    ],
    ['retry false', { secretKey: K, retry: false }],
    ['retry null', { secretKey: K, retry: null }],
    ['retry {}', { secretKey: K, retry: {} }],
    ['retry partial', { secretKey: K, retry: { retries: 0, maxDelayMs: 50, minDelayMs: 200 } }],
    ['retry undefined fields', { secretKey: K, retry: { retries: undefined } }],
    ['agents ok', { secretKey: K, httpAgent: new HttpAgent(), httpsAgent: new HttpsAgent() }],
    ['agents null', { secretKey: K, httpAgent: null }],
    ['proto', Object.assign(Object.create({ inherited: 1 }), { secretKey: K })],
  ];

  it.each(accepted)('accepts %s', (_label, raw, ...[name]) => {
    expect(() => resolveNangoOptions(raw, name)).not.toThrow();
  });

  it('reads a null cache or key as one not given (as a config loader may give them)', () => {
    expect(resolveNangoOptions({ secretKey: K, cache: null }).cache).toBe(false);
    expect(resolveNangoOptions({ secretKey: null, apiKey: K }).secretKey).toBe(K);
  });

  it('applies the defaults of cache and retry, and raises maxDelayMs to minDelayMs', () => {
    const options = resolveNangoOptions({
      apiKey: K,
      host: 'http://localhost:3003/',
      webhookSigningKey: 'w',
      cache: { ttl: 1000, encryptionKey: good },
      retry: { retries: 0, minDelayMs: 200, maxDelayMs: 50 },
    });
    expect(options.secretKey).toBe(K);
    expect(options.host).toBe('http://localhost:3003');
    expect(options.webhookSigningKeys).toEqual(['w']);
    expect(options.cache).toMatchObject({
      ttl: 1000,
      safetyMarginMs: 60_000,
      keyPrefix: 'nango',
      storeTimeout: 100,
      encryptionKeys: [good],
    });
    expect(options.retry).toEqual({
      retries: 0,
      minDelayMs: 200,
      maxDelayMs: 200,
      maxTotalDelayMs: 5000,
    });
    expect(Object.isFrozen(options)).toBe(true);
  });
});
