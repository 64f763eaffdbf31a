/**
 * `npx harness run --target http://127.0.0.1:PORT`: the same plan through the http driver and the example
 * adapter gives the same verdict for every case as the in-process emulated clients; a misbehaving adapter
 * yields broken cases, never a crashed run.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startExampleAdapter, type RunningExampleAdapter } from '../../drivers/http/adapter-example.ts';
import { startMisbehavingAdapter, type MisbehaviourKind } from '../../drivers/http/misbehaving.ts';
import type { CaseResult } from '../../src/core/results.ts';
import { KEY, runInProcess } from './helpers.ts';

const running: { close(): Promise<void> }[] = [];
afterAll(async () => {
  await Promise.all(running.map((r) => r.close()));
});

function verdicts(results: CaseResult[]): Map<string, string> {
  return new Map(results.map((r) => [r.id, `${r.verdict} ${JSON.stringify(r.choices)}`]));
}

describe('through the http driver', () => {
  for (const platform of ['android', 'ios'] as const) {
    it(`gives the in-process verdicts on ${platform}, case for case`, async () => {
      const adapter: RunningExampleAdapter = await startExampleAdapter({ platform, obfuscationKey: KEY });
      running.push(adapter);
      const inProcess = await runInProcess({}, { target: [`emulated-${platform}`] });
      const overHttp = await runInProcess({}, { target: [adapter.url] });
      expect(overHttp.results.length).toBe(inProcess.results.length);
      expect(overHttp.results.filter((r) => r.verdict === 'broken').map((r) => `${r.id}: ${r.message}`)).toEqual([]);
      const a = verdicts(inProcess.results);
      const b = verdicts(overHttp.results);
      const differing = [...a.keys()]
        .filter((id) => a.get(id) !== b.get(id))
        .map((id) => `${id}: ${a.get(id)} vs ${b.get(id)}`);
      expect(differing).toEqual([]);
      expect(overHttp.outcome.exitCode).toBe(0);
    });
  }

  it('catches a seeded defect through the adapter', async () => {
    const adapter = await startExampleAdapter({
      platform: 'android',
      obfuscationKey: KEY,
      defects: ['missed-soft-domain-default'],
    });
    running.push(adapter);
    const { outcome, results } = await runInProcess({}, { target: [adapter.url], grep: ['OM-SOFT-DOMAIN-DEFAULT'] });
    expect(results.some((r) => r.verdict === 'fail' && r.requirements.includes('OM-SOFT-DOMAIN-DEFAULT'))).toBe(true);
    expect(outcome.exitCode).toBe(1);
  });
});

describe('a misbehaving adapter', () => {
  const kinds: MisbehaviourKind[] = ['hang', 'garbage', 'drop', 'wrong-status', 'schema'];
  for (const kind of kinds) {
    it(`(${kind}) gives broken cases that name the endpoint, and the run finishes`, async () => {
      const adapter = await startMisbehavingAdapter(kind);
      running.push(adapter);
      const { outcome, results } = await runInProcess(
        { timeoutMs: 400, targets: [{ name: 'bad', driver: 'http', options: { url: adapter.url, timeoutMs: 200 } }] },
        { target: ['bad'], grep: ['om:ex-'] },
      );
      const broken = results.filter((r) => r.verdict === 'broken');
      expect(broken.length).toBeGreaterThan(0);
      expect(broken.every((r) => r.category === 'broken-target')).toBe(true);
      expect(broken[0]?.message).toMatch(/POST \/v1\/provision|did not finish within/);
      expect(results.filter((r) => r.verdict === 'fail' && !r.id.startsWith('om:run-'))).toEqual([]);
      expect(outcome.exitCode).toBe(1);
    });
  }
});

describe('capabilities', () => {
  it('reports cases needing a capability the adapter lacks as not applicable, and judges the rest without them', async () => {
    const { createEmulatedDriver } = await import('../../drivers/emulated/driver.ts');
    const { startAdapterServer } = await import('../../drivers/http/adapter-server.ts');
    const driver = await createEmulatedDriver({ platform: 'android' }, { rootDir: process.cwd(), obfuscationKey: KEY });
    const info = { ...(await driver.info()), capabilities: [] };
    const server = await startAdapterServer({ session: await driver.openSession(), info });
    running.push({
      close: async () => {
        await server.close();
        await driver.stop();
      },
    });
    const { results } = await runInProcess({}, { target: [server.url], grep: ['om:rc-'] });
    const byId = new Map(results.map((r) => [r.id, r]));
    // No network control: the "no Internet" case cannot be set up; no concurrency: result 1 cannot be provoked.
    expect(byId.get('om:rc-32@android-intent')?.verdict).toBe('not-applicable');
    expect(byId.get('om:rc-32@android-intent')?.message).toMatch(/needs the network capability/);
    expect(byId.get('om:rc-1@android-intent')?.verdict).toBe('not-applicable');
    // Everything else is still judged, from what the adapter reports (no state, no logs).
    const judged = results.filter((r) => r.verdict !== 'not-applicable' && !r.id.startsWith('om:run-'));
    expect(judged.length).toBeGreaterThan(10);
    expect(judged.filter((r) => r.verdict === 'fail' || r.verdict === 'broken')).toEqual([]);
  });
});
