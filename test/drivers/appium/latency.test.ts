import { describe, expect, it } from 'vitest';
import { sessionCapabilities, validateAppiumDriverOptions } from '../../../drivers/appium/driver.ts';
import {
  delayMs,
  LATENCY_PROFILES,
  latencyKind,
  scriptDelayMs,
  seededRandom,
  type Latency,
} from '../../../drivers/appium/latency.ts';
import { HarnessError } from '../../../src/core/errors.ts';

const VIRTUAL = {
  platform: 'android',
  devices: [{ udid: 'a' }],
  capabilities: { 'appium:automationName': 'HarnessVirtual' },
};

function problems(options: Record<string, unknown>): string[] {
  try {
    validateAppiumDriverOptions(options);
  } catch (error) {
    expect(error).toBeInstanceOf(HarnessError);
    return (error as HarnessError).problems.map((p) => `${p.path} ${p.message}`);
  }
  return [];
}

describe('latency options of the virtual device', () => {
  it('takes a profile by name, or its figures, with a time scale', () => {
    const o = validateAppiumDriverOptions({ ...VIRTUAL, latency: 'usb-ios', latencyScale: 0.05 });
    expect(o.latency).toEqual({ ...LATENCY_PROFILES['usb-ios'], scale: 0.05 });
    const figures = { perCommand: 10, deepLink: 20, reset: 30, pageSource: 40, jitter: 0 };
    // roundTrip and script may be left out: 0.
    expect(validateAppiumDriverOptions({ ...VIRTUAL, latency: figures }).latency).toEqual({
      ...figures,
      roundTrip: 0,
      script: 0,
      scale: 1,
    });
    expect(problems({ ...VIRTUAL, latency: { ...figures, roundTrip: 11 } })).toEqual([
      'latency.roundTrip is part of perCommand: at most 10, got 11',
    ]);
    expect(validateAppiumDriverOptions(VIRTUAL).latency).toBeNull();
    // The figures reach the virtual driver as a capability, and only the virtual driver.
    const caps = sessionCapabilities(validateAppiumDriverOptions({ ...VIRTUAL, latency: 'farm' }), { udid: 'a' });
    expect(caps['appium:harnessLatency']).toEqual({ ...LATENCY_PROFILES.farm, scale: 1 });
  });

  it('rejects an unknown field with the nearest name, a bad figure, a bad profile and a bad scale', () => {
    const found = problems({
      ...VIRTUAL,
      latency: { perComand: 100, deepLink: -1, reset: 3000, pageSource: 2.5, jitter: 2 },
      latencyScale: 0,
    });
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^latency\.perComand unknown option "perComand": did you mean "perCommand"\?/),
        expect.stringMatching(/^latency\.perCommand must be a whole number of milliseconds >= 0, got nothing/),
        expect.stringMatching(/^latency\.deepLink must be a whole number/),
        expect.stringMatching(/^latency\.pageSource must be a whole number/),
        expect.stringMatching(/^latency\.jitter must be a fraction from 0 to 1/),
        expect.stringMatching(/^latencyScale must be a number > 0 and <= 1/),
      ]),
    );
    expect(problems({ ...VIRTUAL, latency: 'usb' })).toEqual([
      expect.stringMatching(/^latency must be one of "usb-android", "usb-ios", "emulator", "farm"/),
    ]);
    expect(problems({ ...VIRTUAL, latencyScale: 0.1 })).toEqual([
      'latencyScale has no effect without latency; set latency too',
    ]);
    // A real phone has its own timing: asking UiAutomator2 for a virtual one is a mistake, not a no-op.
    expect(problems({ platform: 'android', devices: [{ udid: 'a' }], latency: 'usb-android' })).toEqual([
      expect.stringMatching(/^latency is for the virtual device only/),
    ]);
  });
});

describe('latency of one command', () => {
  const l: Latency = {
    perCommand: 100,
    deepLink: 1000,
    reset: 3000,
    pageSource: 200,
    roundTrip: 30,
    script: 400,
    jitter: 0.25,
    scale: 0.1,
  };

  it('classifies commands as Appium hands them to the driver', () => {
    expect(latencyKind('getPageSource', ['sid'])).toBe('pageSource');
    expect(latencyKind('execute', ['mobile: clearApp', [{ appId: 'x' }], 'sid'])).toBe('reset');
    expect(latencyKind('execute', ['mobile: deepLink', [{ url: 'ipass://x' }], 'sid'])).toBe('deepLink');
    expect(latencyKind('execute', ['mobile: startService', [{ uri: 'ipass://x' }], 'sid'])).toBe('deepLink');
    expect(latencyKind('execute', ['mobile: startService', [{ action: 'x' }], 'sid'])).toBe('command');
    expect(latencyKind('execute', ['mobile: queryAppState', [{}], 'sid'])).toBe('command');
    expect(latencyKind('getLog', ['logcat', 'sid'])).toBe('command');
  });

  it('jitters within the profile, scaled, the same for the same seed', () => {
    const a = seededRandom('device-1');
    const b = seededRandom('device-1');
    const waits = Array.from({ length: 200 }, () => delayMs(l, 'reset', a));
    expect(waits).toEqual(Array.from({ length: 200 }, () => delayMs(l, 'reset', b)));
    for (const w of waits) {
      expect(w).toBeGreaterThanOrEqual(3100 * 0.75 * 0.1);
      expect(w).toBeLessThanOrEqual(3100 * 1.25 * 0.1);
    }
    expect(new Set(waits.map((w) => Math.round(w))).size).toBeGreaterThan(20);
    const mean = waits.reduce((x, y) => x + y, 0) / waits.length;
    expect(Math.abs(mean - 310)).toBeLessThan(20);
    expect(delayMs({ ...l, jitter: 0 }, 'command', a)).toBe(10);
  });

  it('spares a command a driver script sends the round trip, and charges the script its start', () => {
    const r = seededRandom('device-2');
    expect(delayMs({ ...l, jitter: 0 }, 'command', r, true)).toBeCloseTo(7);
    expect(delayMs({ ...l, jitter: 0 }, 'deepLink', r, true)).toBeCloseTo(107);
    expect(scriptDelayMs({ ...l, jitter: 0 }, r)).toBeCloseTo(43);
  });
});
