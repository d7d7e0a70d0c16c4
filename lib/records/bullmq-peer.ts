import { NangoUsageError } from '../errors/nango-misuse.errors.js';

/** The part of a BullMQ `Job` the drain queue reads. */
export interface BullmqJob {
  readonly id?: string;
  readonly data: unknown;
}

/** The part of a BullMQ `Queue` the drain queue uses. */
export interface BullmqQueue {
  add(name: string, data: unknown, options: Record<string, unknown>): Promise<unknown>;
  getJobCounts(...types: string[]): Promise<Record<string, number>>;
  close(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** The part of a BullMQ `Worker` the drain queue uses. */
export interface BullmqWorker {
  on(event: 'active', listener: (job: BullmqJob) => void): unknown;
  on(event: 'completed' | 'failed', listener: (job: BullmqJob | undefined) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  pause(doNotWaitActive?: boolean): Promise<void>;
  close(force?: boolean): Promise<void>;
}

/** The part of the `bullmq` package the drain queue uses. */
export interface BullmqPackage {
  Queue: new (name: string, options: Record<string, unknown>) => BullmqQueue;
  Worker: new (
    name: string,
    processor: (job: BullmqJob) => Promise<void>,
    options: Record<string, unknown>,
  ) => BullmqWorker;
}

/** The part of the `@nestjs/bullmq` package the drain queue uses. */
export interface NestBullmqPackage {
  getSharedConfigToken(configKey?: string): string;
}

/** What `npm i` needs for the BullMQ queue (bullmq 6 leaves ioredis to the application). */
export const BULLMQ_INSTALL = 'bullmq@^6 ioredis@^5';

let bullmq: Promise<BullmqPackage> | undefined;
let nestBullmq: Promise<NestBullmqPackage> | undefined;

/**
 * Imports `bullmq`, once, when a BullMQ drain queue starts; an app on the in-process queue never
 * loads it. Fails with a {@link NangoUsageError} naming what to install.
 */
export function loadBullmq(): Promise<BullmqPackage> {
  bullmq ??= Promise.resolve()
    .then(async () => (await import('bullmq')) as unknown as BullmqPackage)
    .catch((error: unknown) => {
      bullmq = undefined;
      throw NangoUsageError.missingDependency(
        "records: { queue: { type: 'bullmq' } }",
        'bullmq',
        error,
        BULLMQ_INSTALL,
      );
    });
  return bullmq;
}

/**
 * Imports `@nestjs/bullmq`, once, when a BullMQ drain queue without `connection` looks for the
 * `BullModule.forRoot()` configuration. Fails with a {@link NangoUsageError} naming what to install.
 */
export function loadNestBullmq(): Promise<NestBullmqPackage> {
  nestBullmq ??= Promise.resolve()
    .then(async () => (await import('@nestjs/bullmq')) as unknown as NestBullmqPackage)
    .catch((error: unknown) => {
      nestBullmq = undefined;
      throw NangoUsageError.missingDependency(
        "records: { queue: { type: 'bullmq' } } without a connection (BullModule.forRoot())",
        '@nestjs/bullmq',
        error,
        '@nestjs/bullmq',
      );
    });
  return nestBullmq;
}
