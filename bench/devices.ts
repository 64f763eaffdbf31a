/**
 * The devices section of `npm run bench` (issue 5): cases per second of the Open Mobile plan through
 * WebdriverIO, a real Appium 3 server and the virtual device, and the harness's overhead per case against a
 * bare WebdriverIO loop sending the very same Appium commands (recorded from the harness's run, replayed in
 * order on a fresh session of the same server). Goal: the harness at most 1.2 times the bare loop.
 *
 * The profile-service scopes of the recorded run stay open for the replay, so the virtual device's client
 * fetches the same profiles in both.
 */
import { startLocalAppium } from '../drivers/appium/server.ts';
import { connectWebdriverIO, createAppiumDriver, type Connect } from '../drivers/appium/driver.ts';
import type { AppiumBrowser } from '../drivers/appium/commands.ts';
import { createSuites, DRIVERS, startProfileService, suiteOf } from '../src/cli/builtins.ts';
import { resolveConfig } from '../src/config/resolve.ts';
import type { ProfileService } from '../src/core/driver.ts';
import type { Catalog } from '../src/core/types.ts';
import { runPlan } from '../src/runner/run.ts';

export interface DeviceBenchResult {
  cases: number;
  commands: number;
  harnessMs: number;
  bareMs: number;
}

interface Call {
  method: keyof AppiumBrowser;
  args: unknown[];
}

/** The Appium commands the harness sends (AppiumBrowser), the session's end aside. */
const COMMANDS = new Set<keyof AppiumBrowser>([
  'execute',
  'getPageSource',
  'takeScreenshot',
  'getLogs',
  'acceptAlert',
  'findElement',
  'elementClick',
]);

/** A connect that records every command the harness sends through the browser it hands out. */
function recording(calls: Call[], sessions: { url: string; capabilities: Record<string, unknown> }[]): Connect {
  return async (url, capabilities) => {
    sessions.push({ url, capabilities });
    const browser = await connectWebdriverIO(url, capabilities);
    return new Proxy(browser, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof value !== 'function' || !COMMANDS.has(prop as keyof AppiumBrowser)) return value;
        return (...args: unknown[]) => {
          calls.push({ method: prop as keyof AppiumBrowser, args });
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  };
}

/** The harness's profile service, its scopes kept open until the replay is over. */
async function keptService(catalog: Catalog, closers: (() => Promise<void> | void)[]): Promise<ProfileService> {
  const real = await startProfileService(catalog);
  closers.push(() => real.close());
  return {
    ...real,
    scope: () => {
      const scope = real.scope();
      const close = scope.close.bind(scope);
      closers.push(close);
      scope.close = () => undefined;
      return scope;
    },
    close: async () => undefined,
  };
}

export async function benchDevices(grep: string[] = ['OM-RC-', 'OM-RT-']): Promise<DeviceBenchResult> {
  const root = new URL('..', import.meta.url).pathname;
  const key = '8CC677D6FA2AC487C2FC7AD7232F87D8FCAFD5E9FC0AFBFF23B09D8713BE3463';
  const appium = await startLocalAppium({ HARNESS_OBFUSCATION_KEY: key });
  const closers: (() => Promise<void> | void)[] = [];
  try {
    const calls: Call[] = [];
    const sessions: { url: string; capabilities: Record<string, unknown> }[] = [];
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
    const config = resolveConfig(
      {
        file: `${root}harness.config.ts`,
        config: { obfuscation: { key }, targets: [target], run: ['virtual-android'] },
      },
      { grep, reporter: [] },
      {},
      root,
    );
    let first = 0;
    let last = 0;
    const { summary } = await runPlan(
      config,
      {
        suites: createSuites(),
        suiteOf,
        drivers: { ...DRIVERS, appium: (o, c) => createAppiumDriver(o, c, recording(calls, sessions)) },
        startProfileService: (catalog) => keptService(catalog, closers),
        reporter: {
          onBegin: () => void (first = performance.now()),
          onEnd: () => void (last = performance.now()),
        },
      },
      { startedAt: new Date().toISOString(), command: 'bench', harnessVersion: 'bench' },
    );
    const harnessMs = last - first;
    const session = sessions[0];
    if (session === undefined) throw new Error('bench: the harness opened no Appium session');
    // The same commands, in the same order, with nothing of the harness around them.
    const bare = await connectWebdriverIO(session.url, session.capabilities);
    const start = performance.now();
    for (const call of calls) {
      // A command that failed in the recorded run fails here too: the time is what counts.
      await Promise.resolve()
        .then(() => (bare[call.method] as (...a: unknown[]) => Promise<unknown>).apply(bare, call.args))
        .catch(() => undefined);
    }
    const bareMs = performance.now() - start;
    await bare.deleteSession().catch(() => undefined);
    return { cases: summary.total, commands: calls.length, harnessMs, bareMs };
  } finally {
    for (const close of closers.reverse()) await close();
    await appium.stop();
  }
}

export function deviceBenchLines(r: DeviceBenchResult): string[] {
  const ratio = r.harnessMs / r.bareMs;
  const rate = (ms: number) => Math.round(r.cases / (ms / 1000)).toLocaleString('en-US');
  return [
    `devices (virtual Android):    ${rate(r.harnessMs)} cases/s through WebdriverIO, Appium 3 and the virtual device (${r.cases} cases, ${r.commands} Appium commands)`,
    `                               bare WebdriverIO loop of the same commands: ${rate(r.bareMs)} cases/s; the harness takes ${ratio.toFixed(2)}x (goal <= 1.2) ${ratio <= 1.2 ? 'PASS' : 'FAIL'}`,
  ];
}
