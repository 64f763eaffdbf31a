import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFile, resolveConfig } from '../../src/config/resolve.ts';
import { HarnessError } from '../../src/core/errors.ts';

const KEY = '8CC677D6FA2AC487C2FC7AD7232F87D8FCAFD5E9FC0AFBFF23B09D8713BE3463';

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof HarnessError) return error.problems.map((p) => `${p.path}: ${p.message}`);
    throw error;
  }
  throw new Error('expected a HarnessError');
}

describe('resolveConfig', () => {
  it('uses the built-in defaults without a config file', () => {
    const config = resolveConfig(null, {}, {}, '/work/x');
    // Every suite against its reference: the emulated clients and the reference servers.
    expect(config.selected.map((t) => t.name)).toEqual([
      'emulated-ios',
      'emulated-android',
      'swivel-reference',
      'swivel-cluster',
      'swivel-cluster-shared',
      'surepassid-reference',
      'profile-service-reference',
    ]);
    expect(config.outputDir).toBe('/work/x/reports');
    expect(config.obfuscationKey).toBeNull();
    expect(config.timeoutMs).toBe(10_000);
  });

  it('lets CLI flags win over the file and the file over the defaults', () => {
    const file = { file: '/p/harness.config.ts', config: { timeoutMs: 500, seed: 7, grep: ['A'], outputDir: 'out' } };
    const fromFile = resolveConfig(file, {}, {}, '/cwd');
    expect([fromFile.timeoutMs, fromFile.seed, fromFile.grep, fromFile.outputDir]).toEqual([500, 7, ['A'], '/p/out']);
    const flags = resolveConfig(file, { timeoutMs: 50, seed: 9, grep: ['B'], outputDir: 'o2' }, {}, '/cwd');
    expect([flags.timeoutMs, flags.seed, flags.grep, flags.outputDir]).toEqual([50, 9, ['B'], '/cwd/o2']);
  });

  it('turns a --target URL into an ad-hoc http target', () => {
    const config = resolveConfig(null, { target: ['http://127.0.0.1:9400'] }, {}, '/cwd');
    expect(config.selected).toEqual([
      expect.objectContaining({
        name: 'http://127.0.0.1:9400',
        driver: 'http',
        options: { url: 'http://127.0.0.1:9400' },
      }),
    ]);
  });

  it('takes the obfuscation key from the environment over the file', () => {
    const file = { file: '/p/harness.config.ts', config: { obfuscation: { key: '00'.repeat(32) } } };
    expect(resolveConfig(file, {}, { HARNESS_OBFUSCATION_KEY: KEY.toLowerCase() }, '/p').obfuscationKey).toBe(KEY);
    expect(resolveConfig(file, {}, {}, '/p').obfuscationKey).toBe('00'.repeat(32));
  });

  it('reports every problem at once, each with its path and the fix', () => {
    const file = {
      file: '/p/harness.config.ts',
      config: {
        targets: [
          { name: 'a', driver: 'emulated', colour: 'red' },
          { driver: 'http' },
          { name: 'b', driver: 'appium', resets: 'never' },
        ],
        timeoutMs: -1,
        reporter: ['console'],
      } as never,
    };
    const problems = problemsOf(() => resolveConfig(file, {}, {}, '/p'));
    expect(problems).toEqual(
      expect.arrayContaining([
        'targets[0]: unknown option "colour": remove it or check its spelling',
        'targets[1]: is missing "name": add it',
        expect.stringMatching(/^targets\[2\]\.resets: .*every-case.*fewest/),
        expect.stringMatching(/^timeoutMs: must be >= 1/),
        '(root): unknown option "reporter": did you mean "reporters"?',
      ]),
    );
  });

  it('rejects an unknown target, a duplicate name and a malformed key together', () => {
    const file = {
      file: '/p/harness.config.ts',
      config: {
        targets: [
          { name: 'a', driver: 'emulated' },
          { name: 'a', driver: 'http' },
        ],
        obfuscation: { key: 'abc' },
      },
    };
    const problems = problemsOf(() => resolveConfig(file, { target: ['nope'] }, {}, '/p'));
    expect(problems).toEqual([
      'targets[1].name: "a" is used twice: target names must be unique',
      '--target: unknown target "nope": use one of "a", an adapter URL like http://127.0.0.1:9400, or browser+<target> to deliver its links through a browser',
      'obfuscation.key: must be 64 hex characters (0-9, A-F: an AES-256 key), got 3 characters',
    ]);
  });
});

describe('resolveConfig: the fuzz section', () => {
  const targets = [
    { name: 'a', driver: 'emulated', options: { platform: 'ios' } },
    { name: 'b', driver: 'emulated', options: { platform: 'ios' } },
  ];

  it('defaults: 1 min in all, every property, one failure, the run targets, corpus in vectors/regressions beside the config', () => {
    const config = resolveConfig(null, {}, {}, '/w');
    expect(config.fuzz).toMatchObject({
      timeMs: 60_000,
      timePerPropertyMs: Number.POSITIVE_INFINITY,
      runs: Number.POSITIVE_INFINITY,
      properties: null,
      maxFailures: null,
      maxSteps: 4,
      corpus: path.resolve('/w/vectors/regressions'),
      against: null,
    });
    expect(config.fuzz.targets.map((t) => t.name)).toEqual([
      'emulated-ios',
      'emulated-android',
      'swivel-reference',
      'swivel-cluster',
      'swivel-cluster-shared',
      'surepassid-reference',
      'profile-service-reference',
    ]);
  });

  it('reads the file, and a flag budget replaces the file budget', () => {
    const file = {
      file: '/p/harness.config.ts',
      config: {
        targets,
        run: ['a'],
        fuzz: { time: '2m', properties: ['precedence'], targets: ['b'], against: 'a', corpus: 'kept' },
      },
    };
    const fromFile = resolveConfig(file, {}, {}, '/p');
    expect(fromFile.fuzz).toMatchObject({
      timeMs: 120_000,
      runs: Number.POSITIVE_INFINITY,
      properties: ['precedence'],
    });
    expect(fromFile.fuzz.targets.map((t) => t.name)).toEqual(['b']);
    expect(fromFile.fuzz.against?.name).toBe('a');
    expect(fromFile.fuzz.corpus).toBe(path.resolve('/p/kept'));
    const flags = resolveConfig(file, { fuzzRuns: 500, fuzzProperties: ['sequences'], against: 'b' }, {}, '/p');
    expect(flags.fuzz).toMatchObject({ timeMs: Number.POSITIVE_INFINITY, runs: 500, properties: ['sequences'] });
    expect(flags.fuzz.against?.name).toBe('b');
    const runsInFile = resolveConfig({ ...file, config: { targets, fuzz: { runs: 40 } } }, {}, {}, '/p');
    expect(runsInFile.fuzz).toMatchObject({ timeMs: Number.POSITIVE_INFINITY, runs: 40 });
    // The whole run's budget and each property's: either, or both (whichever is spent first).
    const both = resolveConfig(
      { ...file, config: { targets, fuzz: { time: '1m', timePerProperty: '10s' } } },
      {},
      {},
      '/p',
    );
    expect(both.fuzz).toMatchObject({ timeMs: 60_000, timePerPropertyMs: 10_000 });
    const perPropertyFlag = resolveConfig(file, { fuzzTimePerPropertyMs: 5_000 }, {}, '/p');
    expect(perPropertyFlag.fuzz).toMatchObject({ timeMs: Number.POSITIVE_INFINITY, timePerPropertyMs: 5_000 });
  });

  it('names every bad fuzz field with its path', () => {
    const file = {
      file: '/p/harness.config.ts',
      config: { targets, fuzz: { time: 'soon', maxFailures: 0, targets: ['zz'], speed: 3 } } as never,
    };
    const problems = problemsOf(() => resolveConfig(file, {}, {}, '/p'));
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^fuzz\.time: /),
        expect.stringMatching(/^fuzz\.maxFailures: must be >= 1/),
        'fuzz: unknown option "speed": remove it or check its spelling',
      ]),
    );
    const unknownTarget = problemsOf(() =>
      resolveConfig({ ...file, config: { targets, fuzz: { targets: ['zz'], against: 'yy' } } }, {}, {}, '/p'),
    );
    expect(unknownTarget).toEqual([
      'fuzz.targets[0]: unknown target "zz": use one of "a", "b"',
      'fuzz.against: unknown target "yy": use one of "a", "b" or an adapter URL',
    ]);
  });
});

describe('loadConfigFile', () => {
  it('loads a TypeScript config and reports a missing default export clearly', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'harness-config-'));
    writeFileSync(path.join(dir, 'harness.config.ts'), 'const n: number = 3;\nexport default { seed: n };\n');
    expect(await loadConfigFile(dir, undefined)).toEqual({
      file: path.join(dir, 'harness.config.ts'),
      config: { seed: 3 },
    });
    writeFileSync(path.join(dir, 'other.ts'), 'export const x = 1;\n');
    await expect(loadConfigFile(dir, 'other.ts')).rejects.toThrow(/must have a default export/);
    await expect(loadConfigFile(dir, 'missing.ts')).rejects.toThrow(/--config missing.ts: no such file/);
  });
});

describe('loadConfigFile in a CommonJS project', () => {
  it('loads harness.config.ts where package.json has no "type": "module"', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'harness-cjs-'));
    writeFileSync(path.join(dir, 'package.json'), '{ "name": "qa-project" }\n');
    writeFileSync(path.join(dir, 'harness.config.ts'), 'export default { seed: 5, workers: 2 };\n');
    expect((await loadConfigFile(dir, undefined))?.config).toEqual({ seed: 5, workers: 2 });
    writeFileSync(path.join(dir, 'named.ts'), 'export const seed = 5;\n');
    await expect(loadConfigFile(dir, 'named.ts')).rejects.toThrow(/must have a default export/);
  });
});

describe('the example harness.config.ts', () => {
  it('loads and resolves: every option it shows is real', async () => {
    const root = path.resolve(import.meta.dirname, '../..');
    const file = await loadConfigFile(root, undefined);
    expect(file?.file).toBe(path.join(root, 'harness.config.ts'));
    const config = resolveConfig(file, {}, {}, root);
    expect(config.selected.map((t) => t.name)).toEqual([
      'emulated-ios',
      'emulated-android',
      'swivel-reference',
      'swivel-cluster',
      'swivel-cluster-shared',
      'surepassid-reference',
      'profile-service-reference',
    ]);
    expect(config.targets.map((t) => t.driver).sort()).toEqual([
      'appium',
      'appium',
      'emulated',
      'emulated',
      'emulated',
      'http',
      'profile-service',
      'surepassid',
      'surepassid',
      'surepassid',
      'swivel',
      'swivel',
      'swivel',
      'swivel',
    ]);
    expect(config.browser.executablePath).toBe('/usr/bin/chromium');
    expect(resolveConfig(file, { target: ['browser+emulated-android'] }, {}, root).selected[0]).toMatchObject({
      name: 'browser+emulated-android',
      driver: 'browser',
      options: { target: { driver: 'emulated', options: { platform: 'android' } } },
    });
  });
});

describe('resolveConfig with the built-in checks (one pass)', () => {
  it('reports a config of wrong types without crashing, each field once', async () => {
    const { CONFIG_CHECKS } = await import('../../src/cli/builtins.ts');
    const file = {
      file: '/p/other.ts',
      config: {
        targets: [{ name: 'a', driver: 'emulated', options: 'ios' }, 7, { name: 'b', driver: 3 }],
        run: [3],
        vectors: 5,
        fuzz: { against: 7, targets: [1], time: 9 },
        reporters: [['console', { verbos: true }]],
        obfuscation: { key: 12 },
      } as never,
    };
    const problems = problemsOf(() => resolveConfig(file, {}, {}, '/p', CONFIG_CHECKS));
    expect(problems).toEqual(
      expect.arrayContaining([
        'targets[0].options: must be object, got "ios"',
        'targets[1]: must be object, got 7',
        'targets[2].driver: must be string, got 3',
        'run[0]: must be string, got 3',
        'vectors: must be string, got 5',
        'obfuscation.key: must be string, got 12',
        'reporters[0][1].verbos: unknown option "verbos" of the console reporter: did you mean "verbose"? its options are verbose, isTTY',
      ]),
    );
    // Nothing is reported twice (a wrong type is not also an unknown target or a missing platform).
    expect(new Set(problems).size).toBe(problems.length);
    expect(problems.some((p) => p.startsWith('targets[0].options.platform'))).toBe(false);
  });

  it('accepts the example harness.config.ts as it is', async () => {
    const { CONFIG_CHECKS } = await import('../../src/cli/builtins.ts');
    const root = path.resolve(import.meta.dirname, '../..');
    const file = await loadConfigFile(root, undefined);
    expect(() => resolveConfig(file, {}, {}, root, CONFIG_CHECKS)).not.toThrow();
    expect(() => resolveConfig(null, {}, {}, root, CONFIG_CHECKS)).not.toThrow();
  });
});
