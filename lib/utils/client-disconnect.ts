import type { ServerResponse } from 'node:http';
import { noop } from 'rxjs';

/**
 * An `AbortSignal` that fires when the HTTP client goes away before its response is sent
 * (the connection closed, the request aborted), for Express and Fastify responses alike.
 * `release()` stops watching; call it once the wait it guards is over.
 */
export function clientDisconnectSignal(response: unknown): {
  signal: AbortSignal | undefined;
  release: () => void;
} {
  const raw = nodeResponse(response);
  if (raw === undefined) return { signal: undefined, release: noop };
  const controller = new AbortController();
  if (raw.destroyed && !raw.writableFinished) {
    controller.abort();
    return { signal: controller.signal, release: noop };
  }
  const onClose = (): void => {
    if (!raw.writableFinished) controller.abort();
  };
  raw.once('close', onClose);
  return { signal: controller.signal, release: () => raw.off('close', onClose) };
}

/** The `ServerResponse` of an Express response, or of a Fastify reply (`.raw`). */
function nodeResponse(response: unknown): ServerResponse | undefined {
  if (isNodeResponse(response)) return response;
  const raw = (response as { raw?: unknown } | null | undefined)?.raw;
  return isNodeResponse(raw) ? raw : undefined;
}

function isNodeResponse(value: unknown): value is ServerResponse {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ServerResponse).once === 'function' &&
    typeof (value as ServerResponse).writableFinished === 'boolean'
  );
}
