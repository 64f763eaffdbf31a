/**
 * `resets: 'fewest'` (issue 5, device runs): cases that start where an earlier case ended run without a
 * reset, and that never changes a verdict. A client that keeps hidden state across a failing request, which
 * a reset before every case would hide, is caught and reported with both cases.
 */
import { describe, expect, it } from 'vitest';
import { DRIVERS } from '../../src/cli/builtins.ts';
import type { DriverFactory } from '../../src/core/driver.ts';
import type { CaseResult } from '../../src/core/results.ts';
import { emulatedWith, wrapSession } from '../suites/openmobile/wrapped-client.ts';
import { runInProcess } from './helpers.ts';

const resets = (r: CaseResult) => r.steps.filter((s) => s.name.startsWith('reset')).length;
const continued = (r: CaseResult) => r.steps.some((s) => s.name.startsWith('no reset'));
const verdicts = (results: CaseResult[]) =>
  Object.fromEntries(results.map((r) => [`${r.target} ${r.id}`, `${r.verdict} ${r.category ?? ''}`]));

async function both(platform: 'android' | 'ios', defects: string[] = [], grep: string[] = []) {
  const run = (mode: 'every-case' | 'fewest') =>
    runInProcess(
      {
        targets: [{ name: `t-${platform}`, driver: 'emulated', options: { platform, defects }, resets: mode }],
        run: [`t-${platform}`],
      },
      { grep },
    );
  return { every: (await run('every-case')).results, fewest: (await run('fewest')).results };
}

describe("resets: 'fewest'", () => {
  for (const platform of ['android', 'ios'] as const) {
    it(`gives the verdicts of a reset before every case, with at most half the resets (${platform})`, async () => {
      const { every, fewest } = await both(platform);
      expect(verdicts(fewest)).toEqual(verdicts(every));
      const cases = fewest.filter((r) => r.steps.length > 0).length;
      expect(every.reduce((n, r) => n + resets(r), 0)).toBe(cases);
      const total = fewest.reduce((n, r) => n + resets(r), 0);
      expect(total).toBeLessThan(cases / 2);
      expect(fewest.filter(continued).length).toBeGreaterThan(cases / 2);
      // Reachable state: cases whose given steps were sent from where the case before left the client.
      const reached = fewest.filter((r) =>
        r.steps.some((s) => /^no reset: .* from which the given steps lead/.test(s.name)),
      );
      expect(reached.length).toBeGreaterThan(0);
      for (const r of reached) expect(r.steps.filter((s) => s.name.startsWith('given ')).length).toBeGreaterThan(0);
      console.log(
        `${platform}: ${cases} cases, ${total} resets, ${reached.length} reached by given steps sent from a state`,
      );
    });
  }

  it('gives the same verdicts with seeded defects, failing cases re-run from a reset', async () => {
    for (const [platform, defect] of [
      ['android', 'partial-write-on-failure'],
      ['ios', 'missed-soft-password-removal'],
      ['android', 'password-in-logs'],
      ['ios', 'empty-treated-as-omitted'],
    ] as const) {
      const { every, fewest } = await both(platform, [defect]);
      expect(verdicts(fewest), `${defect} on ${platform}`).toEqual(verdicts(every));
      expect(fewest.some((r) => r.verdict === 'fail')).toBe(true);
      // A failing case is reported from its run after a reset, which is what `--grep <id>` replays.
      for (const r of fewest.filter((x) => x.verdict === 'fail')) expect(resets(r)).toBe(1);
    }
  });

  it('catches a client whose failing requests leave hidden state behind, naming both cases', async () => {
    const drivers: Record<string, DriverFactory> = { ...DRIVERS, 'hidden-state': hiddenStateDriver };
    const run = (mode: 'every-case' | 'fewest') =>
      runInProcess(
        {
          targets: [{ name: 'h', driver: 'hidden-state', options: { platform: 'android' }, resets: mode }],
          run: ['h'],
        },
        { grep: ['OM-LEN-USERNAME'] },
        drivers,
        { 'hidden-state': 'openmobile' },
      );
    // Each case starts from a reset: the hidden state never shows.
    const every = (await run('every-case')).results;
    expect(every.filter((r) => r.verdict === 'fail')).toEqual([]);
    const fewest = (await run('fewest')).results;
    const caught = fewest.filter((r) => r.verdict === 'fail');
    expect(caught.length).toBeGreaterThan(0);
    for (const r of caught) {
      expect(r.category).toBe('state-changed-by-failing-request');
      expect(r.requirements).toContain('OM-ATOMIC');
      expect(r.message).toMatch(/right after om:\S+@android-\w+, on the state it left \(no reset\)/);
      expect(r.message).toContain('From a reset it passes');
      expect(r.attachments.map((a) => a.name)).toContain('the same case from a reset (passed)');
    }
  });
});

/**
 * An emulated Android client that, after any request it answers with a failure, answers every later
 * request with 2 (internal error) until it is reset: state that the settings it shows do not reveal.
 */
const hiddenStateDriver: DriverFactory = emulatedWith((session) => {
  let poisoned = false;
  return wrapSession(session, {
    reset: async (url, signal) => {
      poisoned = false;
      await session.reset(url, signal);
    },
    provision: async (request, signal) => {
      const observed = await session.provision(request, signal);
      if (poisoned && observed.handled)
        return { ...observed, result: request.method === 'intent' ? 2 : null, dialog: 'failure' };
      const failed = observed.handled && ((observed.result ?? 0) !== 0 || observed.dialog === 'failure');
      if (failed) poisoned = true;
      return observed;
    },
  });
});
