import { NangoRequestError, type NangoRequestErrorDetails } from './nango-request.error.js';

/**
 * An action run by `triggerAction()` failed: Nango answered 500 (the action threw) or 424
 * (an API call made by the action failed). `payload` holds what the action reported and
 * `upstream` the third party's answer (424), both non-enumerable, so logging the error never
 * prints them.
 */
export class NangoActionError extends NangoRequestError {
  /** What the action reported (`error.payload`). */
  declare readonly payload: unknown;
  /** The third party's answer when an API call of the action failed (`error.upstream`). */
  declare readonly upstream: unknown;

  constructor(
    message: string,
    details: NangoRequestErrorDetails & { payload: unknown; upstream: unknown },
  ) {
    super(message, details);
    Object.defineProperty(this, 'payload', { value: details.payload, enumerable: false });
    Object.defineProperty(this, 'upstream', { value: details.upstream, enumerable: false });
  }
}
