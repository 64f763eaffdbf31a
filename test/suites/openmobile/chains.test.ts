import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KEY, ROOT, loadedOpenMobileSuite } from '../../e2e/helpers.ts';
import type { Catalog, TargetInfo } from '../../../protocols/openmobile/types.ts';
import { orderCases } from '../../../src/runner/select.ts';
import { caseEnds, chainCases, reachesStart } from '../../../suites/openmobile/chains.ts';
import type { ModelState } from '../../../suites/openmobile/types.ts';
import type { OpenMobileCase } from '../../../suites/openmobile/execute.ts';

const CATALOG = JSON.parse(readFileSync(path.join(ROOT, 'vectors/openmobile/profiles.json'), 'utf8')) as Catalog;

async function plannedCases(platform: 'ios' | 'android'): Promise<OpenMobileCase[]> {
  const suite = await loadedOpenMobileSuite();
  const info: TargetInfo = {
    name: 't',
    platform,
    methods: platform === 'ios' ? ['url'] : ['url', 'intent'],
    capabilities: ['state', 'logs', 'network'],
  } as TargetInfo;
  const plan = suite.plan(info, { name: 't', precedence: null, resets: 'fewest' });
  expect(plan.chains).toBeDefined();
  // Through the plan, as the runner calls it; the chains hold the suite's own cases.
  return orderCases(plan.cases, 1) as OpenMobileCase[];
}

describe('chainCases', () => {
  for (const platform of ['android', 'ios'] as const) {
    it(`chains every ${platform} case once, each one starting where the one before ends`, async () => {
      const cases = await plannedCases(platform);
      const ctx = { catalog: CATALOG, obfuscationKey: KEY };
      const chains = chainCases(cases, ctx);
      let reached = 0;
      const flat = chains.flat();
      expect(flat.length).toBe(cases.length);
      expect(new Set(flat.map((c) => c.id)).size).toBe(cases.length);
      for (const chain of chains) {
        for (let i = 1; i < chain.length; i++) {
          const before = caseEnds(chain[i - 1] as OpenMobileCase, ctx);
          const next = chain[i] as OpenMobileCase;
          const after = caseEnds(next, ctx);
          expect(before.end, `${chain[i - 1]?.id} -> ${next.id}`).not.toBeNull();
          // Where the one before ends, or where its given steps reach their start from (sent from there).
          if (before.end === after.start) continue;
          reached++;
          expect((next.vector.given ?? []).length, next.id).toBeGreaterThan(0);
          expect(reachesStart(next, ctx, before.endState as ModelState, after.start), next.id).toBe(true);
        }
      }
      // The point: far fewer chains (resets) than cases; some chains link by given steps sent from a state.
      expect(chains.length).toBeLessThan(cases.length / 2);
      expect(reached).toBeGreaterThan(0);
      // Longest first, after the regressions.
      const lengths = chains.filter((c) => c[0]?.area !== 'regressions').map((c) => c.length);
      expect(lengths).toEqual([...lengths].sort((a, b) => b - a));
    });
  }

  it('keeps regressions first and alone, and an overlapping or offline case ends its chain', async () => {
    const cases = await plannedCases('android');
    const ctx = { catalog: CATALOG, obfuscationKey: KEY };
    const first = cases[0] as OpenMobileCase;
    const regression = { ...first, id: 'REG-1@android-url', area: 'regressions' };
    const chains = chainCases([...cases, regression], ctx);
    expect(chains[0]).toEqual([regression]);
    for (const chain of chains) {
      chain.slice(0, -1).forEach((c) => {
        expect(c.vector.when.concurrent, c.id).toBeUndefined();
        expect(c.vector.when.network ?? 'online', c.id).toBe('online');
      });
    }
    const offline = cases.find((c) => c.vector.when.network === 'offline') as OpenMobileCase;
    expect(caseEnds(offline, ctx).end).toBeNull();
  });
});
