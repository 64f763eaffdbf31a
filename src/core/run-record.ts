/**
 * `run.json`: what a run's output directory holds beside results.jsonl (the jsonl reporter writes both), so
 * that `harness merge` can join several runs (the shards of `--shard`, or machines) into one report without
 * the targets: which plan each run belongs to, its part of it, its targets and what became of them.
 */
import type { MergeInfo, RunChecksStatus, TargetRun } from './reporter.ts';
import type { VerdictCounts } from './results.ts';

/** The format's name and version: a reader refuses another. */
export const RUN_RECORD_FORMAT = 'provisioning-harness-run/1';
export const RUN_RECORD_FILE = 'run.json';

export interface RunRecord {
  format: typeof RUN_RECORD_FORMAT;
  /** `in-progress` until the run ends (a run killed leaves it so); `error`: it stopped before its first case. */
  status: 'in-progress' | 'complete' | 'interrupted' | 'error';
  /** The results file beside it (the jsonl reporter's `fileName`). */
  results: string;
  harnessVersion: string;
  startedAt: string;
  seed: number;
  command: string;
  /** What decides the plan besides the seed and targets (src/runner/shard.ts `configDigest`). */
  configDigest: string | null;
  /** `--shard i/n`, or null for the whole plan. */
  shard: { index: number; total: number } | null;
  /** The targets as the run announced them: info, planned cases and checks, the whole plan's order. */
  targets: TargetRun[];
  /** Why a target stopped mid-run, or why its checks did not run (as the run reported it). */
  targetErrors: Record<string, string>;
  /** Set once the run ended. */
  end: {
    counts: VerdictCounts;
    total: number;
    durationMs: number;
    interrupted: boolean;
    notRun: Record<string, number>;
    checks: Record<string, RunChecksStatus>;
    exitCode: number;
  } | null;
  /** Set on the output of `harness merge` (which is not merged again). */
  merge?: MergeInfo;
}
