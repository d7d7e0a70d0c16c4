import { Injectable, Optional } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { NangoUsageError } from '../errors/nango-misuse.errors.js';
import {
  NangoAuthenticationError,
  NangoRateLimitError,
  NangoTimeoutError,
  NangoUnavailableError,
} from '../errors/nango-request.errors.js';
import { checkInstanceName } from '../nango.tokens.js';
import { NangoInstanceRegistry } from '../nango-instance.registry.js';
import type { NangoService } from '../nango.service.js';

/** Options of {@link NangoHealthIndicator.isHealthy}. */
export interface NangoHealthCheckOptions {
  /** The named Nango instance to probe (`forRoot({ name })`); default: the default instance. */
  instance?: string;
  /** Longest wait for Nango, in milliseconds; default 5000. */
  timeout?: number;
}

/** Why a probe did not find Nango healthy. */
export type NangoHealthReason =
  'bad_key' | 'unreachable' | 'timeout' | 'server_error' | 'rate_limited' | 'unexpected';

/** One indicator's result, in `@nestjs/terminus`'s `HealthIndicatorResult` shape. */
export type NangoHealthIndicatorResult<Key extends string = string> = Record<
  Key,
  {
    status: 'up' | 'down' | 'degraded';
    /** Time Nango took to answer, in milliseconds. */
    latencyMs: number;
    /** The instance probed, when named. */
    instance?: string;
    /** Why it is not up. */
    reason?: NangoHealthReason;
    /** What went wrong, without the key. */
    message?: string;
  }
>;

/** The part of `@nestjs/terminus` the indicator uses. */
interface TerminusHealth {
  check(key: string): {
    up(data: Record<string, unknown>): unknown;
    down(data: Record<string, unknown>): unknown;
    degraded(data: Record<string, unknown>): unknown;
  };
}

/** Default wait for a health probe, in milliseconds. */
const DEFAULT_HEALTH_TIMEOUT_MS = 5000;

/**
 * A `@nestjs/terminus` health indicator for Nango: probes `GET /connections?limit=1` (cheap,
 * authenticated, and it spends no connection's token) and reports `up` with the latency,
 * `down` with `reason: 'bad_key'` (401), `'unreachable'`, `'timeout'` or `'server_error'`, or
 * `degraded` when Nango rate-limits the app.
 *
 * `@nestjs/terminus` is an optional peer dependency, loaded when a check first runs; without
 * it, the check fails with a {@link NangoUsageError} saying to install it. Add the
 * indicator to the providers of the module of your health controller.
 *
 * @example
 * \@Get('health') \@HealthCheck()
 * check() { return this.health.check([() => this.nango.isHealthy('nango')]); }
 */
@Injectable()
export class NangoHealthIndicator {
  private terminus: Promise<TerminusHealth> | undefined;

  constructor(@Optional() protected readonly registry?: NangoInstanceRegistry) {}

  /**
   * Probes a Nango instance and returns its health under `key`.
   *
   * @param key the key of the result, e.g. `nango`
   * @param options `instance` to probe a named instance, `timeout` in milliseconds
   */
  async isHealthy<Key extends string = 'nango'>(
    key: Key = 'nango' as Key,
    options: NangoHealthCheckOptions = {},
  ): Promise<NangoHealthIndicatorResult<Key>> {
    const health = await this.loadHealth();
    const instance = checkInstanceName(options.instance);
    const nango = this.service(instance);
    const session = health.check(key);
    const base = instance === undefined ? {} : { instance };
    const started = performance.now();
    try {
      await nango.listConnections(
        { limit: 1 },
        // One probe, one answer: a retry would only hide how Nango is doing right now.
        { timeout: options.timeout ?? DEFAULT_HEALTH_TIMEOUT_MS, retry: false },
      );
      return session.up({
        ...base,
        latencyMs: elapsed(started),
      }) as NangoHealthIndicatorResult<Key>;
    } catch (error) {
      const latencyMs = elapsed(started);
      const reason = reasonOf(error);
      const message = error instanceof Error ? error.message : String(error);
      const data = { ...base, latencyMs, reason, message };
      return (
        reason === 'rate_limited' ? session.degraded(data) : session.down(data)
      ) as NangoHealthIndicatorResult<Key>;
    }
  }

  /** Imports `@nestjs/terminus`; override to load it differently. */
  protected async importTerminus(): Promise<{ HealthIndicatorService: new () => TerminusHealth }> {
    return (await import('@nestjs/terminus')) as unknown as {
      HealthIndicatorService: new () => TerminusHealth;
    };
  }

  private loadHealth(): Promise<TerminusHealth> {
    this.terminus ??= Promise.resolve()
      .then(() => this.importTerminus())
      .then(
        (terminus) => new terminus.HealthIndicatorService(),
        (error: unknown) => {
          this.terminus = undefined;
          throw NangoUsageError.missingDependency(
            'NangoHealthIndicator',
            '@nestjs/terminus',
            error,
          );
        },
      );
    return this.terminus;
  }

  private service(instance: string | undefined): NangoService {
    if (this.registry === undefined)
      throw NangoInstanceRegistry.missing(instance, 'NangoHealthIndicator');
    return this.registry.get(instance, 'NangoHealthIndicator').service;
  }
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}

function reasonOf(error: unknown): NangoHealthReason {
  if (error instanceof NangoAuthenticationError) return 'bad_key';
  if (error instanceof NangoTimeoutError) return 'timeout';
  if (error instanceof NangoRateLimitError) return 'rate_limited';
  if (error instanceof NangoUnavailableError) {
    return error.status === undefined ? 'unreachable' : 'server_error';
  }
  return 'unexpected';
}
