import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JunitReporter, xmlAttr, xmlText } from '../../src/reporters/junit.ts';
import { TARGETS, makeCase, runInfo, summaryOf, tempDir } from './fixtures.ts';
import { children, parseXml } from './xml.ts';

const HOSTILE = `<&"'>\u0000\u0001\u0008\u000b\u000c\u001f\ufffe\ud800 ]]> tab\there\nline\rcr ok`;

describe('xml escaping', () => {
  it('escapes markup and strips characters XML 1.0 forbids', () => {
    expect(xmlText('a<b&c>d')).toBe('a&lt;b&amp;c&gt;d');
    expect(xmlAttr(`"it's"\n`)).toBe('&quot;it&apos;s&quot;&#10;');
    expect(xmlText('x\u0000\u0007y\uffff')).toBe('xy');
    // A surrogate pair is a valid character (an emoji); a lone surrogate is not.
    expect(xmlText('\ud83d\ude00')).toBe('\ud83d\ude00');
    expect(xmlText('a\ud83db\ude00c')).toBe('abc');
  });

  it('the checker used below rejects malformed XML', () => {
    expect(() => parseXml('<a>&</a>')).toThrow(/entity/);
    expect(() => parseXml('<a b="<"/>')).toThrow(/attribute/);
    expect(() => parseXml('<a>\u0001</a>')).toThrow(/forbidden/);
    expect(() => parseXml('<a><b></a>')).toThrow(/mismatched/);
    expect(() => parseXml('<a b=c/>')).toThrow(/unquoted/);
    expect(parseXml('<a b="&#10;">x&amp;y</a>')).toEqual({
      name: 'a',
      attributes: { b: '\n' },
      children: [],
      text: 'x&y',
    });
  });
});

describe('JunitReporter', () => {
  it('gives each testsuite and the testsuites the wall time of the run, not the sum of parallel case times', () => {
    const dir = tempDir();
    const reporter = new JunitReporter();
    reporter.onBegin(runInfo(dir), TARGETS);
    // Eight cases of one second each, four at a time: 2 s of wall time on emulated-ios.
    const t0 = 1_735_787_045_000;
    const cases = Array.from({ length: 8 }, (_, i) =>
      makeCase({
        id: `c${i}@ios-url`,
        start: t0 + Math.floor(i / 4) * 1000,
        stop: t0 + Math.floor(i / 4) * 1000 + 1000,
      }),
    );
    const other = makeCase({ id: 'x@android-url', target: 'emulated-android', start: t0 + 500, stop: t0 + 750 });
    for (const c of [...cases, other]) reporter.onCaseEnd(c);
    reporter.onEnd(summaryOf([...cases, other], { durationMs: 2_300 }));
    const root = parseXml(readFileSync(join(dir, 'junit.xml'), 'utf8'));
    expect(root.attributes['time']).toBe('2.300');
    const [ios, android] = children(root, 'testsuite');
    expect(ios?.attributes['time']).toBe('2.000');
    expect(android?.attributes['time']).toBe('0.250');
    // Each testcase keeps its own time.
    expect(children(ios!, 'testcase')[0]?.attributes['time']).toBe('1.000');
  });

  it('writes one well-formed testsuite per target with counts, verdict elements and requirements', () => {
    const dir = tempDir();
    const reporter = new JunitReporter();
    reporter.onBegin(runInfo(dir), TARGETS);
    const cases = [
      makeCase({ id: 'pass@ios-url', area: 'routing', start: 1000, stop: 1250 }),
      makeCase({
        id: `hostile ${HOSTILE}@ios-url`,
        verdict: 'fail',
        category: 'wrong-result-code',
        message: `expected 23 ${HOSTILE}`,
        expected: { result: [23], note: HOSTILE },
        observed: { result: 0 },
        requirements: ['OM-LEN-USERNAME', `OM-${HOSTILE}`],
      }),
      makeCase({ id: 'broken@android-intent', target: 'emulated-android', verdict: 'broken', message: 'timeout <5s>' }),
      makeCase({
        id: 'na@android-intent',
        target: 'emulated-android',
        verdict: 'not-applicable',
        missing: ['concurrency'],
        message: 'needs two requests in flight',
      }),
      makeCase({
        id: 'info@android-url',
        target: 'emulated-android',
        verdict: 'informational',
        choices: { 'OM-CHOICE-PLUS': 'space' },
      }),
      makeCase({ id: 'lax@android-url', target: 'emulated-android', verdict: 'non-strict', requirements: [] }),
    ];
    for (const c of cases) reporter.onCaseEnd(c);
    reporter.onTargetError('emulated-android', 'adapter lost & gone');
    reporter.onEnd(summaryOf(cases));

    const path = join(dir, 'junit.xml');
    expect(reporter.writtenFiles()).toEqual([path]);
    // The part files are cleaned up.
    expect(readdirSync(dir)).toEqual(['junit.xml']);

    const root = parseXml(readFileSync(path, 'utf8'));
    expect(root.name).toBe('testsuites');
    expect(root.attributes).toMatchObject({ tests: '6', failures: '1', errors: '1', skipped: '1' });
    const suites = children(root, 'testsuite');
    expect(suites.map((s) => s.attributes['name'])).toEqual(['emulated-ios', 'emulated-android']);
    const [ios, android] = suites;
    expect(ios?.attributes).toMatchObject({ tests: '2', failures: '1', errors: '0', skipped: '0' });
    expect(android?.attributes).toMatchObject({ tests: '4', failures: '0', errors: '1', skipped: '1' });

    const iosCases = children(ios!, 'testcase');
    expect(iosCases[0]?.attributes).toEqual({
      name: 'pass@ios-url',
      classname: 'Open Mobile Provisioning API 3.2.routing',
      time: '0.250',
    });
    expect(children(iosCases[0]!, 'properties')[0]?.children.map((p) => p.attributes)).toEqual([
      { name: 'requirement', value: 'OM-ACT-ACTIVATE' },
      { name: 'requirement', value: 'OM-CODE-0-SUCCESS' },
    ]);

    // Hostile strings survive the round trip, minus the characters XML cannot carry at all.
    const stripped = `<&"'> ]]> tab\there\nline\rcr ok`;
    const hostile = iosCases[1]!;
    expect(hostile.attributes['name']).toBe(`hostile ${stripped}@ios-url`);
    const failure = children(hostile, 'failure')[0]!;
    // The attribute is the one-line summary; the text has the whole message.
    expect(failure.attributes['message']).toBe(`expected 23 <&"'> ]]> tab\there …`);
    expect(failure.text).toContain(`expected 23 ${stripped}`);
    expect(failure.attributes['type']).toBe('wrong-result-code');
    expect(failure.text).toContain(`replay: ${cases[1]?.replay}`);
    // The differing fields first, then both objects in full.
    expect(failure.text).toContain('differences (2):\n  result[0]: expected 23, observed (absent)');
    expect(failure.text).toContain('observed:\n{\n  "result": 0\n}');
    expect(failure.text.indexOf('differences')).toBeLessThan(failure.text.indexOf('expected:\n{'));
    expect(children(hostile, 'properties')[0]?.children[1]?.attributes['value']).toBe(`OM-${stripped}`);

    const androidCases = children(android!, 'testcase');
    expect(children(androidCases[0]!, 'error')[0]?.attributes).toEqual({
      message: 'timeout <5s>',
      type: 'broken-target',
    });
    expect(children(androidCases[1]!, 'skipped')[0]?.attributes['message']).toBe(
      'not applicable (missing capabilities: concurrency): needs two requests in flight',
    );
    expect(children(androidCases[2]!, 'system-out')[0]?.text).toContain('OM-CHOICE-PLUS=space');
    expect(children(androidCases[3]!, 'system-out')[0]?.text).toMatch(/^non-strict: /);
    expect(children(android!, 'system-err')[0]?.text).toBe('target error: adapter lost & gone');
  });

  it('redacts before escaping, so a secret with markup characters is still found', () => {
    const dir = tempDir();
    const secret = 'pa<ss&word';
    const reporter = new JunitReporter({ redact: (s) => s.replaceAll(secret, '***') });
    reporter.onBegin(runInfo(dir), TARGETS);
    const c = makeCase({ verdict: 'fail', message: `log contains ${secret}`, observed: { logs: [secret] } });
    reporter.onCaseEnd(c);
    reporter.onEnd(summaryOf([c]));
    const text = readFileSync(join(dir, 'junit.xml'), 'utf8');
    expect(text).not.toContain('pa&lt;ss&amp;word');
    expect(text).toContain('log contains ***');
    parseXml(text);
  });
});
