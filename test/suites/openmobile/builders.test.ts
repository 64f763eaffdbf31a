import { createDecipheriv } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Catalog, Platform } from '../../../protocols/openmobile/types.ts';
import { BUILDERS, buildVectors, routeCount } from '../../../suites/openmobile/builders/index.ts';
import {
  acceptableCodes,
  combine,
  contexts,
  ingredients,
  precedencePairs,
  TRIPLES,
} from '../../../suites/openmobile/builders/precedence.ts';
import { decodings } from '../../../suites/openmobile/builders/partition.ts';
import { expectProvision, FRESH, readFlag, readPid, readYesNo } from '../../../suites/openmobile/builders/rules.ts';
import { REQUIREMENTS } from '../../../suites/openmobile/requirements.ts';
import type { ExpectedState, Outcome, Vector } from '../../../suites/openmobile/types.ts';
import { validateVectors } from '../../../suites/openmobile/vectors.ts';
import { PUBLISHED_REQUIREMENT_IDS } from './published-requirements.ts';

const catalogPath = fileURLToPath(new URL('../../../vectors/openmobile/profiles.json', import.meta.url));
const catalog = JSON.parse(readFileSync(catalogPath, 'utf8')) as Catalog;
// A test key only (64 hex characters); real keys come from harness configuration.
const KEY = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';
const options = { catalog, obfuscationKey: KEY };
const vectors = buildVectors(options);
const byId = new Map(vectors.map((v) => [v.id, v]));

const REQUIREMENT_IDS = new Set(PUBLISHED_REQUIREMENT_IDS);

function vector(id: string): Vector {
  const found = byId.get(id);
  if (found === undefined) throw new Error(`no generated vector ${id}`);
  return found;
}

function outcome(id: string): Outcome {
  const then = vector(id).then;
  if ('oneOf' in then) throw new Error(`${id} has alternatives`);
  return then;
}

function state(id: string): ExpectedState {
  const s = outcome(id).state;
  if (s === undefined || s === 'unchanged') throw new Error(`${id} expects no new state`);
  return s;
}

function settings(partial: Partial<ExpectedState['settings']>): ExpectedState['settings'] {
  return { username: null, password: null, domain: null, prefix: null, autologin: null, ...partial };
}

describe('vector builders: shape', () => {
  it('is deterministic', () => {
    expect(JSON.stringify(buildVectors(options))).toBe(JSON.stringify(vectors));
  });

  it('gives every vector a unique om:gen- id, a builder source and known requirements', () => {
    expect(new Set(vectors.map((v) => v.id)).size).toBe(vectors.length);
    const areaOf: Record<string, string> = {
      PRECEDENCE: 'precedence',
      OMISSION: 'omission',
      LENGTH: 'length-limits',
      SOFT: 'soft-configuration',
      LOOKUP: 'lookup',
      ROUTING: 'routing',
      PARTITION: 'parameters',
    };
    for (const v of vectors) {
      const match = /^om:gen-([a-z]+)-[a-z0-9-]+$/.exec(v.id);
      expect(match, v.id).not.toBeNull();
      expect(v.area, v.id).toBe(areaOf[match![1]!.toUpperCase()]);
      expect(v.source, v.id).toMatch(/^builder:(precedence|omission|lengths|soft|lookup|routing|partition)$/);
      expect(v.requirements.length, v.id).toBeGreaterThan(0);
      for (const r of v.requirements) expect(REQUIREMENT_IDS.has(r), `${v.id}: ${r}`).toBe(true);
      expect(v.title.length, v.id).toBeGreaterThan(10);
    }
    for (const [name, build] of Object.entries(BUILDERS)) {
      for (const v of build(options)) expect(v.source).toBe(`builder:${name}`);
    }
  });

  it('keeps each vector valid per types.ts: full states, result sets, routes', () => {
    const checkOutcome = (id: string, o: Outcome): void => {
      if (!o.handled) {
        expect(o.result, id).toBeUndefined();
        expect(o.state, id).toBe('unchanged');
        return;
      }
      expect(o.result!.length, id).toBeGreaterThan(0);
      expect(
        [...o.result!].sort((a, b) => a - b),
        id,
      ).toEqual(o.result);
      if (o.result!.includes(0)) {
        expect(o.result, id).toEqual([0]);
        const s = o.state as ExpectedState;
        expect(Object.keys(s.settings).sort(), id).toEqual(['autologin', 'domain', 'password', 'prefix', 'username']);
        expect(
          s.profile === null || (typeof s.profile.id === 'number' && ['production', 'test'].includes(s.profile.mode)),
          id,
        ).toBe(true);
      } else {
        expect(o.state, id).toBe('unchanged');
      }
    };
    for (const v of vectors) {
      expect(v.when.query === undefined ? v.when.url !== undefined : v.when.url === undefined, v.id).toBe(true);
      if (v.when.url !== undefined) {
        expect(v.platforms?.length, v.id).toBe(1);
        expect(v.methods?.length, v.id).toBe(1);
      }
      if (v.platforms?.length === 1 && v.platforms[0] === 'ios') expect(v.methods ?? ['url'], v.id).toEqual(['url']);
      if ('oneOf' in v.then) {
        expect(v.then.oneOf.length, v.id).toBeGreaterThan(1);
        for (const branch of v.then.oneOf) checkOutcome(v.id, branch);
      } else {
        checkOutcome(v.id, v.then);
      }
    }
  });

  it('passes the vector schema and names only catalogued requirements', () => {
    const known = new Set(REQUIREMENTS.map((r) => r.id));
    expect(validateVectors(vectors, 'builders', { knownRequirements: known })).toEqual([]);
  });

  it('generates at least 900 cases (vectors x routes) across the builders', () => {
    const cases = vectors.reduce((n, v) => n + routeCount(v), 0);
    expect(cases).toBeGreaterThanOrEqual(900);
    for (const build of Object.values(BUILDERS)) expect(build(options).length).toBeGreaterThan(0);
    // Every route is exercised by generated vectors.
    const routes = new Set(
      vectors.flatMap((v) =>
        (v.platforms ?? ['ios', 'android']).flatMap((p) =>
          (p === 'ios' ? ['url'] : ['url', 'intent'])
            .filter((m) => v.methods === undefined || v.methods.includes(m as 'url'))
            .map((m) => `${p}-${m}`),
        ),
      ),
    );
    expect([...routes].sort()).toEqual(['android-intent', 'android-url', 'ios-url']);
  });

  it('leaves the obfuscated vectors out without a key, and nothing else', () => {
    const keyless = buildVectors({ catalog, obfuscationKey: null });
    const obfuscated = vectors.filter(
      (v) =>
        v.id.startsWith('om:gen-length-obfuscated-') ||
        v.id.startsWith('om:gen-partition-obfuscation-') ||
        /-in-obfuscated(-ios|-android)?$/.test(v.id),
    );
    expect(obfuscated.length).toBeGreaterThan(0);
    expect(keyless.map((v) => v.id)).toEqual(vectors.filter((v) => !obfuscated.includes(v)).map((v) => v.id));
    expect(keyless.reduce((n, v) => n + routeCount(v), 0)).toBeGreaterThanOrEqual(900);
  });

  it('never reads the model: builders import no model, url or lookup module of the suite', () => {
    const dir = fileURLToPath(new URL('../../../suites/openmobile/builders/', import.meta.url));
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const text = readFileSync(dir + file, 'utf8');
      expect(text, file).not.toMatch(/from '\.\.\/(model|url|lookup|judge|checks|execute)\.ts'/);
    }
  });

  it('copes with a smaller catalog (leaves out what it cannot build, throws nothing)', () => {
    const small: Catalog = { profiles: catalog.profiles.filter((p) => p.id === 9945 || p.id === 20002) };
    const built = buildVectors({ catalog: small, obfuscationKey: null });
    expect(built.length).toBeGreaterThan(50);
    expect(built.some((v) => v.id.startsWith('om:gen-omission-'))).toBe(true);
  });
});

describe('precedence builder', () => {
  const all = ingredients(catalog);

  it('covers every pair of ingredients, skipping exactly the pairs that cannot co-exist', () => {
    const pairs = precedencePairs(options);
    expect(pairs.length).toBe((all.length * (all.length - 1)) / 2);
    for (const pair of pairs) {
      if (pair.skipped === null) {
        expect(pair.vectorIds.length, pair.keys.join('+')).toBeGreaterThan(0);
        for (const id of pair.vectorIds) expect(byId.has(id), id).toBe(true);
      }
    }
    const skipped = pairs.filter((p) => p.skipped !== null).map((p) => p.keys.join('+'));
    const pidBound = ['DOMAINFIXED', 'PREFIXNONE', 'AUTOLOGINFORBID', 'PASSNOSAVE', 'PASSNOUSER'];
    expect(skipped.sort()).toEqual(
      [
        // A blank pid fetches nothing and selects no profile.
        ...[...pidBound, 'PIDUNKNOWN', 'PINWRONG', 'OFFLINE', 'FAULT503', 'FAULTCUT'].map((k) => `PIDBLANK+${k}`),
        // An unknown pid cannot be the pid of the profile another ingredient needs.
        ...pidBound.map((k) => `${k}+PIDUNKNOWN`),
        'PIDUNKNOWN+PINWRONG',
        'AUTOLOGINBAD+AUTOLOGINFORBID',
        'USERLONG+PASSNOUSER',
        'PASSNOSAVE+PASSNOUSER',
        'FAULT503+FAULTCUT',
      ].sort(),
    );
  });

  it('generates every listed triple', () => {
    for (const triple of TRIPLES) {
      expect(
        vectors.some((v) => v.id.startsWith(`om:gen-precedence-${triple.join('-')}`.toLowerCase())),
        triple.join('+'),
      ).toBe(true);
    }
  });

  it('applies the phase constraint (spot checks)', () => {
    const cases: [string, string, number[], Partial<Vector['when']>?][] = [
      ['om:gen-precedence-testbad-offline', 'pid=9945&test=X', [11, 32], { network: 'offline' }],
      ['om:gen-precedence-domainfixed-prefixnone', 'pid=9945&domain=not-allowed.example&prefix=XYZ/', [20, 21]],
      [
        'om:gen-precedence-userlong-domainfixed',
        `pid=9945&username=${'u'.repeat(101)}&domain=not-allowed.example`,
        [23],
      ],
      ['om:gen-precedence-testbad-passnosave', 'pid=20002&test=X&username=jdoe&password=Secret1', [11]],
      ['om:gen-precedence-pidblank-testbad', 'pid=&test=X', [10, 11]],
      ['om:gen-precedence-domainfixed-pinwrong', 'pid=9945&pin=0000&domain=not-allowed.example', [33]],
      ['om:gen-precedence-pidunknown-offline', 'pid=99999', [32], { network: 'offline' }],
      ['om:gen-precedence-pidunknown-fault503', 'pid=99999', [31], { fault: { kind: 'status', status: 503 } }],
      ['om:gen-precedence-offline-faultcut', 'pid=9945', [32], { network: 'offline', fault: { kind: 'cut' } }],
      ['om:gen-precedence-autologinbad-faultcut', 'pid=9945&autologin=X', [11, 30], { fault: { kind: 'cut' } }],
      ['om:gen-precedence-passlong-passnouser', `pid=9945&password=${'p'.repeat(65)}`, [23]],
      [
        'om:gen-precedence-passnosave-fault503',
        'pid=20002&username=jdoe&password=Secret1',
        [31],
        { fault: { kind: 'status', status: 503 } },
      ],
      ['om:gen-precedence-pidblank-testbad-passlong', `pid=&test=X&password=${'p'.repeat(65)}`, [10, 11, 23]],
      [
        'om:gen-precedence-userlong-prefixnone-fault503',
        `pid=9945&username=${'u'.repeat(101)}&prefix=XYZ/`,
        [23, 31],
        { fault: { kind: 'status', status: 503 } },
      ],
      [
        'om:gen-precedence-domainfixed-prefixnone-passnouser',
        'pid=9945&password=Secret1&domain=not-allowed.example&prefix=XYZ/',
        [20, 21, 23],
      ],
    ];
    for (const [id, query, result, when] of cases) {
      const v = vector(id);
      expect(v.when, id).toEqual({ query, ...when });
      expect(v.platforms, id).toBeUndefined();
      expect(outcome(id), id).toEqual({ handled: true, result, state: 'unchanged' });
      expect(v.requirements, id).toContain('OM-ATOMIC');
    }
    expect(vector('om:gen-precedence-domainfixed-prefixnone').requirements).toContain('OM-PRECEDENCE');
  });

  it('splits iOS-only 22 from Android, where autologin=Y is ignored', () => {
    expect(outcome('om:gen-precedence-autologinforbid-passnosave-ios').result).toEqual([22, 23]);
    expect(outcome('om:gen-precedence-autologinforbid-passnosave-android').result).toEqual([23]);
    expect(vector('om:gen-precedence-autologinforbid-passnosave-android').platforms).toEqual(['android']);
    expect(outcome('om:gen-precedence-domainfixed-prefixnone-autologinforbid-ios').result).toEqual([20, 21, 22]);
    expect(outcome('om:gen-precedence-domainfixed-prefixnone-autologinforbid-android').result).toEqual([20, 21]);
    // Alone on Android it is a plain activation of 20002.
    expect(outcome('om:gen-precedence-autologinforbid-ios').result).toEqual([22]);
    expect(state('om:gen-precedence-autologinforbid-android')).toEqual({
      profile: { id: 20002, mode: 'production' },
      settings: settings({ domain: 'acme.example', autologin: false }),
    });
  });

  it("agrees with the builders' settings rules wherever those apply (ingredients are clean)", () => {
    const settingsParams = new Set(['pid', 'username', 'password', 'domain', 'prefix', 'autologin']);
    let compared = 0;
    const groups = [...all.map((a) => [a]), ...all.flatMap((a, i) => all.slice(i + 1).map((b) => [a, b]))];
    for (const parts of groups) {
      const combination = combine(parts);
      if (!combination.ok || parts.some((p) => p.phase === 'fetch')) continue;
      if (Object.keys(combination.params).some((name) => !settingsParams.has(name))) continue;
      for (const platform of ['ios', 'android'] as Platform[]) {
        const { codes } = acceptableCodes(parts, platform);
        const ruled = expectProvision(catalog, platform, FRESH, combination.params);
        expect(ruled.ok ? [] : ruled.codes, `${parts.map((p) => p.key).join('+')} on ${platform}`).toEqual(codes);
        compared += 1;
      }
    }
    expect(compared).toBeGreaterThan(40);
  });
});

describe('omission builder', () => {
  it('expects the omission rules and the soft rules that fire', () => {
    // Fresh activation: a password without username is 23.
    expect(vector('om:gen-omission-password-20001-fresh-set').when.query).toBe('pid=20001&password=NewPass9');
    expect(outcome('om:gen-omission-password-20001-fresh-set')).toEqual({
      handled: true,
      result: [23],
      state: 'unchanged',
    });
    // Empty domain: the first option on 20001, nothing on 20003 (no option).
    const full20001 = 'pid=20001&username=alice&password=Secret1&domain=eu.acme.example&prefix=ACMEX/&autologin=Y';
    expect(vector('om:gen-omission-domain-20001-reconfigure-empty').given).toEqual([full20001]);
    expect(vector('om:gen-omission-domain-20001-reconfigure-empty').when.query).toBe('domain=');
    expect(state('om:gen-omission-domain-20001-reconfigure-empty')).toEqual({
      profile: { id: 20001, mode: 'production' },
      settings: settings({
        username: 'alice',
        password: 'Secret1',
        domain: 'acme.example',
        prefix: 'ACMEX/',
        autologin: true,
      }),
    });
    expect(state('om:gen-omission-domain-20003-reconfigure-empty').settings).toEqual(
      settings({ username: 'alice', password: 'Secret1', domain: null, prefix: 'FREE/', autologin: true }),
    );
    // Omitted keeps; the reconfiguration resends one saved setting so the query is not empty.
    expect(vector('om:gen-omission-password-20001-reconfigure-omitted').when.query).toBe('username=alice');
    expect(state('om:gen-omission-password-20001-reconfigure-omitted').settings.password).toBe('Secret1');
    expect(state('om:gen-omission-username-20001-reactivate-empty').settings).toEqual(
      settings({ username: null, password: 'Secret1', domain: 'eu.acme.example', prefix: 'ACMEX/', autologin: true }),
    );
    // Prefix: fixed options reject another, a profile without prefix option rejects any.
    expect(outcome('om:gen-omission-prefix-20001-fresh-set2').result).toEqual([21]);
    expect(outcome('om:gen-omission-prefix-9945-reconfigure-set').result).toEqual([21]);
    expect(state('om:gen-omission-prefix-20003-fresh-set-ios').settings.prefix).toBe('NEW/');
    // Auto-login: empty is 11; fresh defaults differ per platform; Y on a fresh iOS client lacks credentials.
    expect(outcome('om:gen-omission-autologin-20001-reconfigure-empty').result).toEqual([11]);
    expect(state('om:gen-omission-autologin-20001-fresh-omitted-ios').settings.autologin).toBe(true);
    expect(state('om:gen-omission-autologin-20001-fresh-omitted-android').settings.autologin).toBe(false);
    expect(outcome('om:gen-omission-autologin-20001-fresh-set-ios').result).toEqual([22]);
    expect(state('om:gen-omission-autologin-20001-fresh-set-android').settings.autologin).toBe(true);
    expect(state('om:gen-omission-autologin-20001-reconfigure-set2').settings.autologin).toBe(false);
  });
});

describe('lengths builder', () => {
  it('counts decoded characters at the limits', () => {
    expect(state('om:gen-length-username-utf8-3-100-ios').settings.username).toBe('中'.repeat(100));
    expect(vector('om:gen-length-username-utf8-3-100-ios').when.query).toBe(
      `pid=9945&username=${'%E4%B8%AD'.repeat(100)}`,
    );
    expect(outcome('om:gen-length-username-utf8-3-101')).toEqual({ handled: true, result: [23], state: 'unchanged' });
    expect(outcome('om:gen-length-password-utf8-2-65').result).toEqual([23]);
    expect(state('om:gen-length-password-utf8-2-64-android')).toEqual({
      profile: { id: 9945, mode: 'production' },
      settings: settings({ username: 'jdoe', password: 'é'.repeat(64), domain: 'mycorp.com', autologin: false }),
    });
    const reserved = state('om:gen-length-password-reserved-64-ios').settings.password!;
    expect([...reserved].length).toBe(64);
    expect(reserved.startsWith('&=#%+ ?&')).toBe(true);
    expect(vector('om:gen-length-password-reserved-64-ios').when.query).toContain('password=%26%3D%23%25%2B%20%3F%26');
    expect(state('om:gen-length-username-empty-0-ios').settings.username).toBeNull();
    expect(byId.has('om:gen-length-username-utf8-2-0')).toBe(false);
  });

  it('obfuscates with AES-256-ECB / PKCS#7, upper-case hex, and expects the plain password', () => {
    for (const id of ['om:gen-length-obfuscated-utf8-3-64-ios', 'om:gen-length-obfuscated-ascii-1-android']) {
      const query = new URLSearchParams(vector(id).when.query!);
      expect(query.get('obfuscation')).toBe('Y');
      const hex = query.get('password')!;
      expect(hex).toMatch(/^[0-9A-F]+$/);
      const decipher = createDecipheriv('aes-256-ecb', Buffer.from(KEY, 'hex'), null);
      const plain = Buffer.concat([decipher.update(Buffer.from(hex, 'hex')), decipher.final()]).toString('utf8');
      expect(state(id).settings.password).toBe(plain);
    }
    expect(
      new URLSearchParams(vector('om:gen-length-obfuscated-ascii-1-ios').when.query!).get('password'),
    ).toHaveLength(32);
    expect(outcome('om:gen-length-obfuscated-ascii-65').result).toEqual([23]);
  });
});

describe('soft builder', () => {
  it('applies soft rules and validation on reactivation', () => {
    // Saved eu.acme.example is not among 20002's fixed domains: 20 (the prefix and password are soft-removed, not errors).
    expect(outcome('om:gen-soft-reactivate-20001-full-to-20002')).toEqual({
      handled: true,
      result: [20],
      state: 'unchanged',
    });
    expect(state('om:gen-soft-reactivate-20001-full-to-20002-reset-ios')).toEqual({
      profile: { id: 20002, mode: 'production' },
      settings: settings({ username: 'alice', password: null, domain: 'acme.example', prefix: null, autologin: false }),
    });
    expect(state('om:gen-soft-reactivate-20001-full-to-20002-reset-android').settings.autologin).toBe(true);
    // An editable-domain profile keeps a saved domain that is not among its options.
    expect(state('om:gen-soft-reactivate-9945-bare-to-20001-ios').settings).toEqual(
      settings({ domain: 'mycorp.com', autologin: true }),
    );
    // A saved free domain does not fit a fixed-domain profile; a saved prefix not in fixed options is 21.
    expect(outcome('om:gen-soft-reactivate-20003-full-to-9945').result).toEqual([20]);
    expect(outcome('om:gen-soft-reactivate-20003-full-to-20001').result).toEqual([21]);
    // Reactivation to a profile without prefix option removes the saved prefix.
    expect(state('om:gen-soft-reactivate-20003-full-to-20003-reset').settings).toEqual(
      settings({ username: 'alice', password: 'Secret1', domain: null, prefix: null, autologin: true }),
    );
    expect(state('om:gen-soft-reactivate-20001-full-to-9945-reset').settings).toEqual(
      settings({ username: 'alice', password: 'Secret1', domain: 'mycorp.com', prefix: null, autologin: true }),
    );
    expect(vector('om:gen-soft-reactivate-20001-full-to-9945-reset').requirements).toContain('OM-OMIT-EMPTY-ERASES');
    // 20004's only prefix is ACME/: the saved ACMEX/ is 21 until prefix= erases it. 20004 also forbids
    // user control of auto-login: iOS sets N on reactivation, Android keeps the saved Y.
    expect(outcome('om:gen-soft-reactivate-20001-full-to-20004').result).toEqual([21]);
    expect(state('om:gen-soft-reactivate-20001-full-to-20004-reset-ios').settings).toEqual(
      settings({ username: 'alice', password: 'Secret1', domain: 'acme.example', prefix: null, autologin: false }),
    );
    expect(state('om:gen-soft-reactivate-20001-full-to-20004-reset-android').settings.autologin).toBe(true);
  });

  it('covers activation and reactivation between every pair of shared profiles', () => {
    const shared = [9945, 13144, 20001, 20002, 20003, 20004];
    for (const from of shared) {
      for (const to of shared) {
        for (const suffix of ['BARE-TO', 'FULL-TO']) {
          const id = `om:gen-soft-reactivate-${from}-${suffix.toLowerCase()}-${to}`;
          expect(byId.has(id) || (byId.has(`${id}-ios`) && byId.has(`${id}-android`)), id).toBe(true);
        }
      }
    }
  });
});

describe('lookup builder', () => {
  it('follows docs/profile-service.md', () => {
    expect(state('om:gen-lookup-20005-pinright-testy-ios')).toEqual({
      profile: { id: 20005, mode: 'test' },
      settings: settings({ domain: 'test.acme.example', autologin: true }),
    });
    expect(vector('om:gen-lookup-20005-pinright-testy-ios').when.query).toBe('pid=20005&pin=Zx9k&test=Y');
    expect(outcome('om:gen-lookup-20005-pincase-testy').result).toEqual([33]);
    expect(outcome('om:gen-lookup-12345-pinomitted-testn').result).toEqual([33]);
    expect(outcome('om:gen-lookup-12345-pinempty-testn').result).toEqual([33]);
    expect(state('om:gen-lookup-12345-pinright-testn-android').profile).toEqual({ id: 12345, mode: 'production' });
    expect(outcome('om:gen-lookup-112665-pinright-testn').result).toEqual([33]);
    expect(outcome('om:gen-lookup-9945-pinwrong-testn').result).toEqual([33]);
    expect(state('om:gen-lookup-9945-pinempty-testn-ios').profile).toEqual({ id: 9945, mode: 'production' });
    // Profile Finder: the favorite of the company for this platform, PIN not checked; none for globex.
    expect(state('om:gen-lookup-30101-pinwrong-testn-ios').profile).toEqual({ id: 30002, mode: 'production' });
    expect(state('om:gen-lookup-30102-pinomitted-testn-android')).toEqual({
      profile: { id: 30001, mode: 'production' },
      settings: settings({ domain: 'acme.example', autologin: false }),
    });
    expect(vector('om:gen-lookup-30102-pinomitted-testn-android').requirements).toContain('OM-LOOKUP-PROFILE-FINDER');
    expect(outcome('om:gen-lookup-30201-pinomitted-testn-ios').result).toEqual([33]);
    expect(outcome('om:gen-lookup-30101-pinomitted-testy').result).toEqual([33]);
  });
});

describe('routing builder', () => {
  it('expects routing per reading section 1 and the choice points', () => {
    const ios = vector('om:gen-routing-ios-scheme-upper-bare');
    expect(ios.when.url).toBe('IPASS://provision?pid=9945&resulturlscheme=harnessprobe');
    expect(ios.platforms).toEqual(['ios']);
    expect(outcome(ios.id).result).toEqual([0]);
    expect(outcome('om:gen-routing-ios-other-clientx-bare')).toEqual({ handled: false, state: 'unchanged' });
    expect(vector('om:gen-routing-android-url-canonical-full').when.url).toBe(
      'clientx://provision.com?pid=9945&username=alice&password=Secret1&domain=mycorp.com&autologin=Y',
    );
    const noCom = vector('om:gen-routing-android-url-no-com-bare');
    expect(noCom.methods).toEqual(['url']);
    expect('oneOf' in noCom.then && noCom.then.oneOf.map((b) => [b.handled, b.nonStrict ?? false])).toEqual([
      [false, false],
      [true, true],
    ]);
    const both = vector('om:gen-routing-android-intent-com-host-upper-bare');
    expect(both.methods).toEqual(['intent']);
    if (!('oneOf' in both.then)) throw new Error('expected alternatives');
    expect(both.then.oneOf.map((b) => [b.choices, b.handled])).toEqual([
      [{ 'OM-CHOICE-INTENT-PROVISION-COM': 'handled', 'OM-CHOICE-INTENT-CASE': 'handled' }, true],
      [{ 'OM-CHOICE-INTENT-PROVISION-COM': 'handled', 'OM-CHOICE-INTENT-CASE': 'not-handled' }, false],
      [{ 'OM-CHOICE-INTENT-PROVISION-COM': 'not-handled' }, false],
    ]);
    expect(both.then.oneOf.filter((b) => b.handled).map((b) => b.choices)).toEqual([
      { 'OM-CHOICE-INTENT-PROVISION-COM': 'handled', 'OM-CHOICE-INTENT-CASE': 'handled' },
    ]);
    expect(outcome('om:gen-routing-android-intent-canonical-bare').result).toEqual([0]);
  });
});

describe('partition builder: every class of each parameter, in the states that matter', () => {
  const partition = vectors.filter((v) => v.source === 'builder:partition');
  const choicesOf = (id: string): Record<string, string>[] => {
    const then = vector(id).then;
    if (!('oneOf' in then)) throw new Error(`${id} has one outcome`);
    return then.oneOf.map((alternative) => alternative.choices);
  };

  it('reads values by its own small rules (reading section 2)', () => {
    expect(readYesNo('Y')).toEqual({ kind: 'valid', value: 'Y' });
    expect(readYesNo('n')).toEqual({ kind: 'lowercase', value: 'N' });
    for (const odd of ['yes', 'YES', 'No', '1', 'true', ' Y', 'Y ', '\tN', 'YY', '']) {
      expect(readYesNo(odd), odd).toEqual({ kind: 'invalid' });
    }
    expect(readFlag('N')).toEqual({ kind: 'valid', value: 'N' });
    for (const odd of ['y', ' Y', 'yes', '']) expect(readFlag(odd), odd).toEqual({ kind: 'other' });
    expect(readPid('9945')).toBe('decimal');
    expect(readPid('')).toBe('blank');
    for (const odd of [' 9945', '9945\t', '+9945', '٩٩٤٥', '９９４５', '9945.0'])
      expect(readPid(odd), odd).toBe('non-decimal');
    expect(decodings('Y+')).toEqual([
      { choices: { 'OM-CHOICE-PLUS': 'literal' }, value: 'Y+' },
      { choices: { 'OM-CHOICE-PLUS': 'space' }, value: 'Y ' },
    ]);
  });

  it('tries every parameter on a fresh client, and its core classes on an activated client and with a saved password', () => {
    const parameters = new Set(partition.map((v) => /^om:gen-partition-([a-z]+)-/.exec(v.id)![1]!.toUpperCase()));
    expect([...parameters].sort()).toEqual(
      ['AUTOLOGIN', 'DOMAIN', 'OBFUSCATION', 'PASSWORD', 'PID', 'PREFIX', 'SILENTMODE', 'TEST', 'USERNAME'].sort(),
    );
    for (const parameter of parameters) {
      for (const state of ['FRESH', 'ACTIVATED', 'SAVED-PASSWORD']) {
        expect(
          partition.some(
            (v) =>
              v.id.startsWith(`om:gen-partition-${parameter.toLowerCase()}-`) &&
              v.id.includes(`-${state.toLowerCase()}`),
          ),
          `${parameter} ${state}`,
        ).toBe(true);
      }
    }
    for (const v of partition.filter((x) => !x.id.includes('-fresh'))) expect(v.given?.length, v.id).toBe(1);
  });

  it('fails every spelling of a yes/no flag other than Y, N (and y/n, a choice) with 11', () => {
    for (const key of [
      'YES',
      'YES-UPPER',
      'NO-CAPITAL',
      'ONE',
      'TRUE',
      'LEADING-SPACE',
      'TRAILING-SPACE',
      'LEADING-TAB',
      'TRAILING-TAB',
      'DOUBLE',
      'EMPTY',
      'PLUS',
    ]) {
      expect(outcome(`om:gen-partition-autologin-${key}-fresh`.toLowerCase()), key).toEqual({
        handled: true,
        result: [11],
        state: 'unchanged',
      });
    }
    expect(vector('om:gen-partition-autologin-leading-space-fresh').when.query).toMatch(/&autologin=%20Y$/);
    expect(outcome('om:gen-partition-autologin-encoded-y-fresh').result).toEqual([0]);
    expect(choicesOf('om:gen-partition-test-lower-y-fresh')).toEqual([
      { 'OM-CHOICE-BOOL-LOWERCASE': 'accept' },
      { 'OM-CHOICE-BOOL-LOWERCASE': '11' },
    ]);
    // test=Y asks for a test-mode revision the chosen profile does not have.
    expect(outcome('om:gen-partition-test-encoded-y-fresh').result).toEqual([33]);
    expect(outcome('om:gen-partition-test-y-activated-android').result).toEqual([0]);
  });

  it('lists both options of OM-CHOICE-FLAG-VALUE for silentmode and obfuscation spelled otherwise', () => {
    expect(choicesOf('om:gen-partition-silentmode-leading-space-saved-password')).toEqual([
      { 'OM-CHOICE-FLAG-VALUE': '11' },
      { 'OM-CHOICE-FLAG-VALUE': 'N' },
    ]);
    // obfuscation=y: 11, or read as N, so the hex text itself is the password saved.
    const then = vector('om:gen-partition-obfuscation-lower-y-saved-password').then;
    expect(
      'oneOf' in then && then.oneOf.map((o) => (o.state === 'unchanged' ? 'unchanged' : o.state?.settings.password)),
    ).toEqual(['unchanged', expect.stringMatching(/^[0-9A-F]{32}$/)]);
    expect(state('om:gen-partition-obfuscation-y-fresh-ios').settings.password).toBe('Secret1');
  });

  it('never reads whitespace or digits of another script as part of a profile ID', () => {
    for (const key of [
      'LEADING-SPACE',
      'TRAILING-SPACE',
      'TRAILING-TAB',
      'ARABIC-INDIC',
      'FULLWIDTH',
      'DECIMAL-POINT',
      'PLUS',
    ]) {
      const then = vector(`om:gen-partition-pid-${key}-fresh`.toLowerCase()).then;
      expect('oneOf' in then && then.oneOf.map((o) => o.result), key).toEqual(
        key === 'PLUS' ? [[10], [33], [10], [33]] : [[10], [33]],
      );
    }
    expect(state('om:gen-partition-pid-encoded-fresh-ios').profile).toEqual({ id: 9945, mode: 'production' });
    expect(outcome('om:gen-partition-pid-blank-saved-password')).toEqual({
      handled: true,
      result: [10],
      state: 'unchanged',
    });
  });

  it('keeps whitespace and letter case in settings and compares domains and prefixes exactly', () => {
    expect(state('om:gen-partition-username-trailing-space-saved-password').settings.username).toBe('alice ');
    expect(state('om:gen-partition-username-space-only-fresh-ios').settings.username).toBe(' ');
    expect(state('om:gen-partition-password-leading-space-fresh-android').settings.password).toBe(' Secret1');
    for (const key of ['LEADING-SPACE', 'TRAILING-SPACE', 'TRAILING-TAB', 'UPPER', 'SPACE-ONLY'])
      expect(outcome(`om:gen-partition-domain-fixed-${key}-fresh`.toLowerCase()).result, key).toEqual([20]);
    expect(state('om:gen-partition-domain-fixed-encoded-fresh-ios').settings.domain).toBe('mycorp.com');
    expect(outcome('om:gen-partition-prefix-lower-fresh').result).toEqual([21]);
    expect(choicesOf('om:gen-partition-username-plus-fresh-ios')).toEqual([
      { 'OM-CHOICE-PLUS': 'literal' },
      { 'OM-CHOICE-PLUS': 'space' },
    ]);
  });

  it('never puts a password in a title', () => {
    for (const v of partition.filter((x) => x.id.startsWith('om:gen-partition-password-')))
      expect(v.title, v.id).not.toContain('Secret1');
  });
});

describe('precedence builder: pairs in context', () => {
  const around = contexts(catalog, KEY);

  it('repeats every pair whose answer reveals an order in each context it fits', () => {
    expect(around.map((c) => c.key)).toEqual(['PASSWORD', 'TESTN', 'NOPID', 'TESTY', 'OBFUSCATED']);
    const all = ingredients(catalog);
    for (const context of around) {
      expect(
        vectors.some((v) => /-in-/.test(v.id) && v.id.includes(`-in-${context.key}`.toLowerCase())),
        context.key,
      ).toBe(true);
    }
    // The pairs a seeded defect needs in two contexts: a request-syntax pair with and without a password, a
    // configuration pair with and without test, with and without obfuscation.
    for (const id of [
      'om:gen-precedence-testbad-userlong',
      'om:gen-precedence-testbad-userlong-in-password',
      'om:gen-precedence-domainfixed-prefixnone-in-testn',
      'om:gen-precedence-domainfixed-prefixnone-in-nopid',
      'om:gen-precedence-autologinbad-userlong-in-testy',
    ]) {
      expect(byId.has(id), id).toBe(true);
    }
    expect(all.length).toBeGreaterThan(10);
  });

  it('sends the context as it says: no pid after an activation, an obfuscated password, the test-mode PIN', () => {
    const nopid = vector('om:gen-precedence-domainfixed-prefixnone-in-nopid');
    expect(nopid.when.query).not.toMatch(/(^|&)pid=/);
    expect(nopid.given).toEqual(['pid=9945']);
    expect(outcome(nopid.id).result).toEqual([20, 21]);
    const obfuscated = vectors.find(
      (v) => v.id.startsWith('om:gen-precedence-passlong-') && v.id.includes('-in-obfuscated'),
    )!;
    expect(obfuscated.when.query).toMatch(/password=[0-9A-F]{160}(&|$)/);
    expect(obfuscated.when.query).toContain('obfuscation=Y');
    expect(vector('om:gen-precedence-autologinbad-userlong-in-testy').when.query).toMatch(/test=Y/);
    expect(outcome('om:gen-precedence-testbad-userlong-in-password').result).toEqual([11, 23]);
  });
});
