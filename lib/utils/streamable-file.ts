import { StreamableFile } from '@nestjs/common';
import { Readable } from 'node:stream';
import { NangoInvalidArgumentError } from '../errors/nango-misuse.errors.js';
import type { NangoProxyResponse } from '../interfaces/nango-proxy.interface.js';
import { flatHeaders } from './flat-headers.js';

/** Options of a Nest `StreamableFile`: `type`, `disposition`, `length`. */
export type NangoStreamableFileOptions = NonNullable<
  ConstructorParameters<typeof StreamableFile>[1]
>;

/**
 * Turns a proxied download into a Nest `StreamableFile`, so a controller can return it and
 * the body flows to the client without being buffered. `Content-Type`, `Content-Disposition`
 * and `Content-Length` come from the third party's answer unless `options` set them.
 *
 * @example
 * @Get('report')
 * async report(): Promise<StreamableFile> {
 *   return toStreamableFile(
 *     await this.nango.get<Readable>({ endpoint: '/report.pdf', providerConfigKey, connectionId, responseType: 'stream' }),
 *   );
 * }
 *
 * @param response a proxy response with `responseType: 'stream'` (or `'arraybuffer'`)
 * @param options overrides of `type`, `disposition` and `length`
 */
export function toStreamableFile(
  response: NangoProxyResponse<unknown>,
  options: NangoStreamableFileOptions = {},
): StreamableFile {
  const data: unknown = response?.data;
  const headers = flatHeaders(response?.headers);
  const length = headers['content-length'];
  const upstream: NangoStreamableFileOptions = {};
  if (headers['content-type'] !== undefined) upstream.type = headers['content-type'];
  if (headers['content-disposition'] !== undefined) {
    upstream.disposition = headers['content-disposition'];
  }
  // A decompressed body no longer has the upstream length.
  if (length !== undefined && /^\d+$/.test(length) && headers['content-encoding'] === undefined) {
    upstream.length = Number(length);
  }
  const merged = { ...upstream, ...options };
  if (data instanceof Readable) return new StreamableFile(data, merged);
  if (data instanceof Uint8Array) return new StreamableFile(data, merged);
  if (data instanceof ArrayBuffer) return new StreamableFile(new Uint8Array(data), merged);
  throw NangoInvalidArgumentError.create(
    'toStreamableFile',
    'response',
    "must be a proxy response fetched with responseType 'stream' or 'arraybuffer'.",
  );
}
