/**
 * Credentials as Nango returns them in `connection.credentials`, discriminated on `type`.
 * Dates are ISO-8601 strings, as on the wire.
 */

/** OAuth 2.0 authorization-code credentials. */
export interface OAuth2Credentials {
  type: 'OAUTH2';
  access_token: string;
  /** Present only when asked for (`getConnection(..., refreshToken = true)`). */
  refresh_token?: string;
  expires_at?: string;
  raw: Record<string, unknown>;
}

/** OAuth 1.0a credentials. */
export interface OAuth1Credentials {
  type: 'OAUTH1';
  oauth_token: string;
  oauth_token_secret: string;
  raw: Record<string, unknown>;
}

/** OAuth 2.0 client-credentials grant. */
export interface OAuth2ClientCredentials {
  type: 'OAUTH2_CC';
  token: string;
  client_id: string;
  client_secret: string;
  expires_at?: string;
  raw: Record<string, unknown>;
}

/** API key credentials. */
export interface ApiKeyCredentials {
  type: 'API_KEY';
  apiKey: string;
}

/** Basic-auth credentials. */
export interface BasicApiCredentials {
  type: 'BASIC';
  username: string;
  password: string;
}

/** App credentials (e.g. a GitHub App installation). */
export interface AppCredentials {
  type: 'APP';
  access_token: string;
  expires_at?: string;
  raw: Record<string, unknown>;
}

/** Credentials of the other auth modes (custom, JWT, TBA, signature, ...), passed through. */
export interface OtherCredentials {
  type:
    'CUSTOM' | 'TBA' | 'JWT' | 'BILL' | 'TWO_STEP' | 'SIGNATURE' | 'APP_STORE' | 'INSTALL_PLUGIN';
  [field: string]: unknown;
}

/** An unauthenticated connection's credentials: `{}`. */
export interface UnauthenticatedCredentials {
  type?: undefined;
}

/** Any credentials object Nango returns. */
export type NangoCredentials =
  | OAuth2Credentials
  | OAuth1Credentials
  | OAuth2ClientCredentials
  | ApiKeyCredentials
  | BasicApiCredentials
  | AppCredentials
  | OtherCredentials
  | UnauthenticatedCredentials;

/** What `getToken` returns for OAuth 1.0a connections. */
export interface OAuth1Token {
  oAuthToken: string;
  oAuthTokenSecret: string;
}

/**
 * What `NangoService.getToken` returns: the access token string for OAUTH2,
 * `{ oAuthToken, oAuthTokenSecret }` for OAUTH1, the whole credentials object otherwise
 * (as Nango's own Node client does).
 */
export type NangoToken =
  string | OAuth1Token | Exclude<NangoCredentials, OAuth2Credentials | OAuth1Credentials>;
