import type { NangoCredentials, NangoToken } from '../interfaces/nango-credentials.interface.js';
import { unexpectedAnswer } from '../errors/nango-error.mapper.js';
import type { NangoCallContext } from '../interfaces/nango-call-context.interface.js';

/**
 * What `NangoService.getToken` returns for these credentials: the access token for OAUTH2,
 * `{ oAuthToken, oAuthTokenSecret }` for OAUTH1, the credentials object otherwise. `undefined`
 * for OAUTH2 credentials without an access token.
 */
export function tokenOfCredentials(credentials: NangoCredentials): NangoToken | undefined {
  switch (credentials.type) {
    case 'OAUTH2':
      return typeof credentials.access_token === 'string' ? credentials.access_token : undefined;
    case 'OAUTH1':
      return {
        oAuthToken: credentials.oauth_token,
        oAuthTokenSecret: credentials.oauth_token_secret,
      };
    default:
      return credentials;
  }
}

/**
 * {@link tokenOfCredentials}, failing with a `NangoRequestError` for OAUTH2 credentials without
 * an access token.
 */
export function requireToken(
  credentials: NangoCredentials,
  context: Pick<NangoCallContext, 'operation' | 'providerConfigKey' | 'connectionId'>,
): NangoToken {
  const token = tokenOfCredentials(credentials);
  if (token === undefined) {
    throw unexpectedAnswer(context, 'OAUTH2 credentials without access_token');
  }
  return token;
}
