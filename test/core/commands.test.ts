/** src/core/commands.ts: every printed command quotes its arguments for a POSIX shell and keeps the run's config. */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  explainCommand,
  harnessCommand,
  printedPath,
  replayFileCommand,
  runCaseCommand,
  shellQuote,
} from '../../src/core/commands.ts';
import { nearestIds } from '../../src/core/errors.ts';

/** What /bin/sh makes of a command line: its words, one per NUL-terminated record. */
function shellWords(line: string): string[] {
  const out = execFileSync('/bin/sh', ['-c', `printf '%s\\0' ${line}`], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

describe('shellQuote', () => {
  it('gives /bin/sh back every string exactly, as one word', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'binary', minLength: 0, maxLength: 12 }), { minLength: 1, maxLength: 4 }),
        (args) => {
          const clean = args.map((a) => a.replace(/\0/g, ''));
          expect(shellWords(clean.map(shellQuote).join(' '))).toEqual(clean);
        },
      ),
      { numRuns: 60, seed: 16 },
    );
  });

  it('leaves case ids, target names, URLs and paths unquoted', () => {
    for (const word of [
      'om:ex-complete-android@android-url',
      'browser+emulated-android',
      'http://127.0.0.1:9400',
      'sub/x.ts',
    ])
      expect(shellQuote(word)).toBe(word);
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote('')).toBe(`''`);
  });
});

describe('printed commands', () => {
  const cwd = '/work/project';
  const context = { cwd, config: path.join(cwd, 'sub/lab config.ts'), flags: ['--seed', '3'] };

  it('keep the config file (relative to where they are printed) and the flags that decide a verdict', () => {
    expect(runCaseCommand(context, 'lab', 'om:x@ios-url')).toBe(
      `npx harness run --target lab --grep om:x@ios-url --config 'sub/lab config.ts' --seed 3`,
    );
    expect(explainCommand({ cwd, config: null, flags: [] }, 'om:x@ios-url')).toBe('npx harness explain om:x@ios-url');
  });

  it('name a kept file by its path from the directory where they are printed, and the target that found it', () => {
    const line = replayFileCommand(
      { ...context, cwd: path.join(cwd, 'sub') },
      path.join(cwd, 'vectors/regressions/a.json'),
      'http://127.0.0.1:9400',
    );
    expect(line).toBe(
      "npx harness replay ../vectors/regressions/a.json --target http://127.0.0.1:9400 --config 'lab config.ts' --seed 3",
    );
    expect(shellWords(line)).toEqual([
      'npx',
      'harness',
      'replay',
      '../vectors/regressions/a.json',
      '--target',
      'http://127.0.0.1:9400',
      '--config',
      'lab config.ts',
      '--seed',
      '3',
    ]);
  });

  it('print a path far outside the directory absolute', () => {
    expect(printedPath({ cwd: '/a/b/c/d', config: null, flags: [] }, '/x/y.json')).toBe('/x/y.json');
    expect(printedPath({ cwd: '/a/b', config: null, flags: [] }, '/a/y.json')).toBe('../y.json');
    expect(harnessCommand({ cwd, config: null, flags: [] }, 'list')).toBe('npx harness list');
  });
});

describe('nearestIds (the suggestions of `harness explain <unknown id>`)', () => {
  const ids = [
    'om:ex-complete-android@android-url',
    'om:ex-complete-android@android-intent',
    'om:ex-complete-ios@ios-url',
    'om:len-username-128@android-url',
    'sw:code-once',
  ];

  it('puts a longer vector id on the same route first', () => {
    expect(nearestIds('OM-EX-COMPLETE@android-url', ids)[0]).toBe('om:ex-complete-android@android-url');
    expect(nearestIds('om-ex-complete-android@android-intnet', ids)[0]).toBe('om:ex-complete-android@android-intent');
  });

  it('finds a typo by edit distance and offers nothing far away', () => {
    expect(nearestIds('sw:code-onse', ids)).toEqual(['sw:code-once']);
    expect(nearestIds('XYZ', ids)).toEqual([]);
  });
});
