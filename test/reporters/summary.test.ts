import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SummaryReporter, type SummaryFile } from '../../src/reporters/summary.ts';
import { TARGETS, makeCase, runInfo, summaryOf, tempDir } from './fixtures.ts';

describe('SummaryReporter', () => {
  it('writes counts per verdict and target, failures, non-strict and informational cases', () => {
    const dir = tempDir();
    const reporter = new SummaryReporter();
    reporter.onBegin(runInfo(dir), TARGETS);
    const cases = [
      makeCase({ id: 'a@ios-url' }),
      makeCase({
        id: 'b@ios-url',
        verdict: 'fail',
        category: 'wrong-result-code',
        message: 'expected 23, got 0',
        expected: { result: [23] },
        observed: { result: 0 },
        requirements: ['OM-LEN-USERNAME'],
        choices: { 'OM-CHOICE-PLUS': 'literal' },
      }),
      makeCase({ id: 'c@android-url', target: 'emulated-android', verdict: 'non-strict' }),
      makeCase({
        id: 'd@android-intent',
        target: 'emulated-android',
        verdict: 'informational',
        choices: { 'OM-CHOICE-REPEATED': 'last' },
      }),
      makeCase({ id: 'e@android-intent', target: 'emulated-android', verdict: 'broken', message: 'adapter timed out' }),
      makeCase({ id: 'f@android-intent', target: 'emulated-android', verdict: 'not-applicable' }),
    ];
    for (const c of cases) reporter.onCaseEnd(c);
    reporter.onTargetError('emulated-android', 'connection refused');
    reporter.onEnd(summaryOf(cases, { durationMs: 999, interrupted: true }));

    const file = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as SummaryFile;
    expect(reporter.writtenFiles()).toEqual([join(dir, 'summary.json')]);
    expect(file.startedAt).toBe('2025-01-02T03:04:05.000Z');
    expect(file.durationMs).toBe(999);
    expect(file.seed).toBe(42);
    expect(file.command).toBe('harness run --seed 42');
    expect(file.interrupted).toBe(true);
    expect(file.total).toBe(6);
    expect(file.counts).toEqual({
      pass: 1,
      fail: 1,
      'non-strict': 1,
      informational: 1,
      'not-applicable': 1,
      broken: 1,
    });
    expect(file.targets['emulated-ios']?.counts).toEqual({
      pass: 1,
      fail: 1,
      'non-strict': 0,
      informational: 0,
      'not-applicable': 0,
      broken: 0,
    });
    expect(file.targets['emulated-ios']?.info?.platform).toBe('ios');
    expect(file.targets['emulated-ios']?.choices).toEqual({ 'OM-CHOICE-PLUS': 'literal' });
    expect(file.targets['emulated-android']?.choices).toEqual({ 'OM-CHOICE-REPEATED': 'last' });
    expect(file.targets['emulated-android']?.error).toBe('connection refused');
    expect(file.failures).toEqual([
      {
        id: 'b@ios-url',
        target: 'emulated-ios',
        verdict: 'fail',
        category: 'wrong-result-code',
        requirements: ['OM-LEN-USERNAME'],
        message: 'expected 23, got 0',
        expected: { result: [23] },
        observed: { result: 0 },
        choices: { 'OM-CHOICE-PLUS': 'literal' },
        replay: cases[1]?.replay,
      },
      expect.objectContaining({
        id: 'e@android-intent',
        verdict: 'broken',
        category: null,
        message: 'adapter timed out',
      }),
    ]);
    expect(file.nonStrict).toEqual(['c@android-url']);
    expect(file.informational).toEqual([
      { id: 'd@android-intent', target: 'emulated-android', choices: { 'OM-CHOICE-REPEATED': 'last' } },
    ]);
  });

  it('redacts what it writes', () => {
    const dir = tempDir();
    const reporter = new SummaryReporter({ redact: (s) => s.replaceAll('s3cret', '***') });
    reporter.onBegin(runInfo(dir, { command: 'harness run --password s3cret' }), TARGETS);
    const failed = makeCase({ verdict: 'fail', message: 'log shows s3cret', observed: { log: ['pw=s3cret'] } });
    reporter.onCaseEnd(failed);
    reporter.onEnd(summaryOf([failed]));
    const text = readFileSync(join(dir, 'summary.json'), 'utf8');
    expect(text).not.toContain('s3cret');
    expect(text).toContain('log shows ***');
  });
});
