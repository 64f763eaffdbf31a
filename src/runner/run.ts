import { setMaxListeners } from 'node:events';
import path from 'node:path';
import type { ResolvedConfig, ResolvedTarget } from '../config/types.ts';
import type { CaseAliases } from '../core/case-ids.ts';
import {
  defaultCommandContext,
  harnessCommand,
  listCommand,
  runCaseCommand,
  runTargetCommand,
  type CommandContext,
} from '../core/commands.ts';
import {
  DeviceLost,
  type DriverContext,
  type DriverFactory,
  type SilenceReporting,
  type TargetDriver,
} from '../core/driver.ts';
import { escapeControls, HarnessError, isHarnessError, isNoAnswer } from '../core/errors.ts';
import { Gate, type Expectations } from '../core/expectations.ts';
import { applyIcs, targetUnderIcs, type LoadedIcs } from '../core/ics.ts';
import { Redactor } from '../core/redact.ts';
import { caseRandom } from '../core/random.ts';
import { stripAnsi } from '../core/ansi.ts';
import type { Concurrency, Reporter, RunChecksStatus, RunInfo, RunSummary, TargetRun } from '../core/reporter.ts';
import { emptyCounts, isBad, type Attachment, type CaseAttempt, type CaseResult } from '../core/results.ts';
import {
  caseTimeoutMs,
  type PlannedCase,
  type RecordedCase,
  type Suite,
  type SuiteLoadContext,
  type SuiteRun,
  type TargetPlan,
} from '../core/suite.ts';
import type { BaseTargetInfo } from '../core/types.ts';
import { CircuitBreaker, PROBE_TIMEOUT_MS, TargetStopped } from './breaker.ts';
import { brokenResult, notApplicableResult } from './results.ts';
import { formerIdNotices, orderCases, selectCases, tierCases } from './select.ts';
import { configDigest, shardChains, shardText } from './shard.ts';

/** How long closing a session may take at the end of a worker before the run goes on without it. */
const SESSION_CLOSE_MS = 1_000;

/**
 * A suite whatever its session, info and run-resource types: the engine only passes sessions from a driver
 * to its suite, and a suite's run resources back to it. The registry (src/cli/builtins.ts) checks that each
 * driver's session is its suite's.
 */
export type AnySuite = Suite<unknown, BaseTargetInfo, unknown>;

/** What the suites of a run started for it (`Suite.startRun`), by suite. */
export type SuiteRuns = ReadonlyMap<AnySuite, SuiteRun<unknown>>;

export interface RunDependencies {
  /** Every suite by name; each target runs the suite its driver serves (`suiteOf`). */
  suites: Readonly<Record<string, AnySuite>>;
  suiteOf(target: ResolvedTarget): string;
  /**
   * Run-wide secrets (the obfuscation key, ...), applied to every result once, in place, before any
   * reporter sees it. Suites redact their own per-case secrets (passwords) themselves.
   */
  redactor?: Redactor;
  drivers: Readonly<Record<string, DriverFactory>>;
  reporter: Reporter;
  /**
   * Where the commands a run prints (each case's replay line) will be run from, and the flags they keep
   * (`--config`, `--seed`, ...). Default: the working directory, no flags.
   */
  commands?: CommandContext;
  /**
   * Former case ids (vectors/aliases.json, and vectors the suites load under a former id): `--grep` with a
   * former id selects the case it names now, with a notice. Without it, only current ids select.
   */
  aliases?: CaseAliases;
  /** The `--grep` patterns are the harness's own (replay's: a file's vector ids), not typed: no notice on them. */
  grepIsInternal?: boolean;
  /**
   * `--last-failed`: per target name, the only case ids to run (the previous run's failed and broken ones),
   * whatever the tier. Absent: the plan as selected.
   */
  only?: ReadonlyMap<string, ReadonlySet<string>>;
  /** Where the run says what the user should know beside the reports (stderr). Default: nowhere. */
  notice?: (text: string) => void;
  /**
   * The known deviations (docs/expectations.md): each result is judged against them before any reporter
   * sees it (`CaseResult.expectation`), and the run's exit code follows `config.failOn`. Absent: none.
   */
  expectations?: Expectations | null;
  /**
   * Called once per target as it starts, before its first case, with its driver and what it told
   * (`harness certify` reads the target's identity from it there). A throw ends the run as a start failure.
   */
  onTargetStarted?(target: ResolvedTarget, driver: TargetDriver, info: BaseTargetInfo): Promise<void>;
  /**
   * The implementation conformance statement (docs/ics.md): each target of a suite it declares runs with
   * the methods and capabilities it declares and its order of checks, and each result is judged against
   * its choices (`applyIcs`) before the expectations. Absent: none.
   */
  ics?: LoadedIcs | null;
  /** Every target's plan records every choice its answers show (`TargetDeclarations.everyChoice`: `harness ics`). */
  everyChoice?: boolean;
}

export interface RunOutcome {
  summary: RunSummary;
  exitCode: 0 | 1;
}

interface StartedTarget {
  target: ResolvedTarget;
  suite: AnySuite;
  driver: TargetDriver;
  /** What the target's driver told (the reports show it). */
  info: BaseTargetInfo;
  /** What its plan and cases see: `info`, with only what the conformance statement declares too. */
  judgedInfo: BaseTargetInfo;
  /** Where the statement declares the capabilities, for the message of a case it makes not applicable. */
  icsCapabilities: string | null;
  plan: TargetPlan<unknown, BaseTargetInfo, unknown>;
  /** The cases this run runs, in run order: the whole plan, or with `--shard` this shard's part of it. */
  cases: PlannedCase[];
  /** The cases as the suite chains them (each case in exactly one chain, in run order). */
  chains: PlannedCase[][];
  /** The target's whole plan in run order (every shard's cases). */
  order: PlannedCase[];
  /** With `--shard`: the estimated cost of each shard's part (src/runner/shard.ts). */
  shardCosts: number[] | null;
  concurrency: Concurrency;
}

/** After an interrupt, how long the cases in flight may take to finish before they are abandoned. */
export const INTERRUPT_GRACE_MS = 2_000;

/** A target names a driver nobody registered: the error names the target and the drivers there are. */
export function unknownDriver(target: Pick<ResolvedTarget, 'driver' | 'name'>, known: readonly string[]): HarnessError {
  return new HarnessError(
    'HARNESS_CONFIG_INVALID',
    `target "${target.name}" uses unknown driver "${target.driver}": use one of ${known.map((d) => `"${d}"`).join(', ')}`,
  );
}

/** Opens the driver of a target (wrapper drivers, like the browser, open their inner target through it). */
export async function openDriver(
  target: ResolvedTarget,
  config: ResolvedConfig,
  drivers: Readonly<Record<string, DriverFactory>>,
): Promise<TargetDriver> {
  const factory = drivers[target.driver];
  if (factory === undefined) throw unknownDriver(target, Object.keys(drivers));
  const context: DriverContext = {
    rootDir: config.rootDir,
    obfuscationKey: config.obfuscationKey,
    sections: { browser: config.browser },
    // A delivery driver (a browser) wraps another target's driver.
    createDriver: (name, options) => {
      const inner = drivers[name];
      if (inner === undefined) throw new HarnessError('HARNESS_CONFIG_INVALID', `unknown driver "${name}"`);
      return inner(options, context);
    },
  };
  return factory(target.options, context);
}

async function startTarget(
  target: ResolvedTarget,
  suite: AnySuite,
  config: ResolvedConfig,
  deps: RunDependencies,
  started: TargetDriver[],
): Promise<StartedTarget> {
  const driver = await openDriver(target, config, deps.drivers);
  started.push(driver);
  const reported = await driver.info();
  await deps.onTargetStarted?.(target, driver, reported);
  const statement = deps.ics?.ics.suites[suite.name];
  if (deps.ics && statement === undefined)
    deps.notice?.(
      `${deps.ics.where} declares nothing for the ${suite.name} suite: target ${target.name} is judged without a statement`,
    );
  const judged =
    deps.ics === undefined || deps.ics === null || statement === undefined
      ? { info: reported, capabilities: null }
      : targetUnderIcs({ name: target.name, suite: suite.name }, reported, statement, deps.ics.where);
  const info = judged.info;
  const plan = suite.plan(info, {
    name: target.name,
    precedence: target.precedence,
    resets: target.resets,
    ...(deps.everyChoice === true || statement !== undefined ? { everyChoice: true } : {}),
    commands: deps.commands ?? defaultCommandContext(),
  });
  const selected = selectCases(plan.cases, config.grep, deps.aliases);
  const only = deps.only?.get(target.name);
  if (only !== undefined) {
    const planned = new Set(plan.cases.map((c) => c.id));
    const gone = [...only].filter((id) => !planned.has(id));
    if (gone.length > 0)
      deps.notice?.(
        `${gone.length} of the previous run's failures on ${target.name} ${gone.length === 1 ? 'is no case' : 'are no cases'} of its plan now, so not re-run: ${gone.join(', ')}. ` +
          `A run-level check needs the whole plan (\`${runTargetCommand(deps.commands ?? defaultCommandContext(), target.name)}\`); a case whose vector changed has a new id`,
      );
  }
  const tiered =
    deps.only !== undefined
      ? selected.filter((c) => only?.has(c.id) === true)
      : tierCases(selected, config.tier, info.capabilities, plan.coverage?.bind(plan), plan.cost?.bind(plan));
  const order = orderCases(tiered, config.seed);
  const whole = chainsOf(plan, order);
  // `--shard i/n`: whole chains, chosen from the whole plan's, so every shard computes the same split.
  const part = config.shard === null ? null : shardChains(target.name, whole, config.shard, info.capabilities);
  const chains = part?.chains ?? whole;
  const cases = part === null ? order : chains.flat();
  const concurrency: Concurrency = {
    sessions: Math.max(1, Math.min(driver.maxSessions, config.workers, chains.length)),
    workers: config.workers,
    driverLimit: driver.maxSessions,
  };
  return {
    target,
    suite,
    driver,
    info: reported,
    judgedInfo: info,
    icsCapabilities: judged.capabilities,
    plan,
    cases,
    chains,
    order,
    shardCosts: part?.costs ?? null,
    concurrency,
  };
}

/**
 * Where a suite finds its vectors and key: the same for every suite and every command. The config's
 * `vectors` names one suite's folder; every suite's is a sibling of it (`<vectorsRoot>/<suite>/`).
 */
export function suiteLoadContext(
  config: ResolvedConfig,
  commands?: CommandContext,
  aliases?: CaseAliases,
): SuiteLoadContext {
  return {
    ...(aliases === undefined ? {} : { renamed: aliases.renamed }),
    commands: commands ?? defaultCommandContext(config.cwd),
    rootDir: config.cwd,
    configFile: config.configFile === null ? null : path.relative(config.cwd, config.configFile) || config.configFile,
    corpusDir: config.fuzz.corpus,
    vectorsRoot: config.vectorsRoot,
    obfuscationKey: config.obfuscationKey,
  };
}

/**
 * Starts what each suite needs for the run beside its targets (`Suite.startRun`; Open Mobile: the harness's
 * profile service), in the order given. On a failure, what already started is stopped before the error
 * goes on.
 */
export async function startSuiteRuns(suites: Iterable<AnySuite>): Promise<SuiteRuns> {
  const runs = new Map<AnySuite, SuiteRun<unknown>>();
  try {
    for (const suite of suites) {
      if (suite.startRun !== undefined) runs.set(suite, await suite.startRun());
    }
  } catch (error) {
    await stopSuiteRuns(runs);
    throw error;
  }
  return runs;
}

/** Stops what `startSuiteRuns` started; never throws. */
export async function stopSuiteRuns(runs: SuiteRuns): Promise<void> {
  await Promise.all([...runs.values()].map((r) => r.stop().catch(() => undefined)));
}

/** The suites the selected targets need, loaded once each. */
export async function loadSuites(
  config: ResolvedConfig,
  deps: Pick<RunDependencies, 'suites' | 'suiteOf' | 'commands' | 'aliases'>,
) {
  const bySuite = new Map<string, AnySuite>();
  for (const target of config.selected) {
    const name = deps.suiteOf(target);
    if (bySuite.has(name)) continue;
    const suite = deps.suites[name];
    if (suite === undefined) {
      throw new HarnessError(
        'HARNESS_CONFIG_INVALID',
        `target "${target.name}" belongs to suite "${name}", which this harness does not have: use one of ${Object.keys(deps.suites).join(', ')}`,
      );
    }
    await suite.load(suiteLoadContext(config, deps.commands, deps.aliases));
    bySuite.set(name, suite);
  }
  return bySuite;
}

/** How long a timed-out case's work may take to say what it was waiting for (it is aborted by then). */
const TIMEOUT_DETAIL_MS = 250;

/**
 * Rejects after `ms`, unless cleared, or as soon as `stop` aborts (the target was stopped, the run
 * abandoned); the abort tells the case to give up its I/O.
 */
function withTimeout<T>(work: (signal: AbortSignal) => Promise<T>, ms: number, stop?: AbortSignal): Promise<T> {
  if (stop?.aborted) return Promise.reject(stop.reason as Error);
  const controller = new AbortController();
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let timedOut = false;
    const settle = (how: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      stop?.removeEventListener('abort', onStop);
      how();
    };
    const onStop = () => {
      controller.abort(stop?.reason);
      settle(() => reject(stop?.reason as Error));
    };
    const timer = setTimeout(() => {
      timedOut = true;
      const timeout = new CaseTimeout(ms);
      controller.abort(timeout);
      // Aborted, the work usually rejects at once with an error naming the request it was waiting for
      // (`POST /v1/reset had not answered`): the message quotes it, so a hang names its endpoint.
      void waitingFor(running, timeout).then((detail) =>
        settle(() => reject(detail === null ? timeout : new CaseTimeout(ms, detail))),
      );
    }, ms);
    stop?.addEventListener('abort', onStop, { once: true });
    const running = work(controller.signal);
    // Once timed out, the case's own outcome no longer counts (and must not become an unhandled rejection).
    running.then(
      (value) => {
        if (!timedOut) settle(() => resolve(value));
      },
      (error: unknown) => {
        if (!timedOut) settle(() => reject(error as Error));
      },
    );
  });
}

/**
 * What `work` settles with, or `late` if it has not within `ms`. The timer is cleared either way: a pending one
 * keeps the process alive after the run.
 */
async function within<T, L>(work: Promise<T>, ms: number, late: L): Promise<T | L> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([work, new Promise<L>((resolve) => (timer = setTimeout(() => resolve(late), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** The message of the error `running` rejects with once aborted, if it is more than the abort itself. */
async function waitingFor(running: Promise<unknown>, abortReason: Error): Promise<string | null> {
  const detail = running.then(
    () => null,
    (error: unknown) =>
      error instanceof Error && error !== abortReason && error.name !== 'AbortError' && !(error instanceof CaseTimeout)
        ? error.message.replace(` (${abortReason.message})`, '')
        : null,
  );
  return within(detail, TIMEOUT_DETAIL_MS, null);
}

export class CaseTimeout extends Error {
  constructor(
    readonly ms: number,
    /** What the case was waiting for when it timed out (`POST /v1/reset had not answered ...`). */
    readonly detail: string | null = null,
  ) {
    super(`the case did not finish within ${ms} ms (timeoutMs)${detail === null ? '' : `: ${detail}`}`);
  }
}

/** The suite's chains, checked: a chain that lost or repeated a case would silently skip or rerun it. */
function chainsOf(plan: TargetPlan<unknown, BaseTargetInfo, unknown>, cases: PlannedCase[]): PlannedCase[][] {
  if (plan.chains === undefined) return cases.map((c) => [c]);
  const chains = plan.chains(cases);
  const chained = chains.flat();
  const ids = new Set(chained.map((c) => c.id));
  if (chained.length !== cases.length || ids.size !== cases.length || cases.some((c) => !ids.has(c.id))) {
    throw new Error(`the suite chained ${chained.length} cases (${ids.size} distinct) of ${cases.length}`);
  }
  return chains;
}

function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** What became of a target's plan beyond its results. */
interface TargetEnd {
  /** Planned cases (and run-level checks) that never ran. */
  notRun: number;
  checks: RunChecksStatus;
}

/** How many run-level checks a target's part of the run has: none for a shard without a case of it. */
export function checksOf(started: Pick<StartedTarget, 'plan' | 'cases'>): number {
  return started.cases.length === 0 ? 0 : (started.plan.checks ?? 0);
}

/**
 * Makes a result safe to report, in place (the result is the runner's own): no ANSI escape, no run-wide
 * secret, no control byte or escape sequence a target sent (judges quote what targets sent through
 * printable(); whatever one quoted raw). Written back only when changed: a step may be a suite's shared,
 * frozen record. `harness merge` applies it to the checks it recomputes.
 */
export function cleanResult(result: CaseResult, redactor: Redactor | undefined): void {
  withoutAnsi(result);
  redactor?.value(result);
  const message = escapeControls(result.message);
  if (message !== result.message) result.message = message;
  for (const step of result.steps) {
    if (step.message === undefined) continue;
    const text = escapeControls(step.message);
    if (text !== step.message) step.message = text;
  }
  for (const attempt of result.attempts ?? []) attempt.message = escapeControls(stripAnsi(attempt.message));
}

/** What the run-level checks read of a result. */
export function recordOf(result: CaseResult): RecordedCase {
  return {
    id: result.id,
    verdict: result.verdict,
    choices: result.choices,
    ...(result.evidence === undefined ? {} : { evidence: result.evidence }),
  };
}

/** `recorded` in the order of `order` (the plan's run order): the checks then cite the same cases however they finished. */
export function inPlanOrder<T extends { id: string }>(
  recorded: readonly T[],
  order: readonly { id: string }[] | readonly string[],
): T[] {
  const index = new Map(order.map((c, i) => [typeof c === 'string' ? c : c.id, i]));
  return [...recorded].sort((a, b) => (index.get(a.id) ?? Infinity) - (index.get(b.id) ?? Infinity));
}

/** The results of a target's run-level checks, marked as such. */
export function markRunLevel(results: CaseResult[]): CaseResult[] {
  for (const r of results) r.runLevel = true;
  return results;
}

/** Verdicts that mean the case was judged: run-level checks over a target with none would check nothing. */
const JUDGED = new Set(['pass', 'fail', 'non-strict', 'informational']);

async function runTarget(
  started: StartedTarget,
  config: ResolvedConfig,
  deps: RunDependencies,
  resources: SuiteRun<unknown> | null,
  interrupt: AbortSignal,
  abandon: AbortSignal,
  /** `maxFailures` reached: no case or chain is started any more (the cases in flight finish). */
  bail: AbortSignal,
  emit: (result: CaseResult) => void,
): Promise<TargetEnd> {
  const { target, driver, plan, chains } = started;
  const info = started.judgedInfo;
  const specification = started.suite.specification;
  const commands = deps.commands ?? defaultCommandContext();
  const breaker = new CircuitBreaker({
    target: target.name,
    probe: driver.probe?.bind(driver),
    // Not the case timeout: a short one (500 ms) bounds the target's answers to cases, and a live target on a
    // busy machine may take longer to answer its probe; a stop would lose every case left.
    probeTimeoutMs: PROBE_TIMEOUT_MS,
  });
  // A stopped target or an abandoned run ends the cases in flight at once.
  const stop = AbortSignal.any([breaker.signal, abandon]);
  // Every case in flight listens to it: as many listeners as sessions, which is no leak.
  setMaxListeners(0, stop);
  let next = 0;
  let ran = 0;
  let judged = 0;
  let broken = 0;
  // What the run-level checks read of each result (small: never the steps or attachments).
  const recorded: RecordedCase[] = [];
  const closeQuietly = async (session: Closable | null) => {
    if (session === null) return;
    await within(
      session.close().catch(() => undefined),
      SESSION_CLOSE_MS,
      undefined,
    );
  };
  const note = (message: string) => {
    deps.reporter.onTargetNote?.(target.name, escapeControls(deps.redactor?.text(message) ?? message));
  };
  const targetError = (raw: string) => {
    const message = stripAnsi(raw);
    deps.reporter.onTargetError?.(target.name, escapeControls(deps.redactor?.text(message) ?? message));
  };
  const done = (result: CaseResult, planned: PlannedCase) => {
    // Where the case is written, for the reports that point at it (the github reporter's annotations).
    if (planned.source !== undefined) result.source ??= planned.source;
    ran++;
    if (JUDGED.has(result.verdict)) judged++;
    if (result.verdict === 'broken') broken++;
    recorded.push(recordOf(result));
    emit(result);
  };

  // A lost device's unfinished chain, from the case it was running: taken before any new chain, by a worker
  // whose device is still there.
  const requeued: PlannedCase[][] = [];
  const lostDevices: string[] = [];
  let workers = started.concurrency.sessions;
  let busy = 0;
  // Wakes the workers waiting for a chain a lost device may yet give back.
  let wake = () => {};
  let changed = new Promise<void>((resolve) => (wake = resolve));
  const signalChange = () => {
    const resolve = wake;
    changed = new Promise<void>((r) => (wake = r));
    resolve();
  };
  // Returned by an attempt whose device was lost: the case did not run (it runs again on another device).
  const LOST = Symbol('device lost');

  // A worker takes a whole chain at a time: its cases run in order on one session and one scope, so that a
  // case may start from the state the one before it left (the suite decides whether it may).
  const worker = async () => {
    let session: unknown = null;
    let gone = false;
    while (!interrupt.aborted && !stop.aborted && !bail.aborted && !gone) {
      const chain = requeued.shift() ?? chains[next];
      if (chain === undefined) {
        // No chain now; one may come back from a worker whose device is lost mid-chain.
        if (busy === 0) break;
        await changed;
        continue;
      }
      if (chain === chains[next]) next++;
      busy++;
      let share = resources?.open() ?? null;
      // The session may be stuck mid-request or desynchronised: the next case starts on a fresh one, with a
      // fresh scope (an abandoned request may still be holding or faulting this one).
      const fresh = async () => {
        await closeQuietly(closable(session));
        session = null;
        share?.close();
        share = resources?.open() ?? null;
      };
      try {
        for (const [index, planned] of chain.entries()) {
          if (interrupt.aborted || stop.aborted || bail.aborted) break;
          const replay = runCaseCommand(commands, target.name, planned.id);
          const missing = planned.needs.filter((c) => !info.capabilities.includes(c));
          if (missing.length > 0) {
            // Left out by the conformance statement rather than missing from the target: the message says so.
            const undeclared = missing.every((c) => started.info.capabilities.includes(c));
            const by = undeclared ? started.icsCapabilities : null;
            done(notApplicableResult(planned, target.name, specification, missing, replay, by), planned);
            continue;
          }
          // One attempt of the case: its result, or null when the target was stopped or the run abandoned
          // while it ran (not run, and not its fault).
          const attempt = async (): Promise<CaseResult | null | typeof LOST> => {
            const start = Date.now();
            try {
              session ??= await driver.openSession();
              const open = session;
              const caseScope = share?.scope ?? null;
              const result = await withTimeout(
                (signal) =>
                  plan.run(planned, {
                    session: open,
                    scope: caseScope,
                    signal,
                    info,
                    targetName: target.name,
                    replay,
                    artifacts: config.artifacts,
                    random: caseRandom(config.seed, target.name, planned.id),
                  }),
                caseTimeoutMs(planned, target.timeoutMs),
                stop,
              );
              if (result.verdict === 'fail') result.attachments.push(...(await deviceArtifacts(open, planned)));
              // A server suite judges a hang itself: the session says whether the case ended on one.
              const silence = takeSilence(open);
              if (silence === null) breaker.answered();
              else await breaker.silent(silence, start);
              return result;
            } catch (error) {
              if (error instanceof TargetStopped) {
                await closeQuietly(closable(session));
                session = null;
                return null;
              }
              if (error instanceof DeviceLost) {
                const redactor = new Redactor();
                for (const secret of planned.secrets ?? []) redactor.add(secret);
                lostDevices.push(error.device);
                note(
                  `device ${error.device} was lost during ${planned.id}: ${redactor.text(errorText(error))}. ` +
                    (workers > 1
                      ? 'It gets no more cases; its unfinished cases run again, from a reset, on another device'
                      : 'No device of the target is left'),
                );
                await closeQuietly(closable(session));
                session = null;
                return LOST;
              }
              const silence = takeSilence(session);
              const redactor = new Redactor();
              for (const secret of planned.secrets ?? []) redactor.add(secret);
              const reason = redactor.text(errorText(error));
              const result = brokenResult(planned, target.name, specification, reason, replay, start);
              if (session !== null) result.attachments.push(...(await deviceArtifacts(session, planned)));
              await fresh();
              if (error instanceof CaseTimeout || isNoAnswer(error)) await breaker.silent(reason, start);
              else if (silence !== null) await breaker.silent(redactor.text(silence), start);
              else breaker.answered();
              return result;
            }
          };
          let result = await attempt();
          if (result === null) break;
          if (result === LOST) {
            // This case and the rest of its chain go to a worker whose device is still there.
            requeued.push(chain.slice(index));
            gone = true;
            break;
          }
          // `retries`: a failed or broken case runs again from a reset (a fresh session and scope), alone:
          // not the chain before it. The case's verdict is its last attempt's; every attempt is recorded.
          const attempts: CaseAttempt[] = [];
          while (isBad(result.verdict) && attempts.length < config.retries && !interrupt.aborted && !stop.aborted) {
            attempts.push(attemptOf(result));
            // A broken attempt has had its session replaced already.
            if (session !== null) await fresh();
            const again = await attempt();
            if (again === null) break;
            if (again === LOST) {
              // The attempts so far stand (the case ran); the rest of the chain goes to another device.
              requeued.push(chain.slice(index + 1));
              gone = true;
              break;
            }
            result = again;
          }
          if (attempts.length > 0) {
            attempts.push(attemptOf(result));
            result.attempts = attempts;
            // Flaky: an earlier attempt failed or broke and the last one passed. A case that fails on every
            // attempt is a failure, never flaky.
            if (!isBad(result.verdict)) result.flaky = true;
          }
          done(result, planned);
          if (gone) break;
        }
      } finally {
        share?.close();
        busy--;
        if (gone) workers--;
        signalChange();
      }
    }
    await closeQuietly(closable(session));
  };

  await Promise.all(Array.from({ length: started.concurrency.sessions }, worker));
  let notRun = started.cases.length - ran;
  if (workers === 0 && notRun > 0 && !interrupt.aborted && !stop.aborted && !bail.aborted) {
    const cases = notRun;
    notRun += checksOf(started);
    targetError(
      `every device of ${target.name} was lost (${lostDevices.join(', ')}): ${cases.toLocaleString('en-US')} case(s) not run` +
        (checksOf(started) > 0 ? ` (and its ${checksOf(started)} run-level check(s))` : ''),
    );
    return { notRun, checks: checksOf(started) > 0 ? 'stopped' : 'none' };
  }
  const bailed = bail.aborted && notRun > 0;
  const checks = checksOf(started);
  if (breaker.stopped !== null) {
    const cases = notRun;
    notRun += checks;
    targetError(
      `${breaker.stopped}. The target was stopped: ${cases.toLocaleString('en-US')} case(s) not run` +
        (checks > 0 ? ` (and its ${checks} run-level check(s))` : ''),
    );
    return { notRun, checks: checks > 0 ? 'stopped' : 'none' };
  }
  if (interrupt.aborted || bailed) {
    // Announced as part of the plan, they did not run (checks over part of the plan would check part of it;
    // a run stopped by --max-failures counts as interrupted here).
    notRun += checks;
    return { notRun, checks: checks > 0 ? 'interrupted' : 'none' };
  }
  if (checks === 0 && started.cases.length === 0) return { notRun, checks: 'none' };
  const results = markRunLevel(plan.finish(inPlanOrder(recorded, started.cases)));
  if (judged === 0 && broken > 0 && results.length > 0) {
    // Checks over the choices and answers of a target that gave none would pass on nothing.
    notRun += results.length;
    targetError(
      `every case on ${target.name} broke, so its run-level check(s) ${results.map((c) => c.id).join(', ')} had nothing to check and were not run`,
    );
    return { notRun, checks: 'nothing-judged' };
  }
  const shard = config.shard;
  for (const result of results) {
    // A shard's checks see its own part of the plan only: `harness merge` checks the whole.
    if (shard !== null)
      result.message += ` (over shard ${shardText(shard)}'s cases only: \`harness merge\` checks every shard's)`;
    emit(result);
  }
  return { notRun, checks: results.length > 0 ? 'ran' : 'none' };
}

/** The whole plan again, in the run's directory with its config. */
function runCommand(context: CommandContext): string {
  return harnessCommand(context, 'run');
}

/** What a case's attempt was, for the record of a case that ran more than once (`retries`). */
function attemptOf(result: CaseResult): CaseAttempt {
  return {
    verdict: result.verdict,
    message: result.message,
    ...(result.category === undefined ? {} : { category: result.category }),
    start: result.start,
    stop: result.stop,
  };
}

/** Why the cases left were not run once `maxFailures` was reached. */
export function stoppedReason(maxFailures: number): string {
  return maxFailures === 1
    ? 'stopped after 1 failed or broken case (--bail)'
    : `stopped after ${maxFailures} failed or broken cases (--max-failures ${maxFailures})`;
}

/**
 * Removes ANSI escape codes from every text of a result, in place (the result is the runner's own): drivers'
 * libraries colour their error messages (Playwright's call logs), and reports are not terminals.
 */
function withoutAnsi(result: CaseResult): void {
  result.message = stripAnsi(result.message);
  for (const step of result.steps) {
    step.name = stripAnsi(step.name);
    if (step.message !== undefined) step.message = stripAnsi(step.message);
    for (const a of step.attachments ?? []) if (a.encoding === undefined) a.body = stripAnsi(a.body);
  }
  for (const a of result.attachments) if (a.encoding === undefined) a.body = stripAnsi(a.body);
}

/** The run was interrupted before its first case: nothing ran, and that is the user's choice, not a bug. */
export class RunInterrupted extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunInterrupted';
  }
}

/**
 * The whole run: load the suites, start what they need for the run and the targets, run every planned case on
 * every selected target, stream each result to the reporters, then the run-level checks. A target that
 * misbehaves produces broken cases; it never stops the run.
 */
export async function runPlan(
  config: ResolvedConfig,
  deps: RunDependencies,
  runInfo: Omit<RunInfo, 'outputDir' | 'seed' | 'rootDir' | 'cwd'>,
  interrupt: AbortSignal = new AbortController().signal,
): Promise<RunOutcome> {
  const startedAt = Date.now();
  const info: RunInfo = {
    ...runInfo,
    outputDir: config.outputDir,
    seed: config.seed,
    rootDir: config.rootDir,
    cwd: config.cwd,
    configDigest: configDigest(config),
    ...(config.shard === null ? {} : { shard: config.shard }),
  };
  // First of all: no report an earlier run left may survive this one looking like its result.
  deps.reporter.onPrepare?.(info);
  // After an interrupt the cases in flight get a moment to finish, then are abandoned (not run).
  const abandon = new AbortController();
  let grace: NodeJS.Timeout | undefined;
  const onInterrupt = () => {
    grace = setTimeout(() => abandon.abort(new TargetStopped('the run was interrupted')), INTERRUPT_GRACE_MS);
  };
  if (interrupt.aborted) onInterrupt();
  else interrupt.addEventListener('abort', onInterrupt, { once: true });
  const drivers: TargetDriver[] = [];
  let runs: SuiteRuns = new Map();
  let begun = false;
  try {
    const suites = await loadSuites(config, deps);
    if (deps.aliases !== undefined && config.grep.length > 0 && deps.grepIsInternal !== true) {
      const listed = [...suites.values()].flatMap((s) => s.list());
      for (const notice of formerIdNotices(listed, config.grep, deps.aliases)) deps.aliases.notice(notice);
    }
    // What each suite needs beside its targets for the whole run (Open Mobile: the harness's profile service).
    runs = await startSuiteRuns(suites.values());
    const targets: StartedTarget[] = [];
    for (const target of config.selected) {
      const suite = suites.get(deps.suiteOf(target)) as AnySuite;
      targets.push(await startTarget(target, suite, config, deps, drivers));
    }

    // A shard may have no case at all (more shards than chains): only an empty plan is a mistake.
    const total = targets.reduce((n, t) => n + t.order.length, 0);
    if (total === 0 && deps.only !== undefined) {
      const ids = [...deps.only.values()].reduce((n, set) => n + set.size, 0);
      throw new HarnessError(
        'HARNESS_USAGE',
        `--last-failed: none of the previous run's ${ids} failure(s) is a case of this run's plan` +
          (config.grep.length > 0 ? ' with this --grep' : ' (run-level checks, or cases whose vectors changed)') +
          `: run the whole plan, \`${runCommand(deps.commands ?? defaultCommandContext())}\``,
      );
    }
    if (total === 0) {
      throw new HarnessError(
        'HARNESS_USAGE',
        `no case matches --grep ${config.grep.map((g) => `"${g}"`).join(' ')}: run \`${listCommand(deps.commands ?? defaultCommandContext())}\` to see the case ids`,
      );
    }
    const targetRuns: TargetRun[] = targets.map((t) => ({
      name: t.target.name,
      info: t.info,
      // The cases and the run-level checks after them: what the run will have reported when it ends.
      planned: t.cases.length + checksOf(t),
      concurrency: t.concurrency,
      ...(config.retries > 0 && t.driver.deterministic === true
        ? {
            notes: [
              `--retries ${config.retries} on a deterministic target: a failure here is a defect, and one that passes on a retry depends on timing (a race) that the retry hides as flaky; retries are for real devices (docs/retries.md)`,
            ],
          }
        : {}),
      suite: t.suite.name,
      checks: checksOf(t),
      order: t.order.map((c) => c.id),
      ...(t.shardCosts === null ? {} : { shardCosts: t.shardCosts }),
    }));
    begun = true;
    const runSuites = [...new Set(targets.map((t) => t.suite))].map((suite) => ({
      name: suite.name,
      specification: suite.specification,
      requirements: suite.catalogue().requirements,
    }));
    await deps.reporter.onBegin?.({ ...info, suites: runSuites }, targetRuns);

    const counts = emptyCounts();
    let flaky = 0;
    // `maxFailures` (`--max-failures`, `--bail`): once that many cases failed or broke, nothing more starts.
    const bail = new AbortController();
    let failures = 0;
    const gate = new Gate(deps.expectations ?? null, config.failOn);
    const choices: Record<string, Record<string, string>> = {};
    const ics = deps.ics ?? null;
    const emit = (judged: CaseResult) => {
      // The verdict under the conformance statement, before the expectations judge it.
      const result = ics === null ? judged : applyIcs(judged, ics.ics, ics.where);
      cleanResult(result, deps.redactor);
      // The expectation decision, made once here, reaches every reporter on the result.
      gate.judge(result);
      counts[result.verdict]++;
      if (result.flaky === true) flaky++;
      // A known deviation (an expected failure) is no reason to stop; a failure in a new way is.
      const expected = result.expectation !== undefined && result.expectation.status !== 'unexpected-verdict';
      const unexpected = isBad(result.verdict) && (!expected || result.expectation?.status === 'changed');
      if (unexpected && config.maxFailures !== null && ++failures >= config.maxFailures) bail.abort();
      const made = (choices[result.target] ??= {});
      for (const [point, option] of Object.entries(result.choices)) made[point] ??= option;
      deps.reporter.onCaseEnd?.(result);
    };
    const ends = await Promise.all(
      targets.map((t) =>
        runTarget(t, config, deps, runs.get(t.suite) ?? null, interrupt, abandon.signal, bail.signal, emit),
      ),
    );
    const notRun: Record<string, number> = {};
    const checks: Record<string, RunChecksStatus> = {};
    targets.forEach((t, i) => {
      const n = ends[i]?.notRun ?? 0;
      if (n > 0) notRun[t.target.name] = n;
      checks[t.target.name] = ends[i]?.checks ?? 'none';
    });
    const gated = gate.finish(
      targets.map((t) => ({ target: t.target.name, cases: t.plan.cases })),
      config.targets.map((t) => t.name),
    );
    const exitCode = !gated.passed || interrupt.aborted || Object.keys(notRun).length > 0 ? 1 : 0;
    const summary: RunSummary = {
      counts,
      total: Object.values(counts).reduce((a, b) => a + b, 0),
      durationMs: Date.now() - startedAt,
      choices,
      interrupted: interrupt.aborted,
      notRun,
      exitCode,
      flaky,
      ...(bail.signal.aborted && Object.keys(notRun).length > 0 && config.maxFailures !== null
        ? { stopped: stoppedReason(config.maxFailures) }
        : {}),
      checks,
      gate: gated,
    };
    await deps.reporter.onEnd?.(summary);
    return { summary, exitCode };
  } catch (error) {
    if (!begun) {
      // Ctrl-C while a target was starting (an Appium driver installing, a server starting) ends what was
      // starting, which then fails: the run was interrupted, not broken.
      const interrupted = interrupt.aborted && !isHarnessError(error);
      const message = interrupted
        ? `interrupted before the first case, while the targets were starting (${errorText(error).split('\n')[0] ?? ''}): no case ran`
        : isHarnessError(error)
          ? error.format()
          : `internal error: ${errorText(error).split('\n')[0] ?? ''}`;
      deps.reporter.onRunError?.(message);
      if (interrupted) throw new RunInterrupted(message);
    }
    throw error;
  } finally {
    clearTimeout(grace);
    interrupt.removeEventListener('abort', onInterrupt);
    await Promise.all(drivers.map((d) => d.stop().catch(() => undefined)));
    await stopSuiteRuns(runs);
  }
}

/**
 * What the device shows after a case failed or broke (page source, a screenshot), from a session that
 * offers it; within a few seconds, and never an error of its own (a lost session has nothing to show).
 */
async function deviceArtifacts(session: unknown, planned: PlannedCase): Promise<Attachment[]> {
  const source = session as { artifacts?: (signal: AbortSignal) => Promise<Attachment[]> } | null;
  if (source === null || typeof source.artifacts !== 'function') return [];
  try {
    const found = await withTimeout((signal) => source.artifacts?.(signal) ?? Promise.resolve([]), 5_000);
    const redactor = new Redactor();
    for (const secret of planned.secrets ?? []) redactor.add(secret);
    return found.map((a) => (a.encoding === 'base64' ? a : { ...a, body: redactor.text(a.body) }));
  } catch {
    return [];
  }
}

/** What the session's last request went without an answer to, if a session reports it (SilenceReporting). */
function takeSilence(session: unknown): string | null {
  const reporting = session as Partial<SilenceReporting> | null;
  if (reporting === null || typeof reporting.takeSilence !== 'function') return null;
  return reporting.takeSilence();
}

interface Closable {
  close(): Promise<void>;
}

/** A session with a `close` (every driver's sessions have one; the engine does not know their type). */
function closable(session: unknown): Closable | null {
  return session !== null && typeof (session as Partial<Closable>).close === 'function' ? (session as Closable) : null;
}

export type { StartedTarget };
