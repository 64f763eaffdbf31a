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
  /** The shrunk failure as a vector file's content (`{ vectors: [...] }`), for the failure corpus. */
  regression(value: T, failure: FuzzFailure, origin: { seed: number; path: string; target: string }): unknown;
}
