import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/**
 * Every ```ts block of the README and of the pages in docs/ compiles as written, imports
 * included: each block becomes its own file, type-checked with tsc (strict) the way a Nest 10/11
 * app compiles (CommonJS), with `nestjs-nango` and `nestjs-nango/testing` mapped to lib/. The few
 * files of "your app" that snippets import (`./auth.guard`, `./app.module`, `../src/repos.module`)
 * are stubs written here. A control file with a known type error proves that an error in a
 * snippet would be caught.
 */

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
/** One tsc run over lib/ and every snippet: tens of seconds on a busy 2-core machine. */
const TSC_MS = 300_000;

/** The README, then every page of docs/, by path from the repository's root. */
const pages = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`),
];

/** The ```ts blocks of every page, each with its page and the line its code starts on. */
const snippets = pages.flatMap((page) => {
  const text = readFileSync(join(root, page), 'utf8');
  return [...text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match) => ({
    page,
    line: text.slice(0, match.index).split('\n').length + 1,
    code: match[1] as string,
  }));
});

/** The file a snippet is written to, e.g. `docs-errors-line-12.ts`, named for where it is. */
function snippetFile(page: string, line: number): string {
  return `${page.replace(/\.md$/, '').replace(/[/.]/g, '-').toLowerCase()}-line-${line}.ts`;
}

const stubs: Record<string, string> = {
  'snippets/auth.guard.ts': `import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
@Injectable()
export class AuthGuard implements CanActivate {
  canActivate(ctx: ExecutionContext): boolean {
    const req = ctx.switchToHttp().getRequest<{ user?: { id: string } }>();
    req.user = { id: 'user-1' };
    return true;
  }
}
`,
  'snippets/app.module.ts': `import { Module } from '@nestjs/common';
@Module({})
export class AppModule {}
`,
  'src/app.module.ts': `export { AppModule } from '../snippets/app.module';\n`,
  'src/repos.module.ts': `import { Module } from '@nestjs/common';
@Module({})
export class ReposModule {}
`,
};

let work: string;

beforeAll(() => {
  work = mkdtempSync(join(root, '.tmp-readme-'));
});

afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe('README and docs snippets', () => {
  it('finds the ts blocks (so the check below can fail)', () => {
    expect(snippets.length).toBeGreaterThanOrEqual(20);
    expect(snippets.some((s) => s.code.includes("from 'nestjs-nango/testing'"))).toBe(true);
    expect(snippets.some((s) => s.page === 'README.md')).toBe(true);
    expect(snippets.some((s) => s.page.startsWith('docs/'))).toBe(true);
  });

  it(
    'every ts block compiles as written (strict, CommonJS), and only the control file fails',
    async () => {
      mkdirSync(join(work, 'snippets'));
      mkdirSync(join(work, 'src'));
      for (const [path, code] of Object.entries(stubs)) writeFileSync(join(work, path), code);
      for (const { page, line, code } of snippets) {
        // `export {}` keeps each file a module, so snippets never share a global scope.
        writeFileSync(join(work, 'snippets', snippetFile(page, line)), `${code}\nexport {};\n`);
      }
      writeFileSync(join(work, 'snippets', 'control.ts'), "export const n: number = 'one';\n");
      writeFileSync(
        join(work, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            target: 'ES2022',
            module: 'CommonJS',
            moduleResolution: 'Node10',
            strict: true,
            esModuleInterop: true,
            experimentalDecorators: true,
            emitDecoratorMetadata: true,
            skipLibCheck: true,
            noEmit: true,
            typeRoots: [join(root, 'node_modules', '@types')],
            types: ['node', 'jest'],
            paths: {
              'nestjs-nango': [join(root, 'lib', 'index.ts')],
              'nestjs-nango/testing': [join(root, 'lib', 'testing', 'index.ts')],
            },
          },
          include: ['snippets', 'src'],
        }),
      );
      const output = await run(
        process.execPath,
        [tsc, '-p', 'tsconfig.json', '--pretty', 'false'],
        {
          cwd: work,
          maxBuffer: 16 * 1024 * 1024,
        },
      ).then(
        ({ stdout }) => stdout,
        (error: { stdout?: string }) => error.stdout ?? String(error),
      );
      const errors = output
        .split('\n')
        .filter((line) => /error TS\d+/.test(line))
        .map((line) => line.replace(/^.*?snippets\//, ''));
      expect(errors).toEqual([expect.stringMatching(/^control\.ts\(1,14\): error TS2322/)]);
    },
    TSC_MS,
  );
});
