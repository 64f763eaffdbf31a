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
  | { do: 'every-other-silent' };

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
  finished: string[];
  sessions: FakeSession[];
  scopesOpened: number;
  scopesClosed: number;
  finishCalled: boolean;
}

const newLog = (): Log => ({
  ran: [],
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
  options: { checks?: number; scopes?: boolean } = {},
): Suite<FakeSession, BaseTargetInfo, number> {
  const run = async (planned: PlannedCase, env: CaseEnv<FakeSession, BaseTargetInfo, number>): Promise<CaseResult> => {
    const behaviour = (planned as FakeCase).behaviour;
    log.ran.push(planned.id);
    if (env.session.closed) throw new Error('ran on a closed session');
    switch (behaviour.do) {
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
      verdict: 'pass',
      message: `passed on session ${env.session.id}, scope ${String(env.scope)}`,
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
      return {
        ...plan,
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
    probe?: 'answers' | 'dead';
    /** Starting takes until this signal aborts, then fails (what a killed `appium driver install` does). */
    startsUntil?: AbortSignal;
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
    },
    { startedAt: new Date().toISOString(), command: 'test', harnessVersion: 'test' },
    options.interrupt,
  );
  ran.exitCode = outcome.exitCode;
  return ran;
}

const verdicts = (results: CaseResult[]) => Object.fromEntries(results.map((r) => [r.id, r.verdict]));

// ---------------------------------------------------------------------------------------------------------

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
