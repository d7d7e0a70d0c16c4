import { Logger } from '@nestjs/common';
import type { Attributes, Span, Tracer } from '@opentelemetry/api';
import { performance } from 'node:perf_hooks';
import type { NangoRequestContext } from '../api/nango-api-request.js';
import type { ResolvedNangoOptions } from '../interfaces/nango-module-options.interface.js';
import { NESTJS_NANGO_VERSION } from '../nango.version.js';
import { ConnectionIdHasher } from './connection-id-hasher.js';
import { NangoCallProbe } from './nango-call-probe.js';
import { createInstruments, type NangoInstruments } from './nango-telemetry.instruments.js';
import { NANGO_TELEMETRY } from './nango-telemetry.names.js';
import {
  NANGO_DEFAULT_TELEMETRY,
  type ResolvedNangoTelemetryOptions,
} from './nango-telemetry-options.interface.js';
import {
  OPENTELEMETRY_API_RANGE,
  loadOpenTelemetry,
  loadedOpenTelemetry,
  type OpenTelemetryApi,
} from './opentelemetry.loader.js';
import { traceparentOf } from './traceparent.js';

const names = NANGO_TELEMETRY.attributes;

/** What the instance's telemetry is bound to once `@opentelemetry/api` is loaded. */
interface Bound {
  readonly api: OpenTelemetryApi;
  readonly tracer: Tracer;
  readonly instruments: NangoInstruments | undefined;
}

/** One telemetry per resolved options, shared by the instance's service, guard and dispatcher. */
const INSTANCES = new WeakMap<ResolvedNangoOptions, NangoTelemetry>();

/**
 * The OpenTelemetry side of one Nango instance: a span per `NangoService` call, child of the
 * active span, and the instance's metrics. `@opentelemetry/api` is imported once, when the
 * first instance is created; until it is loaded, a call waits for it (only the first calls of
 * the process can); without it, or with `telemetry.enabled: false`, every call runs untouched.
 * The tracer and the meter are resolved once: the tracer follows an SDK registered later, the
 * meter only one registered before the instance was created (as `@opentelemetry/sdk-node` is,
 * before the app starts).
 */
export class NangoTelemetry {
  private bound: Bound | undefined;
  /** Set when `@opentelemetry/api` could not be loaded. */
  private missing = false;
  /** Set while `@opentelemetry/api` is being loaded. */
  private loading: Promise<void> | undefined;
  private readonly settings: ResolvedNangoTelemetryOptions;
  private readonly hasher: ConnectionIdHasher | undefined;
  /** `server.address`, `server.port` (and `nango.instance`) of every span of the instance. */
  private readonly server: Attributes;
  /** `nango.instance` of every metric of a named instance. */
  private readonly instance: Attributes;

  /** @param options the instance's resolved options */
  constructor(options: ResolvedNangoOptions) {
    this.settings = options.telemetry ?? NANGO_DEFAULT_TELEMETRY;
    this.hasher =
      this.settings.connectionId === 'hash' ? new ConnectionIdHasher(options.secretKey) : undefined;
    const url = new URL(options.host);
    this.instance = options.name === undefined ? {} : { [names.instance]: options.name };
    this.server = {
      [names.serverAddress]: url.hostname,
      [names.serverPort]: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
      ...this.instance,
    };
    if (!this.settings.enabled) return;
    const api = loadedOpenTelemetry();
    if (api !== undefined) this.bind(api);
    else this.loading = loadOpenTelemetry().then((loaded) => this.bind(loaded));
  }

  /** The telemetry of the instance of `options` (one per instance, made on first use). */
  static of(options: ResolvedNangoOptions): NangoTelemetry {
    let telemetry = INSTANCES.get(options);
    if (telemetry === undefined) {
      telemetry = new NangoTelemetry(options);
      INSTANCES.set(options, telemetry);
    }
    return telemetry;
  }

  /**
   * Resolves once `@opentelemetry/api` is loaded or known to be missing; then warns, once per
   * process, when the app set the `telemetry` option but the API could not be loaded.
   */
  async ready(): Promise<void> {
    await this.loading;
    // Only an app that asked for telemetry is told that it has none.
    if (this.missing && this.settings !== NANGO_DEFAULT_TELEMETRY) missingApiWarning();
  }

  /** `@opentelemetry/api` and the instance's metric instruments, once loaded. */
  get api(): OpenTelemetryApi | undefined {
    return this.bound?.api;
  }

  /** The instance's metric instruments; `undefined` without a `MeterProvider`. */
  get instruments(): NangoInstruments | undefined {
    return this.bound?.instruments;
  }

  /**
   * Runs one `NangoService` call in its span `nango <operation>` (`nango proxy GET` for a proxy
   * call) and records its metrics. `call` gets the call's {@link NangoCallProbe}, or `undefined`
   * when nothing listens (no SDK, or a span not sampled and no meter): it then runs as is.
   *
   * @param context the call's context (operation, integration, connection, proxy)
   * @param method the HTTP method sent to Nango (the proxy's method for a proxy call)
   * @param call the call
   */
  run<T>(
    context: NangoRequestContext,
    method: string | undefined,
    call: (probe: NangoCallProbe | undefined) => Promise<T>,
  ): Promise<T> {
    const bound = this.bound;
    if (bound === undefined) {
      return this.loading === undefined
        ? call(undefined)
        : this.loading.then(() => this.run(context, method, call));
    }
    const operation =
      context.proxy === undefined ? context.operation : `proxy ${context.proxy.method}`;
    const span = bound.tracer.startSpan(`nango ${operation}`, { kind: bound.api.SpanKind.CLIENT });
    const recording = span.isRecording();
    if (!recording && bound.instruments === undefined && !this.settings.propagate) {
      return call(undefined);
    }
    const labels: Attributes = { ...this.instance, [names.operation]: operation };
    if (context.providerConfigKey !== undefined) {
      labels[names.providerConfigKey] = context.providerConfigKey;
    }
    if (recording) this.describe(span, labels, method, context.connectionId);
    const probe = new NangoCallProbe(
      recording ? span : undefined,
      bound.instruments,
      labels,
      this.settings.propagate ? traceparentOf(span.spanContext()) : undefined,
    );
    const started = performance.now();
    const done = (error: unknown, failed: boolean) =>
      probe.end(error, (performance.now() - started) / 1000, failed);
    const { context: contexts, trace } = bound.api;
    const running = recording
      ? contexts.with(trace.setSpan(contexts.active(), span), call, undefined, probe)
      : call(probe);
    return running.then(
      (value) => {
        done(undefined, false);
        return value;
      },
      (error: unknown) => {
        done(error, true);
        throw error;
      },
    );
  }

  /**
   * The span of work that is not a `NangoService` call (a webhook, a records drain), child of
   * the active span, made active while `work` runs; `undefined` span when not recording.
   *
   * @param name the span name, e.g. `nango webhook`
   * @param work the work; it sets its attributes on the span and may end it early
   */
  span<T>(
    name: string,
    work: (span: Span | undefined) => Promise<T>,
    kind: 'internal' | 'consumer' = 'internal',
  ): Promise<T> {
    const bound = this.bound;
    if (bound === undefined) return work(undefined);
    const { SpanKind, context: contexts, trace } = bound.api;
    const span = bound.tracer.startSpan(name, {
      kind: kind === 'internal' ? SpanKind.INTERNAL : SpanKind.CONSUMER,
      attributes: this.instance,
    });
    if (!span.isRecording()) return work(undefined);
    return contexts.with(trace.setSpan(contexts.active(), span), work, undefined, span);
  }

  /** `connectionId` as the `telemetry.connectionId` policy shows it; `undefined`: left out. */
  connectionAttribute(connectionId: string | undefined): string | undefined {
    if (connectionId === undefined || this.settings.connectionId === 'omit') return undefined;
    return this.hasher === undefined ? connectionId : this.hasher.hash(connectionId);
  }

  /** The attributes of a recording span, set once at its start. */
  private describe(
    span: Span,
    labels: Attributes,
    method: string | undefined,
    connectionId: string | undefined,
  ): void {
    span.setAttributes(this.server);
    span.setAttributes(labels);
    if (method !== undefined) span.setAttribute(names.httpMethod, method.toUpperCase());
    const connection = this.connectionAttribute(connectionId);
    if (connection !== undefined) span.setAttribute(names.connectionId, connection);
  }

  private bind(api: OpenTelemetryApi | undefined): void {
    this.loading = undefined;
    if (api === undefined) {
      this.missing = true;
      return;
    }
    const { scope } = NANGO_TELEMETRY;
    this.bound = {
      api,
      tracer: api.trace.getTracer(scope, NESTJS_NANGO_VERSION),
      instruments: createInstruments(api, api.metrics.getMeter(scope, NESTJS_NANGO_VERSION)),
    };
  }
}

let warned = false;

/** Says once per process that `telemetry` is set but `@opentelemetry/api` is not installed. */
function missingApiWarning(): void {
  if (warned) return;
  warned = true;
  new Logger('NangoTelemetry').warn(
    `The telemetry option is set, but @opentelemetry/api could not be loaded: no span or metric is recorded. Install it: npm install @opentelemetry/api@"${OPENTELEMETRY_API_RANGE}"`,
  );
}
