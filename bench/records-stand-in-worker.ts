// The Nango stand-in of the records benchmark, on its own thread: it holds the synced records
// (seeded with `standIn.sync()`) and pages them to the drains measured in other processes.
import { parentPort, workerData } from 'node:worker_threads';
import { NangoStandIn } from '../lib/testing/index.js';

/** One stream to seed: `count` records of about `bytes` bytes each. */
export interface BenchStream {
  connectionId: string;
  model: string;
  count: number;
  bytes: number;
}

const { secretKey, providerConfigKey } = workerData as {
  secretKey: string;
  providerConfigKey: string;
};
const standIn = await NangoStandIn.start({ secretKey });

async function seed(streams: BenchStream[]): Promise<void> {
  for (const { connectionId, model, count, bytes } of streams) {
    standIn.seed({ providerConfigKey, connectionId, credentials: {} });
    const pad = 'x'.repeat(Math.max(0, bytes - 60));
    const added = Array.from({ length: count }, (_, i) => ({ id: `${model}-${i}`, n: i, pad }));
    await standIn.sync({ providerConfigKey, connectionId, model, added, webhook: false });
  }
  standIn.clearRequests();
}

parentPort?.on('message', (message: { type: string; streams?: BenchStream[] }) => {
  if (message.type === 'seed') {
    void seed(message.streams ?? []).then(() => parentPort?.postMessage({ type: 'seeded' }));
  } else if (message.type === 'count') {
    parentPort?.postMessage({ type: 'count', count: standIn.requests.length });
    standIn.clearRequests();
  } else if (message.type === 'close') {
    void standIn.close().then(() => parentPort?.postMessage({ type: 'closed' }));
  }
});
parentPort?.postMessage({ type: 'ready', url: standIn.url });
