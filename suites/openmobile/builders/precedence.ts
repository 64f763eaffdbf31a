/**
 * Error precedence: every pair (and a few triples) of simultaneous violations in one request.
 *
 * Each ingredient breaks exactly one rule on its own. A combination's acceptable results follow the
 * reading, section 5: configuration checks (20, 21, 22, password 23) need the fetched profile, so they
 * cannot win over a request-syntax failure (10, 11, length 23) or a fetch failure (30-33) of the same
 * request; request-syntax and fetch failures may win over each other (a client may validate before or after
 * fetching); when the fetch fails, the configuration is never checked.
 */
import type { Catalog, CatalogProfile, Platform, ProfileServiceFault } from '../../../src/core/types.ts';
import type { Phase, Vector, When } from '../types.ts';
import {
  BOTH_PLATFORMS,
  type BuildOptions,
  type Params,
  type PlatformExpectation,
  queryOf,
  sharedProfiles,
  splitByPlatform,
  unusedPid,
} from './common.ts';
import { expectProvision, FRESH, outcomeOf } from './rules.ts';

export const SOURCE = 'builder:precedence';

/** How an ingredient constrains one parameter of the combined request. */
export type ParamNeed =
  | { kind: 'value'; value: string }
  /** Any non-empty value; `fallback` when no other ingredient sets one. */
  | { kind: 'any'; fallback: string }
  | { kind: 'absent' };

export interface Ingredient {
  /** Upper-case letters and digits only: ids join keys with `-`. */
  key: string;
  /** For titles: what the ingredient does, never a password. */
  label: string;
  code: number;
  phase: Phase;
  requirement: string;
  /** Acceptable `pid` values, in order of preference (`''` = blank pid). */
  pids: string[];
  params: Record<string, ParamNeed>;
  network?: 'offline';
  fault?: ProfileServiceFault;
  /**
   * Fetch failures mask one another in a fixed order, since a later stage is never reached: no network
   * (0) means no request reaches the service; an injected fault (1) answers before any lookup; the lookup
   * (2) decides 33 last.
   */
  fetchStage?: 0 | 1 | 2;
  /** Where the rule exists at all (22 is iOS only; Android ignores the forbidden autologin=Y). */
  platforms?: Platform[];
  /** The requirement the ingredient exercises on the other platforms, where it is no violation. */
  elsewhere?: string;
}

const NOT_ALLOWED_DOMAIN = 'not-allowed.example';
const NO_SUCH_PREFIX = 'XYZ/';
const WRONG_PIN = '0000';

function ids(profiles: readonly CatalogProfile[]): string[] {
  return profiles.map((p) => String(p.id));
}

/** The ingredients, with `pid` candidates chosen from the catalog by the trait each one needs. */
export function ingredients(catalog: Catalog): Ingredient[] {
  const shared = sharedProfiles(catalog);
  const unknown = String(unusedPid(catalog));
  // Any pid: request-syntax ingredients do not care which profile is fetched; the neutral first choice is
  // the first shared profile, and a blank or unknown pid is allowed too.
  const anyPid = [...ids(shared), unknown, ''];
  // A fetch failure needs a fetch, which a blank pid never starts (10 is decided on the request alone).
  const nonBlank = [...ids(shared), unknown];
  const fixedDomain = shared.filter(
    (p) => !p.domains.editable && p.domains.options.length > 0 && !p.domains.options.includes(NOT_ALLOWED_DOMAIN),
  );
  const noPrefix = shared.filter((p) => p.prefixes === null);
  const forbidsAutologin = shared.filter((p) => !p.autologin.userControl);
  // The domain is soft-defaulted from the first option, so these password ingredients break one rule only.
  const noSave = shared.filter((p) => !p.savePassword && p.domains.options.length > 0);
  const savesWithDomain = shared.filter((p) => p.savePassword && p.domains.options.length > 0);

  return [
    {
      key: 'PIDBLANK',
      label: 'blank pid',
      code: 10,
      phase: 'request',
      requirement: 'OM-PARAM-PID-BLANK',
      pids: [''],
      params: {},
    },
    {
      key: 'TESTBAD',
      label: 'test=X',
      code: 11,
      phase: 'request',
      requirement: 'OM-PARAM-BOOL',
      pids: anyPid,
      params: { test: { kind: 'value', value: 'X' } },
    },
    {
      key: 'AUTOLOGINBAD',
      label: 'autologin=X',
      code: 11,
      phase: 'request',
      requirement: 'OM-PARAM-BOOL',
      pids: anyPid,
      params: { autologin: { kind: 'value', value: 'X' } },
    },
    {
      key: 'USERLONG',
      label: 'username of 101 characters',
      code: 23,
      phase: 'request',
      requirement: 'OM-LEN-USERNAME',
      pids: anyPid,
      params: { username: { kind: 'value', value: 'u'.repeat(101) } },
    },
    {
      key: 'PASSLONG',
      label: 'password of 65 characters',
      code: 23,
      phase: 'request',
      requirement: 'OM-LEN-PASSWORD',
      pids: anyPid,
      params: { password: { kind: 'value', value: 'p'.repeat(65) } },
    },
    {
      key: 'DOMAINFIXED',
      label: `domain ${NOT_ALLOWED_DOMAIN} on a fixed-domain profile`,
      code: 20,
      phase: 'configuration',
      requirement: 'OM-CODE-20-DOMAIN',
      pids: ids(fixedDomain),
      params: { domain: { kind: 'value', value: NOT_ALLOWED_DOMAIN } },
    },
    {
      key: 'PREFIXNONE',
      label: 'prefix on a profile without prefix option',
      code: 21,
      phase: 'configuration',
      requirement: 'OM-CODE-21-PREFIX',
      pids: ids(noPrefix),
      params: { prefix: { kind: 'value', value: NO_SUCH_PREFIX } },
    },
    {
      key: 'AUTOLOGINFORBID',
      label: 'autologin=Y on a profile forbidding user control',
      code: 22,
      phase: 'configuration',
      requirement: 'OM-CODE-22-AUTOLOGIN',
      pids: ids(forbidsAutologin),
      params: { autologin: { kind: 'value', value: 'Y' } },
      platforms: ['ios'],
      elsewhere: 'OM-SOFT-AUTOLOGIN-ANDROID-IGNORED',
    },
    {
      key: 'PASSNOSAVE',
      label: 'password on a profile that forbids saving it',
      code: 23,
      phase: 'configuration',
      requirement: 'OM-CODE-23-PASSWORD-NOT-SAVED',
      pids: ids(noSave),
      params: { username: { kind: 'any', fallback: 'jdoe' }, password: { kind: 'any', fallback: 'Secret1' } },
    },
    {
      key: 'PASSNOUSER',
      label: 'password without username',
      code: 23,
      phase: 'configuration',
      requirement: 'OM-CODE-23-PASSWORD-NEEDS-USER-DOMAIN',
      pids: ids(savesWithDomain),
      params: { username: { kind: 'absent' }, password: { kind: 'any', fallback: 'Secret1' } },
    },
    {
      key: 'PIDUNKNOWN',
      label: `unknown pid ${unknown}`,
      code: 33,
      phase: 'fetch',
      requirement: 'OM-CODE-33-NO-PROFILE',
      pids: [unknown],
      params: {},
      fetchStage: 2,
    },
    {
      key: 'PINWRONG',
      label: `pin ${WRONG_PIN} for a profile without PIN`,
      code: 33,
      phase: 'fetch',
      requirement: 'OM-PARAM-PIN',
      pids: ids(shared),
      params: { pin: { kind: 'value', value: WRONG_PIN } },
      fetchStage: 2,
    },
    {
      key: 'OFFLINE',
      label: 'device offline',
      code: 32,
      phase: 'fetch',
      requirement: 'OM-CODE-32-OFFLINE',
      pids: nonBlank,
      params: {},
      network: 'offline',
      fetchStage: 0,
    },
    {
      key: 'FAULT503',
      label: 'profile service answers 503',
      code: 31,
      phase: 'fetch',
      requirement: 'OM-CODE-31-TRANSIENT',
      pids: nonBlank,
      params: {},
      fault: { kind: 'status', status: 503 },
      fetchStage: 1,
    },
    {
      key: 'FAULTCUT',
      label: 'connection cut mid-answer',
      code: 30,
      phase: 'fetch',
      requirement: 'OM-CODE-30-CUT',
      pids: nonBlank,
      params: {},
      fault: { kind: 'cut' },
      fetchStage: 1,
    },
  ];
}

/** The triples generated beside the pairs, chosen to mix all three phases and the fetch masking. */
export const TRIPLES: readonly (readonly [string, string, string])[] = [
  ['DOMAINFIXED', 'PREFIXNONE', 'AUTOLOGINFORBID'],
  ['DOMAINFIXED', 'PREFIXNONE', 'PASSNOUSER'],
  ['DOMAINFIXED', 'PASSNOSAVE', 'AUTOLOGINFORBID'],
  ['TESTBAD', 'DOMAINFIXED', 'OFFLINE'],
  ['USERLONG', 'PREFIXNONE', 'FAULT503'],
  ['PIDBLANK', 'TESTBAD', 'PASSLONG'],
  ['AUTOLOGINBAD', 'PASSNOSAVE', 'PINWRONG'],
  ['PASSLONG', 'DOMAINFIXED', 'FAULTCUT'],
  ['AUTOLOGINFORBID', 'PINWRONG', 'FAULTCUT'],
  ['PIDUNKNOWN', 'OFFLINE', 'FAULTCUT'],
];

/** A combined request, or why the ingredients cannot co-exist in one. */
export type Combination =
  | {
      ok: true;
      ingredients: Ingredient[];
      pid: string;
      params: Params;
      network?: 'offline';
      fault?: ProfileServiceFault;
    }
  | { ok: false; reason: string };

/** Merges ingredients into one request; the first conflict found is the reason they cannot co-exist. */
export function combine(parts: readonly Ingredient[]): Combination {
  // pid: two different pids cannot be in one request, so the candidate lists must intersect.
  let pids = parts[0]?.pids ?? [];
  for (const part of parts.slice(1)) pids = pids.filter((pid) => part.pids.includes(pid));
  const pid = pids[0];
  if (pid === undefined) {
    return {
      ok: false,
      reason: `no single pid serves ${parts.map((p) => `${p.key} (${p.pids.map((x) => x || 'blank').join(', ') || 'none in the catalog'})`).join(' and ')}`,
    };
  }

  const params: Params = {};
  const names = [...new Set(parts.flatMap((p) => Object.keys(p.params)))].sort();
  for (const name of names) {
    const needs = parts.flatMap((p) => {
      const need = p.params[name];
      return need === undefined ? [] : [{ key: p.key, need }];
    });
    const absent = needs.filter((n) => n.need.kind === 'absent');
    const values = [...new Set(needs.flatMap((n) => (n.need.kind === 'value' ? [n.need.value] : [])))];
    const anys = needs.filter((n) => n.need.kind === 'any');
    if (absent.length > 0 && needs.length > absent.length) {
      return {
        ok: false,
        reason: `${absent.map((n) => n.key).join(', ')} needs ${name} omitted, ${needs
          .filter((n) => n.need.kind !== 'absent')
          .map((n) => n.key)
          .join(', ')} sets it`,
      };
    }
    if (values.length > 1) {
      return {
        ok: false,
        reason: `one request cannot carry two values of ${name} (${needs.map((n) => n.key).join(', ')})`,
      };
    }
    if (absent.length > 0) continue;
    const value = values[0];
    if (value !== undefined) {
      if (value === '' && anys.length > 0) {
        return { ok: false, reason: `${name} must be non-empty for ${anys.map((n) => n.key).join(', ')}` };
      }
      params[name] = value;
    } else {
      const first = anys[0];
      if (first !== undefined && first.need.kind === 'any') params[name] = first.need.fallback;
    }
  }

  const faults = parts.filter((p) => p.fault !== undefined);
  if (faults.length > 1) {
    return {
      ok: false,
      reason: `the profile service injects one fault per request (${faults.map((p) => p.key).join(', ')})`,
    };
  }
  const combination: Combination = { ok: true, ingredients: [...parts], pid, params: { pid, ...params } };
  if (parts.some((p) => p.network === 'offline')) combination.network = 'offline';
  const fault = faults[0]?.fault;
  if (fault !== undefined) combination.fault = fault;
  return combination;
}

/**
 * The acceptable results of a combined request on one platform, by the phase constraint; an empty list
 * when no ingredient is a violation there (the request then succeeds).
 */
export function acceptableCodes(
  parts: readonly Ingredient[],
  platform: Platform,
): { codes: number[]; counted: Ingredient[] } {
  const active = parts.filter((p) => p.platforms === undefined || p.platforms.includes(platform));
  const request = active.filter((p) => p.phase === 'request');
  const fetch = active.filter((p) => p.phase === 'fetch');
  const firstStage = Math.min(...fetch.map((p) => p.fetchStage ?? 2));
  const fetchFailures = fetch.filter((p) => (p.fetchStage ?? 2) === firstStage);
  const configuration = active.filter((p) => p.phase === 'configuration');
  const counted = request.length > 0 || fetchFailures.length > 0 ? [...request, ...fetchFailures] : configuration;
  return { codes: [...new Set(counted.map((p) => p.code))].sort((a, b) => a - b), counted };
}

function vectorFor(
  parts: readonly Ingredient[],
  combination: Extract<Combination, { ok: true }>,
  catalog: Catalog,
): Vector[] {
  const when: When = { query: queryOf(combination.params) };
  if (combination.network !== undefined) when.network = combination.network;
  if (combination.fault !== undefined) when.fault = combination.fault;
  const keys = parts.map((p) => p.key);
  const expect = (platform: Platform): PlatformExpectation | null => {
    const { codes } = acceptableCodes(parts, platform);
    const exercised = parts.flatMap((p) =>
      p.platforms === undefined || p.platforms.includes(platform)
        ? [p.requirement]
        : p.elsewhere === undefined
          ? []
          : [p.elsewhere],
    );
    if (codes.length > 0) {
      return {
        then: { handled: true, result: codes, state: 'unchanged' },
        requirements: ['OM-ATOMIC', ...(parts.length > 1 ? ['OM-PRECEDENCE'] : []), ...exercised],
      };
    }
    // Only an ingredient that is no violation on this platform (Android ignores a forbidden
    // autologin=Y): the request is a plain activation, expected by the builders' own settings rules.
    const { pid, ...rest } = combination.params;
    return outcomeOf(expectProvision(catalog, platform, FRESH, { ...rest, pid }));
  };
  return splitByPlatform(
    {
      id: `OM-GEN-PRECEDENCE-${keys.join('-')}`,
      title: `Error precedence: ${parts.map((p) => p.label).join(' + ')}, on a fresh client (pid ${combination.pid || 'blank'})`,
      area: 'precedence',
      requirements: [],
      source: SOURCE,
      when,
    },
    expect,
    BOTH_PLATFORMS,
  );
}

export interface PairReport {
  keys: [string, string];
  /** Vector ids covering the pair, or empty when skipped. */
  vectorIds: string[];
  skipped: string | null;
}

/** Every unordered pair of ingredients: the vectors covering it, or why it cannot exist. */
export function precedencePairs(options: BuildOptions): PairReport[] {
  const all = ingredients(options.catalog);
  const reports: PairReport[] = [];
  for (const [i, a] of all.entries()) {
    for (const b of all.slice(i + 1)) {
      const combination = combine([a, b]);
      reports.push({
        keys: [a.key, b.key],
        vectorIds: combination.ok ? vectorFor([a, b], combination, options.catalog).map((v) => v.id) : [],
        skipped: combination.ok ? null : combination.reason,
      });
    }
  }
  return reports;
}

export function buildPrecedenceVectors(options: BuildOptions): Vector[] {
  const all = ingredients(options.catalog);
  const byKey = new Map(all.map((p) => [p.key, p]));
  const vectors: Vector[] = [];
  const add = (parts: Ingredient[]): void => {
    const combination = combine(parts);
    if (combination.ok) vectors.push(...vectorFor(parts, combination, options.catalog));
  };
  // Each ingredient alone first: the baseline that shows each one breaks exactly its own rule.
  for (const part of all) add([part]);
  for (const [i, a] of all.entries()) for (const b of all.slice(i + 1)) add([a, b]);
  for (const triple of TRIPLES) {
    const parts = triple.map((key) => {
      const part = byKey.get(key);
      if (part === undefined) throw new Error(`precedence builder: unknown ingredient ${key} in TRIPLES`);
      return part;
    });
    // With another catalog a triple may find no common pid: it is then left out, like an impossible pair.
    add(parts);
  }
  return vectors;
}
