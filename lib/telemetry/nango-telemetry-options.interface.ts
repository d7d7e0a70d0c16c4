/**
 * How connection ids appear in spans: left out, as a keyed hash (the default), or as they are.
 * Connection ids are often user ids or e-mail addresses.
 */
export type NangoTelemetryConnectionId = 'omit' | 'hash' | 'raw';

/**
 * The `telemetry` option of `NangoModule.forRoot()`: OpenTelemetry traces and metrics of the
 * instance's calls, through `@opentelemetry/api` when it is installed and an SDK is registered
 * (a no-op otherwise). See `docs/observability.md`.
 */
export interface NangoTelemetryOptions {
  /** `false`: no span and no metric, even with an SDK registered. Default `true`. */
  enabled?: boolean;
  /**
   * `nango.connection_id` of spans: `'hash'` (default: the first 32 hex digits of an
   * HMAC-SHA256 under a key derived from the secret key, the same on every replica), `'raw'`
   * or `'omit'`. Metrics never carry connection ids.
   */
  connectionId?: NangoTelemetryConnectionId;
  /** Send the active trace context to Nango as a W3C `traceparent` header. Default `false`. */
  propagate?: boolean;
}

/** The `telemetry` option after validation, with defaults applied. */
export interface ResolvedNangoTelemetryOptions {
  readonly enabled: boolean;
  readonly connectionId: NangoTelemetryConnectionId;
  readonly propagate: boolean;
}

/** Telemetry when the `telemetry` option is left out: on (a no-op without an SDK), ids hashed. */
export const NANGO_DEFAULT_TELEMETRY: ResolvedNangoTelemetryOptions = Object.freeze({
  enabled: true,
  connectionId: 'hash',
  propagate: false,
});

/** Resolves the `telemetry` option (already validated): its fields over the defaults. */
export function resolveTelemetry(
  telemetry: NangoTelemetryOptions | null | undefined,
): ResolvedNangoTelemetryOptions {
  if (telemetry == null) return NANGO_DEFAULT_TELEMETRY;
  return Object.freeze({
    enabled: telemetry.enabled ?? NANGO_DEFAULT_TELEMETRY.enabled,
    connectionId: telemetry.connectionId ?? NANGO_DEFAULT_TELEMETRY.connectionId,
    propagate: telemetry.propagate ?? NANGO_DEFAULT_TELEMETRY.propagate,
  });
}
