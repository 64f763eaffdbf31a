/**
 * A case that needs wall time declares its own timeout (`PlannedCase.timeoutMs`), and the runner gives it
 * the larger of that and the target's `timeoutMs`; every other case keeps the target's.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve.ts';
import type { DriverFactory } from '../../src/core/driver.ts';
import type { CaseResult } from '../../src/core/results.ts';
import { caseTimeoutMs, fixedPlan, type PlannedCase, type Suite } from '../../src/core/suite.ts';
import type { BaseTargetInfo } from '../../src/core/types.ts';
import { runPlan } from '../../src/runner/run.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe('caseTimeoutMs', () => {
  it("is the target's timeout for a case that declares none", () => {
    expect(caseTimeoutMs({}, 10_000)).toBe(10_000);
  });
  it("is the case's need where it is longer, the target's where that is longer", () => {
    expect(caseTimeoutMs({ timeoutMs: 21_000 }, 10_000)).toBe(21_000);
    expect(caseTimeoutMs({ timeoutMs: 21_000 }, 60_000)).toBe(60_000);
  });
  it('ignores a need that is not a finite number', () => {
    expect(caseTimeoutMs({ timeoutMs: Number.NaN }, 10_000)).toBe(10_000);
    expect(caseTimeoutMs({ timeoutMs: Number.POSITIVE_INFINITY }, 10_000)).toBe(10_000);
  });
});

interface SleepCase extends PlannedCase {
  sleepMs: number;
}

/** A suite whose cases each sleep a while and pass, honouring the abort. */
function sleepySuite(cases: SleepCase[]): Suite<null, BaseTargetInfo> {
  return {
    name: 'sleepy',
    specification: 'test',
    fuzzPropertyIds: [],
    load: async () => {},
    list: () => cases,
    plan: () =>
      fixedPlan<null, BaseTargetInfo>(cases, async (planned, env) => {
        const ms = (planned as SleepCase).sleepMs;
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(resolve, ms);
          env.signal.addEventListener('abort', () => {
            clearTimeout(timer);
            reject(new Error('aborted'));
          });
        });
        return {
          id: planned.id,
          title: planned.title,
          target: env.targetName,
          specification: 'test',
          area: planned.area,
          requirements: [],
          verdict: 'pass',
          message: `slept ${ms} ms`,
          parameters: {},
          choices: {},
          steps: [],
          attachments: [],
          start: 0,
          stop: 0,
          replay: env.replay,
        };
      }),
    fuzzProperties: () => [],
    catalogue: () => ({ requirements: [], choicePoints: [] }),
    explain: () => '',
  } as unknown as Suite<null, BaseTargetInfo>;
}

const driver: DriverFactory = async () => ({
  maxSessions: 1,
  info: async () => ({ name: 'sleeper', version: '1', capabilities: [] }),
  openSession: async () => null,
  stop: async () => {},
});

async function run(cases: SleepCase[], timeoutMs: number): Promise<CaseResult[]> {
  const resolved = resolveConfig(
    {
      file: path.join(ROOT, 'harness.config.ts'),
      config: { targets: [{ name: 'sleeper', driver: 'sleeper', timeoutMs }] },
    },
    {},
    {},
    ROOT,
  );
  const results: CaseResult[] = [];
  await runPlan(
    resolved,
    {
      suites: { sleepy: sleepySuite(cases) as Suite<unknown, BaseTargetInfo, unknown> },
      suiteOf: () => 'sleepy',
      drivers: { sleeper: driver },
      reporter: { onCaseEnd: (r) => void results.push(r) },
    },
    { startedAt: new Date().toISOString(), command: 'test', harnessVersion: 'test' },
  );
  return results;
}

const sleeper = (id: string, sleepMs: number, timeoutMs?: number): SleepCase => ({
  id,
  title: id,
  area: 'timing',
  requirements: [],
  needs: [],
  sleepMs,
  ...(timeoutMs === undefined ? {} : { timeoutMs }),
});

describe('the runner honours a case timeout', () => {
  it('lets a case that declares its need run past the target timeout, and breaks one that does not', async () => {
    const results = await run([sleeper('declares', 400, 2_000), sleeper('silent', 400), sleeper('quick', 10)], 150);
    const verdicts = Object.fromEntries(results.map((r) => [r.id, r.verdict]));
    expect(verdicts).toEqual({ declares: 'pass', silent: 'broken', quick: 'pass' });
    expect(results.find((r) => r.id === 'silent')?.message).toMatch(/within 150 ms/);
  });

  it('still breaks a case that runs past its own declared need', async () => {
    const results = await run([sleeper('overruns', 900, 300)], 100);
    expect(results[0]?.verdict).toBe('broken');
    expect(results[0]?.message).toMatch(/within 300 ms/);
  });
});
