/**
 * The devices section of `npm run bench` (issue 5): cases per second of the Open Mobile plan through
 * WebdriverIO, a real Appium 3 server and the virtual device, and the harness's overhead per case against a
 * bare WebdriverIO loop sending the very same Appium commands (recorded from the harness's run, replayed in
 * order on a fresh session of the same server). Goal: the harness at most 1.2 times the bare loop.
 *
 * Each round runs the plan through the harness, then replays that round's commands bare; both timings
 * include opening and closing their Appium session. Two warm-up rounds come first (the first is shown as the
 * cold run), then five rounds count: the round with the median ratio is the result (another benchmark on
 * the same core slows one side of a round, not the whole measurement).
 *
 * The profile-service scopes of the recorded run stay open for the replay, and the faults and catalogs the
 * cases set on them are set again at the same points of the replay, so the virtual device's client fetches
 * the same profiles, with the same answers, in both.
 */
import { startLocalAppium } from '../drivers/appium/server.ts';
import { connectWebdriverIO, createAppiumDriver, type Connect } from '../drivers/appium/driver.ts';
import type { AppiumBrowser } from '../drivers/appium/commands.ts';
import { createSuites, DRIVERS, suiteOf } from '../src/cli/builtins.ts';
import { startProfileService } from '../drivers/emulated/profile-service.ts';
import { OpenMobileSuite } from '../suites/openmobile/index.ts';
import { resolveConfig } from '../src/config/resolve.ts';
import type { ProfileService } from '../protocols/openmobile/types.ts';
import type { Catalog } from '../protocols/openmobile/types.ts';
import { runPlan } from '../src/runner/run.ts';

/** One round: the plan through the harness, then the very commands it sent, bare. */
export interface DeviceRound {
  cases: number;
  commands: number;
  harnessMs: number;
  bareMs: number;
}

export interface DeviceBenchResult {
  /** The first round, on a fresh Appium server and in a process that had not loaded WebdriverIO yet. */
  cold: DeviceRound;
  /** The rounds that count, after the warm-up. */
  rounds: DeviceRound[];
}

/** Rounds run before the counted ones; the first of them is reported as the cold run. */
const WARMUP_ROUNDS = 2;
const COUNTED_ROUNDS = 5;

interface Call {
  method: keyof AppiumBrowser;
  args: unknown[];
}

/**
 * What the replay does, in the recorded order: an Appium command, or a change the case made to its
 * profile-service scope between two commands (a fault, a catalog), so that the device's client meets the
 * same answers in the replay as in the recorded run.
 */
type Step = { call: Call } | { scope: () => void };

/** The Appium commands the harness sends (AppiumBrowser), the session's end aside. */
export const COMMANDS = new Set<keyof AppiumBrowser>([
  'execute',
  'getPageSource',
  'takeScreenshot',
  'getLogs',
  'acceptAlert',
  'findElement',
  'elementClick',
]);

/** A connect that records every command the harness sends through the browser it hands out. */
function recording(steps: Step[], sessions: { url: string; capabilities: Record<string, unknown> }[]): Connect {
  return async (url, capabilities) => {
    sessions.push({ url, capabilities });
    const browser = await connectWebdriverIO(url, capabilities);
    return new Proxy(browser, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof value !== 'function' || !COMMANDS.has(prop as keyof AppiumBrowser)) return value;
        return (...args: unknown[]) => {
          steps.push({ call: { method: prop as keyof AppiumBrowser, args } });
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  };
}

/**
 * The harness's profile service, its scopes kept open until the replay is over, their fault and catalog
 * changes recorded among the commands.
 */
async function keptService(
  catalog: Catalog,
  closers: (() => Promise<void> | void)[],
  steps: Step[],
): Promise<ProfileService> {
  const real = await startProfileService(catalog);
  closers.push(() => real.close());
  return {
    ...real,
    scope: () => {
      const scope = real.scope();
      const close = scope.close.bind(scope);
      closers.push(close);
      scope.close = () => undefined;
      const setFault = scope.setFault.bind(scope);
      scope.setFault = (fault) => {
        steps.push({ scope: () => setFault(fault) });
        setFault(fault);
      };
      const setCatalog = scope.setCatalog.bind(scope);
      scope.setCatalog = (c) => {
        steps.push({ scope: () => setCatalog(c) });
        setCatalog(c);
      };
      return scope;
    },
    close: async () => undefined,
  };
}

export async function benchDevices(grep: string[] = ['om:rc-', 'om:rt-']): Promise<DeviceBenchResult> {
  const root = new URL('..', import.meta.url).pathname;
  const key = '8CC677D6FA2AC487C2FC7AD7232F87D8FCAFD5E9FC0AFBFF23B09D8713BE3463';
  const appium = await startLocalAppium({ HARNESS_OBFUSCATION_KEY: key });
  const closers: (() => Promise<void> | void)[] = [];
  const target = {
    name: 'virtual-android',
    driver: 'appium',
    options: {
      appium: appium.url,
      platform: 'android',
      devices: [{ udid: 'bench-android-1' }],
      capabilities: { 'appium:automationName': 'HarnessVirtual' },
      settleMs: 0,
    },
  };
  const round = async (): Promise<DeviceRound> => {
    const steps: Step[] = [];
    const sessions: { url: string; capabilities: Record<string, unknown> }[] = [];
    const config = resolveConfig(
      {
        file: `${root}harness.config.ts`,
        config: { obfuscation: { key }, targets: [target], run: ['virtual-android'] },
      },
      { grep, reporter: [] },
      {},
      root,
    );
    // From the first case's start to the last one's end: this includes opening and closing the harness's
    // Appium session, so the bare loop below times its own session's opening and closing too.
    let first = 0;
    let last = 0;
    const { summary } = await runPlan(
      config,
      {
        suites: {
          ...createSuites(),
          openmobile: new OpenMobileSuite([], {
            startProfileService: (catalog) => keptService(catalog, closers, steps),
          }),
        },
        suiteOf,
        drivers: { ...DRIVERS, appium: (o, c) => createAppiumDriver(o, c, recording(steps, sessions)) },
        reporter: {
          onBegin: () => void (first = performance.now()),
          onEnd: () => void (last = performance.now()),
        },
      },
      { startedAt: new Date().toISOString(), command: 'bench', harnessVersion: 'bench' },
    );
    const session = sessions[0];
    if (session === undefined) throw new Error('bench: the harness opened no Appium session');
    if (sessions.length > 1) throw new Error(`bench: the harness opened ${sessions.length} sessions, not one`);
    // The same commands, in the same order, with nothing of the harness around them.
    const start = performance.now();
    const bare = await connectWebdriverIO(session.url, session.capabilities);
    let commands = 0;
    for (const step of steps) {
      if ('scope' in step) {
        step.scope();
        continue;
      }
      const { method, args } = step.call;
      commands++;
      // A command that failed in the recorded run fails here too: the time is what counts.
      await Promise.resolve()
        .then(() => (bare[method] as (...a: unknown[]) => Promise<unknown>).apply(bare, args))
        .catch(() => undefined);
    }
    await bare.deleteSession().catch(() => undefined);
    const bareMs = performance.now() - start;
    return { cases: summary.total, commands, harnessMs: last - first, bareMs };
  };
  try {
    // Both sides are measured warm, as the plan section is: the first round on a fresh server pays for
    // loading WebdriverIO and the virtual driver and for the JIT, and only the harness's side of it would
    // (its bare loop runs after, on warm code). It is reported apart (`cold`), not counted.
    const warmup: DeviceRound[] = [];
    for (let i = 0; i < WARMUP_ROUNDS; i++) warmup.push(await round());
    const rounds: DeviceRound[] = [];
    for (let i = 0; i < COUNTED_ROUNDS; i++) rounds.push(await round());
    return { cold: warmup[0] as DeviceRound, rounds };
  } finally {
    for (const close of closers.reverse()) await close();
    await appium.stop();
  }
}

export function deviceBenchLines(r: DeviceBenchResult): string[] {
  const ratioOf = (x: DeviceRound) => x.harnessMs / x.bareMs;
  const byRatio = [...r.rounds].sort((a, b) => ratioOf(a) - ratioOf(b));
  const mid = byRatio[Math.floor(byRatio.length / 2)] as DeviceRound;
  const ratio = ratioOf(mid);
  const rate = (ms: number) => Math.round(mid.cases / (ms / 1000)).toLocaleString('en-US');
  const perCase = (mid.harnessMs - mid.bareMs) / mid.cases;
  return [
    `devices (virtual Android):    ${rate(mid.harnessMs)} cases/s through WebdriverIO, Appium 3 and the virtual device (${mid.cases} cases, ${mid.commands} Appium commands; the median of ${r.rounds.length} rounds after ${WARMUP_ROUNDS} warm-up rounds)`,
    `                               bare WebdriverIO loop of the same commands: ${rate(mid.bareMs)} cases/s; the harness takes ${ratio.toFixed(2)}x, ${perCase.toFixed(1)} ms a case (goal <= 1.2) ${ratio <= 1.2 ? 'PASS' : 'FAIL'}`,
    `                               every round: ${r.rounds.map((x) => ratioOf(x).toFixed(2)).join(', ')}; the first, cold round (fresh Appium server, WebdriverIO not loaded yet; not counted): ${ratioOf(r.cold).toFixed(2)}x`,
  ];
}
