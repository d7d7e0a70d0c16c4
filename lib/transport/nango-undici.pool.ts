import { Pool, buildConnector, type Dispatcher } from 'undici';

/** Up to 128 keep-alive connections to Nango, one request at a time on each. */
const POOL_OPTIONS = { connections: 128, pipelining: 1 } as const;

/**
 * The keep-alive undici `Pool` of one Nango origin, with a guard against a known undici
 * behaviour (nodejs/undici#5845): when a running request is aborted, the client puts it back in
 * its queue, opens a new connection for it and only then drops it, leaving a socket that
 * nothing uses. The pool here opens a connection only while a call is waiting for one
 * ({@link NangoUndiciPool.waiting}, kept by the adapter); any other connect is refused before
 * a socket exists.
 */
export class NangoUndiciPool {
  /** The undici dispatcher the adapter sends with. */
  readonly dispatcher: Pool;
  /** Calls dispatched that have not started on a connection yet (kept by the adapter). */
  waiting = 0;

  constructor(origin: string) {
    const connector = buildConnector({});
    const connect: buildConnector.connector = (options, callback) => {
      if (this.waiting > 0) return connector(options, callback);
      callback(new Error('no request is waiting for this connection'), null);
    };
    this.dispatcher = new Pool(origin, { ...POOL_OPTIONS, connect });
  }

  /** Sends one request (see `Dispatcher.dispatch`). */
  dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    return this.dispatcher.dispatch(options, handler);
  }

  /** Closes every connection; calls still in flight fail. */
  async destroy(): Promise<void> {
    await this.dispatcher.destroy();
  }
}
