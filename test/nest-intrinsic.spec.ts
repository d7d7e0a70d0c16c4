import { HttpException, IntrinsicException } from '@nestjs/common';
import {
  NangoConnectionNotFoundError,
  NangoError,
  NangoGraphqlError,
  NangoUsageError,
} from '../lib/index.js';

describe('NangoGraphqlError and Nest’s IntrinsicException', () => {
  const error = new NangoGraphqlError('No such Nango connection for this integration.', {
    code: 'connection_not_found',
    error: 'Not Found',
    status: 404,
  });

  it('is an IntrinsicException (Nest does not log it) and still a NangoError, an Error', () => {
    expect(error).toBeInstanceOf(IntrinsicException);
    expect(error).toBeInstanceOf(NangoError);
    expect(error).toBeInstanceOf(NangoGraphqlError);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(HttpException);
    expect(error.name).toBe('NangoGraphqlError');
    expect(error.toJSON()).toMatchObject({
      name: 'NangoGraphqlError',
      extensions: { status: 404 },
    });
  });

  it('leaves every other NangoError to Nest’s log (misuse and raw request errors stay logged)', () => {
    const notFound = new NangoConnectionNotFoundError('gone', {
      operation: 'getToken',
      status: 404,
    });
    expect(notFound).not.toBeInstanceOf(IntrinsicException);
    expect(NangoUsageError.prototype).not.toBeInstanceOf(IntrinsicException);
    expect(notFound).toBeInstanceOf(NangoError);
    expect(notFound).not.toBeInstanceOf(NangoGraphqlError);
  });

  it('keeps instanceof exact for subclasses: a NangoGraphqlError is no request error', () => {
    expect(error).not.toBeInstanceOf(NangoConnectionNotFoundError);
    expect({}).not.toBeInstanceOf(NangoError);
    expect(null).not.toBeInstanceOf(NangoError);
  });
});
