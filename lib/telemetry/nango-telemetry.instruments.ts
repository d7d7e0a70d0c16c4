import type { Counter, Histogram, Meter } from '@opentelemetry/api';
import type { OpenTelemetryApi } from './opentelemetry.loader.js';
import { NANGO_TELEMETRY } from './nango-telemetry.names.js';

const { metrics } = NANGO_TELEMETRY;

/** Bucket bounds of the duration histogram, in seconds: the HTTP client conventions' own. */
const DURATION_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
];

/** The metric instruments of one Nango instance (see {@link NANGO_TELEMETRY}`.metrics`). */
export interface NangoInstruments {
  readonly duration: Histogram;
  readonly cacheLookups: Counter;
  readonly retries: Counter;
  readonly webhooksReceived: Counter;
  readonly reconnectRequired: Counter;
  readonly recordsDelivered: Counter;
  readonly recordsLag: Histogram;
}

/**
 * The instruments of `meter`, or `undefined` when the meter is the API's no-op one (no
 * `MeterProvider` registered when the instance was created): the calls then build no metric
 * attributes at all.
 */
export function createInstruments(
  api: OpenTelemetryApi,
  meter: Meter,
): NangoInstruments | undefined {
  const duration = meter.createHistogram(metrics.operationDuration, {
    description: 'Duration of NangoService calls (cache, single-flight, retries included).',
    unit: 's',
    advice: { explicitBucketBoundaries: DURATION_BUCKETS },
  });
  // The no-op meter hands out one shared instrument of each kind.
  if (duration === api.createNoopMeter().createHistogram(metrics.operationDuration)) {
    return undefined;
  }
  return {
    duration,
    cacheLookups: meter.createCounter(metrics.cacheLookups, {
      description: 'Credential cache lookups of getToken, getConnection and getRawTokenResponse.',
      unit: '{lookup}',
    }),
    retries: meter.createCounter(metrics.retries, {
      description: 'Retries of GET calls to the Nango API.',
      unit: '{retry}',
    }),
    webhooksReceived: meter.createCounter(metrics.webhooksReceived, {
      description: 'Webhooks received from Nango, by type and verification verdict.',
      unit: '{webhook}',
    }),
    reconnectRequired: meter.createCounter(metrics.reconnectRequired, {
      description:
        'Calls that failed because the connection must be re-authorized (a refresh failed).',
      unit: '{error}',
    }),
    recordsDelivered: meter.createCounter(metrics.recordsDelivered, {
      description: 'Records handed to the app by records drains.',
      unit: '{record}',
    }),
    recordsLag: meter.createHistogram(metrics.recordsLag, {
      description: 'Time from the sync webhook to the page of records committed.',
      unit: 's',
    }),
  };
}
