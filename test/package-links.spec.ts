import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/**
 * The README and docs as npm users get them: every relative link of a shipped Markdown file
 * resolves to a file inside the tarball (and its `#anchor` to a heading of that file), and every
 * link into this repository on GitHub names the repository of package.json and a file that
 * exists. The tarball's file list comes from `npm pack --dry-run --json` (no build needed:
 * scripts are skipped, and links never point into dist/).
 */

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
/** `npm pack --dry-run` walks the tree and may wait for npm's cache on a busy machine. */
const PACK_MS = 120_000;

const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  repository?: { url?: string };
};
/** `https://github.com/<owner>/<name>`, from package.json's `repository.url`. */
const repository = (manifest.repository?.url ?? '').replace(/^git\+/, '').replace(/\.git$/, '');
const blob = `${repository}/blob/main/`;

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
export function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors of a Markdown text's headings (code blocks skipped). */
function anchors(markdown: string): Set<string> {
  const outside = markdown.replace(/^```[\s\S]*?^```$/gm, '');
  return new Set([...outside.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchorOf(m[1] as string)));
}

/** The link targets of a Markdown text, code blocks and inline code skipped. */
export function linkTargets(markdown: string): string[] {
  const prose = markdown.replace(/^```[\s\S]*?^```$/gm, '').replace(/`[^`\n]*`/g, '``');
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1] as string);
}

/**
 * What is wrong with the links of `page` (a path in the package), given the packed files and a
 * reader of their text: one line per broken link.
 */
export function brokenLinks(
  page: string,
  markdown: string,
  packed: ReadonlySet<string>,
  read: (path: string) => string,
  inRepository: (path: string) => boolean,
): string[] {
  const problems: string[] = [];
  for (const target of linkTargets(markdown)) {
    if (target.startsWith(blob)) {
      const path = target.slice(blob.length).split('#')[0] as string;
      if (!inRepository(path)) problems.push(`${page}: ${target} names no file of the repository`);
      continue;
    }
    if (/^[a-z]+:/i.test(target)) {
      if (target.includes('github.com') && target.includes('nestjs-nango') && repository !== '') {
        if (!target.startsWith(repository)) {
          problems.push(`${page}: ${target} is not under package.json's ${repository}`);
        }
      }
      continue;
    }
    const [path, anchor] = target.split('#') as [string, string | undefined];
    const file = path === '' ? page : normalize(join(dirname(page), path)).replace(/\\/g, '/');
    const isFolder = [...packed].some((p) => p.startsWith(file.replace(/\/$/, '') + '/'));
    if (!packed.has(file) && !isFolder) {
      problems.push(`${page}: ${target} is not in the tarball (${file})`);
      continue;
    }
    if (anchor !== undefined && file.endsWith('.md') && !anchors(read(file)).has(anchor)) {
      problems.push(`${page}: ${target}: ${file} has no heading #${anchor}`);
    }
  }
  return problems;
}

let packed: Set<string>;

beforeAll(async () => {
  const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: root,
    maxBuffer: 16 * 1024 * 1024,
    env: { ...process.env, NODE_OPTIONS: '', npm_config_loglevel: 'error' },
  });
  const [info] = JSON.parse(stdout.slice(stdout.indexOf('['))) as Array<{
    files: Array<{ path: string }>;
  }>;
  packed = new Set((info?.files ?? []).map((f) => f.path));
}, PACK_MS);

const read = (path: string): string => readFileSync(join(root, path), 'utf8');
const inRepository = (path: string): boolean => existsSync(join(root, path));

describe('links of the shipped README and docs', () => {
  it('package.json names the repository on GitHub', () => {
    expect(repository).toMatch(/^https:\/\/github\.com\/[\w.-]+\/[\w.-]+$/);
  });

  it('ships README.md and the docs pages, not CONTRIBUTING.md', () => {
    expect(packed.has('README.md')).toBe(true);
    expect([...packed].filter((p) => p.startsWith('docs/')).length).toBeGreaterThanOrEqual(8);
    expect(packed.has('CONTRIBUTING.md')).toBe(false);
  });

  it('every relative link resolves inside the tarball, anchors included', () => {
    const pages = [...packed].filter((p) => p.endsWith('.md')).sort();
    const problems = pages.flatMap((page) =>
      brokenLinks(page, read(page), packed, read, inRepository),
    );
    expect(problems).toEqual([]);
    // The check reads links at all: the README links to docs pages and to CONTRIBUTING.md.
    expect(linkTargets(read('README.md'))).toEqual(
      expect.arrayContaining(['docs/compatibility.md', `${blob}CONTRIBUTING.md`]),
    );
  });

  it('finds a link to a file left out of the tarball, a missing anchor and a wrong repository file', () => {
    const page = ['[a](../lib/x.ts)', '[b](errors.md#no-such-heading)', `[c](${blob}nope.md)`];
    const problems = brokenLinks('docs/page.md', page.join('\n'), packed, read, inRepository);
    expect(problems).toEqual([
      'docs/page.md: ../lib/x.ts is not in the tarball (lib/x.ts)',
      'docs/page.md: errors.md#no-such-heading: docs/errors.md has no heading #no-such-heading',
      `docs/page.md: ${blob}nope.md names no file of the repository`,
    ]);
  });

  it('makes GitHub anchors of headings', () => {
    expect(anchorOf('Install lines, per Nest major')).toBe('install-lines-per-nest-major');
    expect(anchorOf('`@InjectNangoToken()`, by credential type')).toBe(
      'injectnangotoken-by-credential-type',
    );
  });
});
