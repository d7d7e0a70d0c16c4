// Downloads a 200 MB proxied body with one client, in its own process, and prints its peak RSS.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Nango } from '@nangohq/node';
import { Agent, request } from 'node:http';
import type { Readable } from 'node:stream';
import { NangoModule, NangoService } from '../lib/index.js';

const [client, url, secretKey, size] = process.argv.slice(2) as [string, string, string, string];
const endpoint = `/bytes/${size}`;

async function body(): Promise<Readable> {
  if (client === 'nestjs-nango') {
    const app = await NestFactory.createApplicationContext(
      NangoModule.forRoot({ secretKey, host: url }),
      { logger: false },
    );
    const nango = app.get(NangoService);
    const response = await nango.get<Readable>({
      endpoint,
      providerConfigKey: 'github',
      connectionId: 'conn-0',
      responseType: 'stream',
    });
    return response.data;
  }
  if (client === '@nangohq/node') {
    const nango = new Nango({ host: url, secretKey });
    const response = await nango.get<Readable>({
      endpoint,
      providerConfigKey: 'github',
      connectionId: 'conn-0',
      responseType: 'stream',
    });
    return response.data;
  }
  return new Promise((resolve, reject) => {
    const req = request(`${url}/proxy${endpoint}`, {
      agent: new Agent({ keepAlive: true }),
      headers: {
        authorization: `Bearer ${secretKey}`,
        'connection-id': 'conn-0',
        'provider-config-key': 'github',
      },
    });
    req.on('response', resolve);
    req.on('error', reject);
    req.end();
  });
}

const started = process.hrtime.bigint();
const data = await body();
// The client is set up and the response has started: from here on, memory should stay flat.
const baseline = process.memoryUsage().rss;
let peak = baseline;
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 10);
let bytes = 0;
for await (const chunk of data) {
  bytes += (chunk as Buffer).length;
  peak = Math.max(peak, process.memoryUsage().rss);
}
const ms = Number(process.hrtime.bigint() - started) / 1e6;
clearInterval(sampler);
process.stdout.write(
  `${JSON.stringify({ client, bytes, ms, baselineRss: baseline, peakRss: peak })}\n`,
);
process.exit(0);
