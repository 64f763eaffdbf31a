/**
 * A provisioning server that dies mid-run costs seconds, not an hour: the server drivers (swivel,
 * surepassid, profile-service) have a health probe each and tell the circuit breaker when a case ended on a
 * request with no answer (a hang the suite judged included), so a server that stops answering is stopped
 * within 30 s of its first silence at default settings, with one message naming the endpoint that did not
 * answer and the failed probe; its remaining cases are a count of cases not run. A server that hangs on one
 * request but still answers its probe goes on. Real loopback HTTP: reference servers behind a proxy that
 * hangs, refuses or resets (faulty-server.ts).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSuites, DRIVERS, suiteOf } from '../../src/cli/builtins.ts';
import { resolveConfig } from '../../src/config/resolve.ts';
import type { HarnessConfig } from '../../src/config/types.ts';
import type { Reporter } from '../../src/core/reporter.ts';
import type { CaseResult } from '../../src/core/results.ts';
import type { SummaryFile } from '../../src/reporters/summary.ts';
import { runPlan, type RunOutcome } from '../../src/runner/run.ts';
import { startProfileService as startReferenceProfileService } from '../../drivers/emulated/profile-service.ts';
import { startSurePassIdReference } from '../../drivers/emulated/surepassid/server.ts';
import { startSwivelReference } from '../../drivers/emulated/swivel/server.ts';
import { KEY, repoPaths, ROOT, runCli, tempProject } from '../e2e/helpers.ts';
import { startFaultyServer, type ServerFault } from './faulty-server.ts';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

/** The plan in process with the given config; the results and every target error. */
async function run(
  config: HarnessConfig,
  target: string,
): Promise<{
  outcome: RunOutcome;
  results: CaseResult[];
  errors: Map<string, string>;
  ms: number;
  planned: number;
}> {
  const resolved = resolveConfig(
    { file: path.join(ROOT, 'harness.config.ts'), config: { obfuscation: { key: KEY }, ...config } },
    { target: [target] },
    {},
    ROOT,
  );
  const results: CaseResult[] = [];
  const errors = new Map<string, string>();
  let planned = 0;
  const reporter: Reporter = {
    onBegin: (_run, targets) => void (planned = targets.reduce((n, t) => n + t.planned, 0)),
    onCaseEnd: (r) => void results.push(r),
    onTargetError: (t, message) => void errors.set(t, message),
  };
  const started = Date.now();
  const outcome = await runPlan(
    resolved,
    { suites: createSuites(), suiteOf, drivers: DRIVERS, reporter },
    { startedAt: new Date().toISOString(), command: 'test', harnessVersion: 'test' },
  );
  return { outcome, results, errors, ms: Date.now() - started, planned };
}

async function swivelBehind(fault: ServerFault, after: number) {
  const reference = await startSwivelReference();
  open.push(reference);
  const proxy = await startFaultyServer(reference.urls[0] ?? '', fault, after);
  open.push(proxy);
  return proxy;
}

describe('a dead server', () => {
  it('(swivel, hangs) is stopped within 30 s at default settings by the real CLI, naming the endpoint', async () => {
    const proxy = await swivelBehind('hang', 40);
    // Default timeouts: nothing about time is configured.
    const dir = tempProject(
      `export default { ${repoPaths()}\n  targets: [{ name: 'swivel-lab', driver: 'swivel', options: { url: '${proxy.url}' } }] };\n`,
    );
    const cli = await runCli(['run', '--target', 'swivel-lab'], dir);
    const stoppedAt = Date.now();
    const faultAt = proxy.faultStartedAt();
    expect(faultAt, cli.stdout).not.toBeNull();
    expect(stoppedAt - (faultAt ?? 0)).toBeLessThan(30_000);
    expect(cli.code).toBe(1);

    const message = new RegExp(
      'swivel-lab stopped answering: the case did not finish within 10000 ms \\(timeoutMs\\): (GET|POST|PUT) ' +
        `${proxy.url}/\\S+ had not answered; its health probe failed too: the Swivel server at ${proxy.url}: ` +
        `GET ${proxy.url}/harness/v1/info had not answered \\(no answer within 5000 ms\\)`,
    );
    expect(cli.stdout + cli.stderr).toMatch(message);
    expect(cli.stdout).toMatch(/[\d,]+ case\(s\) not run on swivel-lab: see the target error above/);
    // The probe was the only request after the one that hung (no case was started on a dead server).
    expect(proxy.requestsAfterFault()).toBeLessThanOrEqual(2);

    const summary = JSON.parse(readFileSync(path.join(dir, 'reports/summary.json'), 'utf8')) as SummaryFile;
    expect(summary).toMatchObject({ status: 'complete', conformant: false, exitCode: 1 });
    expect(summary.targets['swivel-lab']?.error).toMatch(message);
    expect(summary.counts.broken).toBe(1);
    expect(summary.counts.fail).toBe(0);
    expect(summary.notRun).toBeGreaterThan(10);
    expect(summary.total + summary.notRun).toBeGreaterThan(100);
  });

  it('(surepassid, 8 sessions, refuses connections) is stopped within a few seconds', async () => {
    const reference = await startSurePassIdReference();
    open.push(reference);
    const proxy = await startFaultyServer(reference.url, 'refuse', 60);
    open.push(proxy);
    const { outcome, results, errors, ms, planned } = await run(
      { targets: [{ name: 'sp-lab', driver: 'surepassid', options: { url: proxy.url } }] },
      'sp-lab',
    );
    expect(ms).toBeLessThan(30_000);
    expect(errors.get('sp-lab')).toMatch(
      new RegExp(
        `^sp-lab stopped answering: .*; its health probe failed too: the SurePassID server at ${proxy.url}: ` +
          `GET ${proxy.url}/__harness/info: connection refused: nothing listens there \\(ECONNREFUSED\\)\\. ` +
          'The target was stopped: \\d+ case\\(s\\) not run',
      ),
    );
    // The cases in flight when it died may each have met the silence (8 sessions); no more.
    const bad = results.filter((r) => r.verdict === 'broken' || r.verdict === 'fail');
    expect(bad.length).toBeGreaterThan(0);
    expect(bad.length).toBeLessThanOrEqual(8);
    expect(outcome.summary.notRun?.['sp-lab']).toBeGreaterThan(0);
    expect(results.length + (outcome.summary.notRun?.['sp-lab'] ?? 0)).toBe(planned);
    expect(outcome.exitCode).toBe(1);
  });

  it('(surepassid, 8 sessions, hangs) is stopped within 30 s at default settings, by one probe', async () => {
    const reference = await startSurePassIdReference();
    open.push(reference);
    const proxy = await startFaultyServer(reference.url, 'hang', 60);
    open.push(proxy);
    const { outcome, results, errors, planned } = await run(
      { targets: [{ name: 'sp-lab', driver: 'surepassid', options: { url: proxy.url } }] },
      'sp-lab',
    );
    expect(Date.now() - (proxy.faultStartedAt() ?? 0)).toBeLessThan(30_000);
    expect(errors.get('sp-lab')).toMatch(
      new RegExp(
        '^sp-lab stopped answering: the case did not finish within 10000 ms \\(timeoutMs\\): (GET|POST) ' +
          `${proxy.url}/\\S+ had not answered; its health probe failed too: the SurePassID server at ${proxy.url}: ` +
          `GET ${proxy.url}/__harness/info had not answered \\(no answer within 5000 ms\\)`,
      ),
    );
    // The cases in flight (at most 8) broke on the case timeout; the others were not run.
    expect(results.filter((r) => r.verdict === 'broken').length).toBeLessThanOrEqual(8);
    expect(results.length + (outcome.summary.notRun?.['sp-lab'] ?? 0)).toBe(planned);
  });

  it('(profile-service, resets every connection) is stopped after the first case that met it', async () => {
    const service = await startReferenceProfileService({ profiles: [] }, { admin: true });
    open.push(service);
    const proxy = await startFaultyServer(service.baseUrl, 'reset', 30);
    open.push(proxy);
    const { outcome, results, errors } = await run(
      { targets: [{ name: 'portal', driver: 'profile-service', options: { url: proxy.url } }] },
      'portal',
    );
    expect(errors.get('portal')).toMatch(
      new RegExp(
        `^portal stopped answering: (GET|PUT|PATCH|POST) ${proxy.url}/\\S+ gave no answer: the connection was reset before an answer \\(ECONNRESET\\); ` +
          `its health probe failed too: the profile server at ${proxy.url}/: GET ${proxy.url}/v1/profiles/0\\?platform=android&mode=production gave no answer`,
      ),
    );
    const bad = results.filter((r) => r.verdict === 'broken' || r.verdict === 'fail');
    expect(bad).toHaveLength(1);
    expect(outcome.summary.notRun?.['portal']).toBeGreaterThan(10);
  });

  it('a server that hangs on one request but answers its probe is not stopped', async () => {
    // The seeded defect: a body that is not JSON is never answered. One vector sends one.
    const { outcome, results, errors, planned } = await run(
      {
        timeoutMs: 5_000,
        targets: [
          {
            name: 'sp-hang',
            driver: 'surepassid',
            options: { reference: true, defects: ['non-json-hang'], timeoutMs: 500 },
          },
        ],
      },
      'sp-hang',
    );
    expect([...errors.values()]).toEqual([]);
    expect(outcome.summary.notRun ?? {}).toEqual({});
    const failed = results.filter((r) => r.verdict === 'fail');
    expect(failed.length).toBeGreaterThan(0);
    for (const r of failed) expect(r.message).toMatch(/no answer \(a hang\): no answer within 500 ms/);
    expect(planned).toBeGreaterThan(50);
    expect(results.length).toBe(planned);
  });
});
