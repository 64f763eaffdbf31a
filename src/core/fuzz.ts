/**
 * What a suite offers the fuzzer (src/fuzz/): properties over generated values, checked against a target,
 * and a way to keep a shrunk failure as an ordinary vector.
 */
import type { Arbitrary } from 'fast-check';

export interface FuzzFailure {
  /** One paragraph: what was expected and what was observed. */
  message: string;
  requirements: string[];
  category?: string;
}

export interface FuzzProperty<T> {
  /** Short and stable (`sequences`, `precedence`): how harness.config.ts and `--property` select it. */
  id: string;
  /** In words, for the console and the report. */
  name: string;
  arbitrary: Arbitrary<T>;
  /** Runs one generated value from a fresh start; null when the target behaved as the model predicts. */
  check(value: T, signal: AbortSignal): Promise<FuzzFailure | null>;
  /** The value in words, secrets redacted. */
  describe(value: T): string;
  /**
   * A check over every run so far (e.g. one order of checks explains all multi-violation answers), asked
   * after each batch: null, or the failure with the runs that contradict each other in its message.
   */
  consistency?(): FuzzFailure | null;
  /** What the runs so far counted: cases, tallies, text attachments (a precedence matrix). */
  statistics?(): FuzzStatistics;
  /** The shrunk failure as a vector file's content (`{ vectors: [...] }`), for the failure corpus. */
  regression(
    value: T,
    failure: FuzzFailure,
    origin: { seed: number; path: string; target: string; property: string },
  ): RegressionFile;
}

/**
 * A kept failure, as the suite's own vector file: what the engine reads of it is the first vector's id (the
 * file's name) and its `origin` record (where the failure was found); the rest is the suite's format.
 */
export interface RegressionFile {
  /** Why the file exists, for the reader (vector files take either). */
  $comment?: string;
  description?: string;
  vectors: { id: string; origin?: Record<string, unknown> | undefined }[];
}

/** What a property counted over a fuzz run, for the progress line, the report and the benchmark. */
export interface FuzzStatistics {
  /** Requests sent and judged (a run is one or more). */
  cases: number;
  /** Named tallies, e.g. `{ 'result code': { '0': 812, '33': 90 }, 'steps per run': { '1': 300 } }`. */
  tables: Record<string, Record<string, number>>;
  /** Text attachments for the report, e.g. the precedence matrix (already redacted). */
  attachments: { name: string; body: string }[];
  /** Implementation-defined differences (differential runs): informational, never a failure. */
  informational: string[];
}

/** One distinct failure a fuzz run found, shrunk and re-run (what reports show). */
export interface FuzzFailureReport {
  message: string;
  requirements: string[];
  category?: string;
  /** The shrunk counterexample in words, secrets redacted. */
  counterexample: string;
  /** The batch seed and fast-check path that reproduce it. */
  seed: number;
  path: string;
  /** Failed again on neither or one of two re-runs after shrinking. */
  flaky: boolean;
  shrinks: number;
  /** Runs and milliseconds from the start of the property to the first failing run. */
  foundAfterRuns: number;
  foundAfterMs: number;
  /** Where it was kept in the failure corpus (null: flaky or not kept), and the command that replays it. */
  file: string | null;
  replay: string | null;
}

/** One property on one target: the unit of the fuzz reports (one Allure test, one summary.json entry). */
export interface FuzzReportEntry {
  target: string;
  /** With `--against`: the second target. */
  against: string | null;
  specification: string;
  property: string;
  /** The seed the run was started with (`--seed`). */
  seed: number;
  start: number;
  stop: number;
  runs: number;
  interrupted: boolean;
  failures: FuzzFailureReport[];
  /** A run-wide rule the runs break together (e.g. no single order of checks), or null. */
  inconsistency: FuzzFailure | null;
  /**
   * The target misbehaved (an error from the driver: a hang past its timeout, garbage, a dropped
   * connection): the property stopped there, without shrinking; what was found before is kept. Null if not.
   */
  broken: string | null;
  statistics: FuzzStatistics;
}
