/**
 * The fuzz section of `npm run bench` (issue 3, "Done when"), on the emulated clients wired exactly as
 * `harness fuzz` wires a target (src/cli/fuzz.ts): the in-process driver, one session, one scope of the real
 * profile service on loopback, the suite's fuzz properties with the configured `maxSteps`.
 *   1. Fuzz cases per second (requests sent and judged) of each property on each platform, defect-free
 *      clients, a fixed time budget each, after a warm-up until the rate stops rising (its one-second
 *      windows are printed, the cold first one included). Goal: 5,000/s on one core.
 *   2. Time to the first failure over every seeded defect/platform pair (drivers/emulated/defects.ts), a
 *      fresh target with that one defect, a fixed seed. Goal: median under 1 s. Pairs not found are named.
 *   3. Size of the shrunk counterexamples: requests, and query parameters of the failing request beyond
 *      `pid`. Goal: one request with at most two parameters beyond those the defect needs.
 * bench/fuzz-memory.ts reuses the wiring (FuzzRig) for the 10-minute memory run.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONFIG_CHECKS, DRIVERS } from '../src/cli/builtins.ts';
import { startProfileService } from '../drivers/emulated/profile-service.ts';
import { OpenMobileSuite } from '../suites/openmobile/index.ts';
import { suiteLoadContext } from '../src/runner/run.ts';
import { resolveConfig } from '../src/config/resolve.ts';
import type { ResolvedConfig, TargetConfig } from '../src/config/types.ts';
import type { ClientDriver } from '../protocols/openmobile/types.ts';
import type { FuzzFailure, FuzzProperty } from '../src/core/fuzz.ts';
import type { Suite } from '../src/core/suite.ts';
import type { Platform } from '../protocols/openmobile/types.ts';
import { fuzzProperty, inconsistencyOf, type FoundFailure, type FuzzOutcome } from '../src/fuzz/run.ts';
import { openDriver } from '../src/runner/run.ts';
import { DEFECTS } from '../drivers/emulated/defects.ts';
import type { FuzzSequence } from '../suites/openmobile/fuzz.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const BENCH_KEY = '8CC677D6FA2AC487C2FC7AD7232F87D8FCAFD5E9FC0AFBFF23B09D8713BE3463';
export const PLATFORMS: readonly Platform[] = ['ios', 'android'];
export type PropertyId = 'sequences' | 'precedence';
export const PROPERTY_IDS: readonly PropertyId[] = ['sequences', 'precedence'];

/** One opened target: the properties `harness fuzz` would run on it, and how to close it. */
export interface OpenFuzzTarget {
  properties(ids: readonly PropertyId[]): FuzzProperty<FuzzSequence>[];
  close(): Promise<void>;
}

/**
 * The suite, the profile service and the configuration `harness fuzz` would have for these targets: the
 * project's harness.config.ts with its targets replaced by `targets` (so defects can be switched on).
 */
export class FuzzRig {
  private constructor(
    readonly config: ResolvedConfig,
    private readonly suite: OpenMobileSuite,
    private readonly service: Awaited<ReturnType<typeof startProfileService>>,
  ) {}

  static async start(targets: TargetConfig[]): Promise<FuzzRig> {
    const config = resolveConfig(
      { file: path.join(root, 'harness.config.ts'), config: { obfuscation: { key: BENCH_KEY }, targets } },
      { reporter: [] },
      {},
      root,
    );
    const suite = new OpenMobileSuite([], {
      ...(config.vectors === null ? {} : { vectorsDir: config.vectors }),
      ...(config.profiles === null ? {} : { catalogFile: config.profiles }),
    });
    await suite.load(suiteLoadContext(config));
    const service = await startProfileService(suite.profileCatalog());
    return new FuzzRig(config, suite, service);
  }

  /** As src/cli/fuzz.ts openTarget: driver, its info, one session, one profile-service scope. */
  async open(name: string): Promise<OpenFuzzTarget> {
    const target = this.config.targets.find((t) => t.name === name);
    if (target === undefined) throw new Error(`bench: no target "${name}" in the rig`);
    // The emulated driver is an Open Mobile client driver (drivers/emulated/driver.ts).
    const driver = (await openDriver(target, this.config, DRIVERS)) as ClientDriver;
    try {
      const info = await driver.info();
      const session = await driver.openSession();
      const scope = this.service.scope();
      const env = { session, scope, info, target: { name: target.name, precedence: target.precedence } };
      const fuzzProperties = this.suite.fuzzProperties;
      if (fuzzProperties === undefined) throw new Error(`bench: the ${this.suite.name} suite has no fuzz property`);
      return {
        properties: (ids) =>
          fuzzProperties.call(this.suite, env, {
            properties: ids,
            maxSteps: this.config.fuzz.maxSteps,
          }) as FuzzProperty<FuzzSequence>[],
        close: async () => {
          await session.close().catch(() => undefined);
          scope.close();
          await driver.stop();
        },
      };
    } catch (error) {
      await driver.stop();
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.service.close();
  }
}

export function cleanTarget(platform: Platform): TargetConfig {
  return { name: `clean-${platform}`, driver: 'emulated', options: { platform } };
}

function defectTarget(defect: string, platform: Platform): TargetConfig {
  return { name: `${defect}+${platform}`, driver: 'emulated', options: { platform, defects: [defect] } };
}

// -----------------------------------------------------------------------------------------------------------

export interface RateResult {
  platform: Platform;
  property: PropertyId;
  runs: number;
  cases: number;
  elapsedMs: number;
  casesPerSecond: number;
  /**
   * Per second of this process's CPU time (user + system): what another process competing for the core
   * (a shared machine) does not distort, unlike the wall-clock rate.
   */
  casesPerCpuSecond: number;
  /** A failure on a defect-free client: a bug of the model or the client, and the rate is cut short. */
  failure: string | null;
  /** How this property and platform were warmed up before the measurement (see {@link warmUp}). */
  warmUp: WarmUp;
}

/**
 * The warm-up before a rate is measured: one-second windows on a target of its own until the rate stops
 * rising. On one core V8's optimizing compiler shares the core with the fuzzer, so a cold process takes
 * some seconds to reach its steady rate (about 1,300 cases/s in its first second): a rate measured inside
 * that ramp says how long the JIT took, not how fast the fuzzer runs. The cold windows are printed.
 */
export interface WarmUp {
  /** Cases per second of each window, in order. */
  windows: number[];
  elapsedMs: number;
}

const WARM_WINDOW_MS = 1000;
const WARM_MIN_WINDOWS = 3;
const WARM_MAX_WINDOWS = 12;
/** Warm when a window is no more than this above the mean of the two before it. */
const WARM_RISE = 1.05;

export interface PairResult {
  defect: string;
  platform: Platform;
  /** The property whose failure came first, or null when neither found one within the budget. */
  by: PropertyId | null;
  /** From the start to the first failing check (before shrinking), ms. */
  detectedMs: number | null;
  /**
   * Runs checked by both properties together until then: the time's counterpart that a machine busy with
   * other work does not inflate.
   */
  detectedAfterRuns: number | null;
  /** fuzzProperty's foundAfterMs of the reported failure: to the end of its batch, shrinking included. */
  reportedMs: number | null;
  requirements: string[];
  /** null for a run-wide failure (no single order of checks), which has no counterexample to measure. */
  size: CounterexampleSize | null;
  counterexample: string | null;
}

export interface CounterexampleSize {
  /** Requests in the shrunk sequence (an overlapping second request counts). */
  requests: number;
  /** Parameters of the failing (last) request other than `pid`, by name, in the order sent. */
  extra: string[];
}

export interface FuzzBenchResult {
  rates: RateResult[];
  pairs: PairResult[];
  pairBudgetMs: number;
  seed: number;
  wallMs: number;
}

/** Query parameters of a provisioning URL, raw names in order (repeats kept); none without a `?`. */
export function parameterNames(url: string): string[] {
  const q = url.indexOf('?');
  if (q === -1) return [];
  const hash = url.indexOf('#', q);
  const query = url.slice(q + 1, hash === -1 ? undefined : hash);
  return query
    .split('&')
    .filter((part) => part.length > 0)
    .map((part) => part.split('=')[0] ?? '');
}

/**
 * The failing request is the step the failure message names (`step 2 of 3 (...)`); a failure found over
 * the whole sequence (a password in the logs) names none, and the last request stands for it.
 */
export function counterexampleSize(s: FuzzSequence, failure: FuzzFailure): CounterexampleSize {
  const named = /^step (\d+) of \d+/.exec(failure.message);
  const step = s.steps[named ? Number(named[1]) - 1 : s.steps.length - 1] ?? s.steps[s.steps.length - 1];
  return {
    requests: s.steps.reduce((n, x) => n + (x.concurrent === null ? 1 : 2), 0),
    extra: step === undefined ? [] : parameterNames(step.url).filter((name) => name !== 'pid'),
  };
}

/**
 * The property, with the moment of its first failing check recorded. The inner check gets a signal that is
 * never aborted: stopping the race aborts fuzzProperty between batches, and an aborted session would
 * otherwise turn every remaining check of the batch into a "the check itself threw" failure and a shrink.
 */
function timed<T>(
  p: FuzzProperty<T>,
  t0: number,
  counter: { checks: number },
): { property: FuzzProperty<T>; detected: () => { ms: number; checks: number } | null } {
  let detected: { ms: number; checks: number } | null = null;
  const quiet = new AbortController().signal;
  const mark = <F>(f: F): F => {
    if (f !== null && detected === null) detected = { ms: performance.now() - t0, checks: counter.checks };
    return f;
  };
  const consistency = p.consistency?.bind(p);
  return {
    property: {
      ...p,
      check: async (value) => {
        counter.checks++;
        return mark(await p.check(value, quiet));
      },
      ...(consistency ? { consistency: () => mark(consistency()) } : {}),
    },
    detected: () => detected,
  };
}

function found(o: FuzzOutcome<FuzzSequence>): boolean {
  return o.failures.length > 0 || o.end.how === 'inconsistent';
}

export async function warmUp(rig: FuzzRig, platform: Platform, id: PropertyId, seed: number): Promise<WarmUp> {
  const target = await rig.open(cleanTarget(platform).name);
  const started = performance.now();
  try {
    const [property] = target.properties([id]);
    if (property === undefined) throw new Error(`bench: no ${id} property`);
    const windows: number[] = [];
    let cases = 0;
    while (windows.length < WARM_MAX_WINDOWS) {
      const o = await fuzzProperty(property, {
        timeMs: WARM_WINDOW_MS,
        runs: Number.POSITIVE_INFINITY,
        seed: seed + windows.length,
      });
      // The property's statistics count every run it checked: a window's cases are the difference.
      windows.push((o.statistics.cases - cases) / (o.elapsedMs / 1000));
      cases = o.statistics.cases;
      const n = windows.length;
      if (o.failures.length > 0 || o.end.how === 'inconsistent') break; // measureRate reports it
      if (n >= WARM_MIN_WINDOWS) {
        const last = windows[n - 1] as number;
        const before = ((windows[n - 2] as number) + (windows[n - 3] as number)) / 2;
        if (last <= before * WARM_RISE) break;
      }
    }
    return { windows, elapsedMs: performance.now() - started };
  } finally {
    await target.close();
  }
}

async function measureRate(
  rig: FuzzRig,
  platform: Platform,
  id: PropertyId,
  ms: number,
  seed: number,
  warm: WarmUp,
): Promise<RateResult> {
  const target = await rig.open(cleanTarget(platform).name);
  try {
    const [property] = target.properties([id]);
    if (property === undefined) throw new Error(`bench: no ${id} property`);
    const cpu = process.cpuUsage();
    const o = await fuzzProperty(property, { timeMs: ms, runs: Number.POSITIVE_INFINITY, seed });
    const used = process.cpuUsage(cpu);
    const failure = o.failures[0]?.failure.message ?? inconsistencyOf(o)?.message ?? null;
    return {
      platform,
      property: id,
      runs: o.runs,
      cases: o.statistics.cases,
      elapsedMs: o.elapsedMs,
      casesPerSecond: o.statistics.cases / (o.elapsedMs / 1000),
      casesPerCpuSecond: o.statistics.cases / ((used.user + used.system) / 1e6),
      failure,
      warmUp: warm,
    };
  } finally {
    await target.close();
  }
}

/**
 * One defect/platform pair. Both properties run at once, each on its own session of a fresh target with the
 * defect, and the first failure of either counts ("whichever finds it first"): `harness fuzz` runs them one
 * after the other with the whole budget each, so a defect only `precedence` shows (inconsistent-precedence)
 * would otherwise be charged the full `sequences` budget, which says nothing about how fast the fuzzer
 * finds it. On one core the two share the CPU, so the times are those of the pair, not of a property alone.
 */
async function measurePair(
  rig: FuzzRig,
  defect: string,
  platform: Platform,
  budgetMs: number,
  seed: number,
): Promise<PairResult> {
  const name = `${defect}+${platform}`;
  const targets = [await rig.open(name), await rig.open(name)];
  const stop = new AbortController();
  try {
    const t0 = performance.now();
    const counter = { checks: 0 };
    const racers = PROPERTY_IDS.map((id, i) => {
      const [inner] = (targets[i] as OpenFuzzTarget).properties([id]);
      if (inner === undefined) throw new Error(`bench: no ${id} property`);
      const { property, detected } = timed(inner, t0, counter);
      const outcome = fuzzProperty(
        property,
        { timeMs: budgetMs, runs: Number.POSITIVE_INFINITY, seed, maxFailures: 1 },
        { signal: stop.signal },
      ).then((o) => {
        if (found(o)) stop.abort();
        return o;
      });
      return { id, outcome, detected };
    });
    const outcomes = await Promise.all(racers.map((r) => r.outcome));
    let best: { id: PropertyId; o: FuzzOutcome<FuzzSequence>; at: { ms: number; checks: number } } | null = null;
    racers.forEach((r, i) => {
      const o = outcomes[i] as FuzzOutcome<FuzzSequence>;
      const at = r.detected();
      if (found(o) && at !== null && (best === null || at.ms < best.at.ms)) best = { id: r.id, o, at };
    });
    if (best === null) {
      return {
        defect,
        platform,
        by: null,
        detectedMs: null,
        detectedAfterRuns: null,
        reportedMs: null,
        requirements: [],
        size: null,
        counterexample: null,
      };
    }
    const { id, o, at } = best as { id: PropertyId; o: FuzzOutcome<FuzzSequence>; at: { ms: number; checks: number } };
    const f: FoundFailure<FuzzSequence> | undefined = o.failures[0];
    const failure: FuzzFailure = f?.failure ?? (inconsistencyOf(o) as FuzzFailure);
    return {
      defect,
      platform,
      by: id,
      detectedMs: at.ms,
      detectedAfterRuns: at.checks,
      reportedMs: f?.foundAfterMs ?? o.elapsedMs,
      requirements: failure.requirements,
      size: f ? counterexampleSize(f.counterexample, f.failure) : null,
      counterexample: f ? f.description : null,
    };
  } finally {
    stop.abort();
    for (const t of targets) await t.close();
  }
}

export interface FuzzBenchOptions {
  /** Budget of each rate measurement (property x platform), ms. */
  rateMs: number;
  /** Budget of each defect/platform pair, ms. */
  pairMs: number;
  seed: number;
  /** Progress, one line per measurement (stderr in `npm run bench`). */
  progress?: (line: string) => void;
}

export async function benchFuzz(options: FuzzBenchOptions): Promise<FuzzBenchResult> {
  const started = performance.now();
  const pairs = DEFECTS.flatMap((d) => d.platforms.map((platform) => ({ defect: d.id, platform })));
  const rig = await FuzzRig.start([
    ...PLATFORMS.map(cleanTarget),
    ...pairs.map((p) => defectTarget(p.defect, p.platform)),
  ]);
  const progress = options.progress ?? (() => undefined);
  try {
    const rates: RateResult[] = [];
    for (const platform of PLATFORMS) {
      for (const id of PROPERTY_IDS) {
        // Other seeds than the measurement's: the measured runs are not ones the warm-up already made.
        const warm = await warmUp(rig, platform, id, options.seed + 1000);
        const r = await measureRate(rig, platform, id, options.rateMs, options.seed, warm);
        progress(`  fuzz rate ${id} on ${platform}: ${Math.round(r.casesPerSecond)} cases/s`);
        rates.push(r);
      }
    }
    const results: PairResult[] = [];
    for (const p of pairs) {
      const r = await measurePair(rig, p.defect, p.platform, options.pairMs, options.seed);
      progress(
        `  ${p.defect}@${p.platform}: ${r.detectedMs === null ? 'not found' : `${Math.round(r.detectedMs)} ms, ${r.detectedAfterRuns ?? 0} runs (${r.by ?? ''})`}`,
      );
      results.push(r);
    }
    return {
      rates,
      pairs: results,
      pairBudgetMs: options.pairMs,
      seed: options.seed,
      wallMs: performance.now() - started,
    };
  } finally {
    await rig.close();
  }
}

// -----------------------------------------------------------------------------------------------------------

/** The median; of an even count, the mean of the middle two. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  if (s.length === 0) return Number.NaN;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => (n < 1000 ? `${Math.round(n)} ms` : `${(n / 1000).toFixed(2)} s`);

/** The fuzz section of the bench's output, aligned with the lines bench/run.ts prints. */
export function fuzzBenchLines(r: FuzzBenchResult): string[] {
  const lines: string[] = [];
  for (const x of r.rates) {
    lines.push(
      `fuzz ${x.property.padEnd(10)} ${x.platform.padEnd(8)}   ${fmt(x.casesPerSecond)} cases/s, ${fmt(x.casesPerCpuSecond)} per CPU second (${fmt(x.cases)} requests judged in ${fmt(x.runs)} runs, ${(x.elapsedMs / 1000).toFixed(1)} s; goal >= 5,000)${x.failure === null ? '' : ` FAILED on the defect-free client: ${x.failure}`}`,
      `${' '.repeat(31)}after ${(x.warmUp.elapsedMs / 1000).toFixed(1)} s of warm-up, cases/s per second: ${x.warmUp.windows.map(fmt).join(', ')}`,
    );
  }
  const hit = r.pairs.filter((p) => p.detectedMs !== null);
  const missed = r.pairs.filter((p) => p.detectedMs === null);
  // A pair not found counts as the whole budget: leaving it out would flatter the median.
  const times = r.pairs.map((p) => p.detectedMs ?? r.pairBudgetMs);
  const by = (id: PropertyId) => hit.filter((p) => p.by === id).length;
  lines.push(
    `fuzz time to first failure:    ${ms(median(times))} median over ${r.pairs.length} defect/platform pairs (goal < 1 s; seed ${r.seed}, both properties at once, whichever fails first; a pair not found counts as the ${ms(r.pairBudgetMs)} budget)`,
    `                               found ${hit.length}/${r.pairs.length} (${by('sequences')} by sequences, ${by('precedence')} by precedence); slowest: ${[
      ...hit,
    ]
      .sort((a, b) => (b.detectedMs ?? 0) - (a.detectedMs ?? 0))
      .slice(0, 4)
      .map((p) => `${p.defect}@${p.platform} ${ms(p.detectedMs ?? 0)}`)
      .join(', ')}`,
    `                               median ${fmt(median(hit.map((p) => p.detectedAfterRuns ?? 0)))} runs of the two properties together until the first failing one (what a busy machine does not inflate); median ${ms(median(hit.map((p) => p.reportedMs ?? 0)))} until reported (shrinking and the rest of the batch included)`,
  );
  if (missed.length > 0) {
    lines.push(
      `                               NOT FOUND within ${ms(r.pairBudgetMs)}: ${missed.map((p) => `${p.defect}@${p.platform}`).join(', ')}`,
    );
  }
  const sized = hit.filter((p) => p.size !== null);
  const sizes = sized.map((p) => p.size as CounterexampleSize);
  const largest = (key: (x: CounterexampleSize) => number) =>
    [...sized]
      .sort((a, b) => key(b.size as CounterexampleSize) - key(a.size as CounterexampleSize))
      .slice(0, 3)
      .map((p) => `${p.defect}@${p.platform} ${p.size?.requests ?? 0} req + [${(p.size?.extra ?? []).join(',')}]`)
      .join('; ');
  const runWide = hit.length - sized.length;
  lines.push(
    `fuzz counterexample size:      median ${median(sizes.map((s) => s.requests))} request(s), ${median(sizes.map((s) => s.extra.length))} parameter(s) beyond pid in the failing request (goal: 1 request, <= 2 beyond what the defect needs; ${sizes.filter((s) => s.requests === 1).length}/${sizes.length} are one request, ${sizes.filter((s) => s.extra.length <= 2).length}/${sizes.length} have <= 2 beyond pid${runWide > 0 ? `; ${runWide} run-wide failure(s) without a counterexample left out` : ''})`,
    `                               most requests: ${largest((x) => x.requests * 100 + x.extra.length)}`,
    `                               most parameters: ${largest((x) => x.extra.length * 100 + x.requests)}`,
    `fuzz section wall time:        ${(r.wallMs / 1000).toFixed(1)} s`,
  );
  return lines;
}

// Alone (`taskset -c 0 node --import tsx bench/fuzz.ts [rate-seconds] [pair-seconds]`), only this section.
if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const result = await benchFuzz({
    rateMs: Number(process.argv[2] ?? 5) * 1000,
    pairMs: Number(process.argv[3] ?? 20) * 1000,
    seed: 1,
    progress: (line) => console.error(line),
  });
  for (const line of fuzzBenchLines(result)) console.log(line);
}
