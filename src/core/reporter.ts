import type { GateSummary } from './expectations.ts';
import type { CaseResult, VerdictCounts } from './results.ts';
import type { RequirementInfo } from './suite.ts';
import type { BaseTargetInfo } from './types.ts';

export interface RunInfo {
  /** ISO start time. */
  startedAt: string;
  seed: number;
  /** Absolute path of the reports directory. */
  outputDir: string;
  /** The command line, redacted, for executor.json and the console. */
  command: string;
  harnessVersion: string;
  rootDir: string;
  /** The working directory of the run: case sources (`CaseResult.source`) are relative to it. */
  cwd?: string;
  /**
   * The suites of the targets run, with their requirement catalogues (for severities and titles). Given at
   * onBegin, once the suites are loaded; absent at onPrepare and from callers that do not know them.
   */
  suites?: RunSuite[];
  /**
   * `--shard i/n`: this run ran the i-th of n parts of each target's plan, not the whole plan; reports say so,
   * and `harness merge` joins the parts. Absent: the whole plan (or a merge).
   */
  shard?: { index: number; total: number };
  /**
   * A digest of what decides the plan besides the seed and the targets (the config file's text, `--grep`,
   * `--tier`): runs `harness merge` joins must agree on it.
   */
  configDigest?: string;
  /** Set by `harness merge`: the runs (shards, machines) whose results these are. */
  merge?: MergeInfo;
}

/** What `harness merge` joined, for the reports to say. */
export interface MergeInfo {
  /** Each run merged: its directory (as given), its shard (absent: a whole run), its status. */
  runs: { dir: string; shard?: { index: number; total: number }; status: string; durationMs: number }[];
  /** What is missing ("shard 3/4 of emulated-ios"): the merged report is then incomplete. Empty: nothing. */
  missing: string[];
}

/** A suite in the run: its name, its specification's title and its requirements. */
export interface RunSuite {
  name: string;
  specification: string;
  requirements: readonly RequirementInfo[];
}

export interface TargetRun {
  name: string;
  info: BaseTargetInfo;
  /** Cases planned for this target. */
  planned: number;
  /** How many sessions run at once on this target, and why not more (absent in older callers). */
  concurrency?: Concurrency;
  /** Notes on how this target runs, one line each (`retries` on a deterministic target). */
  notes?: string[];
  /** The suite whose cases the target runs (its registry name). */
  suite?: string;
  /** How many of `planned` are run-level checks (the rest are cases). */
  checks?: number;
  /**
   * The ids of the target's whole plan in run order: every shard's cases, not only this run's. `harness
   * merge` checks that the runs it joins have the same plan, and orders and counts the cases by it.
   */
  order?: readonly string[];
  /** With `--shard`: this shard's estimated cost and every shard's, in ms (src/runner/shard.ts). */
  shardCosts?: readonly number[];
}

/**
 * What became of a target's run-level checks: `ran`; `nothing-judged` (every case broke, so they had
 * nothing to check); `stopped` (the target stopped answering); `interrupted` (or stopped early by
 * `--max-failures`: the checks would see part of the plan); `none` (the plan has none, or this shard had no
 * case of the target).
 */
export type RunChecksStatus = 'ran' | 'nothing-judged' | 'stopped' | 'interrupted' | 'none';

export interface Concurrency {
  /** Sessions (cases) at once: the least of `workers`, the driver's limit and the number of chains. */
  sessions: number;
  /** What the config or `--workers` asked for. */
  workers: number;
  /** How many sessions the target's driver serves at once (1 for one adapter or device). */
  driverLimit: number;
}

export interface RunSummary {
  counts: VerdictCounts;
  total: number;
  durationMs: number;
  /** Per target: choice point -> option, as the target showed over the run. */
  choices: Record<string, Record<string, string>>;
  /** True when the run was interrupted (Ctrl-C, SIGTERM) before every case ran. */
  interrupted: boolean;
  /**
   * Per target, the planned cases (and run-level checks) that never ran: the run was interrupted, the target
   * was stopped because it stopped answering, or no case on it was judged. Absent: none.
   */
  notRun?: Record<string, number>;
  /**
   * The exit code of the run: 0 only when no status of the fail-on policy counted anything (by default:
   * nothing failed or broke unexpected, no unexpected pass) and nothing was interrupted or left not run.
   */
  exitCode?: 0 | 1;
  /** Cases that failed or broke, then passed on a retry (`retries`; each result has `flaky: true`). */
  flaky?: number;
  /**
   * Why cases were not run beside an interrupt or a stopped target: `maxFailures` was reached ("stopped
   * after 1 failed or broken case (--bail)"). Absent: the run was not stopped early.
   */
  stopped?: string;
  /** Per target, what became of its run-level checks (`harness merge` recomputes them when every shard ran). */
  checks?: Record<string, RunChecksStatus>;
  /** Set by `harness merge`: the runs joined and what was missing (then the report is incomplete). */
  merge?: MergeInfo;
  /** The expectations and the fail-on policy over the run (src/core/expectations.ts); absent from older callers. */
  gate?: GateSummary;
}

/**
 * A reporter sees the run as it happens. Every hook is optional and called in lifecycle order through a
 * multiplexer that isolates one reporter's error from the others. `onEnd` may be async (flush files).
 */
export interface Reporter {
  /**
   * The very start of a run, before anything that can take time or fail: a file reporter removes the report
   * an earlier run left and writes an explicit "in progress" one in its place, so a run killed at any point
   * never leaves an earlier run's green report beside its own results.
   */
  onPrepare?(run: RunInfo): void;
  /** The run ended on an error before its first case (exit 2 or 3): a file reporter says so in its report. */
  onRunError?(message: string): void;
  onBegin?(run: RunInfo, targets: TargetRun[]): void | Promise<void>;
  onCaseEnd?(result: CaseResult): void;
  /**
   * A target stopped mid-run (it stopped answering), or one whose run-level checks could not run: its
   * remaining cases are not run, counted in {@link RunSummary.notRun}, never reported one by one.
   */
  onTargetError?(target: string, message: string): void;
  /**
   * Something a reader of the run must know about a target that changed no verdict (a device was lost and
   * its case ran again on another device).
   */
  onTargetNote?(target: string, message: string): void;
  onEnd?(summary: RunSummary): void | Promise<void>;
}
