import type { NangoRecordsStream } from './nango-records-stream.js';

/**
 * What happens to the records streams, as `NangoRecordsService.events$` tells it:
 * - `committed`: every handler took a page and its cursor is saved;
 * - `retry`: a page (or its `listRecords`) failed and is tried again after `waitMs`;
 * - `parked`: the stream stopped at its saved cursor after its tries (the next webhook,
 *   `drain()` or reconcile starts it again from there); `error` says why;
 * - `drained`: a drain read the stream to its end;
 * - `empty`: a stream with no saved cursor had no records (an unknown model reads so too).
 */
export type NangoRecordsEvent =
  | { type: 'committed'; stream: NangoRecordsStream; records: number; cursor: string }
  | { type: 'retry'; stream: NangoRecordsStream; attempt: number; waitMs: number; error: unknown }
  | {
      type: 'parked';
      stream: NangoRecordsStream;
      attempts: number;
      cursor: string | undefined;
      error: unknown;
    }
  | { type: 'drained'; stream: NangoRecordsStream; pages: number; records: number }
  | { type: 'empty'; stream: NangoRecordsStream };
