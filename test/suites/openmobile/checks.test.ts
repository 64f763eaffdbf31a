import { describe, expect, it } from 'vitest';
import { consistencyResults, inferredOrder, precedenceCycle, precedenceRelation } from '../../../suites/openmobile/checks.ts';

const ctx = { target: 't', route: { platform: 'android' as const, method: 'intent' as const }, specification: 'S', replay: 'r' };

describe('precedence consistency', () => {
  it('infers an order when the answers agree', () => {
    const relation = precedenceRelation([
      { caseId: 'a', observed: 11, candidates: [11, 23] },
      { caseId: 'b', observed: 23, candidates: [23, 33] },
      { caseId: 'c', observed: 11, candidates: [11, 33] },
    ]);
    expect(precedenceCycle(relation)).toBeNull();
    expect(inferredOrder(relation)).toEqual([11, 23, 33]);
  });

  it('finds the contradiction and names both cases', () => {
    const evidence = [
      { caseId: 'P1@android-intent', observed: 11, candidates: [11, 23] },
      { caseId: 'P2@android-intent', observed: 23, candidates: [11, 23] },
    ];
    expect(precedenceCycle(precedenceRelation(evidence))).toEqual([11, 23, 11]);
    const [, order] = consistencyResults(ctx, [], evidence);
    expect(order?.verdict).toBe('fail');
    expect(order?.category).toBe('precedence');
    expect(order?.message).toContain('11 over 23 in P1@android-intent');
    expect(order?.message).toContain('23 over 11 in P2@android-intent');
  });

  it('finds a longer cycle', () => {
    const evidence = [
      { caseId: 'x', observed: 10, candidates: [10, 11] },
      { caseId: 'y', observed: 11, candidates: [11, 32] },
      { caseId: 'z', observed: 32, candidates: [32, 10] },
    ];
    expect(precedenceCycle(precedenceRelation(evidence))).toHaveLength(4);
  });
});

describe('choice consistency', () => {
  it('passes when each choice is made one way, and records the choices', () => {
    const [choices] = consistencyResults(ctx, [
      { caseId: 'a', choices: { 'OM-CHOICE-PLUS': 'space' } },
      { caseId: 'b', choices: { 'OM-CHOICE-PLUS': 'space', 'OM-CHOICE-REPEATED': 'last' } },
    ], []);
    expect(choices?.verdict).toBe('pass');
    expect(choices?.choices).toEqual({ 'OM-CHOICE-PLUS': 'space', 'OM-CHOICE-REPEATED': 'last' });
  });

  it('fails when a choice is made two ways, naming a case of each', () => {
    const [choices] = consistencyResults(ctx, [
      { caseId: 'a', choices: { 'OM-CHOICE-PLUS': 'space' } },
      { caseId: 'b', choices: { 'OM-CHOICE-PLUS': 'literal' } },
    ], []);
    expect(choices?.verdict).toBe('fail');
    expect(choices?.message).toBe('[inconsistent-choice] OM-CHOICE-PLUS: "space" in a but "literal" in b');
  });
});
