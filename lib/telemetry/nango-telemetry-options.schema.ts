import { IsBoolean, IsIn, IsOptional } from 'class-validator';
import type {
  NangoTelemetryConnectionId,
  NangoTelemetryOptions,
} from './nango-telemetry-options.interface.js';

/** The class-validator rules of the `telemetry` option; every field may be left out. */
export class NangoTelemetryOptionsSchema implements NangoTelemetryOptions {
  @IsOptional()
  @IsBoolean({ message: 'must be true or false' })
  enabled?: boolean;

  @IsOptional()
  @IsIn(['omit', 'hash', 'raw'], { message: "must be 'omit', 'hash' or 'raw'" })
  connectionId?: NangoTelemetryConnectionId;

  @IsOptional()
  @IsBoolean({ message: 'must be true or false' })
  propagate?: boolean;
}
