// The Nango stand-in on its own thread, so that it does not share the event loop it is measured from.
import { parentPort, workerData } from 'node:worker_threads';
import { NangoStandIn } from '../lib/testing/index.js';
import { benchSeeds } from './bench-seeds.js';

interface Data {
  secretKey: string;
  connections: number;
}

const { secretKey, connections } = workerData as Data;
const standIn = await NangoStandIn.start({ secretKey, connections: benchSeeds(connections) });
parentPort?.on('message', (message: { type: string }) => {
  if (message.type === 'count') {
    // Requests since the last count; the log is cleared so it does not grow during a run.
    parentPort?.postMessage({ type: 'count', count: standIn.requests.length });
    standIn.clearRequests();
  } else if (message.type === 'close') {
    void standIn.close().then(() => parentPort?.postMessage({ type: 'closed' }));
  }
});
parentPort?.postMessage({ type: 'ready', url: standIn.url });
