import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * The public surface of each entry of the package, listed in full: a change to what users can
 * import is a visible diff of this file. Each name is tagged `value` (exists at run time) or
 * `type` (a type or an interface only).
 */

const root = fileURLToPath(new URL('..', import.meta.url));

/** The names an entry file exports, sorted, each as `name: value` or `name: type`. */
function exportsOf(entry: string): string[] {
  const file = `${root}${entry}`;
  const program = ts.createProgram([file], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    experimentalDecorators: true,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    types: [],
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  if (source === undefined) throw new Error(`${entry} not found`);
  const moduleSymbol = checker.getSymbolAtLocation(source);
  if (moduleSymbol === undefined) throw new Error(`${entry} is not a module`);
  return checker
    .getExportsOfModule(moduleSymbol)
    .map((symbol) => {
      const target =
        symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      return `${symbol.name}: ${target.flags & ts.SymbolFlags.Value ? 'value' : 'type'}`;
    })
    .sort();
}

/** What the compiled entry exports at run time, for the `value` names above. */
async function valuesOf(entry: string): Promise<string[]> {
  const loaded = (await import(`${root}${entry}`)) as Record<string, unknown>;
  return Object.keys(loaded).sort();
}

const MAIN = [MAIN_LIST];

const TESTING = [TESTING_LIST];

describe.each([
  ['nestjs-nango', 'lib/index.ts', MAIN],
  ['nestjs-nango/testing', 'lib/testing/index.ts', TESTING],
])('the %s entry', (_name, entry, expected) => {
  it('exports exactly its listed names', () => {
    expect(exportsOf(entry)).toEqual(expected);
  }, 60_000);

  it('exports at run time exactly its listed values', async () => {
    const values = expected
      .filter((e) => e.endsWith(': value'))
      .map((e) => e.slice(0, -': value'.length));
    expect(await valuesOf(entry)).toEqual(values);
  }, 60_000);
});
