/**
 * What a device lab waits for, part of `npm run bench -- devices`: for each latency profile,
 * the wall time of the full Open Mobile plan and of the smoke tier on 1 and on 4 virtual devices, time-scaled
 * (HARNESS_BENCH_LATENCY_SCALE, default 0.02) and estimated at full scale, with the Appium commands, resets
 * and deep links sent and the share of the device time each kind of wait takes.
 *
 * The estimate at full scale: the scaled wall time plus what the waits would add unscaled, spread over the
 * devices (`wall + waits * (1 - scale) / devices`), assuming the devices are evenly loaded. The waits are
 * the counted commands times the profile's nominal figures (the jitter averages out).
 *
 * HARNESS_BENCH_LATENCY_PLANS=smoke skips the full plan (minutes per profile even scaled);
 * HARNESS_BENCH_LATENCY_PROFILES=usb-android,farm runs only those.
 * HARNESS_BENCH_LATENCY_ROUND_TRIPS=all and HARNESS_BENCH_LATENCY_BATCH=driver-script set the target's
 * `roundTrips` and `batch` (docs/devices.md "Fewer round trips"); the defaults are the target's.
 */
import { LATENCY_PROFILE_NAMES, LATENCY_PROFILES, type LatencyProfileName } from '../drivers/appium/latency.ts';
import { startLocalAppium } from '../drivers/appium/server.ts';
import { BENCH_KEY, runProfiled, waitByKind, type ProfiledRun } from './latency.ts';

export interface LatencyBenchRow {
  profile: LatencyProfileName;
  platform: 'android' | 'ios';
  tier: 'full' | 'smoke';
  devices: number;
  scale: number;
  /** The target options the run had beyond the profile (roundTrips, batch), as set. */
  options: Record<string, string>;
  run: Omit<ProfiledRun, 'results'>;
}

const platformOf = (p: LatencyProfileName): 'android' | 'ios' => (p === 'usb-ios' ? 'ios' : 'android');

export async function benchDeviceLatency(env: NodeJS.ProcessEnv = process.env): Promise<LatencyBenchRow[]> {
  const scale = Number(env['HARNESS_BENCH_LATENCY_SCALE'] ?? '0.02');
  if (!(scale > 0 && scale <= 1)) throw new Error('HARNESS_BENCH_LATENCY_SCALE must be a number > 0 and <= 1');
  const tiers = (env['HARNESS_BENCH_LATENCY_PLANS'] ?? 'full,smoke').split(',') as ('full' | 'smoke')[];
  const profiles = (env['HARNESS_BENCH_LATENCY_PROFILES']?.split(',') ?? LATENCY_PROFILE_NAMES) as LatencyProfileName[];
  for (const p of profiles)
    if (!LATENCY_PROFILE_NAMES.includes(p))
      throw new Error(`HARNESS_BENCH_LATENCY_PROFILES: unknown profile ${p}; use ${LATENCY_PROFILE_NAMES.join(', ')}`);
  const options: Record<string, string> = {};
  const roundTrips = env['HARNESS_BENCH_LATENCY_ROUND_TRIPS'];
  if (roundTrips !== undefined) options['roundTrips'] = roundTrips;
  const batch = env['HARNESS_BENCH_LATENCY_BATCH'];
  if (batch !== undefined) options['batch'] = batch;
  const appium = await startLocalAppium({ HARNESS_OBFUSCATION_KEY: BENCH_KEY }, { allowDriverScripts: true });
  const rows: LatencyBenchRow[] = [];
  try {
    for (const profile of profiles) {
      for (const tier of tiers) {
        for (const devices of [1, 4]) {
          const { results: _results, ...run } = await runProfiled({
            appium: appium.url,
            platform: platformOf(profile),
            devices,
            latency: profile,
            latencyScale: scale,
            grep: [],
            tier,
            extra: options,
          });
          rows.push({ profile, platform: platformOf(profile), tier, devices, scale, options, run });
        }
      }
    }
  } finally {
    await appium.stop();
  }
  return rows;
}

const minutes = (ms: number) => (ms >= 120_000 ? `${(ms / 60_000).toFixed(1)} min` : `${(ms / 1000).toFixed(1)} s`);
const pct = (x: number) => `${Math.round(x * 100)} %`;

/** The full-scale estimate of a row's wall time (ms) and where the device time goes. */
export function estimate(row: LatencyBenchRow): { wallMs: number; shares: Record<string, number> } {
  const waits = waitByKind(row.run.counts, LATENCY_PROFILES[row.profile]);
  const total = waits.command + waits.deepLink + waits.reset + waits.pageSource + waits.script;
  const wallMs = row.run.wallMs + (total * (1 - row.scale)) / row.devices;
  const deviceTime = wallMs * row.devices;
  return {
    wallMs,
    shares: {
      'other commands': waits.command / deviceTime,
      'deep links': waits.deepLink / deviceTime,
      resets: waits.reset / deviceTime,
      'page source': waits.pageSource / deviceTime,
      ...(row.run.counts.scripts > 0 ? { 'driver scripts': waits.script / deviceTime } : {}),
      'harness and server': Math.max(0, 1 - total / deviceTime),
    },
  };
}

export function latencyBenchLines(rows: LatencyBenchRow[]): string[] {
  const lines = [
    `devices at device speed (latency profiles, x${rows[0]?.scale ?? '?'} time scale; full scale estimated as wall + waits x (1 - scale) / devices${
      Object.keys(rows[0]?.options ?? {}).length > 0
        ? `; ${Object.entries(rows[0]?.options ?? {})
            .map(([k, v]) => `${k}: ${v}`)
            .join(', ')}`
        : ''
    }):`,
  ];
  for (const row of rows) {
    const { counts } = row.run;
    const commands = counts.command + counts.deepLink + counts.reset + counts.pageSource;
    const e = estimate(row);
    lines.push(
      `  ${row.profile.padEnd(11)} ${row.tier.padEnd(5)} ${String(row.devices)} device${row.devices > 1 ? 's' : ' '}: ${String(row.run.cases).padStart(5)} cases, ${minutes(row.run.wallMs)} scaled, ~${minutes(e.wallMs)} at full scale; ${commands} Appium commands (${counts.reset} resets, ${counts.deepLink} deep links, ${counts.pageSource} page sources${counts.scripts > 0 ? `; ${counts.batched} of them in ${counts.scripts} driver scripts, ${commands - counts.batched + counts.scripts} requests` : ''}); device time: ${Object.entries(
        e.shares,
      )
        .map(([k, v]) => `${k} ${pct(v)}`)
        .join(', ')}`,
    );
  }
  return lines;
}
