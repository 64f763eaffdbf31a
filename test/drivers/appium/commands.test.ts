/**
 * The exact commands the device-only operations send (recorded against the virtual device, which answers
 * them with UiAutomator2's and XCUITest's argument names), and what the harness reads back.
 */
import { describe, expect, it } from 'vitest';
import * as cmd from '../../../drivers/appium/commands.ts';
import { mobileCalls, virtualBrowser } from './virtual-browser.ts';

const ANDROID = {
  platformName: 'Android',
  'appium:automationName': 'HarnessVirtual',
  'appium:udid': 'cmd-android',
  'appium:appPackage': 'com.openmobile.client',
};
const IOS = {
  platformName: 'iOS',
  'appium:automationName': 'HarnessVirtual',
  'appium:udid': 'cmd-ios',
  'appium:bundleId': 'com.openmobile.client',
};

describe('Android commands', () => {
  it('send UiAutomator2 argument names, URIs made safe for the device shell', async () => {
    const b = await virtualBrowser({ ...ANDROID, 'appium:udid': 'cmd-android-1' });
    await cmd.androidStartActivity(b, 'org.provisioningharness.probe/.ProbeActivity');
    await cmd.androidStartActivity(b, 'com.openmobile.client/.MainActivity', {
      profileServiceUrl: 'http://127.0.0.1:9/',
    });
    await cmd.androidPressHome(b);
    await cmd.androidStartViewService(b, 'clientx://provision?pid=1&username=j smalley', 'com.openmobile.client', null);
    await expect(cmd.androidDeepLink(b, 'clientx://provision?pid=1', 'com.openmobile.client')).rejects.toThrow(
      /unable to resolve Intent/,
    );
    await cmd.androidSetConnectivity(b, false);
    await cmd.clearApp(b, 'android', 'com.openmobile.client');
    expect(await cmd.queryAppState(b, 'android', 'com.openmobile.client')).toBe(1);
    expect(await cmd.androidNotifications(b)).toEqual([]);
    expect(mobileCalls(b.calls)).toEqual([
      ['mobile: startActivity', { component: 'org.provisioningharness.probe/.ProbeActivity', wait: true }],
      [
        'mobile: startActivity',
        {
          component: 'com.openmobile.client/.MainActivity',
          wait: true,
          extras: [['s', 'profileServiceUrl', "'http://127.0.0.1:9/'"]],
        },
      ],
      ['mobile: pressKey', { keycode: 3 }],
      [
        'mobile: startService',
        {
          action: 'android.intent.action.VIEW',
          uri: "'clientx://provision?pid=1&username=j%20smalley'",
          package: 'com.openmobile.client',
        },
      ],
      ['mobile: deepLink', { url: 'clientx://provision?pid=1', package: 'com.openmobile.client', waitForLaunch: true }],
      ['mobile: setConnectivity', { wifi: false, data: false }],
      ['mobile: clearApp', { appId: 'com.openmobile.client' }],
      ['mobile: queryAppState', { appId: 'com.openmobile.client' }],
      ['mobile: getNotifications', {}],
    ]);
  });

  it('the intent reaches the app whole only because the URI is quoted', async () => {
    const b = await virtualBrowser({ ...ANDROID, 'appium:udid': 'cmd-android-2' });
    await cmd.androidStartActivity(b, 'org.provisioningharness.probe/.ProbeActivity');
    await cmd.androidStartActivity(b, 'com.openmobile.client/.MainActivity', {
      profileServiceUrl: 'http://127.0.0.1:9/',
    });
    await cmd.readLog(b, 'logcat');
    await cmd.androidStartViewService(b, 'clientx://provision?pid=&username=a b', 'com.openmobile.client', null);
    const lines = (await cmd.readLog(b, 'logcat')).map((l) => cmd.parseLogcatLine(l));
    // The client saw both parameters (pid blank: result 10), and the probe logged the broadcast.
    expect(lines.find((l) => l?.tag === 'OpenMobile')?.message).toContain('username=a%20b');
    expect(lines.find((l) => l?.tag === 'HarnessProbe')?.message).toBe('client_x.android.prov.result EXTRA_RESULT=10');
    // Sent unquoted, as UiAutomator2 would pass it, `&` ends the device's command: the client gets `pid=`
    // only, and its answer changes.
    await b.execute('mobile: startService', {
      action: 'android.intent.action.VIEW',
      uri: 'clientx://provision?username=a&pid=',
      package: 'com.openmobile.client',
    });
    const cut = (await cmd.readLog(b, 'logcat')).map((l) => cmd.parseLogcatLine(l)?.message ?? '');
    expect(
      cut.some((m) => m.endsWith('provisioning request received via intent: clientx://provision?username=a')),
    ).toBe(true);
  });

  it('parses logcat and syslog lines', () => {
    expect(cmd.parseLogcatLine('05-12 10:00:01.123  1234  1234 I HarnessProbe: x EXTRA_RESULT=0')).toEqual({
      tag: 'HarnessProbe',
      message: 'x EXTRA_RESULT=0',
    });
    expect(cmd.parseLogcatLine('--------- beginning of main')).toBeNull();
    expect(cmd.parseSyslogLine('May 12 10:00:01 iPhone OpenMobile[321] <Notice>: hello: there')).toEqual({
      process: 'OpenMobile',
      message: 'hello: there',
    });
  });
});

describe('iOS commands', () => {
  it('send XCUITest argument names', async () => {
    const b = await virtualBrowser(IOS);
    await cmd.clearApp(b, 'ios', 'com.openmobile.client');
    await cmd.iosLaunchApp(b, 'com.openmobile.client', ['-profileServiceUrl', 'http://127.0.0.1:9/']);
    await cmd.iosPressHome(b);
    await cmd.iosDeepLink(b, 'ipass://provision?pid=&resulturlscheme=harnessprobe', 'com.openmobile.client');
    expect(await cmd.queryAppState(b, 'ios', 'com.openmobile.client')).toBe(4);
    await b.acceptAlert();
    await cmd.tapAccessibilityId(b, 'Settings');
    await cmd.activateApp(b, 'ios', 'org.provisioningharness.probe');
    expect(mobileCalls(b.calls)).toEqual([
      ['mobile: clearApp', { bundleId: 'com.openmobile.client' }],
      [
        'mobile: launchApp',
        { bundleId: 'com.openmobile.client', arguments: ['-profileServiceUrl', 'http://127.0.0.1:9/'] },
      ],
      ['mobile: pressButton', { name: 'home' }],
      [
        'mobile: deepLink',
        { url: 'ipass://provision?pid=&resulturlscheme=harnessprobe', bundleId: 'com.openmobile.client' },
      ],
      ['mobile: queryAppState', { bundleId: 'com.openmobile.client' }],
      ['mobile: activateApp', { bundleId: 'org.provisioningharness.probe' }],
    ]);
    expect(b.calls.filter((c) => c.command !== 'execute').map((c) => [c.command, ...c.args])).toEqual([
      ['postAcceptAlert'],
      ['findElement', 'accessibility id', 'Settings'],
      ['click', 'virtual-settings-button'],
    ]);
    // The probe shows the callback the app opened (pid blank: result 10).
    const source = await b.getPageSource();
    expect(source).toContain('name="lastCallbackUrl" value="harnessprobe://provision?result=10"');
    expect(source).toContain('name="callbackCount" value="1"');
  });

  it('an unknown scheme is refused by the device, as XCUITest reports it', async () => {
    const b = await virtualBrowser({ ...IOS, 'appium:udid': 'cmd-ios-2' });
    await expect(cmd.iosDeepLink(b, 'other://provision?pid=1', 'com.openmobile.client')).rejects.toThrow(/no app/);
  });
});
