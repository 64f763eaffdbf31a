/**
 * `npm run bench -- rejudge` (issue 15): the default plan on the emulated clients (emulated-ios and
 * emulated-android, every report written, as a certification bundle holds them), then re-judging its
 * results from results.jsonl alone (src/core/rejudge.ts: what the verify command does with a bundle): reading
 * and parsing results.jsonl and run.json, every case judged again from its recorded observations and the
 * run-level checks recomputed. Goal: re-judging at least as fast as the plan ran (a ratio >= 1).
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSuites, DRIVERS, suiteOf } from '../src/cli/builtins.ts';
import { resolveConfig } from '../src/config/resolve.ts';
import { Redactor } from '../src/core/redact.ts';
import { rejudgeResults, rejudgeTargetOf } from '../src/core/rejudge.ts';
import { timedReporter } from './timed-reporter.ts';
import type { CaseResult } from '../src/core/results.ts';
import type { RunRecord } from '../src/core/run-record.ts';
import { createReporters } from '../src/reporters/index.ts';
import { identity } from '../src/reporters/text.ts';
import { runPlan } from '../src/runner/run.ts';

const REPORTERS = ['jsonl', 'summary', 'junit', 'allure'];

export interface RejudgeBench {
  cases: number;
  /** The plan's cases per second, first case to last (wall clock), and per CPU second. */
  plan: { rate: number; perCpuSecond: number };
  /** Re-judging's cases per second (reading results.jsonl included), and per CPU second. */
  rejudge: { rate: number; perCpuSecond: number };
  /** results.jsonl's size, bytes. */
  bytes: number;
  discrepancies: number;
  skipped: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

export async function benchRejudge(root: string, key: string, rounds = 3): Promise<RejudgeBench> {
  const plan: number[] = [];
  const planCpu: number[] = [];
  const again: number[] = [];
  const againCpu: number[] = [];
  let cases = 0;
  let bytes = 0;
  let discrepancies = 0;
  let skipped = 0;
  const outs: string[] = [];
  try {
    // The first round warms the JIT up; it is not counted.
    for (let round = 0; round <= rounds; round++) {
      const out = mkdtempSync(path.join(os.tmpdir(), 'harness-bench-rejudge-'));
      outs.push(out);
      const config = resolveConfig(
        { file: path.join(root, 'harness.config.ts'), config: { obfuscation: { key } } },
        { outputDir: out, reporter: REPORTERS, target: ['emulated-ios', 'emulated-android'] },
        {},
        root,
      );
      const inner = createReporters(REPORTERS as never, { outputDir: out, redact: identity });
      const timed = timedReporter(inner);
      const suites = createSuites();
      const redactor = new Redactor();
      redactor.add(key);
      const { summary } = await runPlan(
        config,
        { suites, suiteOf, drivers: DRIVERS, reporter: timed.reporter, redactor },
        { startedAt: new Date().toISOString(), command: 'bench', harnessVersion: 'bench' },
      );
      cases = summary.total;

      // Re-judging, as verify does it: from the files, with the suites already loaded (loading the vectors
      // is the same for both and not counted in either rate).
      const start = performance.now();
      const cpuStart = process.cpuUsage();
      const file = path.join(out, 'results.jsonl');
      const results = readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as CaseResult);
      const record = JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8')) as RunRecord;
      const targets = Object.fromEntries(record.targets.map((t) => [t.name, rejudgeTargetOf(t)]));
      const report = await rejudgeResults(results, { suites, targets, redactor });
      const seconds = (performance.now() - start) / 1000;
      const cpuUsed = process.cpuUsage(cpuStart);
      bytes = statSync(file).size;
      discrepancies = report.discrepancies.length;
      skipped = report.skipped.length;
      if (round > 0) {
        const { wallMs, cpuSeconds } = timed.elapsed();
        plan.push(summary.total / (wallMs / 1000));
        planCpu.push(summary.total / cpuSeconds);
        again.push(results.length / seconds);
        againCpu.push(results.length / ((cpuUsed.user + cpuUsed.system) / 1e6));
      }
    }
  } finally {
    for (const out of outs) rmSync(out, { recursive: true, force: true });
  }
  return {
    cases,
    plan: { rate: median(plan), perCpuSecond: median(planCpu) },
    rejudge: { rate: median(again), perCpuSecond: median(againCpu) },
    bytes,
    discrepancies,
    skipped,
  };
}

export function rejudgeBenchLines(b: RejudgeBench): string[] {
  const ratio = b.rejudge.rate / b.plan.rate;
  return [
    `rejudge, emulated plan:        ${fmt(b.plan.rate)} cases/s while the cases run, ${fmt(b.plan.perCpuSecond)} per CPU second (${b.cases} cases on emulated-ios and emulated-android, every report)`,
    `rejudge, from results.jsonl:   ${fmt(b.rejudge.rate)} cases/s, ${fmt(b.rejudge.perCpuSecond)} per CPU second (reading ${(b.bytes / 1e6).toFixed(1)} MB, every case and run-level check judged again: ${b.discrepancies} discrepancies, ${b.skipped} skipped)`,
    `rejudge / plan:                ${ratio.toFixed(2)}x (goal >= 1: re-judging at least as fast as the plan ran) ${ratio >= 1 ? 'met' : 'NOT met'}`,
  ];
}
