/**
 * `npm run check` lints what git tracks: eslint skips every path .gitignore names (a scratch file, reports),
 * as prettier does, and still lints the sources.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../e2e/helpers.ts';

/** A file that each .gitignore pattern covers (a pattern without a leading slash matches at any depth). */
function examplesOf(pattern: string): string[] {
  const anchored = pattern.startsWith('/');
  const bare = pattern.replace(/^\//, '').replace(/\/$/, '');
  const name = bare.replace(/\*/g, 'x');
  const inside = pattern.endsWith('/') ? `${name}/notes.ts` : name;
  return anchored ? [inside] : [inside, `src/deep/${inside}`];
}

describe('eslint honours .gitignore', () => {
  const patterns = readFileSync(path.join(ROOT, '.gitignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#') && !l.startsWith('!'));

  it('ignores a file under every pattern of .gitignore', async () => {
    const eslint = new ESLint({ cwd: ROOT });
    const notIgnored: string[] = [];
    for (const pattern of patterns) {
      for (const file of examplesOf(pattern)) {
        if (!(await eslint.isPathIgnored(path.join(ROOT, file)))) notIgnored.push(`${pattern}: ${file}`);
      }
    }
    expect(patterns).toContain('scratch/');
    expect(notIgnored).toEqual([]);
  });

  it('still lints the sources and the tests', async () => {
    const eslint = new ESLint({ cwd: ROOT });
    for (const file of ['src/index.ts', 'suites/openmobile/index.ts', 'test/e2e/helpers.ts', 'src/deep/site/x.ts']) {
      expect(await eslint.isPathIgnored(path.join(ROOT, file)), file).toBe(false);
    }
  });
});
