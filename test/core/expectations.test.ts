/**
 * Expectations (known deviations) and the fail-on policy (src/core/expectations.ts, docs/expectations.md):
 * which entry decides a case, the status it gets, what fails the run, stale entries, the file's checks and
 * `--update-expectations`' merge.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkExpectationsDocument,
  Expectations,
  expectationsText,
  failOnProblems,
  Gate,
  loadExpectations,
  PLACEHOLDER_REASON,
  splitFailOn,
  updateExpectations,
  type ExpectationEntry,
} from '../../src/core/expectations.ts';
import { HarnessError, type Problem } from '../../src/core/errors.ts';
import type { CaseResult, Verdict } from '../../src/core/results.ts';
import { makeCase } from '../reporters/fixtures.ts';

const FILE = 'harness.expectations.json';

function result(id: string, verdict: Verdict, more: Partial<CaseResult> = {}): CaseResult {
  return makeCase({ id, verdict, target: 'phone', requirements: ['OM-LEN-USERNAME'], ...more });
}

function decide(entries: ExpectationEntry[], r: CaseResult) {
  return new Expectations(entries, FILE).decide(r);
}

describe('which entry decides a case', () => {
  it('matches a case id exactly, a glob of ids, or a requirement id (any case, without a colon)', () => {
    const r = result('om:ll-username-101@android-url', 'fail');
    expect(decide([{ case: 'om:ll-username-101@android-url', verdict: 'fail', reason: 'x' }], r)?.status).toBe(
      'expected',
    );
    expect(decide([{ case: 'om:ll-username-*', verdict: 'fail', reason: 'x' }], r)?.status).toBe('expected');
    expect(decide([{ case: 'om:ll-username-10?@android-url', verdict: 'fail', reason: 'x' }], r)?.status).toBe(
      'expected',
    );
    expect(decide([{ case: 'OM-LEN-USERNAME', verdict: 'fail', reason: 'x' }], r)?.status).toBe('expected');
    expect(decide([{ case: 'om-len-*', verdict: 'fail', reason: 'x' }], r)?.status).toBe('expected');
    // Not a prefix match: a case id is the whole id; a glob is anchored at both ends.
    expect(decide([{ case: 'om:ll-username-101', verdict: 'fail', reason: 'x' }], r)).toBeUndefined();
    expect(decide([{ case: 'll-username-*', verdict: 'fail', reason: 'x' }], r)).toBeUndefined();
    expect(decide([{ case: 'OM-LEN-PASSWORD', verdict: 'fail', reason: 'x' }], r)).toBeUndefined();
  });

  it('matches the target by name or glob, any target when absent', () => {
    const r = result('om:a@ios-url', 'fail', { target: 'lab-iphone-12' });
    const entry = (target?: string): ExpectationEntry => ({
      case: 'om:a@ios-url',
      verdict: 'fail',
      reason: 'x',
      ...(target === undefined ? {} : { target }),
    });
    expect(decide([entry()], r)?.status).toBe('expected');
    expect(decide([entry('lab-iphone-12')], r)?.status).toBe('expected');
    expect(decide([entry('lab-*')], r)?.status).toBe('expected');
    expect(decide([entry('lab-android-*')], r)).toBeUndefined();
    expect(decide([entry('lab-iphone')], r)).toBeUndefined();
  });

  it('prefers the entry naming the case over a glob or a requirement, and a named target over a pattern', () => {
    const r = result('om:a@ios-url', 'broken');
    const entries: ExpectationEntry[] = [
      { case: 'OM-LEN-USERNAME', verdict: 'fail', reason: 'requirement' },
      { case: 'om:a@*', verdict: 'fail', reason: 'glob' },
      { case: 'om:a@ios-url', target: '*', verdict: 'fail', reason: 'any target' },
      { case: 'om:a@ios-url', target: 'phone', verdict: 'broken', reason: 'this one' },
    ];
    expect(decide(entries, r)?.reason).toBe('this one');
    expect(decide(entries.slice(0, 3), r)?.reason).toBe('any target');
    expect(decide(entries.slice(0, 2), r)?.reason).toBe('glob');
  });
});

describe('the status of a case', () => {
  const exact: ExpectationEntry = { case: 'om:a@ios-url', verdict: 'fail', reason: 'vendor bug 12' };

  it('an allowed verdict is expected; a list of verdicts allows each (an intermittent deviation)', () => {
    expect(decide([exact], result('om:a@ios-url', 'fail'))?.status).toBe('expected');
    const flaky: ExpectationEntry = { case: 'om:a@ios-url', verdicts: ['fail', 'broken', 'pass'], reason: 'x' };
    expect(decide([flaky], result('om:a@ios-url', 'broken'))?.status).toBe('expected');
    // An allowed pass is nothing to report.
    expect(decide([flaky], result('om:a@ios-url', 'pass'))).toBeUndefined();
  });

  it('a pass of a case an entry names is an unexpected pass; a pass under a pattern is not', () => {
    expect(decide([exact], result('om:a@ios-url', 'pass'))?.status).toBe('unexpected-pass');
    expect(decide([exact], result('om:a@ios-url', 'informational'))?.status).toBe('unexpected-pass');
    expect(decide([{ ...exact, case: 'om:a@*' }], result('om:a@ios-url', 'pass'))).toBeUndefined();
    expect(decide([{ ...exact, case: 'OM-LEN-USERNAME' }], result('om:a@ios-url', 'pass'))).toBeUndefined();
  });

  it('another non-passing verdict than the entry allows is an unexpected verdict (it counts as itself)', () => {
    expect(decide([exact], result('om:a@ios-url', 'broken'))?.status).toBe('unexpected-verdict');
  });

  it('an expected failure with another category or message than recorded is changed', () => {
    const recorded = { ...exact, category: 'wrong-result-code', message: 'result 0, expected 23' };
    const same = result('om:a@ios-url', 'fail', { category: 'wrong-result-code', message: 'result 0, expected 23' });
    expect(decide([recorded], same)?.status).toBe('expected');
    const other = result('om:a@ios-url', 'fail', { category: 'precedence', message: 'result 0, expected 23' });
    expect(decide([recorded], other)?.status).toBe('changed');
    const worded = result('om:a@ios-url', 'fail', { category: 'wrong-result-code', message: 'result 4, expected 23' });
    expect(decide([recorded], worded)?.status).toBe('changed');
    // Nothing recorded: nothing to compare.
    expect(decide([exact], other)?.status).toBe('expected');
  });
});

describe('the gate', () => {
  const entries: ExpectationEntry[] = [
    { case: 'om:known@ios-url', verdict: 'fail', reason: 'x' },
    { case: 'om:fixed@ios-url', verdict: 'fail', reason: 'y' },
    { case: 'om:moved@ios-url', verdict: 'fail', reason: 'z', category: 'wrong-result-code' },
  ];
  function run(failOn?: Parameters<typeof failOnProblems>[0], more: CaseResult[] = []) {
    const gate = new Gate(new Expectations(entries, FILE), failOn as never);
    const results = [
      result('om:known@ios-url', 'fail'),
      result('om:fixed@ios-url', 'pass'),
      result('om:moved@ios-url', 'fail', { category: 'precedence' }),
      result('om:soft@ios-url', 'non-strict'),
      ...more,
    ];
    for (const r of results) gate.judge(r);
    return { summary: gate.finish([{ target: 'phone', cases: results }], ['phone']), results };
  }

  it('by default fails on an unexpected pass, not on an expected failure, a changed one or a non-strict case', () => {
    const { summary, results } = run();
    expect(summary.counts).toMatchObject({ expected: 1, 'unexpected-pass': 1, changed: 1, fail: 0, 'non-strict': 1 });
    expect(summary.failing).toEqual(['unexpected-pass']);
    expect(summary.passed).toBe(false);
    expect(results[0]?.expectation).toMatchObject({ status: 'expected', failsRun: false });
    expect(results[1]?.expectation).toMatchObject({
      status: 'unexpected-pass',
      failsRun: true,
      where: `${FILE} /expectations/1`,
    });
    expect(results[2]?.expectation).toMatchObject({ status: 'changed', failsRun: false });
    expect(results[3]?.expectation).toBeUndefined();
  });

  it('fails on what the policy names, and only that', () => {
    expect(run(['fail', 'broken']).summary).toMatchObject({ passed: true, failing: [] });
    expect(run(['changed', 'non-strict']).summary.failing).toEqual(['changed', 'non-strict']);
    expect(run(['fail'], [result('om:new@ios-url', 'fail')]).summary.failing).toEqual(['fail']);
    expect(run(['flaky']).summary.passed).toBe(true);
    // A case that passed on a retry (--retries) counts under flaky, failing the run only when named.
    const retried = () => result('om:retried@ios-url', 'pass', { flaky: true });
    const gate = new Gate(null, ['fail', 'flaky']);
    gate.judge(retried());
    expect(gate.finish([], []).failing).toEqual(['flaky']);
    const lenient = new Gate(null);
    lenient.judge(retried());
    expect(lenient.finish([], [])).toMatchObject({ passed: true, counts: { flaky: 1 } });
  });

  it('reports an entry whose case is in no plan, or whose target is not configured, as stale', () => {
    const expectations = new Expectations(
      [
        { case: 'om:gone@ios-url', verdict: 'fail', reason: 'x' },
        { case: 'om:a@ios-url', target: 'old-phone', verdict: 'fail', reason: 'x' },
        { case: 'om:b@ios-url', target: 'tablet', verdict: 'fail', reason: 'x' },
        { case: 'OM-NO-SUCH', verdict: 'fail', reason: 'x' },
        { case: 'om:a@ios-url', verdict: 'fail', reason: 'x' },
      ],
      FILE,
    );
    const gate = new Gate(expectations, ['stale']);
    // A filtered run: om:a ran; om:c is in the plan only (outside --grep): neither is stale.
    gate.judge(result('om:a@ios-url', 'fail'));
    const plan = [
      { id: 'om:a@ios-url', requirements: ['OM-LEN-USERNAME'] },
      { id: 'om:c@ios-url', requirements: [] },
    ];
    const summary = gate.finish([{ target: 'phone', cases: plan }], ['phone', 'tablet']);
    expect(summary.stale.map((s) => s.where)).toEqual([
      `${FILE} /expectations/0`,
      `${FILE} /expectations/1`,
      `${FILE} /expectations/3`,
    ]);
    expect(summary.stale[1]?.why).toContain('no configured target is "old-phone"');
    // The tablet's entry is not judged: the tablet was not in this run.
    expect(summary.counts.stale).toBe(3);
    expect(summary.failing).toEqual(['stale']);
  });
});

describe('the policy values', () => {
  it('splits comma-separated flags and names an unknown status with the nearest and the allowed ones', () => {
    expect(splitFailOn(['fail,broken', ' stale ', ''])).toEqual(['fail', 'broken', 'stale']);
    const problems = failOnProblems(['fail', 'unexpected-passes'], 'command line', () => '--fail-on');
    expect(problems).toHaveLength(1);
    expect(problems[0]?.path).toBe('--fail-on');
    expect(problems[0]?.message).toContain('did you mean "unexpected-pass"?');
    expect(problems[0]?.message).toContain('fail, broken, unexpected-pass, non-strict, changed, stale, flaky');
  });
});

describe('the file', () => {
  function problemsOf(document: unknown): Problem[] {
    const problems: Problem[] = [];
    checkExpectationsDocument(document, FILE, problems);
    return problems;
  }

  it('accepts a sound file', () => {
    expect(
      problemsOf({
        expectations: [
          { case: 'om:a@ios-url', target: 'phone', verdict: 'fail', reason: 'x', link: 'https://bugs.example/1' },
          { case: 'OM-LEN-*', verdicts: ['fail', 'pass'], reason: 'intermittent' },
        ],
      }),
    ).toEqual([]);
  });

  it('names the JSON pointer and the fix of every mistake at once', () => {
    const problems = problemsOf({
      expectations: [
        { case: 'om:a@ios-url', verdict: 'fial', reason: 'x' },
        { case: 'om:b@ios-url', verdict: 'fail' },
        { case: 'om:c@ios-url', reason: 'x' },
        { case: 'om:d@ios-url', verdict: 'fail', verdicts: ['fail'], reason: 'x' },
        { case: 'om:e@ios-url', verdict: 'fail', reason: 'x', reasn: 'y' },
        { case: 'om:f@ios-url', verdict: 'fail', reason: 'x', link: 'bug 12' },
      ],
    });
    const at = (pointer: string) => problems.filter((p) => p.path === pointer).map((p) => p.message);
    expect(at('/expectations/0/verdict')).toEqual([expect.stringContaining('change "fial" to "fail"')]);
    expect(at('/expectations/1')).toEqual([expect.stringContaining('missing "reason"')]);
    expect(at('/expectations/2')).toEqual([expect.stringContaining('missing "verdict"')]);
    expect(at('/expectations/3')).toEqual([expect.stringContaining('has both "verdict" and "verdicts"')]);
    expect(at('/expectations/4/reasn')).toEqual([expect.stringContaining('rename it to "reason"')]);
    expect(at('/expectations/5/link')).toEqual([expect.stringContaining('http(s) URL')]);
    expect(problems.every((p) => p.file === FILE)).toBe(true);
  });

  it('refuses an entry expecting only passes, and two entries for the same case and target', () => {
    const problems = problemsOf({
      expectations: [
        { case: 'om:a@ios-url', verdict: 'pass', reason: 'x' },
        { case: 'om:b@ios-url', verdict: 'fail', reason: 'x' },
        { case: 'om:b@ios-url', verdict: 'broken', reason: 'y' },
      ],
    });
    expect(problems.map((p) => p.path)).toEqual(['/expectations/0/verdict', '/expectations/2']);
  });

  it('loads a file, or throws every problem with the file named (exit 2)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'expectations-'));
    const good = path.join(dir, 'good.json');
    writeFileSync(good, expectationsText([{ case: 'om:a@ios-url', verdict: 'fail', reason: 'x' }]));
    expect((await loadExpectations(good, 'good.json')).entries).toHaveLength(1);
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, '{"expectations": [}');
    const error = await loadExpectations(bad, 'bad.json').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HarnessError);
    expect((error as HarnessError).code).toBe('HARNESS_EXPECTATIONS_INVALID');
    expect((error as HarnessError).format()).toMatch(/bad\.json.*line 1/s);
  });
});

describe('--update-expectations', () => {
  const current = new Expectations(
    [
      { case: 'om:kept@ios-url', target: 'phone', verdict: 'fail', reason: 'vendor bug 12', link: 'https://b/12' },
      { case: 'om:fixed@ios-url', target: 'phone', verdict: 'fail', reason: 'vendor bug 13' },
      { case: 'om:gone@ios-url', verdict: 'fail', reason: 'renamed' },
      { case: 'om:other@ios-url', target: 'tablet', verdict: 'fail', reason: 'another target' },
      { case: 'om:worse@ios-url', target: 'phone', verdict: 'fail', reason: 'vendor bug 14' },
    ],
    FILE,
  );
  const results = [
    result('om:kept@ios-url', 'fail', { category: 'precedence', message: 'result 20, expected 23' }),
    result('om:fixed@ios-url', 'pass'),
    result('om:new@ios-url', 'fail', { category: 'wrong-result-code', message: 'result 0, expected 23' }),
    result('om:worse@ios-url', 'broken', { message: 'the client crashed' }),
    result('om:soft@ios-url', 'non-strict'),
    result('om:fine@ios-url', 'pass'),
  ];
  const stale = [{ where: `${FILE} /expectations/2`, case: 'om:gone@ios-url', target: '*', why: 'gone' }];

  it('keeps reasons and links, adds the new failures with a placeholder, removes fixed and stale entries', () => {
    const { entries, diff } = updateExpectations(current, results, stale, ['fail', 'broken', 'unexpected-pass']);
    expect(entries).toEqual([
      {
        case: 'om:kept@ios-url',
        target: 'phone',
        verdict: 'fail',
        reason: 'vendor bug 12',
        link: 'https://b/12',
        category: 'precedence',
        message: 'result 20, expected 23',
      },
      {
        case: 'om:new@ios-url',
        target: 'phone',
        verdict: 'fail',
        category: 'wrong-result-code',
        message: 'result 0, expected 23',
        reason: PLACEHOLDER_REASON,
      },
      {
        case: 'om:worse@ios-url',
        target: 'phone',
        verdict: 'broken',
        reason: 'vendor bug 14',
        message: 'the client crashed',
      },
      // Another target's entry, which this run did not reach, is kept as it was.
      { case: 'om:other@ios-url', target: 'tablet', verdict: 'fail', reason: 'another target' },
    ]);
    expect(diff.added.map((e) => e.case)).toEqual(['om:new@ios-url']);
    expect(diff.removed.map((r) => [r.entry.case, r.why])).toEqual([
      ['om:fixed@ios-url', 'the case passed: the deviation was fixed'],
      ['om:gone@ios-url', 'stale: it matches no case'],
    ]);
    expect(diff.changed.map((c) => [c.entry.case, c.what])).toEqual([
      ['om:kept@ios-url', 'category (none) -> precedence, message refreshed'],
      ['om:worse@ios-url', 'verdict fail -> broken'],
    ]);
  });

  it('records non-strict cases only when the policy fails on them', () => {
    const { entries } = updateExpectations(null, results, [], ['fail', 'broken', 'non-strict']);
    expect(entries.map((e) => `${e.case} ${e.verdict}`)).toEqual([
      'om:kept@ios-url fail',
      'om:new@ios-url fail',
      'om:soft@ios-url non-strict',
      'om:worse@ios-url broken',
    ]);
  });

  it('writes the same text for the same entries in any order (clean diffs between builds)', () => {
    const { entries } = updateExpectations(null, results, [], ['fail', 'broken']);
    const again = updateExpectations(null, [...results].reverse(), [], ['fail', 'broken']).entries;
    expect(expectationsText(again)).toBe(expectationsText(entries));
    // Loading what was written and updating from the same run changes nothing.
    const reloaded = new Expectations(JSON.parse(expectationsText(entries)).expectations, FILE);
    const second = updateExpectations(reloaded, results, [], ['fail', 'broken']);
    expect(second.diff).toEqual({ added: [], removed: [], changed: [] });
  });
});
