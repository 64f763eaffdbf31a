import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Catalog, Platform, Route, Settings } from '../../../protocols/openmobile/types.ts';
import {
  catalogArbitrary,
  conditionArbitrary,
  encodeQueryValue,
  profileArbitrary,
  requestArbitrary,
  requestNotes,
  type Condition,
  type GeneratedRequest,
  type RequestOptions,
} from '../../../suites/openmobile/arbitraries.ts';
import { publicProfile } from '../../../suites/openmobile/lookup.ts';
import { predict } from '../../../suites/openmobile/model.ts';
import { deobfuscate } from '../../../suites/openmobile/obfuscation.ts';
import type { ModelState } from '../../../suites/openmobile/types.ts';
import { parseUrl, percentDecode } from '../../../suites/openmobile/url.ts';

const catalog = JSON.parse(
  readFileSync(new URL('../../../vectors/openmobile/profiles.json', import.meta.url), 'utf8'),
) as Catalog;
const KEY = '8CC677D6FA2AC487C2FC7AD7232F87D8FCAFD5E9FC0AFBFF23B09D8713BE3463';
const SEED = 42;
const MUTATION_NOTES = new Set([
  'bad-boolean',
  'repeated-parameter',
  'unknown-parameter',
  'wrong-case-name',
  'literal-plus',
  'malformed-percent',
  'missing-amp-template',
  'obfuscation-undecodable',
]);

const ROUTES: readonly Route[] = [
  { platform: 'ios', method: 'url' },
  { platform: 'android', method: 'url' },
  { platform: 'android', method: 'intent' },
];
const routeName = (r: Route): string => `${r.platform}/${r.method}`;
const optionsFor = (route: Route, c: Catalog = catalog, key: string | null = KEY): RequestOptions => ({
  catalog: c,
  platform: route.platform,
  method: route.method,
  obfuscationKey: key,
});

const EMPTY: Settings = { username: null, password: null, domain: null, prefix: null, autologin: null };

/** A fresh app, or one activated with a profile of the catalog and some saved settings. */
function stateArbitrary(c: Catalog, platform: Platform): fc.Arbitrary<ModelState> {
  const entries = c.profiles.filter((p) => p.platform === platform);
  const fresh = fc.constant(null).map((): ModelState => ({ profile: null, settings: { ...EMPTY } }));
  if (entries.length === 0) return fresh;
  const settings = fc.record({
    username: fc.constantFrom(null, 'jsmalley'),
    password: fc.constantFrom(null, 'secret'),
    domain: fc.constantFrom(null, 'mycorp.com', 'acme.example'),
    prefix: fc.constantFrom(null, 'ACME/'),
    autologin: fc.constantFrom(null, true, false),
  });
  const activated = fc
    .record({ entry: fc.constantFrom(...entries), settings })
    .map(({ entry, settings: s }): ModelState => ({ profile: publicProfile(entry), settings: s }));
  return fc.oneof(fresh, activated);
}

const decodedLength = (raw: string): number => [...percentDecode(raw, false)].length;
const valueOf = (r: GeneratedRequest, name: string): string | undefined => r.parameters.find(([n]) => n === name)?.[1];

describe('requestArbitrary', () => {
  it.each(ROUTES)('builds a plausible URL from its pairs ($platform/$method)', (route) => {
    const canonical =
      route.platform === 'ios'
        ? 'ipass://provision'
        : route.method === 'url'
          ? 'clientx://provision.com'
          : 'clientx://provision';
    for (const r of fc.sample(requestArbitrary(optionsFor(route)), { seed: SEED, numRuns: 2000 })) {
      expect(r.url).toMatch(/^(ipass|clientx):\/\/provision/i);
      const query = r.parameters.map(([n, v]) => `${n}=${v}`).join('&');
      if (!r.notes.some((n) => n.startsWith('route-'))) {
        expect(r.url).toBe(query === '' ? canonical : `${canonical}?${query}`);
      }
      // Whatever the routing, the URL's query splits back into exactly the pairs reported.
      const parsed = parseUrl(r.url);
      expect(parsed?.pairs.map((p) => [p.name, p.raw])).toEqual(r.parameters);
    }
  });

  it('is deterministic under a seed', () => {
    const arb = requestArbitrary(optionsFor(ROUTES[0] ?? { platform: 'ios', method: 'url' }));
    expect(fc.sample(arb, { seed: 7, numRuns: 200 })).toEqual(fc.sample(arb, { seed: 7, numRuns: 200 }));
  });

  it.each(ROUTES)('produces every note category in 2,000 requests ($platform/$method)', (route) => {
    const options = optionsFor(route);
    const seen = new Set<string>();
    const urls: string[] = [];
    for (const r of fc.sample(requestArbitrary(options), { seed: SEED, numRuns: 2000 })) {
      for (const n of r.notes) seen.add(n);
      urls.push(r.url);
    }
    const expected = requestNotes(options);
    for (const required of [
      'username-at-limit',
      'username-over-limit',
      'password-at-limit',
      'password-over-limit',
      'username-astral',
      'username-multibyte',
      'malformed-percent',
      'missing-amp-template',
      'repeated-parameter',
      'wrong-case-name',
      'unknown-parameter',
      'literal-plus',
      'bad-boolean',
      'pid-profile-finder',
      'pin-right',
      'password-obfuscated',
    ]) {
      expect(expected).toContain(required);
    }
    expect([...expected].filter((n) => !seen.has(n))).toEqual([]);
    expect([...seen].filter((n) => !expected.includes(n))).toEqual([]);
    for (const escape of ['%26', '%3D', '%23', '%25', '%2B', '%20', '%3F']) {
      expect(urls.some((u) => u.includes(escape))).toBe(true);
    }
  });

  it('writes a valid obfuscated password under the key, and none without a key', () => {
    const route = ROUTES[1] ?? { platform: 'android', method: 'url' };
    let obfuscated = 0;
    for (const r of fc.sample(requestArbitrary(optionsFor(route)), { seed: SEED, numRuns: 2000 })) {
      // A mutation may rename, merge or replace the password pair; the unmutated requests carry it as made.
      if (!r.notes.includes('password-obfuscated') || r.notes.some((n) => MUTATION_NOTES.has(n))) continue;
      const raw = valueOf(r, 'password');
      expect(raw).toMatch(/^[0-9A-F]+$/);
      expect(deobfuscate(raw ?? '', KEY)).not.toBeNull();
      obfuscated++;
    }
    expect(obfuscated).toBeGreaterThan(50);
    const keyless = fc.sample(requestArbitrary(optionsFor(route, catalog, null)), { seed: SEED, numRuns: 2000 });
    for (const r of keyless) {
      if (!r.notes.includes('obfuscation-undecodable')) expect(r.notes).not.toContain('obfuscation-Y');
      expect(r.notes).not.toContain('password-obfuscated');
    }
  });

  it('shrinks a too-long username to exactly 101 ASCII characters and nothing else', () => {
    const route = ROUTES[0] ?? { platform: 'ios', method: 'url' };
    const details = fc.check(
      fc.property(requestArbitrary(optionsFor(route)), (r) => {
        const username = valueOf(r, 'username');
        return username === undefined || decodedLength(username) <= 100;
      }),
      { seed: SEED, numRuns: 2000 },
    );
    expect(details.failed).toBe(true);
    const [r] = details.counterexample ?? [];
    expect(r?.parameters).toEqual([
      ['pid', '9945'],
      ['username', 'a'.repeat(101)],
    ]);
    expect(r?.url).toBe(`ipass://provision?pid=9945&username=${'a'.repeat(101)}`);
  });

  it('shrinks a malformed escape to a single mutation on the canonical route', () => {
    const route = ROUTES[2] ?? { platform: 'android', method: 'intent' };
    const details = fc.check(
      fc.property(requestArbitrary(optionsFor(route)), (r) => !r.notes.includes('malformed-percent')),
      { seed: SEED, numRuns: 2000 },
    );
    expect(details.failed).toBe(true);
    const [r] = details.counterexample ?? [];
    expect(r?.url).toBe('clientx://provision?pid=9945%zz');
  });
});

describe('predict over generated requests', () => {
  const generatedCatalogs = catalogArbitrary();
  const check = (c: Catalog, route: Route, r: GeneratedRequest, state: ModelState, condition: Condition): void => {
    const branches = predict({ route, url: r.url, state, catalog: c, obfuscationKey: KEY, ...condition });
    expect(branches.length).toBeGreaterThan(0);
    for (const b of branches) {
      const success = b.handled && b.results.length === 1 && b.results[0] === 0;
      // OM-ATOMIC and OM-ROUTE-UNHANDLED-NO-CHANGE: anything but success leaves the state as it was.
      if (!success) expect(b.state).toBe(state);
      else expect(b.state.profile).not.toBeNull();
    }
  };

  it.each(ROUTES)('never throws on 5,000 requests over the real catalog ($platform/$method)', (route) => {
    fc.assert(
      fc.property(
        requestArbitrary(optionsFor(route)),
        stateArbitrary(catalog, route.platform),
        conditionArbitrary(),
        (r, state, condition) => check(catalog, route, r, state, condition),
      ),
      { seed: SEED, numRuns: 5000 },
    );
  });

  it.each(ROUTES)('never throws on 5,000 requests over generated catalogs ($platform/$method)', (route) => {
    const arb = generatedCatalogs.chain((c) =>
      fc.tuple(fc.constant(c), requestArbitrary(optionsFor(route, c)), stateArbitrary(c, route.platform)),
    );
    fc.assert(
      fc.property(arb, conditionArbitrary(), ([c, r, state], condition) => check(c, route, r, state, condition)),
      { seed: SEED, numRuns: 5000 },
    );
  });
});

describe('profileArbitrary and catalogArbitrary', () => {
  it('generated catalogs satisfy the catalog rules', () => {
    let bothEverywhere = 0;
    let oneSided = 0;
    let favorites = 0;
    fc.assert(
      fc.property(catalogArbitrary(), (c) => {
        const keys = c.profiles.map((p) => `${p.id}/${p.platform}/${p.mode}`);
        expect(new Set(keys).size).toBe(keys.length);
        const favoriteKeys = c.profiles.filter((p) => p.favorite).map((p) => `${p.company}/${p.platform}/${p.mode}`);
        expect(new Set(favoriteKeys).size).toBe(favoriteKeys.length);
        for (const p of c.profiles) {
          if (p.favorite) expect(p.pin).toBeNull();
          if (p.pin !== null) expect(p.pin).toMatch(/^[A-Za-z0-9]+$/);
          expect(p.domains.options.length).toBeLessThanOrEqual(3);
          expect(new Set(p.domains.options).size).toBe(p.domains.options.length);
          if (p.prefixes !== null) expect(p.prefixes.options.length).toBeLessThanOrEqual(3);
        }
        const ids = new Set(c.profiles.map((p) => p.id));
        for (const id of ids) {
          const n = keys.filter((k) => k.startsWith(`${id}/`)).length;
          if (n === 4) bothEverywhere++;
          const platforms = new Set(c.profiles.filter((p) => p.id === id).map((p) => p.platform));
          if (platforms.size === 1) oneSided++;
        }
        favorites += favoriteKeys.length;
      }),
      { seed: SEED, numRuns: 1000 },
    );
    expect(bothEverywhere).toBeGreaterThan(0);
    expect(oneSided).toBeGreaterThan(0);
    expect(favorites).toBeGreaterThan(0);
  });

  it.each(['ios', 'android'] as const)('profileArbitrary(%s) keeps the platform and favorites PIN-less', (platform) => {
    const sample = fc.sample(profileArbitrary(platform), { seed: SEED, numRuns: 1000 });
    for (const p of sample) {
      expect(p.platform).toBe(platform);
      if (p.favorite) expect(p.pin).toBeNull();
    }
    expect(new Set(sample.map((p) => p.domains.options.length))).toEqual(new Set([0, 1, 2, 3]));
    expect(sample.some((p) => p.prefixes === null)).toBe(true);
    expect(sample.some((p) => p.prefixes?.editable === true)).toBe(true);
    expect(sample.some((p) => p.pin !== null)).toBe(true);
    expect(sample.some((p) => p.favorite)).toBe(true);
    expect(sample.some((p) => !p.savePassword)).toBe(true);
    expect(sample.some((p) => !p.autologin.userControl)).toBe(true);
  });
});

describe('conditionArbitrary', () => {
  it('is biased to online without fault and reaches every fault', () => {
    const sample = fc.sample(conditionArbitrary(), { seed: SEED, numRuns: 2000 });
    const calm = sample.filter((c) => c.network === 'online' && c.fault === null).length;
    expect(calm / sample.length).toBeGreaterThan(0.6);
    expect(sample.some((c) => c.network === 'offline')).toBe(true);
    for (const kind of ['status', 'cut', 'latency', 'offline']) {
      expect(sample.some((c) => c.fault?.kind === kind)).toBe(true);
    }
  });
});

describe('encodeQueryValue', () => {
  it('escapes the reserved characters and non-ASCII, and round-trips through the model decoder', () => {
    expect(encodeQueryValue('a&b=c#d%e+f g?h/é😀')).toBe('a%26b%3Dc%23d%25e%2Bf%20g%3Fh/%C3%A9%F0%9F%98%80');
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => percentDecode(encodeQueryValue(s), true) === s),
      { seed: SEED, numRuns: 500 },
    );
  });
});
