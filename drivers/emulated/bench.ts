/**
 * Throughput of the emulated clients against a live profile service: rounds of 5,000 provisions per
 * platform (each with a real HTTP profile fetch), spread over sessions as the runner would. Both platforms
 * first run a warm-up pass, so neither pays the JIT's warm-up; the rounds alternate platforms and the
 * median round is reported, because a single round on a shared machine is noisy. Besides wall-clock
 * provisions/s it reports provisions per CPU second of this process (client and service together), which
 * other processes competing for the core do not distort. Not a test: numbers depend on the machine. Pin it
 * to one core to see the cost per provision:
 *
 *   taskset -c 0 node --import tsx drivers/emulated/bench.ts [requests=5000] [sessions=32] [warm-up=5000] [rounds=5]
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Catalog, Platform } from '../../protocols/openmobile/types.ts';
import type { ProfileService } from '../../protocols/openmobile/types.ts';
import { createEmulatedDriver } from './driver.ts';
import { startProfileService } from './profile-service.ts';

const REQUESTS = Number(process.argv[2] ?? 5000);
const SESSIONS = Number(process.argv[3] ?? 32);
const WARM_UP = Number(process.argv[4] ?? 5000);
const ROUNDS = Math.max(1, Number(process.argv[5] ?? 5));
const PLATFORMS = ['ios', 'android'] as const;
const catalog = JSON.parse(
  readFileSync(new URL('../../vectors/openmobile/profiles.json', import.meta.url), 'utf8'),
) as Catalog;

/** Runs `requests` provisions on `platform`; resolves with the seconds taken and how many did not succeed. */
async function run(
  service: ProfileService,
  platform: Platform,
  requests: number,
): Promise<{ seconds: number; cpuSeconds: number; failures: number }> {
  const driver = await createEmulatedDriver({ platform }, { rootDir: process.cwd(), obfuscationKey: null });
  const base = platform === 'ios' ? 'ipass://provision?resulturlscheme=bench&' : 'clientx://provision.com?';
  const queries = [
    'pid=9945&username=jsmalley&password=doggylove2&domain=mycorp.com',
    'pid=12345&pin=abc1234',
    'pid=20001&prefix=ACME/',
  ];
  let issued = 0;
  let failures = 0;
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  await Promise.all(
    Array.from({ length: SESSIONS }, async () => {
      // One signal per session, as the runner gives each case its own.
      const signal = new AbortController().signal;
      const session = await driver.openSession();
      const scope = service.scope();
      await session.reset(scope.url, signal);
      // Each session cycles through the queries in order, a sequence in which every request succeeds.
      for (let i = 0; issued < requests; i++) {
        issued++;
        const query = queries[i % queries.length] ?? '';
        const observation = await session.provision({ url: base + query, method: 'url' }, signal);
        if (!observation.handled || observation.dialog !== 'success') failures++;
      }
      await session.close();
      scope.close();
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStarted);
  await driver.stop();
  return { seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, failures };
}

function summary(values: number[]): { median: number; best: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    median: Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0),
    best: Math.round(sorted[sorted.length - 1] ?? 0),
  };
}

const service = await startProfileService(catalog);
try {
  for (const platform of PLATFORMS) await run(service, platform, WARM_UP);
  const rates = new Map<Platform, { wall: number[]; cpu: number[] }>(PLATFORMS.map((p) => [p, { wall: [], cpu: [] }]));
  let failures = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (const platform of PLATFORMS) {
      const result = await run(service, platform, REQUESTS);
      failures += result.failures;
      rates.get(platform)?.wall.push(REQUESTS / result.seconds);
      rates.get(platform)?.cpu.push(REQUESTS / result.cpuSeconds);
    }
  }
  for (const platform of PLATFORMS) {
    const wall = summary(rates.get(platform)?.wall ?? []);
    const cpu = summary(rates.get(platform)?.cpu ?? []);
    console.log(
      `${platform}: ${ROUNDS} rounds of ${REQUESTS} provisions over ${SESSIONS} sessions: ` +
        `median ${wall.median} provisions/s (best ${wall.best}), ` +
        `median ${cpu.median} provisions per CPU second (best ${cpu.best})`,
    );
  }
  if (failures > 0) console.log(`${failures} provisions did not succeed`);
} finally {
  await service.close();
}
