// Client CPU per call, for before/after comparisons of one change: the stand-in runs in its own
// process, so process.cpuUsage() counts the client alone (steadier than calls/s on 2 cores).
// Build with `npx tsc -p bench/tsconfig.json`, then, from bench/.tmp/bench:
//   CLIENT=ours|theirs CALL=token|proxy CALLS=20000 node per-call.js
// Run each variant several times, alternating, and compare medians. Add --cpu-prof to profile.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Nango } from '@nangohq/node';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { NangoModule, NangoService } from '../lib/index.js';

const secretKey = randomUUID();
const standIn = spawn(
  process.execPath,
  [fileURLToPath(new URL('./per-call-stand-in.js', import.meta.url)), secretKey],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const url = await new Promise<string>((resolve) =>
  standIn.stdout.once('data', (d: Buffer) => resolve(d.toString().trim())),
);
const app = await NestFactory.createApplicationContext(
  NangoModule.forRoot({ secretKey, host: url }),
  { logger: false },
);
const service = app.get(NangoService);
const theirs = new Nango({ host: url, secretKey });
const CALLS = Number(process.env['CALLS'] ?? 20_000);
const client = process.env['CLIENT'] ?? 'ours';
const kind = process.env['CALL'] ?? 'token';

function call(id: string): Promise<unknown> {
  const proxy = { endpoint: '/user', providerConfigKey: 'github', connectionId: id };
  if (client === 'theirs') {
    return kind === 'token' ? theirs.getToken('github', id) : theirs.get(proxy);
  }
  return kind === 'token' ? service.getToken('github', id) : service.get(proxy);
}

/** `n` calls from 64 concurrent loops over 1000 distinct connections. */
async function run(n: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (next < n) await call(`conn-${next++ % 1000}`);
    }),
  );
}

await run(3000); // warm-up
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await run(CALLS);
const cpu = process.cpuUsage(cpu0);
const perSecond = (CALLS / (performance.now() - t0)) * 1000;
console.log(
  `${client} ${kind}: ${perSecond.toFixed(0)}/s ${((cpu.user + cpu.system) / CALLS).toFixed(1)} us/call`,
);
await app.close();
standIn.kill();
