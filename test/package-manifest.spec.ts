import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { specifiers, tsFiles } from './fixtures/source-files.js';

const root = fileURLToPath(new URL('..', import.meta.url));

interface Manifest {
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Manifest;

/** The package a bare specifier names (`@scope/name/sub` -> `@scope/name`), or undefined. */
export function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) {
    return undefined;
  }
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string);
  return builtinModules.includes(name) ? undefined : name;
}

const imported = new Map<string, string[]>();
for (const file of tsFiles(join(root, 'lib'))) {
  for (const specifier of specifiers(readFileSync(file, 'utf8'))) {
    const name = packageOf(specifier);
    if (name === undefined) continue;
    imported.set(name, [...(imported.get(name) ?? []), relative(root, file)]);
  }
}

describe('package.json declares what lib/ imports', () => {
  it('the scan sees the imports (so the checks below can fail)', () => {
    expect([...imported.keys()]).toEqual(
      expect.arrayContaining([
        '@nestjs/common',
        '@nestjs/axios',
        'axios',
        'rxjs',
        'class-validator',
      ]),
    );
  });

  it.each([...imported.keys()].sort())('%s is a dependency or a peer dependency', (name) => {
    const declared = {
      ...manifest.dependencies,
      ...manifest.peerDependencies,
    };
    if (declared[name] === undefined) {
      throw new Error(
        `${name} is imported by ${imported.get(name)?.join(', ')} but is neither in dependencies nor peerDependencies`,
      );
    }
  });

  it('every dependency and peer dependency is used by lib/ (reflect-metadata and @nestjs/core: by Nest at run time)', () => {
    const declared = [
      ...Object.keys(manifest.dependencies ?? {}),
      ...Object.keys(manifest.peerDependencies ?? {}),
    ];
    const unused = declared.filter(
      (name) => !imported.has(name) && name !== 'reflect-metadata' && name !== '@nestjs/core',
    );
    expect(unused).toEqual([]);
  });

  it('every peer dependency is also a dev dependency, so the tests run against it', () => {
    const missing = Object.keys(manifest.peerDependencies ?? {}).filter(
      (name) => manifest.devDependencies?.[name] === undefined,
    );
    expect(missing).toEqual([]);
  });

  it('the scanner reads every import form and maps specifiers to packages', () => {
    const source = [
      "import { A } from '@scope/pkg/sub';",
      "import type { B } from 'typed-only';",
      "export * from './local.js';",
      "export { C } from 'reexported';",
      "import 'side-effect';",
      "const d = await import('dynamic');",
      "const e = require('required');",
      "import { f } from 'node:fs';",
      "import { g } from 'path';",
    ].join('\n');
    expect(specifiers(source).map(packageOf).filter(Boolean).sort()).toEqual([
      '@scope/pkg',
      'dynamic',
      'reexported',
      'required',
      'side-effect',
      'typed-only',
    ]);
  });
});

interface EntryManifest extends Manifest {
  main?: string;
  types?: string;
  typesVersions?: Record<string, Record<string, string[]>>;
  exports?: Record<string, unknown>;
  engines?: Record<string, string>;
}

describe('package.json entry points and ranges', () => {
  const full = manifest as EntryManifest;

  it.each(['.', './testing'])(
    '"%s" has import and require conditions, each with its own .d.ts listed first',
    (entry) => {
      const base = entry === '.' ? 'index' : 'testing/index';
      const conditions = full.exports?.[entry] as Record<string, Record<string, string>>;
      expect(conditions).toEqual({
        import: { types: `./dist/esm/${base}.d.ts`, default: `./dist/esm/${base}.js` },
        require: { types: `./dist/cjs/${base}.d.ts`, default: `./dist/cjs/${base}.js` },
      });
      // TypeScript reads conditions in order: `types` must come before `default`.
      expect(Object.keys(conditions.import ?? {})[0]).toBe('types');
      expect(Object.keys(conditions.require ?? {})[0]).toBe('types');
    },
  );

  it('main, types and typesVersions serve the old node resolution (which ignores exports)', () => {
    expect(full.main).toBe('./dist/cjs/index.js');
    expect(full.types).toBe('./dist/cjs/index.d.ts');
    expect(full.typesVersions).toEqual({ '*': { testing: ['./dist/cjs/testing/index.d.ts'] } });
  });

  it('peers accept Nest 10.4+, 11 and 12, and the @nestjs/axios line of each', () => {
    expect(manifest.peerDependencies).toMatchObject({
      '@nestjs/common': '^10.4.0 || ^11.0.0 || ^12.0.0',
      '@nestjs/core': '^10.4.0 || ^11.0.0 || ^12.0.0',
      '@nestjs/axios': '^3.1.0 || ^4.0.0 || ^12.0.0',
      '@nestjs/terminus': '^11.0.0 || ^12.0.0',
    });
    expect(full.engines).toEqual({ node: '>=20.19' });
  });

  it.each([
    ['nest10-cjs', '10', undefined],
    ['nest11-cjs', '11', undefined],
    ['nest12-esm', '12', 'module'],
  ])(
    'fixture %s is a Nest %s app with its own lock file, installing nestjs-nango only from the tarball',
    (fixture, major, type) => {
      const dir = join(root, 'test', 'compat', fixture);
      const app = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest & {
        type?: string;
      };
      const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8')) as {
        packages: Record<string, { version?: string }>;
      };
      expect(app.type).toBe(type);
      expect(lock.packages['node_modules/@nestjs/common']?.version).toMatch(
        new RegExp(`^${major}\\.`),
      );
      expect({ ...app.dependencies, ...app.devDependencies }['nestjs-nango']).toBeUndefined();
      expect(lock.packages['node_modules/nestjs-nango']).toBeUndefined();
    },
  );
});
