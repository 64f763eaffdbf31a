/**
 * The config side of gating (docs/expectations.md): where the expectations file is, and the fail-on policy
 * from `--fail-on` or the config's `failOn`, with a bad value named by its flag or field (exit 2).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve.ts';
import type { HarnessConfig } from '../../src/config/types.ts';
import { HarnessError } from '../../src/core/errors.ts';

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof HarnessError) return error.problems.map((p) => `${p.file} ${p.path}: ${p.message}`);
    throw error;
  }
  throw new Error('expected a HarnessError');
}

describe('the fail-on policy', () => {
  it('defaults to fail, broken and unexpected-pass; the flag (comma-separated, repeatable) wins over the file', () => {
    expect(resolveConfig(null, {}, {}, '/cwd').failOn).toEqual(['fail', 'broken', 'unexpected-pass']);
    const file = { file: '/p/harness.config.ts', config: { failOn: ['fail', 'stale'] } as HarnessConfig };
    expect(resolveConfig(file, {}, {}, '/cwd').failOn).toEqual(['fail', 'stale']);
    expect(resolveConfig(file, { failOn: ['fail,broken', 'non-strict'] }, {}, '/cwd').failOn).toEqual([
      'fail',
      'broken',
      'non-strict',
    ]);
  });

  it('names the flag or the field, the nearest status and the allowed ones', () => {
    expect(problemsOf(() => resolveConfig(null, { failOn: ['fail,unexpected_pass'] }, {}, '/cwd'))).toEqual([
      'command line --fail-on: unknown status "unexpected_pass": did you mean "unexpected-pass"? use fail, broken, unexpected-pass, non-strict, changed, stale, flaky (default: fail, broken, unexpected-pass)',
    ]);
    // A plain .js config (or one ignoring the type) can still give a bad value: it is checked when loaded.
    const file = { file: '/p/harness.config.ts', config: { failOn: ['fail', 'flakey'] } as HarnessConfig };
    expect(problemsOf(() => resolveConfig(file, {}, {}, '/p'))).toEqual([
      expect.stringMatching(/^harness\.config\.ts failOn\[1\]: unknown status "flakey": did you mean "flaky"\?/),
    ]);
  });
});

describe('the expectations file', () => {
  it('is harness.expectations.json beside the config when there is one, else none', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gating-config-'));
    const file = { file: path.join(dir, 'harness.config.ts'), config: {} };
    expect(resolveConfig(file, {}, {}, '/elsewhere').expectations).toBeNull();
    // --update-expectations writes it there.
    expect(resolveConfig(file, { updateExpectations: true }, {}, '/elsewhere').expectations).toBe(
      path.join(dir, 'harness.expectations.json'),
    );
    writeFileSync(path.join(dir, 'harness.expectations.json'), '{"expectations": []}');
    expect(resolveConfig(file, {}, {}, '/elsewhere').expectations).toBe(path.join(dir, 'harness.expectations.json'));
  });

  it('given in the config, is relative to its folder; given as a flag, to the working directory; missing, exit 2', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gating-config-'));
    writeFileSync(path.join(dir, 'known.json'), '{"expectations": []}');
    const file = { file: path.join(dir, 'harness.config.ts'), config: { expectations: 'known.json' } };
    expect(resolveConfig(file, {}, {}, '/elsewhere').expectations).toBe(path.join(dir, 'known.json'));
    expect(resolveConfig(file, { expectations: 'known.json' }, {}, dir).expectations).toBe(
      path.join(dir, 'known.json'),
    );
    expect(problemsOf(() => resolveConfig(file, { expectations: 'nope.json' }, {}, dir))).toEqual([
      'command line --expectations: nope.json does not exist: fix the path, or write the file from a run with `--update-expectations`',
    ]);
    const missing = { file: path.join(dir, 'harness.config.ts'), config: { expectations: 'gone.json' } };
    expect(problemsOf(() => resolveConfig(missing, {}, {}, dir))).toEqual([
      expect.stringMatching(/^harness\.config\.ts expectations: gone\.json does not exist/),
    ]);
    // Not for --update-expectations, which writes it.
    expect(resolveConfig(missing, { updateExpectations: true }, {}, dir).expectations).toBe(
      path.join(dir, 'gone.json'),
    );
  });
});
