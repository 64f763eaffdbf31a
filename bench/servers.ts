/**
 * The server section of `npm run bench` (issue 4, "Done when"): requests per second the harness drives
 * through each server driver's session, against what autocannon reaches on the same endpoint with the same
 * request, connections and pipelining 1. Goal: the harness at >= 70% of autocannon.
 *
 * Each reference server runs in a child process pinned to core 1 (this file, `--serve <suite>`), so the
 * server has a core of its own and neither load generator pays for the server's work; the driver and
 * autocannon both run in this process, pinned to core 0. The driver is created with `url` (the real-server
 * mode), which is the same HTTP client code as `reference: true` (drivers/http/wire.ts, shared by the three
 * drivers), only without starting a server in-process.
 *
 * Standalone: `node --import tsx bench/servers.ts [seconds=5]` (pins itself to core 0 like bench/run.ts).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import type { DriverContext } from '../src/core/driver.ts';
import type { Catalog } from '../protocols/openmobile/types.ts';
import { createProfileServiceDriver } from '../drivers/http/openmobile-profiles.ts';
import { createSurePassIdDriver } from '../drivers/http/surepassid.ts';
import { createSwivelDriver } from '../drivers/http/swivel.ts';
import { startProfileService } from '../drivers/emulated/profile-service.ts';
import { startSurePassIdReference } from '../drivers/emulated/surepassid/server.ts';
import { startSwivelReference } from '../drivers/emulated/swivel/server.ts';

const here = fileURLToPath(import.meta.url);
const root = path.resolve(path.dirname(here), '..');
const SUITES = ['swivel', 'surepassid', 'profile-service'] as const;
type SuiteName = (typeof SUITES)[number];
const GOAL = 0.7;
const CLK_TCK = 100; // Linux's USER_HZ: /proc/<pid>/stat counts CPU time in these ticks.

export interface ServerBenchOptions {
  /** Measured seconds per load generator and suite, in alternating slices of about a second. Default 5. */
  seconds?: number;
  /** Warm-up seconds per load generator and suite (JIT, keep-alive sockets), not counted. Default 1. */
  warmUpSeconds?: number;
  /** Requests in flight (harness) and connections (autocannon). Default 16. */
  inFlight?: number;
}

export interface Rate {
  requestsPerSecond: number;
  requests: number;
  seconds: number;
  /** CPU share of this process (the load generator) while measuring; 1 = one core busy. */
  clientCpu: number;
  /** CPU share of the server's child process while measuring, null where /proc is not readable. */
  serverCpu: number | null;
}

export interface ServerBenchResult {
  suite: SuiteName;
  /** The request, in one line. */
  endpoint: string;
  inFlight: number;
  /** How many sessions the harness spread the in-flight requests over (bounded by the driver's maxSessions). */
  sessions: number;
  harness: Rate;
  autocannon: Rate;
  ratio: number;
  pass: boolean;
}

export interface ServerBenchRun {
  results: ServerBenchResult[];
  /** How the two processes were placed: which cores, or why not pinned. */
  placement: string;
  /** Wall time of the whole section, server processes' start and stop included. */
  wallSeconds: number;
  /** /proc/loadavg's 1-minute figure before and after: a busy machine shows here. */
  loadBefore: number;
  loadAfter: number;
}

/** One suite's endpoint as both load generators see it. */
interface Target {
  endpoint: string;
  sessions: number;
  /** One request through the driver's session; throws when the answer is not the expected one. */
  call(worker: number, signal: AbortSignal): Promise<void>;
  autocannon: { url: string; method: 'GET' | 'POST'; headers: Record<string, string>; body?: string };
  /** The body every answer must carry (autocannon counts the others as mismatches). */
  expectBody: string;
  stop(): Promise<void>;
}

const context: DriverContext = { rootDir: root, obfuscationKey: null };

async function swivelTarget(url: string, inFlight: number): Promise<Target> {
  const driver = await createSwivelDriver({ url }, context);
  const signal = AbortSignal.timeout(30_000);
  const session = await driver.openSession();
  await session.reset(signal);
  const user = await session.hook('PUT', '/users/bench', {}, { signal });
  if (user.response?.status !== 201) throw new Error(`Swivel PUT /users/bench: ${describeExchange(user)}`);
  const issued = await session.hook('POST', '/users/bench/provision-code', undefined, { signal });
  const code = issued.response?.status === 201 ? (JSON.parse(issued.response.body) as { code?: unknown }).code : null;
  if (typeof code !== 'string') throw new Error(`Swivel provision-code: ${describeExchange(issued)}`);
  const provisioned = await session.provision('bench', code, { signal });
  if (provisioned.result !== 'PASS' || provisioned.id === null) {
    throw new Error(`Swivel provision of the bench user failed: ${JSON.stringify(provisioned)}`);
  }
  const id = provisioned.id;
  const body = `<SASRequest><Version>3.6</Version><Action>SecurityStrings</Action><Id>${id}</Id></SASRequest>`;
  const sample = await session.agentXml(body, { signal });
  if (sample.response?.status !== 200) throw new Error(`Swivel SecurityStrings: ${describeExchange(sample)}`);
  return {
    endpoint: `POST /AgentXML SecurityStrings of a provisioned device (session.securityStrings)`,
    // The driver serves one session (the server has one state); its agent allows 16 sockets.
    sessions: Math.min(driver.maxSessions, inFlight),
    async call(_worker, callSignal) {
      const answer = await session.securityStrings(id, { signal: callSignal });
      if (answer.result !== 'PASS' || answer.strings.length === 0) {
        throw new Error(`SecurityStrings answered ${JSON.stringify(answer)}`);
      }
    },
    autocannon: {
      url: `${driver.urls[0] ?? url}/AgentXML`,
      method: 'POST',
      headers: { 'content-type': 'application/xml' },
      body,
    },
    expectBody: sample.response.body,
    stop: () => driver.stop(),
  };
}

async function surePassIdTarget(url: string, inFlight: number): Promise<Target> {
  const driver = await createSurePassIdDriver({ url }, context);
  const count = Math.min(driver.maxSessions, inFlight);
  const sessions = await Promise.all(Array.from({ length: count }, () => driver.openSession()));
  const body = JSON.stringify({
    type: 'find_device',
    deviceId: 'bench-device',
    spAccountLoginName: 'bench-account',
    spAccountLoginKey: 'not-the-key',
  });
  const first = sessions[0];
  if (first === undefined) throw new Error('SurePassID: no session opened');
  const sample = await first.send(body, AbortSignal.timeout(30_000));
  if (sample.response?.status !== 200 || errorCodeOf(sample.response.body) !== 9000) {
    throw new Error(`SurePassID find_device with bad credentials, expected errorCode 9000: ${JSON.stringify(sample)}`);
  }
  return {
    endpoint: 'POST OATHServer.aspx find_device, bad account credentials (errorCode 9000) (session.send)',
    sessions: count,
    async call(worker, signal) {
      const exchange = await (sessions[worker % count] ?? first).send(body, signal);
      if (exchange.response?.status !== 200 || errorCodeOf(exchange.response.body) !== 9000) {
        throw new Error(`find_device answered ${JSON.stringify(exchange.response ?? exchange.failure)}`);
      }
    },
    autocannon: {
      url: first.endpoint,
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body,
    },
    expectBody: sample.response.body,
    stop: () => driver.stop(),
  };
}

async function profileServiceTarget(url: string, inFlight: number): Promise<Target> {
  const driver = await createProfileServiceDriver({ url }, context);
  const count = Math.min(driver.maxSessions, inFlight);
  const sessions = await Promise.all(Array.from({ length: count }, () => driver.openSession()));
  const first = sessions[0];
  if (first === undefined) throw new Error('profile service: no session opened');
  // The path as the suite builds it (suites/openmobile-profiles/judge.ts requestOf): relative to the base URL.
  const request = { method: 'GET' as const, path: 'v1/profiles/9945?platform=android&mode=production' };
  const sample = await first.exchange(request, AbortSignal.timeout(30_000));
  if (sample.response?.status !== 200 || idOf(sample.response.body) !== 9945) {
    throw new Error(`profile service lookup of 9945, expected 200 with the profile: ${JSON.stringify(sample)}`);
  }
  return {
    endpoint: 'GET /v1/profiles/9945?platform=android&mode=production (session.exchange)',
    sessions: count,
    async call(worker, signal) {
      const exchange = await (sessions[worker % count] ?? first).exchange(request, signal);
      if (exchange.response?.status !== 200 || idOf(exchange.response.body) !== 9945) {
        throw new Error(`lookup answered ${JSON.stringify(exchange.response ?? exchange.failure)}`);
      }
    },
    autocannon: {
      url: new URL(request.path, first.baseUrl).href,
      method: 'GET',
      headers: { accept: 'application/json' },
    },
    expectBody: sample.response.body,
    stop: () => driver.stop(),
  };
}

function errorCodeOf(body: string): unknown {
  try {
    return (JSON.parse(body) as { errorCode?: unknown }).errorCode;
  } catch {
    return undefined;
  }
}

function idOf(body: string): unknown {
  try {
    return (JSON.parse(body) as { id?: unknown }).id;
  } catch {
    return undefined;
  }
}

function describeExchange(exchange: {
  response: { status: number; body: string } | null;
  failure: string | null;
}): string {
  return exchange.response === null
    ? (exchange.failure ?? 'no answer')
    : `${exchange.response.status} ${exchange.response.body.slice(0, 200)}`;
}

/** The server's child process: its URL once it listens, and how to read its CPU time and stop it. */
interface ServerProcess {
  url: string;
  cpuSeconds(): number | null;
  stop(): Promise<void>;
}

function startServerProcess(suite: SuiteName, pin: boolean): Promise<ServerProcess> {
  const node = [process.execPath, ...process.execArgv, here, '--serve', suite];
  const child: ChildProcess = pin
    ? spawn('taskset', ['-c', '1', ...node], { stdio: ['pipe', 'pipe', 'pipe'] })
    : spawn(node[0] as string, node.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`the ${suite} server process did not report its URL within 30 s; stderr: ${stderr}`));
    }, 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the ${suite} server process exited (${code}) before listening; stderr: ${stderr}`));
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      const newline = stdout.indexOf('\n');
      if (newline === -1) return;
      clearTimeout(timer);
      let url: string;
      try {
        url = (JSON.parse(stdout.slice(0, newline)) as { url: string }).url;
      } catch {
        child.kill();
        reject(new Error(`the ${suite} server process wrote ${JSON.stringify(stdout.slice(0, 200))}, not {"url"}`));
        return;
      }
      resolve({
        url,
        cpuSeconds: () => processCpuSeconds(child.pid),
        async stop() {
          // Closing its stdin asks the child to close the server and exit.
          child.stdin?.end();
          const timeout = setTimeout(() => child.kill(), 5000);
          await exited;
          clearTimeout(timeout);
        },
      });
    });
  });
}

/** utime + stime of a process, from /proc (Linux); null elsewhere. */
function processCpuSeconds(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; the fields after its closing parenthesis are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return null;
  }
}

function ownCpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

/** Requests, wall seconds and CPU seconds of both processes, summed over the rounds of one load generator. */
interface Tally {
  requests: number;
  seconds: number;
  clientCpuSeconds: number;
  serverCpuSeconds: number | null;
}

const emptyTally = (): Tally => ({ requests: 0, seconds: 0, clientCpuSeconds: 0, serverCpuSeconds: 0 });

async function measureInto(
  tally: Tally,
  server: ServerProcess,
  run: () => Promise<{ requests: number; seconds: number }>,
): Promise<void> {
  const ownBefore = ownCpuSeconds();
  const serverBefore = server.cpuSeconds();
  const { requests, seconds } = await run();
  const serverAfter = server.cpuSeconds();
  tally.requests += requests;
  tally.seconds += seconds;
  tally.clientCpuSeconds += ownCpuSeconds() - ownBefore;
  tally.serverCpuSeconds =
    tally.serverCpuSeconds === null || serverBefore === null || serverAfter === null
      ? null
      : tally.serverCpuSeconds + (serverAfter - serverBefore);
}

function rateOf(t: Tally): Rate {
  return {
    requestsPerSecond: t.requests / t.seconds,
    requests: t.requests,
    seconds: t.seconds,
    clientCpu: t.clientCpuSeconds / t.seconds,
    serverCpu: t.serverCpuSeconds === null ? null : t.serverCpuSeconds / t.seconds,
  };
}

/** `inFlight` workers, each sending its next request as soon as the previous answer is judged. */
async function driveHarness(
  target: Target,
  inFlight: number,
  ms: number,
): Promise<{ requests: number; seconds: number }> {
  const started = performance.now();
  const deadline = started + ms;
  let requests = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async (_, worker) => {
      // One signal per worker, as the runner gives each case its own.
      const signal = new AbortController().signal;
      while (performance.now() < deadline) {
        await target.call(worker, signal);
        requests++;
      }
    }),
  );
  return { requests, seconds: (performance.now() - started) / 1000 };
}

async function driveAutocannon(
  target: Target,
  inFlight: number,
  seconds: number,
): Promise<{ requests: number; seconds: number }> {
  const result = await autocannon({
    ...target.autocannon,
    connections: inFlight,
    pipelining: 1,
    duration: seconds,
    expectBody: target.expectBody,
  });
  if (result.errors > 0 || result.non2xx > 0 || result.mismatches > 0) {
    throw new Error(
      `autocannon on ${target.autocannon.url}: ${result.errors} errors, ${result.non2xx} non-2xx, ${result.mismatches} bodies unlike the driver's answer`,
    );
  }
  return { requests: result.requests.total, seconds: result.duration };
}

const TARGETS: Record<SuiteName, (url: string, inFlight: number) => Promise<Target>> = {
  swivel: swivelTarget,
  surepassid: surePassIdTarget,
  'profile-service': profileServiceTarget,
};

function loadAverage(): number {
  return os.loadavg()[0] ?? 0;
}

export async function benchServers(options: ServerBenchOptions = {}): Promise<ServerBenchRun> {
  const seconds = options.seconds ?? 5;
  const warmUp = options.warmUpSeconds ?? 1;
  const rounds = Math.max(1, Math.round(seconds));
  const inFlight = options.inFlight ?? 16;
  // Not availableParallelism(): pinned to core 0, this process would see one core.
  const cores = os.cpus().length;
  const pin = cores >= 2 && spawnSync('taskset', ['-c', '1', 'true']).status === 0;
  const self = process.env['HARNESS_BENCH_PINNED'] === '1' ? 'core 0' : 'unpinned';
  const placement = pin
    ? `load generators on ${self}, each reference server in a child process on core 1 (taskset -c 1)`
    : `reference servers in unpinned child processes (${cores < 2 ? 'one core only' : 'taskset not found'})`;
  const started = performance.now();
  const loadBefore = loadAverage();
  const results: ServerBenchResult[] = [];
  for (const suite of SUITES) {
    const server = await startServerProcess(suite, pin);
    try {
      const target = await TARGETS[suite](server.url, inFlight);
      try {
        await driveHarness(target, inFlight, warmUp * 1000);
        await driveAutocannon(target, inFlight, warmUp);
        // Alternating one-second slices rather than one block each: on a shared machine a burst of other
        // work then lands on both load generators alike instead of deciding the ratio.
        const harnessTally = emptyTally();
        const cannonTally = emptyTally();
        for (let round = 0; round < rounds; round++) {
          await measureInto(harnessTally, server, () => driveHarness(target, inFlight, (seconds / rounds) * 1000));
          await measureInto(cannonTally, server, () => driveAutocannon(target, inFlight, seconds / rounds));
        }
        const harness = rateOf(harnessTally);
        const cannon = rateOf(cannonTally);
        const ratio = harness.requestsPerSecond / cannon.requestsPerSecond;
        results.push({
          suite,
          endpoint: target.endpoint,
          inFlight,
          sessions: target.sessions,
          harness,
          autocannon: cannon,
          ratio,
          pass: ratio >= GOAL,
        });
      } finally {
        await target.stop();
      }
    } finally {
      await server.stop();
    }
  }
  return {
    results,
    placement,
    wallSeconds: (performance.now() - started) / 1000,
    loadBefore,
    loadAfter: loadAverage(),
  };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const pct = (n: number) => `${Math.round(n * 100)}%`;
/** Client CPU per request: what other processes competing for core 0 do not inflate, unlike requests/s. */
const perRequest = (r: Rate) =>
  `${((r.clientCpu * r.seconds * 1e6) / r.requests).toFixed(0)} µs client CPU per request`;
const cpuRatio = (r: ServerBenchResult) =>
  r.autocannon.clientCpu / r.autocannon.requestsPerSecond / (r.harness.clientCpu / r.harness.requestsPerSecond);
const cpu = (r: Rate) =>
  `${perRequest(r)} (client CPU ${pct(r.clientCpu)}${r.serverCpu === null ? '' : `, server CPU ${pct(r.serverCpu)}`})`;

export function serverBenchLines(run: ServerBenchRun): string[] {
  const lines = [
    `servers: ${run.placement}; load average ${run.loadBefore.toFixed(2)} before, ${run.loadAfter.toFixed(2)} after`,
  ];
  for (const r of run.results) {
    lines.push(
      `server ${r.suite.padEnd(16)} harness ${fmt(r.harness.requestsPerSecond)} req/s, autocannon ${fmt(r.autocannon.requestsPerSecond)} req/s: ${pct(r.ratio)} (goal >= ${pct(GOAL)}) ${r.pass ? 'PASS' : 'FAIL'}`,
      `                               ${r.endpoint}; ${r.inFlight} in flight over ${r.sessions} session(s) vs ${r.inFlight} connections, pipelining 1; ${r.harness.seconds.toFixed(1)} s each in alternating slices after a warm-up`,
      `                               harness: ${cpu(r.harness)}; autocannon: ${cpu(r.autocannon)}; by client CPU per request the harness is at ${pct(cpuRatio(r))}`,
    );
  }
  lines.push(`server section wall time:      ${run.wallSeconds.toFixed(1)} s`);
  return lines;
}

/** Child mode: start one reference server, print its URL, serve until stdin closes. */
async function serve(suite: string): Promise<void> {
  let url: string;
  let close: () => Promise<void>;
  switch (suite) {
    case 'swivel': {
      const reference = await startSwivelReference({});
      url = reference.urls[0] as string;
      close = () => reference.close();
      break;
    }
    case 'surepassid': {
      const reference = await startSurePassIdReference({});
      url = reference.url;
      close = () => reference.close();
      break;
    }
    case 'profile-service': {
      const catalog = JSON.parse(readFileSync(path.join(root, 'vectors/openmobile/profiles.json'), 'utf8')) as Catalog;
      const service = await startProfileService(catalog, { admin: true });
      url = service.baseUrl;
      close = () => service.close();
      break;
    }
    default:
      throw new Error(`--serve: unknown suite "${suite}" (known: ${SUITES.join(', ')})`);
  }
  process.stdout.write(`${JSON.stringify({ url })}\n`);
  process.stdin.resume();
  process.stdin.once('end', () => void close().then(() => process.exit(0)));
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain && process.argv[2] === '--serve') {
  await serve(process.argv[3] ?? '');
} else if (isMain) {
  if (process.env['HARNESS_BENCH_PINNED'] !== '1' && spawnSync('taskset', ['-c', '0', 'true']).status === 0) {
    const child = spawnSync(
      'taskset',
      ['-c', '0', process.execPath, ...process.execArgv, here, ...process.argv.slice(2)],
      {
        stdio: 'inherit',
        env: { ...process.env, HARNESS_BENCH_PINNED: '1' },
      },
    );
    process.exit(child.status ?? 1);
  }
  const run = await benchServers({ seconds: Number(process.argv[2] ?? 5) });
  for (const line of serverBenchLines(run)) console.log(line);
}
