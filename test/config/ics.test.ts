/**
 * Where the conformance statement is (docs/ics.md): `--ics` relative to the working directory, the config's
 * `ics` relative to the config file's folder, none by default; a path that does not exist is refused with
 * exit 2, naming the flag or the field.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
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

describe('the ics file', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'harness-ics-config-'));
  const project = path.join(root, 'project');
  const cwd = path.join(root, 'cwd');
  mkdirSync(project);
  mkdirSync(cwd);
  writeFileSync(path.join(project, 'vendor.ics.json'), '{}');
  writeFileSync(path.join(cwd, 'other.ics.json'), '{}');
  const file = { file: path.join(project, 'harness.config.ts'), config: { ics: 'vendor.ics.json' } as HarnessConfig };

  it('is none by default, the config field beside the config file, the flag in the working directory', () => {
    expect(resolveConfig(null, {}, {}, cwd).ics).toBeNull();
    expect(resolveConfig(file, {}, {}, cwd).ics).toBe(path.join(project, 'vendor.ics.json'));
    expect(resolveConfig(file, { ics: 'other.ics.json' }, {}, cwd).ics).toBe(path.join(cwd, 'other.ics.json'));
  });

  it('must exist, named by the flag or the field', () => {
    expect(problemsOf(() => resolveConfig(null, { ics: 'missing.json' }, {}, cwd))).toEqual([
      'command line --ics: missing.json does not exist: fix the path, or write the statement a run observes with `npx harness ics --target <name>`',
    ]);
    const missing = { ...file, config: { ics: 'nowhere.json' } as HarnessConfig };
    expect(problemsOf(() => resolveConfig(missing, {}, {}, cwd))[0]).toMatch(
      /^\S*harness\.config\.ts ics: \S*nowhere\.json does not exist/,
    );
    expect(
      problemsOf(() => resolveConfig({ ...file, config: { ics: '' } as HarnessConfig }, {}, {}, cwd))[0],
    ).toContain('ics');
  });
});
