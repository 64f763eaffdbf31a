/**
 * `npm run mutation` (bench/mutation.ts, stryker/): the score arithmetic, the command line, the incremental
 * pruning, and one real Stryker run on a few lines of the Swivel reference, which must show the three
 * outcomes the measure rests on: a mutant the plan kills, seeded-defect code ignored, and the score.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  classify,
  MUTATION_SUITES,
  mutatedText,
  mutationLines,
  parseMutationArgs,
  pruneIncremental,
  readEquivalents,
  scoreOf,
  type EquivalentMutant,
} from '../../bench/mutation.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('scoreOf', () => {
  it('counts killed and timed-out mutants as detected, survivors and uncovered ones as not, and leaves out the rest', () => {
    const s = scoreOf(
      'swivel',
      [
        'Killed',
        'Killed',
        'Timeout',
        'Survived',
        'NoCoverage',
        'Ignored',
        'RuntimeError',
        'CompileError',
        'Equivalent',
      ],
      1,
    );
    expect(s).toMatchObject({
      killed: 2,
      timeout: 1,
      survived: 1,
      noCoverage: 1,
      equivalent: 1,
      ignored: 1,
      errors: 2,
      mutants: 9,
    });
    expect(s.score).toBeCloseTo(60, 10);
    // Stryker's own score counts the documented equivalent mutant as a survivor.
    expect(s.strykerScore).toBeCloseTo(50, 10);
  });

  it('is 100% when nothing is left to test', () => {
    expect(scoreOf('swivel', ['Ignored'], 0).score).toBe(100);
  });

  it('prints one line per suite and marks a suite below the goal', () => {
    const lines = mutationLines([scoreOf('swivel', ['Killed', 'Survived'], 12), scoreOf('surepassid', ['Killed'], 3)]);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      /score\s+stryker\s+killed\s+timeout\s+survived\s+no-cov\s+equiv\s+ignored\s+errors\s+time$/,
    );
    expect(lines[1]).toMatch(/^swivel\s+50\.00%\s+50\.00%.*12 s {2}\(goal >= 90%\)$/);
    expect(lines[2]).toMatch(/^surepassid\s+100\.00%/);
    expect(lines[2]).not.toContain('goal');
  });
});

describe('classify', () => {
  const source = ['if (end < 0) fail();', 'const x = end < 0;', 'let v = a + b;'].join('\n');
  const at = (line: number, from: number, to: number) => ({
    start: { line, column: from },
    end: { line, column: to },
  });
  const report = {
    files: {
      'drivers/emulated/swivel/xml.ts': {
        source,
        mutants: [
          { status: 'Survived', mutatorName: 'EqualityOperator', replacement: 'end <= 0', location: at(1, 5, 12) },
          { status: 'Survived', mutatorName: 'EqualityOperator', replacement: 'end <= 0', location: at(2, 11, 18) },
          { status: 'NoCoverage', mutatorName: 'ArithmeticOperator', replacement: 'a - b', location: at(3, 9, 14) },
          { status: 'Killed', mutatorName: 'ConditionalExpression', replacement: 'true', location: at(1, 5, 12) },
        ],
      },
    },
  };
  const entry = (over: Partial<EquivalentMutant>): EquivalentMutant => ({
    suite: 'swivel',
    file: 'drivers/emulated/swivel/xml.ts',
    code: 'end < 0',
    mutator: 'EqualityOperator',
    replacement: 'end <= 0',
    reason: 'equivalent: test',
    ...over,
  });

  it('reads the code a mutant replaces from the report', () => {
    expect(mutatedText(source, at(3, 9, 14))).toBe('a + b');
    expect(mutatedText('ab\ncd\nef', { start: { line: 1, column: 2 }, end: { line: 3, column: 2 } })).toBe('b\ncd\ne');
  });

  it('counts a documented survivor as equivalent, narrowed by the text of its line, and lists the others', () => {
    const { statuses, survivors, unused } = classify('swivel', report, [entry({ line: 'fail()' })]);
    expect(statuses).toEqual(['Equivalent', 'Survived', 'NoCoverage', 'Killed']);
    expect(survivors).toEqual([
      'drivers/emulated/swivel/xml.ts:2:11 Survived EqualityOperator: end < 0 => end <= 0',
      'drivers/emulated/swivel/xml.ts:3:9 NoCoverage ArithmeticOperator: a + b => a - b',
    ]);
    expect(unused).toEqual([]);
  });

  it('never matches another suite, another file or another replacement, and reports an entry that matches nothing', () => {
    const others = [
      entry({ suite: 'surepassid' }),
      entry({ file: 'drivers/emulated/swivel/server.ts' }),
      entry({ replacement: 'end > 0' }),
    ];
    const { statuses, unused } = classify('swivel', report, others);
    expect(statuses.filter((s) => s === 'Equivalent')).toEqual([]);
    expect(unused).toHaveLength(2);
  });

  it('the documented equivalent mutants each name a suite, a file that exists and a classified reason', () => {
    for (const e of readEquivalents()) {
      expect(MUTATION_SUITES).toContain(e.suite);
      expect(readFileSync(path.join(root, e.file), 'utf8').replace(/\s+/g, ' ')).toContain(
        e.line === undefined ? e.code.replace(/\s+/g, ' ') : e.line.replace(/\s+/g, ' '),
      );
      expect(e.reason).toMatch(/^(equivalent|permitted|untestable): \S/);
    }
  });
});

describe('parseMutationArgs', () => {
  it('runs every suite by default', () => {
    expect(parseMutationArgs([])).toEqual({
      suites: [...MUTATION_SUITES],
      force: false,
      commandRunner: false,
      report: false,
    });
  });

  it('takes suites and the two flags in any order', () => {
    expect(parseMutationArgs(['--force', 'swivel', '--command-runner', 'openmobile', '--report'])).toEqual({
      suites: ['swivel', 'openmobile'],
      force: true,
      commandRunner: true,
      report: true,
    });
  });

  it('names the unknown argument and the valid ones', () => {
    const message = parseMutationArgs(['swivle']);
    expect(message).toContain('"swivle"');
    expect(message).toContain('openmobile, openmobile-profiles, swivel, surepassid');
  });
});

describe('pruneIncremental', () => {
  it('keeps the killed and timed-out results only, so survivors are tested again against the current plan', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mutation-'));
    try {
      const file = path.join(dir, 'x.incremental.json');
      const mutant = (id: string, status: string) => ({ id, status, mutatorName: 'X', location: {} });
      writeFileSync(
        file,
        JSON.stringify({
          schemaVersion: '2',
          files: {
            'a.ts': {
              source: '',
              mutants: [
                mutant('1', 'Killed'),
                mutant('2', 'Survived'),
                mutant('3', 'Timeout'),
                mutant('4', 'NoCoverage'),
              ],
            },
          },
          testFiles: {},
        }),
      );
      expect(pruneIncremental(file)).toBe(2);
      const kept = (JSON.parse(readFileSync(file, 'utf8')) as { files: Record<string, { mutants: { id: string }[] }> })
        .files['a.ts']?.mutants;
      expect(kept?.map((m) => m.id)).toEqual(['1', '3']);
      expect(pruneIncremental(path.join(dir, 'absent.json'))).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** An ignorer of stryker/ignorers.mjs: a plain .mjs plugin without type declarations, imported by URL, typed here. */
async function ignorerPlugin(name: string) {
  const { strykerPlugins } = (await import(pathToFileURL(path.join(root, 'stryker/ignorers.mjs')).href)) as {
    strykerPlugins: {
      name: string;
      value?: { shouldIgnore(p: unknown): string | undefined };
      injectableClass?: new (options: unknown) => { shouldIgnore(p: unknown): unknown };
    }[];
  };
  const plugin = strykerPlugins.find((p) => p.name === name);
  if (plugin === undefined) throw new Error(`stryker/ignorers.mjs has no ignorer ${name}`);
  return plugin;
}

describe('the untestable ignorer', () => {
  it('ignores the arguments of a call and of a constructor named by argumentsOf, not the call itself', async () => {
    const plugin = await ignorerPlugin('untestable');
    const file = path.join(root, 'drivers/emulated/surepassid/server.ts');
    const ignorer = new plugin.injectableClass!({
      harness: { untestable: [{ file, argumentsOf: 'ApiError', reason: 'detail text' }] },
    });
    const at = (parent: unknown, listKey?: string) => ({
      node: { type: 'StringLiteral', value: 'x' },
      parent,
      listKey,
      hub: { file: { opts: { filename: file }, code: '' } },
    });
    const callee = { type: 'Identifier', name: 'ApiError' };
    expect(ignorer.shouldIgnore(at({ type: 'NewExpression', callee }, 'arguments'))).toBe('detail text');
    expect(ignorer.shouldIgnore(at({ type: 'CallExpression', callee }, 'arguments'))).toBe('detail text');
    expect(
      ignorer.shouldIgnore(at({ type: 'NewExpression', callee: { type: 'Identifier', name: 'Other' } }, 'arguments')),
    ).toBeUndefined();
    expect(ignorer.shouldIgnore(at({ type: 'ExpressionStatement' }))).toBeUndefined();
    // With `argument`, only that argument (counted from 0): the field of fail(field, message) stays mutated.
    const second = new plugin.injectableClass!({
      harness: { untestable: [{ file, argumentsOf: 'fail', argument: 1, reason: 'message text' }] },
    });
    const failCall = { type: 'CallExpression', callee: { type: 'Identifier', name: 'fail' } };
    expect(second.shouldIgnore({ ...at(failCall, 'arguments'), key: 1 })).toBe('message text');
    expect(second.shouldIgnore({ ...at(failCall, 'arguments'), key: 0 })).toBeUndefined();
  });
});

describe('the seeded-defects ignorer', () => {
  it('ignores a defect probe and a conformant variant probe with their reasons, and the branch each guards, not a negated probe', async () => {
    const ignorer = (await ignorerPlugin('seeded-defects')).value!;
    const probe = (receiver: string, id: string) => ({
      type: 'CallExpression',
      callee: {
        type: 'MemberExpression',
        computed: false,
        object: {
          type: 'MemberExpression',
          computed: false,
          object: { type: 'ThisExpression' },
          property: { name: receiver },
        },
        property: { name: 'has' },
      },
      arguments: [{ type: 'StringLiteral', value: id }],
    });
    const defect = probe('defects', 'code-reusable');
    const variant = probe('variants', 'verbose-answers');
    expect(ignorer.shouldIgnore({ node: defect, parent: null })).toContain('seeded defect');
    expect(ignorer.shouldIgnore({ node: variant, parent: null })).toContain('conformant variant');
    const branch = { type: 'BlockStatement', body: [] };
    expect(
      ignorer.shouldIgnore({ node: branch, parent: { type: 'IfStatement', test: variant }, key: 'consequent' }),
    ).toContain('conformant variant');
    expect(
      ignorer.shouldIgnore({ node: branch, parent: { type: 'IfStatement', test: variant }, key: 'alternate' }),
    ).toBeUndefined();
    const negated = { type: 'UnaryExpression', operator: '!', argument: variant };
    expect(ignorer.shouldIgnore({ node: negated, parent: null })).toBeUndefined();
    expect(
      ignorer.shouldIgnore({ node: branch, parent: { type: 'IfStatement', test: negated }, key: 'consequent' }),
    ).toBeUndefined();
    const other = probe('users', 'alice');
    expect(ignorer.shouldIgnore({ node: other, parent: null })).toBeUndefined();
  });
});

describe('the choice-picks ignorer', () => {
  it("ignores a comparison of a client's pick, a chain holding one and its default picks, not the chosen branch", async () => {
    const ignorer = (await ignorerPlugin('choice-picks')).value!;
    const member = (object: unknown, name: string) => ({
      type: 'MemberExpression',
      computed: false,
      object,
      property: { name },
    });
    const literal = (value: string) => ({ type: 'StringLiteral', value });
    const pick = {
      type: 'BinaryExpression',
      operator: '===',
      left: member({ type: 'Identifier', name: 'rules' }, 'repeated'),
      right: literal('first'),
    };
    const own = {
      type: 'BinaryExpression',
      operator: '===',
      left: member(member({ type: 'ThisExpression' }, 'picks'), 'flagValue'),
      right: literal('N'),
    };
    const other = {
      type: 'BinaryExpression',
      operator: '===',
      left: member({ type: 'Identifier', name: 'request' }, 'pid'),
      right: literal('1'),
    };
    const chain = { type: 'LogicalExpression', operator: '&&', left: pick, right: { type: 'CallExpression' } };
    const at = (node: unknown, parents: unknown[] = []) => ({
      node,
      findParent: (test: (p: { node: unknown }) => boolean) => parents.map((n) => ({ node: n })).find(test) ?? null,
    });
    expect(ignorer.shouldIgnore(at(pick))).toContain('choice point');
    expect(ignorer.shouldIgnore(at(own))).toContain('choice point');
    expect(ignorer.shouldIgnore(at(chain))).toContain('choice point');
    expect(ignorer.shouldIgnore(at(other))).toBeUndefined();
    expect(ignorer.shouldIgnore(at({ type: 'BlockStatement', body: [] }))).toBeUndefined();
    const defaults = { type: 'ClassProperty', key: { name: 'defaultPicks' } };
    expect(ignorer.shouldIgnore(at(literal('reject'), [{ type: 'ObjectExpression' }, defaults]))).toContain(
      'choice point',
    );
    const routes = { type: 'ClassProperty', key: { name: 'methods' } };
    expect(ignorer.shouldIgnore(at(literal('url'), [routes]))).toBeUndefined();
  });
});

/**
 * A real Stryker run of a suite's config (stryker/<suite>.config.json) through the harness test runner, with
 * the plan narrowed to `args` (after `run`) and the mutants to `mutate`; its results.
 */
async function strykerRun(suite: string, args: string[], mutate: string[]) {
  const config = JSON.parse(readFileSync(path.join(root, `stryker/${suite}.config.json`), 'utf8')) as Record<
    string,
    unknown
  >;
  const { Stryker } = await import('@stryker-mutator/core');
  const cwd = process.cwd();
  process.chdir(root);
  try {
    const options: Record<string, unknown> = {
      ...config,
      configFile: undefined,
      harness: {
        ...(config['harness'] as object),
        args: ['run', ...args, '--reporter', 'summary', '--output', 'reports/mutation-run'],
      },
      mutate,
      incremental: false,
      reporters: [],
      tempDirName: '.stryker-tmp-test',
      logLevel: 'off',
      fileLogLevel: 'off',
    };
    return await new Stryker(options as ConstructorParameters<typeof Stryker>[0]).runMutationTest();
  } finally {
    process.chdir(cwd);
  }
}

describe('a Stryker run through the harness test runner', () => {
  it('kills a mutant of the malformed-XML answer and ignores the seeded defect beside it', async () => {
    const file = 'drivers/emulated/swivel/server.ts';
    const lines = readFileSync(path.join(root, file), 'utf8').split('\n');
    const first = lines.findIndex((l) => l.includes("this.defects.has('malformed-xml-500')")) + 1;
    const last = lines.findIndex((l) => l.includes("error: 'AGENT_ERROR_MALFORMED_XML'")) + 1;
    const xmlFile = 'drivers/emulated/swivel/xml.ts';
    const xmlLines = readFileSync(path.join(root, xmlFile), 'utf8').split('\n');
    const comment = xmlLines.findIndex((l) => l.includes("fail('a comment is not closed')")) + 1;
    expect(comment).toBeGreaterThan(0);
    expect(first).toBeGreaterThan(0);
    expect(last).toBeGreaterThan(first);
    const results = await strykerRun(
      'swivel',
      ['--target', 'swivel-reference', '--grep', 'SW-ERR-MALFORMED'],
      [`${file}:${first}:1-${last}:200`, `${xmlFile}:${comment}:1-${comment}:200`],
    );
    const statusOf = (text: string) =>
      results
        .filter((r) => r.replacement !== undefined && lines[r.location.start.line - 1]?.includes(text))
        .map((r) => r.status);
    // Seeded-defect code: ignored, with the reason.
    const guard = statusOf("this.defects.has('malformed-xml-500')");
    expect(guard.length).toBeGreaterThan(0);
    expect(guard.every((s) => s === 'Ignored')).toBe(true);
    expect(results.find((r) => r.status === 'Ignored')?.statusReason).toContain('seeded defect');
    // Untestable by the config's rule: the parser's diagnostic text, ignored with the config's reason.
    const diagnostic = results.filter(
      (r) => r.fileName.endsWith('xml.ts') && r.mutatorName === 'StringLiteral' && r.replacement === '""',
    );
    expect(diagnostic.map((r) => r.status)).toEqual(['Ignored']);
    expect(diagnostic[0]?.statusReason).toContain('diagnostic text');
    // The unclosed comment (vector SW-MUT-MALFORMED-COMMENT-*): dropping the check is killed.
    expect(
      results
        .filter((r) => r.fileName.endsWith('xml.ts') && r.mutatorName === 'ConditionalExpression')
        .map((r) => r.status),
    ).toContain('Killed');
    // The error name the plan checks: the mutant that empties it is killed.
    expect(statusOf("error: 'AGENT_ERROR_MALFORMED_XML'")).toContain('Killed');
  }, 180_000);

  it('starts every mutant cold: a cipher kept by an earlier run does not hide a mutant of the code that makes it', async () => {
    // keyFor keeps one decipher per key in a memo table (drivers/emulated/memo.ts). Filled by the dry run, the
    // table would answer every later run without the mutated line: the runner clears it before each run.
    const file = 'drivers/emulated/client/obfuscation.ts';
    const lines = readFileSync(path.join(root, file), 'utf8').split('\n');
    const line = lines.findIndex((l) => l.includes("createDecipheriv('aes-256-ecb'")) + 1;
    expect(line).toBeGreaterThan(0);
    const results = await strykerRun(
      'openmobile',
      ['--target', 'emulated-android', '--grep', 'OM-OBFUSCATION', '--max-failures', '1'],
      [`${file}:${line}:1-${line}:200`],
    );
    const cipherName = results.filter((r) => r.mutatorName === 'StringLiteral' && r.replacement === '""');
    expect(cipherName.length).toBe(2); // the cipher's name and the key's encoding
    expect(cipherName.map((r) => r.status)).toEqual(['Killed', 'Killed']);
  }, 180_000);
});
