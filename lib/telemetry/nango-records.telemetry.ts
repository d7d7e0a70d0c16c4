import type { Attributes } from '@opentelemetry/api';
import type { NangoTelemetry } from './nango-telemetry.js';
import { NANGO_TELEMETRY } from './nango-telemetry.names.js';

const names = NANGO_TELEMETRY.attributes;

/** The span name of one records drain. */
export const NANGO_RECORDS_DRAIN_SPAN = 'nango records drain';

/** Which records a drain reads. */
export interface NangoRecordsDrainTarget {
  /** The integration key. */
  providerConfigKey: string;
  /** The synced model. */
  model: string;
  /** The drain's stream (queue, consumer group...), if it has a name. */
  stream?: string;
}

/** What one drain did, as the drain reports it when it ends. */
export interface NangoRecordsDrainReport {
  /** Pages of `GET /records` read. */
  pages: number;
  /** Records handed to the app. */
  records: number;
  /** Whether the committed cursor moved. */
  cursorAdvanced: boolean;
  /** Pages or commits tried again. */
  retries: number;
}

/**
 * For the records drains (`lib/records/`, being built on another branch): runs one drain in a
 * span `nango records drain` (kind CONSUMER, child of the active span) that gets the target's
 * attributes and, when `drain` resolves, its report (`nango.records.pages`, `.count`,
 * `.cursor_advanced`, `.retries`). Each page the drain lists is a `nango listRecords` span of
 * its own, as every `NangoService` call. Get `telemetry` with `NangoTelemetry.of(options)`.
 *
 * @param telemetry the instance's telemetry; `undefined`: `drain` runs as is
 * @param target the integration, model and stream
 * @param drain the drain; a rejection marks the span failed and is rethrown
 */
export function traceRecordsDrain<R extends NangoRecordsDrainReport>(
  telemetry: NangoTelemetry | undefined,
  target: NangoRecordsDrainTarget,
  drain: () => Promise<R>,
): Promise<R> {
  if (telemetry === undefined) return drain();
  return telemetry.span(
    NANGO_RECORDS_DRAIN_SPAN,
    async (span) => {
      if (span === undefined) return drain();
      span.setAttributes(labelsOf(target));
      if (target.stream !== undefined) span.setAttribute(names.recordsStream, target.stream);
      try {
        const report = await drain();
        span.setAttributes({
          [names.recordsPages]: report.pages,
          [names.recordsCount]: report.records,
          [names.recordsCursorAdvanced]: report.cursorAdvanced,
          [names.recordsRetries]: report.retries,
        });
        return report;
      } catch (error) {
        span.setAttribute(
          names.errorType,
          error instanceof Error ? error.constructor.name : '_OTHER',
        );
        span.setStatus({ code: 2 });
        throw error;
      } finally {
        span.end();
      }
    },
    'consumer',
  );
}

/**
 * For the records drains: a page of records is committed. Adds its records to
 * `nango.records.delivered` and, when the drain knows when the sync webhook came, the lag to
 * `nango.records.lag`.
 *
 * @param telemetry the instance's telemetry; `undefined` records nothing
 * @param target the integration and model
 * @param records the records of the page
 * @param webhookAt when the sync webhook that started the drain was received (ms since the epoch)
 */
export function recordCommittedPage(
  telemetry: NangoTelemetry | undefined,
  target: NangoRecordsDrainTarget,
  records: number,
  webhookAt?: number,
): void {
  const instruments = telemetry?.instruments;
  if (instruments === undefined) return;
  const labels = labelsOf(target);
  instruments.recordsDelivered.add(records, labels);
  if (webhookAt !== undefined) {
    instruments.recordsLag.record(Math.max(0, Date.now() - webhookAt) / 1000, labels);
  }
}

/** The low-cardinality attributes of a drain: integration and model (metrics and spans). */
function labelsOf(target: NangoRecordsDrainTarget): Attributes {
  return {
    [names.providerConfigKey]: target.providerConfigKey,
    [names.recordsModel]: target.model,
  };
}
