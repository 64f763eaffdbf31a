/**
 * The file reporters' side of "no stale green report": what each writes at the start of a run, on an error
 * before the first case, and what an interrupted or cut-short run ends with. The CLI-level proof is
 * kill.test.ts; these pin each reporter's files.
 */
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AllureReporter } from '../../src/reporters/allure.ts';
import { ConsoleReporter } from '../../src/reporters/console.ts';
import { JsonlReporter } from '../../src/reporters/jsonl.ts';
import { JunitReporter } from '../../src/reporters/junit.ts';
import { SummaryReporter, type SummaryFile } from '../../src/reporters/summary.ts';
import { TARGETS, makeCase, runInfo, summaryOf, tempDir } from '../reporters/fixtures.ts';

function greenOutput(dir: string): void {
  mkdirSync(join(dir, 'allure-results'), { recursive: true });
  writeFileSync(join(dir, 'summary.json'), JSON.stringify({ conformant: true, exitCode: 0, counts: { fail: 0 } }));
  writeFileSync(join(dir, 'junit.xml'), '<testsuites tests="1" failures="0" errors="0"/>');
  writeFileSync(join(dir, 'results.jsonl'), '{"id":"old","verdict":"pass"}\n');
  writeFileSync(join(dir, 'allure-results', 'old-result.json'), '{"status":"passed"}');
}

describe('at the start of a run', () => {
  it('every file reporter replaces an earlier green report with one that is red until the run ends', () => {
    const dir = tempDir();
    greenOutput(dir);
    const run = runInfo(dir);
    for (const reporter of [new SummaryReporter(), new JunitReporter(), new JsonlReporter(), new AllureReporter()])
      reporter.onPrepare(run);
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as Record<string, unknown>;
    expect(summary).toMatchObject({ status: 'in-progress', conformant: false, exitCode: 1 });
    expect(summary['counts']).toBeUndefined();
    expect(readFileSync(join(dir, 'junit.xml'), 'utf8')).toMatch(/errors="1"[\s\S]*<testcase name="run-in-progress"/);
    expect(readFileSync(join(dir, 'results.jsonl'), 'utf8')).toBe('');
    expect(existsSync(join(dir, 'allure-results', 'old-result.json'))).toBe(false);
    const marker = JSON.parse(
      readFileSync(join(dir, 'allure-results', 'provisioning-harness-run-result.json'), 'utf8'),
    ) as { status: string };
    expect(marker.status).toBe('broken');
  });

  it('an error before the first case is said in summary.json (exit 2) and junit.xml', () => {
    const dir = tempDir();
    const summary = new SummaryReporter();
    const junit = new JunitReporter();
    summary.onPrepare(runInfo(dir));
    junit.onPrepare(runInfo(dir));
    summary.onRunError('HARNESS_TARGET_UNREACHABLE: cannot reach the adapter at http://127.0.0.1:9');
    junit.onRunError('HARNESS_TARGET_UNREACHABLE: cannot reach the adapter at http://127.0.0.1:9');
    expect(JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'))).toMatchObject({
      status: 'error',
      conformant: false,
      exitCode: 2,
      message: 'HARNESS_TARGET_UNREACHABLE: cannot reach the adapter at http://127.0.0.1:9',
    });
    expect(readFileSync(join(dir, 'junit.xml'), 'utf8')).toMatch(/<testcase name="run-error"[\s\S]*cannot reach/);
  });
});

describe('at the end of a run that left cases not run', () => {
  it('summary.json, junit.xml, Allure and the console count them and are not green', async () => {
    const dir = tempDir();
    const run = runInfo(dir);
    const targets = [{ ...TARGETS[0]!, concurrency: { sessions: 1, workers: 8, driverLimit: 1 } }];
    const summary = new SummaryReporter();
    const junit = new JunitReporter();
    const allure = new AllureReporter();
    const out: string[] = [];
    const console = new ConsoleReporter({ stream: { write: (t: string) => out.push(t) }, env: {} });
    const all = [summary, junit, allure, console];
    for (const r of [summary, junit, allure]) r.onPrepare(run);
    for (const r of all) r.onBegin(run, targets);
    const passed = makeCase({ id: 'a@ios-url' });
    for (const r of all) r.onCaseEnd(passed);
    for (const r of all) r.onTargetError('emulated-ios', 'emulated-ios stopped answering: no answer');
    const end = summaryOf([passed], { notRun: { 'emulated-ios': 1200 }, exitCode: 1 });
    for (const r of all) await r.onEnd(end);

    const file = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as SummaryFile;
    expect(file).toMatchObject({ status: 'complete', conformant: false, exitCode: 1, notRun: 1200 });
    expect(file.targets['emulated-ios']).toMatchObject({
      notRun: 1200,
      error: 'emulated-ios stopped answering: no answer',
      concurrency: { sessions: 1, workers: 8, driverLimit: 1 },
    });
    expect(readFileSync(join(dir, 'junit.xml'), 'utf8')).toMatch(
      /<testcase name="not-run"[\s\S]*<error message="1,200 case\(s\) not run: emulated-ios stopped answering: no answer"/,
    );
    expect(existsSync(join(dir, 'allure-results', 'provisioning-harness-run-result.json'))).toBe(false);
    const text = out.join('');
    expect(text).toContain('emulated-ios: 1 session at a time (its driver serves 1 at a time; workers is 8)');
    expect(text).toContain('1,200 case(s) not run on emulated-ios');
    expect(text).toContain('0 failed, 0 broken, 1,200 not run');
    expect(text).not.toContain('conformant');
  });

  it('an interrupted run is not conformant even when every case it ran passed', () => {
    const dir = tempDir();
    const summary = new SummaryReporter();
    summary.onBegin(runInfo(dir), TARGETS);
    summary.onCaseEnd(makeCase({ id: 'a@ios-url' }));
    summary.onEnd(summaryOf([makeCase({ id: 'a@ios-url' })], { interrupted: true, notRun: { 'emulated-ios': 5 } }));
    expect(JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'))).toMatchObject({
      status: 'interrupted',
      conformant: false,
      exitCode: 1,
    });
  });
});
