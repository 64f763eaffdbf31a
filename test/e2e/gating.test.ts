/**
 * The gating loop a CI user goes through (docs/expectations.md), with the real CLI on an emulated client with
 * two seeded defects: the run fails -> `--update-expectations` writes the known deviations -> the run passes
 * with them shown as expected -> one defect is fixed -> the run fails on one unexpected pass -> its entry is
 * removed -> green; a stale entry is reported, and fails the run only under `--fail-on stale`. A small plan
 * (four cases, one failing per defect) keeps each run to seconds.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ExpectationEntry } from '../../src/core/expectations.ts';
import type { SummaryFile } from '../../src/reporters/summary.ts';
import { KEY, repoPaths, runCli, tempProject } from './helpers.ts';

const PLAN = [
  'om:ll-username-100@android-url',
  'om:ll-username-101@android-url', // fails with username-limit-off-by-one
  'om:ll-password-64@android-url',
  'om:ll-password-65@android-url', // fails with password-limit-off-by-one
].flatMap((id) => ['--grep', id]);

function config(defects: string[]): string {
  return (
    `export default {\n  ${repoPaths()}\n  obfuscation: { key: '${KEY}' },\n` +
    `  targets: [{ name: 'phone', driver: 'emulated', options: { platform: 'android', defects: ${JSON.stringify(defects)} } }],\n` +
    `  reporters: ['console', 'summary', 'junit'],\n};\n`
  );
}

const lastLine = (text: string) => text.trim().split('\n').at(-1);

describe('regression gating with an expectations file', { timeout: 180_000 }, () => {
  it('goes from red to green through --update-expectations, and red again when a deviation is fixed', async () => {
    const dir = tempProject(config(['username-limit-off-by-one', 'password-limit-off-by-one']));
    const file = path.join(dir, 'harness.expectations.json');
    const run = (...flags: string[]) => runCli(['run', ...PLAN, ...flags], dir);
    const summary = () => JSON.parse(readFileSync(path.join(dir, 'reports/summary.json'), 'utf8')) as SummaryFile;
    const entries = () => (JSON.parse(readFileSync(file, 'utf8')) as { expectations: ExpectationEntry[] }).expectations;
    const write = (list: ExpectationEntry[]) => writeFileSync(file, JSON.stringify({ expectations: list }, null, 2));

    // 1. Red: both defects fail.
    const red = await run();
    expect(red.code, red.stderr).toBe(1);
    expect(lastLine(red.stdout.split('\nReports:')[0] ?? '')).toBe('2 failed, 0 broken');

    // 2. The deviations are accepted: the file is written, the diff printed, exit 0.
    const update = await run('--update-expectations');
    expect(update.code, update.stderr).toBe(0);
    expect(update.stdout).toContain('Expectations: wrote harness.expectations.json: 2 added, 0 removed, 0 changed');
    expect(update.stdout).toContain('  + om:ll-password-65@android-url on phone: fail');
    expect(update.stdout).toContain('  + om:ll-username-101@android-url on phone: fail');
    expect(update.stdout).toContain('2 entries have no reason yet');
    expect(entries().map((e) => [e.case, e.target, e.verdict])).toEqual([
      ['om:ll-password-65@android-url', 'phone', 'fail'],
      ['om:ll-username-101@android-url', 'phone', 'fail'],
    ]);
    // The user says why (the placeholder asks them to).
    write(entries().map((e, i) => ({ ...e, reason: `vendor bug ${i + 1}`, link: `https://bugs.example/${i + 1}` })));

    // 3. Green, the deviations shown as expected in the console, summary.json and JUnit.
    const green = await run();
    expect(green.code, green.stdout).toBe(0);
    expect(green.stderr).not.toContain('FAIL om:');
    expect(green.stdout).toContain(
      'Expectations (harness.expectations.json; fail on: fail, broken, unexpected-pass): 2 expected',
    );
    expect(lastLine(green.stdout.split('\nReports:')[0] ?? '')).toBe(
      'passed: no unexpected failure; 2 known deviation(s) expected (harness.expectations.json)',
    );
    expect(summary().gate?.counts).toMatchObject({ expected: 2, fail: 0, 'unexpected-pass': 0 });
    expect(summary()).toMatchObject({ exitCode: 0, conformant: false });
    const junit = readFileSync(path.join(dir, 'reports/junit.xml'), 'utf8');
    expect(junit).toContain('known deviation: vendor bug 2 (https://bugs.example/2)');
    expect(junit).toMatch(/failures="0" errors="0" skipped="2"/);

    // 4. The vendor fixes the password defect: its entry is now an unexpected pass, and the run fails.
    writeFileSync(path.join(dir, 'harness.config.ts'), config(['username-limit-off-by-one']));
    const fixed = await run();
    expect(fixed.code, fixed.stdout).toBe(1);
    // Said as the case ends (with the failures, on stderr) and again in the summary (stdout).
    expect(fixed.stderr).toContain('UNEXPECTED PASS om:ll-password-65@android-url on phone');
    expect(fixed.stdout).toContain(
      'the deviation was fixed: remove the entry harness.expectations.json /expectations/0',
    );
    expect(lastLine(fixed.stdout.split('\nReports:')[0] ?? '')).toBe(
      '0 failed, 0 broken, 1 unexpected pass(es) (and 1 expected)',
    );
    expect(summary().gate?.failing).toEqual(['unexpected-pass']);

    // 5. The entry is removed, as the message says, and an entry for a case that no longer exists is left
    // behind: green, the stale entry reported; it fails the run only under --fail-on stale.
    write([
      ...entries().filter((e) => e.case !== 'om:ll-password-65@android-url'),
      { case: 'om:ll-username-1000@android-url', target: 'phone', verdict: 'fail', reason: 'an old case' },
    ]);
    const clean = await run();
    expect(clean.code, clean.stdout).toBe(0);
    expect(clean.stdout).toContain('1 expected, 0 unexpected pass(es), 0 changed, 1 stale');
    expect(clean.stdout).toContain(
      'stale entry harness.expectations.json /expectations/1 (om:ll-username-1000@android-url on phone)',
    );
    expect(summary().gate?.stale.map((s) => s.case)).toEqual(['om:ll-username-1000@android-url']);
    const strict = await run('--fail-on', 'fail,broken,unexpected-pass,stale');
    expect(strict.code, strict.stdout).toBe(1);
    expect(lastLine(strict.stdout.split('\nReports:')[0] ?? '')).toBe('0 failed, 0 broken, 1 stale (and 1 expected)');

    // 6. --update-expectations drops the stale entry and keeps the reason and link of the one that holds.
    const tidy = await run('--update-expectations');
    expect(tidy.code).toBe(0);
    expect(tidy.stdout).toContain('0 added, 1 removed, 0 changed');
    expect(entries()).toEqual([
      expect.objectContaining({
        case: 'om:ll-username-101@android-url',
        reason: 'vendor bug 2',
        link: 'https://bugs.example/2',
      }),
    ]);
  });

  it('refuses a bad expectations file or policy with exit 2, naming the place and the fix', async () => {
    const dir = tempProject(config(['username-limit-off-by-one']));
    writeFileSync(
      path.join(dir, 'harness.expectations.json'),
      JSON.stringify({ expectations: [{ case: 'om:ll-username-101@android-url', verdict: 'failed', reason: 'x' }] }),
    );
    const bad = await runCli(['run', ...PLAN], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('HARNESS_EXPECTATIONS_INVALID');
    expect(bad.stderr).toContain('harness.expectations.json /expectations/0/verdict: must be one of');
    expect(bad.stderr).toContain('change "failed" to "fail"');
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    const policy = await runCli(['run', ...PLAN, '--fail-on', 'unexpected'], dir);
    expect(policy.code).toBe(2);
    expect(policy.stderr).toContain('command line --fail-on: unknown status "unexpected"');
  });
});
