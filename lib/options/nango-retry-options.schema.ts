import { IsOptional } from 'class-validator';
import type { NangoRetryOptions } from '../interfaces/nango-module-options.interface.js';
import { IsWholeNumberIn } from './whole-number.rule.js';

/** The class-validator rules of the `retry` option; every field may be left out. */
export class NangoRetryOptionsSchema implements NangoRetryOptions {
  @IsOptional() @IsWholeNumberIn(0, 10, 'retries') retries?: number;
  @IsOptional() @IsWholeNumberIn(1, 60_000, 'milliseconds') minDelayMs?: number;
  @IsOptional() @IsWholeNumberIn(1, 300_000, 'milliseconds') maxDelayMs?: number;
  @IsOptional() @IsWholeNumberIn(0, 600_000, 'milliseconds') maxTotalDelayMs?: number;
}
