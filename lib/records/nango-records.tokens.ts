import { NangoRecordsService } from './nango-records.service.js';

/** Prefix of a named instance's records service token: `NangoRecordsService:<name>`. */
const PREFIX = 'NangoRecordsService:';

/**
 * The injection token of a Nango instance's {@link NangoRecordsService}: the class itself for
 * the default instance, `NangoRecordsService:<name>` for a named one
 * (`@Inject(getNangoRecordsServiceToken('prod'))`).
 *
 * @param name the instance name given to `forRoot({ name })`; absent for the default one
 */
export function getNangoRecordsServiceToken(name?: string): typeof NangoRecordsService | string {
  return name === undefined || name === 'default' ? NangoRecordsService : `${PREFIX}${name}`;
}
