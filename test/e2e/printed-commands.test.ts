/**
 * SLOW (a few minutes; end-to-end, for `npm run test:e2e`). Every command the harness prints runs as printed,
 * from the directory where it was printed: a run and a fuzz run with `--config sub/x.ts` against a seeded
 * defect, then their `replay:` lines executed through /bin/sh with `npx` as a user pastes them, expecting the
 * same verdict.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KEY, ROOT } from './helpers.ts';

/**
 * A project that has the harness installed (node_modules/.bin/harness, as `npm install` leaves it) and keeps
 * its config in a subfolder, away from the default `harness.config.ts`.
 */
function project(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'harness-printed-'));
  cpSync(path.join(ROOT, 'vectors'), path.join(dir, 'vectors'), { recursive: true });
  mkdirSync(path.join(dir, 'node_modules/.bin'), { recursive: true });
  symlinkSync(ROOT, path.join(dir, 'node_modules/provisioning-harness'));
  symlinkSync('../provisioning-harness/bin/harness.js', path.join(dir, 'node_modules/.bin/harness'));
  mkdirSync(path.join(dir, 'sub'));
  writeFileSync(
    path.join(dir, 'sub/x.ts'),
    `export default {
  profiles: '../vectors/openmobile/profiles.json',
  vectors: '../vectors/openmobile',
  outputDir: '../reports',
  obfuscation: { key: '${KEY}' },
  fuzz: { corpus: '../vectors/regressions' },
  targets: [
    { name: 'lab-android', driver: 'emulated', options: { platform: 'android', defects: ['username-limit-off-by-one'] } },
  ],
};
`,
  );
  return dir;
}

/** A command line through /bin/sh, as pasted into a terminal. */
function sh(line: string, cwd: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', line], {
      cwd,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

const replayLines = (out: string) => [...out.matchAll(/^\s*replay: (npx harness .*)$/gm)].map((m) => m[1] as string);

describe('printed commands run as printed', () => {
  it('the replay lines of a run with --config sub/x.ts give the same failure', { timeout: 600_000 }, async () => {
    const dir = project();
    const run = await sh('npx harness run --config sub/x.ts --grep OM-LEN-USERNAME --seed 5', dir);
    expect(run.code).toBe(1);
    const lines = replayLines(run.out);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toContain('--config sub/x.ts');
    const summary = JSON.parse(readFileSync(path.join(dir, 'reports/summary.json'), 'utf8')) as {
      failures: { id: string; replay: string }[];
    };
    expect(summary.failures.map((f) => f.replay).sort()).toEqual([...lines].sort());
    // Each printed line, pasted where it was printed: the same case fails again, alone.
    const line = lines[0] as string;
    const again = await sh(line, dir);
    expect(again.code, again.out).toBe(1);
    const id = /--grep (\S+)/.exec(line)?.[1] as string;
    const rerun = JSON.parse(readFileSync(path.join(dir, 'reports/summary.json'), 'utf8')) as {
      failures: { id: string }[];
    };
    expect(rerun.failures.map((f) => f.id)).toEqual([id]);
  });

  it(
    'the replay lines of a fuzz run with --config sub/x.ts replay the kept failure',
    { timeout: 600_000 },
    async () => {
      const dir = project();
      const fuzz = await sh('npx harness fuzz --config sub/x.ts --property sequences --runs 2000 --seed 7', dir);
      expect(fuzz.code, fuzz.out).toBe(1);
      const lines = replayLines(fuzz.out);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        /^npx harness replay vectors\/regressions\/\S+\.json --target lab-android --config sub\/x\.ts/,
      );
      const replayed = await sh(lines[0] as string, dir);
      expect(replayed.out).toMatch(/^STILL FAILING +om:reg-lab-android-/m);
      expect(replayed.code).toBe(1);
      // From the subfolder, the printed path and config are relative to it.
      const inSub = await sh(
        'npx harness fuzz --config x.ts --property sequences --runs 2000 --seed 7',
        path.join(dir, 'sub'),
      );
      const [fromSub] = replayLines(inSub.out);
      expect(fromSub).toMatch(
        /^npx harness replay \.\.\/vectors\/regressions\/\S+\.json --target lab-android --config x\.ts/,
      );
      const replayedInSub = await sh(fromSub as string, path.join(dir, 'sub'));
      expect(replayedInSub.out).toMatch(/^STILL FAILING +om:reg-lab-android-/m);
    },
  );
});
