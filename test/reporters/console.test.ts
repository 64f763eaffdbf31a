import { describe, expect, it } from 'vitest';
import { ConsoleReporter } from '../../src/reporters/console.ts';
import { MemoryStream, TARGETS, makeCase, runInfo, summaryOf } from './fixtures.ts';

// Escape sequences: ESC [ ... letter.
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/;

function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_000_000;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

describe('ConsoleReporter', () => {
  it('on a TTY rewrites one progress line at most 10 times a second', () => {
    const stream = new MemoryStream(true);
    const time = clock();
    const reporter = new ConsoleReporter({ stream, now: time.now, env: {} });
    reporter.onBegin(runInfo('/out'), [{ ...TARGETS[0]!, planned: 1203 }]);
    stream.text = '';
    for (let i = 0; i < 50; i++) {
      time.advance(10); // 50 cases over 500 ms
      reporter.onCaseEnd(makeCase());
    }
    const redraws = stream.text.split('\r\u001b[2K').filter(Boolean);
    expect(redraws).toHaveLength(5);
    expect(redraws.at(-1)).toBe('running 50/1,203 · pass 50 · fail 0 · broken 0 · n/a 0 · 100 cases/s');
    expect(stream.text).not.toContain('\n');
  });

  it('without a TTY prints plain progress lines at most every 5 s and no colours', () => {
    const stream = new MemoryStream(false);
    const time = clock();
    const reporter = new ConsoleReporter({ stream, now: time.now, env: {} });
    reporter.onBegin(runInfo('/out'), TARGETS);
    for (let i = 0; i < 12; i++) {
      time.advance(1000);
      reporter.onCaseEnd(makeCase({ verdict: i === 3 ? 'not-applicable' : i === 4 ? 'informational' : 'pass' }));
    }
    const progress = stream.text.split('\n').filter((l) => l.startsWith('running'));
    expect(progress).toEqual([
      'running 5/6 · pass 4 · fail 0 · broken 0 · n/a 1 · 1 cases/s',
      'running 10/6 · pass 9 · fail 0 · broken 0 · n/a 1 · 1 cases/s',
    ]);
    expect(stream.text).not.toMatch(ANSI);
  });

  it('prints fail and broken cases as they happen with the replay command', () => {
    const stream = new MemoryStream(false);
    const reporter = new ConsoleReporter({ stream, env: {} });
    reporter.onBegin(runInfo('/out'), TARGETS);
    const failed = makeCase({
      id: 'omit-keep@ios-url',
      verdict: 'fail',
      category: 'wrong-state',
      message: 'username erased by an omitted parameter',
    });
    stream.text = '';
    reporter.onCaseEnd(failed);
    expect(stream.text).toBe(
      `FAIL omit-keep@ios-url on emulated-ios [wrong-state]\n    username erased by an omitted parameter\n    replay: ${failed.replay}\n`,
    );
    stream.text = '';
    reporter.onCaseEnd(
      makeCase({ id: 'x@android-intent', target: 'emulated-android', verdict: 'broken', message: 'timeout' }),
    );
    expect(stream.text).toMatch(/^BROKEN x@android-intent on emulated-android/);
  });

  it('collapses a flood of identical broken cases from a lost target', () => {
    const stream = new MemoryStream(false);
    const reporter = new ConsoleReporter({ stream, env: {} });
    reporter.onBegin(runInfo('/out'), TARGETS);
    const cases = Array.from({ length: 10 }, () =>
      makeCase({ target: 'emulated-android', verdict: 'broken', message: 'adapter unreachable' }),
    );
    for (const c of cases) reporter.onCaseEnd(c);
    reporter.onEnd(summaryOf(cases));
    expect(stream.text.match(/^BROKEN /gm)).toHaveLength(3);
    expect(stream.text).toContain('(7 more broken cases on emulated-android with the same message; see summary.json)');
  });

  it('ends with a table per target and verdict, the choices, the rate and the report paths', () => {
    const stream = new MemoryStream(false);
    const reporter = new ConsoleReporter({
      stream,
      env: {},
      reportPaths: () => ['/out/summary.json', '/out/junit.xml'],
    });
    reporter.onBegin(runInfo('/out'), TARGETS);
    const cases = [
      makeCase(),
      makeCase({ verdict: 'fail' }),
      makeCase({ target: 'emulated-android', verdict: 'informational', choices: { 'OM-CHOICE-PLUS': 'space' } }),
      makeCase({ target: 'emulated-android', verdict: 'not-applicable' }),
    ];
    for (const c of cases) reporter.onCaseEnd(c);
    stream.text = '';
    reporter.onEnd(summaryOf(cases, { durationMs: 2000 }));
    const lines = stream.text.split('\n');
    const table = lines.slice(1, 7);
    expect(table).toEqual([
      'target            pass  fail  non-strict  informational  n/a  broken  total',
      '----------------  ----  ----  ----------  -------------  ---  ------  -----',
      'emulated-ios         1     1           0              0    0       0      2',
      'emulated-android     0     0           0              1    1       0      2',
      '----------------  ----  ----  ----------  -------------  ---  ------  -----',
      'total                1     1           0              1    1       0      4',
    ]);
    expect(stream.text).toContain(
      'Implementation-defined choices (choice point = option):\n  emulated-android\n    OM-CHOICE-PLUS = space\n',
    );
    expect(stream.text).toContain('4 cases in 2.00 s (2 cases/s)');
    expect(stream.text).toContain('1 failed, 0 broken');
    expect(stream.text).toContain('Reports:\n  /out/summary.json\n  /out/junit.xml\n');
  });

  it('uses colours on a TTY unless NO_COLOR is set', () => {
    const coloured = new MemoryStream(true);
    const plain = new MemoryStream(true);
    for (const [stream, env] of [
      [coloured, {}],
      [plain, { NO_COLOR: '1' }],
    ] as const) {
      const reporter = new ConsoleReporter({ stream, env });
      reporter.onBegin(runInfo('/out'), TARGETS);
      reporter.onCaseEnd(makeCase({ verdict: 'fail' }));
      reporter.onEnd(summaryOf([]));
    }
    expect(coloured.text).toMatch(/\u001b\[31m/);
    expect(plain.text).not.toMatch(/\u001b\[3\dm|\u001b\[1m/);
  });

  it('redacts everything it prints', () => {
    const stream = new MemoryStream(false);
    const reporter = new ConsoleReporter({
      stream,
      env: {},
      verbose: true,
      redact: (s) => s.replaceAll('hunter2', '***'),
    });
    reporter.onBegin(runInfo('/out'), TARGETS);
    const c = makeCase({
      verdict: 'fail',
      message: 'saw hunter2',
      observed: { password: 'hunter2' },
      replay: 'x --pw hunter2',
    });
    reporter.onCaseEnd(c);
    reporter.onTargetError('emulated-ios', 'hunter2 rejected');
    reporter.onEnd(summaryOf([c], { choices: { 'emulated-ios': { 'OM-CHOICE-PLUS': 'hunter2' } } }));
    expect(stream.text).toContain('saw ***');
    expect(stream.text).not.toContain('hunter2');
  });
});

describe('ConsoleReporter: a shard never reads as the whole plan', () => {
  it('says shard i/n in its header and in its verdict line', () => {
    const stream = new MemoryStream(false);
    const reporter = new ConsoleReporter({ stream, env: {} });
    const targets = TARGETS.map((t) => ({ ...t, order: ['a', 'b', 'c', 'd'], checks: 0 }));
    reporter.onBegin(runInfo('/out', { shard: { index: 2, total: 3 } }), targets);
    const passed = makeCase();
    reporter.onCaseEnd(passed);
    reporter.onEnd(summaryOf([passed]));
    expect(stream.text).toMatch(/· shard 2\/3: this run's part of the 8 of the whole plan \(`harness merge` joins/);
    expect(stream.text).toMatch(
      /conformant: no failed and no broken cases \(shard 2\/3 only: not a verdict on the whole plan until the shards are merged\)/,
    );
  });

  it('a merge lists the runs it joined and what is missing, and is not conformant then', () => {
    const stream = new MemoryStream(false);
    const reporter = new ConsoleReporter({ stream, env: {} });
    const merge = {
      runs: [{ dir: 'reports/shard-1', shard: { index: 1, total: 2 }, status: 'complete', durationMs: 10 }],
      missing: ['shard 2/2 of emulated-ios'],
    };
    reporter.onBegin(runInfo('/out', { merge }), TARGETS);
    const passed = makeCase();
    reporter.onCaseEnd(passed);
    reporter.onEnd(summaryOf([passed], { merge }));
    expect(stream.text).toMatch(/^Merging /);
    expect(stream.text).toContain('  reports/shard-1 (shard 1/2): complete\n  missing: shard 2/2 of emulated-ios\n');
    expect(stream.text).toMatch(/0 failed, 0 broken \(incomplete: 1 part\(s\) missing\)/);
  });
});
