import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { tsFiles } from './fixtures/source-files.js';

/** Every export of lib/ (and every public method of an exported class) has a TSDoc comment. */

const root = fileURLToPath(new URL('..', import.meta.url));

function hasDoc(node: ts.Node, source: ts.SourceFile): boolean {
  const ranges = ts.getLeadingCommentRanges(source.text, node.getFullStart()) ?? [];
  return ranges.some((r) => source.text.slice(r.pos, r.pos + 3) === '/**');
}

function isExported(node: ts.Node): boolean {
  return (
    ts.canHaveModifiers(node) &&
    (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword)
  );
}

function isPublic(member: ts.ClassElement): boolean {
  const modifiers = ts.canHaveModifiers(member) ? (ts.getModifiers(member) ?? []) : [];
  return !modifiers.some(
    (m) => m.kind === ts.SyntaxKind.PrivateKeyword || m.kind === ts.SyntaxKind.ProtectedKeyword,
  );
}

/** Names of exported declarations (and public class methods) without a TSDoc comment. */
export function undocumented(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const missing: string[] = [];
  for (const statement of source.statements) {
    if (!isExported(statement)) continue;
    const name =
      (statement as { name?: ts.Node }).name?.getText(source) ??
      (ts.isVariableStatement(statement)
        ? statement.declarationList.declarations.map((d) => d.name.getText(source)).join(', ')
        : '?');
    if (!hasDoc(statement, source)) missing.push(name);
    if (ts.isClassDeclaration(statement)) {
      for (const member of statement.members) {
        if (!ts.isMethodDeclaration(member) || !isPublic(member)) continue;
        if (!hasDoc(member, source)) missing.push(`${name}.${member.name.getText(source)}`);
      }
    }
  }
  return missing;
}

describe('TSDoc', () => {
  const files = tsFiles(join(root, 'lib'));

  it.each(files.map((f) => [relative(root, f), f]))(
    'every export of %s is documented',
    (_name, file) => {
      expect(undocumented(file, readFileSync(file, 'utf8'))).toEqual([]);
    },
  );

  it('the check finds an undocumented export and method', () => {
    const text = [
      '/** ok */',
      'export const a = 1;',
      'export function b() {}',
      '/** ok */',
      'export class C {',
      '  /** ok */',
      '  d() {}',
      '  e() {}',
      '  private f() {}',
      '}',
    ].join('\n');
    expect(undocumented('x.ts', text)).toEqual(['b', 'C.e']);
  });
});
