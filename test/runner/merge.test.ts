/**
 * `--shard i/n` then `harness merge`: the n shards' reports, merged, say what one run of the whole plan says
 * (every case's verdict, the counts, the run-level findings), for n = 1 to 5, on clean emulated clients and
 * on clients whose seeded defects only the run-level checks catch: a choice made two ways and no single
 * order of checks, each shown by cases that fall to different shards, so that only the merged check can
 * find the contradiction. The runs are real (the in-process emulated clients, through the real profile
 * service, writing real reports), on a --grep subset of the default plan so that this stays fast.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSuites, DRIVERS, suiteOf } from '../../src/cli/builtins.ts';
import { defaultCommandContext } from '../../src/core/commands.ts';
import { resolveConfig } from '../../src/config/resolve.ts';
import type { HarnessConfig, Shard } from '../../src/config/types.ts';
import { loadExpectations } from '../../src/core/expectations.ts';
import type { CaseResult } from '../../src/core/results.ts';
import type { SummaryFile } from '../../src/reporters/summary.ts';
import { createReporters } from '../../src/reporters/index.ts';
import { identity } from '../../src/reporters/text.ts';
import { mergeRuns, readRun } from '../../src/runner/merge.ts';
import { runPlan, suiteLoadContext, type AnySuite, type RunOutcome } from '../../src/runner/run.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const KEY = '8CC677D6FA2AC487C2FC7AD7232F87D8FCAFD5E9FC0AFBFF23B09D8713BE3463';
/** Cases that show the semicolon choice and the precedence of 11 against 23, and the other parameter cases. */
const GREP = [
  'om:pn-',
  'om:br-amp-entity',
  'om:gen-precedence-autologinbad-userlong',
  'om:gen-precedence-testbad-userlong',
];
/** Defects that only the run-level checks catch (test/suites/openmobile/parameter-names.test.ts). */
const DEFECTS = ['password-value-ends-at-semicolon', 'precedence-flips-with-password'];

const clean: HarnessConfig = {
  targets: [
    { name: 'emulated-ios', driver: 'emulated', options: { platform: 'ios' } },
    { name: 'emulated-android', driver: 'emulated', options: { platform: 'android' } },
  ],
  run: ['emulated-ios', 'emulated-android'],
};
const defective: HarnessConfig = {
  targets: (['ios', 'android'] as const).map((platform) => ({
    name: `defective-${platform}`,
    driver: 'emulated',
    options: { platform, defects: DEFECTS },
  })),
  run: ['defective-ios', 'defective-android'],
};

let suites: Record<string, AnySuite>;
const dirs: string[] = [];

/** The suites, loaded once: every run reuses them (loading the vectors is most of a small run's time). */
beforeAll(async () => {
  const config = resolveConfig({ file: path.join(ROOT, 'harness.config.ts'), config: {} }, {}, {}, ROOT);
  const loaded = createSuites();
  suites = {};
  for (const [name, suite] of Object.entries(loaded)) {
    await suite.load({ ...suiteLoadContext(config), obfuscationKey: KEY });
    suites[name] = Object.assign(Object.create(suite) as AnySuite, { load: async () => {} });
  }
}, 120_000);

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'harness-merge-'));
  dirs.push(dir);
  return dir;
}

/** One run (the whole plan, or a shard) writing results.jsonl, run.json and summary.json to `out`. */
async function run(config: HarnessConfig, out: string, shard?: Shard): Promise<RunOutcome> {
  const resolved = resolveConfig(
    { file: path.join(ROOT, 'harness.config.ts'), config: { obfuscation: { key: KEY }, ...config } },
    { grep: GREP, outputDir: out, ...(shard === undefined ? {} : { shard }) },
    {},
    ROOT,
  );
  return runPlan(
    resolved,
    {
      suites,
      suiteOf,
      drivers: DRIVERS,
      reporter: createReporters(['jsonl', 'summary'], { outputDir: out, redact: identity }),
    },
    { startedAt: new Date().toISOString(), command: 'test', harnessVersion: 'test' },
  );
}

async function merge(inputs: string[], out: string, reporters: string[] = ['jsonl', 'summary']): Promise<RunOutcome> {
  return mergeRuns(
    inputs.map((dir) => readRun(dir, ROOT)),
    {
      suites,
      reporter: createReporters(reporters as never, { outputDir: out, redact: identity }),
      outputDir: out,
      command: 'harness merge',
      rootDir: ROOT,
      commands: defaultCommandContext(ROOT),
    },
  );
}

function results(dir: string): CaseResult[] {
  return readFileSync(path.join(dir, 'results.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as CaseResult);
}

function summary(dir: string): SummaryFile {
  return JSON.parse(readFileSync(path.join(dir, 'summary.json'), 'utf8')) as SummaryFile;
}

const byKey = (x: readonly [string, string], y: readonly [string, string]) => (x[0] < y[0] ? -1 : 1);

/** Each case's verdict, by target and id. */
function verdicts(list: CaseResult[]): Record<string, string> {
  return Object.fromEntries(list.map((r) => [`${r.target} ${r.id}`, r.verdict] as const).sort(byKey));
}

/** The run-level findings: each check's verdict, category and message. */
function findings(list: CaseResult[]): Record<string, string> {
  return Object.fromEntries(
    list
      .filter((r) => r.runLevel === true)
      .map((r) => [`${r.target} ${r.id}`, `${r.verdict} ${r.category ?? ''} ${r.message}`] as const)
      .sort(byKey),
  );
}

describe.each([
  ['clean clients', clean, 0],
  ['clients with defects only the run-level checks catch', defective, 1],
] as const)('n merged shards equal one run of the whole plan: %s', (_, config, exitCode) => {
  let whole: string;
  /** Per n, the shards' own check results that passed although the whole plan's fail. */
  const blind = new Map<number, number>();

  beforeAll(async () => {
    whole = tempDir();
    const outcome = await run(config, whole);
    expect(outcome.exitCode).toBe(exitCode);
  }, 120_000);

  it.each([1, 2, 3, 4, 5])(
    '%i shard(s): the same verdict per case, counts and run-level findings',
    async (n) => {
      const shards: string[] = [];
      const seen = new Set<string>();
      for (let i = 1; i <= n; i++) {
        const dir = tempDir();
        await run(config, dir, { index: i, total: n });
        shards.push(dir);
        const own = results(dir);
        // Every case in exactly one shard.
        for (const r of own.filter((x) => x.runLevel !== true)) {
          expect(seen.has(`${r.target} ${r.id}`)).toBe(false);
          seen.add(`${r.target} ${r.id}`);
        }
        expect(summary(dir).shard).toEqual({ index: i, total: n });
        const wholeFindings = findings(results(whole));
        for (const check of own.filter((x) => x.runLevel === true)) {
          if (check.verdict === 'pass' && wholeFindings[`${check.target} ${check.id}`]?.startsWith('fail'))
            blind.set(n, (blind.get(n) ?? 0) + 1);
        }
      }
      const merged = tempDir();
      const outcome = await merge(shards, merged);
      const one = results(whole);
      const all = results(merged);
      expect(verdicts(all)).toEqual(verdicts(one));
      expect(findings(all)).toEqual(findings(one));
      expect(Object.keys(findings(one)).length).toBe(4);
      const [a, b] = [summary(whole), summary(merged)];
      expect(b.counts).toEqual(a.counts);
      expect(b.total).toBe(a.total);
      expect(b.notRun).toBe(0);
      expect([b.status, b.conformant, b.exitCode]).toEqual([a.status, a.conformant, a.exitCode]);
      expect(b.shard).toBeNull();
      expect(b.merge?.runs).toHaveLength(n);
      expect(outcome.exitCode).toBe(exitCode);
    },
    120_000,
  );

  it.runIf(exitCode === 1)('finds a contradiction between two shards that each shard, alone, cannot see', () => {
    // With the defects, the whole plan fails its run-level checks; some splits put the two sides of the
    // contradiction in different shards, whose own checks then pass: only the merge finds it (above).
    // Here, every split into 2 to 5 shards does (the split is deterministic).
    expect([...blind.keys()].sort()).toEqual([2, 3, 4, 5]);
  });
});

describe('merge: what it refuses, and what it says is missing', () => {
  const shardsOf = async (n: number, overrides: HarnessConfig = clean): Promise<string[]> => {
    const out: string[] = [];
    for (let i = 1; i <= n; i++) {
      const dir = tempDir();
      await run(overrides, dir, { index: i, total: n });
      out.push(dir);
    }
    return out;
  };
  const refusal = async (inputs: string[]): Promise<string> => {
    try {
      await merge(inputs, tempDir());
    } catch (error) {
      expect((error as { code?: string }).code).toBe('HARNESS_MERGE_INVALID');
      return (error as Error).message;
    }
    throw new Error('merge did not refuse');
  };
  let three: string[];
  beforeAll(async () => {
    three = await shardsOf(3);
  }, 120_000);

  it('a missing shard: merged all the same, incomplete, its cases and the run-level checks counted as not run', async () => {
    const merged = tempDir();
    const outcome = await merge([three[0] as string, three[2] as string], merged);
    expect(outcome.exitCode).toBe(1);
    const file = summary(merged);
    expect(file.status).toBe('incomplete');
    expect(file.conformant).toBe(false);
    expect(file.merge?.missing).toEqual(['shard 2/3 of emulated-ios', 'shard 2/3 of emulated-android']);
    const second = results(three[1] as string).filter((r) => r.runLevel !== true).length;
    // The missing shard's cases, and both targets' two checks (they need every shard's cases).
    expect(file.notRun).toBe(second + 4);
    expect(file.targets['emulated-ios']?.error).toMatch(/shard\(s\) 2\/3 missing/);
    expect(results(merged).some((r) => r.runLevel === true)).toBe(false);
  });

  it('a shard killed mid-run: its finished cases merged, the rest and the run-level checks not run', async () => {
    const killed = tempDir();
    await run(clean, killed, { index: 2, total: 3 });
    // What a kill leaves: run.json still in progress, results.jsonl with the cases finished so far.
    const record = JSON.parse(readFileSync(path.join(killed, 'run.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(path.join(killed, 'run.json'), JSON.stringify({ ...record, status: 'in-progress', end: null }));
    const lines = readFileSync(path.join(killed, 'results.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l !== '');
    const cases = lines.filter((l) => !(JSON.parse(l) as CaseResult).runLevel);
    writeFileSync(path.join(killed, 'results.jsonl'), `${cases.slice(0, 5).join('\n')}\n`);
    const merged = tempDir();
    const outcome = await merge([three[0] as string, killed, three[2] as string], merged);
    expect(outcome.exitCode).toBe(1);
    const file = summary(merged);
    expect(file.status).toBe('interrupted');
    expect(file.notRun).toBe(cases.length - 5 + 4);
    expect(results(merged).some((r) => r.runLevel === true)).toBe(false);
  });

  it('refuses a directory that does not exist, or is not a run, naming it and the fix', async () => {
    expect(await refusal([path.join(tempDir(), 'nothing')])).toMatch(
      /nothing does not exist: give the output directory/,
    );
    const empty = tempDir();
    expect(await refusal([empty])).toMatch(new RegExp(`${empty} holds no run.json.*--reporter jsonl`));
  });

  it('refuses runs of different plans: another seed, another --grep', async () => {
    const other = tempDir();
    await run({ ...clean, seed: 2 }, other, { index: 2, total: 3 });
    expect(await refusal([three[0] as string, other])).toMatch(/runs of different plans: seed 2 vs 1/);
    const grep = tempDir();
    const resolved = resolveConfig(
      { file: path.join(ROOT, 'harness.config.ts'), config: { obfuscation: { key: KEY }, ...clean } },
      { grep: ['om:pn-'], outputDir: grep, shard: { index: 2, total: 3 } },
      {},
      ROOT,
    );
    await runPlan(
      resolved,
      {
        suites,
        suiteOf,
        drivers: DRIVERS,
        reporter: createReporters(['jsonl'], { outputDir: grep, redact: identity }),
      },
      { startedAt: new Date().toISOString(), command: 'test', harnessVersion: 'test' },
    );
    expect(await refusal([three[0] as string, grep])).toMatch(/runs of different plans: configDigest/);
  });

  it('refuses a shard given twice, and shards of different splits', async () => {
    expect(await refusal([three[0] as string, three[0] as string])).toMatch(/is given twice/);
    const again = tempDir();
    await run(clean, again, { index: 1, total: 3 });
    expect(await refusal([three[0] as string, again])).toMatch(/shard 1\/3 is given twice/);
    const [half] = await shardsOf(2);
    expect(await refusal([three[1] as string, half as string])).toMatch(/merge the shards of one --shard i\/n split/);
  });

  it('refuses to write the merged reports over one of the runs', async () => {
    await expect(
      mergeRuns(
        three.map((dir) => readRun(dir, ROOT)),
        {
          suites,
          reporter: createReporters(['jsonl'], { outputDir: three[0] as string, redact: identity }),
          outputDir: three[0] as string,
          command: 'harness merge',
          rootDir: ROOT,
          commands: defaultCommandContext(ROOT),
        },
      ),
    ).rejects.toThrow(/is one of the runs being merged/);
    // Nothing was touched: the shard still merges.
    expect((await merge(three, tempDir())).exitCode).toBe(0);
  });

  it('merges machines that ran different targets into one report', async () => {
    const ios = tempDir();
    const android = tempDir();
    await run({ ...clean, run: ['emulated-ios'] }, ios);
    await run({ ...clean, run: ['emulated-android'] }, android);
    const merged = tempDir();
    expect((await merge([ios, android], merged)).exitCode).toBe(0);
    expect(Object.keys(summary(merged).targets).sort()).toEqual(['emulated-android', 'emulated-ios']);
  });
});

describe('merge: the merged verdict is judged by the known deviations, as a run is', () => {
  it('a contradiction between shards that the expectations list is expected, not a failure', async () => {
    const shards: string[] = [];
    for (let i = 1; i <= 2; i++) {
      const dir = tempDir();
      await run(defective, dir, { index: i, total: 2 });
      shards.push(dir);
    }
    const file = path.join(tempDir(), 'harness.expectations.json');
    writeFileSync(
      file,
      JSON.stringify({
        expectations: [
          { case: 'om:run-*', target: 'defective-*', verdict: 'fail', reason: 'the vendor reads ; two ways (bug 12)' },
        ],
      }),
    );
    const merged = tempDir();
    const outcome = await mergeRuns(
      shards.map((dir) => readRun(dir, ROOT)),
      {
        suites,
        reporter: createReporters(['jsonl', 'summary'], { outputDir: merged, redact: identity }),
        outputDir: merged,
        command: 'harness merge',
        rootDir: ROOT,
        commands: defaultCommandContext(ROOT),
        expectations: await loadExpectations(file, 'harness.expectations.json'),
      },
    );
    // The four checks fail, over both shards, and all four were expected to.
    expect(outcome.summary.counts.fail).toBe(4);
    expect(outcome.summary.gate?.counts.expected).toBe(4);
    expect(outcome.exitCode).toBe(0);
    const checks = results(merged).filter((r) => r.runLevel === true);
    expect(checks.map((r) => r.expectation?.status)).toEqual(['expected', 'expected', 'expected', 'expected']);
  });
});
