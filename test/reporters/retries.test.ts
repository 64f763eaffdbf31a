/**
 * What each reporter makes of a case that ran more than once (`retries`) and of a run stopped by
 * `maxFailures`: a flaky case is its own status (console count and list, summary.json `flaky`, JUnit's
 * Surefire `flakyFailure`, Allure's retries and `statusDetails.flaky`), a case that failed on every attempt
 * stays a failure with each attempt shown, and the cases a `--bail` left are not run with the reason.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestResult } from 'allure-js-commons';
import { describe, expect, it } from 'vitest';
import type { CaseResult } from '../../src/core/results.ts';
import { AllureReporter } from '../../src/reporters/allure.ts';
import { ConsoleReporter } from '../../src/reporters/console.ts';
import { JunitReporter } from '../../src/reporters/junit.ts';
import { SummaryReporter, type SummaryFile } from '../../src/reporters/summary.ts';
import { MemoryStream, TARGETS, makeCase, runInfo, summaryOf, tempDir } from './fixtures.ts';
import { children, parseXml } from './xml.ts';

const T0 = 1_735_787_045_000;

/** Failed on its first attempt (a lost connection: broken on the second), passed on the third. */
function flakyCase(): CaseResult {
  return makeCase({
    id: 'om:flaky@ios-url',
    verdict: 'pass',
    message: 'passed',
    flaky: true,
    start: T0 + 2000,
    stop: T0 + 2500,
    attempts: [
      {
        verdict: 'fail',
        message: 'dialog success, expected failure',
        category: 'wrong-result-code',
        start: T0,
        stop: T0 + 500,
      },
      { verdict: 'broken', message: 'POST /v1/provision: socket hang up', start: T0 + 1000, stop: T0 + 1500 },
      { verdict: 'pass', message: 'passed', start: T0 + 2000, stop: T0 + 2500 },
    ],
  });
}

/** Failed on both its attempts: a failure, never flaky. */
function failingCase(): CaseResult {
  return makeCase({
    id: 'om:always@ios-url',
    verdict: 'fail',
    category: 'wrong-state',
    message: 'saved username changed',
    start: T0 + 1000,
    stop: T0 + 1500,
    attempts: [
      { verdict: 'fail', message: 'saved username changed', category: 'wrong-state', start: T0, stop: T0 + 500 },
      {
        verdict: 'fail',
        message: 'saved username changed',
        category: 'wrong-state',
        start: T0 + 1000,
        stop: T0 + 1500,
      },
    ],
  });
}

describe('console', () => {
  it('prints a flaky case as it ends and lists it at the end; a case failing on every attempt says so', () => {
    const stream = new MemoryStream(false);
    const reporter = new ConsoleReporter({ stream, env: {} });
    reporter.onBegin(runInfo('/out'), [{ ...TARGETS[0]!, notes: ['--retries 2 on a deterministic target: ...'] }]);
    expect(stream.text).toContain('  note: emulated-ios: --retries 2 on a deterministic target: ...');
    const cases = [flakyCase(), failingCase(), makeCase({ id: 'om:fine@ios-url' })];
    for (const c of cases) reporter.onCaseEnd(c);
    expect(stream.text).toContain(
      'FLAKY om:flaky@ios-url on emulated-ios\n    attempt 1 fail (dialog success, expected failure), attempt 2 broken (POST /v1/provision: socket hang up), attempt 3 pass\n',
    );
    expect(stream.text).toContain('FAIL om:always@ios-url');
    expect(stream.text).toContain('    attempts: attempt 1 fail, attempt 2 fail\n');
    reporter.onEnd(summaryOf(cases, { flaky: 1 }));
    expect(stream.text).toContain(
      '1 flaky case(s): failed or broke, then passed on a retry\n  om:flaky@ios-url on emulated-ios: attempt 1 fail',
    );
    expect(stream.text).toContain('1 failed, 0 broken, 1 flaky');
  });

  it('a green run with a flaky case says both', () => {
    const stream = new MemoryStream(false);
    const reporter = new ConsoleReporter({ stream, env: {} });
    reporter.onBegin(runInfo('/out'), [TARGETS[0]!]);
    reporter.onCaseEnd(flakyCase());
    reporter.onEnd(summaryOf([flakyCase()], { flaky: 1 }));
    expect(stream.text).toContain('conformant: no failed and no broken cases (1 flaky: passed on a retry)');
  });

  it('says why cases were not run when --bail stopped the run', () => {
    const stream = new MemoryStream(false);
    const reporter = new ConsoleReporter({ stream, env: {} });
    reporter.onBegin(runInfo('/out'), [TARGETS[0]!]);
    const failed = makeCase({ verdict: 'fail', message: 'wrong' });
    reporter.onCaseEnd(failed);
    const stopped = 'stopped after 1 failed or broken case (--bail)';
    reporter.onEnd(summaryOf([failed], { notRun: { 'emulated-ios': 2 }, stopped }));
    expect(stream.text).toContain(`2 case(s) not run on emulated-ios: ${stopped}`);
    expect(stream.text).toContain(`1 failed, 0 broken, 2 not run (${stopped}: not a verdict on the whole plan)`);
  });
});

describe('summary.json', () => {
  it('has the flaky cases with every attempt, the attempts of a failure, and why the run stopped', () => {
    const dir = tempDir();
    const reporter = new SummaryReporter();
    reporter.onBegin(runInfo(dir), TARGETS);
    const cases = [flakyCase(), failingCase()];
    for (const c of cases) reporter.onCaseEnd(c);
    const stopped = 'stopped after 1 failed or broken case (--bail)';
    reporter.onEnd(summaryOf(cases, { notRun: { 'emulated-ios': 3 }, stopped, exitCode: 1, flaky: 1 }));
    const file = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as SummaryFile;
    expect(file.status).toBe('stopped');
    expect(file.stopped).toBe(stopped);
    expect(file.conformant).toBe(false);
    expect(file.flaky.count).toBe(1);
    expect(file.flaky.cases[0]).toMatchObject({ id: 'om:flaky@ios-url', target: 'emulated-ios', verdict: 'pass' });
    expect(file.flaky.cases[0]?.attempts.map((a) => [a.verdict, a.category])).toEqual([
      ['fail', 'wrong-result-code'],
      ['broken', null],
      ['pass', null],
    ]);
    expect(file.failures.map((f) => f.id)).toEqual(['om:always@ios-url']);
    expect(file.failures[0]?.attempts).toHaveLength(2);
    // Counted under its last verdict.
    expect(file.counts.pass).toBe(1);
  });

  it('a run that was not stopped says null, and has no flaky cases', () => {
    const dir = tempDir();
    const reporter = new SummaryReporter();
    reporter.onBegin(runInfo(dir), TARGETS);
    const ok = makeCase();
    reporter.onCaseEnd(ok);
    reporter.onEnd(summaryOf([ok]));
    const file = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as SummaryFile;
    expect(file).toMatchObject({ status: 'complete', stopped: null, flaky: { count: 0, cases: [] } });
  });
});

describe('junit.xml', () => {
  it("writes a flaky case as passed with Surefire's flakyFailure and flakyError, a failing one with rerunFailure", () => {
    const dir = tempDir();
    const reporter = new JunitReporter();
    reporter.onBegin(runInfo(dir), TARGETS);
    const cases = [flakyCase(), failingCase()];
    for (const c of cases) reporter.onCaseEnd(c);
    reporter.onEnd(summaryOf(cases));
    const root = parseXml(readFileSync(join(dir, 'junit.xml'), 'utf8'));
    const [ios] = children(root, 'testsuite');
    expect(ios?.attributes).toMatchObject({ tests: '2', failures: '1', errors: '0' });
    const [flaky, failing] = children(ios!, 'testcase');
    expect(children(flaky!, 'failure')).toHaveLength(0);
    expect(children(flaky!, 'flakyFailure')[0]?.attributes).toEqual({
      message: 'attempt 1 of 3: fail: dialog success, expected failure',
      type: 'wrong-result-code',
    });
    expect(children(flaky!, 'flakyError')[0]?.attributes['message']).toBe(
      'attempt 2 of 3: broken: POST /v1/provision: socket hang up',
    );
    expect(children(flaky!, 'system-out')[0]?.text).toContain('flaky: failed or broke, then passed on a retry');
    const properties = children(children(flaky!, 'properties')[0]!, 'property').map((p) => [
      p.attributes['name'],
      p.attributes['value'],
    ]);
    expect(properties).toContainEqual(['flaky', 'true']);
    expect(properties).toContainEqual(['attempts', '3']);
    expect(children(failing!, 'failure')).toHaveLength(1);
    expect(children(failing!, 'rerunFailure')).toHaveLength(1);
    expect(children(failing!, 'system-out')[0]?.text).toContain('failed on every one of 2 attempts');
  });

  it('gives the cases --bail left not run the reason', () => {
    const dir = tempDir();
    const reporter = new JunitReporter();
    reporter.onBegin(runInfo(dir), TARGETS);
    reporter.onEnd(
      summaryOf([], { notRun: { 'emulated-ios': 4 }, stopped: 'stopped after 1 failed or broken case (--bail)' }),
    );
    const text = readFileSync(join(dir, 'junit.xml'), 'utf8');
    expect(text).toContain('4 case(s) not run: stopped after 1 failed or broken case (--bail)');
  });
});

describe('Allure', () => {
  it('writes each earlier attempt as a retry (the same historyId) and marks the case flaky', async () => {
    const dir = tempDir();
    const reporter = new AllureReporter();
    reporter.onBegin(runInfo(dir), TARGETS);
    reporter.onCaseEnd(flakyCase());
    await reporter.onEnd(summaryOf([flakyCase()]));
    const out = join(dir, 'allure-results');
    const results = readdirSync(out)
      .filter((name) => name.endsWith('-result.json'))
      .map((name) => JSON.parse(readFileSync(join(out, name), 'utf8')) as TestResult)
      .filter((r) => r.fullName === 'emulated-ios: om:flaky@ios-url')
      .sort((a, b) => (a.start ?? 0) - (b.start ?? 0));
    expect(results.map((r) => r.status)).toEqual(['failed', 'broken', 'passed']);
    expect(new Set(results.map((r) => r.historyId)).size).toBe(1);
    expect(new Set(results.map((r) => r.uuid)).size).toBe(3);
    expect(results[0]?.statusDetails.message).toBe('[wrong-result-code] dialog success, expected failure');
    expect((results[2]?.statusDetails as { flaky?: boolean }).flaky).toBe(true);
    expect((results[0]?.statusDetails as { flaky?: boolean }).flaky).toBeUndefined();
  });
});
