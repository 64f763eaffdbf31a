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
}

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
  onEnd?(summary: RunSummary): void | Promise<void>;
}
