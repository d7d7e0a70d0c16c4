// `npm run test:nango`: the e2e cases that make sense against a real Nango, run against
// NANGO_TEST_HOST with NANGO_TEST_SECRET_KEY. Without both, says so in one line and succeeds.
import { spawnSync } from 'node:child_process';

const { NANGO_TEST_HOST: host, NANGO_TEST_SECRET_KEY: key } = process.env;
if (!host || !key) {
  console.log('test:nango skipped: NANGO_TEST_HOST and NANGO_TEST_SECRET_KEY are not set.');
  process.exit(0);
}
// `npm run` puts node_modules/.bin on the PATH.
const result = spawnSync(
  'jest',
  [
    '--runInBand',
    '--testTimeout',
    '120000',
    '--testMatch',
    '**/test/real-nango/*.nango-spec.ts',
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit', env: { ...process.env, NODE_OPTIONS: '--experimental-vm-modules' } },
);
if (result.error) console.error(`test:nango: could not start jest: ${result.error.message}`);
process.exit(result.status ?? 1);
