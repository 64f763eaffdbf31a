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

  it('gives every vector a unique OM-GEN id, a builder source and known requirements', () => {
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
      const match = /^OM-GEN-([A-Z]+)-[A-Z0-9-]+$/.exec(v.id);
      expect(match, v.id).not.toBeNull();
      expect(v.area, v.id).toBe(areaOf[match![1]!]);
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
        v.id.startsWith('OM-GEN-LENGTH-OBFUSCATED-') ||
        v.id.startsWith('OM-GEN-PARTITION-OBFUSCATION-') ||
        /-IN-OBFUSCATED(-IOS|-ANDROID)?$/.test(v.id),
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
    expect(built.some((v) => v.id.startsWith('OM-GEN-OMISSION-'))).toBe(true);
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
        vectors.some((v) => v.id.startsWith(`OM-GEN-PRECEDENCE-${triple.join('-')}`)),
        triple.join('+'),
      ).toBe(true);
    }
  });

  it('applies the phase constraint (spot checks)', () => {
    const cases: [string, string, number[], Partial<Vector['when']>?][] = [
      ['OM-GEN-PRECEDENCE-TESTBAD-OFFLINE', 'pid=9945&test=X', [11, 32], { network: 'offline' }],
      ['OM-GEN-PRECEDENCE-DOMAINFIXED-PREFIXNONE', 'pid=9945&domain=not-allowed.example&prefix=XYZ/', [20, 21]],
      [
        'OM-GEN-PRECEDENCE-USERLONG-DOMAINFIXED',
        `pid=9945&username=${'u'.repeat(101)}&domain=not-allowed.example`,
        [23],
      ],
      ['OM-GEN-PRECEDENCE-TESTBAD-PASSNOSAVE', 'pid=20002&test=X&username=jdoe&password=Secret1', [11]],
      ['OM-GEN-PRECEDENCE-PIDBLANK-TESTBAD', 'pid=&test=X', [10, 11]],
      ['OM-GEN-PRECEDENCE-DOMAINFIXED-PINWRONG', 'pid=9945&pin=0000&domain=not-allowed.example', [33]],
      ['OM-GEN-PRECEDENCE-PIDUNKNOWN-OFFLINE', 'pid=99999', [32], { network: 'offline' }],
      ['OM-GEN-PRECEDENCE-PIDUNKNOWN-FAULT503', 'pid=99999', [31], { fault: { kind: 'status', status: 503 } }],
      ['OM-GEN-PRECEDENCE-OFFLINE-FAULTCUT', 'pid=9945', [32], { network: 'offline', fault: { kind: 'cut' } }],
      ['OM-GEN-PRECEDENCE-AUTOLOGINBAD-FAULTCUT', 'pid=9945&autologin=X', [11, 30], { fault: { kind: 'cut' } }],
      ['OM-GEN-PRECEDENCE-PASSLONG-PASSNOUSER', `pid=9945&password=${'p'.repeat(65)}`, [23]],
      [
        'OM-GEN-PRECEDENCE-PASSNOSAVE-FAULT503',
        'pid=20002&username=jdoe&password=Secret1',
        [31],
        { fault: { kind: 'status', status: 503 } },
      ],
      ['OM-GEN-PRECEDENCE-PIDBLANK-TESTBAD-PASSLONG', `pid=&test=X&password=${'p'.repeat(65)}`, [10, 11, 23]],
      [
        'OM-GEN-PRECEDENCE-USERLONG-PREFIXNONE-FAULT503',
        `pid=9945&username=${'u'.repeat(101)}&prefix=XYZ/`,
        [23, 31],
        { fault: { kind: 'status', status: 503 } },
      ],
      [
        'OM-GEN-PRECEDENCE-DOMAINFIXED-PREFIXNONE-PASSNOUSER',
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
    expect(vector('OM-GEN-PRECEDENCE-DOMAINFIXED-PREFIXNONE').requirements).toContain('OM-PRECEDENCE');
  });

  it('splits iOS-only 22 from Android, where autologin=Y is ignored', () => {
    expect(outcome('OM-GEN-PRECEDENCE-AUTOLOGINFORBID-PASSNOSAVE-IOS').result).toEqual([22, 23]);
    expect(outcome('OM-GEN-PRECEDENCE-AUTOLOGINFORBID-PASSNOSAVE-ANDROID').result).toEqual([23]);
    expect(vector('OM-GEN-PRECEDENCE-AUTOLOGINFORBID-PASSNOSAVE-ANDROID').platforms).toEqual(['android']);
    expect(outcome('OM-GEN-PRECEDENCE-DOMAINFIXED-PREFIXNONE-AUTOLOGINFORBID-IOS').result).toEqual([20, 21, 22]);
    expect(outcome('OM-GEN-PRECEDENCE-DOMAINFIXED-PREFIXNONE-AUTOLOGINFORBID-ANDROID').result).toEqual([20, 21]);
    // Alone on Android it is a plain activation of 20002.
    expect(outcome('OM-GEN-PRECEDENCE-AUTOLOGINFORBID-IOS').result).toEqual([22]);
    expect(state('OM-GEN-PRECEDENCE-AUTOLOGINFORBID-ANDROID')).toEqual({
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
    expect(vector('OM-GEN-OMISSION-PASSWORD-20001-FRESH-SET').when.query).toBe('pid=20001&password=NewPass9');
    expect(outcome('OM-GEN-OMISSION-PASSWORD-20001-FRESH-SET')).toEqual({
      handled: true,
      result: [23],
      state: 'unchanged',
    });
    // Empty domain: the first option on 20001, nothing on 20003 (no option).
    const full20001 = 'pid=20001&username=alice&password=Secret1&domain=eu.acme.example&prefix=ACMEX/&autologin=Y';
    expect(vector('OM-GEN-OMISSION-DOMAIN-20001-RECONFIGURE-EMPTY').given).toEqual([full20001]);
    expect(vector('OM-GEN-OMISSION-DOMAIN-20001-RECONFIGURE-EMPTY').when.query).toBe('domain=');
    expect(state('OM-GEN-OMISSION-DOMAIN-20001-RECONFIGURE-EMPTY')).toEqual({
      profile: { id: 20001, mode: 'production' },
      settings: settings({
        username: 'alice',
        password: 'Secret1',
        domain: 'acme.example',
        prefix: 'ACMEX/',
        autologin: true,
      }),
    });
    expect(state('OM-GEN-OMISSION-DOMAIN-20003-RECONFIGURE-EMPTY').settings).toEqual(
      settings({ username: 'alice', password: 'Secret1', domain: null, prefix: 'FREE/', autologin: true }),
    );
    // Omitted keeps; the reconfiguration resends one saved setting so the query is not empty.
    expect(vector('OM-GEN-OMISSION-PASSWORD-20001-RECONFIGURE-OMITTED').when.query).toBe('username=alice');
    expect(state('OM-GEN-OMISSION-PASSWORD-20001-RECONFIGURE-OMITTED').settings.password).toBe('Secret1');
    expect(state('OM-GEN-OMISSION-USERNAME-20001-REACTIVATE-EMPTY').settings).toEqual(
      settings({ username: null, password: 'Secret1', domain: 'eu.acme.example', prefix: 'ACMEX/', autologin: true }),
    );
    // Prefix: fixed options reject another, a profile without prefix option rejects any.
    expect(outcome('OM-GEN-OMISSION-PREFIX-20001-FRESH-SET2').result).toEqual([21]);
    expect(outcome('OM-GEN-OMISSION-PREFIX-9945-RECONFIGURE-SET').result).toEqual([21]);
    expect(state('OM-GEN-OMISSION-PREFIX-20003-FRESH-SET-IOS').settings.prefix).toBe('NEW/');
    // Auto-login: empty is 11; fresh defaults differ per platform; Y on a fresh iOS client lacks credentials.
    expect(outcome('OM-GEN-OMISSION-AUTOLOGIN-20001-RECONFIGURE-EMPTY').result).toEqual([11]);
    expect(state('OM-GEN-OMISSION-AUTOLOGIN-20001-FRESH-OMITTED-IOS').settings.autologin).toBe(true);
    expect(state('OM-GEN-OMISSION-AUTOLOGIN-20001-FRESH-OMITTED-ANDROID').settings.autologin).toBe(false);
    expect(outcome('OM-GEN-OMISSION-AUTOLOGIN-20001-FRESH-SET-IOS').result).toEqual([22]);
    expect(state('OM-GEN-OMISSION-AUTOLOGIN-20001-FRESH-SET-ANDROID').settings.autologin).toBe(true);
    expect(state('OM-GEN-OMISSION-AUTOLOGIN-20001-RECONFIGURE-SET2').settings.autologin).toBe(false);
  });
});

describe('lengths builder', () => {
  it('counts decoded characters at the limits', () => {
    expect(state('OM-GEN-LENGTH-USERNAME-UTF8-3-100-IOS').settings.username).toBe('中'.repeat(100));
    expect(vector('OM-GEN-LENGTH-USERNAME-UTF8-3-100-IOS').when.query).toBe(
      `pid=9945&username=${'%E4%B8%AD'.repeat(100)}`,
    );
    expect(outcome('OM-GEN-LENGTH-USERNAME-UTF8-3-101')).toEqual({ handled: true, result: [23], state: 'unchanged' });
    expect(outcome('OM-GEN-LENGTH-PASSWORD-UTF8-2-65').result).toEqual([23]);
    expect(state('OM-GEN-LENGTH-PASSWORD-UTF8-2-64-ANDROID')).toEqual({
      profile: { id: 9945, mode: 'production' },
      settings: settings({ username: 'jdoe', password: 'é'.repeat(64), domain: 'mycorp.com', autologin: false }),
    });
    const reserved = state('OM-GEN-LENGTH-PASSWORD-RESERVED-64-IOS').settings.password!;
    expect([...reserved].length).toBe(64);
    expect(reserved.startsWith('&=#%+ ?&')).toBe(true);
    expect(vector('OM-GEN-LENGTH-PASSWORD-RESERVED-64-IOS').when.query).toContain('password=%26%3D%23%25%2B%20%3F%26');
    expect(state('OM-GEN-LENGTH-USERNAME-EMPTY-0-IOS').settings.username).toBeNull();
    expect(byId.has('OM-GEN-LENGTH-USERNAME-UTF8-2-0')).toBe(false);
  });

  it('obfuscates with AES-256-ECB / PKCS#7, upper-case hex, and expects the plain password', () => {
    for (const id of ['OM-GEN-LENGTH-OBFUSCATED-UTF8-3-64-IOS', 'OM-GEN-LENGTH-OBFUSCATED-ASCII-1-ANDROID']) {
      const query = new URLSearchParams(vector(id).when.query!);
      expect(query.get('obfuscation')).toBe('Y');
      const hex = query.get('password')!;
      expect(hex).toMatch(/^[0-9A-F]+$/);
      const decipher = createDecipheriv('aes-256-ecb', Buffer.from(KEY, 'hex'), null);
      const plain = Buffer.concat([decipher.update(Buffer.from(hex, 'hex')), decipher.final()]).toString('utf8');
      expect(state(id).settings.password).toBe(plain);
    }
    expect(
      new URLSearchParams(vector('OM-GEN-LENGTH-OBFUSCATED-ASCII-1-IOS').when.query!).get('password'),
    ).toHaveLength(32);
    expect(outcome('OM-GEN-LENGTH-OBFUSCATED-ASCII-65').result).toEqual([23]);
  });
});

describe('soft builder', () => {
  it('applies soft rules and validation on reactivation', () => {
    // Saved eu.acme.example is not among 20002's fixed domains: 20 (the prefix and password are soft-removed, not errors).
    expect(outcome('OM-GEN-SOFT-REACTIVATE-20001-FULL-TO-20002')).toEqual({
      handled: true,
      result: [20],
      state: 'unchanged',
    });
    expect(state('OM-GEN-SOFT-REACTIVATE-20001-FULL-TO-20002-RESET-IOS')).toEqual({
      profile: { id: 20002, mode: 'production' },
      settings: settings({ username: 'alice', password: null, domain: 'acme.example', prefix: null, autologin: false }),
    });
    expect(state('OM-GEN-SOFT-REACTIVATE-20001-FULL-TO-20002-RESET-ANDROID').settings.autologin).toBe(true);
    // An editable-domain profile keeps a saved domain that is not among its options.
    expect(state('OM-GEN-SOFT-REACTIVATE-9945-BARE-TO-20001-IOS').settings).toEqual(
      settings({ domain: 'mycorp.com', autologin: true }),
    );
    // A saved free domain does not fit a fixed-domain profile; a saved prefix not in fixed options is 21.
    expect(outcome('OM-GEN-SOFT-REACTIVATE-20003-FULL-TO-9945').result).toEqual([20]);
    expect(outcome('OM-GEN-SOFT-REACTIVATE-20003-FULL-TO-20001').result).toEqual([21]);
    // Reactivation to a profile without prefix option removes the saved prefix.
    expect(state('OM-GEN-SOFT-REACTIVATE-20003-FULL-TO-20003-RESET').settings).toEqual(
      settings({ username: 'alice', password: 'Secret1', domain: null, prefix: null, autologin: true }),
    );
    expect(state('OM-GEN-SOFT-REACTIVATE-20001-FULL-TO-9945-RESET').settings).toEqual(
      settings({ username: 'alice', password: 'Secret1', domain: 'mycorp.com', prefix: null, autologin: true }),
    );
    expect(vector('OM-GEN-SOFT-REACTIVATE-20001-FULL-TO-9945-RESET').requirements).toContain('OM-OMIT-EMPTY-ERASES');
    // 20004's only prefix is ACME/: the saved ACMEX/ is 21 until prefix= erases it. 20004 also forbids
    // user control of auto-login: iOS sets N on reactivation, Android keeps the saved Y.
    expect(outcome('OM-GEN-SOFT-REACTIVATE-20001-FULL-TO-20004').result).toEqual([21]);
    expect(state('OM-GEN-SOFT-REACTIVATE-20001-FULL-TO-20004-RESET-IOS').settings).toEqual(
      settings({ username: 'alice', password: 'Secret1', domain: 'acme.example', prefix: null, autologin: false }),
    );
    expect(state('OM-GEN-SOFT-REACTIVATE-20001-FULL-TO-20004-RESET-ANDROID').settings.autologin).toBe(true);
  });

  it('covers activation and reactivation between every pair of shared profiles', () => {
    const shared = [9945, 13144, 20001, 20002, 20003, 20004];
    for (const from of shared) {
      for (const to of shared) {
        for (const suffix of ['BARE-TO', 'FULL-TO']) {
          const id = `OM-GEN-SOFT-REACTIVATE-${from}-${suffix}-${to}`;
          expect(byId.has(id) || (byId.has(`${id}-IOS`) && byId.has(`${id}-ANDROID`)), id).toBe(true);
        }
      }
    }
  });
});

describe('lookup builder', () => {
  it('follows docs/profile-service.md', () => {
    expect(state('OM-GEN-LOOKUP-20005-PINRIGHT-TESTY-IOS')).toEqual({
      profile: { id: 20005, mode: 'test' },
      settings: settings({ domain: 'test.acme.example', autologin: true }),
    });
    expect(vector('OM-GEN-LOOKUP-20005-PINRIGHT-TESTY-IOS').when.query).toBe('pid=20005&pin=Zx9k&test=Y');
    expect(outcome('OM-GEN-LOOKUP-20005-PINCASE-TESTY').result).toEqual([33]);
    expect(outcome('OM-GEN-LOOKUP-12345-PINOMITTED-TESTN').result).toEqual([33]);
    expect(outcome('OM-GEN-LOOKUP-12345-PINEMPTY-TESTN').result).toEqual([33]);
    expect(state('OM-GEN-LOOKUP-12345-PINRIGHT-TESTN-ANDROID').profile).toEqual({ id: 12345, mode: 'production' });
    expect(outcome('OM-GEN-LOOKUP-112665-PINRIGHT-TESTN').result).toEqual([33]);
    expect(outcome('OM-GEN-LOOKUP-9945-PINWRONG-TESTN').result).toEqual([33]);
    expect(state('OM-GEN-LOOKUP-9945-PINEMPTY-TESTN-IOS').profile).toEqual({ id: 9945, mode: 'production' });
    // Profile Finder: the favorite of the company for this platform, PIN not checked; none for globex.
    expect(state('OM-GEN-LOOKUP-30101-PINWRONG-TESTN-IOS').profile).toEqual({ id: 30002, mode: 'production' });
    expect(state('OM-GEN-LOOKUP-30102-PINOMITTED-TESTN-ANDROID')).toEqual({
      profile: { id: 30001, mode: 'production' },
      settings: settings({ domain: 'acme.example', autologin: false }),
    });
    expect(vector('OM-GEN-LOOKUP-30102-PINOMITTED-TESTN-ANDROID').requirements).toContain('OM-LOOKUP-PROFILE-FINDER');
    expect(outcome('OM-GEN-LOOKUP-30201-PINOMITTED-TESTN-IOS').result).toEqual([33]);
    expect(outcome('OM-GEN-LOOKUP-30101-PINOMITTED-TESTY').result).toEqual([33]);
  });
});

describe('routing builder', () => {
  it('expects routing per reading section 1 and the choice points', () => {
    const ios = vector('OM-GEN-ROUTING-IOS-SCHEME-UPPER-BARE');
    expect(ios.when.url).toBe('IPASS://provision?pid=9945&resulturlscheme=harnessprobe');
    expect(ios.platforms).toEqual(['ios']);
    expect(outcome(ios.id).result).toEqual([0]);
    expect(outcome('OM-GEN-ROUTING-IOS-OTHER-CLIENTX-BARE')).toEqual({ handled: false, state: 'unchanged' });
    expect(vector('OM-GEN-ROUTING-ANDROID-URL-CANONICAL-FULL').when.url).toBe(
      'clientx://provision.com?pid=9945&username=alice&password=Secret1&domain=mycorp.com&autologin=Y',
    );
    const noCom = vector('OM-GEN-ROUTING-ANDROID-URL-NO-COM-BARE');
    expect(noCom.methods).toEqual(['url']);
    expect('oneOf' in noCom.then && noCom.then.oneOf.map((b) => [b.handled, b.nonStrict ?? false])).toEqual([
      [false, false],
      [true, true],
    ]);
    const both = vector('OM-GEN-ROUTING-ANDROID-INTENT-COM-HOST-UPPER-BARE');
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
    expect(outcome('OM-GEN-ROUTING-ANDROID-INTENT-CANONICAL-BARE').result).toEqual([0]);
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
    const parameters = new Set(partition.map((v) => /^OM-GEN-PARTITION-([A-Z]+)-/.exec(v.id)![1]));
    expect([...parameters].sort()).toEqual(
      ['AUTOLOGIN', 'DOMAIN', 'OBFUSCATION', 'PASSWORD', 'PID', 'PREFIX', 'SILENTMODE', 'TEST', 'USERNAME'].sort(),
    );
    for (const parameter of parameters) {
      for (const state of ['FRESH', 'ACTIVATED', 'SAVED-PASSWORD']) {
        expect(
          partition.some((v) => v.id.startsWith(`OM-GEN-PARTITION-${parameter}-`) && v.id.includes(`-${state}`)),
          `${parameter} ${state}`,
        ).toBe(true);
      }
    }
    for (const v of partition.filter((x) => !x.id.includes('-FRESH'))) expect(v.given?.length, v.id).toBe(1);
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
      expect(outcome(`OM-GEN-PARTITION-AUTOLOGIN-${key}-FRESH`), key).toEqual({
        handled: true,
        result: [11],
        state: 'unchanged',
      });
    }
    expect(vector('OM-GEN-PARTITION-AUTOLOGIN-LEADING-SPACE-FRESH').when.query).toMatch(/&autologin=%20Y$/);
    expect(outcome('OM-GEN-PARTITION-AUTOLOGIN-ENCODED-Y-FRESH').result).toEqual([0]);
    expect(choicesOf('OM-GEN-PARTITION-TEST-LOWER-Y-FRESH')).toEqual([
      { 'OM-CHOICE-BOOL-LOWERCASE': 'accept' },
      { 'OM-CHOICE-BOOL-LOWERCASE': '11' },
    ]);
    // test=Y asks for a test-mode revision the chosen profile does not have.
    expect(outcome('OM-GEN-PARTITION-TEST-ENCODED-Y-FRESH').result).toEqual([33]);
    expect(outcome('OM-GEN-PARTITION-TEST-Y-ACTIVATED-ANDROID').result).toEqual([0]);
  });

  it('lists both options of OM-CHOICE-FLAG-VALUE for silentmode and obfuscation spelled otherwise', () => {
    expect(choicesOf('OM-GEN-PARTITION-SILENTMODE-LEADING-SPACE-SAVED-PASSWORD')).toEqual([
      { 'OM-CHOICE-FLAG-VALUE': '11' },
      { 'OM-CHOICE-FLAG-VALUE': 'N' },
    ]);
    // obfuscation=y: 11, or read as N, so the hex text itself is the password saved.
    const then = vector('OM-GEN-PARTITION-OBFUSCATION-LOWER-Y-SAVED-PASSWORD').then;
    expect(
      'oneOf' in then && then.oneOf.map((o) => (o.state === 'unchanged' ? 'unchanged' : o.state?.settings.password)),
    ).toEqual(['unchanged', expect.stringMatching(/^[0-9A-F]{32}$/)]);
    expect(state('OM-GEN-PARTITION-OBFUSCATION-Y-FRESH-IOS').settings.password).toBe('Secret1');
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
      const then = vector(`OM-GEN-PARTITION-PID-${key}-FRESH`).then;
      expect('oneOf' in then && then.oneOf.map((o) => o.result), key).toEqual(
        key === 'PLUS' ? [[10], [33], [10], [33]] : [[10], [33]],
      );
    }
    expect(state('OM-GEN-PARTITION-PID-ENCODED-FRESH-IOS').profile).toEqual({ id: 9945, mode: 'production' });
    expect(outcome('OM-GEN-PARTITION-PID-BLANK-SAVED-PASSWORD')).toEqual({
      handled: true,
      result: [10],
      state: 'unchanged',
    });
  });

  it('keeps whitespace and letter case in settings and compares domains and prefixes exactly', () => {
    expect(state('OM-GEN-PARTITION-USERNAME-TRAILING-SPACE-SAVED-PASSWORD').settings.username).toBe('alice ');
    expect(state('OM-GEN-PARTITION-USERNAME-SPACE-ONLY-FRESH-IOS').settings.username).toBe(' ');
    expect(state('OM-GEN-PARTITION-PASSWORD-LEADING-SPACE-FRESH-ANDROID').settings.password).toBe(' Secret1');
    for (const key of ['LEADING-SPACE', 'TRAILING-SPACE', 'TRAILING-TAB', 'UPPER', 'SPACE-ONLY'])
      expect(outcome(`OM-GEN-PARTITION-DOMAIN-FIXED-${key}-FRESH`).result, key).toEqual([20]);
    expect(state('OM-GEN-PARTITION-DOMAIN-FIXED-ENCODED-FRESH-IOS').settings.domain).toBe('mycorp.com');
    expect(outcome('OM-GEN-PARTITION-PREFIX-LOWER-FRESH').result).toEqual([21]);
    expect(choicesOf('OM-GEN-PARTITION-USERNAME-PLUS-FRESH-IOS')).toEqual([
      { 'OM-CHOICE-PLUS': 'literal' },
      { 'OM-CHOICE-PLUS': 'space' },
    ]);
  });

  it('never puts a password in a title', () => {
    for (const v of partition.filter((x) => x.id.startsWith('OM-GEN-PARTITION-PASSWORD-')))
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
        vectors.some((v) => /-IN-/.test(v.id) && v.id.includes(`-IN-${context.key}`)),
        context.key,
      ).toBe(true);
    }
    // The pairs a seeded defect needs in two contexts: a request-syntax pair with and without a password, a
    // configuration pair with and without test, with and without obfuscation.
    for (const id of [
      'OM-GEN-PRECEDENCE-TESTBAD-USERLONG',
      'OM-GEN-PRECEDENCE-TESTBAD-USERLONG-IN-PASSWORD',
      'OM-GEN-PRECEDENCE-DOMAINFIXED-PREFIXNONE-IN-TESTN',
      'OM-GEN-PRECEDENCE-DOMAINFIXED-PREFIXNONE-IN-NOPID',
      'OM-GEN-PRECEDENCE-AUTOLOGINBAD-USERLONG-IN-TESTY',
    ]) {
      expect(byId.has(id), id).toBe(true);
    }
    expect(all.length).toBeGreaterThan(10);
  });

  it('sends the context as it says: no pid after an activation, an obfuscated password, the test-mode PIN', () => {
    const nopid = vector('OM-GEN-PRECEDENCE-DOMAINFIXED-PREFIXNONE-IN-NOPID');
    expect(nopid.when.query).not.toMatch(/(^|&)pid=/);
    expect(nopid.given).toEqual(['pid=9945']);
    expect(outcome(nopid.id).result).toEqual([20, 21]);
    const obfuscated = vectors.find(
      (v) => v.id.startsWith('OM-GEN-PRECEDENCE-PASSLONG-') && v.id.includes('-IN-OBFUSCATED'),
    )!;
    expect(obfuscated.when.query).toMatch(/password=[0-9A-F]{160}(&|$)/);
    expect(obfuscated.when.query).toContain('obfuscation=Y');
    expect(vector('OM-GEN-PRECEDENCE-AUTOLOGINBAD-USERLONG-IN-TESTY').when.query).toMatch(/test=Y/);
    expect(outcome('OM-GEN-PRECEDENCE-TESTBAD-USERLONG-IN-PASSWORD').result).toEqual([11, 23]);
  });
});
