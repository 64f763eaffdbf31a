/**
 * The fuzz engine: a suite's property (a fast-check arbitrary and a check of one generated value against a
 * target) runs in seeded batches until a time or run budget is spent, enough distinct failures are found,
 * or Ctrl-C. A failure is shrunk by fast-check, re-run to tell a deterministic failure from a flaky one,
 * and handed back with the seed and path that reproduce it. Later failures with the signature of one
 * already found (same requirements and category) are counted, not shrunk again, so a run can go on to
 * find the next distinct failure (`maxFailures`).
 */
import fc from 'fast-check';
import type { FuzzFailure, FuzzProperty, FuzzStatistics } from '../core/fuzz.ts';

export type { FuzzFailure, FuzzProperty, FuzzStatistics };

export interface FuzzBudget {
  /** Stop after this long (ms), or after `runs` runs, whichever comes first. */
  timeMs: number;
  runs: number;
  seed: number;
  /** Stop after this many distinct failures (default 1, like a test that stops at its first failure). */
  maxFailures?: number;
}

export interface FuzzProgress {
  property: string;
  runs: number;
  cases: number;
  failures: number;
  elapsedMs: number;
}

export interface FoundFailure<T> {
  /** The batch seed and fast-check path that reproduce the shrunk counterexample. */
  seed: number;
  path: string;
  counterexample: T;
  description: string;
  failure: FuzzFailure;
  /** Re-run twice after shrinking: failed both times (deterministic) or not (flaky). */
  flaky: boolean;
  shrinks: number;
  foundAfterRuns: number;
  foundAfterMs: number;
}

/**
 * Why a property stopped. Failures found before it are in {@link FuzzOutcome.failures} whatever the end: a
 * property can find a counterexample and then break, or find one and then an inconsistency.
 */
export type FuzzEnd =
  /** The time or run budget was spent. */
  | { how: 'budget' }
  /** As many distinct failures as `maxFailures` asked for were found. */
  | { how: 'max-failures' }
  /** Ctrl-C (the signal) before the budget was spent. */
  | { how: 'interrupted' }
  /** The target misbehaved (the check threw: a driver error); the property stopped there. */
  | { how: 'broken'; reason: string }
  /** The runs together break a run-wide rule (no single shrinkable counterexample). */
  | { how: 'inconsistent'; failure: FuzzFailure };

export interface FuzzOutcome<T> {
  property: string;
  seed: number;
  runs: number;
  elapsedMs: number;
  end: FuzzEnd;
  /** Distinct failures in the order found. */
  failures: FoundFailure<T>[];
  /** Failing runs whose failure had the signature of one already found. */
  repeats: number;
  statistics: FuzzStatistics;
}

/** The run-wide failure a property ended on, or null. */
export function inconsistencyOf(outcome: Pick<FuzzOutcome<unknown>, 'end'>): FuzzFailure | null {
  return outcome.end.how === 'inconsistent' ? outcome.end.failure : null;
}

/** What the target did wrong when the property ended broken, or null. */
export function brokenReason(outcome: Pick<FuzzOutcome<unknown>, 'end'>): string | null {
  return outcome.end.how === 'broken' ? outcome.end.reason : null;
}

class CheckFailed extends Error {
  constructor(readonly failure: FuzzFailure) {
    super(failure.message);
  }
}

/** Runs of one batch: small enough that a time budget and Ctrl-C are honoured within a fraction of a second. */
const BATCH_RUNS = 100;
/** How long a failure found just before the time budget ends may still be shrunk past it. */
export const SHRINK_GRACE_MS = 2_000;

export function failureSignature(f: FuzzFailure): string {
  return `${[...f.requirements].sort().join(',')}|${f.category ?? ''}`;
}

const NO_STATISTICS: FuzzStatistics = { cases: 0, tables: {}, attachments: [], informational: [] };

export async function fuzzProperty<T>(
  property: FuzzProperty<T>,
  budget: FuzzBudget,
  options: { signal?: AbortSignal; onProgress?: (p: FuzzProgress) => void } = {},
): Promise<FuzzOutcome<T>> {
  const signal = options.signal ?? new AbortController().signal;
  const maxFailures = budget.maxFailures ?? 1;
  const started = Date.now();
  const known = new Set<string>();
  const failures: FoundFailure<T>[] = [];
  let runs = 0;
  let repeats = 0;
  let lastProgress = 0;
  let broken: string | null = null;
  // Runs of the current batch that got as far as the target (a broken batch counts only those).
  let attempted = 0;
  let firstFailureAt: { ms: number; runs: number } | null = null;
  let outOfTime = false;
  const deadline = started + budget.timeMs;
  const statistics = () => property.statistics?.() ?? NO_STATISTICS;
  const prop = fc.asyncProperty(property.arbitrary, async (value) => {
    // After a driver error the rest of the batch passes at once: a misbehaving target is not shrunk
    // against (every attempt could wait for a timeout), it ends the property as broken.
    if (broken !== null) return;
    // Past the time budget the rest of the batch passes at once, so the budget holds within one check (and no
    // check is left running behind); a failure found before it is still shrunk, for SHRINK_GRACE_MS more.
    if (Date.now() >= deadline + (firstFailureAt === null ? 0 : SHRINK_GRACE_MS)) {
      outOfTime = true;
      return;
    }
    attempted++;
    let failure: FuzzFailure | null;
    try {
      failure = await property.check(value, signal);
    } catch (error) {
      if (signal.aborted) return;
      broken = `${error instanceof Error ? error.message : String(error)} (while running: ${property.describe(value)})`;
      return;
    }
    if (failure === null) return;
    if (known.has(failureSignature(failure))) {
      repeats++;
      return;
    }
    // The first failing run of the batch, before shrinking: what "time to the first failure" means.
    firstFailureAt ??= { ms: Date.now() - started, runs: runs + attempted };
    throw new CheckFailed(failure);
  });
  const outcome = (end: FuzzEnd): FuzzOutcome<T> => ({
    property: property.name,
    seed: budget.seed,
    runs,
    elapsedMs: Date.now() - started,
    end,
    failures,
    repeats,
    statistics: statistics(),
  });
  for (let batch = 0; ; batch++) {
    // The order says which end is reported when several hold at once (a target that broke, then Ctrl-C).
    if (broken !== null) return outcome({ how: 'broken', reason: broken });
    if (signal.aborted) return outcome({ how: 'interrupted' });
    if (failures.length >= maxFailures) return outcome({ how: 'max-failures' });
    if (Date.now() - started >= budget.timeMs || runs >= budget.runs) return outcome({ how: 'budget' });
    // Each batch has its own seed, derived from the run's: a failure is replayed from (batch seed, path).
    const seed = (budget.seed + batch * 0x9e3779b1) >>> 0;
    const numRuns = Math.min(BATCH_RUNS, budget.runs - runs);
    attempted = 0;
    firstFailureAt = null;
    outOfTime = false;
    const details = await fc.check(prop, { seed, numRuns, endOnFailure: false, markInterruptAsFailure: false });
    runs += broken === null && !outOfTime ? details.numRuns : Math.min(attempted, details.numRuns);
    const inconsistency = property.consistency?.() ?? null;
    if (inconsistency !== null) return outcome({ how: 'inconsistent', failure: inconsistency });
    if (details.failed) {
      const counterexample = (details.counterexample as [T])[0];
      const error = details.errorInstance;
      const failure: FuzzFailure =
        error instanceof CheckFailed
          ? error.failure
          : {
              message: `the check itself threw: ${error instanceof Error ? error.message : String(error)}`,
              requirements: [],
            };
      const found = firstFailureAt ?? { ms: Date.now() - started, runs };
      // Deterministic or flaky: the shrunk counterexample must fail again, twice (an error counts as not).
      let again = 0;
      for (let i = 0; i < 2; i++) {
        const repeated = await property.check(counterexample, signal).catch(() => null);
        if (repeated !== null) again++;
      }
      known.add(failureSignature(failure));
      failures.push({
        seed,
        path: details.counterexamplePath ?? '',
        counterexample,
        description: property.describe(counterexample),
        failure,
        flaky: again < 2,
        shrinks: details.numShrinks,
        foundAfterRuns: found.runs,
        foundAfterMs: found.ms,
      });
    }
    if (options.onProgress && Date.now() - lastProgress > 500) {
      lastProgress = Date.now();
      options.onProgress({
        property: property.name,
        runs,
        cases: statistics().cases,
        failures: failures.length,
        elapsedMs: Date.now() - started,
      });
    }
  }
}
