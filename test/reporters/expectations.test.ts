/**
 * Every reporter shows what the expectations decided (docs/expectations.md), from the decision the runner
 * wrote on each result (src/core/expectations.ts) and the gate on the summary: none derives it again.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestResult } from 'allure-js-commons';
import { describe, expect, it } from 'vitest';
import { Expectations, Gate, type ExpectationEntry, type FailOn } from '../../src/core/expectations.ts';
import type { CaseResult } from '../../src/core/results.ts';
import { ALLURE_CATEGORIES, AllureReporter } from '../../src/reporters/allure.ts';
import { ConsoleReporter } from '../../src/reporters/console.ts';
import { JunitReporter } from '../../src/reporters/junit.ts';
import { SummaryReporter, type SummaryFile } from '../../src/reporters/summary.ts';
import { MemoryStream, TARGETS, makeCase, runInfo, summaryOf, tempDir } from './fixtures.ts';

const FILE = 'harness.expectations.json';
const ENTRIES: ExpectationEntry[] = [
  { case: 'om:known@ios-url', verdict: 'fail', reason: 'vendor bug 12', link: 'https://bugs.example/12' },
  { case: 'om:fixed@ios-url', verdict: 'fail', reason: 'vendor bug 13' },
];

/** The results of a run judged by the gate, as the runner hands them to the reporters, and its summary. */
function judged(failOn: FailOn[] = ['fail', 'broken', 'unexpected-pass']) {
  const gate = new Gate(new Expectations(ENTRIES, FILE), failOn);
  const cases: CaseResult[] = [
    makeCase({ id: 'om:known@ios-url', verdict: 'fail', category: 'wrong-result-code', message: 'result 0' }),
    makeCase({ id: 'om:fixed@ios-url', verdict: 'pass' }),
    makeCase({ id: 'om:fine@ios-url', verdict: 'pass' }),
  ];
  for (const c of cases) gate.judge(c);
  const summaryGate = gate.finish([{ target: 'emulated-ios', cases }], ['emulated-ios']);
  return { cases, summary: summaryOf(cases, { gate: summaryGate, exitCode: summaryGate.passed ? 0 : 1 }) };
}

function consoleOf(cases: CaseResult[], summary: ReturnType<typeof judged>['summary']): string {
  const stream = new MemoryStream(false);
  const reporter = new ConsoleReporter({ stream, env: {} });
  reporter.onBegin(runInfo('/out'), TARGETS);
  for (const c of cases) reporter.onCaseEnd(c);
  reporter.onEnd(summary);
  return stream.text;
}

describe('the reporters with expectations', () => {
  it('console: an expected failure has its own column and no FAIL block; an unexpected pass is named with its entry', () => {
    const { cases, summary } = judged();
    const text = consoleOf(cases, summary);
    expect(text).not.toContain('FAIL om:known@ios-url');
    expect(text).toContain('UNEXPECTED PASS om:fixed@ios-url on emulated-ios');
    expect(text).toContain(`the deviation was fixed: remove the entry ${FILE} /expectations/1`);
    const header = text.split('\n').find((l) => l.startsWith('target'));
    expect(header).toMatch(/expected\s+unexp\. pass\s+total$/);
    const row = text.split('\n').find((l) => l.startsWith('emulated-ios'));
    // pass 1, fail 0 (the expected failure is in its own column), expected 1, unexpected pass 1, total 3.
    expect(row?.split(/\s+/).slice(1)).toEqual(['1', '0', '0', '0', '0', '0', '1', '1', '3']);
    expect(text.trim().split('\n').at(-1)).toBe('0 failed, 0 broken, 1 unexpected pass(es) (and 1 expected)');
  });

  it('console: green with expected deviations says so, not "conformant"', () => {
    const { cases, summary } = judged(['fail', 'broken']);
    const last = consoleOf(cases, summary).trim().split('\n').at(-1);
    expect(last).toBe(`passed: no unexpected failure; 1 known deviation(s) expected (${FILE})`);
  });

  it('console: an expected case failing in a new way is shown as it ends and again in the summary', () => {
    const entries: ExpectationEntry[] = [
      {
        case: 'om:moved@ios-url',
        verdict: 'fail',
        reason: 'bug 14',
        category: 'wrong-result-code',
        message: 'result 0',
      },
    ];
    const gate = new Gate(new Expectations(entries, FILE));
    const cases = [makeCase({ id: 'om:moved@ios-url', verdict: 'fail', category: 'precedence', message: 'result 20' })];
    for (const c of cases) gate.judge(c);
    const summary = summaryOf(cases, { gate: gate.finish([], []), exitCode: 0 });
    const text = consoleOf(cases, summary);
    expect(text).toContain('CHANGED om:moved@ios-url on emulated-ios (an expected deviation failing in a new way)');
    expect(text).toContain('recorded: [wrong-result-code] result 0');
    expect(text).toContain(
      `  changed om:moved@ios-url on emulated-ios: now [precedence] result 20; recorded [wrong-result-code] result 0 (${FILE} /expectations/0)`,
    );
    // Not failing by default: the run passes, the deviation counted as expected (changed).
    expect(text.trim().split('\n').at(-1)).toBe(
      `passed: no unexpected failure; 1 known deviation(s) expected (${FILE})`,
    );
  });

  it('console: failures a policy leaves out are said on the last line, never hidden', () => {
    const gate = new Gate(null, ['broken']);
    const cases = [makeCase({ id: 'om:bad@ios-url', verdict: 'fail', message: 'result 0' })];
    for (const c of cases) gate.judge(c);
    const summary = summaryOf(cases, { gate: gate.finish([], []), exitCode: 0 });
    expect(consoleOf(cases, summary).trim().split('\n').at(-1)).toBe(
      'passed the policy: 1 failed, 0 broken, not failing the run (fail on: broken)',
    );
  });

  it('summary.json records the policy, the counts and every decided case', () => {
    const dir = tempDir();
    const { cases, summary } = judged();
    const reporter = new SummaryReporter();
    reporter.onBegin(runInfo(dir), TARGETS);
    for (const c of cases) reporter.onCaseEnd(c);
    reporter.onEnd(summary);
    const file = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as SummaryFile;
    expect(file.exitCode).toBe(1);
    expect(file.gate?.failOn).toEqual(['fail', 'broken', 'unexpected-pass']);
    expect(file.gate?.counts).toMatchObject({ expected: 1, 'unexpected-pass': 1, stale: 0 });
    expect(file.gate?.failing).toEqual(['unexpected-pass']);
    expect(file.gate?.cases.map((c) => [c.id, c.status, c.failsRun])).toEqual([
      ['om:known@ios-url', 'expected', false],
      ['om:fixed@ios-url', 'unexpected-pass', true],
    ]);
    expect(file.failures.map((f) => [f.id, f.expectation])).toEqual([['om:known@ios-url', 'expected']]);
  });

  it('JUnit: an expected failure is skipped with its reason; an unexpected pass is a failure', () => {
    const dir = tempDir();
    const { cases, summary } = judged();
    const reporter = new JunitReporter();
    reporter.onBegin(runInfo(dir), TARGETS);
    for (const c of cases) reporter.onCaseEnd(c);
    reporter.onEnd(summary);
    const xml = readFileSync(join(dir, 'junit.xml'), 'utf8');
    const known = xml.slice(xml.indexOf('name="om:known@ios-url"'));
    expect(known.slice(0, known.indexOf('</testcase>'))).toContain(
      '<skipped message="expected fail (known deviation: vendor bug 12 (https://bugs.example/12)): result 0"/>',
    );
    const fixed = xml.slice(xml.indexOf('name="om:fixed@ios-url"'));
    expect(fixed.slice(0, fixed.indexOf('</testcase>'))).toContain('type="unexpected-pass"');
    expect(xml).toMatch(/<testsuite name="emulated-ios" tests="3" failures="1" errors="0" skipped="1"/);
  });

  it('Allure: an expected failure is known, in "Known deviations"; an unexpected pass fails in its own category', async () => {
    const dir = tempDir();
    const { cases, summary } = judged();
    const reporter = new AllureReporter();
    reporter.onBegin(runInfo(dir), TARGETS);
    for (const c of cases) reporter.onCaseEnd(c);
    await reporter.onEnd(summary);
    const out = join(dir, 'allure-results');
    const results = readdirSync(out)
      .filter((n) => n.endsWith('-result.json'))
      .map(
        (n) => JSON.parse(readFileSync(join(out, n), 'utf8')) as TestResult & { statusDetails: { known?: boolean } },
      );
    const byId = new Map(results.map((r) => [r.fullName?.split(': ')[1], r]));
    const known = byId.get('om:known@ios-url');
    expect(known?.status).toBe('failed');
    expect(known?.statusDetails.known).toBe(true);
    const fixed = byId.get('om:fixed@ios-url');
    expect(fixed?.status).toBe('failed');
    // Allure matches a category's regex against the whole message: exactly one rule each.
    const rule = (message: string, status: string) =>
      ALLURE_CATEGORIES.filter(
        (c) =>
          new RegExp(`^(?:${String(c.messageRegex).replace(/^\(\?s\)/, '')})$`, 's').test(message) &&
          (c.matchedStatuses ?? []).map(String).includes(status),
      ).map((c) => c.name);
    expect(known?.statusDetails.message).toMatch(
      /^\[known-deviation\] \[wrong-result-code\] result 0 \(expected: vendor bug 12/,
    );
    expect(rule(known?.statusDetails.message ?? '', 'failed')).toEqual([
      'Known deviations (expected: harness.expectations.json)',
    ]);
    expect(rule(fixed?.statusDetails.message ?? '', 'failed')).toEqual([
      'Unexpected passes (fixed deviations: remove their entries)',
    ]);
  });
});
