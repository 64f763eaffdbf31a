/**
 * `HarnessVirtual`: an Appium 3 driver for a phone that exists only in this process. It answers the very
 * `mobile:` execute methods the harness sends to UiAutomator2 and XCUITest, with their argument names,
 * plus page source, alerts, element lookup by accessibility id, and the `logcat` / `syslog` logs. Only the
 * last hop differs from a device lab: here the "phone" is drivers/appium/virtual-device/device.ts.
 *
 * Capabilities: platformName `Android` or `iOS`, `appium:automationName` `HarnessVirtual`, `appium:udid`,
 * `appium:appPackage` / `appium:bundleId` (Open Mobile), and for the virtual app only
 * `appium:harnessDefects` (seeded defect ids), `appium:harnessChoices`, `appium:harnessProbe`
 * ({ appId, activity, logTag, schemes }), `appium:harnessUnplugAfter` (the device is pulled out after that
 * many commands: a lab losing a phone mid-run), `appium:harnessProbeLogLate` (iOS: each probe log line
 * reaches the log that many log reads late: a device log that lags). The obfuscation key comes from the server's environment
 * (HARNESS_OBFUSCATION_KEY), as a real app has it built in.
 */
import vm from 'node:vm';
import { BaseDriver, errors } from '@appium/base-driver';
import type { Constraints, DriverCaps, Element, W3CDriverCaps } from '@appium/types';
import { CONFIGURABLE_CHOICES } from '../../emulated/client/open-mobile-client.ts';
import { isObfuscationKey } from '../../emulated/client/obfuscation.ts';
import { defectsFor, isDefectId, type DefectId } from '../../emulated/defects.ts';
import { shellWords } from '../device-shell.ts';
import { delayMs, latencyKind, scriptDelayMs, seededRandom, type Latency } from '../latency.ts';
import { deviceFor, VIRTUAL_APP, VIRTUAL_HARDWARE, type VirtualDevice } from './device.ts';

const CONSTRAINTS = {
  platformName: { presence: true, isString: true, inclusionCaseInsensitive: ['Android', 'iOS'] },
  udid: { presence: true, isString: true },
  appPackage: { isString: true },
  launchActivity: { isString: true },
  settingsActivity: { isString: true },
  bundleId: { isString: true },
  harnessDefects: { isArray: true },
  harnessChoices: { isObject: true },
  harnessProbe: { isObject: true },
  harnessLatency: { isObject: true },
  harnessUnplugAfter: { isNumber: true },
  harnessProbeLogLate: { isNumber: true },
} as const satisfies Constraints;

/**
 * Devices unplugged by `appium:harnessUnplugAfter` (a test hook): the commands each may still answer, by
 * udid, for as long as this server runs. An unplugged device answers no command and takes no new session,
 * as a phone pulled off its USB cable or taken offline by a farm.
 */
const unplugAfter = new Map<string, { left: number }>();

function unplugged(udid: string): boolean {
  const entry = unplugAfter.get(udid);
  return entry !== undefined && entry.left <= 0;
}

type Caps = DriverCaps<typeof CONSTRAINTS>;

const VIEW = 'android.intent.action.VIEW';
const UNRESOLVED = 'Error: Activity not started, unable to resolve Intent';
const ELEMENT_KEY = 'element-6066-11e4-a52e-4f735466cecf';
const SETTINGS_BUTTON_ID = 'virtual-settings-button';
/** The names of the iOS settings screen's fields (device.ts, its page source). */
const SETTINGS_FIELDS = ['profileId', 'profileMode', 'username', 'password', 'domain', 'prefix', 'autologin'];

/** The insecure feature a server must allow for `mobile: shell` (as UiAutomator2 names it). */
const ADB_SHELL_FEATURE = 'adb_shell';

/** The insecure feature a server must allow for driver scripts (as the execute-driver plugin names it). */
const DRIVER_SCRIPT_FEATURE = 'execute_driver_script';

const android = (m: string, required: string[], optional: string[] = []) => ({
  command: m,
  params: { required, optional },
});

export class VirtualDeviceDriver extends BaseDriver<typeof CONSTRAINTS> {
  /**
   * Driver scripts, as the execute-driver plugin adds them to a real server: the script runs here with a
   * WebdriverIO `driver` attached to this very session, and each command it sends comes back to this
   * server over HTTP like any other (so it waits its latency, less the round trip the harness spared).
   */
  static newMethodMap = {
    '/session/:sessionId/appium/execute_driver': {
      POST: { command: 'executeDriverScript', payloadParams: { required: ['script'], optional: ['type', 'timeout'] } },
    },
  } as const;

  static executeMethodMap = {
    'mobile: deepLink': android('mobileDeepLink', ['url'], ['package', 'waitForLaunch', 'bundleId']),
    'mobile: startService': android(
      'mobileStartService',
      [],
      ['action', 'uri', 'package', 'component', 'intent', 'extras', 'foreground', 'user'],
    ),
    'mobile: startActivity': android(
      'mobileStartActivity',
      [],
      ['component', 'extras', 'wait', 'stop', 'action', 'uri', 'package'],
    ),
    'mobile: clearApp': android('mobileClearApp', [], ['appId', 'bundleId']),
    'mobile: activateApp': android('mobileActivateApp', [], ['appId', 'bundleId']),
    'mobile: queryAppState': android('mobileQueryAppState', [], ['appId', 'bundleId']),
    'mobile: launchApp': android('mobileLaunchApp', ['bundleId'], ['arguments', 'environment']),
    'mobile: pressKey': android('mobilePressKey', ['keycode'], ['metastate', 'flags', 'isLongPress']),
    'mobile: pressButton': android('mobilePressButton', ['name'], ['durationSeconds']),
    'mobile: setConnectivity': android('mobileSetConnectivity', [], ['wifi', 'data', 'airplaneMode']),
    'mobile: getNotifications': android('mobileGetNotifications', []),
    // The device's identity, as UiAutomator2 and XCUITest (WebDriverAgent) answer it; the app's version and
    // build: Android through `dumpsys package` (`mobile: shell`, an insecure feature), iOS through `mobile: listApps`.
    'mobile: deviceInfo': android('mobileGetDeviceInfo', []),
    'mobile: shell': android('mobileShell', ['command'], ['args', 'timeout', 'includeStderr']),
    'mobile: listApps': android('mobileListApps', [], ['applicationType']),
  } as const;

  override desiredCapConstraints = CONSTRAINTS;
  override locatorStrategies = ['accessibility id', 'id', 'xpath'];
  private device: VirtualDevice | null = null;
  /** The waits of a real device (appium:harnessLatency), jittered by a generator seeded with the udid. */
  private latency: { figures: Latency; random: () => number } | null = null;
  /** Driver scripts running now: a command arriving meanwhile is one of theirs (the harness waits for its script). */
  private scripts = 0;
  private scriptDriver: Promise<unknown> | null = null;

  override supportedLogTypes = {
    logcat: { description: 'Android logcat (threadtime)', getter: (d: VirtualDeviceDriver) => d.logEntries('android') },
    syslog: { description: 'iOS system log', getter: (d: VirtualDeviceDriver) => d.logEntries('ios') },
  };

  override async createSession(
    w3cCaps1: W3CDriverCaps<typeof CONSTRAINTS>,
    w3cCaps2?: W3CDriverCaps<typeof CONSTRAINTS>,
    w3cCaps3?: W3CDriverCaps<typeof CONSTRAINTS>,
  ) {
    const result = await super.createSession(w3cCaps1, w3cCaps2, w3cCaps3);
    const udid = String(this.caps.udid);
    const after = this.caps.harnessUnplugAfter;
    if (typeof after === 'number' && !unplugAfter.has(udid)) unplugAfter.set(udid, { left: after });
    if (unplugged(udid)) {
      await super.deleteSession();
      // What UiAutomator2 answers for a device adb no longer lists.
      throw new errors.SessionNotCreatedError(`Device ${udid} was not in the list of connected devices`);
    }
    try {
      this.device = deviceFor(this.deviceConfig(this.caps));
      this.latency = this.latencyConfig(this.caps);
    } catch (error) {
      await super.deleteSession();
      throw new errors.SessionNotCreatedError(error instanceof Error ? error.message : String(error));
    }
    // As UiAutomator2 and XCUITest do, the session's capabilities carry the device's real OS version.
    const [id, caps] = result as [string, Record<string, unknown>];
    return [
      id,
      { ...caps, platformVersion: VIRTUAL_HARDWARE[this.phone.config.platform].platformVersion },
    ] as typeof result;
  }

  private latencyConfig(caps: Caps): { figures: Latency; random: () => number } | null {
    const l = caps.harnessLatency as Record<string, unknown> | undefined;
    if (l === undefined) return null;
    const keys = ['perCommand', 'deepLink', 'reset', 'pageSource', 'roundTrip', 'script', 'jitter', 'scale'] as const;
    for (const k of keys) {
      // Figures added later (roundTrip, script) are 0 where a client leaves them out.
      const v = l[k] ?? (k === 'roundTrip' || k === 'script' ? 0 : undefined);
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
        throw new Error(`appium:harnessLatency.${k} must be a number >= 0, got ${JSON.stringify(v)}`);
    }
    const figures = { roundTrip: 0, script: 0, ...l } as unknown as Latency;
    return { figures, random: seededRandom(`harness-latency:${String(caps.udid)}`) };
  }

  /**
   * Every command waits as long as it would take on the device the latency profile describes, here on the
   * server, before it runs: the harness sees only a slower answer. Opening and closing the session do not.
   */
  override async executeCommand<T = unknown>(cmd: string, ...args: unknown[]): Promise<T> {
    const entry = this.caps?.udid === undefined ? undefined : unplugAfter.get(String(this.caps.udid));
    if (entry !== undefined && cmd !== 'createSession' && cmd !== 'deleteSession') {
      entry.left--;
      // What a UiAutomator2 session answers once its device is gone.
      if (entry.left < 0)
        throw new errors.UnknownError('Could not proxy command to the remote server. Original error: socket hang up');
    }
    // Not through the commands queue: the script's own commands come back through it while it runs.
    if (cmd === 'executeDriverScript') return (await this.executeDriverScript(...(args as [string]))) as T;
    const l = this.latency;
    if (l !== null && cmd !== 'createSession' && cmd !== 'deleteSession') {
      const ms = delayMs(l.figures, latencyKind(cmd, args), l.random, this.scripts > 0);
      if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
    }
    return await super.executeCommand<T>(cmd, ...args);
  }

  /**
   * `POST /session/:id/appium/execute_driver`: runs `script` (the body of an async function) in a fresh VM
   * context with `driver` (WebdriverIO, attached to this session through this server) and a `console` whose
   * lines are answered as `logs`; answers `{ result, logs }`. Refused unless the server allows the insecure
   * feature `execute_driver_script`, as the plugin does.
   */
  async executeDriverScript(script: string, scriptType: unknown = 'webdriverio', timeoutMs: unknown = 3_600_000) {
    if (!this.isFeatureEnabled(DRIVER_SCRIPT_FEATURE)) {
      throw new Error(
        `Execute driver script functionality is not available unless server is started with --allow-insecure ` +
          `including the '${DRIVER_SCRIPT_FEATURE}' flag, e.g., --allow-insecure=HarnessVirtual:${DRIVER_SCRIPT_FEATURE}`,
      );
    }
    if (scriptType !== 'webdriverio' && scriptType !== undefined && scriptType !== null)
      throw new errors.InvalidArgumentError(`Only the 'webdriverio' script type is supported`);
    const timeout = typeof timeoutMs === 'number' && Number.isFinite(timeoutMs) ? timeoutMs : 3_600_000;
    const l = this.latency;
    if (l !== null) {
      const ms = scriptDelayMs(l.figures, l.random);
      if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
    }
    const driver = await this.attachedDriver();
    const logs: { error: unknown[]; warn: unknown[]; log: unknown[] } = { error: [], warn: [], log: [] };
    const console = {
      error: (...a: unknown[]) => void logs.error.push(...a),
      warn: (...a: unknown[]) => void logs.warn.push(...a),
      log: (...a: unknown[]) => void logs.log.push(...a),
    };
    this.scripts++;
    try {
      const result: unknown = await vm.runInNewContext(
        `(async () => {${script}})();`,
        { driver, console, setTimeout, clearTimeout },
        { timeout },
      );
      return { result: result === undefined ? null : (JSON.parse(JSON.stringify(result)) as unknown), logs };
    } catch (error) {
      throw new Error(`Could not execute driver script. Original error was: ${String(error)}`);
    } finally {
      this.scripts--;
    }
  }

  /** WebdriverIO attached to this session through this server (as the plugin's child process attaches). */
  private attachedDriver(): Promise<unknown> {
    this.scriptDriver ??= (async () => {
      const { attach } = await import('webdriverio');
      return await attach({
        sessionId: this.sessionId as string,
        options: {
          protocol: 'http',
          hostname: this.serverHost ?? '127.0.0.1',
          port: this.serverPort ?? 4723,
          path: this.serverPath ?? '/',
          logLevel: 'silent',
        },
        isW3C: true,
        isMobile: true,
        capabilities: this.caps as WebdriverIO.Capabilities,
      } as Parameters<typeof attach>[0]);
    })().catch((error: unknown) => {
      this.scriptDriver = null;
      throw error;
    });
    return this.scriptDriver;
  }

  private deviceConfig(caps: Caps) {
    const platform = String(caps.platformName).toLowerCase() === 'ios' ? 'ios' : 'android';
    const defects = (caps.harnessDefects ?? []) as unknown[];
    const valid = defectsFor(platform).map((d) => d.id);
    const defectIds: DefectId[] = [];
    for (const id of defects) {
      if (typeof id !== 'string' || !isDefectId(id) || !valid.includes(id)) {
        throw new Error(
          `appium:harnessDefects: ${JSON.stringify(id)} is not a defect of the ${platform} client; valid: ${valid.join(', ')}`,
        );
      }
      defectIds.push(id);
    }
    const choices = (caps.harnessChoices ?? {}) as Record<string, unknown>;
    for (const [id, option] of Object.entries(choices)) {
      if (!CONFIGURABLE_CHOICES[id]?.options.includes(String(option))) {
        throw new Error(`appium:harnessChoices: ${id} = ${JSON.stringify(option)} is not a configurable choice`);
      }
    }
    const probe = (caps.harnessProbe ?? {}) as Record<string, unknown>;
    const key = process.env['HARNESS_OBFUSCATION_KEY'] ?? null;
    return {
      platform,
      udid: caps.udid,
      appId: (platform === 'ios' ? caps.bundleId : caps.appPackage) ?? 'com.openmobile.client',
      launchActivity: caps.launchActivity ?? '.MainActivity',
      settingsActivity: caps.settingsActivity ?? '.SettingsActivity',
      probeId: typeof probe['appId'] === 'string' ? probe['appId'] : 'org.provisioningharness.probe',
      probeActivity: typeof probe['activity'] === 'string' ? probe['activity'] : '.ProbeActivity',
      probeLogTag: typeof probe['logTag'] === 'string' ? probe['logTag'] : 'HarnessProbe',
      probeSchemes: Array.isArray(probe['schemes'])
        ? probe['schemes'].map((s) => String(s).toLowerCase())
        : ['harnessprobe', 'myapp'],
      clientLogTag: 'OpenMobile',
      probeLogLate: typeof caps.harnessProbeLogLate === 'number' ? caps.harnessProbeLogLate : 0,
      defects: new Set(defectIds),
      choices: choices as Record<string, string>,
      obfuscationKey: key !== null && isObfuscationKey(key) ? key : null,
    } as const;
  }

  private get phone(): VirtualDevice {
    if (this.device === null) throw new errors.NoSuchDriverError('no virtual device is attached to this session');
    return this.device;
  }

  private get isAndroid(): boolean {
    return this.phone.config.platform === 'android';
  }

  private logEntries(platform: 'android' | 'ios') {
    if (this.phone.config.platform !== platform) {
      throw new errors.InvalidArgumentError(
        `the ${this.phone.config.platform} device has no ${platform === 'android' ? 'logcat' : 'syslog'}`,
      );
    }
    return this.phone.takeLogs().map((message) => ({ timestamp: Date.now(), level: 'ALL', message }));
  }

  async execute(script: string, args: unknown[]) {
    return await this.executeMethod(script, args as [Record<string, unknown>]);
  }

  private component(component: string): { pkg: string; activity: string } {
    const [pkg, cls] = component.split('/');
    if (pkg === undefined || cls === undefined || pkg === '' || cls === '') {
      throw new errors.InvalidArgumentError(`component must be "package/.Activity", got ${JSON.stringify(component)}`);
    }
    return { pkg, activity: cls.startsWith(pkg) ? cls.slice(pkg.length) : cls };
  }

  /** What one intent argument becomes after adb joins the command line and the device's sh re-reads it. */
  private throughDeviceShell(value: string): string {
    let words: string[];
    try {
      words = shellWords(`am start -d ${value}`);
    } catch (error) {
      throw new errors.UnknownError(`/system/bin/sh: ${error instanceof Error ? error.message : String(error)}`);
    }
    return words.slice(3).join(' ');
  }

  async mobileDeepLink(url: string, pkg?: string, _waitForLaunch?: boolean, bundleId?: string) {
    const phone = this.phone;
    if (this.isAndroid) {
      // UiAutomator2 quotes the URI for the device shell itself (appium-adb escapeShellArg).
      if (pkg !== undefined && !phone.isInstalled(pkg))
        throw new errors.UnknownError(`Error attempting to start URI. Original error: ${UNRESOLVED}`);
      if (pkg !== undefined && pkg !== phone.config.appId)
        throw new errors.UnknownError(`Error attempting to start URI. Original error: ${UNRESOLVED}`);
      const observation = await phone.deliver(url, 'url');
      // No activity's intent filter matched: `am start` refuses the intent.
      if (!observation.handled)
        throw new errors.UnknownError(
          `Error attempting to start URI. Original error: ${UNRESOLVED} { act=${VIEW} dat=${url.split('?')[0]}... }`,
        );
      return null;
    }
    if (bundleId === undefined) throw new errors.InvalidArgumentError('bundleId is required on iOS');
    const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(url)?.[1]?.toLowerCase();
    if (scheme !== 'ipass' || bundleId !== phone.config.appId) {
      throw new errors.UnknownError(`Failed to open ${url}: no app on the device handles its scheme`);
    }
    // iOS opens the app for its scheme whatever the rest of the URL; the app may then ignore it.
    phone.bringToFront(phone.config.appId, 'main');
    await phone.deliver(url, 'url');
    return null;
  }

  async mobileStartService(action?: string, uri?: string, pkg?: string, component?: string) {
    const phone = this.phone;
    this.requireAndroid('mobile: startService');
    const target = component !== undefined ? this.component(component).pkg : pkg;
    if (target !== phone.config.appId) return `Error: Not found; no service started.`;
    // UiAutomator2 puts the URI on the device's command line unquoted: an unquoted `&` would end it here.
    const data = uri === undefined ? undefined : this.throughDeviceShell(uri);
    if (action === VIEW && data !== undefined) await phone.deliver(data, 'intent');
    return `Starting service: Intent { act=${action ?? ''} pkg=${target} }`;
  }

  async mobileStartActivity(component?: string, extras?: unknown) {
    const phone = this.phone;
    this.requireAndroid('mobile: startActivity');
    if (component === undefined) throw new errors.InvalidArgumentError('component is required');
    const { pkg, activity } = this.component(component);
    const values: Record<string, string> = {};
    if (extras !== undefined) {
      if (!Array.isArray(extras)) throw new errors.InvalidArgumentError(`'extras' must be an array`);
      for (const item of extras as unknown[]) {
        if (!Array.isArray(item) || item.length !== 3 || item[0] !== 's') {
          throw new errors.InvalidArgumentError(
            `Extra argument ${JSON.stringify(item)} must be ['s', key, value] here`,
          );
        }
        values[String(item[1])] = this.throughDeviceShell(String(item[2]));
      }
    }
    if (pkg === phone.config.appId && activity === phone.config.launchActivity) {
      phone.launchApp(values['profileServiceUrl'] ?? null);
    } else if (pkg === phone.config.appId && activity === phone.config.settingsActivity) {
      if (phone.client === null) phone.launchApp(null);
      phone.bringToFront(pkg, 'settings');
      phone.dialog = null;
    } else if (pkg === phone.config.probeId && activity === phone.config.probeActivity) {
      phone.bringToFront(pkg);
    } else {
      throw new errors.UnknownError(`Error: Activity class {${component}} does not exist.`);
    }
    return `Starting: Intent { cmp=${component} }`;
  }

  private appIdOf(appId?: string, bundleId?: string): string {
    const id = this.isAndroid ? appId : bundleId;
    if (id === undefined) throw new errors.InvalidArgumentError(`${this.isAndroid ? 'appId' : 'bundleId'} is required`);
    return id;
  }

  async mobileClearApp(appId?: string, bundleId?: string) {
    try {
      this.phone.clearApp(this.appIdOf(appId, bundleId));
    } catch (error) {
      throw new errors.UnknownError(error instanceof Error ? error.message : String(error));
    }
    return true;
  }

  async mobileActivateApp(appId?: string, bundleId?: string) {
    const id = this.appIdOf(appId, bundleId);
    if (!this.phone.isInstalled(id)) throw new errors.UnknownError(`Cannot activate '${id}': it is not installed`);
    if (id === this.phone.config.appId && this.phone.client === null) this.phone.launchApp(null);
    else this.phone.bringToFront(id, id === this.phone.config.appId ? this.phone.screen : 'main');
    return null;
  }

  async mobileQueryAppState(appId?: string, bundleId?: string) {
    return this.phone.appState(this.appIdOf(appId, bundleId));
  }

  async mobileLaunchApp(bundleId: string, args?: unknown) {
    if (this.isAndroid) throw new errors.UnsupportedOperationError('mobile: launchApp is an XCUITest command');
    if (bundleId === this.phone.config.appId) {
      const list = Array.isArray(args) ? args.map(String) : [];
      const at = list.indexOf('-profileServiceUrl');
      this.phone.launchApp(at >= 0 ? (list[at + 1] ?? null) : null);
    } else if (bundleId === this.phone.config.probeId) {
      this.phone.bringToFront(bundleId);
    } else {
      throw new errors.UnknownError(`The application '${bundleId}' is not installed on the device`);
    }
    return null;
  }

  async mobilePressKey(keycode: number) {
    this.requireAndroid('mobile: pressKey');
    if (keycode === 3) this.phone.goHome();
    return null;
  }

  async mobilePressButton(name: string) {
    if (this.isAndroid) throw new errors.UnsupportedOperationError('mobile: pressButton is an XCUITest command');
    if (String(name).toLowerCase() !== 'home')
      throw new errors.InvalidArgumentError(`unsupported button ${JSON.stringify(name)}`);
    this.phone.goHome();
    return null;
  }

  async mobileSetConnectivity(wifi?: boolean, data?: boolean, airplaneMode?: boolean) {
    this.requireAndroid('mobile: setConnectivity');
    if (wifi === undefined && data === undefined && airplaneMode === undefined) {
      throw new errors.InvalidArgumentError('Either one of [wifi, data, airplaneMode] options must be provided');
    }
    if (wifi !== undefined) this.phone.wifi = wifi;
    if (data !== undefined) this.phone.data = data;
    if (airplaneMode !== undefined) this.phone.airplaneMode = airplaneMode;
    return null;
  }

  async mobileGetNotifications() {
    this.requireAndroid('mobile: getNotifications');
    return {
      statusBarNotifications: this.phone.notifications.map((n) => ({
        packageName: n.packageName,
        key: n.key,
        postTime: n.postTime,
        isClearable: true,
        notification: { title: n.title, text: n.text, bigText: n.text },
      })),
    };
  }

  override async getPageSource() {
    return this.phone.pageSource();
  }

  async postAcceptAlert() {
    try {
      this.phone.acceptAlert();
    } catch {
      throw new errors.NoAlertOpenError();
    }
  }

  override findElOrEls(strategy: string, selector: string, mult: true, context?: unknown): Promise<Element[]>;
  override findElOrEls(strategy: string, selector: string, mult: false, context?: unknown): Promise<Element>;
  override async findElOrEls(strategy: string, selector: string, mult: boolean): Promise<Element | Element[]> {
    const phone = this.phone;
    const shown = strategy === 'accessibility id' && !this.isAndroid && phone.foreground === phone.config.appId;
    // The main screen's settings button, and the settings screen's fields (their names, as its page source).
    const field = SETTINGS_FIELDS.includes(selector) && phone.screen === 'settings';
    const found = shown && ((selector === 'Settings' && phone.screen === 'main') || field);
    const id = field ? `virtual-field-${selector}` : SETTINGS_BUTTON_ID;
    const element: Element = { [ELEMENT_KEY]: id, ELEMENT: id };
    if (mult) return found ? [element] : [];
    if (!found) throw new errors.NoSuchElementError(`no element with ${strategy} ${JSON.stringify(selector)}`);
    return element;
  }

  async click(elementId: string) {
    if (elementId !== SETTINGS_BUTTON_ID) throw new errors.StaleElementReferenceError();
    this.phone.bringToFront(this.phone.config.appId, 'settings');
    this.phone.dialog = null;
  }

  /** UiAutomator2's device info (Android) or WebDriverAgent's (iOS), with their field names. */
  async mobileGetDeviceInfo() {
    const phone = this.phone;
    if (this.isAndroid) {
      const hw = VIRTUAL_HARDWARE.android;
      return {
        androidId: phone.config.udid
          .replace(/[^0-9a-f]/gi, '')
          .padEnd(16, '0')
          .slice(0, 16),
        manufacturer: hw.manufacturer,
        model: hw.model,
        brand: hw.brand,
        apiVersion: hw.apiVersion,
        platformVersion: hw.platformVersion,
        carrierName: '',
        realDisplaySize: '1080x2400',
        displayDensity: 420,
        locale: 'en_US',
        timeZone: 'UTC',
      };
    }
    const hw = VIRTUAL_HARDWARE.ios;
    return {
      currentLocale: 'en_US',
      timeZone: 'UTC',
      name: hw.name,
      model: hw.model,
      uuid: phone.config.udid,
      userInterfaceIdiom: 1,
      userInterfaceStyle: 'light',
      isSimulator: false,
    };
  }

  /**
   * `adb shell <command> <args>`, as UiAutomator2 runs it when the server allows the insecure feature
   * `adb_shell`; the virtual phone knows `dumpsys package <id>` (what the harness reads an app's version with).
   */
  async mobileShell(command: string, args?: unknown) {
    this.requireAndroid('mobile: shell');
    if (!this.isFeatureEnabled(ADB_SHELL_FEATURE)) {
      throw new errors.InvalidArgumentError(
        `Potentially insecure feature '${ADB_SHELL_FEATURE}' has not been enabled. If you want to enable this feature and accept the security ramifications, please do so by following the documented instructions at http://appium.io/docs/en/latest/guides/security/`,
      );
    }
    const list = Array.isArray(args) ? args.map(String) : typeof args === 'string' ? [args] : [];
    if (command !== 'dumpsys' || list[0] !== 'package' || list[1] === undefined) return '';
    if (!this.phone.isInstalled(list[1])) return `Unable to find package: ${list[1]}\n`;
    if (list[1] !== this.phone.config.appId)
      return `Packages:\n  Package [${list[1]}]:\n    versionCode=1 minSdk=26 targetSdk=34\n    versionName=1.0\n`;
    return [
      'Packages:',
      `  Package [${list[1]}] (5f3a9c1):`,
      `    userId=10123`,
      `    pkg=Package{5f3a9c1 ${list[1]}}`,
      `    versionCode=${VIRTUAL_APP.build} minSdk=26 targetSdk=34`,
      `    versionName=${VIRTUAL_APP.version}`,
      '',
    ].join('\n');
  }

  /** XCUITest's installed apps, by bundle id, with their Info.plist's version keys. */
  async mobileListApps(_applicationType?: string) {
    if (this.isAndroid) throw new errors.UnsupportedOperationError('mobile: listApps is an XCUITest command');
    const phone = this.phone;
    return {
      [phone.config.appId]: {
        CFBundleIdentifier: phone.config.appId,
        CFBundleName: 'Open Mobile',
        CFBundleShortVersionString: VIRTUAL_APP.version,
        CFBundleVersion: VIRTUAL_APP.build,
      },
      [phone.config.probeId]: {
        CFBundleIdentifier: phone.config.probeId,
        CFBundleName: 'Harness Probe',
        CFBundleShortVersionString: '1.0',
        CFBundleVersion: '1',
      },
    };
  }

  private requireAndroid(command: string): void {
    if (!this.isAndroid) throw new errors.UnsupportedOperationError(`${command} is a UiAutomator2 command`);
  }
}
