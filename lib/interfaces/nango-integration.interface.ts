/** An integration as `GET /integrations` lists it. */
export interface NangoIntegration {
  /** The integration key (`providerConfigKey` elsewhere). */
  unique_key: string;
  /** The provider, e.g. `github`. */
  provider: string;
  display_name: string;
  /** Absolute URL of the provider's logo (svg). */
  logo?: string;
  /** Whether the provider's webhooks are forwarded to the app. */
  forward_webhooks?: boolean;
  /** ISO-8601. */
  created_at: string;
  /** ISO-8601. */
  updated_at: string;
}

/** An integration with what `include` asked for: `GET /integrations/{uniqueKey}`. */
export interface NangoIntegrationFull extends NangoIntegration {
  /** With `include: ['webhook']`: the URL to point the provider's webhooks at. */
  webhook_url?: string | null;
  /** With `include: ['credentials']`: the integration's OAuth app (or other) credentials. */
  credentials?: Record<string, unknown> | null;
}

/** What `listIntegrations()` returns. */
export interface NangoIntegrationList {
  data: NangoIntegration[];
}

/** What `getIntegration()` returns. */
export interface NangoIntegrationResult {
  data: NangoIntegrationFull;
}

/** Sensitive parts `getIntegration()` may include. */
export type NangoIntegrationInclude = 'webhook' | 'credentials';
