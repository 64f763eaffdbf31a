/** src/core/commands.ts: every printed command quotes its arguments for a POSIX shell and keeps the run's config. */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  defaultCommandContext,
  explainCommand,
  harnessCommand,
  listCommand,
  printedPath,
  replayFileCommand,
  runCaseCommand,
  runTargetCommand,
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

describe('every printed command, pasted into a shell', () => {
  /** A word a user may have in a target name, a case id, a path or a flag: spaces, quotes, `$`, unicode. */
  const word = fc
    .array(
      fc.constantFrom(...'aZ09-_.@+=:,/', ' ', "'", '"', '$', '`', '\\', '!', '*', '?', '&', ';', '#', '~', 'é', '中'),
      {
        minLength: 1,
        maxLength: 10,
      },
    )
    .map((cs) => cs.join(''));
  const segment = word.map((w) => w.replace(/\//g, '_')).filter((w) => w !== '.' && w !== '..');

  it('gives the harness exactly the words it was built from, the config path read from where it was printed', () => {
    fc.assert(
      fc.property(
        word,
        word,
        fc.array(segment, { minLength: 1, maxLength: 3 }),
        fc.array(word, { maxLength: 2 }),
        (target, caseId, configParts, flags) => {
          const cwd = '/work/a b';
          const config = path.join(cwd, ...configParts, 'harness.config.ts');
          const context = { cwd, config, flags };
          const words = shellWords(runCaseCommand(context, target, caseId));
          expect(words.slice(0, 7)).toEqual(['npx', 'harness', 'run', '--target', target, '--grep', caseId]);
          expect(words[7]).toBe('--config');
          expect(path.resolve(cwd, words[8] ?? '')).toBe(config);
          expect(words.slice(9)).toEqual(flags);
          expect(shellWords(runTargetCommand(context, target)).slice(2, 5)).toEqual(['run', '--target', target]);
          expect(shellWords(listCommand(context, ['--grep', caseId])).slice(2, 5)).toEqual(['list', '--grep', caseId]);
        },
      ),
      { numRuns: 40, seed: 7 },
    );
  });

  it('names a file by a path that leads back to it from where the command was printed', () => {
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 4 }), fc.array(segment, { maxLength: 4 }), (from, to) => {
        const cwd = path.join('/', ...from);
        const file = path.join('/', ...to, 'kept.json');
        const printed = printedPath({ cwd, config: null, flags: [] }, file);
        expect(path.resolve(cwd, printed)).toBe(file);
      }),
      { numRuns: 200, seed: 7 },
    );
  });

  it('prints no --config when a bare command finds the same config, and the default context has no flags', () => {
    expect(runTargetCommand(defaultCommandContext('/x'), 'lab')).toBe('npx harness run --target lab');
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
