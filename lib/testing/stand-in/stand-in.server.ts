import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RecordedRequest } from './stand-in.interfaces.js';
import type { Outgoing } from './stand-in.replies.js';
import { parseQuery } from './stand-in.request.js';
import { noop } from 'rxjs';

/**
 * The stand-in's HTTP plumbing: a `node:http` server on 127.0.0.1 that reads each request's
 * body, hands it on as a {@link RecordedRequest}, and writes answers (delayed, hung, reset or
 * streamed as asked); closing it destroys every socket.
 */

/** Handles one request; answers through {@link StandInServer.send}. */
export type StandInRequestHandler = (req: RecordedRequest, res: ServerResponse) => void;

const CHUNK_SIZE = 64 * 1024;
const CHUNK = Buffer.alloc(CHUNK_SIZE, 0);
for (let i = 0; i < CHUNK_SIZE; i++) CHUNK[i] = i & 0xff;

/** A listening server and the timers of its delayed answers. */
export class StandInServer {
  private readonly timers = new Set<NodeJS.Timeout>();
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly server: Server,
    /** Base URL: `http://127.0.0.1:<port>`. */
    readonly url: string,
    private readonly latency: [number, number] | undefined,
  ) {}

  /** Listens on 127.0.0.1, on a random free port; `latency` adds a random delay to each answer. */
  static async listen(latency: [number, number] | undefined): Promise<StandInServer> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    return new StandInServer(server, `http://127.0.0.1:${port}`, latency);
  }

  /** Sends every request, once its body is read, to `handler`. */
  handle(handler: StandInRequestHandler): void {
    this.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      req.on('error', noop);
      res.on('error', noop);
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => handler(recorded(req, chunks), res));
    });
  }

  /** Writes the answer, after its delay (and the latency); a hung answer is never written. */
  send(res: ServerResponse, out: Outgoing): void {
    if (out.hang === true) return; // closeAllConnections() in close() ends it.
    let delay = out.delayMs ?? 0;
    if (this.latency !== undefined) {
      const [min, max] = this.latency;
      delay += min + Math.random() * Math.max(0, max - min);
    }
    if (delay <= 0) {
      write(res, out);
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      res.off('close', cancel);
      write(res, out);
    }, delay);
    const cancel = (): void => {
      clearTimeout(timer);
      this.timers.delete(timer);
    };
    this.timers.add(timer);
    res.once('close', cancel);
  }

  /** Number of client connections open now. */
  openConnections(): Promise<number> {
    return new Promise((resolve, reject) =>
      this.server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
    );
  }

  /** Stops listening and destroys every open socket (hung ones included). Idempotent. */
  close(): Promise<void> {
    if (this.closing !== undefined) return this.closing;
    this.closing = new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    return this.closing;
  }
}

function recorded(req: IncomingMessage, chunks: Buffer[]): RecordedRequest {
  const body =
    chunks.length === 0
      ? ''
      : chunks.length === 1
        ? (chunks[0] as Buffer).toString('utf8')
        : Buffer.concat(chunks).toString('utf8');
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return {
    method: req.method ?? 'GET',
    url,
    pathname: q === -1 ? url : url.slice(0, q),
    query: parseQuery(q === -1 ? '' : url.slice(q + 1)),
    headers: req.headers,
    body,
  };
}

function write(res: ServerResponse, out: Outgoing): void {
  if (res.destroyed || res.writableEnded) return;
  if (out.reset === true) {
    const socket = res.socket;
    if (socket !== null && !socket.destroyed) socket.resetAndDestroy();
    return;
  }
  if (out.bytes !== undefined) {
    streamBytes(res, out.status, out.headers, out.bytes);
    return;
  }
  const { headers } = out;
  let body = out.body;
  if (out.status === 204 || out.status === 304 || (out.status >= 100 && out.status < 200)) {
    body = undefined;
  }
  if (body !== undefined && headers['content-length'] === undefined) {
    headers['content-length'] = String(
      typeof body === 'string' ? Buffer.byteLength(body) : body.length,
    );
  }
  res.writeHead(out.status, headers);
  res.end(body);
}

/** Streams `n` bytes (pattern `i & 0xff`) in 64 KiB chunks, honouring backpressure. */
function streamBytes(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  n: number,
): void {
  headers['content-length'] = String(n);
  res.writeHead(status, headers);
  let remaining = n;
  const pump = (): void => {
    while (remaining > 0) {
      if (res.destroyed) return;
      const size = Math.min(CHUNK_SIZE, remaining);
      remaining -= size;
      if (!res.write(size === CHUNK_SIZE ? CHUNK : CHUNK.subarray(0, size))) {
        res.once('drain', pump);
        return;
      }
    }
    res.end();
  };
  pump();
}
