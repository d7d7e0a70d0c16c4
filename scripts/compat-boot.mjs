// Boots a fixture app's build (`node dist/main`) against a Nango stand-in taken from the
// nestjs-nango the app installed, and checks it over HTTP: the handler gets the connection's
// token, an unknown connection is a 404. Usage: node scripts/compat-boot.mjs <fixture dir>
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const dir = resolve(process.argv[2] ?? '.');
const requireFromApp = createRequire(join(dir, 'package.json'));
const { NangoStandIn } = requireFromApp('nestjs-nango/testing');

function freePort() {
  return new Promise((done, fail) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
    server.on('error', fail);
  });
}

async function waitForHttp(url, app, deadline) {
  for (;;) {
    if (app.exitCode !== null) throw new Error(`the app exited with code ${app.exitCode}`);
    try {
      await fetch(url);
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`no answer from ${url}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

const standIn = await NangoStandIn.start({
  connections: [
    {
      connectionId: 'user-1',
      providerConfigKey: 'github',
      credentials: { type: 'OAUTH2', access_token: 'booted-token', raw: {} },
    },
  ],
});
const port = await freePort();
let output = '';
const app = spawn(process.execPath, ['dist/main'], {
  cwd: dir,
  env: {
    ...process.env,
    PORT: String(port),
    NANGO_SECRET_KEY: standIn.secretKey,
    NANGO_HOST: standIn.url,
  },
  stdio: ['ignore', 'pipe', 'pipe'],
});
app.stdout.on('data', (chunk) => (output += chunk));
app.stderr.on('data', (chunk) => (output += chunk));

let failed = false;
try {
  const base = `http://127.0.0.1:${port}`;
  // Generous: the app boots on a busy 2-core machine.
  await waitForHttp(base, app, Date.now() + 120_000);
  const ok = await fetch(`${base}/github/token-info`, { headers: { 'x-user-id': 'user-1' } });
  const body = await ok.text();
  if (ok.status !== 200 || body !== '{"hasToken":true}') {
    throw new Error(`GET /github/token-info: ${ok.status} ${body}`);
  }
  const missing = await fetch(`${base}/github/token-info`, { headers: { 'x-user-id': 'nobody' } });
  if (missing.status !== 404) throw new Error(`unknown connection: ${missing.status}, not 404`);
  if (standIn.count({ method: 'GET', path: '/connections/user-1' }) !== 1) {
    throw new Error('the stand-in did not see the token request');
  }
  console.log(`boot: node dist/main served ${base}/github/token-info (200, then 404)`);
} catch (error) {
  failed = true;
  console.error(`boot failed: ${error.message}\n--- app output ---\n${output}`);
} finally {
  app.kill();
  await standIn.close();
}
process.exit(failed ? 1 : 0);
