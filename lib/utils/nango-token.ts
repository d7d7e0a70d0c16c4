import type { NangoCredentials, NangoToken } from '../interfaces/nango-credentials.interface.js';

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
