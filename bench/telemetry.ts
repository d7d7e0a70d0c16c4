// The telemetry row of `npm run bench`: getToken at concurrency 64 with telemetry off (the
// figure to compare with), with @opentelemetry/api loaded but no SDK, with the SDK and a no-op
// exporter, and with the SDK exporting to memory. The variants take turns, round after round,
// so a change in background load hits them alike.
import { context, metrics, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  InMemoryMetricExporter,
  MeterProvider,
  AggregationTemporality,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  InMemorySpanExporter,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { NestFactory } from '@nestjs/core';
import { NangoModule, NangoService, type NangoModuleOptions } from '../lib/index.js';

/** A telemetry variant's figures. */
export interface TelemetryRow {
  variant: string;
  callsPerSecond: number;
  p50: number;
  p99: number;
  /** calls/s over those of `telemetry off` in the same phase (undefined for `off` itself). */
  overOff?: number;
}

/** How run.ts loads a call: `concurrency` loops for `ms`. */
type Load = (
  call: (i: number) => Promise<unknown>,
  concurrency: number,
  ms: number,
) => Promise<{ count: number; seconds: number; latencies: Float64Array }>;

/** Where the spans go: nowhere (a no-op exporter) or to memory, switched between rounds. */
class SwitchedExporter implements SpanExporter {
  readonly memory = new InMemorySpanExporter();
  toMemory = false;
  export(spans: ReadableSpan[], done: Parameters<SpanExporter['export']>[1]): void {
    if (this.toMemory) this.memory.export(spans, done);
    else done({ code: 0 }); // ExportResultCode.SUCCESS
  }
  shutdown(): Promise<void> {
    return this.memory.shutdown();
  }
}

const ROUNDS = 3;

/**
 * Measures the four variants; `off` is `telemetry: { enabled: false }`, the others default
 * options. Every instance is created before its phase (the meter is taken when an instance is
 * made); the SDK is registered between the no-SDK phase and the SDK phases.
 */
export async function measureTelemetry(
  host: string,
  secretKey: string,
  connections: number,
  load: Load,
  seconds: number,
): Promise<TelemetryRow[]> {
  const service = async (options: Partial<NangoModuleOptions>) =>
    (
      await NestFactory.createApplicationContext(
        NangoModule.forRoot({ secretKey, host, ...options }),
        { logger: false },
      )
    ).get(NangoService);
  const callOf = (nango: NangoService) => (i: number) =>
    nango.getToken('github', `conn-${i % connections}`);
  const off = callOf(await service({ telemetry: { enabled: false } }));
  const totals = new Map<string, { count: number; seconds: number; latencies: number[] }>();
  const phase = async (variants: Array<[string, (i: number) => Promise<unknown>, () => void]>) => {
    for (const [, call] of variants) await load(call, 64, 300); // warm-up
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, call, before] of variants) {
        before();
        const run = await load(call, 64, (seconds * 1000) / ROUNDS / 2);
        const total = totals.get(name) ?? { count: 0, seconds: 0, latencies: [] };
        total.count += run.count;
        total.seconds += run.seconds;
        for (const l of run.latencies) total.latencies.push(l);
        totals.set(name, total);
      }
    }
  };
  const noop = () => undefined;

  // No SDK registered: the API is loaded, every span is a no-op one.
  const noSdk = callOf(await service({}));
  await phase([
    ['telemetry off', off, noop],
    ['@opentelemetry/api, no SDK', noSdk, noop],
  ]);

  // The SDK, as sdk-node would register it: batched spans, periodic metric export.
  const exporter = new SwitchedExporter();
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  trace.setGlobalTracerProvider(tracerProvider);
  const meterProvider = new MeterProvider({
    readers: [
      new PeriodicExportingMetricReader({
        exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE),
        exportIntervalMillis: 1000,
      }),
    ],
  });
  metrics.setGlobalMeterProvider(meterProvider);
  const sdk = callOf(await service({}));
  await phase([
    ['telemetry off (SDK phase)', off, noop],
    ['SDK, no-op exporter', sdk, () => (exporter.toMemory = false)],
    ['telemetry off (SDK phase)', off, noop],
    [
      'SDK, in-memory export',
      sdk,
      () => {
        exporter.toMemory = true;
        exporter.memory.reset();
      },
    ],
  ]);
  await tracerProvider.shutdown();
  await meterProvider.shutdown();
  trace.disable();
  metrics.disable();
  context.disable();

  const rows: TelemetryRow[] = [...totals].map(([variant, total]) => {
    const sorted = new Float64Array(total.latencies).sort();
    const at = (p: number) =>
      sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))] ?? NaN;
    return { variant, callsPerSecond: total.count / total.seconds, p50: at(0.5), p99: at(0.99) };
  });
  // Each variant against telemetry off measured in its own phase (the same minutes).
  const offOf = (variant: string) =>
    rows.find(
      (r) =>
        r.variant === (variant.startsWith('SDK') ? 'telemetry off (SDK phase)' : 'telemetry off'),
    );
  for (const row of rows) {
    if (row.variant.startsWith('telemetry off')) continue;
    const base = offOf(row.variant);
    if (base !== undefined) row.overOff = row.callsPerSecond / base.callsPerSecond;
  }
  return rows;
}
