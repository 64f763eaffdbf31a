import { describe, expect, it } from 'vitest';
import {
  AppiumSession,
  isSessionLost,
  sessionCapabilities,
  validateAppiumDriverOptions,
} from '../../../drivers/appium/driver.ts';
import * as cmd from '../../../drivers/appium/commands.ts';
import type { AppiumBrowser } from '../../../drivers/appium/commands.ts';
import { HarnessError } from '../../../src/core/errors.ts';
import { mobileCalls, virtualBrowser, type RecordingBrowser } from './virtual-browser.ts';

const BASE = { platform: 'android', devices: [{ udid: 'a' }] };

describe('appium driver options', () => {
  it('applies defaults', () => {
    const o = validateAppiumDriverOptions(BASE);
    expect(o.appium).toBe('local');
    expect(o.network).toBe(true);
    expect(o.settleMs).toBe(3000);
    expect(o.roundTrips).toBe('fewest');
    expect(o.batch).toBe('off');
    expect(o.dialogs.failure).toEqual({ attribute: 'text', value: 'Oops!', tag: 'android.widget.TextView' });
    expect(validateAppiumDriverOptions({ platform: 'ios', devices: [{ udid: 'i' }] }).network).toBe(false);
  });

  it('names every bad field at once', () => {
    const bad = () =>
      validateAppiumDriverOptions({
        platform: 'windows',
        appium: 'ftp://x',
        devices: [
          { udid: 'a', systemPort: 8200 },
          { udid: 'a', systemPort: 8200 },
        ],
        settleMs: -1,
        reset: 'reinstall',
        roundTrips: 'some',
        batch: true,
      });
    expect(bad).toThrow(HarnessError);
    try {
      bad();
    } catch (error) {
      const paths = (error as HarnessError).problems.map((p) => p.path);
      expect(paths).toEqual(
        expect.arrayContaining([
          'platform',
          'appium',
          'devices[1].udid',
          'devices[..].systemPort',
          'settleMs',
          'appPath',
          'roundTrips',
          'batch',
        ]),
      );
    }
    expect(() => validateAppiumDriverOptions({ platform: 'ios', devices: [{ udid: 'i' }], network: true })).toThrow(
      /network XCUITest has no command/,
    );
  });

  it("builds one device's capabilities, virtual-only ones only for the virtual device", () => {
    const real = validateAppiumDriverOptions({
      ...BASE,
      devices: [{ udid: 'emulator-5554', systemPort: 8201 }],
      defects: ['x'],
    });
    expect(sessionCapabilities(real, real.devices[0]!)).toEqual({
      platformName: 'Android',
      'appium:automationName': 'UiAutomator2',
      'appium:udid': 'emulator-5554',
      'appium:noReset': true,
      'appium:newCommandTimeout': 600,
      'appium:appPackage': 'com.openmobile.client',
      'appium:systemPort': 8201,
    });
    const v = validateAppiumDriverOptions({
      ...BASE,
      capabilities: { 'appium:automationName': 'HarnessVirtual' },
      defects: ['x'],
    });
    expect(sessionCapabilities(v, v.devices[0]!)['appium:harnessDefects']).toEqual(['x']);
  });
});

describe('a lost Appium session', () => {
  const caps = {
    platformName: 'Android',
    'appium:automationName': 'HarnessVirtual',
    'appium:udid': 'lost-1',
    'appium:appPackage': 'com.openmobile.client',
  };
  const signal = new AbortController().signal;

  async function session(): Promise<{ s: AppiumSession; browsers: RecordingBrowser[] }> {
    const browsers: RecordingBrowser[] = [];
    const o = validateAppiumDriverOptions({ ...BASE, settleMs: 0 });
    const s = new AppiumSession(
      o,
      { udid: 'lost-1' },
      'http://unused',
      async () => {
        const b = await virtualBrowser(caps);
        browsers.push(b);
        return b as AppiumBrowser;
      },
      () => undefined,
    );
    await s.connect();
    return { s, browsers };
  }

  it('is re-created and the operation retried once; the phone keeps its state', async () => {
    const { s, browsers } = await session();
    await s.reset('http://127.0.0.1:9/', signal);
    browsers[0]!.loseSession(1);
    const observation = await s.provision({ url: 'clientx://provision.com?pid=', method: 'url' }, signal);
    expect(browsers).toHaveLength(2);
    expect(observation).toMatchObject({ handled: true, dialog: 'failure', foreground: true });
    expect(mobileCalls(browsers[1]!.calls)[1]).toEqual([
      'mobile: deepLink',
      { url: 'clientx://provision.com?pid=', package: 'com.openmobile.client', waitForLaunch: true },
    ]);
  });

  it('lost again on the retry: the operation fails, naming both', async () => {
    const { s, browsers } = await session();
    await s.reset('http://127.0.0.1:9/', signal);
    browsers[0]!.loseSession(1);
    const connectAndLose = s.connect.bind(s);
    s.connect = async () => {
      await connectAndLose();
      browsers.at(-1)!.loseSession(5);
    };
    await expect(s.state(signal)).rejects.toThrow(
      /was lost during state .*re-created and retried once, which failed too/,
    );
  });

  it('tells a lost session from a failed command', () => {
    expect(isSessionLost(new Error('invalid session id: A session is either terminated or not started'))).toBe(true);
    expect(isSessionLost(new Error('connect ECONNREFUSED 127.0.0.1:4723'))).toBe(true);
    expect(isSessionLost(new Error('Error attempting to start URI. unable to resolve Intent'))).toBe(false);
  });
});

describe('watching for the outcome', () => {
  const signal = new AbortController().signal;

  async function session(udid: string, options: Record<string, unknown>) {
    const b = await virtualBrowser({
      platformName: 'Android',
      'appium:automationName': 'HarnessVirtual',
      'appium:udid': udid,
      'appium:appPackage': 'com.openmobile.client',
    });
    const o = validateAppiumDriverOptions({ ...BASE, ...options });
    const s = new AppiumSession(
      o,
      { udid },
      'http://unused',
      async () => b as AppiumBrowser,
      () => undefined,
    );
    await s.connect();
    await s.reset('http://127.0.0.1:9/', signal);
    return { s, b };
  }

  it('keeps polling an intent for its result line, asking the app state only until it came to the front', async () => {
    const { s, b } = await session('watch-1', { settleMs: 300, pollMs: 50, roundTrips: 'all' });
    // Without the probe's receiver, the result broadcast is never logged: the watch waits the whole settleMs.
    await cmd.clearApp(b, 'android', 'org.provisioningharness.probe');
    const from = b.calls.length;
    const started = Date.now();
    const observation = await s.provision({ url: 'clientx://provision?pid=', method: 'intent' }, signal);
    const elapsed = Date.now() - started;
    expect(observation).toMatchObject({ handled: true, dialog: 'failure', foreground: true, result: null });
    const during = mobileCalls(b.calls.slice(from)).map(([script]) => script);
    const logs = b.calls.slice(from).filter((c) => c.command === 'getLog').length;
    expect(elapsed).toBeGreaterThanOrEqual(300);
    expect(logs).toBeGreaterThanOrEqual(4);
    expect(during.filter((m) => m === 'mobile: queryAppState')).toHaveLength(1);
    expect(b.calls.slice(from).filter((c) => c.command === 'getPageSource')).toHaveLength(1);
  });

  it('reads the foreground from the page source on Android, with the reads of roundTrips: all but fewer', async () => {
    const run = async (roundTrips: 'fewest' | 'all') => {
      const { s, b } = await session(`watch-rt-${roundTrips}`, { settleMs: 0, roundTrips });
      const from = b.calls.length;
      const first = await s.provision({ url: 'clientx://provision?pid=', method: 'intent' }, signal);
      await s.state(signal);
      await s.logs(signal);
      const second = await s.provision({ url: 'clientx://provision.com?pid=', method: 'url' }, signal);
      const calls = b.calls.slice(from);
      return {
        observations: [first, second],
        appState: mobileCalls(calls).filter(([m]) => m === 'mobile: queryAppState').length,
        logReads: calls.filter((c) => c.command === 'getLog').length,
        total: calls.length,
      };
    };
    const all = await run('all');
    const fewest = await run('fewest');
    expect(fewest.observations).toEqual(all.observations);
    for (const o of all.observations) expect(o).toMatchObject({ handled: true, foreground: true, dialog: 'failure' });
    expect(all.appState).toBe(2);
    expect(fewest.appState).toBe(0);
    // The collection before each request follows a collection (the reset's, logs()): skipped both times.
    expect(all.logReads - fewest.logReads).toBe(2);
    expect(all.total - fewest.total).toBe(4);
  });

  it('falls back to single commands, once per session, where the server refuses driver scripts', async () => {
    // The in-process virtual driver runs on no server that allows execute_driver_script: it refuses, as a
    // real server without the plugin or the insecure feature does.
    const run = async (batch: 'off' | 'driver-script') => {
      const { s, b } = await session(`watch-batch-${batch}`, { settleMs: 0, batch });
      const observations = [
        await s.provision({ url: 'clientx://provision?pid=', method: 'intent' }, signal),
        await s.provision({ url: 'clientx://provision.com?pid=', method: 'url' }, signal),
        await s.provision({ url: 'nothing://here', method: 'url' }, signal),
      ];
      return { observations, scripts: b.calls.filter((c) => c.command === 'executeDriverScript'), s };
    };
    const off = await run('off');
    const refused = await run('driver-script');
    expect(refused.observations).toEqual(off.observations);
    expect(off.scripts).toHaveLength(0);
    // The reset tried one, and nothing after it did.
    expect(refused.scripts).toHaveLength(1);
    expect(refused.s.batching).toBe(false);
    expect(off.s.batching).toBe(false);
  });

  it('makes its last poll at settleMs, not a whole pollMs later', async () => {
    const { s } = await session('watch-2', { settleMs: 250, pollMs: 200 });
    // Nothing of the app answers this intent (another package): nothing ever shows.
    const started = Date.now();
    const observation = await s.provision({ url: 'nothing://here', method: 'intent' }, signal);
    const elapsed = Date.now() - started;
    expect(observation.handled).toBe(false);
    // Polls at 0, 200 and 250 ms; sleeping a whole pollMs after the second would end at 400 ms.
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(370);
  });
});
