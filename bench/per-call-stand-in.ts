// The Nango stand-in in its own process, for per-call.ts: prints its URL, runs until killed.
import { NangoStandIn, type StandInConnectionSeed } from '../lib/testing/index.js';

const secretKey = process.argv[2] as string;
const expiresAt = new Date(Date.now() + 24 * 3600_000).toISOString();
const seeds: StandInConnectionSeed[] = Array.from({ length: 1000 }, (_, i) => ({
  connectionId: `conn-${i}`,
  providerConfigKey: 'github',
  credentials: {
    type: 'OAUTH2',
    access_token: `token-${i}`,
    refresh_token: `refresh-${i}`,
    expires_at: expiresAt,
    raw: {},
  },
}));
const standIn = await NangoStandIn.start({ secretKey, connections: seeds });
// The request log is for tests: keep it from growing.
setInterval(() => standIn.clearRequests(), 1000).unref();
console.log(standIn.url);
