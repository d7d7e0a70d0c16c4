import { Injectable } from '@nestjs/common';
import { OnNangoRecords, type NangoRecordsBatch } from '../../../lib/index.js';
import { GITHUB } from '../github/github.service.js';

/** A GitHub issue as the sample's Nango sync writes it (model `GithubIssue`). */
export interface SyncedIssue {
  id: string;
  title?: string;
  state?: string;
}

/**
 * The GitHub issues Nango synced, per connection, kept up to date by `@OnNangoRecords()`: each
 * page of changes after a sync run arrives here in order, once; deleted issues are removed.
 * In memory here; a real app upserts into its database (see docs/records.md for writing the
 * cursor in the same transaction).
 */
@Injectable()
export class SyncedIssues {
  private readonly byConnection = new Map<string, Map<string, SyncedIssue>>();

  @OnNangoRecords({ model: 'GithubIssue', providerConfigKey: GITHUB })
  store(page: NangoRecordsBatch<SyncedIssue>): void {
    const issues = this.byConnection.get(page.connectionId) ?? new Map<string, SyncedIssue>();
    this.byConnection.set(page.connectionId, issues);
    for (const record of page.records) {
      if (record._nango_metadata.last_action === 'DELETED') issues.delete(record.id);
      else issues.set(record.id, { id: record.id, title: record.title, state: record.state });
    }
  }

  /** The issues stored for a connection, by id. */
  of(connectionId: string): SyncedIssue[] {
    return [...(this.byConnection.get(connectionId)?.values() ?? [])].sort((a, b) =>
      a.id.localeCompare(b.id),
    );
  }
}
