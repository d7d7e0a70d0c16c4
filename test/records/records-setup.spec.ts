import 'reflect-metadata';
import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  InMemoryCursorStore,
  InProcessDrainQueue,
  NangoConfigurationError,
  NangoModule,
  NangoRecordsParkedError,
  NangoRecordsService,
  NangoStartupError,
  NangoTimeoutError,
  OnNangoRecords,
  type NangoDrainFunction,
  type NangoDrainQueue,
  type NangoRecordsBatch,
  type NangoRecordsStream,
} from '../../lib/index.js';
import { NangoStandIn } from '../../lib/testing/index.js';
import { CapturingLogger } from '../fixtures/capturing-logger.js';
import { eventually } from '../fixtures/eventually.js';
import { standInWithIssues } from '../fixtures/issues-stand-in.js';

/** The records option, the decorator and the start-up checks; the queue's coalescing; reconcile. */

const stream = (connectionId: string): NangoRecordsStream => ({
  providerConfigKey: 'github',
  connectionId,
  model: 'Issue',
  variant: 'base',
});

describe('records options', () => {
  const boot = (records: unknown) =>
    Test.createTestingModule({
      imports: [NangoModule.forRoot({ secretKey: 'sk-test', records: records as never })],
    }).compile();

  it.each([
    [{ pageSize: 0 }, 'records.pageSize: must be a whole number of records from 1 to 10000'],
    [{ pageSize: 1.5 }, 'records.pageSize'],
    [
      { cursorStore: {} },
      'records.cursorStore: must be a NangoCursorStore (an object with get and set)',
    ],
    [{ queue: 'redis' }, "records.queue: must be 'in-process' or a NangoDrainQueue"],
    [{ retry: { attempts: 0 } }, 'records.retry.attempts'],
    [
      { retry: { minDelayMs: 500, maxDelayMs: 10 } },
      'records.retry.minDelayMs: must not exceed maxDelayMs',
    ],
    [{ reconcileEvery: 5 }, 'records.reconcileEvery'],
    [{ pagesize: 10 }, 'records.pagesize: is not a records option'],
    ['fast', 'records: must be an object'],
  ])('%j is refused, naming the field', async (records, message) => {
    const error = await boot(records).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NangoConfigurationError);
    expect((error as Error).message).toContain(message);
  });

  it('good options boot', async () => {
    const moduleRef = await boot({
      cursorStore: new InMemoryCursorStore(),
      queue: 'in-process',
      pageSize: 500,
      retry: { attempts: 2, minDelayMs: 10, maxDelayMs: 100 },
      reconcileEvery: 60_000,
    });
    expect(moduleRef.get(NangoRecordsService)).toBeInstanceOf(NangoRecordsService);
    await moduleRef.close();
  });
});

/** Boots an app of `forRoot` options and one handler provider; what `app.init()` threw. */
async function initError(provider: new () => object, forRoot: object): Promise<unknown> {
  const moduleRef = await Test.createTestingModule({
    imports: [NangoModule.forRoot({ secretKey: 'sk-test', ...forRoot })],
    providers: [provider],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false, rawBody: true });
  const error = await app.init().catch((e: unknown) => e);
  await app.close();
  return error;
}

describe('@OnNangoRecords()', () => {
  it.each([
    [{}, '@OnNangoRecords() model: must be a non-empty string'],
    [{ model: '' }, '@OnNangoRecords() model: must be a non-empty string'],
    [{ model: 'Issue', variant: 3 }, '@OnNangoRecords() variant: must be a non-empty string'],
    [
      { model: 'Issue', modle: 'x' },
      '@OnNangoRecords() modle: is not an option of @OnNangoRecords()',
    ],
  ])('%j is refused where it is written', (options, message) => {
    expect(() => OnNangoRecords(options as never)).toThrow(message);
  });

  it('a handler on an instance without a webhook route stops app.init() with what to add', async () => {
    @Injectable()
    class Orphan {
      @OnNangoRecords({ model: 'Issue' })
      take(): void {}
    }
    const error = await initError(Orphan, {});
    expect(error).toBeInstanceOf(NangoStartupError);
    expect((error as Error).message).toContain(
      "Orphan.take has @OnNangoRecords() but NangoModule.forRoot() mounts no webhook route: add webhooks: { path: 'nango/webhooks' }",
    );
  });

  it('the same @OnNangoRecords() twice on one method stops app.init()', async () => {
    @Injectable()
    class Twice {
      @OnNangoRecords({ model: 'Issue' })
      @OnNangoRecords({ model: 'Issue' })
      take(): void {}
    }
    const error = await initError(Twice, { webhooks: { path: 'hooks' } });
    expect(error).toBeInstanceOf(NangoStartupError);
    expect((error as Error).message).toContain('Twice.take has the same @OnNangoRecords() twice');
  });
});

describe('@OnNangoRecords() instance', () => {
  it('an instance the application does not register stops app.init(): the handler would never get a page', async () => {
    @Injectable()
    class Elsewhere {
      @OnNangoRecords({ model: 'Issue', instance: 'prod' })
      take(): void {}
    }
    const error = await initError(Elsewhere, { webhooks: { path: 'hooks' } });
    expect(error).toBeInstanceOf(NangoStartupError);
    expect((error as Error).message).toContain(
      "Elsewhere.take has @OnNangoRecords({ instance: 'prod' }) but the application registers no NangoModule.forRoot({ name: 'prod' }): it would never get a page",
    );
  });

  it("instance 'default' is the default instance, and the same handler on two instances is no duplicate", async () => {
    @Injectable()
    class Both {
      pages: string[] = [];
      @OnNangoRecords({ model: 'Issue', instance: 'default' })
      @OnNangoRecords({ model: 'Issue', instance: 'prod' })
      take(batch: NangoRecordsBatch): void {
        this.pages.push(
          batch.records
            .map((r) => String(r['id']))
            .sort()
            .join(','),
        );
      }
    }
    const standIn = await standInWithIssues('i-1', [{ id: 'a' }, { id: 'b' }]);
    const forRoot = (name?: string) =>
      NangoModule.forRoot({
        ...(name === undefined ? {} : { name }),
        secretKey: standIn.secretKey,
        host: standIn.url,
        webhooks: { path: name === undefined ? 'hooks' : `hooks/${name}` },
      });
    const moduleRef = await Test.createTestingModule({
      imports: [forRoot(), forRoot('prod')],
      providers: [Both],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false, rawBody: true });
    try {
      await app.init();
      await app
        .get(NangoRecordsService)
        .drain({ providerConfigKey: 'github', connectionId: 'i-1', model: 'Issue' });
      expect(app.get(Both).pages).toEqual(['a,b']);
    } finally {
      await app.close();
      await standIn.close();
    }
  }, 60_000);
});

describe('InProcessDrainQueue', () => {
  it('one drain per stream at a time; requests during a drain make exactly one more; other streams run alongside', async () => {
    const queue = new InProcessDrainQueue(4);
    const runs: string[] = [];
    let running = 0;
    let most = 0;
    const gates: Array<() => void> = [];
    await queue.start(async (s) => {
      running++;
      most = Math.max(most, running);
      runs.push(s.connectionId);
      if (s.connectionId === 'a') await new Promise<void>((resolve) => gates.push(resolve));
      running--;
    });
    await queue.enqueue(stream('a'));
    await eventually(() => gates.length === 1, 'the first drain of a');
    for (let i = 0; i < 50; i++) await queue.enqueue(stream('a'));
    await queue.enqueue(stream('b'));
    await eventually(() => runs.includes('b'), 'b runs while a is busy');
    gates.shift()?.();
    await eventually(() => gates.length === 1, 'the one more drain of a');
    gates.shift()?.();
    await queue.idle();
    expect(runs.filter((r) => r === 'a')).toHaveLength(2);
    expect(most).toBe(2); // a and b at once, never a twice
    await queue.close();
    await expect(queue.run(stream('a'))).rejects.toThrow('closed');
  });

  it('run() settles as the drain covering it does', async () => {
    const queue = new InProcessDrainQueue();
    await queue.start(async (s) => {
      if (s.connectionId === 'bad') throw new Error('parked');
    });
    await expect(queue.run(stream('ok'))).resolves.toBeUndefined();
    await expect(queue.run(stream('bad'))).rejects.toThrow('parked');
    expect(() => new InProcessDrainQueue(0)).toThrow('concurrency');
  });
});

describe('NangoRecordsService.drain() with a queue of your own', () => {
  /** A queue that keeps what it is asked (its drains would run elsewhere): no `run()`. */
  class Remote implements NangoDrainQueue {
    readonly queued: NangoRecordsStream[] = [];
    drainFn?: NangoDrainFunction;
    async start(drain: NangoDrainFunction): Promise<void> {
      this.drainFn = drain;
    }
    async enqueue(s: NangoRecordsStream): Promise<void> {
      this.queued.push(s);
    }
    async idle(): Promise<void> {}
    async close(): Promise<void> {}
  }
  @Injectable()
  class Issues {
    calls = 0;
    @OnNangoRecords({ model: 'Issue' })
    take(): void {
      this.calls++;
    }
  }
  const boot = async (queue: NangoDrainQueue) => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        NangoModule.forRoot({
          secretKey: 'sk-test',
          // Never asked: neither queue below runs a drain in this test.
          host: 'http://127.0.0.1:9',
          webhookSigningKey: 'whsk-test',
          webhooks: { path: 'nango/webhooks' },
          records: { queue },
        }),
      ],
      providers: [Issues],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false, rawBody: true });
    await app.init();
    return app;
  };

  it('without run(), resolves once the drain is queued, and runs nothing here', async () => {
    const queue = new Remote();
    const app = await boot(queue);
    try {
      await app
        .get(NangoRecordsService)
        .drain({ providerConfigKey: 'github', connectionId: 'q-1', model: 'Issue' });
      expect(queue.queued).toEqual([stream('q-1')]);
      expect(queue.drainFn).toBeInstanceOf(Function);
      expect(app.get(Issues).calls).toBe(0);
    } finally {
      await app.close();
    }
  });

  it('with run(), waits for the run and rejects as it does', async () => {
    const failure = new Error('the run parked');
    const queue = Object.assign(new Remote(), {
      run: async (s: NangoRecordsStream): Promise<void> => {
        if (s.connectionId === 'q-bad') throw failure;
      },
    });
    const app = await boot(queue);
    try {
      const records = app.get(NangoRecordsService);
      await expect(
        records.drain({ providerConfigKey: 'github', connectionId: 'q-ok', model: 'Issue' }),
      ).resolves.toBeUndefined();
      await expect(
        records.drain({ providerConfigKey: 'github', connectionId: 'q-bad', model: 'Issue' }),
      ).rejects.toBe(failure);
      expect(queue.queued).toEqual([]);
    } finally {
      await app.close();
    }
  });
});

describe('reconcile', () => {
  it('records.reconcileEvery drains every stream of the handled models with no webhook at all', async () => {
    const seen: string[] = [];
    @Injectable()
    class Issues {
      @OnNangoRecords({ model: 'Issue', providerConfigKey: 'github' })
      take(batch: NangoRecordsBatch<{ id: string }>): void {
        seen.push(...batch.records.map((r) => `${batch.connectionId}/${r.id}`));
      }
    }
    const standIn = await NangoStandIn.start({
      connections: ['r-1', 'r-2'].map((connectionId) => ({
        providerConfigKey: 'github',
        connectionId,
        credentials: { type: 'API_KEY' as const, apiKey: 'k' },
      })),
    });
    for (const connectionId of ['r-1', 'r-2']) {
      await standIn.sync({
        providerConfigKey: 'github',
        connectionId,
        model: 'Issue',
        added: [{ id: 'x' }],
        webhook: false,
      });
    }
    const moduleRef = await Test.createTestingModule({
      imports: [
        NangoModule.forRoot({
          secretKey: standIn.secretKey,
          host: standIn.url,
          records: { reconcileEvery: 100 },
        }),
      ],
      providers: [Issues],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    try {
      await eventually(() => seen.length === 2, 'both connections reconciled', 30_000);
      expect(seen.sort()).toEqual(['r-1/x', 'r-2/x']);
      // Later reconciles start from the saved cursors: nothing is delivered twice.
      const listed = standIn.requests.filter((r) => r.pathname === '/records').length;
      await eventually(
        () => standIn.requests.filter((r) => r.pathname === '/records').length >= listed + 2,
        'another reconcile',
        30_000,
      );
      expect(seen).toHaveLength(2);
      expect(await app.get(NangoRecordsService).reconcile()).toBe(2);
    } finally {
      await app.close();
      await standIn.close();
    }
  }, 60_000);
});

describe('a listRecords that times out', () => {
  it('is tried a bounded number of times, then the stream parks with the timeout; the cursor stays', async () => {
    @Injectable()
    class Slow {
      calls = 0;
      @OnNangoRecords({ model: 'Issue' })
      take(): void {
        this.calls++;
      }
    }
    const standIn = await standInWithIssues('t-1', [{ id: 'x' }]);
    // Nango never answers GET /records: every try runs into the call's deadline.
    standIn.script({ method: 'GET', path: '/records', respond: { status: 200, hang: true } });
    const moduleRef = await Test.createTestingModule({
      imports: [
        NangoModule.forRoot({
          secretKey: standIn.secretKey,
          host: standIn.url,
          timeout: 300,
          retry: false,
          records: {
            reconcileEvery: 86_400_000,
            retry: { attempts: 2, minDelayMs: 1, maxDelayMs: 5 },
          },
        }),
      ],
      providers: [Slow],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    try {
      const records = app.get(NangoRecordsService);
      const error = await records
        .drain({ providerConfigKey: 'github', connectionId: 't-1', model: 'Issue' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NangoRecordsParkedError);
      expect((error as NangoRecordsParkedError).cause).toBeInstanceOf(NangoTimeoutError);
      expect((error as Error).message).toMatch(
        /parked after 2 tries \(listRecords failed\): NangoTimeoutError/,
      );
      expect(standIn.requests.filter((r) => r.pathname === '/records')).toHaveLength(2);
      expect(app.get(Slow).calls).toBe(0);
      expect(
        await records.cursorOf({
          providerConfigKey: 'github',
          connectionId: 't-1',
          model: 'Issue',
        }),
      ).toBeUndefined();
    } finally {
      await app.close();
      await standIn.close();
    }
  }, 60_000);
});

describe('a drain when the application shuts down', () => {
  it('that waits between tries of a page ends at once, said as a warning, not as a parked stream or an error', async () => {
    @Injectable()
    class Failing {
      calls = 0;
      @OnNangoRecords({ model: 'Issue' })
      take(): void {
        this.calls++;
        throw new Error('the database is down');
      }
    }
    const standIn = await standInWithIssues('s-1', [{ id: 'x' }]);
    const moduleRef = await Test.createTestingModule({
      imports: [
        NangoModule.forRoot({
          secretKey: standIn.secretKey,
          host: standIn.url,
          records: {
            reconcileEvery: 86_400_000,
            retry: { attempts: 3, minDelayMs: 300_000, maxDelayMs: 300_000 },
          },
        }),
      ],
      providers: [Failing],
    }).compile();
    const logger = new CapturingLogger();
    const app = moduleRef.createNestApplication({ logger });
    const input = { providerConfigKey: 'github', connectionId: 's-1', model: 'Issue' };
    try {
      await app.init();
      const records = app.get(NangoRecordsService);
      const drained = records.drain(input).catch((e: unknown) => e);
      await eventually(() => app.get(Failing).calls === 1, 'the first try of the page');
      // The drain now waits five minutes before its next try; closing does not wait for it.
      await app.close();
      const error = await drained;
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toBe('The application is shutting down');
      expect(app.get(Failing).calls).toBe(1);
      expect(records.parked()).toEqual([]);
      expect(logger.lines.filter((line) => line.startsWith('error'))).toEqual([]);
      expect(logger.text()).toMatch(
        /warn Drain of github\/s-1 Issue \(base\) stopped by the application's shutdown; its cursor stays on the last committed page/,
      );
      expect(await records.cursorOf(input)).toBeUndefined();
    } finally {
      await app.close();
      await standIn.close();
    }
  }, 60_000);
});
