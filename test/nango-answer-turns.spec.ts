import { jest } from '@jest/globals';
import axios, { AxiosError } from 'axios';
import { Worker } from 'node:worker_threads';
import { BIG_ANSWER_BYTES, NangoAnswerTurns } from '../lib/transport/nango-answer-turns.js';
import { createNangoUndiciAdapter } from '../lib/transport/nango-undici.adapter.js';
import { NangoUndiciPool } from '../lib/transport/nango-undici.pool.js';

/** One turn of the event loop: resolves in the check phase of the next one. */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('NangoAnswerTurns', () => {
  it('hands on one big answer per turn, in the order they came, and small answers at once', async () => {
    const turns = new NangoAnswerTurns();
    const handled: string[] = [];
    const big = (name: string) => turns.run(BIG_ANSWER_BYTES, () => handled.push(name));
    big('big 1');
    big('big 2');
    big('big 3');
    turns.run(BIG_ANSWER_BYTES - 1, () => handled.push('small'));
    // The turn was free: the first big answer did not wait; the small one never waits.
    expect(handled).toEqual(['big 1', 'small']);
    expect(turns.pending).toBe(2);
    await turn();
    expect(handled).toEqual(['big 1', 'small', 'big 2']);
    await turn();
    expect(handled).toEqual(['big 1', 'small', 'big 2', 'big 3']);
    expect(turns.pending).toBe(0);
  });

  it('frees the turn again once nothing waits: a later big answer is handled at once', async () => {
    const turns = new NangoAnswerTurns();
    const handled: string[] = [];
    turns.run(BIG_ANSWER_BYTES, () => handled.push('first'));
    await turn();
    await turn();
    turns.run(BIG_ANSWER_BYTES * 4, () => handled.push('later'));
    expect(handled).toEqual(['first', 'later']);
  });

  it("takes its turns on Node's own timers, so an app's test that fakes timers still gets every answer", async () => {
    const turns = new NangoAnswerTurns();
    const handled: string[] = [];
    jest.useFakeTimers();
    try {
      turns.run(BIG_ANSWER_BYTES, () => handled.push('big 1'));
      turns.run(BIG_ANSWER_BYTES, () => handled.push('big 2'));
    } finally {
      jest.useRealTimers();
    }
    await turn();
    await turn();
    // With the global setImmediate, faked, 'big 2' would wait until the test advanced the clock.
    expect(handled).toEqual(['big 1', 'big 2']);
  });
});

/**
 * A server on a thread of its own that holds its answers until it has `expected` requests, and
 * sends them all at once when told; it sets `sent[0]` once all are written to their sockets.
 */
const SERVER = `
const { createServer } = require('node:http');
const { parentPort, workerData } = require('node:worker_threads');
const { expected, bytes, sent } = workerData;
const flag = new Int32Array(sent);
const body = JSON.stringify({ pad: 'x'.repeat(bytes) });
const held = [];
const server = createServer((req, res) => {
  held.push(res);
  if (held.length === expected) parentPort.postMessage({ type: 'held' });
});
parentPort.on('message', (message) => {
  if (message === 'answer') {
    let written = 0;
    for (const res of held.splice(0)) {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body, () => {
        if (++written === expected) { Atomics.store(flag, 0, 1); Atomics.notify(flag, 0); }
      });
    }
  } else if (message === 'close') {
    server.close(() => parentPort.postMessage({ type: 'closed' }));
    server.closeAllConnections();
  }
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ type: 'url', url: 'http://127.0.0.1:' + server.address().port }));
`;

describe('big answers through the undici adapter', () => {
  const EXPECTED = 4;
  const sent = new SharedArrayBuffer(4);
  let worker: Worker;
  let url: string;
  let pool: NangoUndiciPool;

  const next = (type: string): Promise<{ type: string; url?: string }> =>
    new Promise((resolve) => {
      const listener = (message: { type: string; url?: string }) => {
        if (message.type !== type) return;
        worker.off('message', listener);
        resolve(message);
      };
      worker.on('message', listener);
    });

  beforeAll(async () => {
    worker = new Worker(SERVER, {
      eval: true,
      workerData: { expected: EXPECTED, bytes: BIG_ANSWER_BYTES * 2, sent },
    });
    url = (await next('url')).url ?? '';
    pool = new NangoUndiciPool(url);
  });

  afterAll(async () => {
    await pool.destroy();
    worker.postMessage('close');
    await next('closed');
    await worker.terminate();
  });

  it('answers that arrive together are each parsed in a turn of their own, and one canceled while it waits is never handed on', async () => {
    const client = axios.create({
      baseURL: url,
      adapter: createNangoUndiciAdapter({
        baseURL: url,
        dispatcher: pool,
        fallback: axios.getAdapter('http'),
      }),
    });
    let turnCount = 0;
    let counting = true;
    const count = (): void => {
      turnCount++;
      if (counting) setImmediate(count);
    };
    const controllers = [0, 1, 2, 3].map(() => new AbortController());
    const done = new Set<number>();
    const turnsSeen: number[] = [];
    let canceled: number | undefined;
    const calls = controllers.map((controller, i) =>
      client
        .get<{ pad: string }>(`/big/${i}`, { signal: controller.signal })
        .then((response) => {
          turnsSeen.push(turnCount);
          expect(response.data.pad).toHaveLength(BIG_ANSWER_BYTES * 2);
          // The first one handed on cancels one that waits for its turn.
          if (canceled === undefined) {
            canceled = [3, 2, 1, 0].find((other) => other !== i && !done.has(other));
            controllers[canceled ?? 0]?.abort();
          }
          return 'parsed';
        })
        .finally(() => done.add(i)),
    );
    await next('held');
    Atomics.store(new Int32Array(sent), 0, 0);
    worker.postMessage('answer');
    // Hold the thread until every answer is in its socket: the loop then finds them all at once.
    expect(Atomics.wait(new Int32Array(sent), 0, 0, 30_000)).toBe('ok');
    setImmediate(count);
    const settled = await Promise.allSettled(calls);
    counting = false;
    const statuses = settled.map((result, i) =>
      i === canceled
        ? ((result as PromiseRejectedResult).reason as AxiosError).code
        : (result as PromiseFulfilledResult<string>).value,
    );
    expect(statuses.filter((status) => status === 'parsed')).toHaveLength(3);
    expect(statuses[canceled ?? -1]).toBe('ERR_CANCELED');
    // Three answers handed on, each in a turn of the loop of its own.
    expect(turnsSeen).toHaveLength(3);
    expect(new Set(turnsSeen).size).toBe(3);
  });
});
