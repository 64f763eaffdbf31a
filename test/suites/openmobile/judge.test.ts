import { describe, expect, it } from 'vitest';
import type { ProvisionObservation } from '../../../protocols/openmobile/types.ts';
import { checkLeak } from '../../../suites/openmobile/execute.ts';
import { judgeRequest } from '../../../suites/openmobile/judge.ts';
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

describe('judgeRequest', () => {
  it('matches a success with the right state', () => {
    const j = judgeRequest(
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
    const j = judgeRequest(
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
      judgeRequest([several], fresh, { provision: obs({ result: 23 }), state: null, logs: null }, 'r').matched,
    ).toHaveLength(1);
    const j = judgeRequest([several], fresh, { provision: obs({ result: 20 }), state: null, logs: null }, 'r');
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
    const j = judgeRequest(
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
    expect(
      judgeRequest([ios], fresh, { provision: good, state: null, logs: null }, 'OM-ROUTE-IOS').matched,
    ).toHaveLength(1);
    const bad = obs({ callbackUrl: 'harnessprobe://provision?result=1', dialog: 'failure', foreground: true });
    const mismatches = judgeRequest(
      [ios],
      fresh,
      { provision: bad, state: null, logs: null },
      'OM-ROUTE-IOS',
    ).mismatches;
    // A failure dialog for a success is the wrong outcome: told first, under "wrong result code".
    expect(mismatches.map((m) => [m.aspect, m.category])).toEqual([
      ['dialog', 'wrong-result-code'],
      ['callback', 'wrong-delivery'],
    ]);
  });

  it('compares the callback scheme in any letter case, and does not judge a callback on a scheme that is no URL scheme', () => {
    const ios = branch({
      delivery: {
        channel: 'callback',
        callbackScheme: 'MyApp',
        dialog: 'outcome',
        foreground: true,
        notification: false,
      },
    });
    const judge = (b: Branch, callbackUrl: string | null, result: number | null) =>
      judgeRequest(
        [b],
        fresh,
        { provision: obs({ callbackUrl, result, dialog: 'success', foreground: true }), state: null, logs: null },
        'OM-ROUTE-IOS',
      ).mismatches.map((m) => m.aspect);
    expect(judge(ios, 'myapp://provision?result=0', 0)).toEqual([]);
    expect(judge(ios, 'myapp://provision?RESULT=0', 0)).toEqual(['callback']);
    const unusable = branch({
      delivery: {
        channel: 'unusable-callback',
        callbackScheme: 'harnessprobe\uFFFD',
        dialog: 'outcome',
        foreground: true,
        notification: false,
      },
    });
    expect(judge(unusable, null, null)).toEqual([]);
    expect(judge(unusable, 'harnessprobe%C3://provision?result=0', 0)).toEqual([]);
    // A result that is reported must still be right.
    expect(judge(unusable, 'harnessprobe%C3://provision?result=1', 1)).toEqual(['result']);
  });

  const key = '8CC677D6FA2AC487C2FC7AD7232F87D8FCAFD5E9FC0AFBFF23B09D8713BE3463';
  const url = (password: string) => `clientx://provision?pid=1&username=jsmith&password=${password}`;

  it('finds a distinctive password in the logs, in any spelling', () => {
    for (const line of ['got password=doggylove2', 'got %64oggylove2', 'got {"password":"doggylove2"}'])
      expect(checkLeak([line], [url('doggylove2')], key).mismatch?.category).toBe('password-leak');
    expect(checkLeak(['got password=***'], [url('doggylove2')], key)).toEqual({ mismatch: null, notCheckable: null });
    expect(checkLeak(null, [url('doggylove2')], key)).toEqual({ mismatch: null, notCheckable: null });
  });

  it('a password without four letters or digits in a row is still looked for (HTML specials)', () => {
    const password = 'a"b<c>d\'e{f}g|h^i`j';
    const logs = [`provisioning request received via url: ${url(password)}`];
    expect(checkLeak(logs, [url(password)], key).mismatch?.requirement).toBe('OM-LOG-NO-PASSWORD');
    // Percent-encoded as sent, decoded as logged.
    expect(checkLeak([`saved ${password}`], [url(encodeURIComponent(password))], key).mismatch).not.toBeNull();
  });

  it('an obfuscated password is found as sent (hex in any case) and de-obfuscated', () => {
    const hex = obfuscate('hidden42x', key);
    const sent = `${url(hex)}&obfuscation=Y`;
    expect(checkLeak([`got ${hex.toLowerCase()}`], [sent], key).mismatch).not.toBeNull();
    expect(checkLeak(['saved hidden42x for jsmith'], [sent], key).mismatch).not.toBeNull();
    expect(checkLeak(['saved *** for jsmith'], [sent], key)).toEqual({ mismatch: null, notCheckable: null });
  });

  it('a short or common password found in the logs is not checkable: never a pass, never a fail', () => {
    for (const [password, line] of [
      ['a', 'provisioning request received via url'],
      ['%E4%B8%AD', 'saved 中'],
      ['%26', 'pid=1&username=jsmith'],
      ['doggy', 'saved doggy'],
      ['provisioning', 'provisioning succeeded'],
    ] as const) {
      const check = checkLeak([line], [url(password)], key);
      expect(check.mismatch, password).toBeNull();
      expect(check.notCheckable, password).toMatch(/too short or too common/);
    }
    // Absent from the logs altogether: checked, and clean.
    expect(checkLeak(['saved ***'], [url('%E4%B8%AD')], key)).toEqual({ mismatch: null, notCheckable: null });
  });

  it('a password that is also part of what the client may log (a username, a company) is not checkable', () => {
    const sent = 'clientx://provision?pid=1&username=xjsmith99x&password=jsmith99';
    expect(checkLeak(['user xjsmith99x'], [sent], key)).toMatchObject({ mismatch: null });
    expect(checkLeak(['user xjsmith99x'], [sent], key).notCheckable).not.toBeNull();
    expect(checkLeak(['company mycorp-2024'], [url('mycorp-2024')], key, ['mycorp-2024']).mismatch).toBeNull();
  });
});

describe('judgeRequest: the branch a failure is told against', () => {
  it('a handled request that failed is told against the choice that handles it, not the one that ignores it', () => {
    const ignored = branch({
      choices: { 'OM-CHOICE-PATH': 'not-handled' },
      handled: false,
      results: [],
      state: fresh,
      delivery: { channel: 'none', callbackScheme: null, dialog: 'none', foreground: 'any', notification: 'any' },
    });
    const handled = branch({ choices: { 'OM-CHOICE-PATH': 'handled' } });
    const judgement = judgeRequest(
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

describe('judgeRequest: the sentence a delivery mismatch is charged to', () => {
  const noChannel = branch({
    delivery: { channel: 'none', callbackScheme: null, dialog: 'outcome', foreground: 'any', notification: 'any' },
  });
  const charged = (route: string, p: Partial<ProvisionObservation>) =>
    judgeRequest([noChannel], fresh, { provision: obs(p), state: null, logs: null }, route).mismatches.map(
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

describe('judgeRequest: the tie-break between explanations', () => {
  it('prefers the precedence explanation when several branches explain a failure equally well', () => {
    // pid=9945&test=X&pass%77ord=<65 characters> under a declared order 11 > 23: read as written, only the
    // 11 is broken; decoded, the 23 of the long password is broken too. An answer 23 is then the length
    // check run first, under the decoded reading: the precedence explanation, not a code out of nowhere.
    const violation = (code: number, requirement: string) => ({
      code,
      requirement,
      phase: 'request' as const,
      detail: '',
    });
    const literal = branch({
      choices: { 'OM-CHOICE-ENCODED-NAME': 'literal' },
      results: [11],
      violations: [violation(11, 'OM-PARAM-BOOL')],
      state: fresh,
    });
    const decoded = branch({
      choices: { 'OM-CHOICE-ENCODED-NAME': 'decoded' },
      results: [11],
      violations: [violation(11, 'OM-PARAM-BOOL'), violation(23, 'OM-LEN-PASSWORD')],
      state: fresh,
    });
    for (const order of [
      [literal, decoded],
      [decoded, literal],
    ]) {
      const judgement = judgeRequest(
        order,
        fresh,
        { provision: obs({ result: 23 }), state: stateOf(fresh), logs: null },
        'OM-ROUTE-ANDROID-INTENT',
      );
      expect(judgement.matched).toEqual([]);
      expect(judgement.reference).toBe(decoded);
      expect(judgement.mismatches.map((m) => `${m.category} ${m.requirement}`)).toEqual(['precedence OM-PRECEDENCE']);
    }
  });
});

describe('checkLeak: a password under a name only some readings take for it', () => {
  const key = '8CC677D6FA2AC487C2FC7AD7232F87D8FCAFD5E9FC0AFBFF23B09D8713BE3463';
  const logged = ['request: clientx://provision?pid=1&username=jsmith&pass%77ord=doggylove2'];
  const sent = ['clientx://provision?pid=1&username=jsmith&pass%77ord=doggylove2'];
  const android = (choices: Record<string, string>) => ({ platform: 'android' as const, choices });

  it('pass%77ord: a leak where the client decodes names, nothing where it matches them as written', () => {
    const decoded = checkLeak(logged, sent, key, [], android({ 'OM-CHOICE-ENCODED-NAME': 'decoded' }));
    expect(decoded.mismatch?.category).toBe('password-leak');
    expect(checkLeak(logged, sent, key, [], android({ 'OM-CHOICE-ENCODED-NAME': 'literal' }))).toEqual({
      mismatch: null,
      notCheckable: null,
    });
  });

  it('pass%77ord, the reading not shown: not checkable if found, never a fail; clean if not found', () => {
    const unknown = checkLeak(logged, sent, key, [], android({}));
    expect(unknown.mismatch).toBeNull();
    expect(unknown.notCheckable).toMatch(/OM-CHOICE-ENCODED-NAME/);
    expect(checkLeak(['saved ***'], sent, key, [], android({}))).toEqual({ mismatch: null, notCheckable: null });
  });

  it('a ; between parameters, and Password= on iOS, the same way', () => {
    const semicolon = ['clientx://provision?pid=1;password=doggylove2'];
    const line = ['got doggylove2'];
    expect(
      checkLeak(line, semicolon, key, [], android({ 'OM-CHOICE-SEMICOLON': 'separator' })).mismatch,
    ).not.toBeNull();
    expect(checkLeak(line, semicolon, key, [], android({ 'OM-CHOICE-SEMICOLON': 'literal' })).mismatch).toBeNull();
    expect(checkLeak(line, semicolon, key, [], android({})).notCheckable).not.toBeNull();
    const upper = ['ipass://provision?Password=doggylove2'];
    const ios = (choices: Record<string, string>) => ({ platform: 'ios' as const, choices });
    expect(checkLeak(line, upper, key, [], ios({ 'OM-CHOICE-IOS-NAME-CASE': 'insensitive' })).mismatch).not.toBeNull();
    expect(checkLeak(line, upper, key, [], ios({})).notCheckable).not.toBeNull();
    // Android's parameters "are case-sensitive": Password= is never its password.
    expect(checkLeak(line, upper, key, [], android({}))).toEqual({ mismatch: null, notCheckable: null });
  });

  it('a password every reading takes for one is judged as before, whatever else the URL holds', () => {
    const both = ['clientx://provision?pid=1&password=doggylove2&pass%77ord=other123x'];
    expect(checkLeak(['got doggylove2'], both, key, [], android({})).mismatch?.category).toBe('password-leak');
  });
});
