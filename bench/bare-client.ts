// The bare request both benchmarks compare with: a node:http keep-alive GET with JSON.parse.
import { Agent, request } from 'node:http';

/** GETs of `url` + path with the secret key, on one keep-alive agent; `destroy` closes it. */
export interface BareClient {
  get(path: string, headers?: Record<string, string>): Promise<unknown>;
  destroy(): void;
}

/** A {@link BareClient} of the stand-in at `url`. */
export function bareClient(url: string, secretKey: string): BareClient {
  const agent = new Agent({ keepAlive: true, maxSockets: 128 });
  return {
    get: (path, headers = {}) =>
      new Promise((resolve, reject) => {
        const req = request(`${url}${path}`, {
          agent,
          headers: { authorization: `Bearer ${secretKey}`, accept: 'application/json', ...headers },
        });
        req.on('response', (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
            if ((res.statusCode ?? 500) >= 400) reject(new Error(`status ${res.statusCode}`));
            else resolve(body);
          });
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end();
      }),
    destroy: () => agent.destroy(),
  };
}
