import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as lib from '../lib/index.js';
import * as testing from '../lib/testing/index.js';

/**
 * The package as users install it: `npm pack` (which builds through `prepack`), the tarball's
 * file list, then a fresh folder that installs the tarball with the declared peers, imports it
 * (ESM and CommonJS), type-checks and compiles a small app against its `.d.ts`, and boots it.
 */

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  peerDependencies: Record<string, string>;
};
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

let work: string;
let app: string;
let tarball: string;
let packedFiles: string[];

async function sh(
  command: string,
  args: string[],
  cwd: string,
): Promise<{ stdout: string; stderr: string }> {
  try {
    return await run(command, args, {
      cwd,
      maxBuffer: 16 * 1024 * 1024,
      env: { ...process.env, NODE_OPTIONS: '', npm_config_loglevel: 'error' },
    });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `${command} ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`,
    );
  }
}

/** Runs a script with node in the consumer folder and parses the JSON it prints last. */
async function nodeJson(args: string[]): Promise<unknown> {
  const { stdout } = await sh(process.execPath, args, app);
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines.at(-1) ?? 'null') as unknown;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'nestjs-nango-package-'));
  const { stdout } = await sh('npm', ['pack', '--json', '--pack-destination', work], root);
  const [info] = JSON.parse(stdout.slice(stdout.indexOf('['))) as Array<{
    filename: string;
    files: Array<{ path: string }>;
  }>;
  if (info === undefined) throw new Error(`npm pack printed no result: ${stdout}`);
  tarball = join(work, info.filename);
  packedFiles = info.files.map((f) => f.path).sort();

  app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
  );
  const peers = Object.entries(manifest.peerDependencies).map(
    ([name, range]) => `${name}@${range}`,
  );
  await sh(
    'npm',
    [
      'install',
      tarball,
      ...peers,
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      '--ignore-scripts',
    ],
    app,
  );
}, 180_000);

afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe('npm pack', () => {
  it('holds dist/ (.js and .d.ts only), README.md, LICENSE and package.json', () => {
    const unexpected = packedFiles.filter(
      (path) =>
        !['README.md', 'LICENSE', 'package.json'].includes(path) &&
        !/^dist\/.+(?<!\.spec|\.e2e-spec)\.(js|d\.ts)$/.test(path),
    );
    expect(unexpected).toEqual([]);
    expect(packedFiles).toEqual(
      expect.arrayContaining([
        'README.md',
        'LICENSE',
        'package.json',
        'dist/index.js',
        'dist/index.d.ts',
        'dist/testing/index.js',
        'dist/testing/index.d.ts',
      ]),
    );
    // Every .js has its .d.ts.
    const js = packedFiles.filter((p) => p.endsWith('.js'));
    expect(js.filter((p) => !packedFiles.includes(p.replace(/\.js$/, '.d.ts')))).toEqual([]);
    expect(
      packedFiles.filter((p) =>
        /\.(spec|e2e-spec)\.|^(test|sample|lib)\/|\.map$|\.tsbuildinfo$/.test(p),
      ),
    ).toEqual([]);
  });
});

describe('installed from the tarball, with the declared peers', () => {
  it('ESM import of "." and "./testing" gives the same exports as lib/', async () => {
    const names = await nodeJson([
      '--input-type=module',
      '-e',
      "import * as m from 'nestjs-nango'; import * as t from 'nestjs-nango/testing'; " +
        'console.log(JSON.stringify({ main: Object.keys(m).sort(), testing: Object.keys(t).sort() }));',
    ]);
    expect(names).toEqual({
      main: Object.keys(lib).sort(),
      testing: Object.keys(testing).sort(),
    });
  });

  it('CommonJS require() works too (Node >= 20.19 requires ESM)', async () => {
    const names = await nodeJson([
      '--input-type=commonjs',
      '-e',
      "const m = require('nestjs-nango'); const t = require('nestjs-nango/testing'); " +
        'console.log(JSON.stringify({ module: typeof m.NangoModule, standIn: typeof t.NangoStandIn, n: Object.keys(m).length }));',
    ]);
    expect(names).toEqual({ module: 'function', standIn: 'function', n: Object.keys(lib).length });
  });

  it('a small app compiles against the .d.ts (strict, NodeNext) and boots', async () => {
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          experimentalDecorators: true,
          emitDecoratorMetadata: true,
          skipLibCheck: false,
          typeRoots: [join(root, 'node_modules', '@types')],
          types: ['node'],
          outDir: 'out',
        },
        files: ['main.ts'],
      }),
    );
    writeFileSync(
      join(app, 'main.ts'),
      `import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  NangoModule,
  NangoService,
  NangoConnectionNotFoundError,
  type NangoToken,
} from 'nestjs-nango';
import { NangoStandIn, NangoTestingModule } from 'nestjs-nango/testing';

@Injectable()
class Tokens {
  constructor(private readonly nango: NangoService) {}
  token(connectionId: string): Promise<NangoToken> {
    return this.nango.getToken('github', connectionId);
  }
}

const connections = [
  {
    connectionId: 'u1',
    providerConfigKey: 'github',
    credentials: { type: 'OAUTH2', access_token: 'installed-token', raw: {} },
  },
];
const standIn = await NangoStandIn.start({ connections });

@Module({
  imports: [NangoModule.forRoot({ secretKey: standIn.secretKey, host: standIn.url })],
  providers: [Tokens],
})
class AppModule {}

const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
const token = await app.get(Tokens).token('u1');
const missing = await app
  .get(Tokens)
  .token('nobody')
  .catch((e: unknown) => e instanceof NangoConnectionNotFoundError);
await app.close();
await standIn.close();

@Module({ imports: [NangoTestingModule.withStandIn({ connections })], providers: [Tokens] })
class TestAppModule {}
const testApp = await NestFactory.createApplicationContext(TestAppModule, { logger: false });
const kitToken = await testApp.get(Tokens).token('u1');
await testApp.close();

console.log(JSON.stringify({ token, missing, kitToken }));
`,
    );
    await sh(process.execPath, [tsc, '-p', 'tsconfig.json'], app);
    await expect(nodeJson(['out/main.js'])).resolves.toEqual({
      token: 'installed-token',
      missing: true,
      kitToken: 'installed-token',
    });
    // A tsc run and an app boot: slow on a busy machine, so a timeout of its own.
  }, 120_000);

  it('a type error in the app is caught by the installed .d.ts', async () => {
    writeFileSync(
      join(app, 'bad.ts'),
      "import { NangoModule } from 'nestjs-nango';\nNangoModule.forRoot({ secretKey: 'k', timeout: '30s' });\n",
    );
    writeFileSync(
      join(app, 'tsconfig.bad.json'),
      JSON.stringify({
        extends: './tsconfig.json',
        files: ['bad.ts'],
        compilerOptions: { noEmit: true, skipLibCheck: true },
      }),
    );
    await expect(sh(process.execPath, [tsc, '-p', 'tsconfig.bad.json'], app)).rejects.toThrow(
      /bad\.ts\(2,\d+\): error TS2322/,
    );
  }, 120_000);
});
