/**
 * Fewer round trips per case on a device (issue 17): each cut of the Appium driver changes the number of
 * requests sent and nothing the harness observes, so every case of the Android smoke tier (a case for each
 * requirement and choice-point option) gets the same verdict with and without it, on a clean client and on
 * one with seeded defects, on a scaled latency profile (the waits are real, on the server's side):
 * `roundTrips: 'fewest'` against `'all'`, and `batch: 'driver-script'` (each request's commands in one
 * driver script the virtual Appium driver runs) against single commands.
 */
import { describe, expect, it } from 'vitest';
import { useLocalAppium } from './local-appium.ts';
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
/** What the harness sent the server: single commands and driver scripts. */
const requests = (r: ProfiledRun) => commands(r) - r.counts.batched + r.counts.scripts;

describe('fewer round trips on the virtual device', () => {
  const appium = useLocalAppium({ HARNESS_OBFUSCATION_KEY: BENCH_KEY }, { allowDriverScripts: true });

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
      `gives every case the verdict of roundTrips: 'all' with fewer commands, and in driver scripts (${defects.length > 0 ? 'seeded defects' : 'no defect'})`,
      { timeout: 180_000 },
      async () => {
        const all = await run({ roundTrips: 'all', defects });
        const fewest = await run({ roundTrips: 'fewest', defects });
        const batched = await run({ roundTrips: 'fewest', batch: 'driver-script', defects });
        expect(fewest.cases).toBeGreaterThan(15);
        expect(verdicts(fewest)).toEqual(verdicts(all));
        if (defects.length > 0) expect(all.results.filter((c) => c.verdict === 'fail').length).toBeGreaterThan(2);
        // The same requests, resets and page sources; fewer other commands.
        expect(fewest.counts.deepLink).toBe(all.counts.deepLink);
        expect(fewest.counts.reset).toBe(all.counts.reset);
        expect(fewest.counts.pageSource).toBe(all.counts.pageSource);
        expect(commands(fewest)).toBeLessThan(commands(all) * 0.9);
        expect(fewest.counts.scripts).toBe(0);
        // Driver scripts: the very commands of the single-command run reach the device, in far fewer requests.
        expect(verdicts(batched)).toEqual(verdicts(all));
        expect({ ...batched.counts, scripts: 0, batched: 0 }).toEqual(fewest.counts);
        expect(batched.counts.scripts).toBeGreaterThan(batched.cases);
        expect(requests(batched)).toBeLessThan(requests(fewest) * 0.6);
      },
    );
  }
});

describe('fewer round trips on the virtual iPhone', () => {
  const appium = useLocalAppium({ HARNESS_OBFUSCATION_KEY: BENCH_KEY });

  /** The iOS smoke tier on one virtual iPhone at a scaled usb-ios profile, with these target options. */
  const iosSmoke = (extra: Record<string, unknown>) =>
    runProfiled({
      appium: appium.url,
      platform: 'ios',
      devices: 1,
      latency: 'usb-ios',
      latencyScale: 0.01,
      grep: [],
      tier: 'smoke',
      extra,
    });

  /** Defects whose symptoms are in the callback the probe receives, the dialog and the logs. */
  const IOS_DEFECTS = [
    'empty-resulturlscheme-callback',
    'missed-soft-password-removal',
    'password-in-logs',
    'transient-as-cut',
  ];

  for (const defects of [[], IOS_DEFECTS]) {
    it(
      `reads callbacks from the probe's log and finds the settings screen without a page source, with every verdict of roundTrips: 'all' (${defects.length > 0 ? 'seeded defects' : 'no defect'})`,
      { timeout: 180_000 },
      async () => {
        const run = (roundTrips: 'all' | 'fewest') => iosSmoke({ roundTrips, defects });
        const all = await run('all');
        const fewest = await run('fewest');
        expect(fewest.cases).toBeGreaterThan(15);
        expect(verdicts(fewest)).toEqual(verdicts(all));
        if (defects.length > 0) expect(all.results.filter((c) => c.verdict === 'fail').length).toBeGreaterThan(1);
        // The same requests and resets; a page source fewer for each callback and each state read from the main screen.
        expect(fewest.counts.deepLink).toBe(all.counts.deepLink);
        expect(fewest.counts.reset).toBe(all.counts.reset);
        expect(fewest.counts.pageSource).toBeLessThan(all.counts.pageSource - 10);
      },
    );
  }

  it(
    "reads the probe's screen where its log line comes late, and never takes a late line for a later request's callback",
    { timeout: 180_000 },
    async () => {
      const run = (roundTrips: 'all' | 'fewest', late: number) =>
        iosSmoke({
          roundTrips,
          capabilities: { 'appium:automationName': 'HarnessVirtual', 'appium:harnessProbeLogLate': late },
        });
      const all = await run('all', 0);
      const onTime = await run('fewest', 0);
      // One log read late: the watch never sees the line in time, the next request's reads do.
      const late = await run('fewest', 1);
      expect(verdicts(late)).toEqual(verdicts(all));
      // Each callback was read from the probe's screen: one page source more a called-back request.
      expect(late.counts.pageSource).toBeGreaterThan(onTime.counts.pageSource + 10);
    },
  );
});
