/**
 * One virtual phone: Open Mobile (an emulated client from drivers/emulated/client), the probe app, a home
 * screen, notifications, a log buffer and connectivity. Phones outlive Appium sessions (a re-created
 * session finds the same apps and data), so devices are kept per udid for the life of the server.
 *
 * The emulated client decides what the app does; this file only makes it visible the way a phone does:
 * a dialog in the page source, a status-bar notification, the probe's logcat line for a broadcast or its
 * screen for an iOS callback, the app state. The harness reads all of it back through Appium.
 */
import type { Platform, ProvisionObservation } from '../../../protocols/openmobile/types.ts';
import { AndroidClient, RESULT_ACTION } from '../../emulated/client/android.ts';
import { IosClient } from '../../emulated/client/ios.ts';
import type { OpenMobileClient } from '../../emulated/client/open-mobile-client.ts';
import type { DefectId } from '../../emulated/defects.ts';
import { encodeEntities } from '../page-source.ts';

export interface DeviceConfig {
  platform: Platform;
  udid: string;
  /** Open Mobile's package (Android) or bundle id (iOS). */
  appId: string;
  launchActivity: string;
  settingsActivity: string;
  probeId: string;
  probeActivity: string;
  probeLogTag: string;
  /** URL schemes the iOS probe registers (its Info.plist). */
  probeSchemes: string[];
  /**
   * iOS: each of the probe's callback log lines reaches the log only at the log read after this many more
   * (a device log that lags: `appium:harnessProbeLogLate`); 0: at once.
   */
  probeLogLate?: number;
  clientLogTag: string;
  defects: ReadonlySet<DefectId>;
  choices: Record<string, string>;
  obfuscationKey: string | null;
}

export interface Notification {
  key: string;
  packageName: string;
  postTime: number;
  title: string;
  text: string;
}

type Screen = 'main' | 'settings';

/**
 * What the virtual phone is, as its OS reports it (UiAutomator2's and WebDriverAgent's device info), and the
 * version and build of the Open Mobile app installed on it (Android's versionName/versionCode, iOS's
 * CFBundleShortVersionString/CFBundleVersion). Fixed: a phone's identity is not configured, it is read.
 */
export const VIRTUAL_HARDWARE = {
  android: {
    manufacturer: 'Harness',
    model: 'Virtual Phone A1',
    brand: 'harness',
    platformVersion: '14',
    apiVersion: '34',
  },
  ios: { name: 'Virtual iPhone', model: 'iPhone', platformVersion: '17.5' },
} as const;
export const VIRTUAL_APP = { version: '3.2.0', build: '320' } as const;

/** Where an unconfigured test build fetches from: the discard port, so a fetch fails like no server. */
const UNCONFIGURED_SERVICE = 'http://127.0.0.1:9/';
const LAUNCHER = 'com.android.launcher3';

export class VirtualDevice {
  client: OpenMobileClient | null = null;
  foreground: string | null = null;
  screen: Screen = 'main';
  dialog: { kind: 'success' | 'failure'; message: string } | null = null;
  readonly running = new Set<string>();
  notifications: Notification[] = [];
  wifi = true;
  data = true;
  airplaneMode = false;
  probe = { registered: false, count: 0, last: null as string | null };
  /** Log lines not yet collected by getLogs (Appium's log buffers reset on each read). */
  pending: string[] = [];
  /** Log lines that reach the log later (probeLogLate): each with the log reads it still misses. */
  private late: { line: string; reads: number }[] = [];
  private mirrored = 0;
  private notificationSeq = 0;
  private readonly pid = 4000 + Math.floor(Math.random() * 1000);

  constructor(readonly config: DeviceConfig) {}

  get online(): boolean {
    return (this.wifi || this.data) && !this.airplaneMode;
  }

  /** Launch of Open Mobile; a test build takes its profile-service URL from the launch (see docs/devices.md). */
  launchApp(profileServiceUrl: string | null): void {
    if (this.client === null) {
      const options = {
        profileServiceUrl: profileServiceUrl ?? UNCONFIGURED_SERVICE,
        obfuscationKey: this.config.obfuscationKey,
        defects: this.config.defects,
        choices: this.config.choices,
      };
      this.client = this.config.platform === 'ios' ? new IosClient(options) : new AndroidClient(options);
      this.mirrored = 0;
    }
    this.bringToFront(this.config.appId, 'main');
  }

  bringToFront(appId: string, screen: Screen = 'main'): void {
    this.running.add(appId);
    this.foreground = appId;
    if (appId === this.config.appId) this.screen = screen;
    // The Android probe registers its receiver when its activity starts (a manifest receiver would not get
    // the implicit broadcast on Android 8+).
    if (appId === this.config.probeId) this.probe.registered = true;
  }

  goHome(): void {
    this.foreground = null;
  }

  clearApp(appId: string): void {
    if (appId === this.config.appId) {
      this.client = null;
      this.dialog = null;
      this.screen = 'main';
      this.notifications = this.notifications.filter((n) => n.packageName !== appId);
    } else if (appId === this.config.probeId) {
      this.probe = { registered: false, count: 0, last: null };
    } else {
      throw new Error(`no app ${JSON.stringify(appId)} is installed on ${this.config.udid}`);
    }
    this.running.delete(appId);
    if (this.foreground === appId) this.foreground = null;
  }

  isInstalled(appId: string): boolean {
    return appId === this.config.appId || appId === this.config.probeId;
  }

  appState(appId: string): number {
    if (!this.isInstalled(appId)) return 0;
    if (this.foreground === appId) return 4;
    return this.running.has(appId) ? 3 : 1;
  }

  /** Hands a URL to Open Mobile the way the platform does, and shows what the app then does. */
  async deliver(url: string, method: 'url' | 'intent'): Promise<ProvisionObservation> {
    if (this.client === null) this.launchApp(null);
    const client = this.client as OpenMobileClient;
    client.online = this.online;
    let observation: ProvisionObservation;
    try {
      observation = await client.provision(url, method);
    } finally {
      this.mirrorClientLogs();
    }
    if (!observation.handled) return observation;
    this.running.add(this.config.appId);
    if (observation.foreground) this.bringToFront(this.config.appId, 'main');
    if (observation.dialog !== null) {
      this.dialog = { kind: observation.dialog, message: observation.notification ?? outcomeMessage(observation) };
    }
    if (observation.notification !== null) {
      this.notifications.push({
        key: `0|${this.config.appId}|${++this.notificationSeq}|null|10001`,
        packageName: this.config.appId,
        postTime: Date.now(),
        title: 'Open Mobile',
        text: observation.notification,
      });
    }
    if (this.config.platform === 'android' && method === 'intent' && observation.result !== null) {
      this.broadcastResult(observation.result);
    }
    if (observation.callbackUrl !== null) this.openCallback(observation.callbackUrl);
    return observation;
  }

  /** `client_x.android.prov.result` reaches the probe only while its receiver is registered. */
  private broadcastResult(code: number): void {
    if (!this.probe.registered) return;
    this.logcat(this.config.probeLogTag, `${RESULT_ACTION} EXTRA_RESULT=${code}`, 4100);
  }

  /** iOS opens the callback URL; only an app registering its scheme receives it. */
  private openCallback(url: string): void {
    const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(url)?.[1]?.toLowerCase();
    if (scheme === undefined || !this.config.probeSchemes.includes(scheme)) return;
    this.probe.count++;
    this.probe.last = url;
    this.running.add(this.config.probeId);
    // As the probe's NSLog writes it (drivers/appium/probes/ios).
    this.syslog(this.config.probeLogTag, `HarnessProbe received ${url}`);
    const late = this.config.probeLogLate ?? 0;
    if (late > 0) this.late.push({ line: this.pending.pop() as string, reads: late });
  }

  private mirrorClientLogs(): void {
    const logs = this.client?.logs ?? [];
    for (; this.mirrored < logs.length; this.mirrored++) {
      const line = logs[this.mirrored] as string;
      if (this.config.platform === 'android') this.logcat(this.config.clientLogTag, line, this.pid);
      else this.syslog(this.config.clientLogTag, line);
    }
  }

  private logcat(tag: string, message: string, pid: number): void {
    const d = new Date();
    const p = (n: number, w = 2) => String(n).padStart(w, '0');
    const stamp = `${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
    this.pending.push(`${stamp} ${String(pid).padStart(5)} ${String(pid).padStart(5)} I ${tag}: ${message}`);
  }

  private syslog(process: string, message: string): void {
    const d = new Date();
    const month = d.toLocaleString('en-US', { month: 'short' });
    const time = d.toTimeString().slice(0, 8);
    this.pending.push(
      `${month} ${String(d.getDate()).padStart(2)} ${time} iPhone ${process}[${this.pid}] <Notice>: ${message}`,
    );
  }

  takeLogs(): string[] {
    const lines = this.pending;
    this.pending = [];
    for (const entry of this.late) entry.reads--;
    lines.push(...this.late.filter((e) => e.reads < 0).map((e) => e.line));
    this.late = this.late.filter((e) => e.reads >= 0);
    return lines;
  }

  acceptAlert(): void {
    if (this.dialog === null || this.foreground !== this.config.appId) throw new Error('no alert is open');
    this.dialog = null;
  }

  pageSource(): string {
    return this.config.platform === 'ios' ? this.iosSource() : this.androidSource();
  }

  private settingsValues(): Record<string, string> {
    const c = this.client;
    const s = c?.settings;
    const autologin = s?.autologin;
    return {
      profileId: c?.profile ? String(c.profile.id) : '',
      profileMode: c?.profile ? c.profile.mode : '',
      username: s?.username ?? '',
      password: s?.password ?? '',
      domain: s?.domain ?? '',
      prefix: s?.prefix ?? '',
      autologin: autologin === true ? 'on' : autologin === false ? 'off' : '',
    };
  }

  private androidSource(): string {
    const a = (attrs: Record<string, string>) =>
      Object.entries(attrs)
        .map(([k, v]) => ` ${k}="${encodeEntities(v)}"`)
        .join('');
    const node = (cls: string, attrs: Record<string, string>, pkg: string) =>
      `<${cls}${a({ index: '0', package: pkg, class: cls, ...attrs, enabled: 'true', displayed: 'true' })} />`;
    const pkg = this.foreground ?? LAUNCHER;
    const body: string[] = [];
    if (this.foreground === null) {
      body.push(node('android.widget.TextView', { text: 'Home', 'resource-id': `${LAUNCHER}:id/home` }, LAUNCHER));
    } else if (this.foreground === this.config.appId) {
      const id = (name: string) => `${pkg}:id/${name}`;
      if (this.screen === 'settings') {
        const v = this.settingsValues();
        body.push(node('android.widget.TextView', { text: 'Settings', 'resource-id': id('title') }, pkg));
        body.push(
          node('android.widget.TextView', { text: v['profileId'] ?? '', 'resource-id': id('profile_id') }, pkg),
        );
        body.push(
          node('android.widget.TextView', { text: v['profileMode'] ?? '', 'resource-id': id('profile_mode') }, pkg),
        );
        for (const f of ['username', 'password', 'domain', 'prefix'] as const) {
          body.push(node('android.widget.EditText', { text: v[f] ?? '', 'resource-id': id(f) }, pkg));
        }
        const al = v['autologin'];
        body.push(
          node(
            'android.widget.Switch',
            {
              text: al === 'on' ? 'ON' : al === 'off' ? 'OFF' : '',
              checked: String(al === 'on'),
              'resource-id': id('autologin'),
            },
            pkg,
          ),
        );
      } else {
        body.push(node('android.widget.TextView', { text: 'Open Mobile', 'resource-id': id('title') }, pkg));
      }
      if (this.dialog !== null) {
        const title = this.dialog.kind === 'failure' ? 'Oops!' : 'Success';
        body.push(node('android.widget.TextView', { text: title, 'resource-id': 'android:id/alertTitle' }, pkg));
        body.push(
          node('android.widget.TextView', { text: this.dialog.message, 'resource-id': 'android:id/message' }, pkg),
        );
        body.push(node('android.widget.Button', { text: 'OK', 'resource-id': 'android:id/button1' }, pkg));
      }
    } else {
      body.push(node('android.widget.TextView', { text: 'Harness probe', 'resource-id': `${pkg}:id/title` }, pkg));
    }
    return (
      `<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n<hierarchy index="0" class="hierarchy" rotation="0" width="1080" height="2400">\n` +
      `<android.widget.FrameLayout index="0" package="${encodeEntities(pkg)}" class="android.widget.FrameLayout">\n` +
      body.join('\n') +
      '\n</android.widget.FrameLayout>\n</hierarchy>'
    );
  }

  private iosSource(): string {
    const el = (type: string, attrs: Record<string, string>) =>
      `<XCUIElementType${type}${Object.entries(attrs)
        .map(([k, v]) => ` ${k}="${encodeEntities(v)}"`)
        .join('')} type="XCUIElementType${type}" enabled="true" visible="true"/>`;
    const body: string[] = [];
    let appName = 'SpringBoard';
    if (this.foreground === this.config.appId) {
      appName = 'Open Mobile';
      if (this.screen === 'settings') {
        for (const [name, value] of Object.entries(this.settingsValues())) {
          body.push(
            el('StaticText', {
              name,
              label: name,
              value: name === 'autologin' ? (value === 'on' ? '1' : value === 'off' ? '0' : '') : value,
            }),
          );
        }
      } else {
        body.push(el('Button', { name: 'Settings', label: 'Settings' }));
      }
      if (this.dialog !== null) {
        const title = this.dialog.kind === 'failure' ? 'Oops!' : 'Success';
        body.push(
          `<XCUIElementTypeAlert type="XCUIElementTypeAlert" name="${title}" label="${title}" enabled="true" visible="true">` +
            el('StaticText', { name: this.dialog.message, label: this.dialog.message, value: this.dialog.message }) +
            el('Button', { name: 'OK', label: 'OK' }) +
            '</XCUIElementTypeAlert>',
        );
      }
    } else if (this.foreground === this.config.probeId) {
      appName = 'Harness Probe';
      body.push(el('StaticText', { name: 'callbackCount', value: String(this.probe.count) }));
      body.push(el('StaticText', { name: 'lastCallbackUrl', value: this.probe.last ?? '' }));
    }
    return (
      `<?xml version="1.0" encoding="UTF-8"?><AppiumAUT><XCUIElementTypeApplication type="XCUIElementTypeApplication" name="${appName}" label="${appName}" enabled="true" visible="true">` +
      body.join('') +
      '</XCUIElementTypeApplication></AppiumAUT>'
    );
  }
}

function outcomeMessage(o: ProvisionObservation): string {
  return o.dialog === 'success' ? 'Open Mobile has been configured.' : 'Open Mobile could not be configured.';
}

const devices = new Map<string, VirtualDevice>();

/** The phone with this udid, as it was left; created on first use. A different app config starts over. */
export function deviceFor(config: DeviceConfig): VirtualDevice {
  const existing = devices.get(config.udid);
  if (existing !== undefined && sameConfig(existing.config, config)) return existing;
  const device = new VirtualDevice(config);
  devices.set(config.udid, device);
  return device;
}

function sameConfig(a: DeviceConfig, b: DeviceConfig): boolean {
  return JSON.stringify({ ...a, defects: [...a.defects] }) === JSON.stringify({ ...b, defects: [...b.defects] });
}
