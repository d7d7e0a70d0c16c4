import type { NangoIntegration } from './nango-integration.interface.js';

/** Credentials of an integration's OAuth app (or app / custom credentials), as Nango takes them. */
export type NangoIntegrationCredentialsInput = { type: string } & Record<string, unknown>;

/** Body of `createIntegration()`: `POST /integrations`. */
export interface NangoCreateIntegrationInput {
  /** The provider, e.g. `github`. */
  provider: string;
  /** The new integration's key. */
  unique_key: string;
  display_name?: string;
  credentials?: NangoIntegrationCredentialsInput;
  forward_webhooks?: boolean;
  integration_config?: Record<string, string>;
  custom?: Record<string, string>;
}

/** Body of `createQuickstartIntegration()`: `POST /integrations/quickstart`. */
export interface NangoQuickstartIntegrationInput {
  provider: string;
  unique_key: string;
  display_name?: string;
  forward_webhooks?: boolean;
}

/** Body of `updateIntegration()`: `PATCH /integrations/{uniqueKey}`. */
export type NangoUpdateIntegrationInput = Partial<Omit<NangoCreateIntegrationInput, 'provider'>>;

/** What `createIntegration()`, `createQuickstartIntegration()` and `updateIntegration()` return. */
export interface NangoIntegrationChanged {
  data: NangoIntegration;
}
