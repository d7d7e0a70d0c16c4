import { Injectable } from '@nestjs/common';
import { NangoService } from '../../../lib/index.js';

/** The Nango integration key of GitHub in this app. */
export const GITHUB = 'github';

/** A GitHub issue as the sample creates it. */
export interface NewIssue {
  title: string;
  body?: string;
}

/**
 * Calls the GitHub API as a given user, through Nango's proxy: Nango adds the user's token
 * (refreshed when needed) and forwards the call. The user's id is their connection id.
 */
@Injectable()
export class GithubService {
  constructor(private readonly nango: NangoService) {}

  /** `GET /user` of GitHub: the signed-in user's profile. */
  async profile(userId: string): Promise<unknown> {
    const { data } = await this.nango.get({
      endpoint: '/user',
      providerConfigKey: GITHUB,
      connectionId: userId,
      headers: { Accept: 'application/vnd.github+json' },
    });
    return data;
  }

  /** `POST /repos/{owner}/{repo}/issues` of GitHub, with Nango retrying on 429/5xx. */
  async createIssue(
    userId: string,
    owner: string,
    repo: string,
    issue: NewIssue,
  ): Promise<unknown> {
    const { status, data } = await this.nango.proxy({
      method: 'POST',
      endpoint: `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/issues`,
      providerConfigKey: GITHUB,
      connectionId: userId,
      headers: { Accept: 'application/vnd.github+json' },
      data: issue,
      retries: 2,
    });
    return { status, data };
  }
}
