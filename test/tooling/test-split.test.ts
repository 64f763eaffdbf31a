/**
 * `npm test` stays fast and `npm run test:e2e` gets the slow tests: every end-to-end and reliability test
 * file is in the E2E list (so `npm test` skips it), and no file is in both runs or in neither.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { E2E_SECONDS, E2E_TESTS } from '../../vitest.e2e.config.ts';
import { ROOT } from '../e2e/helpers.ts';

function testFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => path.posix.join(dir, f.split(path.sep).join('/')));
}

describe('the split between npm test and npm run test:e2e', () => {
  it('lists every file of test/e2e/ and test/reliability/ as end-to-end', () => {
    const missing = [...testFiles('test/e2e'), ...testFiles('test/reliability')].filter((f) => !E2E_TESTS.includes(f));
    expect(missing).toEqual([]);
  });

  it('names files, not patterns, each once', () => {
    expect(E2E_TESTS.filter((f) => /[*?{[]/.test(f))).toEqual([]);
    expect(new Set(E2E_TESTS).size).toBe(E2E_TESTS.length);
  });

  it('gives every end-to-end file its seconds, by which the run starts the longest first', () => {
    expect(Object.entries(E2E_SECONDS).filter(([, s]) => !(Number.isInteger(s) && s > 0))).toEqual([]);
  });
});
