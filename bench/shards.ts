/**
 * `npm run bench -- shards` (issue 14): what splitting the default plan into shards and merging them back
 * costs. The default plan (the `run` targets of harness.config.ts) is run once whole, then as 4 shards one
 * after the other (each a run of its own, as on its own machine: loading the vectors, starting the targets,
 * writing every report), then `harness merge` joins the 4 output directories into one set of reports.
 * Goals: the merge under 1 s; the shards' wall times summed within 1.2x of the one run (the overhead a
 * shard adds is its own start: loading the vectors and starting the targets again). Three rounds of (whole,
 * shards) are measured in turn and their medians printed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSuites, DRIVERS, suiteOf } from '../src/cli/builtins.ts';
import { defaultCommandContext } from '../src/core/commands.ts';
import { resolveConfig } from '../src/config/resolve.ts';
import type { Shard } from '../src/config/types.ts';
import { createReporters } from '../src/reporters/index.ts';
import { identity } from '../src/reporters/text.ts';
import { mergeRuns, readRun } from '../src/runner/merge.ts';
import { runPlan } from '../src/runner/run.ts';

const REPORTERS = ['jsonl', 'summary', 'junit', 'allure'];

export interface ShardBench {
  shards: number;
  /** Rounds of (whole plan, shards) measured in turn; the figures below are the rounds' medians. */
  rounds: number;
  cases: number;
  /** Wall time of one run of the whole plan, s (the median round's). */
  whole: number;
  /** The whole plan's wall time in every round, s. */
  wholes: number[];
  /** Each shard's wall time in the round whose sum is the median, s. */
  each: number[];
  /** The shards' summed wall time in every round, s. */
  sums: number[];
  /** Each shard's start (loading the vectors, starting the targets: up to its first case), s. */
  starts: number[];
  /** The merge: reading the shards' results and writing every report, s. */
  merge: number;
  /** The same without Allure's file per result, s. */
  mergeNoAllure: number;
  mergedCases: number;
  /** The merged counts equal the whole run's. */
  same: boolean;
}

async function timedRun(root: string, key: string, out: string, shard?: Shard) {
  const config = resolveConfig(
    { file: path.join(root, 'harness.config.ts'), config: { obfuscation: { key } } },
    { outputDir: out, reporter: REPORTERS, ...(shard === undefined ? {} : { shard }) },
    {},
    root,
  );
  const start = performance.now();
  let begun = start;
  const reporter = createReporters(REPORTERS as never, { outputDir: out, redact: identity });
  const { summary } = await runPlan(
    config,
    {
      suites: createSuites(config),
      suiteOf,
      drivers: DRIVERS,
      reporter: {
        onPrepare: (run) => reporter.onPrepare(run),
        onBegin: async (run, targets) => {
          begun = performance.now();
          await reporter.onBegin(run, targets);
        },
        onCaseEnd: (result) => reporter.onCaseEnd(result),
        onTargetError: (target, message) => reporter.onTargetError(target, message),
        onEnd: (end) => reporter.onEnd(end),
      },
    },
    { startedAt: new Date().toISOString(), command: 'bench', harnessVersion: 'bench' },
  );
  return { seconds: (performance.now() - start) / 1000, start: (begun - start) / 1000, summary };
}

async function timedMerge(root: string, parts: string[], out: string, reporters: string[]) {
  const start = performance.now();
  const merged = await mergeRuns(
    parts.map((dir) => readRun(dir, root)),
    {
      suites: createSuites(),
      reporter: createReporters(reporters as never, { outputDir: out, redact: identity }),
      outputDir: out,
      command: 'bench merge',
      rootDir: root,
      commands: defaultCommandContext(root),
    },
  );
  return { seconds: (performance.now() - start) / 1000, merged };
}

/** The middle value (the lower of the two middle ones for an even count). */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? 0;
}

/**
 * Rounds of (the whole plan, then its shards), and the median of each: one round's ratio moves by 20% or more
 * with what else the machine does, a median of rounds taken in turn much less.
 */
export async function benchShards(root: string, key: string, shards = 4, rounds = 3): Promise<ShardBench> {
  const dirs: string[] = [];
  const temp = () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'harness-bench-shards-'));
    dirs.push(dir);
    return dir;
  };
  try {
    // A first run warms the JIT and the module cache up, as the whole run would find them on a second try.
    await timedRun(root, key, temp());
    const wholes: Awaited<ReturnType<typeof timedRun>>[] = [];
    const sharded: { each: number[]; starts: number[]; parts: string[] }[] = [];
    for (let round = 0; round < rounds; round++) {
      wholes.push(await timedRun(root, key, temp()));
      const parts: string[] = [];
      const each: number[] = [];
      const starts: number[] = [];
      for (let i = 1; i <= shards; i++) {
        const dir = temp();
        parts.push(dir);
        const shard = await timedRun(root, key, dir, { index: i, total: shards });
        each.push(shard.seconds);
        starts.push(shard.start);
      }
      sharded.push({ each, starts, parts });
    }
    const sum = (xs: number[]) => xs.reduce((a, x) => a + x, 0);
    const whole = wholes.find((w) => w.seconds === median(wholes.map((x) => x.seconds))) ?? wholes[0]!;
    const middle = sharded.find((r) => sum(r.each) === median(sharded.map((x) => sum(x.each)))) ?? sharded[0]!;
    const bare = await timedMerge(root, middle.parts, temp(), ['jsonl', 'summary', 'junit']);
    const { seconds: merge, merged } = await timedMerge(root, middle.parts, temp(), REPORTERS);
    return {
      shards,
      rounds,
      cases: whole.summary.total,
      whole: whole.seconds,
      wholes: wholes.map((w) => w.seconds),
      each: middle.each,
      sums: sharded.map((r) => sum(r.each)),
      starts: middle.starts,
      merge,
      mergeNoAllure: bare.seconds,
      mergedCases: merged.summary.total,
      same: JSON.stringify(merged.summary.counts) === JSON.stringify(whole.summary.counts),
    };
  } finally {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}

export function shardBenchLines(b: ShardBench): string[] {
  const sum = b.each.reduce((a, x) => a + x, 0);
  const list = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(', ');
  return [
    `shards, default plan:          one run ${b.whole.toFixed(2)} s (${b.cases} cases and checks, every report); ${b.shards} shards ${b.each.map((s) => s.toFixed(2)).join(' + ')} = ${sum.toFixed(2)} s, ${(sum / b.whole).toFixed(2)}x the one run (goal <= 1.2x)`,
    `                               medians of ${b.rounds} rounds taken in turn: one run ${list(b.wholes)} s; ${b.shards} shards summed ${list(b.sums)} s`,
    `                               of which each shard's start (loading and checking the vectors, starting the targets) ${list(b.starts)} s: what a shard repeats`,
    `merge of ${b.shards} shards:              ${b.merge.toFixed(2)} s for ${b.mergedCases} results (read results.jsonl and run.json, recompute the run-level checks, write jsonl, summary.json, junit.xml, Allure results; goal < 1 s); ${b.mergeNoAllure.toFixed(2)} s without Allure's file per result; counts ${b.same ? 'equal to' : 'DIFFERENT from'} the one run's`,
  ];
}
