import { HttpException } from '@nestjs/common';
import {
  NangoAbortedError,
  NangoAuthenticationError,
  NangoConnectionNotFoundError,
  NangoError,
  NangoHttpException,
  NangoInvalidArgumentError,
  NangoRateLimitError,
  NangoReconnectRequiredError,
  NangoTimeoutError,
  toNangoHttpException,
} from '../lib/index.js';

const ids = { operation: 'getToken', providerConfigKey: 'github', connectionId: 'u1' };

describe('toNangoHttpException', () => {
  it('leaves errors that are not Nango request errors alone', () => {
    expect(toNangoHttpException(new Error('boom'))).toBeUndefined();
    expect(toNangoHttpException(new NangoError('plain'))).toBeUndefined();
    expect(toNangoHttpException('a string')).toBeUndefined();
  });

  it('is an HttpException with a Nest-shaped body, the Nango error as its cause', () => {
    const cause = new NangoConnectionNotFoundError('Nango has no connection "u1"', ids);
    const exception = toNangoHttpException(cause);
    expect(exception).toBeInstanceOf(NangoHttpException);
    expect(exception).toBeInstanceOf(HttpException);
    expect(exception?.getStatus()).toBe(404);
    expect(exception?.cause).toBe(cause);
    expect(exception?.getResponse()).toEqual({
      statusCode: 404,
      error: 'Not Found',
      code: 'connection_not_found',
      message: 'No such Nango connection for this integration.',
      providerConfigKey: 'github',
      connectionId: 'u1',
    });
  });

  it('answers a reconnect with 424 by default and 401 when asked', () => {
    const error = new NangoReconnectRequiredError('reconnect', { ...ids, status: 424 });
    expect(toNangoHttpException(error)?.getStatus()).toBe(424);
    const as401 = toNangoHttpException(error, { reconnectStatus: 401 });
    expect(as401?.getStatus()).toBe(401);
    expect(as401?.getResponse()).toMatchObject({ error: 'Unauthorized', reconnect: true });
  });

  it('keeps retryAfter of a rate limit, and leaves it out when unknown', () => {
    const known = toNangoHttpException(
      new NangoRateLimitError('limited', { ...ids, status: 429, retryAfter: 12 }),
    );
    expect(known?.retryAfter).toBe(12);
    expect(known?.getResponse()).toMatchObject({ statusCode: 503, retryAfter: 12 });
    const unknown = toNangoHttpException(new NangoRateLimitError('limited', ids));
    expect(unknown?.retryAfter).toBeUndefined();
    expect(unknown?.getResponse()).not.toHaveProperty('retryAfter');
  });

  it.each<[string, NangoError, number, string]>([
    ['a timeout', new NangoTimeoutError('late', { ...ids, timeoutMs: 5 }), 504, 'nango_timeout'],
    ['an abort', new NangoAbortedError('aborted', ids), 502, 'nango_call_aborted'],
    [
      'an invalid argument',
      new NangoInvalidArgumentError('getToken', 'connectionId', 'must not be empty.'),
      400,
      'invalid_connection',
    ],
  ])('maps %s', (_what, error, status, code) => {
    const exception = toNangoHttpException(error);
    expect(exception?.getStatus()).toBe(status);
    expect(exception?.getResponse().code).toBe(code);
  });

  it('says only "Internal server error" when Nango refuses the secret key', () => {
    const error = new NangoAuthenticationError(
      'Nango rejected the secret key (getToken: 401). Check secretKey/apiKey',
      { ...ids, status: 401 },
    );
    const exception = toNangoHttpException(error);
    expect(exception?.getResponse()).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      code: 'internal_error',
      message: 'Internal server error',
    });
    expect(JSON.stringify(exception?.getResponse())).not.toMatch(/secret|github|u1/);
  });
});
