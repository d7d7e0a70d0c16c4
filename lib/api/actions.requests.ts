import { NangoInvalidArgumentError } from '../errors/nango-misuse.errors.js';
import type { NangoApiRequest } from '../nango-connection-api.js';
import { checkObject } from '../utils/nango-api-input.js';
import { pathSegment } from '../utils/nango-input.js';

/** Where Nango reports an asynchronous action's result: `/action/{id}`. */
const STATUS_URL = /^\/action\/([^/?#\s]+)$/;

/**
 * `GET /action/{id}`: the result of an asynchronous action, from `{ id }` or the `statusUrl`
 * that `triggerActionAsync()` returned (which wins, as in the official client).
 */
export function asyncActionResultRequest(props: unknown): NangoApiRequest {
  const operation = 'getAsyncActionResult';
  const p = checkObject(operation, 'props', props, '{ id } or { statusUrl }');
  const statusUrl = p['statusUrl'];
  let segment: string;
  if (statusUrl !== undefined && statusUrl !== '') {
    const match = typeof statusUrl === 'string' ? STATUS_URL.exec(statusUrl) : null;
    if (match === null) {
      throw new NangoInvalidArgumentError(
        operation,
        'statusUrl',
        'must be the statusUrl triggerActionAsync() returned, such as "/action/<id>".',
      );
    }
    segment = match[1] as string;
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      decoded = '';
    }
    if (decoded === '' || decoded === '.' || decoded === '..') {
      throw new NangoInvalidArgumentError(operation, 'statusUrl', 'has no action id.');
    }
  } else if (p['id'] !== undefined && p['id'] !== '') {
    segment = pathSegment(operation, 'id', p['id']);
  } else {
    throw new NangoInvalidArgumentError(operation, 'props', 'needs an id or a statusUrl.');
  }
  let id = segment;
  try {
    id = decodeURIComponent(segment);
  } catch {
    // Named as sent.
  }
  return {
    request: { method: 'GET', url: `/action/${segment}` },
    context: { operation, resource: { kind: 'asyncAction', id } },
  };
}
