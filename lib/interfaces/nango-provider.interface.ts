/** A provider of Nango's catalogue (e.g. `github`), as `GET /providers` describes it. */
export interface NangoProvider {
  /** The provider's name, e.g. `github`. */
  name: string;
  display_name: string;
  /** e.g. `OAUTH2`, `API_KEY`, `BASIC`, `NONE`. */
  auth_mode: string;
  logo_url?: string;
  categories?: string[];
  docs?: string;
  /** Every other field of Nango's provider template (URLs, proxy settings, ...). */
  [field: string]: unknown;
}

/** What `listProviders()` returns: `GET /providers`. */
export interface NangoProviderList {
  data: NangoProvider[];
}

/** What `getProvider()` returns: `GET /providers/{provider}`. */
export interface NangoProviderResult {
  data: NangoProvider;
}

/** Query of `listProviders()`. */
export interface NangoListProvidersQuery {
  /** Only providers whose name contains this text. */
  search?: string;
  /** Lists the providers a connect session may use. */
  connect_session_token?: string;
}

/** `getProvider()` / `getProviderTemplates()` argument: which provider. */
export interface NangoProviderParams {
  /** The provider's name, e.g. `github`. */
  provider: string;
}

/** A function template of Nango's catalogue for a provider. */
export interface NangoProviderTemplate {
  name: string;
  /** `sync` or `action`. */
  type: string;
  description?: string;
  /** Every other field Nango sends. */
  [field: string]: unknown;
}

/** What `getProviderTemplates()` returns: `GET /providers/{provider}/templates`. */
export interface NangoProviderTemplates {
  data: NangoProviderTemplate[];
}
