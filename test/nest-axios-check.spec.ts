import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { NangoUsageError } from '../lib/index.js';
import { isRequireOfEsmError, nestAxiosLoadError } from '../lib/transport/nest-axios.check.js';

/**
 * The error a CommonJS loader gets instead of its own when it cannot load an ES-module-only
 * `@nestjs/axios` (12.x). The jest side (a Nest 11 app whose jest loads @nestjs/axios 12) is
 * checked in the fixture by scripts/compat.sh; here the message and what is recognised.
 */

const root = fileURLToPath(new URL('..', import.meta.url));

/** What Node's own `require()` throws for an ES module when require(esm) is turned off. */
function nodeRequireOfEsm(): { code?: string; message: string } {
  const script =
    "try { require('@nestjs/axios'); console.log('{}') } catch (e) {" +
    ' console.log(JSON.stringify({ code: e.code, message: e.message })) }';
  return JSON.parse(
    execFileSync(process.execPath, ['--no-experimental-require-module', '-e', script], {
      cwd: root,
      encoding: 'utf8',
    }),
  );
}

/** jest's message, as jest-runtime 30 words it. */
const JEST_MESSAGE =
  'Must use import to load ES Module: /app/node_modules/@nestjs/axios/dist/index.js\n\n' +
  'The file contains ESM syntax (import/export) that could not be executed as CommonJS.';

describe('nestAxiosLoadError', () => {
  it("recognises Node's ERR_REQUIRE_ESM, from a real require() of @nestjs/axios 12", () => {
    const thrown = nodeRequireOfEsm();
    expect(thrown.code).toBe('ERR_REQUIRE_ESM');
    expect(isRequireOfEsmError(thrown)).toBe(true);
  });

  it("recognises jest's 'Must use import to load ES Module'", () => {
    expect(isRequireOfEsmError(new Error(JEST_MESSAGE))).toBe(true);
  });

  it.each([
    [
      'a missing package',
      Object.assign(new Error("Cannot find module '@nestjs/axios'"), { code: 'MODULE_NOT_FOUND' }),
    ],
    ['a syntax error', new SyntaxError('Unexpected token')],
    ['a string', 'Must use import'],
    ['null', null],
  ])('leaves %s alone (the original error is the better one)', (_what, error) => {
    expect(isRequireOfEsmError(error)).toBe(false);
    expect(nestAxiosLoadError(error)).toBeUndefined();
  });

  it('names the cause and the fix, and keeps the original as its cause', () => {
    const cause = new Error(JEST_MESSAGE);
    const error = nestAxiosLoadError(cause);
    expect(error).toBeInstanceOf(NangoUsageError);
    expect(error?.name).toBe('NangoUsageError');
    expect(error?.message).toContain('nestjs-nango cannot load @nestjs/axios');
    expect(error?.message).toContain('ES module only');
    expect(error?.message).toContain('npm install @nestjs/axios@^4');
    expect(error?.fix).toBe('npm install @nestjs/axios@^4');
    expect(error?.cause).toBe(cause);
  });
});
