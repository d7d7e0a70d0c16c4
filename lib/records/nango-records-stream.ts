/** One stream of synced records: drained in order, one drain at a time. */
export interface NangoRecordsStream {
  /** The named Nango instance (environment); absent for the default instance. */
  readonly instance?: string;
  /** The integration's unique key in Nango (`providerConfigKey`). */
  readonly providerConfigKey: string;
  /** The connection whose records these are. */
  readonly connectionId: string;
  /** The model the sync writes, e.g. `GithubIssue`. */
  readonly model: string;
  /** The sync variant; 'base' when Nango's webhook says so or none is given. */
  readonly variant: string;
}

/**
 * A stable string key for a stream (same on every replica), e.g. for queue/job ids and cursor
 * keys: `nango-records:<instance>:<providerConfigKey>:<connectionId>:<model>:<variant>`, each part
 * URI-encoded (so a `:` inside a part cannot make two streams share a key); the default instance
 * is the empty part (a named instance is never empty).
 *
 * @example
 * nangoRecordsStreamKey({ providerConfigKey: 'github', connectionId: 'c1', model: 'Issue', variant: 'base' })
 * // 'nango-records::github:c1:Issue:base'
 */
export function nangoRecordsStreamKey(stream: NangoRecordsStream): string {
  return [
    'nango-records',
    stream.instance ?? '',
    stream.providerConfigKey,
    stream.connectionId,
    stream.model,
    stream.variant,
  ]
    .map((part, i) => (i === 0 ? part : encodeURIComponent(part)))
    .join(':');
}
