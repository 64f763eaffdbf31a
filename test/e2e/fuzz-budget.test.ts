/**
 * `harness fuzz --time` is the whole run's budget, shared by every property on every target and printed as a
 * plan first; `--time-per-property` bounds each property instead.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT } from './helpers.ts';

/** Runs the CLI; `sincePlanMs` is the time from the printed plan (the budget starts there) to the exit. */
function fuzz(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; sincePlanMs: number }> {
  const out = mkdtempSync(path.join(os.tmpdir(), 'harness-fuzz-budget-'));
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        BIN,
        'fuzz',
        '--seed',
        '1',
        '--corpus',
        path.join(out, 'corpus'),
        '--output',
        path.join(out, 'reports'),
        ...args,
      ],
      { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    let planAt = 0;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (planAt === 0 && stderr.includes('fuzz plan:')) planAt = Date.now();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, sincePlanMs: Date.now() - planAt }));
  });
}

/** The time budget each property was given, from its "fuzzing ..." line. */
function budgets(stderr: string): number[] {
  return [...stderr.matchAll(/^fuzzing .*budget (\d+\.\d) s\)$/gm)].map((m) => Number(m[1]));
}

describe('harness fuzz: the time budget', () => {
  it('--time 3s is the whole run: printed as a plan, shared by the properties, over within seconds of 3 s', async () => {
    // harness.config.ts fuzzes emulated-ios and emulated-android: two properties each.
    const run = await fuzz(['--time', '3s']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(
      /^fuzz plan: 4 properties on 2 target\(s\), 3\.0 s in all, about 0\.8 s each \(time one leaves goes to the next\)$/m,
    );
    expect(run.stderr).toMatch(/^ {2}emulated-ios: sequences, precedence$/m);
    expect(run.stderr).toMatch(/^ {2}emulated-android: sequences, precedence$/m);
    const given = budgets(run.stderr);
    expect(given).toHaveLength(4);
    expect(given.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(3.1);
    // The whole budget is used, and not much more: a check under way when it ends finishes, the reports are
    // written. (Before, --time was per property and target: 4 x 3 s.)
    expect(run.sincePlanMs).toBeGreaterThanOrEqual(2_500);
    expect(run.sincePlanMs).toBeLessThan(3_000 + 4_000);
  });

  it('--time-per-property gives each property its own budget', async () => {
    const run = await fuzz(['--time-per-property', '1s', '--target', 'emulated-android']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/^fuzz plan: 2 properties on 1 target\(s\), 1\.0 s each, 2\.0 s in all$/m);
    expect(budgets(run.stderr)).toEqual([1, 1]);
  });

  it('rejects a bad duration naming the flag', async () => {
    const run = await fuzz(['--time-per-property', 'soon']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--time-per-property must be a duration like 30s, 2m or 500ms, got "soon"');
  });
});
