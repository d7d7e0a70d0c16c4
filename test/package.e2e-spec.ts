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
 * (ESM and CommonJS, and both in one process: one copy of every class), type-checks and compiles
 * small apps against its `.d.ts` (NodeNext ESM and CommonJS, the old `node` resolution, bundler),
 * and boots them.
 *
 * Slow steps (npm pack + build, npm install, each tsc run) get their own long timeouts: they take
 * tens of seconds on a busy 2-core machine, and nothing here measures speed.
 */

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
};
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

/** Timeouts of the slow steps, in milliseconds: generous, since the machine may be busy. */
const PACK_AND_INSTALL_MS = 600_000;
const TSC_MS = 300_000;
const NODE_MS = 120_000;

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
  // The required peers (the app's Nest), then the optional ones on top, as an app adds them:
  // given all at once as `^10.4 || ^11 || ^12` unions, npm cannot place @nestjs/graphql 14
  // (Nest 12 only) next to @nestjs/terminus's optional peers (ERESOLVE).
  const optional = (name: string): boolean =>
    manifest.peerDependenciesMeta?.[name]?.optional === true;
  const spec = ([name, range]: [string, string]): string => `${name}@${range}`;
  const peers = Object.entries(manifest.peerDependencies);
  const flags = ['--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts'];
  await sh(
    'npm',
    ['install', tarball, ...peers.filter(([name]) => !optional(name)).map(spec), ...flags],
    app,
  );
  await sh(
    'npm',
    ['install', ...peers.filter(([name]) => optional(name)).map(spec), ...flags],
    app,
  );
}, PACK_AND_INSTALL_MS);

afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe('npm pack', () => {
  it('holds dist/cjs (.js and .d.ts), dist/esm (.d.ts and the two entry files), README.md, LICENSE and package.json', () => {
    const unexpected = packedFiles.filter(
      (path) =>
        !['README.md', 'LICENSE', 'package.json', 'dist/cjs/package.json'].includes(path) &&
        !/^dist\/cjs\/.+(?<!\.spec|\.e2e-spec)\.(js|d\.ts)$/.test(path) &&
        !/^dist\/esm\/.+(?<!\.spec|\.e2e-spec)\.d\.ts$/.test(path) &&
        !/^docs\/[a-z-]+\.md$/.test(path) &&
        !['dist/esm/index.js', 'dist/esm/testing/index.js'].includes(path),
    );
    expect(unexpected).toEqual([]);
    expect(packedFiles).toEqual(
      expect.arrayContaining([
        'README.md',
        'LICENSE',
        'docs/errors.md',
        'package.json',
        'dist/cjs/package.json',
        'dist/cjs/index.js',
        'dist/cjs/index.d.ts',
        'dist/cjs/testing/index.js',
        'dist/cjs/testing/index.d.ts',
        'dist/esm/index.js',
        'dist/esm/index.d.ts',
        'dist/esm/testing/index.js',
        'dist/esm/testing/index.d.ts',
      ]),
    );
    // Every .js of the CommonJS build has its .d.ts, and the ESM declarations mirror them.
    const cjs = packedFiles.filter((p) => p.startsWith('dist/cjs/') && p.endsWith('.js'));
    expect(cjs.filter((p) => !packedFiles.includes(p.replace(/\.js$/, '.d.ts')))).toEqual([]);
    const cjsTypes = packedFiles.filter((p) => p.startsWith('dist/cjs/') && p.endsWith('.d.ts'));
    const esmTypes = packedFiles.filter((p) => p.startsWith('dist/esm/') && p.endsWith('.d.ts'));
    expect(esmTypes.map((p) => p.replace('dist/esm/', ''))).toEqual(
      cjsTypes.map((p) => p.replace('dist/cjs/', '')),
    );
    expect(
      packedFiles.filter((p) =>
        /\.(spec|e2e-spec)\.|^(test|sample|lib|scripts)\/|\.map$|\.tsbuildinfo$/.test(p),
      ),
    ).toEqual([]);
  });

  it('the ESM entries only re-export the CommonJS build (one implementation)', () => {
    const entries = [
      ['dist/esm/index.js', '../cjs/index.js'],
      ['dist/esm/testing/index.js', '../../cjs/testing/index.js'],
    ] as const;
    for (const [file, target] of entries) {
      const source = readFileSync(join(app, 'node_modules', 'nestjs-nango', file), 'utf8');
      expect(source).toContain(`import cjs from '${target}';`);
      expect(source.match(/^import /gm)).toHaveLength(1);
    }
    const cjsManifest = join(app, 'node_modules', 'nestjs-nango', 'dist', 'cjs', 'package.json');
    expect(JSON.parse(readFileSync(cjsManifest, 'utf8'))).toEqual({
      type: 'commonjs',
    });
  });
});

describe('installed from the tarball, with the declared peers', () => {
  const loaders = {
    module:
      "import * as m from 'nestjs-nango'; import * as t from 'nestjs-nango/testing'; const keys = (o) => Object.keys(o).sort();",
    commonjs:
      "const m = require('nestjs-nango'); const t = require('nestjs-nango/testing'); const keys = (o) => Object.keys(o).filter((k) => k !== '__esModule').sort();",
  };

  it.each(['module', 'commonjs'] as const)(
    'loaded as %s, "." and "./testing" give the same exports as lib/',
    async (format) => {
      const names = await nodeJson([
        `--input-type=${format}`,
        '-e',
        `${loaders[format]} console.log(JSON.stringify({ main: keys(m), testing: keys(t) }));`,
      ]);
      expect(names).toEqual({
        main: Object.keys(lib).sort(),
        testing: Object.keys(testing).sort(),
      });
    },
    NODE_MS,
  );

  it(
    'the CommonJS build loads @nestjs/graphql only when asked to, and then through require()',
    async () => {
      const script = `
const Module = require('node:module');
const path = require('node:path');
const seen = [];
const load = Module._load;
Module._load = function (request, ...rest) {
  if (request.startsWith('@nestjs/graphql')) seen.push(request);
  return load.call(this, request, ...rest);
};
require('nestjs-nango');
const atStart = seen.length;
const context = require(path.join(path.dirname(require.resolve('nestjs-nango')), 'graphql', 'nango-graphql.context.js'));
context.loadGraphql().then((graphql) => {
  console.log(JSON.stringify({ atStart, after: seen, create: typeof graphql.GqlExecutionContext.create }));
});`;
      const result = await nodeJson(['--input-type=commonjs', '-e', script]);
      expect(result).toEqual({ atStart: 0, after: ['@nestjs/graphql'], create: 'function' });
    },
    NODE_MS,
  );

  it(
    'require() and import in one process load one copy: one NangoService, one NangoModule',
    async () => {
      const result = await nodeJson([
        '--input-type=module',
        '-e',
        `import 'reflect-metadata';
import { createRequire } from 'node:module';
import { NestFactory } from '@nestjs/core';
const require = createRequire(process.cwd() + '/');
const required = require('nestjs-nango');
const requiredTesting = require('nestjs-nango/testing');
const imported = await import('nestjs-nango');
const importedTesting = await import('nestjs-nango/testing');
const differ = (a, b) => Object.keys(a).filter((k) => k !== '__esModule' && a[k] !== b[k]);
// The module from import(), the service looked up with the class from require().
const app = await NestFactory.createApplicationContext(
  imported.NangoModule.forRoot({ secretKey: 'sk-one-copy' }),
  { logger: false },
);
const service = app.get(required.NangoService);
const sameInstance = service === app.get(imported.NangoService);
await app.close();
console.log(JSON.stringify({
  main: differ(required, imported),
  testing: differ(requiredTesting, importedTesting),
  service: required.NangoService === imported.NangoService,
  module: required.NangoModule === imported.NangoModule,
  sameInstance,
  isService: service instanceof imported.NangoService,
}));`,
      ]);
      expect(result).toEqual({
        main: [],
        testing: [],
        service: true,
        module: true,
        sameInstance: true,
        isService: true,
      });
    },
    NODE_MS,
  );

  it(
    'an ESM app (main.ts) and a CommonJS one (main-cjs.cts) compile against the .d.ts (strict, NodeNext) and boot',
    async () => {
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
          files: ['main.ts', 'main-cjs.cts'],
        }),
      );
      // A CommonJS file: TypeScript must hand it the CommonJS declarations (TS1479 otherwise),
      // and Node must load the CommonJS build through require().
      writeFileSync(
        join(app, 'main-cjs.cts'),
        `import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NangoService, type NangoToken } from 'nestjs-nango';
import { NangoTestingModule } from 'nestjs-nango/testing';

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
    credentials: { type: 'OAUTH2' as const, access_token: 'cjs-token', raw: {} },
  },
];

@Module({ imports: [NangoTestingModule.withStandIn({ connections })], providers: [Tokens] })
class AppModule {}

async function main(): Promise<void> {
  const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
  const token = await app.get(Tokens).token('u1');
  await app.close();
  console.log(JSON.stringify({ token, format: typeof require }));
}
void main();
`,
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
      await expect(nodeJson(['out/main-cjs.cjs'])).resolves.toEqual({
        token: 'cjs-token',
        format: 'function',
      });
    },
    TSC_MS + 2 * NODE_MS,
  );

  // The old resolution (`moduleResolution: node`, what `module: commonjs` implies, as in a
  // Nest 10 app) ignores `exports`: typesVersions must lead it to the testing entry's types.
  // Bundler resolution reads the `import` condition.
  it.each([
    ['Node10', 'CommonJS'],
    ['Bundler', 'ESNext'],
  ])(
    'both entries type-check under moduleResolution %s (module %s)',
    async (moduleResolution, module) => {
      writeFileSync(
        join(app, 'legacy.ts'),
        `import {
  NangoModule,
  NangoService,
  type NangoOptionsFactory,
  type NangoToken,
} from 'nestjs-nango';
import { NangoStandIn, NangoTestingModule } from 'nestjs-nango/testing';

export class Config implements NangoOptionsFactory {
  createNangoOptions() {
    return { secretKey: 'k' };
  }
}
export const modules = [NangoModule.forRootAsync({ useClass: Config }), NangoTestingModule.withStandIn()];
export type Started = Awaited<ReturnType<typeof NangoStandIn.start>>;
export const token: (s: NangoService) => Promise<NangoToken> = (s) => s.getToken('github', 'u1');
`,
      );
      const config = `tsconfig.${moduleResolution}.json`;
      writeFileSync(
        join(app, config),
        JSON.stringify({
          extends: './tsconfig.json',
          files: ['legacy.ts'],
          compilerOptions: { module, moduleResolution, noEmit: true, skipLibCheck: false },
        }),
      );
      await sh(process.execPath, [tsc, '-p', config], app);
    },
    TSC_MS,
  );

  it(
    'a type error in the app is caught by the installed .d.ts',
    async () => {
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
    },
    TSC_MS,
  );
});
