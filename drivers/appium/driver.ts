/**
 * The `appium` driver: Open Mobile on phones (or the virtual device) through WebdriverIO `remote()` and an
 * Appium 3 server. One session per configured device, run in parallel (maxSessions = devices.length).
 * Every device command is a small function in commands.ts; this file decides when to send which and how
 * to read the outcome back (dialog and settings screen from the page source, the result broadcast from the
 * probe's logcat line, the iOS callback from the probe's screen, notifications, app state).
 */
import type * as WebdriverIOModule from 'webdriverio';
import { DeviceLost, type DriverContext } from '../../src/core/driver.ts';
import type { ClientDriver, ClientSession } from '../../protocols/openmobile/types.ts';
import type { Attachment } from '../../src/core/results.ts';
import {
  NOT_HANDLED,
  type Capability,
  type ClientState,
  type Method,
  type ProvisionObservation,
  type ProvisionRequest,
  type TargetInfo,
} from '../../protocols/openmobile/types.ts';
import {
  batchAnswers,
  batched,
  batchScript,
  isBatchRefused,
  valueOf,
  type BatchAnswer,
  type BatchStep,
} from './batch.ts';
import * as cmd from './commands.ts';
import type { AppiumBrowser } from './commands.ts';
import { validateAppiumDriverOptions, type AppiumDriverOptions, type DeviceOptions } from './options.ts';
import { findFirst, parseSource, type SourceElement } from './page-source.ts';
import { startLocalAppium, type LocalAppium } from './server.ts';

export { validateAppiumDriverOptions } from './options.ts';
export type { AppiumDriverOptions } from './options.ts';

export const VIRTUAL_AUTOMATION_NAME = 'HarnessVirtual';

/** Opens a WebdriverIO session; replaced in tests by a fake. */
export type Connect = (serverUrl: string, capabilities: Record<string, unknown>) => Promise<AppiumBrowser>;

let webdriverio: Promise<typeof WebdriverIOModule> | null = null;

/**
 * WebdriverIO is imported on first need (the CLI's other targets never load it), and it is large: about a
 * second to load here. createAppiumDriver starts loading it while the local Appium server starts.
 */
function loadWebdriverIO(): Promise<typeof WebdriverIOModule> {
  webdriverio ??= import('webdriverio').catch((error: unknown) => {
    webdriverio = null;
    throw error;
  });
  return webdriverio;
}

export const connectWebdriverIO: Connect = async (serverUrl, capabilities) => {
  const { remote } = await loadWebdriverIO();
  const u = new URL(serverUrl);
  const https = u.protocol === 'https:';
  return (await remote({
    protocol: https ? 'https' : 'http',
    hostname: u.hostname,
    port: u.port === '' ? (https ? 443 : 80) : Number(u.port),
    path: u.pathname === '' ? '/' : u.pathname,
    ...(u.username !== '' ? { user: decodeURIComponent(u.username), key: decodeURIComponent(u.password) } : {}),
    capabilities: capabilities as WebdriverIO.Capabilities,
    logLevel: 'silent',
    connectionRetryCount: 0,
  })) as unknown as AppiumBrowser;
};

/** Errors that mean the Appium session (or the server's connection) is gone, not that a command failed. */
/** The connection to the server (or the server's to the device) failed: refused, reset, cut. */
const CONNECTION_LOST = /ECONNREFUSED|ECONNRESET|socket hang up|UND_ERR_SOCKET/i;

export function isSessionLost(error: unknown): boolean {
  const text = errorText(error);
  return (
    /invalid session id|session is either terminated|session .*(not found|does not exist|was terminated)|no such driver/i.test(
      text,
    ) || CONNECTION_LOST.test(text)
  );
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name} ${error.message}` : String(error);
}

/**
 * The Appium server itself answered with an error (a WebDriver error: it refused a session on the device),
 * rather than not answering at all (refused connection, reset, timeout: the server, not the device, is the
 * trouble).
 */
export function isServerAnswer(error: unknown): boolean {
  const text = errorText(error);
  return !CONNECTION_LOST.test(text) && !/ETIMEDOUT|timeout|fetch failed/i.test(text);
}

/** The capabilities of one device's session. */
export function sessionCapabilities(o: AppiumDriverOptions, device: DeviceOptions): Record<string, unknown> {
  const caps: Record<string, unknown> = {
    platformName: o.platform === 'ios' ? 'iOS' : 'Android',
    'appium:automationName': o.platform === 'ios' ? 'XCUITest' : 'UiAutomator2',
    'appium:udid': device.udid,
    // The harness resets the app itself before every case; Appium must not reinstall or clear it.
    'appium:noReset': true,
    'appium:newCommandTimeout': 600,
    ...(o.platform === 'ios' ? { 'appium:bundleId': o.bundleId } : { 'appium:appPackage': o.appPackage }),
    ...(device.systemPort !== undefined ? { 'appium:systemPort': device.systemPort } : {}),
    ...(device.wdaLocalPort !== undefined ? { 'appium:wdaLocalPort': device.wdaLocalPort } : {}),
    ...o.capabilities,
    ...device.capabilities,
  };
  if (caps['appium:automationName'] === VIRTUAL_AUTOMATION_NAME) {
    if (o.platform === 'android') {
      caps['appium:launchActivity'] = o.launchActivity;
      caps['appium:settingsActivity'] = o.settingsActivity;
    }
    caps['appium:harnessProbe'] = { appId: o.probe.appId, activity: o.probe.activity, logTag: o.probe.logTag };
    if (o.defects.length > 0) caps['appium:harnessDefects'] = o.defects;
    if (Object.keys(o.choices).length > 0) caps['appium:harnessChoices'] = o.choices;
    if (o.latency !== null) caps['appium:harnessLatency'] = o.latency;
  }
  return caps;
}

export async function createAppiumDriver(
  options: Record<string, unknown>,
  context: DriverContext,
  connect: Connect = connectWebdriverIO,
): Promise<ClientDriver> {
  const o = validateAppiumDriverOptions(options);
  // Loaded meanwhile; a failure to load is reported by the first connect, with its context.
  if (connect === connectWebdriverIO) loadWebdriverIO().catch(() => undefined);
  let server: LocalAppium | null = null;
  let url = o.appium;
  if (o.appium === 'local') {
    server = await startLocalAppium(
      context.obfuscationKey !== null ? { HARNESS_OBFUSCATION_KEY: context.obfuscationKey } : {},
      { allowDriverScripts: o.batch === 'driver-script' },
    );
    url = server.url;
  }
  return new AppiumDriver(o, url, server, connect);
}

class AppiumDriver implements ClientDriver {
  readonly maxSessions: number;
  readonly #free: DeviceOptions[];
  readonly #sessions = new Set<AppiumSession>();
  #stopped = false;

  constructor(
    private readonly o: AppiumDriverOptions,
    private readonly url: string,
    private readonly server: LocalAppium | null,
    private readonly connect: Connect,
  ) {
    this.maxSessions = o.devices.length;
    this.#free = [...o.devices];
  }

  async info(): Promise<TargetInfo> {
    const capabilities: Capability[] = ['state', 'logs'];
    if (this.o.network) capabilities.push('network');
    // No `concurrency`: a phone gives no way to tell which of two overlapping requests an outcome belongs to.
    const methods: Method[] = this.o.platform === 'ios' ? ['url'] : ['url', 'intent'];
    return { name: this.o.name, version: this.o.version, platform: this.o.platform, methods, capabilities };
  }

  /**
   * Each device's identity as the device reports it (a certification bundle's): model, OS version, and the
   * app's version and build, read through Appium on a session of each device in turn (UiAutomator2:
   * `mobile: deviceInfo` and `dumpsys package` through `mobile: shell`; XCUITest: `mobile: deviceInfo`, the
   * session's OS version and `mobile: listApps`). What a device does not tell is recorded with the reason.
   */
  async identity(): Promise<Record<string, unknown>> {
    const devices: Record<string, unknown>[] = [];
    for (let i = 0; i < this.o.devices.length; i++) {
      const session = (await this.openSession()) as AppiumSession;
      try {
        devices.push({ udid: session.device.udid, ...(await session.deviceIdentity(AbortSignal.timeout(30_000))) });
      } finally {
        await session.close();
      }
    }
    return {
      source: `Appium ${this.o.platform === 'android' ? 'UiAutomator2' : 'XCUITest'} (read from the device)`,
      appiumServer: await this.#serverVersion(),
      ...(devices.length === 1 ? devices[0] : { devices }),
    };
  }

  /** The Appium server's version, as its `GET /status` tells it (a lab's server, not the harness's package). */
  async #serverVersion(): Promise<string> {
    try {
      // A cloud lab's URL carries its credentials: sent as a header, never in the URL (nor in a message).
      const url = new URL('status', this.url.endsWith('/') ? this.url : `${this.url}/`);
      const headers: Record<string, string> = {};
      if (url.username !== '') {
        const user = decodeURIComponent(url.username);
        const key = decodeURIComponent(url.password);
        headers['authorization'] = `Basic ${Buffer.from(`${user}:${key}`).toString('base64')}`;
        url.username = '';
        url.password = '';
      }
      const answer = await fetch(url, { headers, signal: AbortSignal.timeout(5_000) });
      const body = (await answer.json()) as { value?: { build?: { version?: unknown } } };
      const version = body.value?.build?.version;
      return typeof version === 'string' ? version : 'not told (GET /status has no build.version)';
    } catch (error) {
      return `not told (GET /status: ${error instanceof Error ? error.name : 'no answer'})`;
    }
  }

  async openSession(): Promise<ClientSession> {
    if (this.#stopped) throw new Error(`appium driver ${this.o.name}: openSession() after stop()`);
    const device = this.#free.shift();
    if (device === undefined) {
      throw new Error(`appium driver ${this.o.name}: all ${this.o.devices.length} device(s) are in use (maxSessions)`);
    }
    const session = new AppiumSession(this.o, device, this.url, this.connect, (s) => {
      this.#sessions.delete(s);
      // A lost device gets no more sessions (the runner runs its cases on the others).
      if (!s.lost) this.#free.push(device);
    });
    try {
      await session.connect();
    } catch (error) {
      // The Appium server answered and refused a session on this device: it is gone (unplugged, offline,
      // taken by someone else). No answer from the server is no verdict on the device: it stays.
      const message = `appium driver ${this.o.name}: no session on device ${device.udid} at ${this.url}: ${error instanceof Error ? error.message : String(error)}`;
      if (isServerAnswer(error)) throw new DeviceLost(device.udid, message);
      this.#free.push(device);
      throw new Error(message);
    }
    this.#sessions.add(session);
    return session;
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    await Promise.all([...this.#sessions].map((s) => s.close()));
    await this.server?.stop();
  }
}

/**
 * A probe log line at least this long may have been cut short by the device log (os_log truncates long
 * messages): its callback is read from the probe's screen instead.
 */
const PROBE_LINE_LIMIT = 800;

/** One device: its WebdriverIO session and what the harness has already seen on it. */
export class AppiumSession implements ClientSession {
  /** The device is gone (no new session could be had on it): its driver gives it no more sessions. */
  lost = false;
  #browser: AppiumBrowser | null = null;
  #closed = false;
  /** Open Mobile's log lines since the last reset (logcat / syslog, filtered to its tag). */
  #clientLines: string[] = [];
  /** Result codes the probe logged that no provision has claimed yet. */
  #probeResults: number[] = [];
  #seenNotifications = new Set<string>();
  /** iOS: the probe's callback count as the session last knew it (its screen, plus the callbacks it logged since). */
  #probeCount = 0;
  /** iOS: callback URLs the probe logged (`HarnessProbe received <url>`) since the request was sent. */
  #probeLogged: string[] = [];
  /** iOS: callbacks counted from the probe's screen whose log lines have not been filed yet (dropped when they are). */
  #probeUnlogged = 0;
  /**
   * No command has been sent since the last log collection (roundTrips: 'fewest' then skips the collection
   * before a request: it would only find what pressing home logged, which the collection after it finds too).
   */
  #logsFresh = false;
  /** The connectivity the harness last set and the device confirmed; null where unknown. */
  #online: boolean | null = null;
  /** Driver scripts (batch: 'driver-script'): not tried yet, run by the server, or refused by it. */
  #batching: 'try' | 'yes' | 'no';

  constructor(
    private readonly o: AppiumDriverOptions,
    readonly device: DeviceOptions,
    private readonly url: string,
    private readonly connectFn: Connect,
    private readonly onClose: (s: AppiumSession) => void,
  ) {
    this.#batching = o.batch === 'driver-script' ? 'try' : 'no';
  }

  /** Whether driver scripts are run by this session's server: null until the first batch was tried. */
  get batching(): boolean | null {
    return this.#batching === 'try' ? null : this.#batching === 'yes';
  }

  /**
   * Sends `steps` as one driver script; null where batches are off or the server refused this first one
   * (detected once per session: nothing of a refused batch ran, and single commands follow from then on).
   */
  async #batch(b: AppiumBrowser, steps: BatchStep[]): Promise<BatchAnswer[] | null> {
    if (this.#batching === 'no') return null;
    if (b.executeDriverScript === undefined) {
      this.#batching = 'no';
      return null;
    }
    let answer: unknown;
    try {
      answer = await b.executeDriverScript(batchScript(steps));
    } catch (error) {
      if (this.#batching === 'try' && !isSessionLost(error) && isBatchRefused(error)) {
        this.#batching = 'no';
        return null;
      }
      throw error;
    }
    this.#batching = 'yes';
    return batchAnswers(steps, answer);
  }

  async connect(): Promise<void> {
    this.#logsFresh = false;
    this.#online = null;
    this.#browser = await this.connectFn(this.url, sessionCapabilities(this.o, this.device));
  }

  get #fewest(): boolean {
    return this.o.roundTrips === 'fewest';
  }

  /**
   * Runs `op` on the session; a lost session is re-created and `op` retried once, then the case is broken.
   * When no new session can be had on the device at all, the device is lost (DeviceLost): the runner runs
   * the case again on another device.
   */
  async #run<T>(name: string, signal: AbortSignal, op: (b: AppiumBrowser) => Promise<T>): Promise<T> {
    signal.throwIfAborted();
    if (this.#closed || this.#browser === null)
      throw new Error(`appium session on ${this.device.udid}: ${name} after close()`);
    // Whatever op sends is a command after the last collection (a collection in it sets this again).
    this.#logsFresh = false;
    try {
      return await op(this.#browser);
    } catch (error) {
      if (!isSessionLost(error)) throw error;
      signal.throwIfAborted();
      try {
        await this.connect();
      } catch (connectError) {
        if (!isServerAnswer(connectError)) throw connectError;
        this.lost = true;
        throw new DeviceLost(
          this.device.udid,
          `device ${this.device.udid} was lost during ${name} (${error instanceof Error ? error.message : String(error)}), ` +
            `and the Appium server refused a new session on it: ${connectError instanceof Error ? connectError.message : String(connectError)}`,
        );
      }
      try {
        return await op(this.#browser);
      } catch (retryError) {
        throw new Error(
          `appium session on ${this.device.udid} was lost during ${name} (${error instanceof Error ? error.message : String(error)}); ` +
            `re-created and retried once, which failed too: ${retryError instanceof Error ? retryError.message : String(retryError)}`,
        );
      }
    }
  }

  get #android(): boolean {
    return this.o.platform === 'android';
  }

  get #appId(): string {
    return this.#android ? this.o.appPackage : this.o.bundleId;
  }

  #deviceUrl(profileServiceUrl: string): string {
    if (this.o.profileServiceHost === null) return profileServiceUrl;
    const u = new URL(profileServiceUrl);
    u.hostname = this.o.profileServiceHost;
    return u.toString();
  }

  /** Collects new log lines: Open Mobile's are kept for logs(), the probe's result lines for provision(). */
  async #collectLogs(b: AppiumBrowser): Promise<void> {
    this.#logsFresh = false;
    this.#fileLogLines(await cmd.readLog(b, this.#android ? 'logcat' : 'syslog'));
  }

  #fileLogLines(lines: string[]): void {
    if (this.#android) {
      for (const line of lines) {
        const parsed = cmd.parseLogcatLine(line);
        if (parsed === null) continue;
        if (parsed.tag === this.o.clientLogTag) this.#clientLines.push(parsed.message);
        else if (parsed.tag === this.o.probe.logTag) {
          const m = /EXTRA_RESULT=(-?\d+)\s*$/.exec(parsed.message);
          if (m !== null) this.#probeResults.push(Number(m[1]));
        }
      }
    } else {
      for (const line of lines) {
        const parsed = cmd.parseSyslogLine(line);
        if (parsed === null) continue;
        if (parsed.process === this.o.clientLogTag) this.#clientLines.push(parsed.message);
        else if (parsed.process === this.o.probe.logTag) {
          // The probe's NSLog of each callback: "HarnessProbe received <url>".
          const m = /(?:^|\s)received (.*)$/s.exec(parsed.message);
          if (m === null) continue;
          if (this.#probeUnlogged > 0) this.#probeUnlogged--;
          else this.#probeLogged.push(m[1] as string);
        }
      }
    }
    this.#logsFresh = true;
  }

  /**
   * Whether the probe received a callback since the request was sent, and the last one. The probe logs each
   * callback as it shows it; with roundTrips 'fewest', the callbacks the watch's log reads already found
   * answer it (no switch to the probe, no page source: about 1.1 s on a USB iPhone). Where none was logged
   * yet (a callback sent when the dialog is dismissed, say), or a line may have been cut short, its screen
   * answers, as with 'all': each callback URL it received, counted. The callbacks read from the screen
   * whose lines come later are dropped when they are filed, so a late line is never taken for the next
   * request's callback.
   */
  async #callbacks(b: AppiumBrowser): Promise<{ called: boolean; last: string | null }> {
    const logged = this.#probeLogged.splice(0);
    if (this.#fewest && logged.length > 0 && logged.every((url) => url.length < PROBE_LINE_LIMIT)) {
      this.#probeCount += logged.length;
      return { called: true, last: logged[logged.length - 1] as string };
    }
    const probe = await this.#probeScreen(b);
    const fresh = probe.count - this.#probeCount;
    this.#probeUnlogged += Math.max(0, fresh - logged.length);
    this.#probeCount = probe.count;
    return { called: fresh > 0, last: probe.last };
  }

  async #probeScreen(b: AppiumBrowser): Promise<{ count: number; last: string | null }> {
    await cmd.activateApp(b, 'ios', this.o.probe.appId);
    const elements = parseSource(await b.getPageSource());
    const value = (name: string) => findFirst(elements, { attribute: 'name', value: name })?.attributes['value'] ?? '';
    const count = Number(value('callbackCount'));
    if (!Number.isInteger(count))
      throw new Error(`the iOS probe shows no callback count (is ${this.o.probe.appId} installed?)`);
    const last = value('lastCallbackUrl');
    return { count, last: last === '' ? null : last };
  }

  /** The device's model, OS version and the app's version and build, as the device reports them. */
  async deviceIdentity(signal: AbortSignal): Promise<Record<string, string>> {
    return this.#run('identity', signal, async (b) => {
      const out: Record<string, string> = {};
      const text = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : null);
      const info = (await b.execute('mobile: deviceInfo')) as Record<string, unknown> | null;
      const caps = (b.capabilities ?? {}) as Record<string, unknown>;
      const put = (label: string, value: unknown) => {
        const t = text(value);
        if (t !== null && t !== '') out[label] = t;
      };
      if (this.#android) {
        put('manufacturer', info?.['manufacturer']);
        put('model', info?.['model']);
        put('os', 'Android');
        put('osVersion', info?.['platformVersion']);
        put('apiLevel', info?.['apiVersion']);
      } else {
        put('model', info?.['model']);
        put('deviceName', info?.['name']);
        put('os', 'iOS');
        put(
          'osVersion',
          info?.['osVersion'] ?? info?.['systemVersion'] ?? caps['platformVersion'] ?? caps['appium:platformVersion'],
        );
      }
      out['appId'] = this.#appId;
      try {
        if (this.#android) {
          const dump = String(await b.execute('mobile: shell', { command: 'dumpsys', args: ['package', this.#appId] }));
          const version = /versionName=(\S+)/.exec(dump)?.[1];
          const build = /versionCode=(\d+)/.exec(dump)?.[1];
          if (version === undefined)
            out['appVersion'] = `not found in dumpsys package ${this.#appId} (is it installed?)`;
          else out['appVersion'] = version;
          if (build !== undefined) out['appBuild'] = build;
        } else {
          const apps = (await b.execute('mobile: listApps', { applicationType: 'User' })) as Record<
            string,
            unknown
          > | null;
          const app = apps?.[this.#appId] as Record<string, unknown> | undefined;
          if (app === undefined) out['appVersion'] = `${this.#appId} is not among the device's apps (mobile: listApps)`;
          else {
            put('appVersion', app['CFBundleShortVersionString']);
            put('appBuild', app['CFBundleVersion']);
          }
        }
      } catch (error) {
        const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
        out['appVersion'] =
          `not readable: ${reason ?? ''}${this.#android ? ' (start Appium with --allow-insecure uiautomator2:adb_shell)' : ''}`;
      }
      return out;
    });
  }

  async reset(profileServiceUrl: string, signal: AbortSignal): Promise<void> {
    const url = this.#deviceUrl(profileServiceUrl);
    await this.#run('reset', signal, async (b) => {
      if (this.#android && (await this.#resetAndroidBatched(b, url))) return;
      if (this.#android) {
        await cmd.clearApp(b, 'android', this.o.appPackage);
        // Back online, unless the harness itself last brought the device online (and it said so).
        if (this.o.network && !(this.#fewest && this.#online === true)) await this.#setConnectivity(b, true);
        await cmd.androidStartActivity(b, `${this.o.probe.appId}/${this.o.probe.activity}`);
        await cmd.androidStartActivity(b, `${this.o.appPackage}/${this.o.launchActivity}`, { profileServiceUrl: url });
        this.#seenNotifications = new Set((await cmd.androidNotifications(b)).map((n) => n.key));
      } else {
        if (this.o.reset === 'reinstall') {
          await cmd.iosRemoveApp(b, this.o.bundleId);
          await cmd.iosInstallApp(b, this.o.appPath as string);
        } else {
          await cmd.clearApp(b, 'ios', this.o.bundleId);
        }
        this.#probeCount = (await this.#probeScreen(b)).count;
        await cmd.iosLaunchApp(b, this.o.bundleId, ['-profileServiceUrl', url]);
      }
      // Whatever was logged before the fresh install is not this app's.
      await this.#collectLogs(b);
      this.#clientLines = [];
      this.#probeResults = [];
      this.#probeLogged = [];
      this.#probeUnlogged = 0;
    });
  }

  /** The Android reset as one driver script: the same commands, in the same order, each answer read the same way. */
  async #resetAndroidBatched(b: AppiumBrowser, url: string): Promise<boolean> {
    if (this.#batching === 'no') return false;
    const online = this.o.network && !(this.#fewest && this.#online === true);
    const steps: BatchStep[] = [
      { call: batched((x) => cmd.clearApp(x, 'android', this.o.appPackage)), stopOnError: true },
      ...(online ? [{ call: batched((x) => cmd.androidSetConnectivity(x, true)), stopOnError: true }] : []),
      {
        call: batched((x) => cmd.androidStartActivity(x, `${this.o.probe.appId}/${this.o.probe.activity}`)),
        stopOnError: true,
      },
      {
        call: batched((x) =>
          cmd.androidStartActivity(x, `${this.o.appPackage}/${this.o.launchActivity}`, { profileServiceUrl: url }),
        ),
        stopOnError: true,
      },
      { call: batched((x) => cmd.androidNotifications(x)), stopOnError: true },
      { call: batched((x) => cmd.readLog(x, 'logcat')), stopOnError: true },
    ];
    if (online) this.#online = null;
    const answers = await this.#batch(b, steps);
    if (answers === null) return false;
    let i = 0;
    valueOf(answers[i++]);
    if (online) {
      valueOf(answers[i++]);
      this.#online = true;
    }
    valueOf(answers[i++]);
    valueOf(answers[i++]);
    this.#seenNotifications = new Set(cmd.notificationsIn(valueOf(answers[i++])).map((n) => n.key));
    this.#fileLogLines(cmd.logLines(valueOf(answers[i++])));
    this.#logsFresh = true;
    this.#clientLines = [];
    this.#probeResults = [];
    return true;
  }

  async provision(request: ProvisionRequest, signal: AbortSignal): Promise<ProvisionObservation> {
    // Read before #run marks the logs stale: nothing was sent since the last collection.
    // A retry on a re-created session collects again: its first try sent commands since.
    let logsFresh = this.#logsFresh;
    return this.#run('provision', signal, (b) => {
      const fresh = logsFresh;
      logsFresh = false;
      return this.#android ? this.#provisionAndroid(b, request, fresh) : this.#provisionIos(b, request);
    });
  }

  async #provisionAndroid(
    b: AppiumBrowser,
    request: ProvisionRequest,
    logsFresh: boolean,
  ): Promise<ProvisionObservation> {
    const batch = await this.#provisionAndroidBatched(b, request, logsFresh);
    if (batch !== null) return batch;
    // From the home screen, so "came to the foreground" means this request brought it there.
    await cmd.androidPressHome(b);
    // Lines logged before the request are not its outcome. Where the logs were collected just before, the
    // only ones left are what pressing home logged: the collection after the request files those the same
    // way (the client's in the client's lines, in order), so a second collection here would find nothing new
    // of the probe's (it logs only on a result broadcast, which needs a request).
    if (!(this.#fewest && logsFresh)) await this.#collectLogs(b);
    this.#probeResults = [];
    try {
      if (request.method === 'intent') {
        await cmd.androidStartViewService(b, request.url, this.o.appPackage, this.o.provisioningService);
      } else {
        await cmd.androidDeepLink(b, request.url, this.o.appPackage);
      }
    } catch (error) {
      // No activity of the app matches the link: Android refuses the intent and nothing runs.
      if (
        !isSessionLost(error) &&
        /unable to resolve Intent|No Activity found|Activity not started/i.test(String(error))
      ) {
        return NOT_HANDLED;
      }
      throw error;
    }
    return this.#observedAndroid(await this.#watch(b, request.method, null));
  }

  #deliverAndroid(request: ProvisionRequest): (b: AppiumBrowser) => Promise<unknown> {
    return request.method === 'intent'
      ? (b) => cmd.androidStartViewService(b, request.url, this.o.appPackage, this.o.provisioningService)
      : (b) => cmd.androidDeepLink(b, request.url, this.o.appPackage);
  }

  /**
   * The Android request as one driver script: home, the log collection where it is due, the link, then the
   * watch's first poll (app state where it is not read from the page source, page source, the dialog
   * accepted where the page source shows one, notifications, logs). Later polls, where settleMs asks for
   * them, are single commands.
   */
  async #provisionAndroidBatched(
    b: AppiumBrowser,
    request: ProvisionRequest,
    logsFresh: boolean,
  ): Promise<ProvisionObservation | null> {
    if (this.#batching === 'no') return null;
    const collect = !(this.#fewest && logsFresh);
    const fromSource = this.#fewest;
    const steps: BatchStep[] = [{ call: batched((x) => cmd.androidPressHome(x)), stopOnError: true }];
    if (collect) steps.push({ call: batched((x) => cmd.readLog(x, 'logcat')), stopOnError: true });
    const link = steps.push({ call: batched(this.#deliverAndroid(request)), stopOnError: true }) - 1;
    const appState = fromSource
      ? -1
      : steps.push({
          call: batched((x) => cmd.queryAppState(x, 'android', this.o.appPackage)),
          stopOnError: true,
        }) - 1;
    const source = steps.push({ call: batched((x) => x.getPageSource()), stopOnError: true }) - 1;
    const accept =
      steps.push({
        call: batched((x) => x.acceptAlert()),
        stopOnError: true,
        ifShown: { source, selectors: [this.o.dialogs.failure, this.o.dialogs.success] },
      }) - 1;
    const notifications = steps.push({ call: batched((x) => cmd.androidNotifications(x)), stopOnError: true }) - 1;
    const logs = steps.push({ call: batched((x) => cmd.readLog(x, 'logcat')), stopOnError: true }) - 1;
    const answers = await this.#batch(b, steps);
    if (answers === null) return null;
    valueOf(answers[0]);
    if (collect) this.#fileLogLines(cmd.logLines(valueOf(answers[1])));
    this.#probeResults = [];
    const linked = answers[link];
    if (linked !== null && linked !== undefined && 'error' in linked) {
      const error = new Error(linked.error);
      if (
        !isSessionLost(error) &&
        /unable to resolve Intent|No Activity found|Activity not started/i.test(linked.error)
      )
        return NOT_HANDLED;
      throw error;
    }
    valueOf(linked);
    const appStateValue = appState < 0 ? null : Number(valueOf(answers[appState]));
    const shown = String(valueOf(answers[source]));
    // Not sent: the page source showed no dialog; sent and failed: thrown, as the single command would.
    const accepted = answers[accept] !== null;
    if (accepted) valueOf(answers[accept]);
    const first: FirstPoll = {
      appState: appStateValue,
      source: shown,
      accepted,
      notifications: cmd.notificationsIn(valueOf(answers[notifications])),
      logs: cmd.logLines(valueOf(answers[logs])),
    };
    return this.#observedAndroid(await this.#watch(b, request.method, first));
  }

  /** The first new notification of the app in `list` (then seen), as its text. */
  #newNotification(list: cmd.StatusBarNotification[]): string | null {
    const notification = list.find((n) => n.packageName === this.o.appPackage && !this.#seenNotifications.has(n.key));
    if (notification !== undefined) this.#seenNotifications.add(notification.key);
    return notification === undefined ? null : (notification.text ?? notification.title ?? '');
  }

  #observedAndroid(seen: WatchResult | null): ProvisionObservation {
    if (seen === null) return NOT_HANDLED;
    return {
      handled: true,
      result: seen.result,
      callbackUrl: null,
      dialog: seen.dialog,
      foreground: seen.foreground,
      notification: seen.notification,
    };
  }

  async #provisionIos(b: AppiumBrowser, request: ProvisionRequest): Promise<ProvisionObservation> {
    // Lines filed so far are earlier requests' callbacks.
    this.#probeLogged = [];
    await cmd.iosPressHome(b);
    try {
      await cmd.iosDeepLink(b, request.url, this.o.bundleId);
    } catch (error) {
      if (!isSessionLost(error) && /no app|not registered|failed to open|unable to open/i.test(String(error)))
        return NOT_HANDLED;
      throw error;
    }
    const seen = await this.#watch(b, 'url', null);
    const { called, last } = await this.#callbacks(b);
    if (seen === null && !called) return NOT_HANDLED;
    const callbackUrl = called ? last : null;
    const code = callbackUrl === null ? null : /[?&]result=(-?\d+)(?:&|#|$)/.exec(callbackUrl)?.[1];
    return {
      handled: true,
      result: code === undefined || code === null ? null : Number(code),
      callbackUrl,
      dialog: seen?.dialog ?? null,
      foreground: seen?.foreground ?? false,
      notification: null,
    };
  }

  /**
   * Polls what the phone shows until the outcome is visible: the dialog (accepted once read), a
   * notification, and for the intent method the probe's result line. Null when nothing at all appeared
   * within settleMs: the request was not handled. Each poll starts pollMs after the previous one started
   * (a slow device's commands eat into the wait, not add to it), and the last one falls at settleMs.
   */
  async #watch(b: AppiumBrowser, method: Method, first: FirstPoll | null): Promise<WatchResult | null> {
    const start = Date.now();
    let foreground = false;
    let dialog: 'success' | 'failure' | null = null;
    let notification: string | null = null;
    for (let poll = 0; ; poll++) {
      // The first poll's answers may have come with the request (a batch).
      const pre = poll === 0 ? first : null;
      const polled = Date.now();
      // Android with roundTrips 'fewest': the page source read for the dialog names the foreground app's
      // package on its nodes, so it answers queryAppState's question too (one command fewer a poll).
      const fromSource = this.#android && this.#fewest && dialog === null;
      // Once seen in the foreground it counts as brought there: no need to ask again.
      if (
        !foreground &&
        !fromSource &&
        (pre?.appState ?? (await cmd.queryAppState(b, this.o.platform, this.#appId))) === cmd.APP_STATE_FOREGROUND
      )
        foreground = true;
      if (dialog === null) {
        const shown = parseSource(pre?.source ?? (await b.getPageSource()));
        if (fromSource && !foreground) foreground = foregroundPackage(shown) === this.#appId;
        dialog = this.#dialogIn(shown);
        // Read, then dismissed: the next request must not find it still on screen.
        if (dialog !== null && pre?.accepted !== true) await b.acceptAlert();
      }
      if (this.#android && notification === null)
        notification = this.#newNotification(pre?.notifications ?? (await cmd.androidNotifications(b)));
      if (pre !== null) {
        this.#fileLogLines(pre.logs);
        this.#logsFresh = true;
      } else await this.#collectLogs(b);
      const result = this.#probeResults.shift() ?? null;
      const outcome = dialog !== null || notification !== null;
      const complete = outcome && (method !== 'intent' || result !== null);
      const elapsed = Date.now() - start;
      if (complete || elapsed >= this.o.settleMs) {
        if (!outcome && result === null) return null;
        return { dialog, foreground, notification, result };
      }
      if (result !== null) this.#probeResults.unshift(result);
      const now = Date.now();
      const wait = Math.min(polled + this.o.pollMs - now, start + this.o.settleMs - now);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  }

  #dialogIn(elements: SourceElement[]): 'success' | 'failure' | null {
    if (findFirst(elements, this.o.dialogs.failure) !== null) return 'failure';
    if (findFirst(elements, this.o.dialogs.success) !== null) return 'success';
    return null;
  }

  async state(signal: AbortSignal): Promise<ClientState> {
    return this.#run('state', signal, async (b) => {
      if (this.#android) {
        await cmd.androidStartActivity(b, `${this.o.appPackage}/${this.o.settingsActivity}`);
        return readSettings(parseSource(await b.getPageSource()), this.o);
      }
      // iOS brings the app back where it was left: on its settings screen already, or elsewhere.
      await cmd.activateApp(b, 'ios', this.o.bundleId);
      const s = this.o.settings;
      if (this.#fewest && s.idAttribute === 'name' && b.findElements !== undefined) {
        // XCUITest's accessibility id is an element's name: whether the settings screen shows its profile
        // field is one command, not a page source (about 0.8 s less on a USB iPhone after a request).
        if (!(await cmd.showsAccessibilityId(b, s.fields.profileId)))
          await cmd.tapAccessibilityId(b, this.o.settingsButton);
        return readSettings(parseSource(await b.getPageSource()), this.o);
      }
      const shown = parseSource(await b.getPageSource());
      if (findFirst(shown, { attribute: s.idAttribute, value: s.fields.profileId }) !== null)
        return readSettings(shown, this.o);
      await cmd.tapAccessibilityId(b, this.o.settingsButton);
      return readSettings(parseSource(await b.getPageSource()), this.o);
    });
  }

  async logs(signal: AbortSignal): Promise<string[]> {
    return this.#run('logs', signal, async (b) => {
      await this.#collectLogs(b);
      return [...this.#clientLines];
    });
  }

  async network(online: boolean, signal: AbortSignal): Promise<void> {
    if (!this.o.network) throw new Error(`appium driver ${this.o.name}: network control is off for this target`);
    await this.#run('network', signal, (b) => this.#setConnectivity(b, online));
  }

  async #setConnectivity(b: AppiumBrowser, online: boolean): Promise<void> {
    // Unknown until the device confirms: a failed switch may have switched part of it.
    this.#online = null;
    await cmd.androidSetConnectivity(b, online);
    this.#online = online;
  }

  /**
   * What the device shows, for a case that failed or broke: the page source and a screenshot where the
   * device gives one (the virtual device has no screen). Not retried: a lost session has nothing to show.
   */
  async artifacts(signal: AbortSignal): Promise<Attachment[]> {
    const b = this.#browser;
    if (b === null || this.#closed) return [];
    signal.throwIfAborted();
    this.#logsFresh = false;
    const out: Attachment[] = [];
    const source = await b.getPageSource().catch(() => null);
    if (source !== null)
      out.push({ name: 'page source (after the case)', contentType: 'application/xml', body: source });
    const png = await b.takeScreenshot().catch(() => null);
    if (png !== null && png !== '') {
      out.push({ name: 'screenshot (after the case)', contentType: 'image/png', body: png, encoding: 'base64' });
    }
    return out;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const b = this.#browser;
    this.#browser = null;
    this.onClose(this);
    if (b !== null) {
      try {
        await b.deleteSession();
      } catch {
        // The session may already be gone (server stopped, device unplugged): nothing left to release.
      }
    }
  }
}

/** What the watch saw of a request's outcome. */
interface WatchResult {
  dialog: 'success' | 'failure' | null;
  foreground: boolean;
  notification: string | null;
  result: number | null;
}

/** The watch's first poll, answered in the request's batch. */
interface FirstPoll {
  /** `mobile: queryAppState`, null where the page source answers it. */
  appState: number | null;
  source: string;
  /** The batch accepted the dialog its page source showed. */
  accepted: boolean;
  notifications: cmd.StatusBarNotification[];
  logs: string[];
}

/**
 * The package of the app in the foreground, as UiAutomator2's page source shows it: the `package` of its
 * first node (the active window's root). Null where no node names one.
 */
export function foregroundPackage(elements: SourceElement[]): string | null {
  return elements.find((e) => e.attributes['package'] !== undefined)?.attributes['package'] ?? null;
}

/** The saved configuration as the settings screen shows it. */
export function readSettings(elements: SourceElement[], o: AppiumDriverOptions): ClientState {
  const s = o.settings;
  const field = (id: string): string | null => {
    const el = findFirst(elements, { attribute: s.idAttribute, value: id });
    if (el === null) throw new Error(`the settings screen has no element ${s.idAttribute}=${JSON.stringify(id)}`);
    const v = el.attributes[s.valueAttribute] ?? '';
    return v === '' ? null : v;
  };
  const id = field(s.fields.profileId);
  const mode = field(s.fields.profileMode);
  const autologin = field(s.fields.autologin);
  const profile =
    id === null ? null : { id: Number(id), mode: mode === 'test' ? ('test' as const) : ('production' as const) };
  if (profile !== null && !Number.isInteger(profile.id))
    throw new Error(`the settings screen shows profile id ${JSON.stringify(id)}`);
  return {
    activated: profile !== null,
    profile,
    settings: {
      username: field(s.fields.username),
      password: field(s.fields.password),
      domain: field(s.fields.domain),
      prefix: field(s.fields.prefix),
      autologin: autologin === s.autologinOn ? true : autologin === s.autologinOff ? false : null,
    },
  };
}
