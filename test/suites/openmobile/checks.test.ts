import { describe, expect, it } from 'vitest';
import {
  consistencyResults,
  inferredOrder,
  precedenceCycle,
  precedenceRelation,
} from '../../../suites/openmobile/checks.ts';
import { precedenceEvidence } from '../../../suites/openmobile/execute.ts';
import type { Branch, Violation } from '../../../suites/openmobile/types.ts';

const ctx = {
  target: 't',
  route: { platform: 'android' as const, method: 'intent' as const },
  specification: 'S',
  replay: 'r',
};

const TEST = 'OM-PARAM-BOOL:test (11)';
const AUTOLOGIN = 'OM-PARAM-BOOL:autologin (11)';
const USERNAME = 'OM-LEN-USERNAME (23)';
const OFFLINE = 'OM-CODE-32-OFFLINE (32)';

describe('precedence consistency (over checks, not codes)', () => {
  it('infers an order when the answers agree', () => {
    const relation = precedenceRelation([
      { caseId: 'a', winner: TEST, losers: [USERNAME] },
      { caseId: 'b', winner: USERNAME, losers: [OFFLINE] },
      { caseId: 'c', winner: TEST, losers: [OFFLINE] },
    ]);
    expect(precedenceCycle(relation)).toBeNull();
    expect(inferredOrder(relation)).toEqual([TEST, USERNAME, OFFLINE]);
  });

  it('accepts test > length > autologin: one order of checks, though 11 and 23 each win once', () => {
    const relation = precedenceRelation([
      { caseId: 'a', winner: TEST, losers: [USERNAME] },
      { caseId: 'b', winner: USERNAME, losers: [AUTOLOGIN] },
    ]);
    expect(precedenceCycle(relation)).toBeNull();
    expect(
      consistencyResults(
        ctx,
        [],
        [
          { caseId: 'a', winner: TEST, losers: [USERNAME] },
          { caseId: 'b', winner: USERNAME, losers: [AUTOLOGIN] },
        ],
      )[1]?.verdict,
    ).toBe('pass');
  });

  it('finds the contradiction and names both cases', () => {
    const evidence = [
      { caseId: 'P1@android-intent', winner: TEST, losers: [USERNAME] },
      { caseId: 'P2@android-intent', winner: USERNAME, losers: [TEST] },
    ];
    expect(precedenceCycle(precedenceRelation(evidence))).toEqual([USERNAME, TEST, USERNAME]);
    const [, order] = consistencyResults(ctx, [], evidence);
    expect(order?.verdict).toBe('fail');
    expect(order?.category).toBe('precedence');
    expect(order?.message).toContain(`${TEST} before ${USERNAME} in P1@android-intent`);
    expect(order?.message).toContain(`${USERNAME} before ${TEST} in P2@android-intent`);
  });

  it('finds a longer cycle', () => {
    const evidence = [
      { caseId: 'x', winner: TEST, losers: [USERNAME] },
      { caseId: 'y', winner: USERNAME, losers: [OFFLINE] },
      { caseId: 'z', winner: OFFLINE, losers: [TEST] },
    ];
    expect(precedenceCycle(precedenceRelation(evidence))).toHaveLength(4);
  });
});

describe('precedenceEvidence', () => {
  const branch = (violations: Violation[], results: number[]) => ({ violations, results }) as unknown as Branch;
  const v = (code: number, requirement: string, check?: string): Violation => ({
    code,
    requirement,
    phase: 'request',
    detail: '',
    ...(check ? { check } : {}),
  });
  it('names the single winning check and the acceptable losers', () => {
    const b = branch([v(11, 'OM-PARAM-BOOL', 'test'), v(23, 'OM-LEN-USERNAME'), v(20, 'OM-CODE-20-DOMAIN')], [11, 23]);
    expect(precedenceEvidence('c', b, 23)).toEqual({ caseId: 'c', winner: USERNAME, losers: [TEST] });
  });
  it('says nothing when two checks share the observed code', () => {
    const b = branch(
      [v(11, 'OM-PARAM-BOOL', 'test'), v(11, 'OM-PARAM-BOOL', 'autologin'), v(23, 'OM-LEN-USERNAME')],
      [11, 23],
    );
    expect(precedenceEvidence('c', b, 11)).toBeNull();
  });
});

describe('choice consistency', () => {
  it('passes when each choice is made one way, and records the choices', () => {
    const [choices] = consistencyResults(
      ctx,
      [
        { caseId: 'a', choices: { 'OM-CHOICE-PLUS': 'space' } },
        { caseId: 'b', choices: { 'OM-CHOICE-PLUS': 'space', 'OM-CHOICE-REPEATED': 'last' } },
      ],
      [],
    );
    expect(choices?.verdict).toBe('pass');
    expect(choices?.choices).toEqual({ 'OM-CHOICE-PLUS': 'space', 'OM-CHOICE-REPEATED': 'last' });
  });

  it('fails when a choice is made two ways, naming a case of each', () => {
    const [choices] = consistencyResults(
      ctx,
      [
        { caseId: 'a', choices: { 'OM-CHOICE-PLUS': 'space' } },
        { caseId: 'b', choices: { 'OM-CHOICE-PLUS': 'literal' } },
      ],
      [],
    );
    expect(choices?.verdict).toBe('fail');
    expect(choices?.message).toBe('[inconsistent-choice] OM-CHOICE-PLUS: "space" in a but "literal" in b');
  });

  it('does not hold a target to one option at a point decided per status (401 answered 33, 400 answered 2)', () => {
    const evidence = [
      { caseId: 'om:rc-service-status-401', choices: { 'OM-CHOICE-SERVICE-STATUS': '33' } },
      { caseId: 'om:rc-service-status-400', choices: { 'OM-CHOICE-SERVICE-STATUS': '2' } },
      { caseId: 'c', choices: { 'OM-CHOICE-PLUS': 'space' } },
    ];
    const [passed] = consistencyResults(ctx, evidence, []);
    expect(passed?.verdict).toBe('pass');
    expect(passed?.choices).toEqual({ 'OM-CHOICE-PLUS': 'space' });
    // Another point made two ways beside it still fails, and only that point is named.
    const [failed] = consistencyResults(
      ctx,
      [...evidence, { caseId: 'd', choices: { 'OM-CHOICE-PLUS': 'literal' } }],
      [],
    );
    expect(failed?.verdict).toBe('fail');
    expect(failed?.message).toBe('[inconsistent-choice] OM-CHOICE-PLUS: "space" in c but "literal" in d');
  });
});
