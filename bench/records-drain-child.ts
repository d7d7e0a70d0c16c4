// One drain of the records benchmark, in a process of its own (so its RSS is its own): MODE=loop
// is the loop teams write by hand over @nangohq/node (fetch a page, write it, save the cursor,
// repeat). It prints one JSON line: records, seconds, peak RSS growth in MB.
import { Nango } from '@nangohq/node';
import { setTimeout as sleep } from 'node:timers/promises';

const {
  NANGO_URL = '',
  SECRET_KEY = '',
  PROVIDER_CONFIG_KEY = '',
  CONNECTION_ID = '',
} = process.env;
const MODEL = process.env['MODEL'] ?? '';
const PAGE = Number(process.env['PAGE'] ?? 100);
const WRITE_MS = Number(process.env['WRITE_MS'] ?? 5);

/** The handler's work per page: a stand-in for a database write. */
const write = (): Promise<unknown> => sleep(WRITE_MS);

/** Samples the RSS every 10 ms; `stop()` gives the peak growth over the start, in MB. */
function rssPeak(): () => number {
  const start = process.memoryUsage.rss();
  let peak = start;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 10);
  return () => {
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage.rss());
    return (peak - start) / 1024 / 1024;
  };
}

/** The hand-written loop: one page at a time, the cursor saved after the write. */
async function handWritten(): Promise<number> {
  const nango = new Nango({ host: NANGO_URL, secretKey: SECRET_KEY });
  const cursors = new Map<string, string>();
  const key = `${PROVIDER_CONFIG_KEY}/${CONNECTION_ID}/${MODEL}`;
  let records = 0;
  for (;;) {
    const cursor = cursors.get(key);
    const page = await nango.listRecords({
      providerConfigKey: PROVIDER_CONFIG_KEY,
      connectionId: CONNECTION_ID,
      model: MODEL,
      limit: PAGE,
      ...(cursor === undefined ? {} : { cursor }),
    });
    await write();
    records += page.records.length;
    const last = page.records.at(-1);
    if (last !== undefined) cursors.set(key, last._nango_metadata.cursor);
    if (page.next_cursor === null) return records;
  }
}

const stop = rssPeak();
const started = performance.now();
const records = await handWritten();
const seconds = (performance.now() - started) / 1000;
console.log(JSON.stringify({ records, seconds, peakRssMb: stop() }));
