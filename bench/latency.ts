/**
 * One run of (part of) the Open Mobile plan on virtual devices with a latency profile: the wall
 * time, and every Appium command the harness sent, by kind (reset, deep link, page source, other), so the
 * bench can say where the time went. Used by `npm run bench -- devices` (bench/devices-latency.ts) and by
 * test/e2e/latency.test.ts.
 */
import { createAppiumDriver, connectWebdriverIO, type Connect } from '../drivers/appium/driver.ts';
import type { AppiumBrowser } from '../drivers/appium/commands.ts';
import { COMMANDS } from './devices.ts';
import { batchAnswers, batchSteps, sentCommands } from '../drivers/appium/batch.ts';
import { nominalMs, type LatencyFigures, type LatencyKind } from '../drivers/appium/latency.ts';
import { createSuites, DRIVERS, suiteOf } from '../src/cli/builtins.ts';
import { resolveConfig } from '../src/config/resolve.ts';
import type { CaseResult } from '../src/core/results.ts';
import { runPlan } from '../src/runner/run.ts';

export const BENCH_KEY = '8CC677D6FA2AC487C2FC7AD7232F87D8FCAFD5E9FC0AFBFF23B09D8713BE3463';

export interface ProfiledRun {
  cases: number;
  wallMs: number;
  /** Appium commands the device ran, by the kind of wait each one gets on the virtual device. */
  counts: Counts;
  results: CaseResult[];
  /** The run's notes on the target (a device lost, its cases run on another) and its target errors. */
  notes: string[];
  errors: string[];
  /** Planned cases and run-level checks that did not run. */
  notRun: number;
}

/** The kind of an Appium command as the harness sends it through WebdriverIO (`execute(script, params)`). */
function clientKind(method: string, args: unknown[]): LatencyKind {
  if (method === 'getPageSource') return 'pageSource';
  if (method !== 'execute') return 'command';
  const params = (args[1] ?? {}) as Record<string, unknown>;
  if (args[0] === 'mobile: clearApp') return 'reset';
  if (args[0] === 'mobile: deepLink') return 'deepLink';
  if (args[0] === 'mobile: startService' && typeof params['uri'] === 'string') return 'deepLink';
  return 'command';
}

/**
 * The device's commands by kind; of them, `batched` were sent by a driver script on the server, and
 * `scripts` is the number of driver-script requests the harness sent (each a round trip of its own).
 */
export type Counts = Record<LatencyKind, number> & { scripts: number; batched: number };

export const noCounts = (): Counts => ({ command: 0, deepLink: 0, reset: 0, pageSource: 0, scripts: 0, batched: 0 });

/** Every command the device ran and every request the harness sent, the commands of a driver script too. */
function counting(counts: Counts): Connect {
  return async (url, capabilities) => {
    const browser = await connectWebdriverIO(url, capabilities);
    return new Proxy(browser, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof value === 'function' && prop === 'executeDriverScript') {
          return async (script: string, ...rest: unknown[]) => {
            counts.scripts++;
            const answer = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, [script, ...rest]);
            const steps = batchSteps(script);
            if (steps !== null) {
              for (const c of sentCommands(steps, batchAnswers(steps, answer))) {
                counts[clientKind(c.method, c.args)]++;
                counts.batched++;
              }
            }
            return answer;
          };
        }
        if (typeof value !== 'function' || !COMMANDS.has(prop as keyof AppiumBrowser)) return value;
        return (...args: unknown[]) => {
          counts[clientKind(String(prop), args)]++;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  };
}

export interface ProfiledRunOptions {
  /** The URL of a running Appium server with the virtual driver (startLocalAppium). */
  appium: string;
  platform: 'android' | 'ios';
  devices: number;
  latency: unknown;
  latencyScale?: number;
  /** --grep patterns (exact case ids select exactly those cases); empty: the whole plan. */
  grep: string[];
  tier?: 'smoke' | 'full';
  extra?: Record<string, unknown>;
}

export async function runProfiled(o: ProfiledRunOptions): Promise<ProfiledRun> {
  const root = new URL('..', import.meta.url).pathname;
  const counts = noCounts();
  const name = `virtual-${o.platform}`;
  const target = {
    name,
    driver: 'appium',
    options: {
      appium: o.appium,
      platform: o.platform,
      devices: Array.from({ length: o.devices }, (_, i) => ({ udid: `bench-${o.platform}-${i + 1}` })),
      capabilities: { 'appium:automationName': 'HarnessVirtual' },
      settleMs: 0,
      ...(o.latency !== undefined ? { latency: o.latency, latencyScale: o.latencyScale } : {}),
      ...o.extra,
    },
    resets: 'fewest' as const,
    timeoutMs: 120_000,
  };
  const config = resolveConfig(
    {
      file: `${root}harness.config.ts`,
      config: { obfuscation: { key: BENCH_KEY }, targets: [target], run: [name] },
    },
    { grep: o.grep, reporter: [], ...(o.tier !== undefined ? { tier: o.tier } : {}) },
    {},
    root,
  );
  const results: CaseResult[] = [];
  const notes: string[] = [];
  const errors: string[] = [];
  const start = performance.now();
  const { summary } = await runPlan(
    config,
    {
      suites: createSuites(),
      suiteOf,
      drivers: { ...DRIVERS, appium: (opts, c) => createAppiumDriver(opts, c, counting(counts)) },
      reporter: {
        onCaseEnd: (r) => void results.push(r),
        onTargetNote: (_t, m) => void notes.push(m),
        onTargetError: (_t, m) => void errors.push(m),
      },
    },
    { startedAt: new Date().toISOString(), command: 'bench', harnessVersion: 'bench' },
  );
  const notRun = Object.values(summary.notRun ?? {}).reduce((a, b) => a + b, 0);
  return { cases: results.length, wallMs: performance.now() - start, counts, results, notes, errors, notRun };
}

/**
 * The device time (ms, unscaled, summed over devices) the counted commands cost at the nominal figures.
 * Batched commands do not pay the round trip (taken off `command`, the kind that is mostly round trips);
 * `script` is what the driver-script requests themselves cost (their round trip and the server's start).
 */
export function waitByKind(counts: Counts, l: LatencyFigures): Record<LatencyKind | 'script', number> {
  return {
    script: counts.scripts * (l.roundTrip + l.script),
    command: counts.command * nominalMs(l, 'command') - counts.batched * l.roundTrip,
    deepLink: counts.deepLink * nominalMs(l, 'deepLink'),
    reset: counts.reset * nominalMs(l, 'reset'),
    pageSource: counts.pageSource * nominalMs(l, 'pageSource'),
  };
}

export type { AppiumBrowser };
