import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import ts from 'typescript';

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
/** One jest run of the marked snippets (two apps, GraphQL included): generous, like tsc's. */
const RUN_MS = 300_000;

/** The README, then every page of docs/, by path from the repository's root. */
const pages = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`),
];

/** The line before a ```ts block that asks for it to be run, not only compiled. */
const RUN_MARKER = '<!-- readme-snippets: run -->';

/**
 * The ```ts blocks of every page, each with its page, the line its code starts on, and whether
 * it is marked to be run (a jest spec, self-contained, against the stand-in).
 */
const snippets = pages.flatMap((page) => {
  const text = readFileSync(join(root, page), 'utf8');
  return [...text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match) => {
    const before = text.slice(0, match.index);
    return {
      page,
      line: before.split('\n').length + 1,
      code: match[1] as string,
      run: before.trimEnd().endsWith(RUN_MARKER),
    };
  });
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

/**
 * Fastify's `inject()` loads light-my-request, whose 6.8 line `require()`s the ES-module-only
 * `cookie` 2: jest's CommonJS loader cannot, before Node 24.9 (the trap docs/testing.md warns
 * users of). For the run of the snippets only, a jest resolver hands light-my-request a CommonJS
 * copy of that same `cookie` (transpiled here by TypeScript); every other package resolves as
 * usual. Returns the resolver's path.
 */
function lightMyRequestCookie(dir: string): string {
  const requireFromHere = createRequire(join(root, 'package.json'));
  const lightMyRequest = dirname(requireFromHere.resolve('light-my-request'));
  const cookie = createRequire(join(lightMyRequest, 'index.js')).resolve('cookie');
  const copy = join(dir, 'cookie.cjs');
  const source = readFileSync(cookie, 'utf8');
  writeFileSync(
    copy,
    ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS } }).outputText,
  );
  const resolver = join(dir, 'cookie-resolver.cjs');
  writeFileSync(
    resolver,
    `module.exports = (request, options) =>\n` +
      `  request === 'cookie' && options.basedir.startsWith(${JSON.stringify(lightMyRequest)})\n` +
      `    ? ${JSON.stringify(copy)}\n` +
      `    : options.defaultResolver(request, options);\n`,
  );
  return resolver;
}

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

  it(
    'the blocks marked to run (the transactional records handler of docs/records.md, the Fastify e2e test and the resolver test of docs/testing.md) pass as written',
    async () => {
      const runnable = snippets.filter((s) => s.run);
      expect(runnable.map((s) => s.page)).toEqual([
        'docs/records.md',
        'docs/testing.md',
        'docs/testing.md',
      ]);
      mkdirSync(join(work, 'run'), { recursive: true });
      for (const { page, line, code } of runnable) {
        const name = snippetFile(page, line).replace(/\.ts$/, '.e2e-spec.ts');
        writeFileSync(join(work, 'run', name), code);
      }
      // This repository's jest setup (swc, ESM), with the package's names mapped to lib/.
      const { default: base } = (await import(join(root, 'jest.config.js'))) as {
        default: { moduleNameMapper: Record<string, string> } & Record<string, unknown>;
      };
      const config = {
        ...base,
        rootDir: work,
        roots: [join(work, 'run')],
        testMatch: ['**/*.e2e-spec.ts'],
        testPathIgnorePatterns: ['/node_modules/'],
        modulePathIgnorePatterns: [],
        reporters: ['default'],
        moduleNameMapper: {
          '^nestjs-nango$': join(root, 'lib', 'index.ts'),
          '^nestjs-nango/testing$': join(root, 'lib', 'testing', 'index.ts'),
          ...base.moduleNameMapper,
        },
      };
      writeFileSync(
        join(work, 'jest.run.config.json'),
        JSON.stringify({ ...config, resolver: lightMyRequestCookie(work) }),
      );
      const jest = join(root, 'node_modules', 'jest', 'bin', 'jest.js');
      const { code, output } = await run(
        process.execPath,
        [jest, '--config', join(work, 'jest.run.config.json'), '--runInBand', '--ci'],
        {
          cwd: work,
          maxBuffer: 16 * 1024 * 1024,
          env: { ...process.env, NODE_OPTIONS: '--experimental-vm-modules', FORCE_COLOR: '0' },
        },
      ).then(
        ({ stdout, stderr }) => ({ code: 0, output: `${stdout}\n${stderr}` }),
        (error: { code?: number; stdout?: string; stderr?: string }) => ({
          code: error.code ?? 1,
          output: `${error.stdout ?? ''}\n${error.stderr ?? ''}`,
        }),
      );
      // On failure, the whole jest output is the message: it names the snippet file and line.
      expect({ code, output }).toEqual({
        code: 0,
        output: expect.stringMatching(/Tests: +4 passed, 4 total/),
      });
      expect(output).toMatch(/Test Suites: +3 passed, 3 total/);
    },
    RUN_MS,
  );
});
