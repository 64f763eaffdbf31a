/**
 * `npx harness run --target virtual-android` / `virtual-ios`: the Open Mobile plan through WebdriverIO, a
 * real Appium 3 server the harness starts, and the virtual-device driver, gives the in-process emulated
 * clients' verdicts case for case, and a seeded defect is caught through this path.
 *
 * A representative part of the plan runs here (routing, result codes, delivery, silent mode, logs); the
 * whole plan takes about 80 s per platform (docs/devices.md).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TargetConfig } from '../../src/config/types.ts';
import type { CaseResult } from '../../src/core/results.ts';
import { ROOT, runCli, runInProcess } from './helpers.ts';

const SUBSET = ['om:rc-', 'om:rt-', 'OM-DELIVER', 'OM-SILENT', 'OM-LOG'];

function virtual(platform: 'android' | 'ios', extra: Record<string, unknown> = {}): TargetConfig {
  return {
    name: `virtual-${platform}`,
    driver: 'appium',
    options: {
      appium: 'local',
      platform,
      devices: [{ udid: `e2e-${platform}-1` }, { udid: `e2e-${platform}-2` }],
      capabilities: { 'appium:automationName': 'HarnessVirtual' },
      settleMs: 0,
      ...extra,
    },
  };
}

function verdicts(results: CaseResult[]): Map<string, string> {
  return new Map(results.map((r) => [r.id, `${r.verdict} ${JSON.stringify(r.choices)}`]));
}

describe('through Appium and the virtual device', () => {
  for (const platform of ['android', 'ios'] as const) {
    it(`gives the in-process verdicts on ${platform}, case for case`, { timeout: 240_000 }, async () => {
      const inProcess = await runInProcess({}, { target: [`emulated-${platform}`], grep: SUBSET });
      const appium = await runInProcess(
        { targets: [virtual(platform)] },
        { target: [`virtual-${platform}`], grep: SUBSET },
      );
      expect(appium.results.length).toBe(inProcess.results.length);
      expect(appium.results.filter((r) => r.verdict === 'broken').map((r) => `${r.id}: ${r.message}`)).toEqual([]);
      // What a phone cannot do: overlapping requests (no way to tell whose outcome is whose), and on iOS
      // switching connectivity (XCUITest has no command for it). Those cases are not applicable, never failed.
      const notApplicable = appium.results.filter((r) => r.verdict === 'not-applicable');
      const allowed =
        platform === 'ios' ? /needs the (concurrency|network) capability/ : /needs the concurrency capability/;
      expect(notApplicable.filter((r) => !allowed.test(r.message)).map((r) => `${r.id}: ${r.message}`)).toEqual([]);
      expect(notApplicable.length).toBeGreaterThan(0);
      const a = verdicts(inProcess.results);
      const b = verdicts(appium.results);
      const skipped = new Set(notApplicable.map((r) => r.id));
      const differing = [...a.keys()]
        .filter((id) => !skipped.has(id) && a.get(id) !== b.get(id))
        .map((id) => `${id}: ${a.get(id)} vs ${b.get(id)}`);
      expect(differing).toEqual([]);
      expect(appium.results.length - skipped.size).toBeGreaterThan(50);
      expect(appium.outcome.exitCode).toBe(0);
    });
  }

  it(
    'catches seeded defects through this path: a soft rule, and a password in logcat',
    { timeout: 240_000 },
    async () => {
      const target = virtual('android', { defects: ['missed-soft-domain-default', 'password-in-logs'] });
      const { outcome, results } = await runInProcess(
        { targets: [target] },
        { target: ['virtual-android'], grep: ['OM-SOFT-DOMAIN-DEFAULT', 'OM-LOG-NO-PASSWORD'] },
      );
      const failed = (req: string) => results.some((r) => r.verdict === 'fail' && r.requirements.includes(req));
      expect(failed('OM-SOFT-DOMAIN-DEFAULT')).toBe(true);
      expect(failed('OM-LOG-NO-PASSWORD')).toBe(true);
      // Every failing case carries what the device showed afterwards (the virtual device has no screen).
      const failing = results.filter((r) => r.verdict === 'fail' && !r.id.startsWith('om:run-'));
      for (const r of failing) {
        const source = r.attachments.find((a) => a.name === 'page source (after the case)');
        expect(source?.contentType, r.id).toBe('application/xml');
        expect(source?.body).toMatch(/^<\?xml|^</);
      }
      expect(outcome.exitCode).toBe(1);
    },
  );

  it('catches an iOS defect seen on the settings screen', { timeout: 240_000 }, async () => {
    const target = virtual('ios', { defects: ['ios-autologin-initial-not-set'] });
    const { results } = await runInProcess(
      { targets: [target] },
      { target: ['virtual-ios'], grep: ['OM-SOFT-AUTOLOGIN-IOS-INITIAL'] },
    );
    expect(results.some((r) => r.verdict === 'fail' && r.requirements.includes('OM-SOFT-AUTOLOGIN-IOS-INITIAL'))).toBe(
      true,
    );
  });

  it('runs from the command line: npx harness run --target virtual-android', { timeout: 240_000 }, async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'harness-appium-'));
    const run = await runCli(
      ['run', '--target', 'virtual-android', '--grep', 'om:rc-0', '--reporter', 'summary', '--output', out],
      ROOT,
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8')) as unknown;
    expect(JSON.stringify(summary)).toContain('virtual-android');
  });
});
