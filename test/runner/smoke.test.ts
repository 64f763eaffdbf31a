/**
 * `--tier smoke`: the fewest cases of a target's plan that still meet every requirement the full plan
 * covers and every choice-point option its requests reach, chosen by the model, the same on every run.
 */
import { describe, expect, it } from 'vitest';
import { defaultCommandContext } from '../../src/core/commands.ts';
import type { TargetInfo } from '../../protocols/openmobile/types.ts';
import { orderCases, smokeCases } from '../../src/runner/select.ts';
import { loadedOpenMobileSuite } from '../e2e/helpers.ts';

const TARGETS: TargetInfo[] = [
  {
    name: 'a',
    version: '1',
    platform: 'android',
    methods: ['url', 'intent'],
    capabilities: ['state', 'logs', 'network'],
  },
  { name: 'i', version: '1', platform: 'ios', methods: ['url'], capabilities: ['state', 'logs'] },
];

describe('the smoke tier', () => {
  it('picks the case covering most first, ties by id, in the given order', () => {
    const cases = [
      { id: 'c', covers: ['r1'] },
      { id: 'b', covers: ['r1', 'r2'] },
      { id: 'a', covers: ['r2', 'r3'] },
      { id: 'd', covers: ['r3'] },
    ];
    expect(smokeCases(cases, (c) => c.covers).map((c) => c.id)).toEqual(['b', 'a']);
    expect(smokeCases([], (c: { id: string }) => [c.id])).toEqual([]);
  });

  it('takes the cheaper of two cases that cover as much, and never a larger set for a cheaper one', () => {
    const cases = [
      { id: 'a', covers: ['r1', 'r2'], cost: 5 },
      { id: 'b', covers: ['r1', 'r2'], cost: 2 },
      { id: 'c', covers: ['r3'], cost: 1 },
      // Cheaper per item, but it would take two cases where one does.
      { id: 'd', covers: ['r1'], cost: 1 },
      { id: 'e', covers: ['r2'], cost: 1 },
    ];
    const covers = (c: (typeof cases)[number]) => c.covers;
    expect(smokeCases(cases, covers, (c) => c.cost).map((c) => c.id)).toEqual(['b', 'c']);
    // Without costs, ties go to the smaller id.
    expect(smokeCases(cases, covers).map((c) => c.id)).toEqual(['a', 'c']);
  });

  for (const info of TARGETS) {
    it(`on ${info.platform}: covers every requirement and choice option of the full plan with far fewer cases, deterministically`, async () => {
      const suite = await loadedOpenMobileSuite();
      const plan = suite.plan(info, {
        name: info.name,
        precedence: null,
        resets: 'fewest',
        commands: defaultCommandContext(),
      });
      const coverage = plan.coverage;
      expect(coverage).toBeDefined();
      const covers = (c: (typeof plan.cases)[number]) => coverage?.(c) ?? [];
      const cost = (c: (typeof plan.cases)[number]) => plan.cost?.(c) ?? 1;
      const smoke = smokeCases(plan.cases, covers, cost);
      const full = new Set(plan.cases.flatMap(covers));
      const met = new Set(smoke.flatMap(covers));
      expect([...full].filter((item) => !met.has(item))).toEqual([]);
      // Every requirement of the full plan, and choice options too (not only requirements).
      for (const r of new Set(plan.cases.flatMap((c) => c.requirements))) expect(met.has(r)).toBe(true);
      const choices = [...full].filter((item) => item.startsWith('choice:'));
      expect(choices.length).toBeGreaterThan(10);
      expect(smoke.length).toBeLessThan(plan.cases.length / 5);
      // The same plan in another order (another --seed) gives the same smoke tier.
      const again = smokeCases(orderCases(plan.cases, 7), covers, cost);
      expect(again.map((c) => c.id).sort()).toEqual(smoke.map((c) => c.id).sort());
      // The cheaper of equal cases: no more cases than without costs, and less to run.
      const plain = smokeCases(plan.cases, covers);
      const total = (cases: readonly (typeof plan.cases)[number][]) => cases.reduce((sum, c) => sum + cost(c), 0);
      expect(smoke.length).toBeLessThanOrEqual(plain.length);
      expect(total(smoke)).toBeLessThan(total(plain));
      console.log(`${info.platform}: smoke ${smoke.length} of ${plan.cases.length} cases, ${full.size} items`);
    });
  }
});
