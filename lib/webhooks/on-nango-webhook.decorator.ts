import { NangoConfigurationError } from '../errors/nango-misuse.errors.js';
import { isRecord } from '../utils/is-record.js';
import { MethodOptions } from '../utils/method-options.js';
import { namedInstance } from '../nango.tokens.js';
import type { NangoWebhookBody } from '../interfaces/nango-webhook.interface.js';

/** Which webhooks an `@OnNangoWebhook()` handler takes; each field set must match. */
export type OnNangoWebhookFilter = (
  | {
      type: 'auth';
      /** `creation`, `override` or `refresh` (a refresh failed). */
      operation?: 'creation' | 'override' | 'refresh';
      success?: boolean;
      provider?: string;
      providerConfigKey?: string;
    }
  | {
      type: 'sync';
      syncName?: string;
      model?: string;
      success?: boolean;
      providerConfigKey?: string;
    }
  | {
      type: 'forward';
      /** The provider whose webhook Nango forwards (the payload's `from`), e.g. `github`. */
      provider?: string;
      providerConfigKey?: string;
    }
  | { type: 'async_action'; providerConfigKey?: string }
) & {
  /** The Nango instance whose webhook route delivers it (`forRoot({ name })`); default: the default one. */
  instance?: string;
};

/** The filters of each handler method, by the method's function. */
const FILTERS = new MethodOptions<OnNangoWebhookFilter>();

const TYPES: ReadonlySet<string> = new Set(['auth', 'sync', 'forward', 'async_action']);

/**
 * Makes a provider method take the verified webhooks that match `filter`, from the route
 * `NangoModule.forRoot({ webhooks: { path } })` mounts. Several handlers may take one event;
 * put the decorator several times on a method to take several kinds. A handler that throws
 * makes the route answer 500 (logged), so that Nango sends the webhook again.
 *
 * @example
 * \@OnNangoWebhook({ type: 'auth', operation: 'creation', success: true })
 * onConnection(event: NangoAuthWebhook) { ... }
 */
export function OnNangoWebhook(filter: OnNangoWebhookFilter): MethodDecorator {
  if (!isRecord(filter) || typeof filter.type !== 'string' || !TYPES.has(filter.type)) {
    throw NangoConfigurationError.create([
      {
        field: 'type',
        problem: "@OnNangoWebhook() needs type 'auth', 'sync', 'forward' or 'async_action'",
      },
    ]);
  }
  return FILTERS.decorator({ ...filter });
}

/** The filters `@OnNangoWebhook()` put on a method (empty when none). */
export function onNangoWebhookFilters(method: unknown): readonly OnNangoWebhookFilter[] {
  return FILTERS.of(method);
}

/**
 * Whether a verified webhook matches a filter (delivered by the route of `instance`; `'default'`
 * is the default instance, as `undefined` is).
 */
export function matchesNangoWebhook(
  filter: OnNangoWebhookFilter,
  payload: NangoWebhookBody,
  instance: string | undefined,
): boolean {
  if (namedInstance(filter.instance) !== namedInstance(instance)) return false;
  if (payload.type !== filter.type) return false;
  const fields = payload as unknown as Record<string, unknown>;
  for (const [field, wanted] of Object.entries(filter)) {
    if (field === 'type' || field === 'instance' || wanted === undefined) continue;
    const actual =
      filter.type === 'forward' && field === 'provider' ? fields['from'] : fields[field];
    if (actual !== wanted) return false;
  }
  return true;
}
