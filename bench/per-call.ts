// Client CPU per call, for before/after comparisons of one change: the stand-in runs in its own
// process, so process.cpuUsage() counts the client alone (steadier than calls/s on 2 cores).
// Build with `npx tsc -p bench/tsconfig.json`, then, from bench/.tmp/bench:
//   CLIENT=ours|ours-signal|theirs|bare|undici CALL=token|proxy CALLS=20000 node per-call.js
// Run each variant several times, alternating, and compare medians. Add --cpu-prof to profile.
// `ours-signal` passes each getToken an AbortSignal of its own, as `@UseNangoConnection()`
// passes the client-disconnect signal. `bare` is a node:http keep-alive GET with JSON.parse (as in run.ts), `undici` the same GET on
// an undici Pool like the module's (what its adapter sits on). The floors keep the
// network out: the module's axios instance gets an adapter that answers at once, and
//   CLIENT=floor-axios  calls its axios.request() alone,
//   CLIENT=floor-http   calls the module's HttpService.request() (Observable and all),
//   CLIENT=floor-ours   calls getToken() (arguments, single-flight, transport, HttpService),
// which shows what each layer costs per call (CALL=token only). TELEMETRY=off turns telemetry
// off, to compare with the default (@opentelemetry/api loaded, no SDK registered).
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Nango } from '@nangohq/node';
import type { HttpService } from '@nestjs/axios';
import { AxiosHeaders, type AxiosAdapter } from 'axios';
import { spawn } from 'node:child_process';
import { bareClient } from './bare-client.js';
import { Pool } from 'undici';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { firstValueFrom } from 'rxjs';
import { NangoModule, NangoService } from '../lib/index.js';
import { NANGO_HTTP_SERVICE } from '../lib/nango.tokens.js';

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
  NangoModule.forRoot({
    secretKey,
    host: url,
    // TELEMETRY=off: `telemetry: { enabled: false }`, to compare with the default (API, no SDK).
    ...(process.env['TELEMETRY'] === 'off' ? { telemetry: { enabled: false } } : {}),
  }),
  { logger: false },
);
const service = app.get(NangoService);
const theirs = new Nango({ host: url, secretKey });
const CALLS = Number(process.env['CALLS'] ?? 20_000);
const client = process.env['CLIENT'] ?? 'ours';
const kind = process.env['CALL'] ?? 'token';

const bareHttp = bareClient(url, secretKey);

const pool = new Pool(url, { connections: 128, pipelining: 1 });
const poolHeaders = { authorization: `Bearer ${secretKey}`, accept: 'application/json' };
async function undiciGet(path: string, headers: Record<string, string> = {}): Promise<unknown> {
  const { body } = await pool.request({
    path,
    method: 'GET',
    headers: { ...poolHeaders, ...headers },
  });
  return JSON.parse(await body.text()) as unknown;
}

const http = app.get<HttpService>(NANGO_HTTP_SERVICE);
if (client.startsWith('floor')) {
  // One real answer, then handed out at once: the floors measure the layers above the network.
  const real = await service.getConnection('github', 'conn-0');
  const answer: AxiosAdapter = (config) =>
    Promise.resolve({
      data: real,
      status: 200,
      statusText: 'OK',
      headers: new AxiosHeaders({ 'content-type': 'application/json', 'content-length': '420' }),
      config,
      request: undefined,
    });
  http.axiosRef.defaults.adapter = answer;
}
const connectionUrl = (id: string): string =>
  `/connections/${id}?provider_config_key=github&force_refresh=false&refresh_token=false`;

function call(id: string): Promise<unknown> {
  const proxy = { endpoint: '/user', providerConfigKey: 'github', connectionId: id };
  switch (client) {
    case 'theirs':
      return kind === 'token' ? theirs.getToken('github', id) : theirs.get(proxy);
    case 'bare':
      return kind === 'token'
        ? bareHttp.get(connectionUrl(id))
        : bareHttp.get('/proxy/user', { 'connection-id': id, 'provider-config-key': 'github' });
    case 'undici':
      return kind === 'token'
        ? undiciGet(connectionUrl(id))
        : undiciGet('/proxy/user', { 'connection-id': id, 'provider-config-key': 'github' });
    case 'floor-axios':
      return http.axiosRef.request({ method: 'GET', url: connectionUrl(id), timeout: 30_000 });
    case 'floor-http':
      return firstValueFrom(
        http.request({ method: 'GET', url: connectionUrl(id), timeout: 30_000 }),
      );
    case 'ours-signal':
      // As `@UseNangoConnection()` calls it: with the client-disconnect signal of the request.
      return service.getToken('github', id, false, { signal: new AbortController().signal });
    default:
      return kind === 'token' ? service.getToken('github', id) : service.get(proxy);
  }
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
bareHttp.destroy();
await pool.destroy();
standIn.kill();
