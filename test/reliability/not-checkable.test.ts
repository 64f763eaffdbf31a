/**
 * A requirement a case could not check (OM-LOG-NO-PASSWORD with a one-character password, which occurs in
 * any log) is said in the run's summaries, not only in the case's own message: summary.json counts and lists
 * it, and the console's closing summary has a line for it. It is never counted as a pass of the requirement.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SummaryFile } from '../../src/reporters/summary.ts';
import { KEY, repoPaths, runCli, tempProject } from '../e2e/helpers.ts';

describe('a requirement that could not be checked', () => {
  it('is counted and listed in summary.json and named in the console summary', async () => {
    const dir = tempProject(
      `export default { ${repoPaths()} obfuscation: { key: '${KEY}' },\n` +
        `  targets: [{ name: 'android', driver: 'emulated', options: { platform: 'android' } }] };\n`,
    );
    // A password of one character (not checkable: "a" is in every log) and one of many (checked and clean).
    const run = await runCli(
      ['run', '--grep', 'om:ll-password-1@android-url', '--grep', 'om:ex-complete-android@android-url'],
      dir,
    );
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(readFileSync(path.join(dir, 'reports/summary.json'), 'utf8')) as SummaryFile;
    expect(summary.notCheckable.count).toBe(1);
    expect(summary.notCheckable.byRequirement).toEqual({ 'OM-LOG-NO-PASSWORD': 1 });
    expect(summary.notCheckable.cases).toEqual([
      {
        id: 'om:ll-password-1@android-url',
        target: 'android',
        verdict: 'pass',
        requirement: 'OM-LOG-NO-PASSWORD',
        reason: expect.stringMatching(/too short or too common to tell a leak from ordinary log text/) as string,
      },
    ]);
    expect(summary.targets['android']?.notCheckable).toBe(1);
    expect(run.stdout).toContain(
      '1 case(s) on android: OM-LOG-NO-PASSWORD not checkable (not counted as passed; each case and why in summary.json "notCheckable")',
    );
  });

  it('a run where everything was checkable says nothing of it, and summary.json has a count of 0', async () => {
    const dir = tempProject(
      `export default { ${repoPaths()} obfuscation: { key: '${KEY}' },\n` +
        `  targets: [{ name: 'android', driver: 'emulated', options: { platform: 'android' } }] };\n`,
    );
    const run = await runCli(['run', '--grep', 'om:ex-complete-android@android-url'], dir);
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(readFileSync(path.join(dir, 'reports/summary.json'), 'utf8')) as SummaryFile;
    expect(summary.notCheckable).toEqual({ count: 0, byRequirement: {}, cases: [] });
    expect(run.stdout).not.toContain('not checkable');
  });
});
