import type { NangoCallOptions } from '../interfaces/nango-module-options.interface.js';
import type {
  ListConnectionsFilter,
  NangoConnectionList,
  NangoConnectionSummary,
} from '../interfaces/nango-connection.interface.js';
import type {
  NangoListRecordsParams,
  NangoRecord,
  NangoRecordsPage,
} from '../interfaces/nango-records.interface.js';

/**
 * Every synced record of a model, page after page, following `next_cursor` from `params.cursor`.
 *
 * @param list fetches one page (`NangoService.listRecords`)
 */
export async function* iterateRecords<T>(
  list: (
    params: NangoListRecordsParams,
    options?: NangoCallOptions,
  ) => Promise<NangoRecordsPage<T>>,
  params: NangoListRecordsParams,
  options: NangoCallOptions | undefined,
): AsyncGenerator<NangoRecord<T>, void, undefined> {
  let cursor = params?.cursor;
  do {
    const page = await list({ ...params, cursor }, options);
    yield* page.records;
    cursor = page.next_cursor ?? undefined;
  } while (cursor !== undefined);
}

/**
 * Every connection matching `filter`, page after page (`limit` per page, default 100), until a
 * page comes back short.
 *
 * @param list fetches one page (`NangoService.listConnections`)
 */
export async function* iterateConnections(
  list: (filter: ListConnectionsFilter, options?: NangoCallOptions) => Promise<NangoConnectionList>,
  filter: Omit<ListConnectionsFilter, 'page'> | undefined,
  options: NangoCallOptions | undefined,
): AsyncGenerator<NangoConnectionSummary, void, undefined> {
  const limit = filter?.limit ?? 100;
  for (let page = 0; ; page++) {
    const { connections } = await list({ ...filter, limit, page }, options);
    yield* connections;
    if (connections.length < limit) return;
  }
}
