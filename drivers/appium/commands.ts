/**
 * Every Appium command the harness sends, one small function each, so that tests can pin the exact
 * command and arguments (test/drivers/appium/commands.test.ts records them against the virtual device and
 * a fake). Argument names are UiAutomator2's and XCUITest's own (`mobile:` execute methods).
 */
import { encodeForDeviceShell, quoteForDeviceShell } from './device-shell.ts';

/** The part of a WebdriverIO browser the harness uses (protocol commands only, so a fake is small). */
export interface AppiumBrowser {
  execute(script: string, ...args: unknown[]): Promise<unknown>;
  getPageSource(): Promise<string>;
  /** Base64 PNG of the screen (W3C Take Screenshot); a device without a screen rejects it. */
  takeScreenshot(): Promise<string>;
  getLogs(type: string): Promise<object[]>;
  acceptAlert(): Promise<unknown>;
  findElement(using: string, value: string): Promise<unknown>;
  /** W3C Find Elements: an empty list (no error) where none matches; absent where the client has no such command. */
  findElements?(using: string, value: string): Promise<unknown>;
  elementClick(elementId: string): Promise<unknown>;
  deleteSession(): Promise<unknown>;
  /** What the server answered at session creation (UiAutomator2 and XCUITest put the device's OS version there). */
  capabilities?: unknown;
  /** A driver script run on the server (drivers/appium/batch.ts); absent where the client has no such command. */
  executeDriverScript?(script: string, type?: string, timeout?: number): Promise<unknown>;
}

export const VIEW_ACTION = 'android.intent.action.VIEW';
export const KEYCODE_HOME = 3;

/** Android URL method: the link as a browser or another app opens it (`am start -a VIEW -d <url>`). */
export function androidDeepLink(b: AppiumBrowser, url: string, appPackage: string): Promise<unknown> {
  return b.execute('mobile: deepLink', { url: encodeForDeviceShell(url), package: appPackage, waitForLaunch: true });
}

/**
 * Android intent method: an ACTION_VIEW intent with the URI as data, to Open Mobile's provisioning service
 * (`am start-service`). UiAutomator2 puts `uri` on the device's command line as it is, so it is quoted.
 */
export function androidStartViewService(
  b: AppiumBrowser,
  url: string,
  appPackage: string,
  component: string | null,
): Promise<unknown> {
  const args: Record<string, unknown> = {
    action: VIEW_ACTION,
    uri: quoteForDeviceShell(encodeForDeviceShell(url)),
    package: appPackage,
  };
  if (component !== null) args['component'] = component;
  return b.execute('mobile: startService', args);
}

/** Starts an activity (`pkg/.Activity`), with string extras; values are quoted for the device shell. */
export function androidStartActivity(
  b: AppiumBrowser,
  component: string,
  extras: Record<string, string> = {},
): Promise<unknown> {
  const args: Record<string, unknown> = { component, wait: true };
  const list = Object.entries(extras).map(([k, v]) => ['s', k, quoteForDeviceShell(v)]);
  if (list.length > 0) args['extras'] = list;
  return b.execute('mobile: startActivity', args);
}

export function androidPressHome(b: AppiumBrowser): Promise<unknown> {
  return b.execute('mobile: pressKey', { keycode: KEYCODE_HOME });
}

/** Wi-Fi and mobile data together: offline means neither. */
export function androidSetConnectivity(b: AppiumBrowser, online: boolean): Promise<unknown> {
  return b.execute('mobile: setConnectivity', { wifi: online, data: online });
}

export interface StatusBarNotification {
  packageName: string;
  key: string;
  postTime: number;
  title: string | null;
  text: string | null;
}

/** `mobile: getNotifications` (needs the notification-listener permission UiAutomator2 asks for). */
export async function androidNotifications(b: AppiumBrowser): Promise<StatusBarNotification[]> {
  return notificationsIn(await b.execute('mobile: getNotifications', {}));
}

/** The notifications in `mobile: getNotifications`'s answer. */
export function notificationsIn(value: unknown): StatusBarNotification[] {
  const answer = value as {
    statusBarNotifications?: {
      packageName?: string;
      key?: string;
      postTime?: number;
      notification?: { title?: string | null; text?: string | null; bigText?: string | null };
    }[];
  } | null;
  return (answer?.statusBarNotifications ?? []).map((n) => ({
    packageName: n.packageName ?? '',
    key: n.key ?? '',
    postTime: n.postTime ?? 0,
    title: n.notification?.title ?? null,
    text: n.notification?.bigText ?? n.notification?.text ?? null,
  }));
}

export function iosDeepLink(b: AppiumBrowser, url: string, bundleId: string): Promise<unknown> {
  return b.execute('mobile: deepLink', { url, bundleId });
}

/** iOS: launches the app with the profile-service URL as a launch argument (read from UserDefaults). */
export function iosLaunchApp(b: AppiumBrowser, bundleId: string, args: string[]): Promise<unknown> {
  return b.execute('mobile: launchApp', { bundleId, arguments: args });
}

export function iosPressHome(b: AppiumBrowser): Promise<unknown> {
  return b.execute('mobile: pressButton', { name: 'home' });
}

export function iosRemoveApp(b: AppiumBrowser, bundleId: string): Promise<unknown> {
  return b.execute('mobile: removeApp', { bundleId });
}

export function iosInstallApp(b: AppiumBrowser, app: string): Promise<unknown> {
  return b.execute('mobile: installApp', { app });
}

/** UiAutomator2 names the app `appId`, XCUITest `bundleId`. */
function appArg(platform: 'android' | 'ios', appId: string): Record<string, string> {
  return platform === 'android' ? { appId } : { bundleId: appId };
}

/** Stops the app and erases its data (Android `pm clear`; iOS simulators only). */
export function clearApp(b: AppiumBrowser, platform: 'android' | 'ios', appId: string): Promise<unknown> {
  return b.execute('mobile: clearApp', appArg(platform, appId));
}

export function activateApp(b: AppiumBrowser, platform: 'android' | 'ios', appId: string): Promise<unknown> {
  return b.execute('mobile: activateApp', appArg(platform, appId));
}

/** 0 not installed, 1 not running, 2 suspended, 3 running in the background, 4 in the foreground. */
export const APP_STATE_FOREGROUND = 4;

export async function queryAppState(b: AppiumBrowser, platform: 'android' | 'ios', appId: string): Promise<number> {
  const state = await b.execute('mobile: queryAppState', appArg(platform, appId));
  if (typeof state !== 'number')
    throw new Error(`mobile: queryAppState answered ${JSON.stringify(state)}, not a number`);
  return state;
}

/** Taps the element with this accessibility id (the iOS settings button). */
export async function tapAccessibilityId(b: AppiumBrowser, id: string): Promise<void> {
  const ref = (await b.findElement('accessibility id', id)) as Record<string, string> | null;
  const elementId = ref?.['element-6066-11e4-a52e-4f735466cecf'] ?? ref?.['ELEMENT'];
  if (elementId === undefined) throw new Error(`no element with accessibility id ${JSON.stringify(id)} to tap`);
  await b.elementClick(elementId);
}

/** Whether the screen shows an element with this accessibility id (one command, no page source). */
export async function showsAccessibilityId(b: AppiumBrowser, id: string): Promise<boolean> {
  if (b.findElements === undefined) throw new Error('this WebdriverIO client has no findElements');
  const found = await b.findElements('accessibility id', id);
  return Array.isArray(found) && found.length > 0;
}

/** The log lines collected since the previous call (`logcat` on Android, `syslog` on iOS). */
export async function readLog(b: AppiumBrowser, type: 'logcat' | 'syslog'): Promise<string[]> {
  return logLines(await b.getLogs(type));
}

/** The lines of a `getLogs` answer. */
export function logLines(value: unknown): string[] {
  const entries = (Array.isArray(value) ? value : []) as { message?: unknown }[];
  return entries.map((e) => (typeof e.message === 'string' ? e.message : JSON.stringify(e)));
}

/**
 * A logcat line (`threadtime` format, as UiAutomator2 collects it): `MM-DD HH:MM:SS.mmm PID TID L TAG: msg`.
 * Null for anything else (a `--------- beginning of main` banner).
 */
export function parseLogcatLine(line: string): { tag: string; message: string } | null {
  const m = /^\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\s+\d+\s+\d+\s+[VDIWEFA]\s+(.+?)\s*: (.*)$/s.exec(line);
  return m === null ? null : { tag: m[1] as string, message: m[2] as string };
}

/** A syslog line (`Mon DD HH:MM:SS device Process[pid] <Level>: msg`). */
export function parseSyslogLine(line: string): { process: string; message: string } | null {
  const m = /^\w{3}\s+\d+ \d\d:\d\d:\d\d \S+ ([^[\s]+)(?:\([^)]*\))?\[\d+\](?: <\w+>)?: (.*)$/s.exec(line);
  return m === null ? null : { process: m[1] as string, message: m[2] as string };
}
