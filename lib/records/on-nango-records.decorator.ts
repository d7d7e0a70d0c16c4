import { NangoConfigurationError } from '../errors/nango-misuse.errors.js';
import { isRecord } from '../utils/is-record.js';
import { MethodOptions } from '../utils/method-options.js';

/** Which records an `@OnNangoRecords()` handler takes; each field set must match. */
export interface OnNangoRecordsOptions {
  /** The synced model, e.g. `GithubIssue` (required). */
  model: string;
  /** Only this integration's records; default: every integration syncing the model. */
  providerConfigKey?: string;
  /** Only the records of this sync (matched against the `sync` webhook's `syncName`). */
  syncName?: string;
  /** Only this variant of the sync; default `base`. */
  variant?: string;
  /** The Nango instance (`forRoot({ name })`); default: the default one. */
  instance?: string;
}

/** The options of each handler method, by the method's function. */
const HANDLERS = new MethodOptions<OnNangoRecordsOptions>();

const FIELDS = ['model', 'providerConfigKey', 'syncName', 'variant', 'instance'] as const;

function check(options: unknown): OnNangoRecordsOptions {
  const problems: Array<{ field: string; problem: string }> = [];
  if (!isRecord(options)) {
    problems.push({
      field: 'options',
      problem: "must be an object such as { model: 'GithubIssue' }",
    });
  } else {
    for (const field of FIELDS) {
      const value = options[field];
      if (value === undefined && field !== 'model') continue;
      if (typeof value !== 'string' || value.trim() === '') {
        problems.push({ field, problem: 'must be a non-empty string' });
      }
    }
    for (const field of Object.keys(options)) {
      if (!(FIELDS as readonly string[]).includes(field)) {
        problems.push({
          field,
          problem: `is not an option of @OnNangoRecords() (${FIELDS.join(', ')})`,
        });
      }
    }
  }
  if (problems.length > 0) {
    throw NangoConfigurationError.create(
      problems.map((p) => ({ ...p, field: `@OnNangoRecords() ${p.field}` })),
    );
  }
  return { ...(options as OnNangoRecordsOptions) };
}

/**
 * Makes a provider method take every page of synced records of `options.model`: after each
 * `sync` webhook of the model (and on `NangoRecordsService.drain()` or the periodic
 * reconcile), the module reads the stream's changes from its saved cursor, page after page,
 * and calls the method with each page (a {@link NangoRecordsBatch}). The page is committed
 * (the cursor saved) once every handler of the model resolved; a handler that throws gets the
 * same page again, with backoff, until the stream parks. Needs `webhooks: { path }` on the
 * `forRoot()` of the instance (or `records: { reconcileEvery }`).
 *
 * @example
 * \@OnNangoRecords({ model: 'GithubIssue', providerConfigKey: 'github' })
 * async issues(page: NangoRecordsBatch<GithubIssue>) { await this.db.upsert(page.records); }
 */
export function OnNangoRecords(options: OnNangoRecordsOptions): MethodDecorator {
  return HANDLERS.decorator(check(options));
}

/** The options `@OnNangoRecords()` put on a method (empty when none). */
export function onNangoRecordsOptions(method: unknown): readonly OnNangoRecordsOptions[] {
  return HANDLERS.of(method);
}
