import { describe, expect, it } from 'vitest';
import type { ProvisionObservation } from '../../../src/core/types.ts';
import { leakCandidates } from '../../../suites/openmobile/execute.ts';
import { judgeStep, leakMismatch } from '../../../suites/openmobile/judge.ts';
import { obfuscate } from '../../../suites/openmobile/obfuscation.ts';
import type { Branch, ModelState } from '../../../suites/openmobile/types.ts';

const fresh: ModelState = {
  profile: null,
  settings: { username: null, password: null, domain: null, prefix: null, autologin: null },
};
const profile = {
  id: 9945,
  company: 'mycorp',
  platform: 'android' as const,
  mode: 'production' as const,
  domains: { options: ['mycorp.com'], editable: false },
  prefixes: null,
  savePassword: true,
  autologin: { userControl: true, default: false },
};
const activated: ModelState = { profile, settings: { ...fresh.settings, domain: 'mycorp.com', autologin: false } };

function branch(partial: Partial<Branch>): Branch {
  return {
    choices: {},
    nonStrict: null,
    handled: true,
    results: [0],
    violations: [],
    delivery: { channel: 'broadcast', callbackScheme: null, dialog: 'any', foreground: 'any', notification: 'any' },
    state: activated,
    derivation: [],
    ...partial,
  };
}
const obs = (p: Partial<ProvisionObservation>): ProvisionObservation => ({
  handled: true,
  result: 0,
  callbackUrl: null,
  dialog: null,
  foreground: false,
  notification: null,
  ...p,
});
const stateOf = (s: ModelState) => ({
  activated: s.profile !== null,
  profile: s.profile ? { id: s.profile.id, mode: s.profile.mode } : null,
  settings: s.settings,
});

describe('judgeStep', () => {
  it('matches a success with the right state', () => {
    const j = judgeStep(
      [branch({})],
      fresh,
      { provision: obs({}), state: stateOf(activated), logs: null },
      'OM-ROUTE-ANDROID-INTENT',
    );
    expect(j.matched).toHaveLength(1);
    expect(j.choiceMattered).toBe(false);
  });

  it('calls a state change by a failing request by its name', () => {
    const failing = branch({
      results: [23],
      state: fresh,
      violations: [{ code: 23, requirement: 'OM-LEN-USERNAME', phase: 'request', detail: '' }],
    });
    const j = judgeStep(
      [failing],
      fresh,
      { provision: obs({ result: 23 }), state: stateOf(activated), logs: null },
      'OM-ROUTE-ANDROID-INTENT',
    );
    expect(j.matched).toHaveLength(0);
    expect(j.mismatches.map((m) => [m.category, m.requirement])).toEqual([
      ['state-changed-by-failing-request', 'OM-ATOMIC'],
    ]);
  });

  it('accepts any code of the precedence set, and names precedence when another code came', () => {
    const several = branch({ results: [11, 23], state: fresh });
    expect(
      judgeStep([several], fresh, { provision: obs({ result: 23 }), state: null, logs: null }, 'r').matched,
    ).toHaveLength(1);
    const j = judgeStep([several], fresh, { provision: obs({ result: 20 }), state: null, logs: null }, 'r');
    expect(j.mismatches[0]).toMatchObject({ category: 'precedence', requirement: 'OM-PRECEDENCE' });
  });

  it('reveals the choice the observation implies', () => {
    const a = branch({ choices: { 'OM-CHOICE-IOS-PROVISION-COM': 'handled' } });
    const b = branch({
      choices: { 'OM-CHOICE-IOS-PROVISION-COM': 'not-handled' },
      handled: false,
      results: [],
      state: fresh,
    });
    const j = judgeStep(
      [a, b],
      fresh,
      { provision: obs({ handled: false, result: null }), state: stateOf(fresh), logs: null },
      'OM-ROUTE-IOS',
    );
    expect(j.revealed).toEqual({ 'OM-CHOICE-IOS-PROVISION-COM': 'not-handled' });
  });

  it('checks the callback URL and the dialog', () => {
    const ios = branch({
      delivery: {
        channel: 'callback',
        callbackScheme: 'harnessprobe',
        dialog: 'outcome',
        foreground: true,
        notification: false,
      },
    });
    const good = obs({ callbackUrl: 'harnessprobe://provision?result=0', dialog: 'success', foreground: true });
    expect(judgeStep([ios], fresh, { provision: good, state: null, logs: null }, 'OM-ROUTE-IOS').matched).toHaveLength(
      1,
    );
    const bad = obs({ callbackUrl: 'harnessprobe://provision?result=1', dialog: 'failure', foreground: true });
    const mismatches = judgeStep([ios], fresh, { provision: bad, state: null, logs: null }, 'OM-ROUTE-IOS').mismatches;
    // A failure dialog for a success is the wrong outcome: told first, under "wrong result code".
    expect(mismatches.map((m) => [m.aspect, m.category])).toEqual([
      ['dialog', 'wrong-result-code'],
      ['callback', 'wrong-delivery'],
    ]);
  });

  it('finds a password in the logs', () => {
    expect(leakMismatch(['got password=doggylove2'], ['doggylove2'])?.category).toBe('password-leak');
    expect(leakMismatch(['got password=***'], ['doggylove2'])).toBeNull();
    expect(leakMismatch(null, ['doggylove2'])).toBeNull();
  });

  it('looks for every distinctive form of a password, and restricted to the logs finds the same leak', () => {
    const key = '8CC677D6FA2AC487C2FC7AD7232F87D8FCAFD5E9FC0AFBFF23B09D8713BE3463';
    const urls = [
      'clientx://provision?pid=1&username=jsmith&password=pa%20ss%26word',
      `clientx://provision?pid=1&password=${obfuscate('hidden42', key)}&obfuscation=Y`,
      'clientx://provision?pid=1&username=jsmithy&password=smith', // also in a username: not distinctive
      'clientx://provision?pid=1&password=abc', // too short to look for
    ];
    const all = leakCandidates(urls, key);
    expect(all).toEqual(['pa%20ss%26word', 'pa ss&word', obfuscate('hidden42', key), 'hidden42']);
    const logs = ['request: clientx://provision?pid=1&password=***', 'saved hidden42 for jsmith'];
    expect(leakCandidates(urls, key, [], logs)).toEqual(['hidden42']);
    expect(leakMismatch(logs, leakCandidates(urls, key, [], logs))).toEqual(leakMismatch(logs, all));
    expect(leakCandidates(urls, key, [], ['nothing secret here'])).toEqual([]);
    // A form that is also a catalog value a client may log is not looked for.
    expect(leakCandidates(urls, key, ['hidden42'])).not.toContain('hidden42');
  });
});

describe('judgeStep: the branch a failure is told against', () => {
  it('a handled request that failed is told against the choice that handles it, not the one that ignores it', () => {
    const ignored = branch({
      choices: { 'OM-CHOICE-PATH': 'not-handled' },
      handled: false,
      results: [],
      state: fresh,
      delivery: { channel: 'none', callbackScheme: null, dialog: 'none', foreground: 'any', notification: 'any' },
    });
    const handled = branch({ choices: { 'OM-CHOICE-PATH': 'handled' } });
    const judgement = judgeStep(
      [ignored, handled],
      fresh,
      { provision: obs({ result: 23 }), state: null, logs: null },
      'OM-ROUTE-ANDROID-INTENT',
    );
    expect(judgement.matched).toEqual([]);
    expect(judgement.reference).toBe(handled);
    expect(judgement.mismatches.map((m) => m.aspect)).toContain('result');
    expect(judgement.mismatches.map((m) => m.requirement)).not.toContain('OM-ROUTE-ANDROID-INTENT');
  });
});

describe('judgeStep: the sentence a delivery mismatch is charged to', () => {
  const noChannel = branch({
    delivery: { channel: 'none', callbackScheme: null, dialog: 'outcome', foreground: 'any', notification: 'any' },
  });
  const charged = (route: string, p: Partial<ProvisionObservation>) =>
    judgeStep([noChannel], fresh, { provision: obs(p), state: null, logs: null }, route).mismatches.map(
      (m) => `${m.aspect} ${m.requirement}`,
    );

  it('a result code on iOS without resulturlscheme is charged to the callback rule, on Android to the dialog rule', () => {
    expect(charged('OM-ROUTE-IOS', { result: 0, dialog: 'success' })).toEqual(['result OM-DELIVER-IOS-CALLBACK']);
    expect(charged('OM-ROUTE-ANDROID-URL-COM', { result: 0, dialog: 'success' })).toEqual([
      'result OM-DELIVER-URL-DIALOG',
    ]);
  });

  it("a missing dialog is charged to the route's status sentence", () => {
    expect(charged('OM-ROUTE-IOS', { result: null })).toEqual(['dialog OM-DELIVER-IOS-STATUS']);
    expect(charged('OM-ROUTE-ANDROID-URL-COM', { result: null })).toEqual(['dialog OM-DELIVER-URL-DIALOG']);
  });
});
