/**
 * Error precedence: every pair (and a few triples) of simultaneous violations in one request.
 *
 * Each ingredient breaks exactly one rule on its own. A combination's acceptable results follow the
 * reading, section 5: configuration checks (20, 21, 22, password 23) need the fetched profile, so they
 * cannot win over a request-syntax failure (10, 11, length 23) or a fetch failure (30-33) of the same
 * request; request-syntax and fetch failures may win over each other (a client may validate before or after
 * fetching); when the fetch fails, the configuration is never checked.
 */
import type { Catalog, CatalogProfile, Platform, ProfileServiceFault } from '../../../protocols/openmobile/types.ts';
import type { Phase, Vector, When } from '../types.ts';
import {
  BOTH_PLATFORMS,
  type BuildOptions,
  generatedId,
  type Params,
  type PlatformExpectation,
  queryOf,
  sharedProfiles,
  splitByPlatform,
  unusedPid,
} from './common.ts';
import { obfuscate } from './lengths.ts';
import { expectProvision, expectSetup, FRESH, outcomeOf, type Saved, type SettingsRequest } from './rules.ts';

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

/** Where a combination is sent: a fresh client (the default), or one of the contexts below. */
interface Placement {
  context?: Context;
  /** The combined request as sent (obfuscated password, no pid without one) and as it reads. */
  sent: Params;
  plain: Params;
  /** Setup requests (decoded), each of which must succeed. */
  given: SettingsRequest[];
}

function vectorFor(
  parts: readonly Ingredient[],
  combination: Extract<Combination, { ok: true }>,
  catalog: Catalog,
  placement: Placement = { sent: combination.params, plain: combination.params, given: [] },
): Vector[] {
  const when: When = { query: queryOf(placement.sent) };
  if (combination.network !== undefined) when.network = combination.network;
  if (combination.fault !== undefined) when.fault = combination.fault;
  const keys = parts.map((p) => p.key);
  const { context } = placement;
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
        requirements: [
          'OM-ATOMIC',
          ...(parts.length > 1 ? ['OM-PRECEDENCE'] : []),
          ...exercised,
          ...(context?.requirements ?? []),
        ],
      };
    }
    // Only an ingredient that is no violation on this platform (Android ignores a forbidden
    // autologin=Y): the request is a plain activation, expected by the builders' own settings rules.
    const saved: Saved = placement.given.length === 0 ? FRESH : expectSetup(catalog, platform, placement.given);
    return outcomeOf(expectProvision(catalog, platform, saved, placement.plain));
  };
  const where =
    context === undefined ? `on a fresh client (pid ${combination.pid || 'blank'})` : context.text(combination.pid);
  const draft: Parameters<typeof splitByPlatform>[0] = {
    id: generatedId(`PRECEDENCE-${keys.join('-')}${context === undefined ? '' : `-IN-${context.key}`}`),
    title: `Error precedence: ${parts.map((p) => p.label).join(' + ')}, ${where}`,
    area: 'precedence',
    requirements: [],
    source: SOURCE,
    when,
  };
  if (placement.given.length > 0) draft.given = placement.given.map((step) => queryOf(step));
  return splitByPlatform(draft, expect, BOTH_PLATFORMS);
}

// ---------------------------------------------------------------------------------------------------------
// Pairs in context

/**
 * A context: parameters that break no rule of their own, added to a pair of ingredients, so that an order of
 * checks that changes with an unrelated parameter (a password present or not, obfuscation, pid, test mode)
 * shows up as a cycle in the "answered before" relation of the fixed plan.
 */
export interface Context {
  /** Upper-case letters only: the id ends `-IN-<key>`. */
  key: string;
  text: (pid: string) => string;
  requirements: string[];
  /**
   * A pseudo-ingredient merged with the pair by `combine`: its params and the pids for which the context
   * breaks nothing. Null when the context cannot be placed around these ingredients.
   */
  around: (parts: readonly Ingredient[]) => Ingredient | null;
  /** The request without `pid`, on a client activated with it first (a reconfiguration). */
  withoutPid?: true;
  /** Every non-empty password is sent obfuscated under this key. */
  obfuscationKey?: string;
}

function neutral(key: string, pids: string[], params: Record<string, ParamNeed>): Ingredient {
  return { key, label: key, code: 0, phase: 'request', requirement: '', pids, params };
}

/** The contexts the pairs are repeated in; the ones a catalog or key cannot support are left out. */
export function contexts(catalog: Catalog, obfuscationKey: string | null): Context[] {
  const shared = sharedProfiles(catalog);
  const unknown = String(unusedPid(catalog));
  // A password with a username breaks nothing on a profile that saves passwords and has a domain option.
  const savers = ids(shared.filter((p) => p.savePassword && p.domains.options.length > 0));
  const sets = (parts: readonly Ingredient[], ...names: string[]): boolean =>
    parts.some((p) => names.some((n) => p.params[n] !== undefined));
  const credentialsFor = (parts: readonly Ingredient[]): Record<string, ParamNeed> => ({
    ...(sets(parts, 'username') ? {} : { username: { kind: 'any', fallback: 'jdoe' } }),
    password: { kind: 'any', fallback: 'Secret1' },
  });
  const result: Context[] = [
    {
      key: 'PASSWORD',
      text: (pid) => `with a valid username and password beside them (pid ${pid || 'blank'})`,
      requirements: [],
      // Beside an ingredient's own username (a long one), only the password is added.
      around: (parts) =>
        sets(parts, 'password') ? null : neutral('PASSWORD', [...savers, unknown, ''], credentialsFor(parts)),
    },
    {
      key: 'TESTN',
      text: (pid) => `with test=N (pid ${pid || 'blank'})`,
      requirements: ['OM-PARAM-TEST-MODE'],
      around: (parts) =>
        sets(parts, 'test')
          ? null
          : neutral('TESTN', [...ids(shared), unknown, ''], { test: { kind: 'value', value: 'N' } }),
    },
    {
      key: 'NOPID',
      text: (pid) => `without pid, on a client activated with profile ${pid}`,
      requirements: ['OM-PARAM-PID-ABSENT'],
      withoutPid: true,
      // Fetch failures and a blank pid need a pid in the request.
      around: (parts) =>
        parts.some((p) => p.phase === 'fetch' || (p.pids.includes('') && p.pids.length === 1))
          ? null
          : neutral('NOPID', ids(shared), {}),
    },
  ];
  // test=Y with the PIN of a profile that has a test-mode revision on both platforms: placed only around
  // ingredients that accept any profile (a request-syntax failure or a failure before the lookup).
  const testProfile = catalog.profiles
    .filter((p) => p.mode === 'test' && p.platform === 'ios')
    .sort((a, b) => a.id - b.id)
    .find((p) =>
      catalog.profiles.some((q) => q.mode === 'test' && q.platform === 'android' && q.id === p.id && q.pin === p.pin),
    );
  if (testProfile !== undefined) {
    const testPid = String(testProfile.id);
    const agnostic = (p: Ingredient): boolean =>
      shared.every((q) => p.pids.includes(String(q.id))) && (p.fetchStage ?? 0) < 2;
    result.push({
      key: 'TESTY',
      text: (pid) => `with test=Y for the test-mode profile ${pid || '(blank pid)'}`,
      requirements: ['OM-PARAM-TEST-MODE'],
      around: (parts) => {
        if (sets(parts, 'test', 'pin') || !parts.every((p) => agnostic(p) || (p.pids.length === 1 && p.pids[0] === '')))
          return null;
        const params: Record<string, ParamNeed> = { test: { kind: 'value', value: 'Y' } };
        if (testProfile.pin !== null) params['pin'] = { kind: 'value', value: testProfile.pin };
        return neutral('TESTY', [testPid, ''], params);
      },
    });
  }
  if (obfuscationKey !== null) {
    result.push({
      key: 'OBFUSCATED',
      text: (pid) => `with obfuscation=Y and an obfuscated password (pid ${pid || 'blank'})`,
      requirements: ['OM-OBFUSCATION'],
      obfuscationKey,
      around: (parts) =>
        sets(parts, 'password')
          ? neutral('OBFUSCATED', [...ids(shared), unknown, ''], { obfuscation: { kind: 'value', value: 'Y' } })
          : neutral('OBFUSCATED', [...savers, unknown, ''], {
              ...credentialsFor(parts),
              obfuscation: { kind: 'value', value: 'Y' },
            }),
    });
  }
  return result;
}

/** The pair placed in a context, or why it cannot be. */
export function placeInContext(
  parts: readonly Ingredient[],
  context: Context,
  catalog: Catalog,
): { combination: Extract<Combination, { ok: true }>; placement: Placement } | { reason: string } {
  const pseudo = context.around(parts);
  if (pseudo === null) return { reason: `${context.key} does not fit ${parts.map((p) => p.key).join(' and ')}` };
  const widened =
    context.key === 'TESTY'
      ? parts.map((p) => ({
          ...p,
          pids: p.pids.includes('') && p.pids.length === 1 ? [''] : pseudo.pids.filter((x) => x !== ''),
        }))
      : parts;
  const merged = combine([...widened, pseudo]);
  if (!merged.ok) return { reason: merged.reason };
  const combination = { ...merged, ingredients: [...parts] };
  const plain: Params = { ...combination.params };
  const sent: Params = { ...combination.params };
  const key = context.obfuscationKey;
  if (key !== undefined && plain['password'] !== undefined && plain['password'] !== '')
    sent['password'] = obfuscate(plain['password'], key);
  const given: SettingsRequest[] = [];
  if (context.withoutPid === true) {
    delete plain['pid'];
    delete sent['pid'];
    given.push({ pid: combination.pid });
  }
  return { combination, placement: { context, sent, plain, given } };
}

/** Whether some platform accepts two codes or more: only such an answer shows which check came first. */
function revealsOrder(parts: readonly Ingredient[]): boolean {
  return BOTH_PLATFORMS.some((platform) => acceptableCodes(parts, platform).codes.length > 1);
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
  const around = contexts(options.catalog, options.obfuscationKey);
  const byKey = new Map(all.map((p) => [p.key, p]));
  const vectors: Vector[] = [];
  const add = (parts: Ingredient[]): void => {
    const combination = combine(parts);
    if (combination.ok) vectors.push(...vectorFor(parts, combination, options.catalog));
  };
  // Each ingredient alone first: the baseline that shows each one breaks exactly its own rule.
  for (const part of all) add([part]);
  for (const [i, a] of all.entries()) for (const b of all.slice(i + 1)) add([a, b]);
  // Every pair whose answer reveals an order, again in each context it fits.
  for (const [i, a] of all.entries()) {
    for (const b of all.slice(i + 1)) {
      if (!combine([a, b]).ok || !revealsOrder([a, b])) continue;
      for (const context of around) {
        const placed = placeInContext([a, b], context, options.catalog);
        if ('combination' in placed)
          vectors.push(...vectorFor([a, b], placed.combination, options.catalog, placed.placement));
      }
    }
  }
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
