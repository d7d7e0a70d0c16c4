// Completes the build: dist/cjs is the one implementation (tsc, CommonJS) and dist/esm holds the
// ESM declarations (tsc, NodeNext). This writes dist/cjs/package.json (so Node and TypeScript
// read dist/cjs as CommonJS inside this "type": "module" package) and, for each entry, a thin
// ESM file that re-exports the CommonJS build by name. `import` and `require` therefore load the
// same classes: one NangoModule, one NangoService, whatever mix of the two an app uses.
'use strict';
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');

const dist = join(__dirname, '..', 'dist');
writeFileSync(join(dist, 'cjs', 'package.json'), '{ "type": "commonjs" }\n');

for (const entry of ['index', 'testing/index']) {
  const names = Object.keys(require(join(dist, 'cjs', `${entry}.js`))).filter(
    (name) => name !== '__esModule' && name !== 'default',
  );
  const up = entry.includes('/') ? '../../cjs' : '../cjs';
  const source =
    `// The ESM entry: re-exports the CommonJS build, so that import and require share one copy.\n` +
    `import cjs from '${up}/${entry}.js';\n\n` +
    `export const {\n${names.map((name) => `  ${name},`).join('\n')}\n} = cjs;\n`;
  writeFileSync(join(dist, 'esm', `${entry}.js`), source);
}
