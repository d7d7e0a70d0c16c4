/** Webhook types Nango sends today. Any other `type` reaches handlers as {@link NangoUnknownWebhook}. */
export type NangoWebhookType = 'auth' | 'sync' | 'forward' | 'async_action';

/** An error as Nango reports it in a webhook. */
export interface NangoWebhookErrorPayload {
  type: string;
  description: string;
}

/** Fields of every Nango webhook. */
export interface NangoWebhookBase {
  /** Who sent it: `nango`, or for a forwarded webhook the provider. */
  from: string;
  type: string;
}

/** A connection was created, overridden or failed to refresh (`type: 'auth'`). */
export interface NangoAuthWebhook extends NangoWebhookBase {
  type: 'auth';
  connectionId: string;
  providerConfigKey: string;
  provider: string;
  /** The auth mode, e.g. `OAUTH2`, `API_KEY`. */
  authMode: string;
  environment: string;
  /** `creation`, `override`, `refresh` (a refresh failed) or `unknown`. */
  operation: 'creation' | 'override' | 'refresh' | 'unknown' | (string & {});
  success: boolean;
  /** The end user of the connect session, when there was one. */
  endUser?: {
    endUserId: string;
    endUserEmail?: string;
    organizationId?: string;
    tags?: Record<string, string>;
  };
  /** Connection tags. */
  tags?: Record<string, string>;
  /** Set when `success` is false. */
  error?: NangoWebhookErrorPayload;
}

/** Record counts of a sync run. */
export interface NangoSyncResult {
  added: number;
  updated: number;
  deleted: number;
}

/** Fields of both sync webhooks. */
export interface NangoSyncWebhookBase extends NangoWebhookBase {
  type: 'sync';
  connectionId: string;
  providerConfigKey: string;
  syncName: string;
  syncVariant?: string;
  model: string;
  syncType: 'INCREMENTAL' | 'INITIAL' | 'WEBHOOK' | (string & {});
}

/** A sync run finished (`type: 'sync'`, `success: true`). */
export interface NangoSyncSuccessWebhook extends NangoSyncWebhookBase {
  success: true;
  /** ISO-8601: fetch records modified after this time with `listRecords({ modifiedAfter })`. */
  modifiedAfter: string;
  responseResults: NangoSyncResult;
  /** @deprecated Nango's legacy name of `modifiedAfter`. */
  queryTimeStamp?: string | null;
}

/** A sync run failed (`type: 'sync'`, `success: false`). */
export interface NangoSyncErrorWebhook extends NangoSyncWebhookBase {
  success: false;
  error: NangoWebhookErrorPayload;
  startedAt: string;
  failedAt: string;
}

/** A sync webhook: check `success` to tell the two apart. */
export type NangoSyncWebhook = NangoSyncSuccessWebhook | NangoSyncErrorWebhook;

/** A webhook of a third-party API forwarded by Nango (`type: 'forward'`); `from` is the provider. */
export interface NangoForwardWebhook<P = unknown> extends NangoWebhookBase {
  type: 'forward';
  connectionId?: string;
  providerConfigKey: string;
  /** The third party's webhook body, as Nango received it. */
  payload: P;
}

/** An action triggered asynchronously finished (`type: 'async_action'`). */
export interface NangoAsyncActionWebhook extends NangoWebhookBase {
  type: 'async_action';
  connectionId: string;
  providerConfigKey: string;
  payload: { id: string; statusUrl: string };
}

/**
 * A webhook of a type this package does not know yet: passed through as Nango sent it,
 * never rejected.
 */
export interface NangoUnknownWebhook extends NangoWebhookBase {
  [field: string]: unknown;
}

/**
 * A verified Nango webhook, as `@NangoWebhookBody()` hands it to a handler. Narrow on
 * `type` with the `isNango…Webhook()` guards (an unknown type keeps `type: string`).
 */
export type NangoWebhookBody =
  | NangoAuthWebhook
  | NangoSyncWebhook
  | NangoForwardWebhook
  | NangoAsyncActionWebhook
  | NangoUnknownWebhook;

/** Options of `@NangoWebhook()`. */
export interface NangoWebhookOptions {
  /**
   * The Nango instance whose signing keys verify the webhook: the `name` given to
   * `forRoot({ name })`. Default: the default instance.
   */
  instance?: string;
}
