import { NangoInvalidArgumentError } from '../errors/nango-misuse.errors.js';
import type { NangoTriggerActionOptions } from '../interfaces/nango-records.interface.js';
import {
  checkFlag,
  checkId,
  checkInt,
  checkObject,
  connectionHeaders,
  pathSegment,
} from './nango-arguments.js';
import type { NangoApiRequest } from './nango-api-request.js';

/** `POST /action/trigger` with `Connection-Id` / `Provider-Config-Key` headers. */
export function triggerActionRequest(
  providerConfigKey: string,
  connectionId: string,
  actionName: string,
  input: unknown,
  options: NangoTriggerActionOptions | undefined,
  operation: 'triggerAction' | 'triggerActionAsync' = 'triggerAction',
): NangoApiRequest {
  const headers = connectionHeaders(operation, providerConfigKey, connectionId);
  const action_name = checkId(operation, 'actionName', actionName);
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw NangoInvalidArgumentError.create(
      operation,
      'options',
      'must be an object such as { async: true, timeout: 5000 }.',
    );
  }
  if (checkFlag(operation, 'async', options?.async)) headers['X-Async'] = 'true';
  const maxRetries = checkInt(operation, 'maxRetries', options?.maxRetries, 0, 5);
  if (maxRetries !== undefined) {
    if (headers['X-Async'] === undefined) {
      throw NangoInvalidArgumentError.create(
        operation,
        'maxRetries',
        'only applies to asynchronous actions: add async: true.',
      );
    }
    headers['X-Max-Retries'] = String(maxRetries);
  }
  return {
    request: {
      method: 'POST',
      url: '/action/trigger',
      headers,
      data: input === undefined ? { action_name } : { action_name, input },
    },
    context: { operation, providerConfigKey, connectionId },
  };
}

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
      throw NangoInvalidArgumentError.create(
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
      throw NangoInvalidArgumentError.create(operation, 'statusUrl', 'has no action id.');
    }
  } else if (p['id'] !== undefined && p['id'] !== '') {
    segment = pathSegment(operation, 'id', p['id']);
  } else {
    throw NangoInvalidArgumentError.create(operation, 'props', 'needs an id or a statusUrl.');
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
