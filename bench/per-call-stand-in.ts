// The Nango stand-in in its own process, for per-call.ts: prints its URL, runs until killed.
import { NangoStandIn } from '../lib/testing/index.js';
import { benchSeeds } from './bench-seeds.js';

const secretKey = process.argv[2] as string;
const standIn = await NangoStandIn.start({ secretKey, connections: benchSeeds(1000) });
// The request log is for tests: keep it from growing.
setInterval(() => standIn.clearRequests(), 1000).unref();
console.log(standIn.url);
