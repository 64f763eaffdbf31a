/**
 * The harness's own acceptance test: the default plan passes on the defect-free emulated clients with zero
 * failures, and catches every seeded defect (at least one case fails on every platform the defect exists on),
 * in process and through the device path: WebdriverIO, a real Appium 3 server and the virtual-device driver
 * hosting the defective client. For each defect/platform pair the whole plan runs in process first; a few of
 * the cases that caught it there then run through Appium, where at least one must fail and none break.
 */
import { describe, expect, it } from 'vitest';
import { useLocalAppium } from './local-appium.ts';
import { DEFECTS } from '../../drivers/emulated/defects.ts';
import type { TargetConfig } from '../../src/config/types.ts';
import { KEY, runInProcess } from './helpers.ts';

/**
 * Defects the device path cannot show (docs/devices.md): no app can receive a callback with an empty
 * scheme; a phone cannot tell which of two overlapping requests an outcome belongs to, so the `concurrency`
 * capability is never declared; XCUITest has no connectivity command, so iOS has no `network`.
 */
const NOT_OBSERVABLE_ON_A_DEVICE = new Map([
  ['empty-resulturlscheme-callback@ios', 'no app receives a callback with an empty scheme'],
  ['in-progress-not-refused@ios', 'needs the concurrency capability'],
  ['in-progress-not-refused@android', 'needs the concurrency capability'],
  ['offline-as-no-profile@ios', 'needs the network capability'],
]);

// One Appium server for every pair, as a lab runs one for its devices (`appium: <url>`): starting one per
// pair would be much of this file's time. The virtual device reads the obfuscation key from its environment,
// as a real app has it built in.
const appium = useLocalAppium({ HARNESS_OBFUSCATION_KEY: KEY });

function virtual(platform: 'android' | 'ios', defects: string[]): TargetConfig {
  return {
    name: `virtual-${platform}`,
    driver: 'appium',
    options: {
      appium: appium.url,
      platform,
      devices: [{ udid: `defects-${platform}-1` }],
      capabilities: { 'appium:automationName': 'HarnessVirtual' },
      settleMs: 0,
      defects,
    },
  };
}

describe('the default plan on the emulated clients', () => {
  // The whole default plan in process (4,000 cases and more): about 20 s alone, minutes beside the longest
  // e2e files, which start with it.
  it('passes on the defect-free clients with zero failures and zero broken cases', { timeout: 300_000 }, async () => {
    const { outcome, results } = await runInProcess({});
    const bad = results.filter((r) => r.verdict === 'fail' || r.verdict === 'broken');
    expect(bad.map((r) => `${r.target} ${r.id}: ${r.message}`)).toEqual([]);
    expect(outcome.exitCode).toBe(0);
    expect(results.length).toBeGreaterThanOrEqual(1000);
    // The emulated clients make implementation-defined choices; they are recorded, not failed.
    expect(results.some((r) => r.verdict === 'informational')).toBe(true);
  });

  it('has at least 12 seeded defects', () => expect(DEFECTS.length).toBeGreaterThanOrEqual(12));

  for (const defect of DEFECTS) {
    for (const platform of defect.platforms) {
      const pair = `${defect.id}@${platform}`;
      const device = NOT_OBSERVABLE_ON_A_DEVICE.has(pair) ? '' : ', and through Appium';
      it(`catches ${defect.id} on ${platform} in process${device}`, { timeout: 120_000 }, async () => {
        const name = `defect-${platform}`;
        const { outcome, results } = await runInProcess({
          targets: [{ name, driver: 'emulated', options: { platform, defects: [defect.id] } }],
          run: [name],
        });
        const failed = results.filter((r) => r.verdict === 'fail');
        expect(failed.length, `no case failed with ${defect.id} on ${platform}`).toBeGreaterThan(0);
        expect(results.filter((r) => r.verdict === 'broken')).toEqual([]);
        expect(outcome.exitCode).toBe(1);
        if (device === '') return;

        const target = virtual(platform, [defect.id]);
        const catching = failed
          .filter((r) => !r.id.startsWith('om:run-'))
          .map((r) => r.id)
          .slice(0, 4);
        if (catching.length === 0) {
          // Caught only by a run-level check over many answers: one order of checks (the precedence cases), or
          // one choice made the same way every time (the cases that showed the choice points it names).
          const points = new Set(failed.flatMap((r) => r.message.match(/OM-CHOICE-[A-Z0-9-]+/g) ?? []));
          const grep =
            points.size > 0
              ? results.filter((r) => Object.keys(r.choices ?? {}).some((point) => points.has(point))).map((r) => r.id)
              : ['OM-PRECEDENCE'];
          const run = await runInProcess({ targets: [target], run: [target.name] }, { grep });
          const checks = run.results.filter((r) => r.id.startsWith('om:run-') && r.verdict === 'fail');
          expect(checks.map((r) => r.id)).toEqual(failed.map((r) => r.id));
          return;
        }
        const onDevice = await runInProcess({ targets: [target], run: [target.name] }, { grep: catching });
        const ran = onDevice.results.filter((r) => catching.includes(r.id));
        expect(ran.filter((r) => r.verdict === 'broken').map((r) => `${r.id}: ${r.message}`)).toEqual([]);
        const applicable = ran.filter((r) => r.verdict !== 'not-applicable');
        expect(applicable.length, `${pair}: every catching case is not applicable through Appium`).toBeGreaterThan(0);
        expect(
          applicable.some((r) => r.verdict === 'fail'),
          `${pair}: none of ${catching.join(', ')} failed through Appium`,
        ).toBe(true);
      });
    }
  }
});
