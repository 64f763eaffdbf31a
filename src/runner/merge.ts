/**
 * `harness merge <dir>...`: joins the output directories of several runs (the n shards of `--shard i/n`, or
 * machines that each ran some targets) into one report, as if one run had run them all: every case's
 * result from results.jsonl, and the run-level checks recomputed over every shard's cases (the suite's
 * `runChecks`, the very function a run's checks are), so a contradiction between two shards is found. The
 * reports are written by the ordinary reporters, replayed from the records (onPrepare, onBegin, onCaseEnd,
 * onTargetError, onEnd). Nothing here reaches a target.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { runTargetCommand, type CommandContext } from '../core/commands.ts';
import { HarnessError, type Problem } from '../core/errors.ts';
import { DEFAULT_FAIL_ON, Gate, type Expectations, type FailOn } from '../core/expectations.ts';
import { isRecord } from '../core/json.ts';
import type { Redactor } from '../core/redact.ts';
import type { MergeInfo, Reporter, RunChecksStatus, RunInfo, RunSummary, TargetRun } from '../core/reporter.ts';
import { emptyCounts, VERDICTS, type CaseResult } from '../core/results.ts';
import { RUN_RECORD_FILE, RUN_RECORD_FORMAT, type RunRecord } from '../core/run-record.ts';
import { cleanResult, inPlanOrder, markRunLevel, recordOf, type AnySuite, type RunOutcome } from './run.ts';
import { shardText } from './shard.ts';

/** One run's output directory, read. */
export interface ReadRun {
  /** As the user gave it (messages name it so). */
  dir: string;
  record: RunRecord;
  results: CaseResult[];
}

export interface MergeDependencies {
  /** Every suite by name (not loaded: `runChecks` needs no vectors). */
  suites: Readonly<Record<string, AnySuite>>;
  reporter: Reporter;
  /** Run-wide secrets, applied to the recomputed checks (the runs' results were redacted when written). */
  redactor?: Redactor;
  /** Where the merged reports go. */
  outputDir: string;
  /** The merge's command line (redacted), for the reports. */
  command: string;
  rootDir: string;
  /** For the replay line of a recomputed check no run had (src/core/commands.ts). */
  commands: CommandContext;
  /**
   * The known deviations and the fail-on policy the merged verdict is judged by (docs/expectations.md), as a
   * run judges its own: every result is judged again, the recomputed checks included.
   */
  expectations?: Expectations | null;
  failOn?: readonly FailOn[];
  /** The configured targets' names (for stale entries naming a target). */
  configuredTargets?: readonly string[];
}

const MERGE_FIX =
  'give the output directories (--output) of runs of one plan: the same commit, config, --grep, --tier and --seed';

function invalid(message: string, problems: Problem[] = []): HarnessError {
  return new HarnessError('HARNESS_MERGE_INVALID', message, problems);
}

/** Reads one run's output directory: run.json and its results file, every line checked. */
export function readRun(dir: string, cwd: string): ReadRun {
  const full = path.resolve(cwd, dir);
  if (!existsSync(full)) {
    throw invalid(
      `${dir} does not exist: give the output directory of a run (what its --output named, default reports)`,
    );
  }
  if (!statSync(full).isDirectory()) throw invalid(`${dir} is not a directory: give a run's output directory`);
  const file = path.join(dir, RUN_RECORD_FILE);
  if (!existsSync(path.join(full, RUN_RECORD_FILE))) {
    throw invalid(
      `${dir} holds no ${RUN_RECORD_FILE}, so it is not a run's output (or the run had no jsonl reporter): run with --reporter jsonl (one of the default reporters) and --output ${dir}`,
    );
  }
  let record: RunRecord;
  try {
    record = JSON.parse(readFileSync(path.join(full, RUN_RECORD_FILE), 'utf8')) as RunRecord;
  } catch (error) {
    throw invalid(`${file} is not JSON (${(error as Error).message}): re-run that run, or leave its directory out`);
  }
  if (!isRecord(record) || record.format !== RUN_RECORD_FORMAT) {
    throw invalid(
      `${file} is not a run record of this harness (format ${JSON.stringify(isRecord(record) ? record.format : null)}, expected "${RUN_RECORD_FORMAT}"): merge runs made by the same harness version`,
    );
  }
  if (record.merge !== undefined) {
    throw invalid(`${dir} is the output of harness merge, not of a run: merge the runs' own directories`);
  }
  const resultsFile = path.join(full, record.results);
  const results: CaseResult[] = [];
  if (existsSync(resultsFile)) {
    const problems: Problem[] = [];
    readFileSync(resultsFile, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (line.trim() === '') return;
        const where = { file: path.join(dir, record.results), path: `line ${i + 1}` };
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch {
          problems.push({ ...where, message: 'not JSON (a truncated line?): re-run that run' });
          return;
        }
        const problem = resultProblem(value);
        if (problem !== null) problems.push({ ...where, message: problem });
        else results.push(value as CaseResult);
      });
    if (problems.length > 0) {
      throw invalid(`${dir}: ${problems.length} result(s) cannot be read: re-run that run`, problems.slice(0, 20));
    }
  } else if (record.status !== 'error' && record.status !== 'in-progress') {
    throw invalid(`${dir}: ${record.results} is missing beside ${RUN_RECORD_FILE}: re-run that run`);
  }
  return { dir, record, results };
}

/** What is wrong with a line of results.jsonl for the reporters to take it, or null. */
function resultProblem(value: unknown): string | null {
  if (!isRecord(value)) return 'not an object';
  for (const field of ['id', 'title', 'target', 'specification', 'area', 'message', 'replay'] as const) {
    if (typeof value[field] !== 'string') return `"${field}" is not a string`;
  }
  if (!(VERDICTS as readonly unknown[]).includes(value['verdict']))
    return `"verdict" is not one of ${VERDICTS.join(', ')}`;
  for (const field of ['requirements', 'steps', 'attachments'] as const) {
    if (!Array.isArray(value[field])) return `"${field}" is not an array`;
  }
  for (const field of ['choices', 'parameters'] as const) {
    if (!isRecord(value[field])) return `"${field}" is not an object`;
  }
  return null;
}

/** Per target: the runs that ran it (by shard) and what the merge makes of them. */
interface TargetParts {
  name: string;
  announced: TargetRun;
  runs: ReadRun[];
  /** n of the shards, or null for one whole run. */
  total: number | null;
  missing: number[];
}

/** The runs, checked to be parts of one plan; per target, its parts. Throws HARNESS_MERGE_INVALID. */
export function planParts(runs: readonly ReadRun[]): TargetParts[] {
  if (runs.length === 0) throw invalid('merge needs the output directories of the runs: npx harness merge <dir>...');
  const first = runs[0] as ReadRun;
  for (const field of ['harnessVersion', 'seed', 'configDigest'] as const) {
    const differ = runs.filter((r) => r.record[field] !== first.record[field]);
    if (differ.length > 0) {
      const d = differ[0] as ReadRun;
      throw invalid(
        `${d.dir} and ${first.dir} are runs of different plans: ${field} ${JSON.stringify(d.record[field])} vs ${JSON.stringify(first.record[field])}: ${MERGE_FIX}`,
      );
    }
  }
  const seen = new Map<string, string>();
  for (const run of runs) {
    const key = path.resolve(run.dir);
    const earlier = seen.get(key);
    if (earlier !== undefined) throw invalid(`${run.dir} is given twice (also as ${earlier}): give each run once`);
    seen.set(key, run.dir);
  }
  const byTarget = new Map<string, TargetParts>();
  for (const run of runs) {
    for (const announced of run.record.targets) {
      let parts = byTarget.get(announced.name);
      if (parts === undefined) {
        parts = { name: announced.name, announced, runs: [], total: null, missing: [] };
        byTarget.set(announced.name, parts);
      }
      parts.runs.push(run);
    }
  }
  // A shard that stopped before its first case announced no target: it shows as missing from every target.
  for (const parts of byTarget.values()) {
    const shards = parts.runs.map((r) => r.record.shard);
    const whole = parts.runs.filter((r) => r.record.shard === null);
    if (whole.length > 0 && parts.runs.length > 1) {
      const other = parts.runs.find((r) => r !== whole[0]) as ReadRun;
      throw invalid(
        `target ${parts.name} is in ${whole[0]?.dir} (the whole plan) and in ${other.dir} too: each target's cases must come from one whole run or from the shards 1 to n of one --shard i/n`,
      );
    }
    const total = shards[0]?.total ?? null;
    const mixed = parts.runs.find((r) => (r.record.shard?.total ?? null) !== total);
    if (mixed !== undefined) {
      throw invalid(
        `${mixed.dir} is shard ${shardText(mixed.record.shard ?? { index: 1, total: 1 })} but ${parts.runs[0]?.dir} is shard ${shardText(shards[0] ?? { index: 1, total: 1 })} of target ${parts.name}: merge the shards of one --shard i/n split`,
      );
    }
    parts.total = total;
    if (total !== null) {
      const byIndex = new Map<number, ReadRun>();
      for (const run of parts.runs) {
        const index = run.record.shard?.index as number;
        const twice = byIndex.get(index);
        if (twice !== undefined) {
          throw invalid(
            `shard ${index}/${total} is given twice (${twice.dir} and ${run.dir}): give each shard's directory once`,
          );
        }
        byIndex.set(index, run);
      }
      for (let i = 1; i <= total; i++) if (!byIndex.has(i)) parts.missing.push(i);
    }
    const order = (parts.announced.order ?? []).join('\n');
    for (const run of parts.runs) {
      const theirs = run.record.targets.find((t) => t.name === parts.name);
      if ((theirs?.order ?? []).join('\n') !== order) {
        throw invalid(
          `${run.dir} and ${parts.runs[0]?.dir} planned target ${parts.name} differently (${theirs?.order?.length ?? 0} vs ${parts.announced.order?.length ?? 0} cases): ${MERGE_FIX}`,
        );
      }
    }
  }
  return [...byTarget.values()];
}

/**
 * Joins the runs into one report through `deps.reporter`. The merged run's exit code is what one run of the
 * whole plan would have given: 1 when a case failed or broke, or when cases were not run (a missing shard,
 * an interrupted or killed one, a target that stopped answering).
 */
export async function mergeRuns(runs: readonly ReadRun[], deps: MergeDependencies): Promise<RunOutcome> {
  const parts = planParts(runs);
  for (const run of runs) {
    if (path.resolve(deps.rootDir, run.dir) === path.resolve(deps.rootDir, deps.outputDir)) {
      throw invalid(
        `--output ${deps.outputDir} is one of the runs being merged: write the merged reports elsewhere (e.g. --output reports/merged)`,
      );
    }
  }
  const first = runs[0] as ReadRun;
  if (parts.length === 0) {
    throw invalid(
      `none of the runs got to its first case (their run.json says ${[...new Set(runs.map((r) => r.record.status))].join(', ')}): there is nothing to merge; see each run's summary.json for why`,
    );
  }
  const missing = [
    ...parts.flatMap((p) => p.missing.map((i) => `shard ${i}/${p.total ?? 1} of ${p.name}`)),
    // A whole run that stopped before its first case: its targets are unknown (a shard's show above).
    ...runs
      .filter((r) => r.record.shard === null && r.record.targets.length === 0)
      .map((r) => `${r.dir}: the run stopped before its first case`),
  ];
  const merge: MergeInfo = {
    runs: runs.map((r) => ({
      dir: r.dir,
      ...(r.record.shard === null ? {} : { shard: r.record.shard }),
      status: r.record.status,
      durationMs: r.record.end?.durationMs ?? 0,
    })),
    missing,
  };
  const startedAt = runs.map((r) => r.record.startedAt).sort()[0] ?? new Date().toISOString();
  const suiteNames = [...new Set(parts.map((p) => p.announced.suite).filter((s): s is string => s !== undefined))];
  const info: RunInfo = {
    startedAt,
    seed: first.record.seed,
    outputDir: deps.outputDir,
    command: deps.command,
    harnessVersion: first.record.harnessVersion,
    rootDir: deps.rootDir,
    ...(first.record.configDigest === null ? {} : { configDigest: first.record.configDigest }),
    merge,
  };
  deps.reporter.onPrepare?.(info);

  const counts = emptyCounts();
  const gate = new Gate(deps.expectations ?? null, deps.failOn ?? DEFAULT_FAIL_ON);
  const choices: Record<string, Record<string, string>> = {};
  const notRun: Record<string, number> = {};
  const checksStatus: Record<string, RunChecksStatus> = {};
  let interrupted = false;
  const targetRuns: TargetRun[] = [];
  const emitted: { results: CaseResult[]; errors: string[] }[] = [];
  for (const p of parts) {
    const order = p.announced.order ?? [];
    const own = p.runs.flatMap((r) => r.results.filter((x) => x.target === p.name));
    const cases = inPlanOrder(
      own.filter((r) => r.runLevel !== true),
      order,
    );
    const known = new Set(order);
    const strays = cases.filter((c) => !known.has(c.id));
    if (order.length > 0 && strays.length > 0) {
      throw invalid(
        `target ${p.name}: case ${strays[0]?.id} is in the results but not in the plan run.json recorded: ${MERGE_FIX}`,
      );
    }
    const checks = Math.max(0, ...p.runs.map((r) => r.record.targets.find((t) => t.name === p.name)?.checks ?? 0));
    const statuses = p.runs.map((r) =>
      r.record.end === null ? 'interrupted' : (r.record.end.checks[p.name] ?? 'none'),
    );
    if (p.runs.some((r) => r.record.end === null || r.record.end.interrupted)) interrupted = true;
    const errors: string[] = [];
    for (const run of p.runs) {
      const message = run.record.targetErrors[p.name];
      const status = run.record.end?.checks[p.name];
      // A shard's "every case broke" is its own part's: recomputed below over every shard's cases.
      if (message === undefined || status === 'nothing-judged') continue;
      errors.push(run.record.shard === null ? message : `shard ${shardText(run.record.shard)}: ${message}`);
    }
    let lost = order.length - cases.length;
    const results: CaseResult[] = [...cases];
    let status: RunChecksStatus = 'none';
    if (checks > 0) {
      const suite = p.announced.suite === undefined ? undefined : deps.suites[p.announced.suite];
      const blocked = p.missing.length > 0 ? 'missing' : statuses.find((s) => s === 'stopped' || s === 'interrupted');
      if (blocked !== undefined) {
        lost += checks;
        status = blocked === 'stopped' ? 'stopped' : 'interrupted';
        if (blocked === 'missing') {
          errors.push(
            `shard(s) ${p.missing.map((i) => `${i}/${p.total ?? 1}`).join(', ')} missing: their cases are not run, and the run-level checks, which need every shard's cases, were not run`,
          );
        }
      } else if (suite?.runChecks === undefined) {
        lost += checks;
        status = 'none';
        errors.push(
          `the ${p.announced.suite ?? '?'} suite cannot recompute its run-level checks from the results: they were not run`,
        );
      } else {
        const judged = cases.filter((c) => c.verdict !== 'broken' && c.verdict !== 'not-applicable').length;
        const broken = cases.filter((c) => c.verdict === 'broken').length;
        const replays = new Map(own.filter((r) => r.runLevel === true).map((r) => [r.id, r.replay]));
        const recomputed = markRunLevel(
          suite.runChecks(
            {
              target: p.name,
              info: p.announced.info,
              replay: runTargetCommand(deps.commands, p.name),
            },
            cases.map(recordOf),
          ),
        );
        if (judged === 0 && broken > 0) {
          lost += recomputed.length;
          status = 'nothing-judged';
          errors.push(
            `every case on ${p.name} broke, so its run-level check(s) ${recomputed.map((c) => c.id).join(', ')} had nothing to check and were not run`,
          );
        } else {
          for (const check of recomputed) {
            // The replay line the runs printed for it (the same in every shard), where one had it.
            check.replay = replays.get(check.id) ?? check.replay;
            cleanResult(check, deps.redactor);
            results.push(check);
          }
          status = 'ran';
        }
      }
    }
    checksStatus[p.name] = status;
    if (lost > 0) notRun[p.name] = lost;
    const made = (choices[p.name] ??= {});
    for (const r of results) {
      // Judged by the merge's expectations and policy, as one run would have judged it.
      delete r.expectation;
      gate.judge(r);
      counts[r.verdict]++;
      for (const [point, option] of Object.entries(r.choices)) made[point] ??= option;
    }
    targetRuns.push({
      name: p.name,
      info: p.announced.info,
      planned: order.length + checks,
      ...(p.announced.suite === undefined ? {} : { suite: p.announced.suite }),
      checks,
      order,
    });
    emitted.push({ results, errors });
  }

  const suites = suiteNames.flatMap((name) => {
    const suite = deps.suites[name];
    if (suite === undefined) return [];
    return [{ name, specification: suite.specification, requirements: suite.catalogue().requirements }];
  });
  await deps.reporter.onBegin?.({ ...info, suites }, targetRuns);
  parts.forEach((p, i) => {
    const { results, errors } = emitted[i] as { results: CaseResult[]; errors: string[] };
    for (const r of results) deps.reporter.onCaseEnd?.(r);
    if (errors.length > 0) deps.reporter.onTargetError?.(p.name, errors.join('; '));
  });
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const requirements = new Map(
    emitted.flatMap((e) => e.results.map((r) => [`${r.target}\u0000${r.id}`, r.requirements])),
  );
  const gated = gate.finish(
    targetRuns.map((t) => ({
      target: t.name,
      cases: (t.order ?? []).map((id) => ({ id, requirements: requirements.get(`${t.name}\u0000${id}`) ?? [] })),
    })),
    deps.configuredTargets ?? targetRuns.map((t) => t.name),
  );
  const exitCode: 0 | 1 = !gated.passed || interrupted || Object.keys(notRun).length > 0 || missing.length > 0 ? 1 : 0;
  const summary: RunSummary = {
    counts,
    total,
    // The slowest run: what the parallel runs took together, wall time.
    durationMs: Math.max(0, ...runs.map((r) => r.record.end?.durationMs ?? 0)),
    choices,
    interrupted,
    notRun,
    exitCode,
    checks: checksStatus,
    gate: gated,
    flaky: emitted.reduce((n, e) => n + e.results.filter((r) => r.flaky === true).length, 0),
    merge,
  };
  await deps.reporter.onEnd?.(summary);
  return { summary, exitCode };
}
