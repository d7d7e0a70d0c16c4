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
 * What `NangoService.getToken` returns (and `@InjectNangoToken()` injects), by `credentials.type`
 * (as Nango's own Node client does):
 *
 * | credentials `type`                          | token                                                           |
 * | ------------------------------------------- | --------------------------------------------------------------- |
 * | `OAUTH2`                                    | the access token, a `string`                                    |
 * | `OAUTH1`                                    | `{ oAuthToken, oAuthTokenSecret }` ({@link OAuth1Token})        |
 * | `OAUTH2_CC`                                 | the credentials object: `{ type, token, client_id, client_secret, expires_at?, raw }` |
 * | `API_KEY`                                   | the credentials object: `{ type: 'API_KEY', apiKey }`           |
 * | `BASIC`                                     | the credentials object: `{ type: 'BASIC', username, password }` |
 * | `APP`                                       | the credentials object: `{ type: 'APP', access_token, expires_at?, raw }` |
 * | `CUSTOM`, `JWT`, `TBA`, `SIGNATURE`, ...    | the credentials object, as Nango sends it                       |
 * | none (an `unauthenticated` integration)     | `{}`                                                            |
 *
 * {@link NangoTokenFor} names the one of a given type.
 */
export type NangoToken =
  string | OAuth1Token | Exclude<NangoCredentials, OAuth2Credentials | OAuth1Credentials>;

/** The `type` of Nango credentials: `'OAUTH2'`, `'API_KEY'`, ...; `undefined` when unauthenticated. */
export type NangoCredentialType = NangoCredentials['type'];

/** The credentials object whose `type` is `Type` (`UnauthenticatedCredentials` for `undefined`). */
export type NangoCredentialsOfType<Type extends NangoCredentialType> = Type extends undefined
  ? UnauthenticatedCredentials
  : NangoCredentials extends infer Each
    ? Each extends { type: infer Of }
      ? Type extends Of
        ? Each
        : never
      : never
    : never;

/**
 * The {@link NangoToken} of credentials of type `Type`: what `@InjectNangoToken()` injects (and
 * `getToken` returns) for a connection of an integration of that auth mode. For example
 * `NangoTokenFor<'OAUTH2'>` is `string`, `NangoTokenFor<'API_KEY'>` is `ApiKeyCredentials`
 * (`{ type, apiKey }`), `NangoTokenFor<undefined>` (an unauthenticated integration) is `{}`.
 *
 * @example
 * search(\@InjectNangoToken() key: NangoTokenFor<'API_KEY'>) { return client(key.apiKey); }
 */
export type NangoTokenFor<Type extends NangoCredentialType> = Type extends 'OAUTH2'
  ? string
  : Type extends 'OAUTH1'
    ? OAuth1Token
    : NangoCredentialsOfType<Type>;
