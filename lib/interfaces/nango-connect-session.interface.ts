/** The end user of a connect session (Nango now prefers `tags`). */
export interface NangoConnectEndUser {
  id: string;
  email?: string;
  display_name?: string;
  tags?: Record<string, string>;
}

/** Per-integration defaults of a connect session. */
export interface NangoIntegrationConfigDefaults {
  user_scopes?: string;
  authorization_params?: Record<string, unknown>;
  connection_config?: Record<string, unknown> & {
    oauth_scopes_override?: string;
    oauth_client_id_override?: string;
    oauth_client_secret_override?: string;
  };
}

/** Fields shared by both kinds of connect session. */
export interface NangoConnectSessionCommon {
  /** Tags of the connection the session creates (at most 10, lower-case keys). */
  tags?: Record<string, string>;
  /** @deprecated by Nango: use `tags`. */
  end_user?: NangoConnectEndUser;
  /** @deprecated by Nango: use `tags`. */
  organization?: { id: string; display_name?: string };
  integrations_config_defaults?: Record<string, NangoIntegrationConfigDefaults>;
  overrides?: Record<string, { docs_connect?: string }>;
  /** Send this connection's webhooks only to this URL. */
  webhook_url_override?: string;
}

/** Body of `createConnectSession()`: `POST /connect/sessions`. */
export interface NangoConnectSessionInput extends NangoConnectSessionCommon {
  /** The integrations the end user may connect; default all. */
  allowed_integrations?: string[];
}

/** Body of `createReconnectSession()`: `POST /connect/sessions/reconnect`. */
export interface NangoReconnectSessionInput extends NangoConnectSessionCommon {
  connection_id: string;
  integration_id: string;
}

/** A connect session. Hand `token` to the front end; it is never logged by this package. */
export interface NangoConnectSession {
  /** The session token for Nango's Connect UI / frontend SDK. */
  token: string;
  /** A link that opens the Connect UI directly. */
  connect_link?: string;
  /** ISO-8601 expiry. */
  expires_at: string;
}

/** What `createConnectSession()` and `createReconnectSession()` return. */
export interface NangoConnectSessionResult {
  data: NangoConnectSession;
}
