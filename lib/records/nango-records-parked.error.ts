import { NangoError } from '../errors/nango.error.js';
import type { NangoRecordsStream } from './nango-records-stream.js';

/** A short name of a stream for messages: `github/conn-1 Issue (base)`. */
export function describeRecordsStream(stream: NangoRecordsStream): string {
  const instance = stream.instance === undefined ? '' : `[${stream.instance}] `;
  return `${instance}${stream.providerConfigKey}/${stream.connectionId} ${stream.model} (${stream.variant})`;
}

/**
 * A records stream stopped at its saved cursor: a handler (or `listRecords`) kept failing on
 * one page through every try. Nothing after that page was delivered and the cursor was not
 * moved past it; the next drain of the stream starts there again. `cause` is the last failure.
 */
export class NangoRecordsParkedError extends NangoError {
  /** The stream that parked. */
  readonly stream: NangoRecordsStream;
  /** Tries of the failing page. */
  readonly attempts: number;
  /** Whether a handler failed (`handler`) or reading the page from Nango did (`listRecords`). */
  readonly stage: 'handler' | 'listRecords';

  constructor(
    stream: NangoRecordsStream,
    stage: 'handler' | 'listRecords',
    attempts: number,
    cause: unknown,
  ) {
    const why = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    super(
      `Records stream ${describeRecordsStream(stream)} parked after ${attempts} tr${attempts === 1 ? 'y' : 'ies'} ` +
        `(${stage === 'handler' ? 'a handler failed' : 'listRecords failed'}): ${why}. ` +
        'Its cursor stays where it was; the next webhook, drain() or reconcile resumes from there.',
      { cause },
    );
    this.stream = stream;
    this.attempts = attempts;
    this.stage = stage;
  }
}
