import type { NangoRecordsStream } from './nango-records-stream.js';

/** Drains one stream from its saved cursor to the end; rejects when the stream parked. */
export type NangoDrainFunction = (stream: NangoRecordsStream) => Promise<void>;

/**
 * Runs drains: at most one at a time per stream (across every replica for a shared queue);
 * a request for a stream whose drain is running makes it run once more when that drain ends
 * (coalesced, never parallel, never dropped); requests for a stream already waiting are merged.
 */
export interface NangoDrainQueue {
  /** Starts taking work; `drain` is what runs for each stream. Called once, at application bootstrap. */
  start(drain: NangoDrainFunction): Promise<void>;
  /** Queues a drain of the stream; resolves once it is queued (NOT when it has run). */
  enqueue(stream: NangoRecordsStream): Promise<void>;
  /**
   * Queues a drain of the stream and resolves when the run that covers this request ends,
   * rejecting as it does: what `NangoRecordsService.drain()` waits for. Only a queue whose
   * drains run in this process has it; without it, `drain()` resolves once the drain is queued.
   */
  run?(stream: NangoRecordsStream): Promise<void>;
  /** Resolves when no drain is running or waiting in this process (tests, shutdown). */
  idle(): Promise<void>;
  /** Stops taking work and waits for running drains to end (application shutdown). */
  close(): Promise<void>;
}
