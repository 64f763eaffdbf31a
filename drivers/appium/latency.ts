/**
 * Realistic timing for the virtual device: what a real phone, emulator or device farm makes the
 * harness wait for. The figures travel to the virtual Appium driver in the capability
 * `appium:harnessLatency`, and the driver sleeps there, on the server side, before answering each command:
 * the harness cannot see or skip the wait. Where each figure comes from: docs/devices.md "Latency profiles".
 */
import { isRecord } from '../../src/core/json.ts';
import { describeValue, unknownOptions, type OptionProblem } from '../options.ts';
import { mulberry32 } from '../../src/core/random.ts';

/** Milliseconds a command costs on top of the server's own work; `jitter` is a fraction (0.25: +-25 %). */
export interface LatencyFigures {
  /** Every Appium command: one HTTP round trip to the server and from it to the device. */
  perCommand: number;
  /** On top of perCommand: delivering a link (`mobile: deepLink`, `mobile: startService` with a uri). */
  deepLink: number;
  /** On top of perCommand: clearing the app (`mobile: clearApp`), including the cold launch that follows. */
  reset: number;
  /** On top of perCommand: `getPageSource` (the device snapshots its accessibility tree). */
  pageSource: number;
  /**
   * Of perCommand, the hop between the harness and the Appium server (an HTTP request and its answer): a
   * command that a driver script sends from the server itself does not pay it. Optional, default 0.
   */
  roundTrip: number;
  /**
   * A driver script (`POST /session/:id/appium/execute_driver`): what the server spends starting one (the
   * execute-driver plugin forks a Node process and loads WebdriverIO in it), on top of its roundTrip.
   * Optional, default 0.
   */
  script: number;
  jitter: number;
}

export const LATENCY_PROFILES = {
  'usb-android': {
    perCommand: 100,
    deepLink: 1000,
    reset: 3000,
    pageSource: 200,
    roundTrip: 5,
    script: 400,
    jitter: 0.25,
  },
  'usb-ios': { perCommand: 150, deepLink: 1200, reset: 4000, pageSource: 800, roundTrip: 5, script: 400, jitter: 0.25 },
  emulator: { perCommand: 60, deepLink: 600, reset: 2000, pageSource: 150, roundTrip: 5, script: 400, jitter: 0.15 },
  farm: { perCommand: 300, deepLink: 1000, reset: 3000, pageSource: 250, roundTrip: 205, script: 400, jitter: 0.4 },
} as const satisfies Record<string, LatencyFigures>;

export type LatencyProfileName = keyof typeof LATENCY_PROFILES;
export const LATENCY_PROFILE_NAMES = Object.keys(LATENCY_PROFILES) as LatencyProfileName[];
const FIGURES = ['perCommand', 'deepLink', 'reset', 'pageSource', 'roundTrip', 'script', 'jitter'] as const;
/** Figures a custom latency object may leave out (0). */
const OPTIONAL_FIGURES = new Set<string>(['roundTrip', 'script']);

/** What the virtual driver receives: the figures and the time scale (0.05: every wait is 5 % as long). */
export interface Latency extends LatencyFigures {
  scale: number;
}

/** Reads `latency` and `latencyScale` of a target's options; null when no latency is asked for. */
export function readLatency(
  latency: unknown,
  scale: unknown,
  problem: (path: string, message: string) => void,
): Latency | null {
  let s = 1;
  if (scale !== undefined) {
    if (typeof scale !== 'number' || !Number.isFinite(scale) || scale <= 0 || scale > 1) {
      problem(
        'latencyScale',
        `must be a number > 0 and <= 1 (0.05: every wait 5 % as long), got ${describeValue(scale)}`,
      );
    } else s = scale;
    if (latency === undefined) problem('latencyScale', 'has no effect without latency; set latency too');
  }
  if (latency === undefined) return null;
  if (typeof latency === 'string') {
    if (!(LATENCY_PROFILE_NAMES as string[]).includes(latency)) {
      problem(
        'latency',
        `must be one of ${LATENCY_PROFILE_NAMES.map((n) => JSON.stringify(n)).join(', ')} or { ${FIGURES.join(', ')} }, got ${JSON.stringify(latency)}`,
      );
      return null;
    }
    return { ...LATENCY_PROFILES[latency as LatencyProfileName], scale: s };
  }
  if (!isRecord(latency)) {
    problem(
      'latency',
      `must be a profile name (${LATENCY_PROFILE_NAMES.join(', ')}) or { ${FIGURES.join(', ')} }, got ${describeValue(latency)}`,
    );
    return null;
  }
  const problems: OptionProblem[] = unknownOptions(latency, FIGURES, 'latency.');
  for (const p of problems) problem(p.path, p.message);
  const figures: Partial<LatencyFigures> = {};
  let bad = problems.length;
  for (const key of FIGURES) {
    const v = latency[key] ?? (OPTIONAL_FIGURES.has(key) ? 0 : undefined);
    const isJitter = key === 'jitter';
    const ok = typeof v === 'number' && Number.isFinite(v) && v >= 0 && (isJitter ? v <= 1 : Number.isInteger(v));
    if (!ok) {
      bad++;
      problem(
        `latency.${key}`,
        isJitter
          ? `must be a fraction from 0 to 1 (0.25: each wait +-25 %), got ${v === undefined ? 'nothing' : describeValue(v)}`
          : `must be a whole number of milliseconds >= 0, got ${v === undefined ? 'nothing' : describeValue(v)}`,
      );
    } else figures[key] = v;
  }
  if (bad === 0 && (figures.roundTrip as number) > (figures.perCommand as number))
    problem('latency.roundTrip', `is part of perCommand: at most ${figures.perCommand}, got ${figures.roundTrip}`);
  else if (bad === 0) return { ...(figures as LatencyFigures), scale: s };
  return null;
}

/** The kind of wait a command gets, beyond perCommand. */
export type LatencyKind = 'command' | 'deepLink' | 'reset' | 'pageSource';

/** Which kind an Appium command is (`cmd` as Appium names it; for `execute`, the script and its argument). */
export function latencyKind(cmd: string, args: readonly unknown[]): LatencyKind {
  if (cmd === 'getPageSource') return 'pageSource';
  if (cmd !== 'execute') return 'command';
  const script = args[0];
  const params = Array.isArray(args[1]) && isRecord(args[1][0]) ? args[1][0] : {};
  if (script === 'mobile: clearApp') return 'reset';
  if (script === 'mobile: deepLink') return 'deepLink';
  if (script === 'mobile: startService' && typeof params['uri'] === 'string') return 'deepLink';
  return 'command';
}

/** mulberry32 of a hash of the seed (a udid): the same seed gives the same jitter on every machine. */
export function seededRandom(seed: string): () => number {
  let a = 0x9e3779b9;
  for (let i = 0; i < seed.length; i++) a = Math.imul(a ^ seed.charCodeAt(i), 0x85ebca6b) >>> 0;
  return mulberry32(a);
}

/** The nominal wait of one command of a kind (no jitter, no scale). */
export function nominalMs(l: LatencyFigures, kind: LatencyKind): number {
  return l.perCommand + (kind === 'command' ? 0 : l[kind]);
}

/**
 * The wait of one command: nominal, jittered by `random`, scaled. A command a driver script sends from the
 * server (`batched`) does not pay the round trip between the harness and the server.
 */
export function delayMs(l: Latency, kind: LatencyKind, random: () => number, batched = false): number {
  const nominal = nominalMs(l, kind) - (batched ? l.roundTrip : 0);
  return Math.max(0, nominal * (1 + l.jitter * (2 * random() - 1)) * l.scale);
}

/** The wait of a driver script request itself (its commands wait their own): round trip and start, jittered, scaled. */
export function scriptDelayMs(l: Latency, random: () => number): number {
  return Math.max(0, (l.roundTrip + l.script) * (1 + l.jitter * (2 * random() - 1)) * l.scale);
}
