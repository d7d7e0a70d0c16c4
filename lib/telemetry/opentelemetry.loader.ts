import type * as OpenTelemetry from '@opentelemetry/api';

/** The `@opentelemetry/api` module, as this package uses it. */
export type OpenTelemetryApi = typeof OpenTelemetry;

/** The version range of `@opentelemetry/api` this package works with (its peer dependency). */
export const OPENTELEMETRY_API_RANGE = '^1.9.0';

let loading: Promise<OpenTelemetryApi | undefined> | undefined;
let loaded: OpenTelemetryApi | undefined;

/**
 * Imports `@opentelemetry/api`, once per process, the first time a Nango instance with
 * telemetry on is created. Resolves `undefined` when it is not installed (telemetry is then a
 * no-op); never rejects.
 */
export function loadOpenTelemetry(): Promise<OpenTelemetryApi | undefined> {
  loading ??= Promise.resolve()
    .then(async () => (await import('@opentelemetry/api')) as OpenTelemetryApi)
    .then(
      (api) => {
        loaded = api;
        return api;
      },
      () => undefined,
    );
  return loading;
}

/** `@opentelemetry/api` if {@link loadOpenTelemetry} has loaded it; `undefined` before or without. */
export function loadedOpenTelemetry(): OpenTelemetryApi | undefined {
  return loaded;
}
