// A 30 MB getConnection answer: is the heap back to where it started once the caller drops it?
// Runs in its own process (node --expose-gc big-answer-child.js); the Nango stand-in is a small
// node:http server in another process, so that only the client's heap is measured. Prints JSON.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { NangoModule, NangoService } from '../lib/index.js';

const MB = 1024 * 1024;
const secretKey = randomUUID();

if (process.argv[2] === 'server') {
  // The server side: one connection with 30 MB of metadata.
  const { createServer } = await import('node:http');
  const body = JSON.stringify({
    id: 1,
    connection_id: 'big',
    provider_config_key: 'github',
    provider: 'github',
    metadata: { blob: 'x'.repeat(30 * MB) },
    credentials: { type: 'API_KEY', apiKey: 'k' },
  });
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.send?.(typeof address === 'object' && address ? address.port : 0);
  });
} else {
  const server = fork(fileURLToPath(import.meta.url), ['server'], { stdio: 'inherit' });
  const port = await new Promise<number>((resolve) =>
    server.once('message', (p) => resolve(p as number)),
  );
  const app = await NestFactory.createApplicationContext(
    NangoModule.forRoot({ secretKey, host: `http://127.0.0.1:${port}` }),
    { logger: false },
  );
  const nango = app.get(NangoService);
  const heap = async (): Promise<number> => {
    for (let i = 0; i < 4; i++) {
      (globalThis as { gc?: () => void }).gc?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    return process.memoryUsage().heapUsed;
  };
  // One small warm-up call so that the module's own lazy state is not counted.
  await nango.getConnection('github', 'big');
  const before = await heap();
  let connection: unknown = await nango.getConnection('github', 'big');
  const during = process.memoryUsage().heapUsed;
  connection = undefined;
  void connection;
  const after = await heap();
  await app.close();
  server.kill();
  process.stdout.write(`${JSON.stringify({ before, during, after })}\n`);
  process.exit(0);
}
