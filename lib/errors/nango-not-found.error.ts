import {
  NangoIntegrationNotFoundError,
  NangoRequestError,
  type NangoRequestErrorDetails,
} from './nango-request.error.js';

/** Nango has no provider of that name in its catalogue (404 on `/providers/{provider}`). */
export class NangoProviderNotFoundError extends NangoRequestError {
  /** The provider asked for. */
  readonly provider: string;

  constructor(message: string, details: NangoRequestErrorDetails & { provider: string }) {
    super(message, details);
    this.provider = details.provider;
  }
}

/** The integration has no deployed function of that name (404 on `/integrations/{key}/functions/{name}`). */
export class NangoFunctionNotFoundError extends NangoRequestError {
  /** The function asked for. */
  readonly functionName: string;

  constructor(message: string, details: NangoRequestErrorDetails & { functionName: string }) {
    super(message, details);
    this.functionName = details.functionName;
  }
}

/** An asynchronous action has no result yet: not finished, or no such id (404 on `/action/{id}`). */
export class NangoAsyncActionPendingError extends NangoRequestError {
  /** The action run's id. */
  readonly actionId: string;

  constructor(message: string, details: NangoRequestErrorDetails & { actionId: string }) {
    super(message, details);
    this.actionId = details.actionId;
  }
}

/**
 * What a call is about, beyond a connection: a 404 of that call means this resource does not
 * exist, and the error names it.
 */
export type NangoResourceRef =
  | { kind: 'provider'; provider: string }
  | { kind: 'integration'; integration: string }
  | { kind: 'function'; integration: string; name: string }
  | { kind: 'asyncAction'; id: string };

/** The not-found error of a resource: provider, integration, function or async action result. */
export function resourceNotFound(
  resource: NangoResourceRef,
  said: string,
  details: NangoRequestErrorDetails,
): NangoRequestError {
  switch (resource.kind) {
    case 'provider':
      return new NangoProviderNotFoundError(
        `Nango has no provider "${resource.provider}" (${said}).`,
        { ...details, provider: resource.provider },
      );
    case 'integration':
      return new NangoIntegrationNotFoundError(
        `Nango has no integration "${resource.integration}" (${said}).`,
        { ...details, providerConfigKey: resource.integration },
      );
    case 'function':
      return new NangoFunctionNotFoundError(
        `Integration "${resource.integration}" has no function "${resource.name}" (${said}).`,
        { ...details, providerConfigKey: resource.integration, functionName: resource.name },
      );
    case 'asyncAction':
      return new NangoAsyncActionPendingError(
        `The asynchronous action "${resource.id}" has no result yet: still running, or no such id (${said}).`,
        { ...details, actionId: resource.id },
      );
  }
}
