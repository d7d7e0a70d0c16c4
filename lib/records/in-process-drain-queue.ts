import type { NangoDrainFunction, NangoDrainQueue } from './nango-drain-queue.js';
import { nangoRecordsStreamKey, type NangoRecordsStream } from './nango-records-stream.js';

/** A promise and its settlers. */
interface Run {
  readonly promise: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

function newRun(): Run {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A run nobody awaits (a webhook's) must not be an unhandled rejection.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

/** One stream's state: the run in progress (or waiting for a slot) and the one requested after it. */
interface StreamState {
  readonly stream: NangoRecordsStream;
  current: Run;
  running: boolean;
  next?: Run;
}

/**
 * The default drain queue, for one process: at most one drain per stream at a time, at most
 * `concurrency` streams at once; a request for a stream whose drain is running makes it run once
 * more when that drain ends (every request during a run is merged into that one more run), so
 * a webhook is never dropped and a stream never drains in parallel. For several replicas, use
 * the BullMQ queue, which does the same across processes.
 */
export class InProcessDrainQueue implements NangoDrainQueue {
  private drainFn?: NangoDrainFunction;
  private closed = false;
  private readonly streams = new Map<string, StreamState>();
  private readonly waiting: StreamState[] = [];
  private active = 0;
  private idleWaiters: Array<() => void> = [];

  /** @param concurrency streams drained at once in this process (default 8) */
  constructor(private readonly concurrency = 8) {
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new TypeError('InProcessDrainQueue: concurrency must be a whole number of at least 1');
    }
  }

  /** Starts running drains (requests made before start wait for it). */
  async start(drain: NangoDrainFunction): Promise<void> {
    this.drainFn = drain;
    this.pump();
  }

  /** Queues a drain of the stream; resolves at once. */
  async enqueue(stream: NangoRecordsStream): Promise<void> {
    void this.run(stream);
  }

  /**
   * Queues a drain of the stream and resolves when the run that covers this request ends (the
   * one waiting, or the one after the run in progress); rejects as that run does.
   */
  run(stream: NangoRecordsStream): Promise<void> {
    if (this.closed) return Promise.reject(new Error('The records drain queue is closed'));
    const key = nangoRecordsStreamKey(stream);
    const state = this.streams.get(key);
    if (state === undefined) {
      const created: StreamState = { stream, current: newRun(), running: false };
      this.streams.set(key, created);
      this.waiting.push(created);
      this.pump();
      return created.current.promise;
    }
    if (!state.running) return state.current.promise;
    state.next ??= newRun();
    return state.next.promise;
  }

  /** Resolves when no drain is running or waiting. */
  idle(): Promise<void> {
    if (this.streams.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Takes no more requests and waits for the drains running or waiting to end. */
  async close(): Promise<void> {
    this.closed = true;
    await this.idle();
  }

  private pump(): void {
    const drain = this.drainFn;
    if (drain === undefined) return;
    while (this.active < this.concurrency && this.waiting.length > 0) {
      const state = this.waiting.shift() as StreamState;
      this.active++;
      state.running = true;
      void this.runOnce(drain, state);
    }
  }

  private async runOnce(drain: NangoDrainFunction, state: StreamState): Promise<void> {
    const run = state.current;
    try {
      await drain(state.stream);
      run.resolve();
    } catch (error) {
      run.reject(error);
    }
    this.active--;
    state.running = false;
    if (state.next !== undefined) {
      state.current = state.next;
      state.next = undefined;
      this.waiting.push(state);
    } else {
      this.streams.delete(nangoRecordsStreamKey(state.stream));
    }
    this.pump();
    if (this.streams.size === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }
}
