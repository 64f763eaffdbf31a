/**
 * Every seeded defect of the emulated clients is caught through the device path too: WebdriverIO, a real
 * Appium 3 server and the virtual-device driver hosting the defective client. For each defect/platform pair,
 * the cases that catch it in process are found first (a second), and then run through Appium, where at least
 * one of them must fail and none break. Only a few cases per pair go through Appium, so the whole test stays
 * within a few minutes.
 */
import { describe, expect, it } from 'vitest';
import { DEFECTS } from '../../drivers/emulated/defects.ts';
import type { TargetConfig } from '../../src/config/types.ts';
import { runInProcess } from './helpers.ts';

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

function virtual(platform: 'android' | 'ios', defects: string[]): TargetConfig {
  return {
    name: `virtual-${platform}`,
    driver: 'appium',
    options: {
      appium: 'local',
      platform,
      devices: [{ udid: `defects-${platform}-1` }],
      capabilities: { 'appium:automationName': 'HarnessVirtual' },
      settleMs: 0,
      defects,
    },
  };
}

describe('every seeded defect, through Appium and the virtual device', () => {
  for (const defect of DEFECTS) {
    for (const platform of defect.platforms) {
      const pair = `${defect.id}@${platform}`;
      it.skipIf(NOT_OBSERVABLE_ON_A_DEVICE.has(pair))(`catches ${pair}`, { timeout: 120_000 }, async () => {
        const name = `emulated-${platform}-defective`;
        const inProcess = await runInProcess({
          targets: [{ name, driver: 'emulated', options: { platform, defects: [defect.id] } }],
          run: [name],
        });
        const failed = inProcess.results.filter((r) => r.verdict === 'fail');
        expect(failed.length, `${pair} is not caught in process`).toBeGreaterThan(0);
        const target = virtual(platform, [defect.id]);
        const catching = failed
          .filter((r) => !r.id.startsWith('OM-RUN-'))
          .map((r) => r.id)
          .slice(0, 4);
        if (catching.length === 0) {
          // Caught only by a run-level check over many answers (one order of checks): the precedence cases.
          const run = await runInProcess({ targets: [target], run: [target.name] }, { grep: ['OM-PRECEDENCE'] });
          const checks = run.results.filter((r) => r.id.startsWith('OM-RUN-') && r.verdict === 'fail');
          expect(checks.map((r) => r.id)).toEqual(failed.map((r) => r.id));
          return;
        }
        const { results } = await runInProcess({ targets: [target], run: [target.name] }, { grep: catching });
        const ran = results.filter((r) => catching.includes(r.id));
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
