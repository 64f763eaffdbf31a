import { join } from 'node:path';
import {
  emptyCounts,
  type CaseResult,
  type FailureCategory,
  type Verdict,
  type VerdictCounts,
} from '../core/results.ts';
import type { Concurrency, MergeInfo, Reporter, RunInfo, RunSummary, TargetRun } from '../core/reporter.ts';
import type { BaseTargetInfo } from '../core/types.ts';
import type { CaseExpectation, GateSummary } from '../core/expectations.ts';
import { identity, redactShared, redactValue, writeFileAtomic, type Redact } from './text.ts';

export interface SummaryOptions {
  /** Default: the run's outputDir. */
  outputDir?: string;
  redact?: Redact;
}

export interface SummaryFailure {
  id: string;
  target: string;
  verdict: Verdict;
  category: FailureCategory | null;
  requirements: string[];
  message: string;
  expected: unknown;
  observed: unknown;
  choices: Record<string, string>;
  replay: string;
  /** Every attempt, when the case ran more than once (`retries`): it failed on each. */
  attempts?: SummaryFlaky['attempts'];
  /** What the expectations file decided about it (`expected`: a known deviation, not failing the run). */
  expectation?: CaseExpectation['status'];
}

/** A case an expectations entry decided (summary.json `gate.cases`). */
export interface SummaryGateCase {
  id: string;
  target: string;
  verdict: Verdict;
  status: CaseExpectation['status'];
  /** True when it fails the run under the policy. */
  failsRun: boolean;
  where: string;
  reason: string;
  link?: string;
}

export interface SummaryTarget {
  info: BaseTargetInfo | null;
  counts: VerdictCounts;
  choices: Record<string, string>;
  /** Planned cases (and run-level checks) that never ran on this target. */
  notRun: number;
  /** Sessions at once on this target, what `workers` asked for, and the driver's limit. */
  concurrency?: Concurrency;
  /** Set when the target was stopped mid-run (it stopped answering) or its run-level checks could not run. */
  error?: string;
  /** What changed no verdict but a reader must know (a device lost, its case run again on another). */
  notes?: string[];
  /** Cases on this target with a requirement that could not be checked (see {@link SummaryFile.notCheckable}). */
  notCheckable: number;
}

/** A requirement one case could not check (a password too short or too common to look for in a log). */
export interface SummaryNotCheckable {
  id: string;
  target: string;
  verdict: Verdict;
  requirement: string;
  reason: string;
}

/**
 * `complete`: the run went to its end (`notRun` counts cases of a target that stopped answering);
 * `interrupted`: stopped by Ctrl-C or SIGTERM; `stopped`: stopped early by `maxFailures` (`--bail`,
 * `--max-failures`; `stopped` says why); `in-progress`: the run has not finished (a run killed before its end
 * leaves this); `error`: the run stopped on an error before its first case; `incomplete`: a `harness merge`
 * that lacked some shards. Only `complete` with `conformant: true` is green (and, with `shard` set, only for
 * that shard's part of the plan).
 */
export type SummaryStatus = 'complete' | 'interrupted' | 'stopped' | 'in-progress' | 'error' | 'incomplete';

/** A case that failed or broke, then passed on a retry: every attempt, in order (the last passed). */
export interface SummaryFlaky {
  id: string;
  target: string;
  verdict: Verdict;
  attempts: { verdict: Verdict; message: string; category: FailureCategory | null; start: number; stop: number }[];
  replay: string;
}

/**
 * What summary.json holds until the run has finished: deliberately no counts and no failures, so a reader
 * that checks `conformant`, `exitCode`, `status` or the counts cannot take it for a green run.
 */
export interface SummaryInProgressFile {
  status: 'in-progress' | 'error';
  conformant: false;
  exitCode: 1 | 2 | 3;
  message: string;
  startedAt: string;
  seed: number;
  command: string;
}

/** The shape of `summary.json`: what CI gates and dashboards read. */
export interface SummaryFile {
  status: SummaryStatus;
  /** True only when the run completed and nothing failed, broke or was left not run. */
  conformant: boolean;
  /** The run's exit code (0 green, 1 otherwise). */
  exitCode: number;
  startedAt: string;
  durationMs: number;
  seed: number;
  command: string;
  /**
   * `--shard i/n`: these are the results of shard i of n, not of the whole plan (`harness merge` joins the
   * shards); null: the whole plan.
   */
  shard: { index: number; total: number } | null;
  /** Set by `harness merge`: the runs joined, and what was missing (then `status` is `incomplete`). */
  merge?: MergeInfo;
  counts: VerdictCounts;
  total: number;
  interrupted: boolean;
  /** Planned cases (and run-level checks) that never ran, over every target (per target in `targets`). */
  notRun: number;
  /** Why the run stopped before its end with `maxFailures` (`--bail`, `--max-failures`), else null. */
  stopped: string | null;
  targets: Record<string, SummaryTarget>;
  /**
   * Failed and broken cases (with `retries`, those that failed on every attempt: `attempts` has each one).
   */
  failures: SummaryFailure[];
  /**
   * Cases that failed or broke, then passed on a retry (`retries`): counted under their last verdict in
   * `counts`, listed here with every attempt. Never conformance-breaking by themselves; never a failure hidden.
   */
  flaky: { count: number; cases: SummaryFlaky[] };
  nonStrict: string[];
  informational: { id: string; target: string; choices: Record<string, string> }[];
  /**
   * Requirements that cases could not check (never counted as passed, never as failed): `count` cases,
   * `byRequirement` how many per requirement, `cases` each one with the reason. Nothing unchecked: count 0.
   */
  notCheckable: { count: number; byRequirement: Record<string, number>; cases: SummaryNotCheckable[] };
  /** Set by `harness fuzz` (see {@link FuzzSummary}); a later `harness run` rewrites the file without it. */
  fuzz?: FuzzSummary;
  /**
   * The expectations and the fail-on policy (docs/expectations.md): the policy used (`failOn`), what each
   * status counted, the statuses that failed the run, stale entries, and every case an entry decided.
   * `exitCode` follows it; `conformant` does not (an expected failure is still a failure of the target).
   */
  gate?: GateSummary & { cases: SummaryGateCase[] };
}

/**
 * The `fuzz` field of summary.json: the last fuzz run, one entry per property and target. When there was no
 * summary.json, `harness fuzz` writes one holding only this field.
 */
export interface FuzzSummary {
  /**
   * `in-progress`: the fuzz run has not finished (written at its start: a fuzz run killed at any point
   * leaves this, never an earlier run's green properties); `complete`; `interrupted` (Ctrl-C, SIGTERM: a
   * budget not spent is no verdict); `error`: it stopped on an error (`message`).
   */
  status: 'in-progress' | 'complete' | 'interrupted' | 'error';
  /** The fuzz run's exit code (1 while in progress). */
  exitCode: number;
  /** Why the status is not `complete`, in words. */
  message?: string;
  startedAt: string;
  command: string;
  /** The seed the fuzz run was started with (`--seed`). */
  seed: number;
  properties: FuzzSummaryProperty[];
}

export interface FuzzSummaryProperty {
  target: string;
  /** The second target of a differential run (`--against`), else null. */
  against: string | null;
  property: string;
  /**
   * `failed`: a deterministic failure or an inconsistency; `broken`: the target misbehaved (nothing failed
   * before); `flaky`: only flaky failures; `interrupted`: none, stopped early.
   */
  status: 'passed' | 'failed' | 'flaky' | 'broken' | 'interrupted';
  interrupted: boolean;
  runs: number;
  cases: number;
  durationMs: number;
  casesPerSecond: number;
  failures: FuzzSummaryFailure[];
  /** A rule the runs break together (e.g. no single order of checks explains the answers), or null. */
  inconsistency: { message: string; requirements: string[]; category: string | null } | null;
  /** Implementation-defined differences of a differential run: never failures. */
  informational: string[];
  /** What the target did wrong when it misbehaved (status `broken`), else null. */
  broken: string | null;
}

export interface FuzzSummaryFailure {
  message: string;
  requirements: string[];
  category: string | null;
  /** The shrunk counterexample in words, secrets redacted. */
  counterexample: string;
  seed: number;
  path: string;
  flaky: boolean;
  /** The command that replays it, and where it was kept in the failure corpus (null: not kept). */
  replay: string | null;
  file: string | null;
}

/**
 * Writes `<outputDir>/summary.json`: an "in progress" file at the very start of the run (replacing an earlier
 * run's), the real one at the end. Only what the file needs is kept per case
 * (an id for a pass costs nothing; full records only for fail and broken), never the CaseResults.
 */
export class SummaryReporter implements Reporter {
  private readonly redact: Redact;
  private run: RunInfo | null = null;
  private targets = new Map<string, SummaryTarget>();
  private counts = emptyCounts();
  private failures: SummaryFailure[] = [];
  private nonStrict: string[] = [];
  private informational: SummaryFile['informational'] = [];
  private notCheckable: SummaryNotCheckable[] = [];
  private flaky: SummaryFlaky[] = [];
  private gateCases: SummaryGateCase[] = [];
  private written: string[] = [];

  constructor(private readonly options: SummaryOptions = {}) {
    this.redact = options.redact ?? identity;
  }

  writtenFiles(): string[] {
    return this.written;
  }

  onPrepare(run: RunInfo): void {
    this.run = run;
    this.writeUnfinished(
      'in-progress',
      1,
      `the run started at ${run.startedAt} has not finished. If it is no longer running, it was killed before ` +
        'writing its summary: results.jsonl holds the cases it finished',
    );
  }

  onRunError(message: string): void {
    this.writeUnfinished('error', message.startsWith('internal error') ? 3 : 2, this.redact(message));
  }

  onBegin(run: RunInfo, targets: TargetRun[]): void {
    this.run = run;
    this.targets = new Map(
      targets.map((t) => [
        t.name,
        {
          info: t.info,
          counts: emptyCounts(),
          choices: {},
          notRun: 0,
          notCheckable: 0,
          ...(t.concurrency ? { concurrency: t.concurrency } : {}),
        },
      ]),
    );
    this.counts = emptyCounts();
    this.failures = [];
    this.nonStrict = [];
    this.informational = [];
    this.notCheckable = [];
    this.flaky = [];
    this.gateCases = [];
    this.written = [];
  }

  onCaseEnd(original: CaseResult): void {
    const result = redactShared(original, this.redact);
    this.counts[result.verdict]++;
    const target = this.target(original.target);
    target.counts[result.verdict]++;
    for (const point in result.choices) target.choices[point] = result.choices[point] ?? '';
    if (result.notCheckable !== undefined && result.notCheckable.length > 0) {
      target.notCheckable++;
      for (const { requirement, reason } of result.notCheckable) {
        this.notCheckable.push({
          id: result.id,
          target: result.target,
          verdict: result.verdict,
          requirement,
          reason: this.redact(reason),
        });
      }
    }
    const attempts = result.attempts?.map((a) => ({ ...a, category: a.category ?? null }));
    if (result.flaky === true && attempts !== undefined) {
      this.flaky.push({
        id: result.id,
        target: result.target,
        verdict: result.verdict,
        attempts,
        replay: result.replay,
      });
    }
    const e = original.expectation;
    if (e !== undefined) {
      this.gateCases.push({
        id: result.id,
        target: result.target,
        verdict: result.verdict,
        status: e.status,
        failsRun: e.failsRun,
        where: e.where,
        reason: this.redact(e.reason),
        ...(e.link === undefined ? {} : { link: e.link }),
      });
    }
    switch (result.verdict) {
      case 'fail':
      case 'broken':
        this.failures.push({
          id: result.id,
          target: result.target,
          verdict: result.verdict,
          category: result.category ?? null,
          requirements: result.requirements,
          message: result.message,
          expected: result.expected ?? null,
          observed: result.observed ?? null,
          choices: result.choices,
          replay: result.replay,
          ...(attempts === undefined ? {} : { attempts }),
          ...(e === undefined || e.status === 'unexpected-pass' ? {} : { expectation: e.status }),
        });
        break;
      case 'non-strict':
        this.nonStrict.push(result.id);
        break;
      case 'informational':
        this.informational.push({ id: result.id, target: result.target, choices: result.choices });
        break;
      default:
        break;
    }
  }

  onTargetError(target: string, message: string): void {
    this.target(target).error = this.redact(message);
  }

  onTargetNote(target: string, message: string): void {
    const t = this.target(target);
    (t.notes ??= []).push(this.redact(message));
  }

  onEnd(summary: RunSummary): void {
    const run = this.run;
    if (!run) throw new Error('onEnd before onBegin');
    const targets: Record<string, SummaryTarget> = {};
    for (const [name, target] of this.targets) {
      // The runner's per-target choices are authoritative (it sees choices a case may not carry); the
      // ones collected from cases fill in when it has none.
      const choices = { ...target.choices, ...(summary.choices[name] ?? {}) };
      const notRun = summary.notRun?.[name] ?? 0;
      targets[name] = redactValue({ ...target, choices, notRun }, this.redact);
    }
    const notRun = Object.values(summary.notRun ?? {}).reduce((a, b) => a + b, 0);
    const missing = summary.merge?.missing.length ?? 0;
    const conformant =
      summary.counts.fail + summary.counts.broken === 0 && !summary.interrupted && notRun === 0 && missing === 0;
    const file: SummaryFile = {
      status: summary.interrupted
        ? 'interrupted'
        : summary.stopped !== undefined
          ? 'stopped'
          : missing > 0
            ? 'incomplete'
            : 'complete',
      conformant,
      exitCode: summary.exitCode ?? (conformant ? 0 : 1),
      startedAt: run.startedAt,
      durationMs: summary.durationMs,
      seed: run.seed,
      command: this.redact(run.command),
      shard: run.shard ?? null,
      ...(summary.merge === undefined ? {} : { merge: redactValue(summary.merge, this.redact) }),
      counts: summary.counts,
      total: summary.total,
      interrupted: summary.interrupted,
      notRun,
      stopped: summary.stopped ?? null,
      targets,
      failures: this.failures,
      flaky: { count: this.flaky.length, cases: this.flaky },
      nonStrict: this.nonStrict,
      informational: this.informational,
      notCheckable: {
        count: new Set(this.notCheckable.map((n) => `${n.target}\u0000${n.id}`)).size,
        byRequirement: countBy(this.notCheckable.map((n) => n.requirement)),
        cases: this.notCheckable,
      },
      ...(summary.gate === undefined
        ? {}
        : { gate: { ...redactValue(summary.gate, this.redact), cases: this.gateCases } }),
    };
    const path = join(this.options.outputDir ?? run.outputDir, 'summary.json');
    writeFileAtomic(path, JSON.stringify(file, null, 2) + '\n');
    this.written = [path];
  }

  private writeUnfinished(status: SummaryInProgressFile['status'], exitCode: 1 | 2 | 3, message: string): void {
    const run = this.run;
    if (!run) return;
    const file: SummaryInProgressFile = {
      status,
      conformant: false,
      exitCode,
      message,
      startedAt: run.startedAt,
      seed: run.seed,
      command: this.redact(run.command),
    };
    const path = join(this.options.outputDir ?? run.outputDir, 'summary.json');
    writeFileAtomic(path, JSON.stringify(file, null, 2) + '\n');
    this.written = [path];
  }

  private target(name: string): SummaryTarget {
    let target = this.targets.get(name);
    if (!target) {
      // A case for a target onBegin did not announce: still count it rather than lose it.
      target = { info: null, counts: emptyCounts(), choices: {}, notRun: 0, notCheckable: 0 };
      this.targets.set(name, target);
    }
    return target;
  }
}

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}
