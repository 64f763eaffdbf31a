/**
 * `npm run bench:fuzz-memory [-- <duration>] [--snapshots <dir>]` (default 10m): issue 3's "memory stays
 * flat: a 10-minute fuzz run does not grow past 300 MB RSS".
 *
 * Fuzzes the defect-free emulated clients continuously, wired as `harness fuzz` wires them (bench/fuzz.ts
 * FuzzRig): one target per platform opened once, and each property object created once and kept for the
 * whole run, so whatever a property accumulates over a long `harness fuzz --time 10m` (its tallies, the
 * precedence evidence) accumulates here too. The four property/platform pairs take turns, one slice each
 * (a minute, shorter for short runs), each slice a fuzzProperty call with its own seed.
 * RSS is sampled every 5 s, a line printed every 30 s; at the end: the max RSS, the RSS at 1 min and at the
 * end, and PASS/FAIL against 300 MB (exit 1 on FAIL). `--snapshots <dir>` writes a V8 heap snapshot at
 * 1 min and at the end (open both in Chrome DevTools, Memory, "Comparison") to find what grows.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import { parseDuration } from '../src/config/duration.ts';
import type { FuzzProperty } from '../src/core/fuzz.ts';
import { fuzzProperty } from '../src/fuzz/run.ts';
import type { FuzzSequence } from '../suites/openmobile/fuzz.ts';
import { cleanTarget, FuzzRig, PLATFORMS, PROPERTY_IDS, type OpenFuzzTarget } from './fuzz.ts';

const LIMIT_MB = 300;
const SAMPLE_MS = 5_000;
const PRINT_MS = 30_000;

function usage(message: string): never {
  console.error(
    `bench:fuzz-memory: ${message}\nusage: npm run bench:fuzz-memory -- [duration, e.g. 10m, 90s] [--snapshots <dir>]`,
  );
  process.exit(2);
}

const args = process.argv.slice(2);
let durationText = '10m';
let snapshots: string | null = null;
for (let i = 0; i < args.length; i++) {
  const a = args[i] as string;
  if (a === '--snapshots') {
    const dir = args[++i];
    if (dir === undefined) usage('--snapshots needs a directory');
    snapshots = path.resolve(dir);
  } else if (a.startsWith('-')) usage(`unknown option ${a}`);
  else durationText = a;
}
const durationMs = parseDuration(durationText);
if (durationMs === null || durationMs <= 0) usage(`the duration must look like 10m, 90s or 600, got "${durationText}"`);
// A minute per slice as the brief says; a short run still visits all four property/platform pairs.
const sliceMs = Math.min(60_000, Math.max(5_000, Math.floor(durationMs / 4)));

interface Sample {
  atMs: number;
  rss: number;
  heapUsed: number;
  external: number;
  cases: number;
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const clock = (ms: number) => `${Math.floor(ms / 60_000)}:${String(Math.floor((ms % 60_000) / 1000)).padStart(2, '0')}`;

const rig = await FuzzRig.start(PLATFORMS.map(cleanTarget));
const targets: OpenFuzzTarget[] = [];
const byPlatform: FuzzProperty<FuzzSequence>[][] = [];
for (const platform of PLATFORMS) {
  const target = await rig.open(cleanTarget(platform).name);
  targets.push(target);
  byPlatform.push(target.properties(PROPERTY_IDS));
}
// Turns alternate platforms: sequences on ios, sequences on android, precedence on ios, ...
const slots = PROPERTY_IDS.flatMap((id, i) =>
  PLATFORMS.map((platform, j) => {
    const property = byPlatform[j]?.[i];
    if (property === undefined) throw new Error(`bench: no ${id} property`);
    return { label: `${id} on ${platform}`, property };
  }),
);

// Only the cases counted by finished slices plus the running one's own counter; statistics() builds the
// precedence matrix, too costly to call every 5 s.
let casesBefore = 0;
let running: FuzzProperty<FuzzSequence> | null = null;
let runningBase = 0;
const cases = () => casesBefore + (running ? (running.statistics?.().cases ?? 0) - runningBase : 0);

const started = performance.now();
const samples: Sample[] = [];
const failures: string[] = [];
let lastPrinted = -PRINT_MS;
let snapshotAtMinute = false;
const sample = () => {
  const m = process.memoryUsage();
  const atMs = performance.now() - started;
  const s: Sample = { atMs, rss: m.rss, heapUsed: m.heapUsed, external: m.external + m.arrayBuffers, cases: cases() };
  samples.push(s);
  if (atMs - lastPrinted >= PRINT_MS - SAMPLE_MS / 2) {
    lastPrinted = atMs;
    const prev = samples.length > 6 ? samples[samples.length - 7] : samples[0];
    const rate = prev && s.atMs > prev.atMs ? (s.cases - prev.cases) / ((s.atMs - prev.atMs) / 1000) : 0;
    console.log(
      `${clock(atMs)}  rss ${mb(s.rss)}  heap used ${mb(s.heapUsed)}  external+buffers ${mb(s.external)}  cases ${s.cases.toLocaleString('en-US')} (${Math.round(rate).toLocaleString('en-US')}/s lately)`,
    );
  }
  if (snapshots !== null && !snapshotAtMinute && atMs >= 60_000) {
    snapshotAtMinute = true;
    mkdirSync(snapshots, { recursive: true });
    console.log(`  heap snapshot: ${v8.writeHeapSnapshot(path.join(snapshots, 'fuzz-memory-1min.heapsnapshot'))}`);
  }
};
console.log(
  `fuzzing the emulated clients for ${clock(durationMs)} (${slots.map((s) => s.label).join(', ')}; ${clock(sliceMs)} each in turn), RSS sampled every 5 s, limit ${LIMIT_MB} MB`,
);
sample();
const timer = setInterval(sample, SAMPLE_MS);

try {
  for (let slice = 0; performance.now() - started < durationMs; slice++) {
    const slot = slots[slice % slots.length];
    if (slot === undefined) break;
    running = slot.property;
    runningBase = slot.property.statistics?.().cases ?? 0;
    const left = durationMs - (performance.now() - started);
    const o = await fuzzProperty(slot.property, {
      timeMs: Math.min(sliceMs, left),
      runs: Number.POSITIVE_INFINITY,
      seed: 1 + slice,
      // A failure on a defect-free client is reported below; the slice goes on to keep the load steady.
      maxFailures: Number.POSITIVE_INFINITY,
    });
    casesBefore += o.statistics.cases - runningBase;
    running = null;
    for (const f of o.failures) failures.push(`${slot.label}, seed ${f.seed}: ${f.failure.message}`);
    if (o.end.how === 'inconsistent') failures.push(`${slot.label}: ${o.end.failure.message}`);
  }
} finally {
  clearInterval(timer);
  for (const t of targets) await t.close();
  await rig.close();
}
sample();
if (snapshots !== null) {
  mkdirSync(snapshots, { recursive: true });
  console.log(`  heap snapshot: ${v8.writeHeapSnapshot(path.join(snapshots, 'fuzz-memory-end.heapsnapshot'))}`);
}

const end = samples[samples.length - 1] as Sample;
const atMinute = samples.find((s) => s.atMs >= 60_000) ?? end;
const max = samples.reduce((m, s) => (s.rss > m.rss ? s : m));
const elapsed = end.atMs / 1000;
console.log(
  `fuzz cases: ${end.cases.toLocaleString('en-US')} in ${elapsed.toFixed(0)} s (${Math.round(end.cases / elapsed).toLocaleString('en-US')}/s), ${failures.length} failure(s) on the defect-free clients`,
);
for (const f of failures.slice(0, 5)) console.log(`  ${f}`);
console.log(`max RSS:          ${mb(max.rss)} (at ${clock(max.atMs)})`);
console.log(`RSS at ${clock(atMinute.atMs)}:     ${mb(atMinute.rss)} (heap used ${mb(atMinute.heapUsed)})`);
console.log(
  `RSS at the end:   ${mb(end.rss)} (heap used ${mb(end.heapUsed)}); ${end.rss >= atMinute.rss ? '+' : ''}${mb(end.rss - atMinute.rss)} since ${clock(atMinute.atMs)}`,
);
const pass = max.rss <= LIMIT_MB * 1024 * 1024;
console.log(`${pass ? 'PASS' : 'FAIL'}: max RSS ${mb(max.rss)} ${pass ? '<=' : '>'} ${LIMIT_MB} MB`);
process.exit(pass ? 0 : 1);
