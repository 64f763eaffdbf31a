import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Catalog, Route, Settings } from '../../../protocols/openmobile/types.ts';
import { predict, predictDefault, NON_STRICT_ANDROID_URL_WITHOUT_COM } from '../../../suites/openmobile/model.ts';
import { obfuscate } from '../../../suites/openmobile/obfuscation.ts';
import { urlFor } from '../../../suites/openmobile/routes.ts';
import type { Branch, ModelState, StepInput } from '../../../suites/openmobile/types.ts';

const catalog: Catalog = JSON.parse(
  readFileSync(new URL('../../../vectors/openmobile/profiles.json', import.meta.url), 'utf8'),
) as Catalog;
const KEY = '8CC677D6FA2AC487C2FC7AD7232F87D8FCAFD5E9FC0AFBFF23B09D8713BE3463';

const IOS: Route = { platform: 'ios', method: 'url' };
const ANDROID_URL: Route = { platform: 'android', method: 'url' };
const INTENT: Route = { platform: 'android', method: 'intent' };
const ROUTES = [IOS, ANDROID_URL, INTENT] as const;
const ANDROID_ROUTES = [ANDROID_URL, INTENT] as const;
const name = (r: Route): string => `${r.platform}-${r.method}`;

function fresh(): ModelState {
  return { profile: null, settings: { username: null, password: null, domain: null, prefix: null, autologin: null } };
}

function input(route: Route, url: string, state: ModelState, extra: Partial<StepInput> = {}): StepInput {
  return { route, url, state, catalog, network: 'online', fault: null, obfuscationKey: KEY, ...extra };
}

/** Every branch of the query delivered on the route's canonical URL. */
function step(route: Route, query: string, state: ModelState = fresh(), extra: Partial<StepInput> = {}): Branch[] {
  return predict(input(route, urlFor(route, query), state, extra));
}

function stepUrl(route: Route, url: string, state: ModelState = fresh(), extra: Partial<StepInput> = {}): Branch[] {
  return predict(input(route, url, state, extra));
}

/** The single branch of a prediction that involves no implementation-defined choice. */
function only(branches: Branch[]): Branch {
  expect(branches, JSON.stringify(branches.map((b) => b.choices))).toHaveLength(1);
  const [b] = branches;
  if (b === undefined) throw new Error('no branch');
  return b;
}

function branchWith(branches: Branch[], choices: Record<string, string>): Branch {
  const found = branches.find((b) => Object.entries(choices).every(([k, v]) => b.choices[k] === v));
  if (found === undefined) throw new Error(`no branch with ${JSON.stringify(choices)}`);
  return found;
}

/** Applies setup queries that must each succeed with no choice involved; returns the resulting state. */
function given(route: Route, ...queries: string[]): ModelState {
  let state = fresh();
  for (const q of queries) {
    const b = only(step(route, q, state));
    expect(b.results, `setup "${q}" on ${name(route)}`).toEqual([0]);
    state = b.state;
  }
  return state;
}

function settings(partial: Partial<Settings>): Settings {
  return { username: null, password: null, domain: null, prefix: null, autologin: null, ...partial };
}

const COMPLETE = 'pid=9945&username=jsmalley&password=doggylove2&domain=mycorp.com';

// ---------------------------------------------------------------------------------------------------------

describe("the seed's Provisioning Examples", () => {
  for (const route of ROUTES) {
    const initialAutologin = route.platform === 'ios'; // iOS: Y when the profile allows user control; Android: N.

    it(`complete provisioning activates 9945 with all settings (${name(route)})`, () => {
      const b = only(step(route, COMPLETE));
      expect(b.handled).toBe(true);
      expect(b.results).toEqual([0]);
      expect(b.violations).toEqual([]);
      expect(b.state.profile?.id).toBe(9945);
      expect(b.state.profile?.platform).toBe(route.platform);
      expect(b.state.settings).toEqual(
        settings({ username: 'jsmalley', password: 'doggylove2', domain: 'mycorp.com', autologin: initialAutologin }),
      );
      expect(b.derivation.map((l) => l.requirement)).toContain('OM-ACT-ACTIVATE');
    });

    it(`simple activation 12345 with PIN abc1234 leaves credentials to the user (${name(route)})`, () => {
      const b = only(step(route, 'pid=12345&pin=abc1234'));
      expect(b.results).toEqual([0]);
      expect(b.state.profile?.id).toBe(12345);
      expect(b.state.settings).toEqual(settings({ domain: 'mycorp.com', autologin: initialAutologin }));
    });

    it(`reconfiguration replaces only the password (${name(route)})`, () => {
      const before = given(route, COMPLETE);
      const b = only(step(route, 'password=snookums12', before));
      expect(b.results).toEqual([0]);
      expect(b.state.profile).toBe(before.profile);
      expect(b.state.settings).toEqual({ ...before.settings, password: 'snookums12' });
    });

    it(`reactivation to 13144 keeps the settings (${name(route)})`, () => {
      const before = given(route, COMPLETE);
      const b = only(step(route, 'pid=13144', before));
      expect(b.results).toEqual([0]);
      expect(b.state.profile?.id).toBe(13144);
      expect(b.state.settings).toEqual(before.settings);
      expect(b.derivation.map((l) => l.requirement)).toContain('OM-REACT-KEEPS-SETTINGS');
    });

    it(`reprovisioning for a new device user replaces the credentials (${name(route)})`, () => {
      const before = given(route, COMPLETE, 'pid=13144');
      const b = only(step(route, 'pid=9945&username=SteveMoss&password=pinkkitty3&domain=mycorp.com', before));
      expect(b.results).toEqual([0]);
      expect(b.state.profile?.id).toBe(9945);
      expect(b.state.settings).toEqual({ ...before.settings, username: 'SteveMoss', password: 'pinkkitty3' });
    });

    it(`the obfuscation example's 24 hex digits do not decode: 23 or 2 (${name(route)})`, () => {
      const branches = step(
        route,
        'pid=9945&username=jsmalley&password=AEB1DB802DF810239ECA9013&domain=mycorp.com&obfuscation=Y',
      );
      expect(branches.map((b) => [b.choices['OM-CHOICE-OBFUSCATION-UNDECODABLE'], b.results])).toEqual([
        ['23', [23]],
        ['2', [2]],
      ]);
      for (const b of branches) expect(b.state.profile).toBeNull();
    });
  }

  it('silent provisioning on Android: no foreground, a notification, no dialog', () => {
    const b = only(step(ANDROID_URL, `${COMPLETE}&silentmode=Y`));
    expect(b.results).toEqual([0]);
    expect(b.delivery).toEqual({
      channel: 'none',
      callbackScheme: null,
      dialog: 'none',
      foreground: false,
      notification: true,
    });
  });

  it('silent provisioning on iOS as the seed writes it (iPass://provision.com): host and silentmode choices', () => {
    const url = `iPass://provision.com?${COMPLETE}&silentmode=Y&resulturlscheme=myapp`;
    const branches = stepUrl(IOS, url);
    expect(branches.map((b) => b.choices)).toEqual([
      { 'OM-CHOICE-IOS-PROVISION-COM': 'handled', 'OM-CHOICE-IOS-SILENTMODE': 'ignored' },
      { 'OM-CHOICE-IOS-PROVISION-COM': 'handled', 'OM-CHOICE-IOS-SILENTMODE': 'honoured' },
      { 'OM-CHOICE-IOS-PROVISION-COM': 'not-handled' },
    ]);
    const [ignored, honoured, refused] = branches as [Branch, Branch, Branch];
    expect(ignored.results).toEqual([0]);
    expect(ignored.delivery).toEqual({
      channel: 'callback',
      callbackScheme: 'myapp',
      dialog: 'outcome',
      foreground: true,
      notification: 'any',
    });
    expect(honoured.results).toEqual([0]);
    expect(honoured.delivery).toEqual({
      channel: 'callback',
      callbackScheme: 'myapp',
      dialog: 'none',
      foreground: false,
      notification: true,
    });
    expect(refused.handled).toBe(false);
    expect(refused.results).toEqual([]);
  });

  it('the intent example (pid=112665&pin=1111&test=y) depends on accepting lower-case y', () => {
    const branches = stepUrl(INTENT, 'clientx://provision?pid=112665&pin=1111&test=y');
    const accepted = branchWith(branches, { 'OM-CHOICE-BOOL-LOWERCASE': 'accept' });
    expect(accepted.results).toEqual([0]);
    expect(accepted.state.profile).toMatchObject({ id: 112665, mode: 'test', platform: 'android' });
    const refused = branchWith(branches, { 'OM-CHOICE-BOOL-LOWERCASE': '11' });
    // Refused, test=y leaves the mode undetermined; 112665 exists in test mode only, so no lookup failure
    // can be attributed: only the 11 stands.
    expect(refused.results).toEqual([11]);
    expect(refused.state.profile).toBeNull();
    expect(branches).toHaveLength(2);
  });
});

// ---------------------------------------------------------------------------------------------------------

describe('result codes', () => {
  it('1: another operation in progress, checked after routing and before anything else', () => {
    for (const route of ROUTES) {
      const before = given(route, COMPLETE);
      const b = only(step(route, 'pid=&test=Q', before, { inProgress: true }));
      expect(b.handled).toBe(true);
      expect(b.results).toEqual([1]);
      expect(b.state).toBe(before);
      expect(b.violations.map((v) => v.code)).toEqual([1]);
    }
    const b = only(stepUrl(ANDROID_URL, 'clientx://provision.com?pid=9945', fresh(), { inProgress: true }));
    expect(b.delivery.dialog).toBe('outcome');
    const notHandled = only(stepUrl(IOS, 'other://provision?pid=9945', fresh(), { inProgress: true }));
    expect(notHandled.handled).toBe(false);
  });

  it('a status the adapter protocol gives no meaning (400, 401, 302, 600): a failure, its code a choice', () => {
    for (const status of [400, 401, 302, 600]) {
      const branches = step(IOS, COMPLETE, fresh(), { fault: { kind: 'status', status } });
      expect(branches.map((b) => [b.choices['OM-CHOICE-SERVICE-STATUS'], b.results])).toEqual([
        ['2', [2]],
        ['31', [31]],
        ['33', [33]],
        ['30', [30]],
      ]);
      expect(branches.map((b) => b.violations[0]?.requirement)).toEqual([
        'OM-CODE-2-INTERNAL',
        'OM-CODE-31-TRANSIENT',
        'OM-CODE-33-NO-PROFILE',
        'OM-CODE-30-CUT',
      ]);
      for (const b of branches) {
        expect(b.state).toEqual(fresh());
        expect(b.violations[0]?.phase).toBe('fetch');
      }
    }
  });

  it('10: pid present and blank', () => {
    for (const route of ROUTES) {
      const b = only(step(route, 'pid=&username=u'));
      expect(b.results).toEqual([10]);
      expect(b.violations).toEqual([
        expect.objectContaining({ code: 10, requirement: 'OM-PARAM-PID-BLANK', phase: 'request' }),
      ]);
    }
  });

  it('11: test or autologin other than Y / N, including empty', () => {
    const before = given(IOS, COMPLETE);
    for (const q of ['test=X', 'autologin=yes', 'test=', 'autologin=', 'pid=9945&test=YES']) {
      const b = only(step(IOS, q, before));
      expect(b.results, q).toEqual([11]);
      expect(b.state, q).toBe(before);
    }
  });

  it('test is checked for syntax even without pid, and has no other effect then', () => {
    const before = given(ANDROID_URL, COMPLETE);
    expect(only(step(ANDROID_URL, 'test=Y&username=x', before)).state.profile).toBe(before.profile);
    expect(only(step(ANDROID_URL, 'test=Z&username=x', before)).results).toEqual([11]);
  });

  it('20: a domain outside the fixed options, also a saved domain the new profile does not allow', () => {
    for (const route of ROUTES) {
      expect(only(step(route, 'pid=9945&domain=other.com')).results).toEqual([20]);
      const before = given(route, COMPLETE);
      const b = only(step(route, 'pid=20002', before));
      expect(b.results).toEqual([20]);
      expect(b.violations[0]).toMatchObject({ requirement: 'OM-CODE-20-DOMAIN', phase: 'configuration' });
      expect(b.state).toBe(before);
    }
  });

  it('20 matches domains exactly (case-sensitive)', () => {
    expect(only(step(IOS, 'pid=9945&domain=MyCorp.com')).results).toEqual([20]);
  });

  it('an editable domain accepts any value; no options and editable leaves the domain empty', () => {
    expect(only(step(IOS, 'pid=20001&domain=anything.example')).state.settings.domain).toBe('anything.example');
    expect(only(step(IOS, 'pid=20003')).state.settings.domain).toBeNull();
  });

  it('21: a prefix with a profile without prefix option, or outside fixed options', () => {
    for (const route of ROUTES) {
      expect(only(step(route, 'pid=9945&prefix=ACME/')).results).toEqual([21]);
      expect(only(step(route, 'pid=20004&prefix=OTHER/')).results).toEqual([21]);
      expect(only(step(route, 'pid=20004&prefix=ACME/')).state.settings.prefix).toBe('ACME/');
      expect(only(step(route, 'pid=20003&prefix=free/')).state.settings.prefix).toBe('free/');
    }
  });

  it('22 (iOS only): autologin=Y with a profile forbidding user control', () => {
    const b = only(step(IOS, 'pid=20004&username=u&password=p&autologin=Y'));
    expect(b.results).toEqual([22]);
    expect(b.violations.map((v) => v.requirement)).toEqual(['OM-CODE-22-AUTOLOGIN']);
  });

  it('22 (iOS only): autologin=Y while username, password or domain is missing', () => {
    expect(only(step(IOS, 'pid=9945&autologin=Y')).results).toEqual([22]);
    expect(only(step(IOS, 'pid=9945&username=u&autologin=Y')).results).toEqual([22]);
    expect(only(step(IOS, 'pid=20003&username=u&password=p&autologin=Y')).results).toEqual([22, 23]);
    const ok = only(step(IOS, 'pid=9945&username=u&password=p&autologin=Y'));
    expect(ok.results).toEqual([0]);
    expect(ok.state.settings.autologin).toBe(true);
  });

  it('Android has no 22', () => {
    for (const route of ANDROID_ROUTES) {
      const b = only(step(route, 'pid=9945&autologin=Y'));
      expect(b.results).toEqual([0]);
      expect(b.state.settings.autologin).toBe(true);
    }
  });

  it('23: a password while the effective configuration lacks a username or a domain', () => {
    for (const route of ROUTES) {
      const noUser = only(step(route, 'pid=9945&password=p'));
      expect(noUser.results).toEqual([23]);
      expect(noUser.violations[0]).toMatchObject({
        requirement: 'OM-CODE-23-PASSWORD-NEEDS-USER-DOMAIN',
        phase: 'configuration',
      });
      expect(only(step(route, 'pid=20003&username=u&password=p')).results).toEqual([23]);
      expect(only(step(route, 'pid=20003&username=u&password=p&domain=d.example')).results).toEqual([0]);
      // The soft domain default counts: 9945 has mycorp.com.
      expect(only(step(route, 'pid=9945&username=u&password=p')).results).toEqual([0]);
      const before = given(route, COMPLETE);
      expect(only(step(route, 'username=&password=p2', before)).results).toEqual([23]);
    }
  });

  it('23: a password with a profile that forbids saving it', () => {
    for (const route of ROUTES) {
      const b = only(step(route, 'pid=20002&username=u&password=p'));
      expect(b.results).toEqual([23]);
      expect(b.violations[0]).toMatchObject({ requirement: 'OM-CODE-23-PASSWORD-NOT-SAVED' });
      expect(only(step(route, 'pid=20002&username=u&password=')).results).toEqual([0]);
    }
  });

  it('30: the profile service cuts the connection', () => {
    const b = only(step(INTENT, COMPLETE, fresh(), { fault: { kind: 'cut' } }));
    expect(b.results).toEqual([30]);
    expect(b.violations[0]).toMatchObject({ requirement: 'OM-CODE-30-CUT', phase: 'fetch' });
  });

  it('31: the service reports a transient error (5xx)', () => {
    expect(only(step(IOS, COMPLETE, fresh(), { fault: { kind: 'status', status: 503 } })).results).toEqual([31]);
    expect(only(step(IOS, COMPLETE, fresh(), { fault: { kind: 'status', status: 500 } })).results).toEqual([31]);
  });

  it('32: the device is offline; a service that drops the connection is 30 or 32', () => {
    expect(only(step(ANDROID_URL, COMPLETE, fresh(), { network: 'offline' })).results).toEqual([32]);
    const dropped = step(ANDROID_URL, COMPLETE, fresh(), { fault: { kind: 'offline' } });
    expect(dropped.map((b) => [b.choices['OM-CHOICE-SERVICE-OFFLINE'], b.results])).toEqual([
      ['30', [30]],
      ['32', [32]],
    ]);
    // The device being offline decides, whatever the service would do.
    expect(
      only(step(ANDROID_URL, COMPLETE, fresh(), { network: 'offline', fault: { kind: 'offline' } })).results,
    ).toEqual([32]);
  });

  it('33: ID, PIN, platform and mode select no profile', () => {
    for (const route of ROUTES) {
      for (const q of [
        'pid=99999',
        'pid=12345',
        'pid=12345&pin=ABC1234',
        'pid=9945&pin=1',
        'pid=9945&test=Y',
        'pid=20005&test=Y',
      ]) {
        const b = only(step(route, q));
        expect(b.results, `${q} on ${name(route)}`).toEqual([33]);
        expect(b.violations[0]).toMatchObject({ requirement: 'OM-CODE-33-NO-PROFILE', phase: 'fetch' });
      }
      expect(only(step(route, 'pid=12345&pin=')).results).toEqual([33]);
      expect(only(step(route, 'pid=9945&pin=')).results).toEqual([0]);
    }
  });

  it('the test-mode revision is selected with test=Y and its PIN', () => {
    const b = only(step(IOS, 'pid=20005&pin=Zx9k&test=Y'));
    expect(b.state.profile).toMatchObject({ id: 20005, mode: 'test' });
    expect(b.state.settings.domain).toBe('test.acme.example');
    expect(only(step(IOS, 'pid=20005&pin=Zx9k&test=N')).state.settings.domain).toBe('acme.example');
  });

  it('the Profile Finder selects the company favorite for this platform, or nothing', () => {
    const ios = only(step(IOS, 'pid=30101'));
    expect(ios.state.profile?.id).toBe(30002);
    expect(ios.derivation.map((l) => l.requirement)).toContain('OM-LOOKUP-PROFILE-FINDER');
    expect(only(step(ANDROID_URL, 'pid=30102')).state.profile?.id).toBe(30001);
    expect(only(step(IOS, 'pid=30201')).results).toEqual([33]);
    expect(only(step(INTENT, 'pid=30202')).results).toEqual([33]);
  });

  it('the saved profile carries no pin, favorite or note', () => {
    const profile = only(step(IOS, 'pid=12345&pin=abc1234')).state.profile;
    expect(profile).not.toHaveProperty('pin');
    expect(profile).not.toHaveProperty('favorite');
    expect(profile).not.toHaveProperty('note');
  });
});

// ---------------------------------------------------------------------------------------------------------

describe('routing (reading section 1)', () => {
  const handled = (branches: Branch[]): boolean[] => branches.map((b) => b.handled);

  it('iOS: ipass in any case with host provision is handled; other schemes and hosts are not', () => {
    expect(only(stepUrl(IOS, 'ipass://provision?pid=9945')).handled).toBe(true);
    expect(only(stepUrl(IOS, 'IPASS://provision?pid=9945')).handled).toBe(true);
    expect(only(stepUrl(IOS, 'iPass://provision?pid=9945')).handled).toBe(true);
    expect(only(stepUrl(IOS, 'clientx://provision?pid=9945')).handled).toBe(false);
    expect(only(stepUrl(IOS, 'ipass://provisioning?pid=9945')).handled).toBe(false);
    expect(only(stepUrl(IOS, 'ipass:provision?pid=9945')).handled).toBe(false);
  });

  it('iOS: provision.com and another host case are choices', () => {
    const com = stepUrl(IOS, 'ipass://provision.com?pid=9945');
    expect(com.map((b) => [b.choices['OM-CHOICE-IOS-PROVISION-COM'], b.handled])).toEqual([
      ['handled', true],
      ['not-handled', false],
    ]);
    const upper = stepUrl(IOS, 'ipass://PROVISION?pid=9945');
    expect(upper.map((b) => [b.choices['OM-CHOICE-IOS-HOST-CASE'], b.handled])).toEqual([
      ['handled', true],
      ['not-handled', false],
    ]);
    expect(stepUrl(IOS, 'ipass://Provision.com?pid=9945')).toHaveLength(3);
  });

  it('Android URL method: provision.com handled; provision only as a non-strict deviation', () => {
    expect(only(stepUrl(ANDROID_URL, 'clientx://provision.com?pid=9945')).handled).toBe(true);
    const without = stepUrl(ANDROID_URL, 'clientx://provision?pid=9945');
    expect(without).toHaveLength(2);
    const [strict, deviation] = without as [Branch, Branch];
    expect(strict.handled).toBe(false);
    expect(strict.nonStrict).toBeNull();
    expect(strict.choices).toEqual({});
    expect(deviation.handled).toBe(true);
    expect(deviation.nonStrict).toBe(NON_STRICT_ANDROID_URL_WITHOUT_COM);
    expect(deviation.results).toEqual([0]);
    expect(deviation.delivery.dialog).toBe('outcome');
    expect(predictDefault(input(ANDROID_URL, 'clientx://provision?pid=9945', fresh())).handled).toBe(false);
  });

  it('Android URL method: another letter case is a choice; other schemes are not handled', () => {
    expect(handled(stepUrl(ANDROID_URL, 'CLIENTX://provision.com?pid=9945'))).toEqual([true, false]);
    expect(handled(stepUrl(ANDROID_URL, 'clientx://Provision.COM?pid=9945'))).toEqual([true, false]);
    expect(stepUrl(ANDROID_URL, 'clientx://Provision.COM?pid=9945')[0]?.choices).toEqual({
      'OM-CHOICE-ANDROID-URL-CASE': 'handled',
    });
    expect(only(stepUrl(ANDROID_URL, 'ipass://provision.com?pid=9945')).handled).toBe(false);
    expect(only(stepUrl(ANDROID_URL, 'clientx://other.com?pid=9945')).handled).toBe(false);
  });

  it('Android intent method: provision handled; provision.com and letter case are choices', () => {
    expect(only(stepUrl(INTENT, 'clientx://provision?pid=9945')).handled).toBe(true);
    const com = stepUrl(INTENT, 'clientx://provision.com?pid=9945');
    expect(com.map((b) => [b.choices['OM-CHOICE-INTENT-PROVISION-COM'], b.handled])).toEqual([
      ['handled', true],
      ['not-handled', false],
    ]);
    expect(handled(stepUrl(INTENT, 'ClientX://provision?pid=9945'))).toEqual([true, false]);
    expect(only(stepUrl(INTENT, 'ipass://provision?pid=9945')).handled).toBe(false);
  });

  it('a path after the host is an implementation-defined choice (OM-CHOICE-PATH), on every route', () => {
    for (const [route, url] of [
      [IOS, 'ipass://provision/x?pid=9945'],
      [ANDROID_URL, 'clientx://provision.com/?pid=9945'],
      [INTENT, 'clientx://provision/x?pid=9945'],
    ] as const) {
      const branches = stepUrl(route, url);
      expect(branches.map((b) => [b.choices['OM-CHOICE-PATH'], b.handled])).toEqual([
        ['not-handled', false],
        ['handled', true],
      ]);
    }
  });

  it('a URL that is not handled changes nothing and reports nothing', () => {
    for (const route of ROUTES) {
      const before = given(route, COMPLETE);
      const b = only(stepUrl(route, 'mailto://provision?pid=&password=x', before));
      expect(b).toMatchObject({ handled: false, results: [], violations: [], nonStrict: null });
      expect(b.state).toBe(before);
      expect(b.delivery).toEqual({
        channel: 'none',
        callbackScheme: null,
        dialog: 'none',
        foreground: false,
        notification: false,
      });
      expect(b.derivation.at(-1)?.requirement).toBe('OM-ROUTE-UNHANDLED-NO-CHANGE');
    }
  });
});

// ---------------------------------------------------------------------------------------------------------

describe('parameters (reading section 2)', () => {
  it('Android names are case-sensitive (Table 3): PID is unknown and ignored', () => {
    const before = given(ANDROID_URL, COMPLETE);
    const b = only(step(ANDROID_URL, 'PID=13144&Username=x', before));
    expect(b.results).toEqual([0]);
    expect(b.state.profile?.id).toBe(9945);
    expect(b.state.settings).toEqual(before.settings);
    expect(b.derivation.find((l) => l.requirement === 'OM-PARAM-CASE-SENSITIVE')?.text).toContain('"PID"');
    // On a fresh app PID is no pid at all.
    expect(step(ANDROID_URL, 'PID=9945').map((b2) => b2.results)).toEqual([[10], [33]]);
  });

  it('iOS names in another letter case are OM-CHOICE-IOS-NAME-CASE (Table 1 says nothing of case)', () => {
    const before = given(IOS, COMPLETE);
    const branches = step(IOS, 'PID=13144&Username=x', before);
    const by = (option: string) => branches.filter((b) => b.choices['OM-CHOICE-IOS-NAME-CASE'] === option);
    expect(by('sensitive').map((b) => [b.results, b.state.profile?.id, b.state.settings.username])).toEqual([
      [[0], 9945, before.settings.username],
    ]);
    expect(by('insensitive').map((b) => [b.results, b.state.profile?.id, b.state.settings.username])).toEqual([
      [[0], 13144, 'x'],
    ]);
    // Exactly spelled names ask nothing.
    expect(step(IOS, 'pid=9945').every((b) => b.choices['OM-CHOICE-IOS-NAME-CASE'] === undefined)).toBe(true);
  });

  it('an escaped name is OM-CHOICE-ENCODED-NAME: the parameter it spells, or an unknown one', () => {
    const branches = step(ANDROID_URL, 'pid=9945&username=a&pass%77ord=secret99&domain=mycorp.com');
    expect(branches.map((b) => [b.choices['OM-CHOICE-ENCODED-NAME'], b.state.settings.password])).toEqual([
      ['decoded', 'secret99'],
      ['literal', null],
    ]);
    // An escape that spells no known name asks nothing.
    expect(only(step(ANDROID_URL, 'pid=9945&f%6Fo=1')).choices).toEqual({});
  });

  it('a ; in the query is OM-CHOICE-SEMICOLON', () => {
    const branches = step(ANDROID_URL, 'pid=9945;username=a');
    const separator = branches.filter((b) => b.choices['OM-CHOICE-SEMICOLON'] === 'separator');
    expect(separator.map((b) => [b.results, b.state.settings.username])).toEqual([[[0], 'a']]);
    const literal = branches.filter((b) => b.choices['OM-CHOICE-SEMICOLON'] === 'literal');
    expect(literal.map((b) => b.results)).toEqual([[10], [33]]);
  });

  it('values are percent-decoded exactly once', () => {
    const b = only(step(ANDROID_URL, 'pid=9945&username=j%20smalley%2541&domain=mycorp%2Ecom'));
    expect(b.state.settings.username).toBe('j smalley%41');
    expect(b.state.settings.domain).toBe('mycorp.com');
    expect(only(step(IOS, 'pid=9945&username=%C3%A9t%C3%A9')).state.settings.username).toBe('été');
  });

  it('pid with leading zeros is a decimal number', () => {
    expect(only(step(IOS, 'pid=09945')).state.profile?.id).toBe(9945);
  });

  it('omitted booleans mean N: production mode, not silent, not obfuscated', () => {
    const b = only(step(ANDROID_URL, COMPLETE));
    expect(b.state.profile?.mode).toBe('production');
    expect(b.delivery.notification).not.toBe(true);
    expect(b.state.settings.password).toBe('doggylove2');
  });

  it('an empty pin is no pin', () => {
    expect(only(step(INTENT, 'pid=13144&pin=')).results).toEqual([0]);
  });
});

// ---------------------------------------------------------------------------------------------------------

describe('omission (omitted keeps, empty erases)', () => {
  for (const route of ROUTES) {
    it(`on ${name(route)}`, () => {
      const before = given(route, 'pid=20001&username=u&password=p&domain=eu.acme.example&prefix=ACMEX/&autologin=Y');
      expect(before.settings).toEqual(
        settings({ username: 'u', password: 'p', domain: 'eu.acme.example', prefix: 'ACMEX/', autologin: true }),
      );
      const kept = only(step(route, 'autologin=N', before));
      expect(kept.state.settings).toEqual({ ...before.settings, autologin: false });
      expect(kept.derivation.filter((l) => l.requirement === 'OM-OMIT-KEEP')).toHaveLength(4);
      expect(only(step(route, 'username=&password=', before)).state.settings).toEqual({
        ...before.settings,
        username: null,
        password: null,
      });
      expect(only(step(route, 'prefix=', before)).state.settings.prefix).toBeNull();
      // An erased domain becomes the profile's first option again (soft rule).
      const domain = only(step(route, 'domain=', before));
      expect(domain.state.settings.domain).toBe('acme.example');
      expect(domain.derivation.map((l) => l.requirement)).toEqual(
        expect.arrayContaining(['OM-OMIT-EMPTY-ERASES', 'OM-SOFT-DOMAIN-DEFAULT']),
      );
    });
  }
});

// ---------------------------------------------------------------------------------------------------------

describe('length limits', () => {
  const activated = given(IOS, 'pid=20003&domain=d.example');
  const user = (n: number, ch = 'a'): string => ch.repeat(n);

  it('username 99 / 100 pass, 101 is 23', () => {
    expect(only(step(IOS, `username=${user(99)}`, activated)).results).toEqual([0]);
    expect(only(step(IOS, `username=${user(100)}`, activated)).state.settings.username).toHaveLength(100);
    const over = only(step(IOS, `username=${user(101)}`, activated));
    expect(over.results).toEqual([23]);
    expect(over.violations[0]).toMatchObject({ requirement: 'OM-LEN-USERNAME', phase: 'request' });
    expect(over.state).toBe(activated);
  });

  it('counts characters after percent-decoding, multi-byte characters as one', () => {
    expect(only(step(IOS, `username=${'%C3%A9'.repeat(100)}`, activated)).results).toEqual([0]);
    expect(only(step(IOS, `username=${'%C3%A9'.repeat(101)}`, activated)).results).toEqual([23]);
    expect(only(step(IOS, `username=${'%41'.repeat(100)}`, activated)).results).toEqual([0]);
    expect(only(step(IOS, `username=${'%41'.repeat(101)}`, activated)).results).toEqual([23]);
  });

  it('astral characters within the code-point limit are a choice; beyond it always 23', () => {
    const emoji = '%F0%9F%98%80';
    const branches = step(IOS, `username=${emoji.repeat(100)}`, activated);
    expect(branches.map((b) => [b.choices['OM-CHOICE-ASTRAL-LENGTH'], b.results])).toEqual([
      ['code-points', [0]],
      ['utf16', [23]],
    ]);
    expect(only(step(IOS, `username=${emoji.repeat(50)}`, activated)).results).toEqual([0]);
    expect(only(step(IOS, `username=${emoji.repeat(101)}`, activated)).results).toEqual([23]);
    const pw = step(IOS, `username=u&password=${emoji.repeat(64)}`, activated);
    expect(pw.map((b) => b.results)).toEqual([[0], [23]]);
  });

  it('password 63 / 64 pass, 65 is 23', () => {
    expect(
      only(step(ANDROID_URL, `username=u&password=${user(63, 'p')}`, given(ANDROID_URL, 'pid=20003&domain=d'))).results,
    ).toEqual([0]);
    const base = given(ANDROID_URL, 'pid=20003&domain=d');
    expect(only(step(ANDROID_URL, `username=u&password=${user(64, 'p')}`, base)).results).toEqual([0]);
    const over = only(step(ANDROID_URL, `username=u&password=${user(65, 'p')}`, base));
    expect(over.results).toEqual([23]);
    expect(over.violations[0]).toMatchObject({ requirement: 'OM-LEN-PASSWORD', phase: 'request' });
    expect(only(step(ANDROID_URL, `username=u&password=${'%E2%82%AC'.repeat(64)}`, base)).results).toEqual([0]);
    expect(only(step(ANDROID_URL, `username=u&password=${'%E2%82%AC'.repeat(65)}`, base)).results).toEqual([23]);
  });

  it('obfuscated passwords are measured after de-obfuscation', () => {
    const base = given(INTENT, 'pid=20003&domain=d');
    const ok = only(step(INTENT, `username=u&obfuscation=Y&password=${obfuscate('p'.repeat(64), KEY)}`, base));
    expect(ok.results).toEqual([0]);
    expect(ok.state.settings.password).toBe('p'.repeat(64));
    expect(
      only(step(INTENT, `username=u&obfuscation=Y&password=${obfuscate('p'.repeat(65), KEY)}`, base)).results,
    ).toEqual([23]);
    // The hex of a 40-character password is 96 characters, well over 64: still fine.
    expect(
      only(step(INTENT, `username=u&obfuscation=Y&password=${obfuscate('q'.repeat(40), KEY)}`, base)).results,
    ).toEqual([0]);
  });
});

// ---------------------------------------------------------------------------------------------------------

describe('obfuscation', () => {
  it('obfuscation=Y de-obfuscates the password (hex in either case) before use', () => {
    for (const route of ROUTES) {
      const hex = obfuscate('doggylove2', KEY);
      expect(hex).toHaveLength(32);
      for (const sent of [hex, hex.toLowerCase()]) {
        const b = only(step(route, `pid=9945&username=jsmalley&password=${sent}&domain=mycorp.com&obfuscation=Y`));
        expect(b.results).toEqual([0]);
        expect(b.state.settings.password).toBe('doggylove2');
      }
    }
  });

  it('without obfuscation=Y the hex is the password itself', () => {
    const hex = obfuscate('doggylove2', KEY);
    expect(only(step(IOS, `pid=9945&username=j&password=${hex}&obfuscation=N`)).state.settings.password).toBe(hex);
  });

  it('no key configured: the password does not decode (23 or 2)', () => {
    const hex = obfuscate('doggylove2', KEY);
    const branches = step(IOS, `pid=9945&username=j&password=${hex}&obfuscation=Y`, fresh(), { obfuscationKey: null });
    expect(branches.map((b) => b.results)).toEqual([[23], [2]]);
    for (const b of branches)
      expect(b.violations[0]).toMatchObject({ requirement: 'OM-OBFUSCATION', phase: 'request' });
  });

  it('an empty password with obfuscation=Y erases it', () => {
    const before = given(IOS, COMPLETE);
    expect(only(step(IOS, 'password=&obfuscation=Y', before)).state.settings.password).toBeNull();
  });

  it('obfuscation with a value other than Y / N is a choice (11, or N)', () => {
    const branches = step(IOS, `pid=9945&username=j&password=plain&obfuscation=yes`);
    expect(branches.map((b) => [b.choices['OM-CHOICE-FLAG-VALUE'], b.results])).toEqual([
      ['11', [11]],
      ['N', [0]],
    ]);
    expect(branches[1]?.state.settings.password).toBe('plain');
  });
});

// ---------------------------------------------------------------------------------------------------------

describe('soft configuration (reading section 3)', () => {
  it('domain: empty effective domain becomes the first option on activation', () => {
    const b = only(step(IOS, 'pid=20001'));
    expect(b.state.settings.domain).toBe('acme.example');
    expect(b.derivation.map((l) => l.requirement)).toContain('OM-SOFT-DOMAIN-DEFAULT');
  });

  for (const route of ROUTES) {
    it(`a new profile forbidding saved passwords removes the password, and no prefix option removes the prefix (${name(route)})`, () => {
      const before = given(route, 'pid=20001&username=u&password=p&domain=acme.example&prefix=ACME/');
      const b = only(step(route, 'pid=20002', before));
      expect(b.results).toEqual([0]);
      expect(b.state.profile?.id).toBe(20002);
      expect(b.state.settings.username).toBe('u');
      expect(b.state.settings.password).toBeNull();
      expect(b.state.settings.prefix).toBeNull();
      expect(b.state.settings.domain).toBe('acme.example');
      const reqs = b.derivation.map((l) => l.requirement);
      expect(reqs).toEqual(
        expect.arrayContaining(['OM-SOFT-PASSWORD-REMOVED', 'OM-SOFT-PREFIX-REMOVED', 'OM-REACT-KEEPS-SETTINGS']),
      );
      // In the request instead of saved: 23 and 21.
      expect(only(step(route, 'pid=20002&password=p', before)).results).toEqual([23]);
      expect(only(step(route, 'pid=20002&prefix=ACME/', before)).results).toEqual([21]);
    });
  }

  it('Android: initial activation sets auto-login N unless the request sets it', () => {
    for (const route of ANDROID_ROUTES) {
      const b = only(step(route, 'pid=20001'));
      expect(b.state.settings.autologin).toBe(false);
      expect(b.derivation.map((l) => l.requirement)).toContain('OM-SOFT-AUTOLOGIN-ANDROID-INITIAL');
      expect(only(step(route, 'pid=20001&autologin=Y')).state.settings.autologin).toBe(true);
      // Reactivation does not reset it.
      const on = given(route, 'pid=20001&autologin=Y');
      expect(only(step(route, 'pid=9945&domain=mycorp.com', on)).state.settings.autologin).toBe(true);
    }
  });

  it('Android: autologin=Y with a profile forbidding user control is ignored, no error', () => {
    for (const route of ANDROID_ROUTES) {
      const b = only(step(route, 'pid=20004&autologin=Y'));
      expect(b.results).toEqual([0]);
      expect(b.state.settings.autologin).toBe(false);
      expect(b.derivation.map((l) => l.requirement)).toContain('OM-SOFT-AUTOLOGIN-ANDROID-IGNORED');
      const before = given(route, 'pid=20004');
      const again = only(step(route, 'autologin=Y', before));
      expect(again.results).toEqual([0]);
      expect(again.state.settings.autologin).toBe(false);
    }
  });

  it('iOS: initial activation sets Y when the profile allows user control, N when it forbids', () => {
    const allowed = only(step(IOS, 'pid=20001'));
    expect(allowed.state.settings.autologin).toBe(true);
    expect(allowed.derivation.map((l) => l.requirement)).toContain('OM-SOFT-AUTOLOGIN-IOS-INITIAL');
    expect(only(step(IOS, 'pid=20004')).state.settings.autologin).toBe(false);
    expect(only(step(IOS, 'pid=20001&autologin=N')).state.settings.autologin).toBe(false);
  });

  it('iOS: reactivation to a profile forbidding user control sets N; to one allowing it keeps the value', () => {
    const before = given(IOS, 'pid=20001&domain=acme.example');
    expect(before.settings.autologin).toBe(true);
    const b = only(step(IOS, 'pid=20004', before));
    expect(b.state.settings.autologin).toBe(false);
    expect(b.derivation.map((l) => l.requirement)).toContain('OM-SOFT-AUTOLOGIN-IOS-FORBIDDEN');
    const off = given(IOS, 'pid=20001&autologin=N');
    expect(only(step(IOS, 'pid=20003', off)).state.settings.autologin).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------------------

describe('precedence (reading section 5)', () => {
  it('request-phase failures compete with the fetch failure that would happen', () => {
    const b = only(step(IOS, 'pid=424242&autologin=X'));
    expect(b.results).toEqual([11, 33]);
    expect(b.violations.map((v) => [v.code, v.phase])).toEqual([
      [11, 'request'],
      [33, 'fetch'],
    ]);
    expect(
      only(step(ANDROID_URL, `pid=9945&username=${'u'.repeat(101)}`, fresh(), { network: 'offline' })).results,
    ).toEqual([23, 32]);
    expect(only(step(INTENT, 'pid=9945&test=X', fresh(), { fault: { kind: 'status', status: 503 } })).results).toEqual([
      11, 31,
    ]);
  });

  it('configuration checks cannot win over request-phase or fetch failures', () => {
    const b = only(step(IOS, 'pid=9945&domain=other.com&test=Q'));
    expect(b.results).toEqual([11]);
    expect(b.violations.map((v) => [v.code, v.phase])).toEqual([[11, 'request']]);
    // A pid unknown in both modes is a lookup failure whatever the invalid test meant: 11 or 33.
    expect(only(step(IOS, 'pid=424242&test=Q')).results).toEqual([11, 33]);
    expect(only(step(IOS, 'pid=9945&domain=other.com', fresh(), { fault: { kind: 'cut' } })).results).toEqual([30]);
  });

  it('several configuration violations: any of their codes', () => {
    const b = only(step(IOS, 'pid=20004&domain=bad.example&prefix=BAD/&password=p&autologin=Y'));
    expect(b.results).toEqual([20, 21, 22, 23]);
    expect(b.violations.every((v) => v.phase === 'configuration')).toBe(true);
    expect(b.derivation.map((l) => l.requirement)).toContain('OM-PRECEDENCE');
  });

  it('a request without pid has no fetch: network and faults do not matter', () => {
    const before = given(IOS, COMPLETE);
    expect(only(step(IOS, 'test=Q', before, { network: 'offline' })).results).toEqual([11]);
    expect(only(step(IOS, 'username=new', before, { network: 'offline', fault: { kind: 'cut' } })).results).toEqual([
      0,
    ]);
    expect(only(step(IOS, 'pid=&test=Q', before, { network: 'offline' })).results).toEqual([10, 11]);
  });

  it('a latency fault does not change the outcome', () => {
    const slow = only(step(IOS, COMPLETE, fresh(), { fault: { kind: 'latency', ms: 150 } }));
    const normal = only(step(IOS, COMPLETE));
    expect(slow.results).toEqual(normal.results);
    expect(slow.state).toEqual(normal.state);
  });

  it('a declared order narrows to the first acceptable code in it', () => {
    const q = 'pid=20004&domain=bad.example&prefix=BAD/';
    expect(only(step(IOS, q, fresh(), { declaredPrecedence: [21, 20] })).results).toEqual([21]);
    expect(only(step(IOS, q, fresh(), { declaredPrecedence: [10, 11, 20, 21] })).results).toEqual([20]);
    expect(only(step(IOS, 'pid=424242&autologin=X', fresh(), { declaredPrecedence: [33, 11] })).results).toEqual([33]);
    // Nothing in the order matches: the set stays as it is.
    expect(only(step(IOS, q, fresh(), { declaredPrecedence: [99] })).results).toEqual([20, 21]);
  });
});

// ---------------------------------------------------------------------------------------------------------

describe('implementation-defined choices', () => {
  it('a literal + gives two branches: literal or space', () => {
    const branches = step(IOS, 'pid=9945&username=a+b');
    expect(branches.map((b) => [b.choices['OM-CHOICE-PLUS'], b.state.settings.username])).toEqual([
      ['literal', 'a+b'],
      ['space', 'a b'],
    ]);
    // %2B is always a plus: no choice.
    expect(only(step(IOS, 'pid=9945&username=a%2Bb')).state.settings.username).toBe('a+b');
  });

  it('one option per choice point in a request: two values with + still give two branches', () => {
    const branches = step(IOS, 'pid=20003&username=a+b&domain=c+d');
    expect(branches.map((b) => [b.state.settings.username, b.state.settings.domain])).toEqual([
      ['a+b', 'c+d'],
      ['a b', 'c d'],
    ]);
  });

  it('a repeated parameter: first or last wins', () => {
    const branches = step(ANDROID_URL, 'pid=9945&username=first&username=last');
    expect(branches.map((b) => [b.choices['OM-CHOICE-REPEATED'], b.state.settings.username])).toEqual([
      ['first', 'first'],
      ['last', 'last'],
    ]);
  });

  it('a bare name: empty (erases) or absent (keeps)', () => {
    const before = given(IOS, COMPLETE);
    const branches = step(IOS, 'username', before);
    expect(branches.map((b) => [b.choices['OM-CHOICE-BARE-NAME'], b.state.settings.username])).toEqual([
      ['empty', null],
      ['absent', 'jsmalley'],
    ]);
    // A bare pin or resulturlscheme means the same either way: no choice.
    expect(only(step(IOS, 'pid=13144&pin', before)).results).toEqual([0]);
    expect(only(stepUrl(IOS, 'ipass://provision?pid=13144&resulturlscheme', before)).delivery.channel).toBe('none');
  });

  it('malformed encoding: lenient decoding, not handled, kept as written, or rejected with a code', () => {
    const bad = step(IOS, 'pid=9945&username=100%zz');
    expect(
      bad.map((b) => [
        b.choices['OM-CHOICE-MALFORMED-ENCODING'],
        b.choices['OM-CHOICE-MALFORMED-REJECT-CODE'],
        b.handled,
        b.results,
        b.state.settings.username,
      ]),
    ).toEqual([
      ['lenient', undefined, true, [0], '100%zz'],
      ['not-handled', undefined, false, [], null],
      ['raw', undefined, true, [0], '100%zz'],
      ['reject', 'parameter', true, [23], null],
      ['reject', '2', true, [2], null],
    ]);
    const notUtf8 = step(IOS, 'pid=9945&username=a%C3%28');
    expect(branchWith(notUtf8, { 'OM-CHOICE-MALFORMED-ENCODING': 'lenient' }).state.settings.username).toBe('a\uFFFD(');
    expect(branchWith(notUtf8, { 'OM-CHOICE-MALFORMED-ENCODING': 'not-handled' }).handled).toBe(false);
    // Raw keeps the whole value as written, its well-formed escapes too.
    const truncated = step(IOS, 'pid=9945&username=Jos%C3%A9%E4%B8');
    expect(branchWith(truncated, { 'OM-CHOICE-MALFORMED-ENCODING': 'lenient' }).state.settings.username).toBe(
      'Jos\u00E9\uFFFD',
    );
    expect(branchWith(truncated, { 'OM-CHOICE-MALFORMED-ENCODING': 'raw' }).state.settings.username).toBe(
      'Jos%C3%A9%E4%B8',
    );
    // In an unknown parameter too: the URL is rejected before reaching the facility, or the parameter is
    // ignored (so a rejecting client has nothing to reject).
    expect(step(IOS, 'pid=9945&x=%').map((b) => [b.choices['OM-CHOICE-MALFORMED-ENCODING'], b.results])).toEqual([
      ['lenient', [0]],
      ['not-handled', []],
      ['raw', [0]],
      ['reject', [0]],
    ]);
  });

  it('malformed encoding rejected: the code of an unacceptable value of that parameter, or 2', () => {
    const before = given(ANDROID_URL, 'pid=20003&autologin=N');
    const codes = (query: string): number[][] =>
      step(INTENT, query, before)
        .filter((b) => b.choices['OM-CHOICE-MALFORMED-ENCODING'] === 'reject')
        .map((b) => b.results);
    expect(codes('pid=20%zz03')).toEqual([[10], [2]]);
    expect(codes('test=Y%C3')).toEqual([[11], [2]]);
    expect(codes('silentmode=%')).toEqual([[11], [2]]);
    expect(codes('password=x%E9')).toEqual([[23], [2]]);
    expect(codes('domain=a%2')).toEqual([[20], [2]]);
    expect(codes('prefix=a%G1')).toEqual([[21], [2]]);
    // Two parameters that do not decode: either may be reported first (one order per target).
    expect(codes('test=%&username=%')).toEqual([[11, 23], [2]]);
    // A rejected request changes nothing.
    const rejected = step(INTENT, 'username=%C3', before).filter(
      (b) => b.choices['OM-CHOICE-MALFORMED-ENCODING'] === 'reject',
    );
    expect(rejected).toHaveLength(2);
    for (const b of rejected) expect(b.state).toBe(before);
  });

  it('length limits count the text a raw client keeps: no astral-length choice on it', () => {
    const emoji = '%F0%9F%98%80'.repeat(50);
    const branches = step(IOS, `pid=9945&username=${emoji}%E9`);
    const raw = branchWith(branches, { 'OM-CHOICE-MALFORMED-ENCODING': 'raw' });
    expect(raw.results).toEqual([23]);
    expect(raw.choices['OM-CHOICE-ASTRAL-LENGTH']).toBeUndefined();
    // Decoded leniently, the same request reaches the astral-length choice.
    expect(
      branches
        .filter((b) => b.choices['OM-CHOICE-MALFORMED-ENCODING'] === 'lenient')
        .map((b) => [b.choices['OM-CHOICE-ASTRAL-LENGTH'], b.results]),
    ).toEqual([
      ['code-points', [0]],
      ['utf16', [23]],
    ]);
  });

  it('a resulturlscheme that is no URL scheme: the callback is not judged, under every reading', () => {
    for (const scheme of ['harnessprobe%C3', 'harnessprobe%zz', 'my%20app', '1app']) {
      const branches = stepUrl(IOS, `ipass://provision?pid=9945&autologin=N&resulturlscheme=${scheme}`);
      for (const b of branches.filter((x) => x.handled)) {
        expect(b.delivery.channel, scheme).toBe('unusable-callback');
        expect(b.delivery.dialog).toBe('outcome');
      }
    }
    expect(only(stepUrl(IOS, 'ipass://provision?pid=9945&resulturlscheme=my.app-2%2Bx')).delivery).toMatchObject({
      channel: 'callback',
      callbackScheme: 'my.app-2+x',
    });
  });

  it('pid not a decimal number: 10, or 33 as a fetch (which network conditions can pre-empt)', () => {
    const branches = step(IOS, 'pid=99a');
    expect(branches.map((b) => [b.choices['OM-CHOICE-PID-NONDECIMAL'], b.results, b.violations[0]?.phase])).toEqual([
      ['10', [10], 'request'],
      ['33', [33], 'fetch'],
    ]);
    expect(step(IOS, 'pid=-1', fresh(), { network: 'offline' }).map((b) => b.results)).toEqual([[10], [32]]);
  });

  it('no pid on an app never activated: 10 or 33; nothing to configure', () => {
    for (const route of ROUTES) {
      const branches = step(route, 'username=u&password=p&domain=d');
      expect(branches.map((b) => [b.choices['OM-CHOICE-PID-ABSENT-FRESH'], b.results])).toEqual([
        ['10', [10]],
        ['33', [33]],
      ]);
      for (const b of branches) expect(b.violations).toHaveLength(1);
    }
  });

  it('silentmode other than Y / N is a choice; on iOS silentmode=Y is a choice', () => {
    expect(
      step(ANDROID_URL, 'pid=9945&silentmode=y').map((b) => [b.choices['OM-CHOICE-FLAG-VALUE'], b.results]),
    ).toEqual([
      ['11', [11]],
      ['N', [0]],
    ]);
    expect(step(IOS, 'pid=9945&silentmode=Y').map((b) => b.choices['OM-CHOICE-IOS-SILENTMODE'])).toEqual([
      'ignored',
      'honoured',
    ]);
  });

  it('predictDefault is the first branch', () => {
    for (const q of ['pid=9945&username=a+b', 'pid=99a', 'username=x', COMPLETE]) {
      const all = step(ANDROID_URL, q);
      const first = predictDefault(input(ANDROID_URL, urlFor(ANDROID_URL, q), fresh()));
      expect(first).toEqual(all[0]);
    }
  });

  it('branches differ in their choices: no assignment is listed twice', () => {
    const branches = step(IOS, 'pid=9945&username=a+b&username=c&autologin=y&silentmode=Y&test=n');
    const keys = branches.map((b) => JSON.stringify(b.choices));
    expect(new Set(keys).size).toBe(branches.length);
    // The plus choice only arises when the first username (a+b) wins: (first x plus 2 + last) x y/n 2 x silent 2.
    expect(branches.length).toBe(3 * 2 * 2);
  });
});

// ---------------------------------------------------------------------------------------------------------

describe('result delivery', () => {
  it('iOS: one callback on the resulturlscheme, a dialog, in the foreground', () => {
    const b = only(stepUrl(IOS, 'ipass://provision?pid=9945&resulturlscheme=myapp'));
    expect(b.delivery).toEqual({
      channel: 'callback',
      callbackScheme: 'myapp',
      dialog: 'outcome',
      foreground: true,
      notification: 'any',
    });
    const failed = only(stepUrl(IOS, 'ipass://provision?pid=&resulturlscheme=myapp'));
    expect(failed.delivery.channel).toBe('callback');
    expect(failed.results).toEqual([10]);
  });

  it('iOS: resulturlscheme omitted or empty: no callback', () => {
    for (const url of ['ipass://provision?pid=9945', 'ipass://provision?pid=9945&resulturlscheme=']) {
      const b = only(stepUrl(IOS, url));
      expect(b.delivery).toEqual({
        channel: 'none',
        callbackScheme: null,
        dialog: 'outcome',
        foreground: true,
        notification: 'any',
      });
    }
  });

  it('Android URL method: no result code, a dialog; foreground and notification not judged', () => {
    expect(only(step(ANDROID_URL, 'pid=9945')).delivery).toEqual({
      channel: 'none',
      callbackScheme: null,
      dialog: 'outcome',
      foreground: 'any',
      notification: 'any',
    });
  });

  it('Android intent method: the broadcast; the rest unspecified unless silent', () => {
    expect(only(step(INTENT, 'pid=9945')).delivery).toEqual({
      channel: 'broadcast',
      callbackScheme: null,
      dialog: 'any',
      foreground: 'any',
      notification: 'any',
    });
    expect(only(step(INTENT, 'pid=&silentmode=Y')).delivery).toEqual({
      channel: 'broadcast',
      callbackScheme: null,
      dialog: 'none',
      foreground: false,
      notification: true,
    });
  });

  it('resulturlscheme means nothing on Android', () => {
    expect(only(step(INTENT, 'pid=9945&resulturlscheme=myapp')).delivery.callbackScheme).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------------------

describe('atomicity: every failure leaves the state exactly as it was', () => {
  const failing: [string, Partial<StepInput>][] = [
    ['pid=', {}],
    ['pid=9945&test=X', {}],
    ['pid=9945&domain=other.com&username=new', {}],
    ['pid=9945&prefix=X/&username=new', {}],
    ['pid=20002&password=p', {}],
    [`username=${'u'.repeat(101)}&domain=mycorp.com`, {}],
    ['pid=424242&username=new', {}],
    ['pid=13144&username=new', { network: 'offline' }],
    ['pid=13144&username=new', { fault: { kind: 'cut' } }],
    ['pid=13144&username=new', { fault: { kind: 'status', status: 503 } }],
    ['pid=13144&username=new', { inProgress: true }],
    ['username=&password=new', {}],
  ];
  for (const route of ROUTES) {
    it(`on ${name(route)}`, () => {
      const before = given(route, COMPLETE);
      const snapshot = structuredClone(before);
      for (const [q, extra] of failing) {
        for (const b of step(route, q, before, extra)) {
          expect(b.results, q).not.toEqual([0]);
          expect(b.state, q).toBe(before);
        }
      }
      expect(before).toEqual(snapshot);
    });
  }
});

describe('derivation', () => {
  it('names known requirements in the order applied and never shows the password', () => {
    const b = only(step(ANDROID_URL, 'pid=9945&username=jsmalley&password=s3cretpass&domain=mycorp.com'));
    const reqs = b.derivation.map((l) => l.requirement);
    expect(reqs[0]).toBe('OM-ROUTE-ANDROID-URL-COM');
    expect(reqs.at(-1)).toBe('OM-CODE-0-SUCCESS');
    expect(reqs.indexOf('OM-ACT-ACTIVATE')).toBeLessThan(reqs.indexOf('OM-SOFT-AUTOLOGIN-ANDROID-INITIAL'));
    expect(JSON.stringify(b.derivation)).not.toContain('s3cretpass');
    expect(b.derivation[0]?.text).toBe('scheme "clientx", host "provision.com" on the URL method: handled');
  });
});

describe('invariants over arbitrary requests (fast-check)', () => {
  const piece = fc.constantFrom(
    'pid=9945',
    'pid=',
    'pid=20001',
    'pid=20002',
    'pid=20004',
    'pid=12345',
    'pin=abc1234',
    'pid=x1',
    'test=Y',
    'test=y',
    'test=Q',
    'username=u',
    'username=',
    'username=a+b',
    'password=p',
    'password=',
    'domain=mycorp.com',
    'domain=',
    'domain=acme.example',
    'prefix=ACME/',
    'prefix=',
    'autologin=Y',
    'autologin=N',
    'autologin=n',
    'silentmode=Y',
    'silentmode=Q',
    'obfuscation=Y',
    'resulturlscheme=app',
    'username',
    'x=%zz',
    'PID=1',
    'password=%C3%A9',
  );
  const query = fc.array(piece, { maxLength: 7 }).map((parts) => parts.join('&'));
  const condition = fc.record({
    network: fc.constantFrom('online' as const, 'offline' as const),
    fault: fc.constantFrom(
      null,
      { kind: 'cut' as const },
      { kind: 'offline' as const },
      { kind: 'status' as const, status: 503 },
    ),
    inProgress: fc.boolean(),
  });

  it('every branch is consistent: unhandled reports nothing, failures keep the state, success is [0]', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ROUTES),
        fc.array(query, { maxLength: 3 }),
        query,
        condition,
        (route, setup, q, cond) => {
          let state = fresh();
          for (const s of setup) {
            const ok = step(route, s, state).find((b) => b.handled && b.results[0] === 0);
            if (ok) state = ok.state;
          }
          const branches = step(route, q, state, cond);
          expect(branches.length).toBeGreaterThan(0);
          expect(new Set(branches.map((b) => JSON.stringify([b.choices, b.nonStrict]))).size).toBe(branches.length);
          for (const b of branches) {
            if (!b.handled) {
              expect(b.results).toEqual([]);
              expect(b.state).toBe(state);
              continue;
            }
            expect(b.results.length).toBeGreaterThan(0);
            if (b.results[0] === 0) {
              expect(b.results).toEqual([0]);
              expect(b.violations).toEqual([]);
              expect(b.state.profile).not.toBeNull();
            } else {
              expect(b.state).toBe(state);
              for (const code of b.results) expect(b.violations.map((v) => v.code)).toContain(code);
            }
            if (cond.inProgress) expect(b.results).toEqual([1]);
            // Configuration codes never win over request or fetch failures.
            const early = b.violations.filter((v) => v.phase !== 'configuration').map((v) => v.code);
            if (early.length > 0) for (const code of b.results) expect(early).toContain(code);
          }
        },
      ),
      { numRuns: 400, seed: 20240611 },
    );
  });

  it('never throws on arbitrary URLs', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ROUTES),
        fc.constantFrom('', 'ipass://provision?', 'clientx://provision.com?', 'clientx://provision?'),
        fc.string({ unit: 'binary', maxLength: 60 }),
        (route, prefix, rest) => {
          const branches = stepUrl(route, prefix + rest);
          expect(branches.length).toBeGreaterThan(0);
          for (const b of branches) if (!b.handled) expect(b.results).toEqual([]);
        },
      ),
      { numRuns: 1000, seed: 7 },
    );
  });
});
