/**
 * Re-running through the real CLI, on a target that is flaky for real: the bundled example adapter on
 * loopback behind a proxy that answers 500 to the first N `POST /v1/provision` requests (a device that
 * drops a request now and then). `--retries` turns a case that broke, then passed into a *flaky* one (exit 0,
 * both attempts in the reports) and keeps a case that breaks on every attempt broken (exit 1);
 * `--last-failed` re-runs exactly the previous run's failures; `--bail` stops at the first one.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExampleAdapter, type RunningExampleAdapter } from '../../drivers/http/adapter-example.ts';
import type { SummaryFile } from '../../src/reporters/summary.ts';
import { KEY, repoPaths, runCli, tempProject } from './helpers.ts';

const CASE = 'om:ex-complete-android@android-url';

let upstream: RunningExampleAdapter;
let proxy: http.Server;
let target: string;
/** How many `POST /v1/provision` requests are still answered 500. */
let failsLeft = 0;

beforeAll(async () => {
  upstream = await startExampleAdapter({ platform: 'android', obfuscationKey: KEY });
  const to = new URL(upstream.url);
  proxy = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'POST' && req.url?.startsWith('/v1/provision') === true && failsLeft > 0) {
        failsLeft--;
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"device busy"}');
        return;
      }
      const out = http.request(
        { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      out.on('error', () => res.destroy());
      out.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  target = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => proxy.close(() => resolve()));
  await upstream.close();
});

const project = () => tempProject(`export default { ${repoPaths()} obfuscation: { key: '${KEY}' } };\n`);
const summaryIn = (dir: string) =>
  JSON.parse(readFileSync(path.join(dir, 'reports/summary.json'), 'utf8')) as SummaryFile;

describe('--retries on a flaky target', () => {
  it('a case that broke, then passed, is flaky: exit 0, both attempts in the console, summary.json and JUnit', async () => {
    const dir = project();
    failsLeft = 1;
    const run = await runCli(['run', '--target', target, '--grep', CASE, '--retries', '2'], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`FLAKY ${CASE} on ${target}`);
    expect(run.stderr).toMatch(/attempt 1 broken \(.*500.*\), attempt 2 pass/);
    // An adapter is no deterministic target: no note against retrying it.
    expect(run.stderr).not.toContain('deterministic target');
    expect(run.stdout).toContain('conformant: no failed and no broken cases (1 flaky: passed on a retry)');
    const summary = summaryIn(dir);
    expect(summary.flaky.count).toBe(1);
    expect(summary.flaky.cases[0]?.attempts.map((a) => a.verdict)).toEqual(['broken', 'pass']);
    expect(summary.exitCode).toBe(0);
    const junit = readFileSync(path.join(dir, 'reports/junit.xml'), 'utf8');
    expect(junit).toContain('<flakyError message="attempt 1 of 2: broken:');
    const lines = readFileSync(path.join(dir, 'reports/results.jsonl'), 'utf8').trim().split('\n');
    const result = lines.map((l) => JSON.parse(l) as { id: string; flaky?: boolean }).find((r) => r.id === CASE);
    expect(result?.flaky).toBe(true);
  });

  it('a case that breaks on every attempt stays broken, with every attempt (flaky never hides it)', async () => {
    const dir = project();
    failsLeft = 1_000;
    const run = await runCli(['run', '--target', target, '--grep', CASE, '--retries', '1'], dir);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toContain(`BROKEN ${CASE}`);
    const summary = summaryIn(dir);
    expect(summary.flaky.count).toBe(0);
    expect(summary.failures.map((f) => [f.id, f.verdict, f.attempts?.length])).toEqual([[CASE, 'broken', 2]]);

    // The target healed: --last-failed re-runs that case alone, from the results the failed run left.
    failsLeft = 0;
    const again = await runCli(['run', '--target', target, '--last-failed'], dir);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain(
      `--last-failed: re-running the 1 case(s) that failed or broke in the previous run (reports/results.jsonl) on ${target}`,
    );
    expect(summaryIn(dir).counts.pass).toBeGreaterThanOrEqual(1);
    expect(summaryIn(dir).failures).toEqual([]);

    // Nothing failed last time: nothing to re-run, exit 0, the reports left as they are.
    const before = readFileSync(path.join(dir, 'reports/summary.json'), 'utf8');
    const nothing = await runCli(['run', '--target', target, '--last-failed'], dir);
    expect(nothing.code, nothing.stderr).toBe(0);
    expect(nothing.stderr).toMatch(
      /--last-failed: no failed or broken case in reports\/results\.jsonl \(\d+ result\(s\)\): nothing to re-run/,
    );
    expect(readFileSync(path.join(dir, 'reports/summary.json'), 'utf8')).toBe(before);
    // Three runs of the CLI: room for a loaded CI machine.
  }, 150_000);

  it('--last-failed with no previous run is a usage error', async () => {
    const run = await runCli(['run', '--last-failed'], project());
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'HARNESS_USAGE: --last-failed: no previous run in reports (reports/results.jsonl does not exist)',
    );
  });
});

describe('--bail', () => {
  it('stops at the first failure and writes every report with the rest not run, and why', async () => {
    const dir = project();
    failsLeft = 1_000;
    const run = await runCli(['run', '--target', target, '--grep', 'om:ex-complete', '--bail'], dir);
    failsLeft = 0;
    expect(run.code, run.stderr).toBe(1);
    const summary = summaryIn(dir);
    expect(summary.status).toBe('stopped');
    expect(summary.stopped).toBe('stopped after 1 failed or broken case (--bail)');
    expect(summary.counts.broken).toBe(1);
    expect(summary.notRun).toBeGreaterThan(0);
    expect(run.stdout).toContain('not run on');
    expect(run.stdout).toContain('stopped after 1 failed or broken case (--bail)');
    expect(readFileSync(path.join(dir, 'reports/junit.xml'), 'utf8')).toContain(
      'case(s) not run: stopped after 1 failed or broken case (--bail)',
    );
  });
});
