/**
 * Shared plumbing of the vector builders: query encoding, catalog selection, and turning per-platform
 * expectations into vectors. Deliberately free of any rule of the spec (those live in rules.ts and in each
 * builder), and free of the suite's model: the builders are the model's independent cross-check.
 */
import type { Catalog, CatalogProfile, Method, Platform, Settings } from '../../../protocols/openmobile/types.ts';
import type { Area, ExpectedState, Then, Vector } from '../types.ts';

export interface BuildOptions {
  catalog: Catalog;
  /** 64 hex characters (AES-256 key), or null: obfuscated vectors are then left out. */
  obfuscationKey: string | null;
}

export const BOTH_PLATFORMS: readonly Platform[] = ['ios', 'android'];

/** A parameter value as the request carries it: `undefined` = omitted, `''` = present and empty. */
export type Params = Record<string, string | undefined>;

/**
 * Percent-encodes a value the way valid vectors must (reading section 2: `+`, `&`, `=`, `#`, `%` and space
 * always encoded). `/` is left readable: it has no meaning inside a query value.
 */
export function encodeValue(value: string): string {
  return encodeURIComponent(value).replace(/%2F/g, '/');
}

/** Builds a query from parameters in the given order, leaving out omitted ones. */
export function toQuery(entries: readonly (readonly [string, string | undefined])[]): string {
  return entries
    .filter((entry): entry is readonly [string, string] => entry[1] !== undefined)
    .map(([name, value]) => `${name}=${encodeValue(value)}`)
    .join('&');
}

/** Canonical parameter order, so equal requests always produce the same query text. */
export const PARAM_ORDER = [
  'pid',
  'pin',
  'test',
  'username',
  'password',
  'domain',
  'prefix',
  'autologin',
  'obfuscation',
] as const;

export function queryOf(params: Params): string {
  const known = new Set<string>(PARAM_ORDER);
  const extra = Object.keys(params)
    .filter((name) => !known.has(name))
    .sort();
  return toQuery([...PARAM_ORDER, ...extra].map((name) => [name, params[name]] as const));
}

/** Unicode code points, the unit of the length limits (reading section 2). */
export function codePoints(value: string): number {
  return [...value].length;
}

// ---------------------------------------------------------------------------------------------------------
// Catalog selection

function sameTraits(a: CatalogProfile, b: CatalogProfile): boolean {
  return (
    JSON.stringify([a.domains, a.prefixes, a.savePassword, a.autologin, a.pin]) ===
    JSON.stringify([b.domains, b.prefixes, b.savePassword, b.autologin, b.pin])
  );
}

/**
 * Production profiles without PIN that exist with identical traits on both platforms, one entry per ID
 * (the iOS one), in ascending ID order. A vector that activates one of these expects the same profile on
 * every route, which is what lets the combination builders stay platform-neutral.
 */
export function sharedProfiles(catalog: Catalog): CatalogProfile[] {
  const result: CatalogProfile[] = [];
  for (const ios of catalog.profiles) {
    if (ios.platform !== 'ios' || ios.mode !== 'production' || ios.pin !== null) continue;
    const android = catalog.profiles.filter(
      (p) => p.platform === 'android' && p.mode === 'production' && p.id === ios.id,
    );
    if (android.length !== 1 || !sameTraits(ios, android[0]!)) continue;
    if (catalog.profiles.filter((p) => p.platform === 'ios' && p.mode === 'production' && p.id === ios.id).length !== 1)
      continue;
    result.push(ios);
  }
  return result.sort((a, b) => a.id - b.id);
}

/** An ID no catalog entry uses, stable for a given catalog. */
export function unusedPid(catalog: Catalog): number {
  const used = new Set(catalog.profiles.map((p) => p.id));
  let pid = 99999;
  while (used.has(pid)) pid += 1;
  return pid;
}

// ---------------------------------------------------------------------------------------------------------
// Expectations -> vectors

export function toExpectedState(profile: CatalogProfile | null, settings: Settings): ExpectedState {
  return {
    profile: profile === null ? null : { id: profile.id, mode: profile.mode },
    settings: { ...settings },
  };
}

/** What one platform expects of a vector: its outcome and the requirements that outcome rests on. */
export interface PlatformExpectation {
  then: Then;
  requirements: string[];
}

export interface VectorDraft {
  id: string;
  title: string;
  area: Area;
  requirements: string[];
  source: string;
  given?: string[];
  when: Vector['when'];
  methods?: Method[];
}

function uniqueSorted(ids: readonly string[]): string[] {
  return [...new Set(ids)].sort();
}

/**
 * The id of a generated vector: `om:gen-<name>` in lower case (the case-id convention, src/core/case-ids.ts),
 * whatever the case of the keys a builder composes it of.
 */
export function generatedId(name: string): string {
  return `om:gen-${name.toLowerCase()}`;
}

/**
 * One vector when both platforms expect the same outcome, else one per platform (ids suffixed `-ios` /
 * `-android`), so each vector is restricted to where its expectation holds.
 */
export function splitByPlatform(
  draft: VectorDraft,
  expect: (platform: Platform) => PlatformExpectation | null,
  platforms: readonly Platform[] = BOTH_PLATFORMS,
): Vector[] {
  const perPlatform = platforms
    .map((platform) => ({ platform, expectation: expect(platform) }))
    .filter((entry): entry is { platform: Platform; expectation: PlatformExpectation } => entry.expectation !== null);
  const base = (): Omit<Vector, 'id' | 'then' | 'requirements'> => {
    const vector: Omit<Vector, 'id' | 'then' | 'requirements'> = {
      title: draft.title,
      area: draft.area,
      when: draft.when,
      source: draft.source,
    };
    if (draft.given !== undefined && draft.given.length > 0) vector.given = [...draft.given];
    if (draft.methods !== undefined) vector.methods = [...draft.methods];
    return vector;
  };
  const first = perPlatform[0];
  if (first === undefined) return [];
  const same = perPlatform.every(
    (entry) => JSON.stringify(entry.expectation.then) === JSON.stringify(first.expectation.then),
  );
  if (same && perPlatform.length === BOTH_PLATFORMS.length) {
    return [
      {
        id: draft.id,
        ...base(),
        requirements: uniqueSorted([...draft.requirements, ...perPlatform.flatMap((e) => e.expectation.requirements)]),
        then: first.expectation.then,
      },
    ];
  }
  return perPlatform.map(({ platform, expectation }) => {
    const title = `${draft.title} (${platform === 'ios' ? 'iOS' : 'Android'})`;
    return {
      id: `${draft.id}-${platform}`,
      ...base(),
      title,
      platforms: [platform],
      requirements: uniqueSorted([...draft.requirements, ...expectation.requirements]),
      then: expectation.then,
    };
  });
}

/** Number of cases a vector becomes: one per route it applies to. */
export function routeCount(vector: Vector): number {
  const platforms = vector.platforms ?? BOTH_PLATFORMS;
  let count = 0;
  for (const platform of platforms) {
    const available: Method[] = platform === 'ios' ? ['url'] : ['url', 'intent'];
    count +=
      vector.methods === undefined ? available.length : vector.methods.filter((m) => available.includes(m)).length;
  }
  return count;
}
