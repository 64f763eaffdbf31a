import type { CaseResult, VerdictCounts } from './results.ts';
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
}

export interface TargetRun {
  name: string;
  info: BaseTargetInfo;
  /** Cases planned for this target. */
  planned: number;
}

export interface RunSummary {
  counts: VerdictCounts;
  total: number;
  durationMs: number;
  /** Per target: choice point -> option, as the target showed over the run. */
  choices: Record<string, Record<string, string>>;
  /** True when the run was interrupted (Ctrl-C) before every case ran. */
  interrupted: boolean;
}

/**
 * A reporter sees the run as it happens. Every hook is optional and called in lifecycle order through a
 * multiplexer that isolates one reporter's error from the others. `onEnd` may be async (flush files).
 */
export interface Reporter {
  onBegin?(run: RunInfo, targets: TargetRun[]): void | Promise<void>;
  onCaseEnd?(result: CaseResult): void;
  /** A target that could not be started or lost mid-run; its remaining cases are reported broken. */
  onTargetError?(target: string, message: string): void;
  onEnd?(summary: RunSummary): void | Promise<void>;
}
