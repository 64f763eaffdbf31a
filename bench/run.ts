/**
 * `npm run bench`: cases per second of
 *   1. the bare model (every case's steps predicted, no I/O), and
 *   2. the whole emulated plan on both emulated clients, through the real profile service on loopback,
 *      writing every report (jsonl, summary.json, junit.xml, allure-results).
 * Pinned to one core (taskset) where the machine has it, since the goal is stated per core.
 * Goal (issue 2): the emulated plan at >= 2,000 cases/s.
 * Then the fuzz section (bench/fuzz.ts, issue 3): fuzz cases per second, time to the first failure over the
 * seeded defects, and the size of the shrunk counterexamples.
 * Then the server section (bench/servers.ts, issue 4): requests/s through each server driver vs autocannon.
 * Then the shards section (bench/shards.ts, issue 14): the default plan whole, as 4 shards, and their merge.
 * Then the rejudge section (bench/rejudge.ts, issue 15): the emulated plan, then re-judging its results.jsonl
 * (what the verify command does), each in cases/s, and their ratio (goal: re-judging at least as fast).
 * Only when asked (`npm run bench -- mutation`, issue 12): the mutation score of each reference implementation
 * (bench/mutation.ts, the same as `npm run mutation`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSuites, DRIVERS, suiteOf } from '../src/cli/builtins.ts';
import { resolveConfig } from '../src/config/resolve.ts';
import { createReporters } from '../src/reporters/index.ts';
import { identity } from '../src/reporters/text.ts';
import { runPlan } from '../src/runner/run.ts';
import { casesOf, loadOpenMobile } from '../suites/openmobile/index.ts';
import { focusUrl, stateAfter } from '../suites/openmobile/execute.ts';
import { predict } from '../suites/openmobile/model.ts';
import { urlFor } from '../suites/openmobile/routes.ts';
import { benchDevices, deviceBenchLines } from './devices.ts';
import { benchDeviceLatency, latencyBenchLines } from './devices-latency.ts';
import { benchFuzz, fuzzBenchLines } from './fuzz.ts';
import { benchMutation, mutationLines } from './mutation.ts';
import { benchRejudge, rejudgeBenchLines } from './rejudge.ts';
import { benchServers, serverBenchLines } from './servers.ts';
import { benchShards, shardBenchLines } from './shards.ts';
import { timedReporter } from './timed-reporter.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const KEY = '8CC677D6FA2AC487C2FC7AD7232F87D8FCAFD5E9FC0AFBFF23B09D8713BE3463';

if (process.env['HARNESS_BENCH_PINNED'] !== '1' && spawnSync('taskset', ['-c', '0', 'true']).status === 0) {
  const child = spawnSync(
    'taskset',
    ['-c', '0', process.execPath, ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)],
    {
      stdio: 'inherit',
      env: { ...process.env, HARNESS_BENCH_PINNED: '1' },
    },
  );
  process.exit(child.status ?? 1);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function benchModel(): Promise<number> {
  const data = await loadOpenMobile({
    rootDir: root,
    vectorsDir: path.join(root, 'vectors/openmobile'),
    vectorsRoot: path.join(root, 'vectors'),
    catalogFile: path.join(root, 'vectors/openmobile/profiles.json'),
    obfuscationKey: KEY,
  });
  const cases = data.vectors.flatMap(casesOf);
  const one = () => {
    for (const c of cases) {
      const base = {
        route: c.route,
        catalog: data.catalog,
        network: 'online' as const,
        fault: null,
        obfuscationKey: KEY,
      };
      const { state } = stateAfter(
        (c.vector.given ?? []).map((q) => urlFor(c.route, q)),
        base,
      );
      predict({
        ...base,
        url: focusUrl(c.vector, c.route),
        state,
        network: c.vector.when.network ?? 'online',
        fault: c.vector.when.fault ?? null,
      });
    }
  };
  one();
  const rates: number[] = [];
  for (let round = 0; round < 5; round++) {
    const start = performance.now();
    let n = 0;
    while (performance.now() - start < 600) {
      one();
      n += cases.length;
    }
    rates.push(n / ((performance.now() - start) / 1000));
  }
  return median(rates);
}

/**
 * CPU time to create one small file in the temporary directory, right now. Allure needs a file per case, and
 * on some file systems creating one is far dearer than writing it: ext4 without a journal (this machine's)
 * skips inodes freed in the last minutes, one by one, on every creation, so a run just after thousands of
 * files were deleted (an earlier run's reports, by the bench or anyone else) pays several times more per
 * case. Printed beside the plan rate so that a slow round can be told apart from a slower harness.
 */
function fileCreationMicros(): { micros: number; dir: string } {
  // The files are deleted by the caller after the plan: deleting them now would slow the very thing measured.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'harness-bench-files-'));
  const body = 'x'.repeat(2048);
  const cpu = process.cpuUsage();
  const n = 300;
  for (let i = 0; i < n; i++) writeFileSync(path.join(dir, `${i}-result.json`), body);
  const used = process.cpuUsage(cpu);
  return { micros: (used.user + used.system) / n, dir };
}

interface PlanRate {
  /** Cases per second between the start of the first case and the end of the last, every report written as cases end. */
  running: number;
  /**
   * The same per second of this process's CPU time (user + system, file-system work included): what another
   * process competing for the core does not distort, unlike the wall-clock rate.
   */
  perCpuSecond: number;
  /** Wall time of the whole run: load, start, cases, final reports, cleaning the previous run's results. */
  endToEnd: number;
  cases: number;
}

async function benchPlan(reporters: string[]): Promise<PlanRate> {
  const running: number[] = [];
  const perCpu: number[] = [];
  const endToEnd: number[] = [];
  let cases = 0;
  // A fresh reports directory each round: the rounds stand for separate runs, and deleting the previous
  // round's thousands of files just before would charge that file-system work to these cases.
  const outs: string[] = [];
  for (let round = 0; round < 4; round++) {
    const out = mkdtempSync(path.join(os.tmpdir(), 'harness-bench-'));
    outs.push(out);
    const config = resolveConfig(
      { file: path.join(root, 'harness.config.ts'), config: { obfuscation: { key: KEY } } },
      // The emulated clients only: the default run also holds the server suites' reference targets.
      { outputDir: out, reporter: reporters, target: ['emulated-ios', 'emulated-android'] },
      {},
      root,
    );
    const inner = createReporters(reporters as never, { outputDir: out, redact: identity });
    const timed = timedReporter(inner);
    const start = performance.now();
    const { summary } = await runPlan(
      config,
      { suites: createSuites(), suiteOf, drivers: DRIVERS, reporter: timed.reporter },
      { startedAt: new Date().toISOString(), command: 'bench', harnessVersion: 'bench' },
    );
    const total = performance.now() - start;
    cases = summary.total;
    if (summary.counts.fail + summary.counts.broken > 0) {
      console.error(
        `warning: ${summary.counts.fail} failed and ${summary.counts.broken} broken cases in the bench run`,
      );
    }
    // The first round warms the JIT up; it is not counted.
    if (round > 0) {
      const { wallMs, cpuSeconds } = timed.elapsed();
      running.push(summary.total / (wallMs / 1000));
      perCpu.push(summary.total / cpuSeconds);
      endToEnd.push(total / 1000);
    }
  }
  for (const out of outs) rmSync(out, { recursive: true, force: true });
  return { running: median(running), perCpuSecond: median(perCpu), endToEnd: median(endToEnd), cases };
}

/** The Android URL-method plan delivered through real headless Chromium (browser+emulated-android). */
async function benchBrowser(): Promise<{ rate: number; cases: number } | null> {
  if (!existsSync('/usr/bin/chromium')) return null;
  const out = mkdtempSync(path.join(os.tmpdir(), 'harness-bench-browser-'));
  const config = resolveConfig(
    { file: path.join(root, 'harness.config.ts'), config: { obfuscation: { key: KEY } } },
    { outputDir: out, reporter: [], target: ['browser+emulated-android'] },
    {},
    root,
  );
  const timed = timedReporter({ onBegin: () => undefined, onCaseEnd: () => undefined, onEnd: () => undefined });
  const { summary } = await runPlan(
    config,
    { suites: createSuites(), suiteOf, drivers: DRIVERS, reporter: timed.reporter },
    { startedAt: new Date().toISOString(), command: 'bench', harnessVersion: 'bench' },
  );
  rmSync(out, { recursive: true, force: true });
  return { rate: summary.total / (timed.elapsed().wallMs / 1000), cases: summary.total };
}

// `npm run bench -- plan fuzz`: only those sections (plan: the model, the plan and the browser; fuzz;
// servers; devices; shards; rejudge; mutation). Default: all but mutation, which takes tens of minutes (`npm run mutation`).
const SECTIONS = ['plan', 'fuzz', 'servers', 'devices', 'shards', 'rejudge', 'mutation'] as const;
const DEFAULT_SECTIONS: readonly string[] = ['plan', 'fuzz', 'servers', 'devices', 'shards', 'rejudge'];
const asked = process.argv.slice(2);
const unknown = asked.filter((a) => !(SECTIONS as readonly string[]).includes(a));
if (unknown.length > 0) {
  console.error(`bench: unknown section ${unknown.join(', ')}: use ${SECTIONS.join(', ')} (default: all but mutation)`);
  process.exit(2);
}
const wants = (section: (typeof SECTIONS)[number]) =>
  asked.length === 0 ? DEFAULT_SECTIONS.includes(section) : asked.includes(section);
console.log(
  `pinned to one core: ${process.env['HARNESS_BENCH_PINNED'] === '1' ? 'yes (taskset -c 0)' : 'no (taskset not found)'}`,
);
if (wants('plan')) {
  const model = await benchModel();
  const creation = fileCreationMicros();
  const all = await benchPlan(['jsonl', 'summary', 'junit', 'allure']);
  const noAllure = await benchPlan(['jsonl', 'summary', 'junit']);
  console.log(`bare model:                    ${fmt(model)} cases/s`);
  console.log(
    `emulated plan, all reports:    ${fmt(all.running)} cases/s while the cases run, ${fmt(all.perCpuSecond)} per CPU second (${all.cases} cases on emulated-ios and emulated-android, a fresh reports directory each run; goal >= 2,000)`,
  );
  console.log(
    `                               ${all.endToEnd.toFixed(2)} s end to end (load and check the vectors, start, run, final reports, delete the previous results)`,
  );
  rmSync(creation.dir, { recursive: true, force: true });
  console.log(
    `                               creating a file in ${os.tmpdir()} costs ${creation.micros.toFixed(0)} µs of CPU just before (Allure writes one per case; ~15 µs when the file system is not slowed by recent mass deletions)`,
  );
  console.log(
    `emulated plan, without Allure: ${fmt(noAllure.running)} cases/s while the cases run, ${fmt(noAllure.perCpuSecond)} per CPU second (jsonl, summary.json, junit.xml only: what Allure's file per case costs)`,
  );
  const browser = await benchBrowser();
  console.log(
    browser === null
      ? 'browser-delivered:             skipped (no /usr/bin/chromium: apt-get install chromium)'
      : `browser-delivered:             ${fmt(browser.rate)} cases/s (${browser.cases} URL-method cases through headless Chromium, browser+emulated-android; goal >= 20; Chromium inherits the pinning)`,
  );
}
if (wants('fuzz')) {
  console.error(
    'fuzz: per property and platform a warm-up (until the rate stops rising) and 5 s measured, then every seeded defect/platform pair (up to 20 s each)...',
  );
  const fuzzResult = await benchFuzz({ rateMs: 5000, pairMs: 20_000, seed: 1 });
  for (const line of fuzzBenchLines(fuzzResult)) console.log(line);
}
if (wants('servers')) {
  console.error('servers: each reference server in its own process, harness driver vs autocannon, 1 + 5 s each...');
  const serverResult = await benchServers();
  for (const line of serverBenchLines(serverResult)) console.log(line);
}
if (wants('devices')) {
  console.error(
    'devices: the result-code and routing cases through Appium and the virtual device, then the same commands bare...',
  );
  for (const line of deviceBenchLines(await benchDevices())) console.log(line);
  console.error(
    'devices: each latency profile, the full plan and the smoke tier on 1 and 4 virtual devices, time-scaled (bench/devices-latency.ts)...',
  );
  for (const line of latencyBenchLines(await benchDeviceLatency())) console.log(line);
}
if (wants('shards')) {
  console.error(
    'shards: the default plan whole (after a warm-up run), then as 4 shards, three rounds in turn, then their merge...',
  );
  for (const line of shardBenchLines(await benchShards(root, KEY))) console.log(line);
}
if (wants('rejudge')) {
  console.error(
    'rejudge: the emulated plan (a warm-up, then 3 rounds), each round then re-judged from its results.jsonl...',
  );
  for (const line of rejudgeBenchLines(await benchRejudge(root, KEY))) console.log(line);
}
if (wants('mutation')) {
  console.error(
    'mutation: StrykerJS on each reference implementation, incremental (npm run mutation; docs/mutation.md)...',
  );
  for (const line of mutationLines(await benchMutation())) console.log(line);
}
