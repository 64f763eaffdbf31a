/**
 * The fuzz engine: a suite's properties (a fast-check arbitrary and a check of one generated value against
 * a target) run in seeded batches until a time or run budget is spent, a failure is found, or Ctrl-C.
 * A failure is shrunk by fast-check, re-run to tell a deterministic failure from a flaky one, and handed
 * back with the seed and path that reproduce it.
 */
import fc from 'fast-check';
import type { FuzzFailure, FuzzProperty } from '../core/fuzz.ts';

export type { FuzzFailure, FuzzProperty };

export interface FuzzBudget {
  /** Stop after this long (ms), or after `runs` runs, whichever comes first. */
  timeMs: number;
  runs: number;
  seed: number;
}

export interface FuzzProgress {
  property: string;
  runs: number;
  elapsedMs: number;
}

export type FuzzOutcome<T> =
  | { kind: 'passed'; property: string; runs: number; elapsedMs: number; interrupted: boolean }
  /** The runs together break a run-wide rule (no single shrinkable counterexample). */
  | { kind: 'inconsistent'; property: string; runs: number; elapsedMs: number; seed: number; failure: FuzzFailure }
  | {
      kind: 'failed';
      property: string;
      runs: number;
      elapsedMs: number;
      /** The batch seed and fast-check path that reproduce the shrunk counterexample. */
      seed: number;
      path: string;
      counterexample: T;
      description: string;
      failure: FuzzFailure;
      /** Re-run twice after shrinking: failed both times (deterministic) or not (flaky). */
      flaky: boolean;
      shrinks: number;
    };

class CheckFailed extends Error {
  constructor(readonly failure: FuzzFailure) {
    super(failure.message);
  }
}

/** Runs of one batch: small enough that a time budget and Ctrl-C are honoured within a fraction of a second. */
const BATCH_RUNS = 100;

export async function fuzzProperty<T>(
  property: FuzzProperty<T>,
  budget: FuzzBudget,
  options: { signal?: AbortSignal; onProgress?: (p: FuzzProgress) => void } = {},
): Promise<FuzzOutcome<T>> {
  const signal = options.signal ?? new AbortController().signal;
  const started = Date.now();
  let runs = 0;
  let lastProgress = 0;
  const prop = fc.asyncProperty(property.arbitrary, async (value) => {
    const failure = await property.check(value, signal);
    if (failure !== null) throw new CheckFailed(failure);
  });
  for (let batch = 0; ; batch++) {
    const elapsed = Date.now() - started;
    if (signal.aborted || elapsed >= budget.timeMs || runs >= budget.runs) {
      return { kind: 'passed', property: property.name, runs, elapsedMs: elapsed, interrupted: signal.aborted };
    }
    // Each batch has its own seed, derived from the run's: a failure is replayed from (batch seed, path).
    const seed = (budget.seed + batch * 0x9e3779b1) >>> 0;
    const numRuns = Math.min(BATCH_RUNS, budget.runs - runs);
    const details = await fc.check(prop, { seed, numRuns, endOnFailure: false, markInterruptAsFailure: false });
    if (!details.failed) {
      runs += details.numRuns;
      const inconsistent = property.consistency?.() ?? null;
      if (inconsistent !== null) {
        return {
          kind: 'inconsistent',
          property: property.name,
          runs,
          elapsedMs: Date.now() - started,
          seed: budget.seed,
          failure: inconsistent,
        };
      }
      if (options.onProgress && Date.now() - lastProgress > 500) {
        lastProgress = Date.now();
        options.onProgress({ property: property.name, runs, elapsedMs: Date.now() - started });
      }
      continue;
    }
    runs += details.numRuns;
    const counterexample = (details.counterexample as [T])[0];
    const error = details.errorInstance;
    const failure: FuzzFailure =
      error instanceof CheckFailed
        ? error.failure
        : {
            message: `the check itself threw: ${error instanceof Error ? error.message : String(error)}`,
            requirements: [],
          };
    // Deterministic or flaky: the shrunk counterexample must fail again, twice.
    let again = 0;
    for (let i = 0; i < 2; i++) if ((await property.check(counterexample, signal)) !== null) again++;
    return {
      kind: 'failed',
      property: property.name,
      runs,
      elapsedMs: Date.now() - started,
      seed,
      path: details.counterexamplePath ?? '',
      counterexample,
      description: property.describe(counterexample),
      failure,
      flaky: again < 2,
      shrinks: details.numShrinks,
    };
  }
}
