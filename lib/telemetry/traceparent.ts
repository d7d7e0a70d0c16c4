import type { SpanContext } from '@opentelemetry/api';

/** A valid trace id: 32 hex digits, not all zeros. */
const TRACE_ID = /^(?!0{32})[0-9a-f]{32}$/;
/** A valid span id: 16 hex digits, not all zeros. */
const SPAN_ID = /^(?!0{16})[0-9a-f]{16}$/;

/**
 * The W3C `traceparent` header of a span context (`00-<trace id>-<span id>-<flags>`), or
 * `undefined` when it is not a valid one (no active trace). Written here rather than through the
 * global propagator so that `telemetry.propagate` sends exactly this header to Nango, and never
 * the app's baggage.
 */
export function traceparentOf(context: SpanContext): string | undefined {
  if (!TRACE_ID.test(context.traceId) || !SPAN_ID.test(context.spanId)) return undefined;
  const flags = (context.traceFlags & 0xff).toString(16).padStart(2, '0');
  return `00-${context.traceId}-${context.spanId}-${flags}`;
}
