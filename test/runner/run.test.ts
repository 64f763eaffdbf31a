/**
 * src/runner/run.ts on a fake suite and a fake driver (defined here, no real target): what a user relies on
 * whatever the target does. A case that throws or hangs becomes *broken* and the run goes on; every result
 * reaches the reporters as soon as it is known, none lost; a case needing a capability the target lacks is
 * *not applicable* without running; a target that stopped answering is stopped, its remaining cases
 * counted as not run; an interrupt keeps every result that finished.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve.ts';
import type { DriverFactory, TargetDriver } from '../../src/core/driver.ts';
import { markNoAnswer } from '../../src/core/errors.ts';
import { REDACTED } from '../../src/core/redact.ts';
import type { Reporter, RunSummary, TargetRun } from '../../src/core/reporter.ts';
import type { CaseResult } from '../../src/core/results.ts';
import { fixedPlan, type CaseEnv, type PlannedCase, type Suite, type SuiteRun } from '../../src/core/suite.ts';
import type { BaseTargetInfo } from '../../src/core/types.ts';
import { SILENT_CASES_LIMIT } from '../../src/runner/breaker.ts';
import { runPlan, RunInterrupted, type AnySuite } from '../../src/runner/run.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TARGET = 'fake-target';

// ---------------------------------------------------------------------------------------------------------
// The fake: a suite whose cases say what they do, a driver whose sessions record their life

/** What a fake case does when it runs. */
type Behaviour =
  | { do: 'pass'; ms?: number }
  | { do: 'throw'; message: string }
  /** Never ends by itself; gives up when the runner aborts it. */
  | { do: 'hang' }
  /** Never ends at all, abort or not. */
  | { do: 'hang-deaf' }
  /** The target gave no answer (what a driver reports for a refused or reset connection). */
  | { do: 'no-answer' }
  /** Every other case the target runs gets no answer (by the order they run in). */
  | { do: 'every-other-silent' }
  /** Fails (a verdict, not a throw) on its first `times` runs, then passes; `times` Infinity: always. */
  | { do: 'fail'; times: number }
  /** Throws (broken) on its first `times` runs, then passes. */
  | { do: 'break'; times: number };

interface FakeCase extends PlannedCase {
  behaviour: Behaviour;
}

interface FakeSession {
  id: number;
  closed: boolean;
  close(): Promise<void>;
}

/** Everything the fakes saw, in order. */
interface Log {
  ran: string[];
  /** Each run of a case: the session and scope it ran on. */
  on: { id: string; session: number; scope: number | null }[];
  finished: string[];
  sessions: FakeSession[];
  scopesOpened: number;
  scopesClosed: number;
  finishCalled: boolean;
}

const newLog = (): Log => ({
  ran: [],
  on: [],
  finished: [],
  sessions: [],
  scopesOpened: 0,
  scopesClosed: 0,
  finishCalled: false,
});

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new Error('aborted'));
    });
  });

function fakeSuite(
  cases: FakeCase[],
  log: Log,
  options: { checks?: number; scopes?: boolean; chains?: string[][] } = {},
): Suite<FakeSession, BaseTargetInfo, number> {
  const run = async (planned: PlannedCase, env: CaseEnv<FakeSession, BaseTargetInfo, number>): Promise<CaseResult> => {
    const behaviour = (planned as FakeCase).behaviour;
    log.ran.push(planned.id);
    log.on.push({ id: planned.id, session: env.session.id, scope: env.scope });
    if (env.session.closed) throw new Error('ran on a closed session');
    // This run of the case is its n-th.
    const nth = log.ran.filter((id) => id === planned.id).length;
    let verdict: CaseResult['verdict'] = 'pass';
    switch (behaviour.do) {
      case 'fail':
        if (nth <= behaviour.times) verdict = 'fail';
        break;
      case 'break':
        if (nth <= behaviour.times) throw new Error(`adapter answered 500 on run ${nth}`);
        break;
      case 'throw':
        throw new Error(behaviour.message);
      case 'every-other-silent':
        if (log.ran.length % 2 === 0) break;
        throw markNoAnswer(new Error('POST /v1/provision: socket hang up'));
      case 'no-answer':
        throw markNoAnswer(new Error('POST /v1/provision: connect ECONNREFUSED 127.0.0.1:9'));
      case 'hang':
        await new Promise((_resolve, reject) =>
          env.signal.addEventListener('abort', () => reject(new Error('aborted'))),
        );
        break;
      case 'hang-deaf':
        await new Promise(() => {});
        break;
      case 'pass':
        await sleep(behaviour.ms ?? 0, env.signal);
    }
    log.finished.push(planned.id);
    return {
      id: planned.id,
      title: planned.title,
      target: env.targetName,
      specification: 'Fake spec',
      area: planned.area,
      requirements: planned.requirements,
      verdict,
      message:
        verdict === 'fail' ? `failed on run ${nth}` : `passed on session ${env.session.id}, scope ${String(env.scope)}`,
      parameters: {},
      choices: {},
      steps: [],
      attachments: [],
      start: 0,
      stop: 0,
      replay: env.replay,
    };
  };
  const check = (i: number): CaseResult => ({
    id: `FAKE-CHECK-${i}`,
    title: 'a run-level check',
    target: TARGET,
    specification: 'Fake spec',
    area: 'checks',
    requirements: [],
    verdict: 'pass',
    message: 'consistent',
    parameters: {},
    choices: {},
    steps: [],
    attachments: [],
    start: 0,
    stop: 0,
    replay: '',
  });
  let scope = 0;
  const startRun = async (): Promise<SuiteRun<number>> => ({
    open: () => {
      log.scopesOpened++;
      return { scope: ++scope, close: () => void log.scopesClosed++ };
    },
    stop: async () => {},
  });
  return {
    name: 'fake',
    caseIdPrefix: 'fake',
    specification: 'Fake spec',
    load: async () => {},
    ...(options.scopes ? { startRun } : {}),
    plan: () => {
      const plan = fixedPlan<FakeSession, BaseTargetInfo, number>(cases, run);
      const checks = options.checks ?? 0;
      const chains = options.chains;
      return {
        ...plan,
        ...(chains === undefined
          ? {}
          : {
              chains: (ordered: PlannedCase[]) =>
                chains.map((ids) => ids.map((id) => ordered.find((c) => c.id === id) as PlannedCase)),
            }),
        checks,
        finish: () => {
          log.finishCalled = true;
          return Array.from({ length: checks }, (_, i) => check(i));
        },
      };
    },
    list: () => cases,
    explain: () => '',
    catalogue: () => ({ requirements: [], choicePoints: [] }),
  };
}

function fakeDriver(
  log: Log,
  options: {
    capabilities?: string[];
    maxSessions?: number;
    probe?: 'answers' | 'dead' | 'slow';
    /** Starting takes until this signal aborts, then fails (what a killed `appium driver install` does). */
    startsUntil?: AbortSignal;
    /** The driver says a case always gives the same result on it (an in-process emulated client). */
    deterministic?: boolean;
  } = {},
): DriverFactory {
  return async () => {
    const until = options.startsUntil;
    if (until !== undefined) {
      await new Promise((resolve) => until.addEventListener('abort', resolve, { once: true }));
      throw new Error('appium driver install --source=local failed: Command failed (killed by SIGINT)');
    }
    const driver: TargetDriver<FakeSession> = {
      maxSessions: options.maxSessions ?? 1,
      ...(options.deterministic === undefined ? {} : { deterministic: options.deterministic }),
      info: async () => ({ name: 'fake', version: '1', capabilities: options.capabilities ?? [] }),
      openSession: async () => {
        const session: FakeSession = {
          id: log.sessions.length + 1,
          closed: false,
          close: async () => void (session.closed = true),
        };
        log.sessions.push(session);
        return session;
      },
      stop: async () => {},
    };
    if (options.probe === 'dead')
      driver.probe = async () => {
        throw new Error('GET /v1/info: connect ECONNREFUSED 127.0.0.1:9');
      };
    if (options.probe === 'answers') driver.probe = async () => {};
    // Answers, later than a short case timeout (a busy machine).
    if (options.probe === 'slow')
      driver.probe = (signal) =>
        new Promise((resolve, reject) => {
          const timer = setTimeout(resolve, 300);
          signal.addEventListener('abort', () => {
            clearTimeout(timer);
            reject(new Error('GET /v1/info: aborted'));
          });
        });
    return driver;
  };
}

const fakeCase = (id: string, behaviour: Behaviour, extra: Partial<FakeCase> = {}): FakeCase => ({
  id,
  title: id,
  area: 'fake',
  requirements: ['FAKE-REQ'],
  needs: [],
  behaviour,
  ...extra,
});

interface Ran {
  results: CaseResult[];
  summary: RunSummary | null;
  exitCode: number;
  targetErrors: string[];
  runErrors: string[];
  begun: TargetRun[];
  log: Log;
}

/** Runs `cases` on the fake target through the real runner, collecting what the reporters get. */
async function run(
  cases: FakeCase[],
  options: {
    timeoutMs?: number;
    workers?: number;
    driver?: Parameters<typeof fakeDriver>[1];
    suite?: Parameters<typeof fakeSuite>[2];
    interrupt?: AbortSignal;
    retries?: number;
    maxFailures?: number;
    seed?: number;
    only?: Map<string, Set<string>>;
    onNotice?: (text: string) => void;
    onCaseEnd?: (result: CaseResult, log: Log) => void;
    onRunError?: (message: string) => void;
  } = {},
): Promise<Ran> {
  const log = newLog();
  const config = resolveConfig(
    {
      file: path.join(ROOT, 'harness.config.ts'),
      config: {
        targets: [{ name: TARGET, driver: 'fake', timeoutMs: options.timeoutMs ?? 5_000 }],
        workers: options.workers ?? 1,
        ...(options.retries === undefined ? {} : { retries: options.retries }),
        ...(options.maxFailures === undefined ? {} : { maxFailures: options.maxFailures }),
        ...(options.seed === undefined ? {} : { seed: options.seed }),
      },
    },
    {},
    {},
    ROOT,
  );
  const ran: Ran = { results: [], summary: null, exitCode: -1, targetErrors: [], runErrors: [], begun: [], log };
  const reporter: Reporter = {
    onBegin: (_run, targets) => void ran.begun.push(...targets),
    onCaseEnd: (result) => {
      ran.results.push(result);
      options.onCaseEnd?.(result, log);
    },
    onTargetError: (_target, message) => void ran.targetErrors.push(message),
    onRunError: (message) => {
      ran.runErrors.push(message);
      options.onRunError?.(message);
    },
    onEnd: (summary) => void (ran.summary = summary),
  };
  const outcome = await runPlan(
    config,
    {
      suites: { fake: fakeSuite(cases, log, options.suite) as unknown as AnySuite },
      suiteOf: () => 'fake',
      drivers: { fake: fakeDriver(log, options.driver) },
      reporter,
      ...(options.only === undefined ? {} : { only: options.only }),
      ...(options.onNotice === undefined ? {} : { notice: options.onNotice }),
    },
    { startedAt: new Date().toISOString(), command: 'test', harnessVersion: 'test' },
    options.interrupt,
  );
  ran.exitCode = outcome.exitCode;
  return ran;
}

const verdicts = (results: CaseResult[]) => Object.fromEntries(results.map((r) => [r.id, r.verdict]));

// ---------------------------------------------------------------------------------------------------------

describe('the end of a run', () => {
  it('leaves no timer of its own pending, so the process exits as soon as the run is done', async () => {
    // Node keeps a process alive while a referenced timer is pending: one left behind by the runner (a
    // session's close raced against a timeout and never cleared) held every `harness run` a second longer.
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const ran = await run([fakeCase('a', { do: 'pass' }), fakeCase('b', { do: 'pass' })], { workers: 2 });
    expect(ran.exitCode).toBe(0);
    expect(timers()).toBe(before);
  });
});

describe('a misbehaving case is broken, never a crashed run', () => {
  it('reports a case that throws as broken, with its message redacted, and runs the next on a fresh session', async () => {
    const password = 'hunter2-secret';
    const { results, exitCode, log } = await run([
      fakeCase(
        'A-THROWS',
        { do: 'throw', message: `adapter answered 500: bad password=${password}` },
        { secrets: [password] },
      ),
      fakeCase('B-PASSES', { do: 'pass' }),
    ]);
    expect(verdicts(results)).toEqual({ 'A-THROWS': 'broken', 'B-PASSES': 'pass' });
    const broken = results.find((r) => r.id === 'A-THROWS');
    expect(broken?.category).toBe('broken-target');
    expect(broken?.message).toBe(`adapter answered 500: bad password=${REDACTED}`);
    expect(JSON.stringify(results)).not.toContain(password);
    // The session the broken case left may be stuck: closed, and the next case opened another.
    expect(log.sessions.map((s) => s.closed)).toEqual([true, true]);
    expect(results.find((r) => r.id === 'B-PASSES')?.message).toMatch(/^passed on session 2/);
    expect(exitCode).toBe(1);
  });

  it('times a hanging case out as broken, whether or not it heeds the abort, and goes on', async () => {
    const { results } = await run(
      [
        fakeCase('A-HANGS', { do: 'hang' }),
        fakeCase('B-DEAF', { do: 'hang-deaf' }),
        fakeCase('C-PASSES', { do: 'pass' }),
      ],
      { timeoutMs: 100, driver: { probe: 'answers' } },
    );
    expect(verdicts(results)).toEqual({ 'A-HANGS': 'broken', 'B-DEAF': 'broken', 'C-PASSES': 'pass' });
    for (const id of ['A-HANGS', 'B-DEAF'])
      expect(results.find((r) => r.id === id)?.message).toMatch(/^the case did not finish within 100 ms \(timeoutMs\)/);
  });
});

describe('results', () => {
  it('reach the reporters in the order cases finish, while others still run, none lost', async () => {
    const delays = [60, 5, 40, 10, 80, 1, 30, 20, 50, 15, 70, 25];
    const cases = delays.map((ms, i) => fakeCase(`CASE-${String(i).padStart(2, '0')}`, { do: 'pass', ms }));
    let stillRunningAtFirstResult = -1;
    const { results, summary, exitCode, begun, log } = await run(cases, {
      workers: 4,
      driver: { maxSessions: 4 },
      onCaseEnd: (_result, seen) => {
        if (stillRunningAtFirstResult < 0) stillRunningAtFirstResult = seen.ran.length - seen.finished.length;
      },
    });
    expect(begun[0]?.concurrency?.sessions).toBe(4);
    expect(results.map((r) => r.id)).toEqual(log.finished);
    expect(results.map((r) => r.id).sort()).toEqual(cases.map((c) => c.id).sort());
    // Streamed: the first result was reported while other cases were still running.
    expect(stillRunningAtFirstResult).toBeGreaterThan(0);
    expect(summary?.total).toBe(12);
    expect(summary?.counts.pass).toBe(12);
    expect(summary?.notRun).toEqual({});
    expect(exitCode).toBe(0);
  });

  it('end with the run-level checks, after every case, and none when every case broke', async () => {
    const passed = await run([fakeCase('A', { do: 'pass' }), fakeCase('B', { do: 'pass' })], { suite: { checks: 2 } });
    expect(
      passed.results
        .slice(0, 2)
        .map((r) => r.id)
        .sort(),
    ).toEqual(['A', 'B']);
    expect(passed.results.slice(-2).map((r) => r.id)).toEqual(['FAKE-CHECK-0', 'FAKE-CHECK-1']);
    expect(passed.begun[0]?.planned).toBe(4);

    const broke = await run([fakeCase('A', { do: 'throw', message: 'garbage' })], { suite: { checks: 2 } });
    expect(broke.results.map((r) => r.id)).toEqual(['A']);
    expect(broke.summary?.notRun).toEqual({ [TARGET]: 2 });
    expect(broke.targetErrors).toEqual([expect.stringMatching(/every case on fake-target broke/) as unknown]);
  });

  it('give each case its share of the suite run, a fresh one after a broken case, each share closed', async () => {
    const { results, log } = await run(
      [fakeCase('A', { do: 'pass' }), fakeCase('B', { do: 'throw', message: 'x' }), fakeCase('C', { do: 'pass' })],
      { suite: { scopes: true } },
    );
    const scopes = results.filter((r) => r.verdict === 'pass').map((r) => /scope (\d+)/.exec(r.message)?.[1]);
    expect(new Set(scopes).size).toBe(2);
    expect(log.scopesClosed).toBe(log.scopesOpened);
  });
});

describe('a case the target cannot run', () => {
  it('is not applicable, naming what is missing, and never runs', async () => {
    const { results, log, exitCode } = await run(
      [
        fakeCase('NEEDS-NETWORK', { do: 'pass' }, { needs: ['logs', 'network'] }),
        fakeCase('NEEDS-LOGS', { do: 'pass' }, { needs: ['logs'] }),
      ],
      { driver: { capabilities: ['logs'] } },
    );
    expect(verdicts(results)).toEqual({ 'NEEDS-NETWORK': 'not-applicable', 'NEEDS-LOGS': 'pass' });
    const na = results.find((r) => r.id === 'NEEDS-NETWORK');
    expect(na?.missing).toEqual(['network']);
    expect(na?.message).toBe('needs the network capability, which fake-target does not declare');
    expect(log.ran).toEqual(['NEEDS-LOGS']);
    expect(exitCode).toBe(0);
  });
});

describe('the circuit breaker', () => {
  const silent = (n: number) => Array.from({ length: n }, (_, i) => fakeCase(`SILENT-${i}`, { do: 'no-answer' }));

  it('stops a target that gives no answer and fails its health probe, counting the rest as not run', async () => {
    const { results, summary, exitCode, targetErrors, log } = await run(silent(10), { driver: { probe: 'dead' } });
    expect(results.map((r) => r.verdict)).toEqual(['broken']);
    expect(log.ran).toEqual([results[0]?.id]);
    expect(targetErrors).toEqual([
      expect.stringMatching(
        /^fake-target stopped answering: .*ECONNREFUSED.*; its health probe failed too: GET \/v1\/info: .*The target was stopped: 9 case\(s\) not run$/,
      ) as unknown,
    ]);
    expect(summary?.notRun).toEqual({ [TARGET]: 9 });
    expect(exitCode).toBe(1);
  });

  it('gives the probe its own time: one answering after the case timeout keeps the target running', async () => {
    const cases = [fakeCase('A-SILENT', { do: 'no-answer' }), fakeCase('B-PASSES', { do: 'pass' })];
    const { results, targetErrors } = await run(cases, { timeoutMs: 100, driver: { probe: 'slow' } });
    expect(targetErrors).toEqual([]);
    expect(verdicts(results)).toEqual({ 'A-SILENT': 'broken', 'B-PASSES': 'pass' });
  });

  it('stops a target whose cases go unanswered in a row though its probe answers', async () => {
    const { results, summary } = await run(silent(10), { driver: { probe: 'answers' } });
    expect(results).toHaveLength(SILENT_CASES_LIMIT);
    expect(summary?.notRun).toEqual({ [TARGET]: 10 - SILENT_CASES_LIMIT });
  });

  it('does not count silent cases with answered ones between them as a row', async () => {
    const cases = Array.from({ length: 8 }, (_, i) => fakeCase(`FLAKY-${i}`, { do: 'every-other-silent' }));
    const { results, summary } = await run(cases, { driver: { probe: 'answers' } });
    expect(results.map((r) => r.verdict).sort()).toEqual([...Array(4).fill('broken'), ...Array(4).fill('pass')]);
    expect(summary?.notRun).toEqual({});
  });

  it('never stops a target that answers, however wrong the answers', async () => {
    const cases = Array.from({ length: 6 }, (_, i) => fakeCase(`GARBAGE-${i}`, { do: 'throw', message: 'not JSON' }));
    const { results, summary, targetErrors } = await run(cases, { driver: { probe: 'dead' } });
    expect(results.map((r) => r.verdict)).toEqual(Array(6).fill('broken'));
    expect(summary?.notRun).toEqual({});
    expect(targetErrors).toEqual([]);
  });
});

describe('an interrupt (Ctrl-C)', () => {
  it('keeps every result that finished, runs nothing more, and counts the rest as not run', async () => {
    const interrupt = new AbortController();
    const cases = Array.from({ length: 20 }, (_, i) => fakeCase(`CASE-${i}`, { do: 'pass', ms: 5 }));
    const { results, summary, exitCode, log } = await run(cases, {
      interrupt: interrupt.signal,
      suite: { checks: 1 },
      onCaseEnd: (_result, seen) => {
        if (seen.finished.length === 3) interrupt.abort();
      },
    });
    expect(results.map((r) => r.id)).toEqual(log.finished);
    expect(results.length).toBeGreaterThanOrEqual(3);
    expect(log.ran.length).toBeLessThanOrEqual(4);
    expect(summary?.interrupted).toBe(true);
    expect(summary?.counts.pass).toBe(results.length);
    // The cases not run and the run-level check: part of the plan that was announced.
    expect(summary?.notRun).toEqual({ [TARGET]: 20 - results.length + 1 });
    expect(log.finishCalled).toBe(false);
    expect(exitCode).toBe(1);
  });

  it('while a target is still starting ends the run as interrupted, not as an internal error', async () => {
    const interrupt = new AbortController();
    const runErrors: string[] = [];
    const ran = run([fakeCase('NEVER-RUNS', { do: 'pass' })], {
      interrupt: interrupt.signal,
      driver: { startsUntil: interrupt.signal },
      onRunError: (message) => runErrors.push(message),
    });
    setTimeout(() => interrupt.abort(), 20);
    const error = await ran.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RunInterrupted);
    expect((error as Error).message).toMatch(/^interrupted before the first case.*appium driver install.*no case ran$/);
    expect(runErrors).toEqual([(error as Error).message]);
  });

  it('does not pass off a target that failed to start, with no interrupt, as one', async () => {
    const never = new AbortController();
    setTimeout(() => never.abort(), 10);
    const error = await run([fakeCase('NEVER-RUNS', { do: 'pass' })], { driver: { startsUntil: never.signal } }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(RunInterrupted);
  });
});

describe('retries', () => {
  it('a case that fails, then passes, is flaky: passed, with both attempts recorded, and the run is green', async () => {
    const { results, exitCode, summary } = await run(
      [fakeCase('A-FLAKY', { do: 'fail', times: 1 }), fakeCase('B-PASSES', { do: 'pass' })],
      { retries: 2 },
    );
    const flaky = results.find((r) => r.id === 'A-FLAKY');
    expect(flaky?.verdict).toBe('pass');
    expect(flaky?.flaky).toBe(true);
    expect(flaky?.attempts?.map((a) => [a.verdict, a.message])).toEqual([
      ['fail', 'failed on run 1'],
      ['pass', expect.stringMatching(/^passed on session/) as unknown],
    ]);
    // A case that passed at once ran once, and says nothing of attempts.
    const once = results.find((r) => r.id === 'B-PASSES');
    expect(once?.attempts).toBeUndefined();
    expect(once?.flaky).toBeUndefined();
    expect(summary?.flaky).toBe(1);
    expect(summary?.counts.pass).toBe(2);
    expect(exitCode).toBe(0);
  });

  it('a case that fails on every attempt is a failure with every attempt, never flaky', async () => {
    const { results, exitCode, summary, log } = await run([fakeCase('A-FAILS', { do: 'fail', times: Infinity })], {
      retries: 2,
    });
    expect(log.ran).toEqual(['A-FAILS', 'A-FAILS', 'A-FAILS']);
    const [failed] = results;
    expect(failed?.verdict).toBe('fail');
    expect(failed?.flaky).toBeUndefined();
    expect(failed?.message).toBe('failed on run 3');
    expect(failed?.attempts?.map((a) => a.message)).toEqual(['failed on run 1', 'failed on run 2', 'failed on run 3']);
    expect(summary?.flaky).toBe(0);
    expect(exitCode).toBe(1);
  });

  it('a case that broke, then passed, is flaky too; a retry runs on a fresh session and scope', async () => {
    const { results, log } = await run([fakeCase('A-BREAKS-ONCE', { do: 'break', times: 1 })], {
      retries: 1,
      suite: { scopes: true },
    });
    expect(results[0]?.verdict).toBe('pass');
    expect(results[0]?.flaky).toBe(true);
    expect(results[0]?.attempts?.map((a) => a.verdict)).toEqual(['broken', 'pass']);
    const [first, second] = log.on;
    expect(second?.session).not.toBe(first?.session);
    expect(second?.scope).not.toBe(first?.scope);
  });

  it('without retries a failure runs once', async () => {
    const { results, log } = await run([fakeCase('A-FLAKY', { do: 'fail', times: 1 })]);
    expect(log.ran).toEqual(['A-FLAKY']);
    expect(results[0]?.verdict).toBe('fail');
    expect(results[0]?.attempts).toBeUndefined();
  });

  it('in a chain, retries the failed case alone from a reset (a fresh session and scope), then goes on', async () => {
    const { results, log } = await run(
      [
        fakeCase('A-FIRST', { do: 'pass' }),
        fakeCase('B-FLAKY', { do: 'fail', times: 1 }),
        fakeCase('C-LAST', { do: 'pass' }),
      ],
      { retries: 1, suite: { scopes: true, chains: [['A-FIRST', 'B-FLAKY', 'C-LAST']] } },
    );
    // Not the chain again: only the case that failed.
    expect(log.ran).toEqual(['A-FIRST', 'B-FLAKY', 'B-FLAKY', 'C-LAST']);
    const [a, b1, b2, c] = log.on;
    expect(b1?.session).toBe(a?.session);
    expect(b2?.session).not.toBe(b1?.session);
    expect(b2?.scope).not.toBe(b1?.scope);
    expect(c?.session).toBe(b2?.session);
    expect(verdicts(results)).toEqual({ 'A-FIRST': 'pass', 'B-FLAKY': 'pass', 'C-LAST': 'pass' });
    expect(results.find((r) => r.id === 'B-FLAKY')?.flaky).toBe(true);
  });

  it('notes that retries on a deterministic target can only hide a defect', async () => {
    const deterministic = await run([fakeCase('A', { do: 'pass' })], { retries: 1, driver: { deterministic: true } });
    expect(deterministic.begun[0]?.notes).toEqual([expect.stringContaining('--retries 1 on a deterministic target')]);
    const device = await run([fakeCase('A', { do: 'pass' })], { retries: 1 });
    expect(device.begun[0]?.notes).toBeUndefined();
    const none = await run([fakeCase('A', { do: 'pass' })], { driver: { deterministic: true } });
    expect(none.begun[0]?.notes).toBeUndefined();
  });
});

describe('maxFailures (--bail, --max-failures)', () => {
  it('stops scheduling after the first failure: nothing else runs, the rest are not run with the reason', async () => {
    const { results, log, summary, exitCode } = await run(
      [
        fakeCase('A-PASSES', { do: 'pass' }),
        fakeCase('B-FAILS', { do: 'fail', times: Infinity }),
        fakeCase('C-PASSES', { do: 'pass' }),
        fakeCase('D-PASSES', { do: 'pass' }),
      ],
      { maxFailures: 1, suite: { checks: 2 }, seed: 2 },
    );
    // Whatever the order the seed gave, nothing runs after the failure (one session: none in flight).
    expect(log.ran.at(-1)).toBe('B-FAILS');
    expect(log.ran.length).toBeLessThan(4);
    expect(results.map((r) => r.id)).toEqual(log.ran);
    // The run-level checks would check part of the plan: not run either.
    expect(log.finishCalled).toBe(false);
    expect(summary?.notRun).toEqual({ [TARGET]: 4 - log.ran.length + 2 });
    expect(summary?.stopped).toBe('stopped after 1 failed or broken case (--bail)');
    expect(exitCode).toBe(1);
  });

  it('counts broken cases too, and lets the cases in flight finish', async () => {
    const { results, log, summary } = await run(
      [
        fakeCase('A-BREAKS', { do: 'break', times: Infinity }),
        fakeCase('B-SLOW', { do: 'pass', ms: 150 }),
        fakeCase('C-FAILS', { do: 'fail', times: Infinity }),
        ...Array.from({ length: 6 }, (_, i) => fakeCase(`Z-${i}`, { do: 'pass', ms: 150 })),
      ],
      { maxFailures: 2, workers: 3, driver: { maxSessions: 3 } },
    );
    // Two failures (one broken) stop it; the slow case in flight when they came still finished.
    expect(results.filter((r) => r.verdict === 'fail' || r.verdict === 'broken')).toHaveLength(2);
    expect(log.finished).toContain('B-SLOW');
    expect(results.map((r) => r.id)).toContain('B-SLOW');
    expect(results.length).toBeLessThan(9);
    expect(summary?.stopped).toBe('stopped after 2 failed or broken cases (--max-failures 2)');
    expect(summary?.notRun?.[TARGET]).toBe(9 - results.length);
  });

  it('a flaky case is no failure: it does not count', async () => {
    const { results, summary } = await run(
      [fakeCase('A-FLAKY', { do: 'fail', times: 1 }), fakeCase('B-PASSES', { do: 'pass' })],
      { maxFailures: 1, retries: 1 },
    );
    expect(results).toHaveLength(2);
    expect(summary?.stopped).toBeUndefined();
    expect(summary?.exitCode).toBe(0);
  });

  it('reached by the last case stops nothing: the run is complete', async () => {
    const { summary } = await run(
      [fakeCase('A-PASSES', { do: 'pass' }), fakeCase('B-FAILS', { do: 'fail', times: Infinity })],
      { maxFailures: 1, suite: { checks: 1 } },
    );
    expect(summary?.stopped).toBeUndefined();
    expect(summary?.notRun).toEqual({});
  });
});

describe('only (--last-failed)', () => {
  it('runs only the given cases of the target, whatever the tier, and says which are no case of the plan', async () => {
    const notices: string[] = [];
    const { results, log } = await run(
      [fakeCase('A', { do: 'pass' }), fakeCase('B', { do: 'pass' }), fakeCase('C', { do: 'pass' })],
      { only: new Map([[TARGET, new Set(['B', 'FAKE-CHECK-0'])]]), onNotice: (text) => notices.push(text) },
    );
    expect(log.ran).toEqual(['B']);
    expect(results.map((r) => r.id)).toEqual(['B']);
    expect(notices).toEqual([expect.stringContaining('no case of its plan now, so not re-run: FAKE-CHECK-0')]);
  });

  it('with none of them in the plan, is a usage error that says so', async () => {
    const error = await run([fakeCase('A', { do: 'pass' })], { only: new Map([[TARGET, new Set(['GONE'])]]) }).then(
      () => null,
      (e: unknown) => e,
    );
    expect((error as Error).message).toMatch(/--last-failed: none of the previous run's 1 failure\(s\) is a case/);
  });
});
