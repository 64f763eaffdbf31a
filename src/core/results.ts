import type { CaseRoute } from './types.ts';

/**
 * - pass: the observation is what the specification requires.
 * - fail: it is not (a MUST requirement is broken).
 * - non-strict: accepted, but deviates from the strict reading (e.g. an Android URL-method link without
 *   `.com` that was handled anyway).
 * - informational: passed, and the outcome depended on an implementation-defined choice; `choices` says which.
 * - not-applicable: the case needs a capability the target lacks.
 * - broken: the target or the harness misbehaved (timeout, protocol error, crash), so no verdict was possible.
 */
export type Verdict = 'pass' | 'fail' | 'non-strict' | 'informational' | 'not-applicable' | 'broken';

export const VERDICTS: readonly Verdict[] = ['pass', 'fail', 'non-strict', 'informational', 'not-applicable', 'broken'];

/** Why a case failed, for grouping in reports (Allure categories). */
export type FailureCategory =
  | 'wrong-result-code'
  | 'state-changed-by-failing-request'
  | 'wrong-state'
  | 'precedence'
  | 'not-handled'
  | 'handled-unexpectedly'
  | 'wrong-delivery'
  | 'password-leak'
  | 'inconsistent-choice'
  | 'browser-altered-url'
  | 'server-error'
  | 'schema-violation'
  | 'broken-target';

export interface Attachment {
  name: string;
  contentType: 'text/plain' | 'application/json' | 'application/xml' | 'image/png';
  /** Already redacted (text). An image is base64 (`encoding`). */
  body: string;
  encoding?: 'base64';
}

export interface StepRecord {
  name: string;
  status: 'passed' | 'failed' | 'broken' | 'skipped';
  start: number;
  stop: number;
  attachments?: Attachment[];
  message?: string;
}

/** Everything known about one case after it ran. Secrets are redacted before this object is built. */
export interface CaseResult {
  /** Stable across runs: `<suite>:<name>[@<platform>-<method>]` (src/core/case-ids.ts). */
  id: string;
  title: string;
  target: string;
  /** Specification, e.g. "Open Mobile Provisioning API 3.2" (Allure parentSuite). */
  specification: string;
  /** A client case's platform and delivery method; none for a server suite's cases. */
  route?: CaseRoute;
  /** e.g. "routing", "omission", "length-limits" (Allure subSuite). */
  area: string;
  requirements: string[];
  verdict: Verdict;
  /** One line: what was expected and what was observed. */
  message: string;
  category?: FailureCategory;
  /** Redacted parameters shown in reports. */
  parameters: Record<string, string>;
  expected?: unknown;
  observed?: unknown;
  /** Implementation-defined choices this case showed the target making: choice point -> option. */
  choices: Record<string, string>;
  /**
   * Requirements this case could not check on this target, and why (a password too short or too common to
   * tell a leak from ordinary log text): never counted as checked, whatever the verdict.
   */
  notCheckable?: { requirement: string; reason: string }[];
  /** Capabilities the case needed and the target lacked (not-applicable). */
  missing?: string[];
  steps: StepRecord[];
  attachments: Attachment[];
  start: number;
  stop: number;
  /** The command that re-runs exactly this case. */
  replay: string;
  /** Where the case is written: its vector's file and line (absent for generated cases and run-level checks). */
  source?: CaseSource;
  /**
   * Every attempt, in order, when the case ran more than once (`retries`: it failed or broke, and was run
   * again on a fresh session); the last is this result's own. Absent: the case ran once.
   */
  attempts?: CaseAttempt[];
  /**
   * An earlier attempt failed or broke and the last one did not: the case is *flaky* (it passed only on a
   * retry). Never set on a case whose every attempt failed: that is a failure.
   */
  flaky?: true;
  /**
   * What the suite's run-level checks need of this case beyond its verdict and `choices` (Open Mobile: which
   * check answered before which), owned by the suite and opaque to the engine. Recorded in results.jsonl so
   * that `harness merge` recomputes the checks over every shard's cases (`Suite.runChecks`).
   */
  evidence?: Record<string, unknown>;
  /**
   * What the target gave at each step of the case (its observations, in order, and the state read back), as
   * the suite needs them to judge the case again with no target and no session (`Suite.rejudge`,
   * src/core/rejudge.ts: the verify command). Owned by the suite and opaque to the engine. Redacted like the
   * rest: a secret of the case stands as a marker naming which of the case's known secrets (derived from its
   * vector) stood there, never as the secret.
   */
  observations?: Record<string, unknown>;
  /**
   * Set on a run-level check (choice consistency, precedence order) rather than a case: computed over the
   * target's cases, so `harness merge` replaces the checks each shard made of its own part with ones
   * recomputed over all of them.
   */
  runLevel?: true;
  /**
   * What the expectations file decided about this case (src/core/expectations.ts), set by the runner
   * before any reporter sees the result; absent when no entry matched it.
   */
  expectation?: CaseExpectation;
}

/** The verdicts an expectations entry may allow (src/core/expectations.ts); pass and informational are passing. */
export type ExpectedVerdict = Exclude<Verdict, 'not-applicable'>;

/**
 * What an entry decided about one case (on `CaseResult.expectation`):
 * - `expected`: the verdict is one the entry allows (and the recorded failure, if any, is the same);
 * - `changed`: allowed, but the failure's category or message differs from the one recorded (a known case
 *   failing in a new way);
 * - `unexpected-pass`: the case passed, and the entry (naming this very case) allows no pass;
 * - `unexpected-verdict`: the case ended with another non-passing verdict than the entry allows: it counts
 *   as its verdict does without an entry.
 */
export interface CaseExpectation {
  status: 'expected' | 'changed' | 'unexpected-pass' | 'unexpected-verdict';
  /** The entry, for a message: `harness.expectations.json /expectations/3`. */
  where: string;
  /** The entry's case pattern and target pattern (`*`: any). */
  case: string;
  target: string;
  allowed: ExpectedVerdict[];
  reason: string;
  link?: string;
  /** The failure the entry recorded, when it recorded one. */
  recorded?: { category?: string; message?: string };
  /** True when this case makes the run fail under the policy. */
  failsRun: boolean;
}

/** One attempt of a case that ran more than once. */
export interface CaseAttempt {
  verdict: Verdict;
  message: string;
  category?: FailureCategory;
  start: number;
  stop: number;
}

/**
 * A case's place in the sources: `file` relative to the directory the harness ran in (the repository's root
 * in CI), with forward slashes; `line` (1-based) where its vector starts, when known. The `github`
 * reporter's annotations point there.
 */
export interface CaseSource {
  file: string;
  line?: number;
}

/** Counts per verdict. */
export type VerdictCounts = Record<Verdict, number>;

export function emptyCounts(): VerdictCounts {
  return { pass: 0, fail: 0, 'non-strict': 0, informational: 0, 'not-applicable': 0, broken: 0 };
}

/** A verdict that makes the run exit 1. */
export function isBad(verdict: Verdict): boolean {
  return verdict === 'fail' || verdict === 'broken';
}
