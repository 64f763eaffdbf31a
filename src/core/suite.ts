import type { RenamedVector } from './case-ids.ts';
import type { CommandContext } from './commands.ts';
import { HarnessError } from './errors.ts';
import type { FuzzProperty } from './fuzz.ts';
import type { IcsVocabulary } from './ics.ts';
import type { CaseResult, CaseSource, FailureCategory, Verdict } from './results.ts';
import type { BaseTargetInfo, CaseRoute } from './types.ts';

/** What the engine knows of a case before it runs: enough to report it broken or not applicable. */
export interface PlannedCase {
  /**
   * Stable across runs, and the same form in every suite: `<suite>:<name>[@<platform>-<method>]`
   * (src/core/case-ids.ts; docs/vectors.md, "Case ids").
   */
  id: string;
  title: string;
  area: string;
  requirements: string[];
  /** A client case's platform and delivery method; a server suite's cases have none. */
  route?: CaseRoute;
  /** Where the case is written (its vector's file and line), for reports that point at it. */
  source?: CaseSource;
  /** Capabilities without which the case is not applicable. */
  needs: readonly string[];
  /**
   * Values the case sends that must never be reported (passwords in every form), so that even a broken
   * case's message (a driver's error, a body excerpt) is redacted.
   */
  secrets?: string[];
  /**
   * How many requests (steps) the case sends to the target, for the cost estimate that balances shards
   * (`--shard`; src/runner/shard.ts). Default 1.
   */
  requests?: number;
  /**
   * The wall time the case itself needs (a real-time wait plus a margin for its requests), in ms. The
   * runner gives the case the larger of this and the target's (or CLI's) `timeoutMs`: `caseTimeoutMs`.
   * Absent for every case that does not wait on purpose.
   */
  timeoutMs?: number;
}

/** How long the runner lets `planned` run: the target's timeout, or more where the case declares a need. */
export function caseTimeoutMs(planned: Pick<PlannedCase, 'timeoutMs'>, targetTimeoutMs: number): number {
  const need = planned.timeoutMs;
  return need !== undefined && Number.isFinite(need) && need > targetTimeoutMs ? need : targetTimeoutMs;
}

/**
 * What one case runs with. `S` is the session its target's driver opened, `I` what the target's `info()`
 * told, `R` the case's share of the suite's per-run resources ({@link SuiteRun}).
 */
export interface CaseEnv<S, I extends BaseTargetInfo = BaseTargetInfo, R = null> {
  session: S;
  /**
   * This case's share of what the suite started for the run (Open Mobile: a scope of the harness's profile
   * service, with its own faults and request log), the same for every case of a chain; null when the suite
   * starts nothing for a run.
   */
  scope: R | null;
  signal: AbortSignal;
  info: I;
  targetName: string;
  /** The command that re-runs this case. */
  replay: string;
  /** Attach the case's details always, or only when it does not pass. */
  artifacts: 'on-failure' | 'always';
  /**
   * The case's seeded generator (`caseRandom(seed, target, case id)`, src/core/random.ts): the only source
   * of the random values a case uses (fixture names, generated data), so that two runs with one seed give
   * the same messages, step names and parameters.
   */
  random: () => number;
}

/** One target's share of a suite: its cases, how to run one, and the run-level checks at the end. */
export interface TargetPlan<S, I extends BaseTargetInfo = BaseTargetInfo, R = null> {
  cases: PlannedCase[];
  /** Runs one case and judges it. May throw: the runner then reports the case broken. */
  run(planned: PlannedCase, env: CaseEnv<S, I, R>): Promise<CaseResult>;
  /**
   * Checks over the whole run (consistency of implementation-defined choices, error precedence), as extra
   * results. Called once after every case of the target ran, with the target's results in the plan's run
   * order (whatever order they finished in). A suite computes them with its `runChecks` from `recorded`
   * alone, so that `harness merge`, which calls `runChecks` over the results of every shard, finds what one
   * run would have found.
   */
  finish(recorded: readonly RecordedCase[]): CaseResult[];
  /**
   * How many results `finish` adds (0 when absent): part of the plan a run announces, and counted as not run
   * when the run ends before them.
   */
  readonly checks?: number;
  /**
   * Optional: what a case covers, for `--tier smoke` (its requirements, and the choice-point options its
   * request reaches, as the suite's model says). Without it, a case covers its requirements.
   */
  coverage?(planned: PlannedCase): readonly string[];
  /**
   * Optional: what running the case alone costs the target, in requests (its own, and what a reset it
   * needs costs in requests), so that the smoke tier takes the cheaper of two cases that cover as much.
   * Without it, a case's `requests`.
   */
  cost?(planned: PlannedCase): number;
  /**
   * Optional: the cases (already selected and ordered) as chains that may run back to back on one session
   * and one share of the suite's run resources (`scope`), each case starting from the state the one before it left, when the
   * suite can prove that state is the one the case needs (so a device needs fewer resets). The runner
   * gives a whole chain to one session, in order, and a fresh scope to each chain. Without it, or with
   * chains of one, every case starts from a reset. Every case must be in exactly one chain.
   */
  chains?(ordered: PlannedCase[]): PlannedCase[][];
}

/** A case's result as the run-level checks read it: from the run, or from results.jsonl (`harness merge`). */
export type RecordedCase = Pick<CaseResult, 'id' | 'verdict' | 'choices' | 'evidence'>;

/** A case's judgement recomputed from its recorded observations ({@link Suite.rejudge}). */
export interface Rejudged {
  verdict: Verdict;
  message: string;
  category?: FailureCategory;
  choices: Record<string, string>;
  /** What the run-level checks read of the case (`CaseResult.evidence`), recomputed too. */
  evidence?: Record<string, unknown>;
}

/** What re-judging a target's cases knows of it: what it told (run.json) and what its config declared. */
export interface RejudgeTarget {
  name: string;
  info: BaseTargetInfo;
  /** Declared check order (result codes, first checked first), or null. */
  precedence: number[] | null;
  /** The run recorded every choice an answer showed (`TargetDeclarations.everyChoice`: it ran under an ICS). */
  everyChoice?: boolean;
}

/** Where the run-level checks of a target are computed for. */
export interface RunCheckContext {
  target: string;
  info: BaseTargetInfo;
  /** The command that re-runs the target's whole plan: the checks' replay line. */
  replay: string;
}

export interface SuiteLoadContext {
  /** File names in messages and reports are shown relative to this directory (the working directory). */
  rootDir: string;
  /** The config file as messages name it (relative to rootDir), or null for the built-in defaults. */
  configFile?: string | null;
  /**
   * The failure corpus (config `fuzz.corpus`): the fuzzer's kept failures, run first. Default: `regressions/`
   * beside vectorsDir.
   */
  corpusDir?: string;
  /**
   * The directory holding every suite's vectors (`<vectorsRoot>/<suite name>/`). A suite whose folder the
   * config names itself gets it from its registry entry (src/cli/builtins.ts).
   */
  vectorsRoot: string;
  obfuscationKey: string | null;
  /** For the commands a suite prints in its messages (`npx harness explain <id>`): src/core/commands.ts. */
  commands?: CommandContext;
  /**
   * Told of each vector a file gives under a former id (a failure kept before case ids changed, a vector
   * written the old way): the suite loads it under its conventional id (`renameFormerIds`), and the engine
   * resolves the former id to it and says so (src/core/case-ids.ts).
   */
  renamed?: (rename: RenamedVector) => void;
}

export interface TargetDeclarations {
  name: string;
  /** Declared check order (result codes, first checked first), or null. */
  precedence: number[] | null;
  /**
   * `every-case` (default): every case starts from a reset. `fewest`: cases that provably leave the client
   * as they found it are chained so that the next one starts from that state without a reset (devices).
   */
  resets?: 'every-case' | 'fewest';
  /** For the replay lines of the plan's run-level checks (src/core/commands.ts). */
  commands?: CommandContext;
  /**
   * Record, in each result's `choices`, the option taken at every choice point an answer shows, the
   * suite's own reading (its first option) too. A suite that otherwise records only its other options
   * (the server suites) then shows the first one as well, so that a conformance statement declaring the
   * other one is checked (src/core/ics.ts; set by the runner under a statement and by `harness ics`).
   * Absent: as the suite records choices by default.
   */
  everyChoice?: boolean;
}

/** A requirement as reports show it (the suite's catalogue). */
export interface RequirementInfo {
  id: string;
  title: string;
  severity: string;
  quote: string;
  source: string;
}

export interface ChoicePointInfo {
  id: string;
  title: string;
  options: readonly string[];
  reading: string;
}

export interface FuzzOptions<S, I extends BaseTargetInfo = BaseTargetInfo, R = null> {
  /** Property ids to run (default: all of the suite's). */
  properties?: readonly string[];
  /** The second target of a differential run. */
  against?: FuzzEnv<S, I, R>;
  /** Most requests in one generated sequence (default 4). */
  maxSteps?: number;
}

/** What a suite's fuzz property gets: one session on the target and its share of the suite's run resources. */
export interface FuzzEnv<S, I extends BaseTargetInfo = BaseTargetInfo, R = null> {
  session: S;
  /** The target's share of what the suite started for the run ({@link CaseEnv.scope}); null if nothing. */
  scope: R | null;
  info: I;
  target: TargetDeclarations;
}

/**
 * What a suite starts once for a run (Open Mobile: the harness's profile service, serving its catalog) and
 * shares out: one share per chain of cases and per fuzzed target, closed after it (`scope` in
 * {@link CaseEnv} and {@link FuzzEnv}).
 */
export interface SuiteRun<R> {
  /** A fresh share, with its own state (Open Mobile: a profile-service scope, its own faults and log). */
  open(): { scope: R; close(): void };
  /** Releases everything the run started. */
  stop(): Promise<void>;
}

/**
 * A specification's test suite. `S` is the session its targets' drivers open (an Open Mobile client
 * session; a connection to a provisioning server), `I` what their `info()` tells, `R` what each case gets
 * of the resources the suite starts for a run ({@link SuiteRun}; `null` for a suite that starts none).
 */
export interface Suite<S, I extends BaseTargetInfo = BaseTargetInfo, R = null> {
  readonly name: string;
  /**
   * The first part of every case id of the suite, `<prefix>:<name>[@<route>]`: its requirement IDs' prefix
   * in lower case (`om` for `OM-...`), so a case id reads as the suite's and never as a requirement ID.
   */
  readonly caseIdPrefix: string;
  /** The specification's title: Allure parentSuite. */
  readonly specification: string;
  /** Loads and validates its vectors (and data); throws HarnessError (exit 2) with every problem. */
  load(context: SuiteLoadContext): Promise<void>;
  /**
   * Optional: starts what the suite's cases need beside the target for the whole run (after `load`), once
   * per run or fuzz run when a target of the suite is in it, stopped at its end. Without it, `scope` is null.
   */
  startRun?(): Promise<SuiteRun<R>>;
  plan(info: I, target: TargetDeclarations): TargetPlan<S, I, R>;
  /**
   * Optional (a suite with run-level checks has it): the run-level checks of one target, from its cases'
   * results alone (verdict, `choices`, the suite's `evidence`), in the plan's run order. A pure function,
   * no `load` needed: the plan's `finish` is this over the run's results, and `harness merge` calls it over
   * every shard's, so a contradiction between two shards is found as one run would find it.
   */
  runChecks?(context: RunCheckContext, recorded: readonly RecordedCase[]): CaseResult[];
  /**
   * Optional: the case judged again from its recorded observations (`CaseResult.observations`) alone, with
   * the suite's model and the vectors loaded now: no target, no session (the verify command:
   * src/core/rejudge.ts). A server suite re-runs its judging code on the recorded answers
   * (src/core/call-record.ts), hence the promise; nothing is sent and nothing waits. `{ skipped }` says why a result cannot be judged again (recorded without
   * observations, judged over several runs). Needs `load`.
   */
  rejudge?(
    recorded: CaseResult,
    target: RejudgeTarget,
  ): Rejudged | { skipped: string } | Promise<Rejudged | { skipped: string }>;
  /** Every case id of the suite, for every route. */
  list(): PlannedCase[];
  /** How the expectation of a case is derived, rule by rule. */
  explain(caseId: string): string;
  /**
   * The provisioning-links page for these cases (for a person to open on a phone), with the expected outcome
   * beside each link, and how many cases it shows. Optional: a suite without links has none.
   */
  linksPage?(cases: PlannedCase[]): { html: string; count: number };
  /** The ids of the suite's fuzz properties (`sequences`, ...), for the configuration to choose from. */
  readonly fuzzPropertyIds?: readonly string[];
  /**
   * The fuzz properties for a target (after `load`); with `against`, the differential property comparing
   * the two targets. Optional: a suite without them cannot be fuzzed.
   */
  fuzzProperties?(env: FuzzEnv<S, I, R>, options: FuzzOptions<S, I, R>): FuzzProperty<unknown>[];
  /** The requirement catalogue and the implementation-defined choice points (no `load` needed). */
  catalogue(): { requirements: readonly RequirementInfo[]; choicePoints: readonly ChoicePointInfo[] };
  /**
   * What an implementation conformance statement may declare for the suite (src/core/ics.ts): its choice
   * points, capabilities, platforms and methods, the checks an order of checks names and the orders the
   * specification rules out, its derived choices. No `load` needed. Optional: a suite without it cannot be
   * named in a statement.
   */
  icsVocabulary?(): IcsVocabulary;
}

/** A suite's requirements as reports show them (a suite's own requirement type may carry more). */
export function requirementInfos(requirements: readonly RequirementInfo[]): RequirementInfo[] {
  return requirements.map((r) => ({
    id: r.id,
    title: r.title,
    severity: r.severity,
    quote: r.quote,
    source: r.source,
  }));
}

/**
 * The fields of a case's result that come from the planned case and where it ran, for a suite to complete
 * with its judgement (requirements, verdict, message, parameters, steps, attachments, stop).
 */
export function resultFrame(
  planned: PlannedCase,
  env: { targetName: string; replay: string },
  specification: string,
  start: number,
) {
  return {
    id: planned.id,
    title: planned.title,
    target: env.targetName,
    specification,
    area: planned.area,
    choices: {},
    start,
    replay: env.replay,
  };
}

/** The plan of a suite whose cases are the same on every target and which has no run-level checks. */
export function fixedPlan<S, I extends BaseTargetInfo, R = null>(
  cases: PlannedCase[],
  run: TargetPlan<S, I, R>['run'],
): TargetPlan<S, I, R> {
  return { cases, run, finish: () => [] };
}

/** The case with this id, or a HARNESS_CASE_UNKNOWN error pointing at `harness list` (`harness explain`). */
export function caseNamed<C extends PlannedCase>(cases: readonly C[], caseId: string, suiteTitle?: string): C {
  const found = cases.find((c) => c.id === caseId);
  if (found === undefined) {
    throw new HarnessError(
      'HARNESS_CASE_UNKNOWN',
      `no ${suiteTitle === undefined ? '' : `${suiteTitle} `}case "${caseId}": run \`npx harness list\` to see the case ids`,
    );
  }
  return found;
}
