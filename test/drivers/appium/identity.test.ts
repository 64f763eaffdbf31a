/**
 * A certification bundle's identity of a phone (drivers/appium/driver.ts `deviceIdentity`): read from the
 * device through the very commands UiAutomator2 and XCUITest offer, answered here by the virtual phone.
 */
import { describe, expect, it } from 'vitest';
import { AppiumSession, validateAppiumDriverOptions } from '../../../drivers/appium/driver.ts';
import type { AppiumBrowser } from '../../../drivers/appium/commands.ts';
import { mobileCalls, virtualBrowser, type RecordingBrowser } from './virtual-browser.ts';

const signal = new AbortController().signal;

async function session(platform: 'android' | 'ios', allowShell: boolean) {
  const browsers: RecordingBrowser[] = [];
  const udid = `identity-${platform}-${allowShell ? 'shell' : 'noshell'}`;
  const o = validateAppiumDriverOptions({ platform, devices: [{ udid }], settleMs: 0, version: '9.9.9-config' });
  const s = new AppiumSession(
    o,
    { udid },
    'http://unused',
    async () => {
      const b = await virtualBrowser({
        platformName: platform === 'android' ? 'Android' : 'iOS',
        'appium:automationName': 'HarnessVirtual',
        'appium:udid': udid,
        ...(platform === 'android' ? { 'appium:appPackage': o.appPackage } : { 'appium:bundleId': o.bundleId }),
      });
      // As `--allow-insecure HarnessVirtual:adb_shell` (or relaxed security) does on a server.
      if (allowShell) b.driver.relaxedSecurityEnabled = true;
      browsers.push(b);
      return b as AppiumBrowser;
    },
    () => undefined,
  );
  await s.connect();
  return { s, browsers };
}

describe('a phone tells its identity', () => {
  it('Android: UiAutomator2 device info, and the app version and build from dumpsys package', async () => {
    const { s, browsers } = await session('android', true);
    const identity = await s.deviceIdentity(signal);
    expect(identity).toEqual({
      manufacturer: 'Harness',
      model: 'Virtual Phone A1',
      os: 'Android',
      osVersion: '14',
      apiLevel: '34',
      appId: 'com.openmobile.client',
      appVersion: '3.2.0',
      appBuild: '320',
    });
    expect(mobileCalls(browsers[0]!.calls)).toEqual([
      ['mobile: deviceInfo', undefined],
      ['mobile: shell', { command: 'dumpsys', args: ['package', 'com.openmobile.client'] }],
    ]);
  });

  it('Android without the adb_shell feature: the device is still read, the app version says why it is not', async () => {
    const { s } = await session('android', false);
    const identity = await s.deviceIdentity(signal);
    expect(identity['model']).toBe('Virtual Phone A1');
    expect(identity['appVersion']).toMatch(/^not readable: .*adb_shell.*--allow-insecure uiautomator2:adb_shell/);
    expect(identity['appBuild']).toBeUndefined();
  });

  it('iOS: WebDriverAgent device info, the OS version of the session, the app from mobile: listApps', async () => {
    const { s, browsers } = await session('ios', false);
    const identity = await s.deviceIdentity(signal);
    expect(identity).toEqual({
      model: 'iPhone',
      deviceName: 'Virtual iPhone',
      os: 'iOS',
      osVersion: '17.5',
      appId: 'com.openmobile.client',
      appVersion: '3.2.0',
      appBuild: '320',
    });
    expect(mobileCalls(browsers[0]!.calls)).toEqual([
      ['mobile: deviceInfo', undefined],
      ['mobile: listApps', { applicationType: 'User' }],
    ]);
  });
});
