import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { specifiers, tsFiles } from './fixtures/source-files.js';

/**
 * The shape of lib/: no file over 400 lines (the NangoService facade up to 700), and no import
 * cycle, type-only imports included (a cycle of types is still two files that cannot be read
 * apart).
 */

const root = fileURLToPath(new URL('..', import.meta.url));
const lib = join(root, 'lib');

const MAX_LINES = 400;
const FACADE = 'lib/nango.service.ts';
const MAX_FACADE_LINES = 700;

/** The lib/ files a file imports (static, type-only, re-exports and `import()` alike). */
function localImports(file: string, text: string): string[] {
  return specifiers(text)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
}

/** Every cycle of a directed graph, each once, as the list of its nodes from its smallest. */
export function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const cycles = new Map<string, string[]>();
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') {
        const cycle = stack.slice(stack.indexOf(next));
        const start = cycle.indexOf([...cycle].sort()[0]);
        const canonical = [...cycle.slice(start), ...cycle.slice(0, start)];
        cycles.set(canonical.join(' -> '), canonical);
      } else if (!state.has(next)) {
        visit(next);
      }
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return [...cycles.values()];
}

describe('lib/ structure', () => {
  const files = tsFiles(lib);
  const texts = new Map(files.map((file) => [file, readFileSync(file, 'utf8')]));
  const name = (file: string): string => relative(root, file).split('\\').join('/');

  it('reads every file of lib/', () => {
    expect(files.length).toBeGreaterThan(40);
    expect(files.map(name)).toContain(FACADE);
  });

  it(`has no file over ${MAX_LINES} lines (the NangoService facade up to ${MAX_FACADE_LINES})`, () => {
    const tooLong = files
      .map((file) => ({ file: name(file), lines: texts.get(file)!.split('\n').length }))
      .filter(({ file, lines }) => lines > (file === FACADE ? MAX_FACADE_LINES : MAX_LINES))
      .map(({ file, lines }) => `${file}: ${lines} lines`);
    expect(tooLong).toEqual([]);
  });

  it('has no import cycle', () => {
    const graph = new Map(
      files.map((file) => [
        name(file),
        localImports(file, texts.get(file)!)
          .filter((target) => texts.has(target))
          .map(name),
      ]),
    );
    expect(findCycles(graph).map((cycle) => cycle.join(' -> '))).toEqual([]);
  });

  it('resolves the imports it follows to files that exist', () => {
    const dangling = files.flatMap((file) =>
      localImports(file, texts.get(file)!)
        .filter((target) => !texts.has(target) && !target.endsWith('.json'))
        .map((target) => `${name(file)} imports ${name(target)}`),
    );
    expect(dangling).toEqual([]);
  });
});

describe('findCycles', () => {
  it('finds a two-file cycle and a longer one, each once', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['a', 'c']],
      ['c', ['d']],
      ['d', ['e']],
      ['e', ['c']],
    ]);
    expect(findCycles(graph)).toEqual([
      ['a', 'b'],
      ['c', 'd', 'e'],
    ]);
  });

  it('finds none in a graph that only shares dependencies', () => {
    const graph = new Map([
      ['a', ['b', 'c']],
      ['b', ['c']],
      ['c', []],
    ]);
    expect(findCycles(graph)).toEqual([]);
  });
});
