/**
 * A target that stops answering mid-run costs seconds, not hours: at default settings (10 s per case) the
 * real CLI stops it within 30 s of its first silence, with one message naming the endpoint that did not
 * answer, and reports the rest as a count of cases not run (console, summary.json, junit.xml), never as
 * thousands of broken copies; its run-level checks are not run rather than passed on nothing.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startMisbehavingAdapter } from '../../drivers/http/misbehaving.ts';
import type { SummaryFile } from '../../src/reporters/summary.ts';
import { KEY, repoPaths, runCli, runInProcess, tempProject } from '../e2e/helpers.ts';
import { startFaultyAdapter, type Fault } from './faulty-adapter.ts';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((a) => a.close()));
});

function project(url: string): string {
  // Default timeouts: nothing about time is configured.
  return tempProject(
    `export default { ${repoPaths()} obfuscation: { key: '${KEY}' },\n  targets: [{ name: 'lab-phone', driver: 'http', options: { url: '${url}' } }] };\n`,
  );
}

describe('a dead target', () => {
  const cases: { fault: Fault; silence: RegExp; probe: RegExp }[] = [
    {
      fault: 'hang-after-reset',
      silence: /the case did not finish within 10000 ms \(timeoutMs\): POST \/v1\/(reset|provision) had not answered/,
      probe: /GET \/v1\/info had not answered \(no answer within 5000 ms\)/,
    },
    {
      fault: 'refuse-after-reset',
      // Refused, or reset when the adapter's sockets went down mid-request (whichever request was in flight).
      silence: /(POST|GET) \/v1\/\w+ failed before any answer: [^;]+\((ECONNREFUSED|ECONNRESET)\)/,
      probe: /GET \/v1\/info failed before any answer: connection refused/,
    },
  ];
  for (const { fault, silence, probe } of cases) {
    it(`(${fault}) is stopped within 30 s at default settings, naming the endpoint, the rest counted as not run`, async () => {
      const adapter = await startFaultyAdapter(fault, { obfuscationKey: KEY });
      open.push(adapter);
      const dir = project(adapter.url);
      const run = await runCli(['run', '--target', 'lab-phone'], dir);
      const stoppedAt = Date.now();
      const faultAt = adapter.faultStartedAt();
      expect(faultAt).not.toBeNull();
      expect(stoppedAt - (faultAt ?? 0)).toBeLessThan(30_000);
      expect(run.code).toBe(1);

      // One message, naming the adapter, the request that went unanswered and the failed probe.
      const message = new RegExp(`lab-phone stopped answering: .*${silence.source}.*its health probe failed too`);
      expect(run.stderr + run.stdout, run.stdout).toMatch(message);
      expect(run.stdout).toMatch(probe);
      expect(run.stdout).toContain(`the adapter at ${adapter.url}/`);
      expect(run.stdout).toMatch(/[\d,]+ case\(s\) not run on lab-phone/);
      expect(run.stdout).not.toMatch(/conformant/);

      const reports = path.join(dir, 'reports');
      const summary = JSON.parse(readFileSync(path.join(reports, 'summary.json'), 'utf8')) as SummaryFile;
      expect(summary.status).toBe('complete');
      expect(summary.conformant).toBe(false);
      expect(summary.exitCode).toBe(1);
      const target = summary.targets['lab-phone'];
      expect(target?.error).toMatch(message);
      // The case that met the silence is broken; the plan's other cases (about 1,100) are a count.
      expect(summary.counts.broken).toBeLessThanOrEqual(3);
      expect(target?.notRun).toBeGreaterThan(1000);
      expect(summary.notRun).toBe(target?.notRun);
      expect(summary.total + summary.notRun).toBeGreaterThan(1000);
      // No run-level check passed on a target that stopped answering.
      expect(summary.total).toBe(Object.values(summary.counts).reduce((a, b) => a + b, 0));
      const results = readFileSync(path.join(reports, 'results.jsonl'), 'utf8').trim().split('\n');
      expect(results.filter((l) => l.includes('"om:run-')).length).toBe(0);

      const junit = readFileSync(path.join(reports, 'junit.xml'), 'utf8');
      expect(junit).toMatch(
        /<testcase name="not-run"[^>]*>\s*<error message="[\d,]+ case\(s\) not run: lab-phone stopped answering/,
      );
      expect(junit).not.toContain('run-in-progress');
    });
  }

  it('a target whose every case broke does not pass its run-level checks on nothing', async () => {
    // Answers garbage to every provision: alive (never stopped), every case broken.
    const adapter = await startMisbehavingAdapter('garbage');
    open.push(adapter);
    const { outcome, results } = await runInProcess(
      { targets: [{ name: 'garbage', driver: 'http', options: { url: adapter.url } }] },
      { target: ['garbage'], grep: ['om:ex-'] },
    );
    expect(results.length).toBeGreaterThan(3);
    expect(results.every((r) => r.verdict === 'broken')).toBe(true);
    expect(results.some((r) => r.id.startsWith('om:run-'))).toBe(false);
    expect(outcome.summary.notRun?.['garbage']).toBeGreaterThan(0);
    expect(outcome.exitCode).toBe(1);
  });

  it('an adapter that answers its probe but hangs every case is stopped after three silent cases', async () => {
    const adapter = await startMisbehavingAdapter('hang');
    open.push(adapter);
    const started = Date.now();
    const { outcome, results } = await runInProcess(
      { timeoutMs: 500, targets: [{ name: 'hung', driver: 'http', options: { url: adapter.url } }] },
      { target: ['hung'] },
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(results.filter((r) => r.verdict === 'broken').length).toBe(3);
    for (const r of results.filter((r) => r.verdict === 'broken'))
      expect(r.message).toMatch(/did not finish within 500 ms \(timeoutMs\): POST \/v1\/provision had not answered/);
    expect(outcome.summary.notRun?.['hung']).toBeGreaterThan(1000);
    expect(adapter.provisionRequests()).toBeGreaterThanOrEqual(3);
    expect(adapter.provisionRequests()).toBeLessThanOrEqual(4);
  });
});
