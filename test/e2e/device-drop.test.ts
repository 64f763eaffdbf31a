/**
 * A device lost mid-run (issue 17): a phone pulled off its cable, taken offline by a farm. Its in-flight case
 * runs again, from a reset, on another device of the target, the run says so, and no case is lost or run
 * twice; every verdict is the one a run without the loss gives. A target that loses every device ends its
 * run with what it has: the cases already judged are kept, the others counted as not run, never a crash.
 * The virtual Appium device is unplugged after a number of commands (`appium:harnessUnplugAfter`): its
 * session then fails as a UiAutomator2 session does when its device goes, and the server refuses a new one.
 */
import { describe, expect, it } from 'vitest';
import { useLocalAppium } from './local-appium.ts';
import { BENCH_KEY, runProfiled, type ProfiledRun } from '../../bench/latency.ts';

const verdicts = (r: ProfiledRun) =>
  Object.fromEntries(r.results.map((c) => [c.id, `${c.verdict} ${c.category ?? ''} ${c.message}`]));
const ids = (r: ProfiledRun) => r.results.map((c) => c.id);

describe('a device lost mid-run', () => {
  const appium = useLocalAppium({ HARNESS_OBFUSCATION_KEY: BENCH_KEY });

  /** The Android smoke tier on two virtual devices; `unplug` gives each device's commands before it goes. */
  const run = (tag: string, unplug: [number | null, number | null], defects: string[] = []) =>
    runProfiled({
      appium: appium.url,
      platform: 'android',
      devices: 2,
      latency: undefined,
      grep: [],
      tier: 'smoke',
      extra: {
        defects,
        devices: unplug.map((after, i) => ({
          udid: `${tag}-${i + 1}`,
          ...(after === null ? {} : { capabilities: { 'appium:harnessUnplugAfter': after } }),
        })),
      },
    });

  for (const defects of [[], ['password-in-logs', 'silentmode-ignored']]) {
    it(
      `runs the lost device's case on the other one: same verdicts, each case once (${defects.length > 0 ? 'seeded defects' : 'no defect'})`,
      { timeout: 180_000 },
      async () => {
        const tag = defects.length > 0 ? 'defects' : 'clean';
        const whole = await run(`${tag}-whole`, [null, null], defects);
        const dropped = await run(`${tag}-drop`, [null, 80], defects);
        expect(whole.cases).toBeGreaterThan(15);
        expect(whole.notes).toEqual([]);
        // One case was in flight on the device when it went: it ran again on the other.
        expect(dropped.notes).toHaveLength(1);
        expect(dropped.notes[0]).toMatch(
          new RegExp(
            `^device ${tag}-drop-2 was lost during om:\\S+: .*not in the list of connected devices.*run again, from a reset, on another device`,
          ),
        );
        expect(dropped.errors).toEqual([]);
        expect(dropped.notRun).toBe(0);
        expect(new Set(ids(dropped)).size).toBe(dropped.cases);
        expect(verdicts(dropped)).toEqual(verdicts(whole));
        if (defects.length > 0) expect(whole.results.filter((c) => c.verdict === 'fail').length).toBeGreaterThan(1);
      },
    );
  }

  it(
    'keeps what it judged when every device is lost, and counts the rest as not run',
    { timeout: 180_000 },
    async () => {
      const whole = await run('all-whole', [null, null]);
      const lost = await run('all-drop', [60, 90]);
      expect(lost.notes).toHaveLength(2);
      expect(lost.notes[1]).toMatch(/No device of the target is left/);
      expect(lost.errors).toHaveLength(1);
      expect(lost.errors[0]).toMatch(
        /^every device of virtual-android was lost \(all-drop-1, all-drop-2\): \d+ case\(s\) not run/,
      );
      // Some cases ran, each once, with the verdict of the whole run; the others are not run.
      expect(lost.cases).toBeGreaterThan(0);
      expect(new Set(ids(lost)).size).toBe(lost.cases);
      const expected = verdicts(whole);
      for (const [id, verdict] of Object.entries(verdicts(lost))) expect(verdict).toBe(expected[id]);
      // Every planned case and run-level check is either reported or counted as not run.
      expect(whole.notRun).toBe(0);
      expect(lost.notRun).toBeGreaterThan(0);
      expect(lost.cases + lost.notRun).toBe(whole.cases);
    },
  );
});
