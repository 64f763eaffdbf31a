/**
 * Options of the `appium` driver, as written in a target of the config, with their defaults. Every problem
 * is reported at once, naming the field (HARNESS_CONFIG_INVALID).
 */
import type { Platform } from '../../protocols/openmobile/types.ts';
import type { Selector } from './page-source.ts';
import { readLatency, type Latency } from './latency.ts';
import { describeValue, driverOptionsError, isHttpUrl, unknownOptions, type OptionProblem } from '../options.ts';
import { isRecord } from '../../src/core/json.ts';

export interface DeviceOptions {
  /** The device's id as `adb devices` / `xcrun simctl list` / the farm names it. */
  udid: string;
  /** UiAutomator2's port on the host for this device (distinct per device when several run at once). */
  systemPort?: number;
  /** XCUITest's WebDriverAgent port on the host for this device (distinct per device). */
  wdaLocalPort?: number;
  /** Capabilities for this device only, on top of the target's. */
  capabilities?: Record<string, unknown>;
}

/** How the settings screen shows the saved configuration: an element per field, found by this attribute. */
export interface SettingsScreen {
  /** The attribute naming a field's element: `resource-id` (Android) or `name` (iOS). */
  idAttribute: string;
  /** The attribute holding a field's value: `text` (Android) or `value` (iOS). */
  valueAttribute: string;
  fields: {
    profileId: string;
    profileMode: string;
    username: string;
    password: string;
    domain: string;
    prefix: string;
    autologin: string;
  };
  /** What the auto-login field shows for on and off; anything else (an empty field) is "never configured". */
  autologinOn: string;
  autologinOff: string;
}

export interface AppiumDriverOptions {
  /** `local`: the harness starts Appium itself (project-local APPIUM_HOME); or the URL of a running server. */
  appium: string;
  platform: Platform;
  devices: DeviceOptions[];
  /** Capabilities for every session (merged under each device's own). */
  capabilities: Record<string, unknown>;
  /** Android: Open Mobile's package, the activity that takes the profile-service URL, its settings activity. */
  appPackage: string;
  launchActivity: string;
  settingsActivity: string;
  /** Android: the service handling the intent method (`package/.Service`); null sends it to the package. */
  provisioningService: string | null;
  /** iOS: Open Mobile's bundle id and the accessibility id of the control that opens its settings screen. */
  bundleId: string;
  settingsButton: string;
  /** The probe app (drivers/appium/probes): package or bundle id, its launch activity, its logcat tag. */
  probe: { appId: string; activity: string; logTag: string };
  /** The logcat tag (Android) or syslog process name (iOS) of Open Mobile's own log lines. */
  clientLogTag: string;
  dialogs: { success: Selector; failure: Selector };
  settings: SettingsScreen;
  /** Nothing visible this long after delivery: not handled. */
  settleMs: number;
  pollMs: number;
  /** Replaces the profile service's host in the URL handed to the app (a phone cannot reach 127.0.0.1). */
  profileServiceHost: string | null;
  /** iOS reset: `clearApp` (simulators) or `reinstall` from `appPath` (real iPhones). */
  reset: 'clearApp' | 'reinstall';
  appPath: string | null;
  /** Whether the device's connectivity can be switched (Android: `mobile: setConnectivity`). */
  network: boolean;
  /** Seeded defects for the virtual device (capability `appium:harnessDefects`); a real app ignores them. */
  defects: string[];
  choices: Record<string, string>;
  /** Virtual device only: the waits of a real device (drivers/appium/latency.ts), scaled; null answers at once. */
  latency: Latency | null;
  /**
   * `fewest` (default): skip the reads whose answer the session already has (docs/devices.md "Fewer round
   * trips"); `all`: send every read, as before.
   */
  roundTrips: 'fewest' | 'all';
  /**
   * `driver-script`: send a request's commands (Android) in one driver script where the server runs them
   * (drivers/appium/batch.ts), single commands where it refuses; `off` (default): single commands.
   */
  batch: 'off' | 'driver-script';
  name: string;
  version: string;
}

export const ANDROID_DEFAULTS = {
  appPackage: 'com.openmobile.client',
  launchActivity: '.MainActivity',
  settingsActivity: '.SettingsActivity',
  probe: { appId: 'org.provisioningharness.probe', activity: '.ProbeActivity', logTag: 'HarnessProbe' },
  clientLogTag: 'OpenMobile',
  dialogs: {
    failure: { attribute: 'text', value: 'Oops!', tag: 'android.widget.TextView' },
    success: { attribute: 'text', value: 'Success', tag: 'android.widget.TextView' },
  },
  settings: {
    idAttribute: 'resource-id',
    valueAttribute: 'text',
    fields: {
      profileId: 'com.openmobile.client:id/profile_id',
      profileMode: 'com.openmobile.client:id/profile_mode',
      username: 'com.openmobile.client:id/username',
      password: 'com.openmobile.client:id/password',
      domain: 'com.openmobile.client:id/domain',
      prefix: 'com.openmobile.client:id/prefix',
      autologin: 'com.openmobile.client:id/autologin',
    },
    autologinOn: 'ON',
    autologinOff: 'OFF',
  },
} as const;

export const IOS_DEFAULTS = {
  bundleId: 'com.openmobile.client',
  settingsButton: 'Settings',
  probe: { appId: 'org.provisioningharness.probe', activity: '', logTag: 'HarnessProbe' },
  clientLogTag: 'OpenMobile',
  dialogs: {
    failure: { attribute: 'name', value: 'Oops!', tag: 'XCUIElementTypeAlert' },
    success: { attribute: 'name', value: 'Success', tag: 'XCUIElementTypeAlert' },
  },
  settings: {
    idAttribute: 'name',
    valueAttribute: 'value',
    fields: {
      profileId: 'profileId',
      profileMode: 'profileMode',
      username: 'username',
      password: 'password',
      domain: 'domain',
      prefix: 'prefix',
      autologin: 'autologin',
    },
    autologinOn: '1',
    autologinOff: '0',
  },
} as const;

export const DEFAULT_SETTLE_MS = 3000;
export const DEFAULT_POLL_MS = 250;

function describe(value: unknown): string {
  return value === undefined ? 'nothing' : describeValue(value);
}

const KNOWN_OPTIONS = [
  'appium',
  'platform',
  'devices',
  'capabilities',
  'appPackage',
  'launchActivity',
  'settingsActivity',
  'provisioningService',
  'bundleId',
  'settingsButton',
  'probe',
  'clientLogTag',
  'dialogs',
  'settings',
  'settleMs',
  'pollMs',
  'profileServiceHost',
  'reset',
  'appPath',
  'network',
  'defects',
  'choices',
  'latency',
  'latencyScale',
  'roundTrips',
  'batch',
  'name',
  'version',
];
const DEVICE_OPTIONS = ['udid', 'systemPort', 'wdaLocalPort', 'capabilities'];
const SETTINGS_OPTIONS = ['idAttribute', 'valueAttribute', 'fields', 'autologinOn', 'autologinOff'];
const PROBE_OPTIONS = ['appId', 'activity', 'logTag'];

/** Every problem with the options at once (the config resolver runs it before any driver starts). */
export function checkAppiumDriverOptions(options: Record<string, unknown>): OptionProblem[] {
  return readAppiumOptions(options).problems;
}

export function validateAppiumDriverOptions(options: Record<string, unknown>): AppiumDriverOptions {
  const { problems, result } = readAppiumOptions(options);
  if (problems.length > 0) throw driverOptionsError('appium', problems);
  return result;
}

function readAppiumOptions(options: Record<string, unknown>): {
  problems: OptionProblem[];
  result: AppiumDriverOptions;
} {
  const problems: OptionProblem[] = unknownOptions(options, KNOWN_OPTIONS);
  const problem = (path: string, message: string) => problems.push({ path, message });
  if (isRecord(options['settings'])) {
    problems.push(...unknownOptions(options['settings'], SETTINGS_OPTIONS, 'settings.'));
    const fields = options['settings']['fields'];
    if (isRecord(fields))
      problems.push(...unknownOptions(fields, Object.keys(ANDROID_DEFAULTS.settings.fields), 'settings.fields.'));
  }
  if (isRecord(options['probe'])) problems.push(...unknownOptions(options['probe'], PROBE_OPTIONS, 'probe.'));

  const platform = options['platform'];
  if (platform !== 'android' && platform !== 'ios')
    problem('platform', `must be "android" or "ios", got ${describe(platform)}`);
  const p: Platform = platform === 'ios' ? 'ios' : 'android';
  const defaults = p === 'ios' ? IOS_DEFAULTS : ANDROID_DEFAULTS;

  const appium = options['appium'] ?? 'local';
  if (typeof appium !== 'string' || (appium !== 'local' && !isHttpUrl(appium))) {
    problem('appium', `must be "local" or the http(s) URL of an Appium server, got ${describe(appium)}`);
  }

  const devices: DeviceOptions[] = [];
  const rawDevices = options['devices'];
  if (!Array.isArray(rawDevices) || rawDevices.length === 0) {
    problem(
      'devices',
      `must be a non-empty array of { udid, systemPort?, wdaLocalPort? }, got ${describe(rawDevices)}`,
    );
  } else {
    const seen = new Set<string>();
    rawDevices.forEach((d: unknown, i) => {
      if (!isRecord(d) || typeof d['udid'] !== 'string' || d['udid'] === '') {
        problem(`devices[${i}].udid`, `must be a non-empty string, got ${describe(isRecord(d) ? d['udid'] : d)}`);
        return;
      }
      problems.push(...unknownOptions(d, DEVICE_OPTIONS, `devices[${i}].`));
      if (seen.has(d['udid'])) problem(`devices[${i}].udid`, `${JSON.stringify(d['udid'])} is listed twice`);
      seen.add(d['udid']);
      const device: DeviceOptions = { udid: d['udid'] };
      for (const port of ['systemPort', 'wdaLocalPort'] as const) {
        const v = d[port];
        if (v === undefined) continue;
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 65535) {
          problem(`devices[${i}].${port}`, `must be a TCP port number, got ${describe(v)}`);
        } else device[port] = v;
      }
      if (d['capabilities'] !== undefined) {
        if (!isRecord(d['capabilities']))
          problem(`devices[${i}].capabilities`, `must be an object, got ${describe(d['capabilities'])}`);
        else device.capabilities = d['capabilities'];
      }
      devices.push(device);
    });
    for (const port of ['systemPort', 'wdaLocalPort'] as const) {
      const used = devices.map((d) => d[port]).filter((v) => v !== undefined);
      if (new Set(used).size !== used.length)
        problem(`devices[..].${port}`, 'must differ between devices that run at once');
    }
  }

  const str = (key: string, fallback: string): string => {
    const v = options[key] ?? fallback;
    if (typeof v !== 'string' || v === '') {
      problem(key, `must be a non-empty string, got ${describe(v)}`);
      return fallback;
    }
    return v;
  };
  const num = (key: string, fallback: number, min: number): number => {
    const v = options[key] ?? fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
      problem(key, `must be a whole number of milliseconds >= ${min}, got ${describe(v)}`);
      return fallback;
    }
    return v;
  };
  const obj = <T>(key: string, fallback: T, check: (v: Record<string, unknown>) => string | null): T => {
    const v = options[key];
    if (v === undefined) return fallback;
    if (!isRecord(v)) {
      problem(key, `must be an object, got ${describe(v)}`);
      return fallback;
    }
    const why = check(v);
    if (why !== null) {
      problem(key, why);
      return fallback;
    }
    return { ...fallback, ...v } as T;
  };

  const capabilities = obj<Record<string, unknown>>('capabilities', {}, () => null);
  const selectorProblem = (v: unknown): string | null =>
    isRecord(v) && typeof v['attribute'] === 'string' && typeof v['value'] === 'string'
      ? null
      : 'must be { attribute, value, match?, tag? }';
  const dialogs = obj<{ success: Selector; failure: Selector }>('dialogs', { ...defaults.dialogs }, (v) => {
    for (const k of Object.keys(v)) {
      if (k !== 'success' && k !== 'failure') return `has an unknown key ${JSON.stringify(k)}; use success and failure`;
      const why = selectorProblem(v[k]);
      if (why !== null) return `.${k} ${why}`;
    }
    return null;
  });
  const settings = obj<SettingsScreen>(
    'settings',
    { ...defaults.settings, fields: { ...defaults.settings.fields } },
    (v) => (v['fields'] !== undefined && !isRecord(v['fields']) ? '.fields must be an object' : null),
  );
  if (isRecord(options['settings']) && isRecord(options['settings']['fields'])) {
    settings.fields = { ...defaults.settings.fields, ...(options['settings']['fields'] as object) };
  }
  const probe = obj<{ appId: string; activity: string; logTag: string }>('probe', { ...defaults.probe }, () => null);

  const provisioningService = options['provisioningService'] ?? null;
  if (provisioningService !== null && typeof provisioningService !== 'string') {
    problem(
      'provisioningService',
      `must be a component name like "pkg/.Service", got ${describe(provisioningService)}`,
    );
  }
  const profileServiceHost = options['profileServiceHost'] ?? null;
  if (profileServiceHost !== null && (typeof profileServiceHost !== 'string' || profileServiceHost === '')) {
    problem(
      'profileServiceHost',
      `must be a host name or address the device reaches, got ${describe(profileServiceHost)}`,
    );
  }
  const reset = options['reset'] ?? 'clearApp';
  if (reset !== 'clearApp' && reset !== 'reinstall')
    problem('reset', `must be "clearApp" or "reinstall", got ${describe(reset)}`);
  const appPath = options['appPath'] ?? null;
  if (appPath !== null && typeof appPath !== 'string')
    problem('appPath', `must be a path or URL to the app, got ${describe(appPath)}`);
  if (reset === 'reinstall' && appPath === null) problem('appPath', 'is required when reset is "reinstall"');
  const network = options['network'] ?? p === 'android';
  if (typeof network !== 'boolean') problem('network', `must be true or false, got ${describe(network)}`);
  if (network === true && p === 'ios') {
    problem('network', "XCUITest has no command that switches an iPhone's connectivity; leave it false on iOS");
  }
  const defects = options['defects'] ?? [];
  if (!Array.isArray(defects) || !defects.every((d) => typeof d === 'string')) {
    problem('defects', `must be an array of defect ids, got ${describe(defects)}`);
  }
  const choices = options['choices'] ?? {};
  if (!isRecord(choices) || !Object.values(choices).every((c) => typeof c === 'string')) {
    problem('choices', `must be an object of choice point id -> option, got ${describe(choices)}`);
  }

  const latency = readLatency(options['latency'], options['latencyScale'], problem);
  if (options['latency'] !== undefined) {
    const automation = { ...capabilities, ...Object.assign({}, ...devices.map((d) => d.capabilities ?? {})) }[
      'appium:automationName'
    ];
    if (automation !== 'HarnessVirtual')
      problem(
        'latency',
        `is for the virtual device only (capabilities 'appium:automationName': 'HarnessVirtual'); a real device has its own`,
      );
  }

  const roundTrips = options['roundTrips'] ?? 'fewest';
  if (roundTrips !== 'fewest' && roundTrips !== 'all')
    problem('roundTrips', `must be "fewest" or "all", got ${describe(roundTrips)}`);

  const batch = options['batch'] ?? 'off';
  if (batch !== 'off' && batch !== 'driver-script')
    problem('batch', `must be "off" or "driver-script", got ${describe(batch)}`);

  const result: AppiumDriverOptions = {
    appium: typeof appium === 'string' ? appium : 'local',
    platform: p,
    devices,
    capabilities,
    appPackage: str('appPackage', ANDROID_DEFAULTS.appPackage),
    launchActivity: str('launchActivity', ANDROID_DEFAULTS.launchActivity),
    settingsActivity: str('settingsActivity', ANDROID_DEFAULTS.settingsActivity),
    provisioningService: typeof provisioningService === 'string' ? provisioningService : null,
    bundleId: str('bundleId', IOS_DEFAULTS.bundleId),
    settingsButton: str('settingsButton', IOS_DEFAULTS.settingsButton),
    probe,
    clientLogTag: str('clientLogTag', defaults.clientLogTag),
    dialogs,
    settings,
    settleMs: num('settleMs', DEFAULT_SETTLE_MS, 0),
    pollMs: num('pollMs', DEFAULT_POLL_MS, 1),
    profileServiceHost: typeof profileServiceHost === 'string' ? profileServiceHost : null,
    reset: reset === 'reinstall' ? 'reinstall' : 'clearApp',
    appPath: typeof appPath === 'string' ? appPath : null,
    network: network === true,
    defects: Array.isArray(defects) ? (defects as string[]) : [],
    choices: isRecord(choices) ? (choices as Record<string, string>) : {},
    latency,
    roundTrips: roundTrips === 'all' ? 'all' : 'fewest',
    batch: batch === 'driver-script' ? 'driver-script' : 'off',
    name: str('name', `appium-${p}`),
    version: str('version', 'device'),
  };
  return { problems, result };
}
