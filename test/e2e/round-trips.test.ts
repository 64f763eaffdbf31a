/**
 * Fewer round trips per case on a device (issue 17): every cut of the Appium driver changes the number of
 * commands sent and nothing the harness observes, so every case of the Android smoke tier (a case for each
 * requirement and choice-point option) gets the same verdict with and without it, on a clean client and on
 * one with seeded defects, on a scaled latency profile (the waits are real, on the server's side).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalAppium, type LocalAppium } from '../../drivers/appium/server.ts';
import { BENCH_KEY, runProfiled, type ProfiledRun } from '../../bench/latency.ts';

/** Defects whose symptoms the cuts touch: the logs, the dialog and notification, connectivity, state, routing. */
const DEFECTS = [
  'password-in-logs',
  'silentmode-ignored',
  'offline-as-no-profile',
  'partial-write-on-failure',
  'url-method-without-com-required-on-intent',
];

const verdicts = (r: ProfiledRun) =>
  Object.fromEntries(r.results.map((c) => [c.id, `${c.verdict} ${c.category ?? ''} ${c.message}`]));
const commands = (r: ProfiledRun) => r.counts.command + r.counts.deepLink + r.counts.reset + r.counts.pageSource;

describe('fewer round trips on the virtual device', () => {
  let appium: LocalAppium;
  beforeAll(async () => {
    appium = await startLocalAppium({ HARNESS_OBFUSCATION_KEY: BENCH_KEY });
  }, 120_000);
  afterAll(async () => {
    await appium?.stop();
  });

  const run = (extra: Record<string, unknown>) =>
    runProfiled({
      appium: appium.url,
      platform: 'android',
      devices: 1,
      latency: 'usb-android',
      latencyScale: 0.01,
      grep: [],
      tier: 'smoke',
      extra,
    });

  for (const defects of [[], DEFECTS]) {
    it(
      `gives every case the verdict of roundTrips: 'all' with fewer commands (${defects.length > 0 ? 'seeded defects' : 'no defect'})`,
      { timeout: 180_000 },
      async () => {
        const all = await run({ roundTrips: 'all', defects });
        const fewest = await run({ roundTrips: 'fewest', defects });
        expect(fewest.cases).toBeGreaterThan(15);
        expect(verdicts(fewest)).toEqual(verdicts(all));
        if (defects.length > 0) expect(all.results.filter((c) => c.verdict === 'fail').length).toBeGreaterThan(2);
        // The same requests, resets and page sources; fewer other commands.
        expect(fewest.counts.deepLink).toBe(all.counts.deepLink);
        expect(fewest.counts.reset).toBe(all.counts.reset);
        expect(fewest.counts.pageSource).toBe(all.counts.pageSource);
        expect(commands(fewest)).toBeLessThan(commands(all) * 0.9);
      },
    );
  }
});
