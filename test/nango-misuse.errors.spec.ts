import { NangoConfigurationError, NangoError, NangoUsageError } from '../lib/index.js';
import { NangoWebhookPayload } from '../lib/webhooks/nango-webhook-payload.decorator.js';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import type { ExecutionContext } from '@nestjs/common';

describe('NangoUsageError: a misuse found at run time', () => {
  it('is a NangoError, not a NangoConfigurationError (that one is for the module options)', () => {
    const error = NangoUsageError.create('X found nothing', 'do Y.');
    expect(error).toBeInstanceOf(NangoError);
    expect(error).not.toBeInstanceOf(NangoConfigurationError);
    expect(error.name).toBe('NangoUsageError');
    expect(error.message).toBe('X found nothing: do Y.');
    expect(error.fix).toBe('do Y.');
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: 'NangoUsageError',
      message: 'X found nothing: do Y.',
      fix: 'do Y.',
    });
  });

  it('names the package to install, and keeps the import failure as its cause', () => {
    const cause = new Error("Cannot find package '@nestjs/terminus'");
    const error = NangoUsageError.missingDependency(
      'NangoHealthIndicator',
      '@nestjs/terminus',
      cause,
    );
    expect(error.message).toBe(
      "NangoHealthIndicator needs @nestjs/terminus, which could not be loaded (Cannot find package '@nestjs/terminus'). Install it: npm i @nestjs/terminus",
    );
    expect(error.fix).toBe('npm i @nestjs/terminus');
    expect(error.cause).toBe(cause);
  });

  it('names the forRoot() to import for a missing instance, named or not', () => {
    expect(NangoUsageError.missingInstance('NangoHealthIndicator', 'staging').message).toBe(
      `NangoHealthIndicator found no Nango instance named "staging": import NangoModule.forRoot({ name: 'staging', ... }) in the application.`,
    );
    expect(NangoUsageError.missingInstance('@NangoWebhook()', undefined).message).toBe(
      '@NangoWebhook() found no Nango instance: import NangoModule.forRoot({ ... }) in the application.',
    );
  });

  it('says how to keep raw bodies', () => {
    expect(NangoUsageError.missingRawBody().message).toMatch(
      /no raw body, so its signature cannot be checked\. Create the application with NestFactory\.create\(AppModule, \{ rawBody: true \}\)\.$/,
    );
  });

  it('is what @NangoWebhookPayload() throws on a request no @NangoWebhook() verified', () => {
    class Handler {
      handle(_payload: unknown): void {}
    }
    NangoWebhookPayload()(Handler.prototype, 'handle', 0);
    const args = Reflect.getMetadata(ROUTE_ARGS_METADATA, Handler, 'handle') as Record<
      string,
      { factory: (data: unknown, context: ExecutionContext) => unknown }
    >;
    const [param] = Object.values(args);
    const context = {
      switchToHttp: () => ({ getRequest: () => ({}) }),
    } as unknown as ExecutionContext;
    let thrown: unknown;
    try {
      param?.factory(undefined, context);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(NangoUsageError);
    expect((thrown as Error).message).toBe(
      '@NangoWebhookPayload() found no verified webhook: put @NangoWebhook() on the same handler.',
    );
  });
});
