/**
 * Category partition, one parameter at a time: for each Open Mobile parameter, its classes of values (the
 * valid ones, percent-encoded forms of them, empty, letter-case and whitespace variants, a literal `+`,
 * other spellings of a flag, decimal digits of other scripts) crossed with the client states that matter
 * (fresh, activated, with a saved password). Every class is tried on a fresh client; the classes marked
 * `core` are tried in the other states too, to keep the plan small.
 *
 * The expectations come from the builders' own rules (rules.ts: readYesNo, readFlag, readPid and
 * expectProvision), never from the suite's model. Where the reading leaves a value open (lower-case y/n, a
 * flag other than Y/N, a non-decimal pid, a literal `+`) the vector lists one alternative per option of the
 * choice point involved, so a target is never failed for its pick.
 */
import type { Catalog, CatalogProfile, Platform } from '../../../protocols/openmobile/types.ts';
import type { ChoiceOutcome, Outcome, Then, Vector } from '../types.ts';
import { type BuildOptions, generatedId, queryOf, sharedProfiles } from './common.ts';
import { obfuscate } from './lengths.ts';
import {
  expectProvision,
  expectSetup,
  FRESH,
  fullSetup,
  hasTestProfile,
  outcomeOf,
  readFlag,
  readPid,
  readYesNo,
  type Saved,
  type SettingsRequest,
} from './rules.ts';

export const SOURCE = 'builder:partition';

export type Parameter =
  'pid' | 'test' | 'autologin' | 'silentmode' | 'obfuscation' | 'username' | 'password' | 'domain' | 'prefix';

/** One class of values: the text as it stands on the wire (already percent-encoded where needed). */
export interface ValueClass {
  /** Upper-case letters, digits and `-`: part of the vector id. */
  key: string;
  /** The value as written in the query. A `+` in it is a literal `+` (OM-CHOICE-PLUS). */
  wire: string;
  /** For the title: what the class is. */
  label: string;
  /** Also tried on an activated client and on one with a saved password. */
  core?: true;
}

const YES_NO_CLASSES: readonly ValueClass[] = [
  { key: 'Y', wire: 'Y', label: 'Y', core: true },
  { key: 'N', wire: 'N', label: 'N', core: true },
  { key: 'ENCODED-Y', wire: '%59', label: '%59, a percent-encoded Y' },
  { key: 'ENCODED-N', wire: '%4E', label: '%4E, a percent-encoded N' },
  { key: 'LOWER-Y', wire: 'y', label: 'lower-case y', core: true },
  { key: 'LOWER-N', wire: 'n', label: 'lower-case n' },
  { key: 'ENCODED-LOWER-Y', wire: '%79', label: '%79, a percent-encoded y' },
  { key: 'YES', wire: 'yes', label: 'yes' },
  { key: 'YES-UPPER', wire: 'YES', label: 'YES' },
  { key: 'NO-CAPITAL', wire: 'No', label: 'No' },
  { key: 'ONE', wire: '1', label: '1' },
  { key: 'TRUE', wire: 'true', label: 'true' },
  { key: 'LEADING-SPACE', wire: '%20Y', label: 'Y after a space', core: true },
  { key: 'TRAILING-SPACE', wire: 'Y%20', label: 'Y before a space', core: true },
  { key: 'LEADING-TAB', wire: '%09N', label: 'N after a tab' },
  { key: 'TRAILING-TAB', wire: 'N%09', label: 'N before a tab' },
  { key: 'PLUS', wire: 'Y+', label: 'Y and a literal +' },
  { key: 'DOUBLE', wire: 'YY', label: 'YY' },
  { key: 'EMPTY', wire: '', label: 'empty' },
];

const FLAG_CLASSES: readonly ValueClass[] = [
  { key: 'Y', wire: 'Y', label: 'Y' },
  { key: 'N', wire: 'N', label: 'N' },
  { key: 'ENCODED-Y', wire: '%59', label: '%59, a percent-encoded Y' },
  { key: 'LOWER-Y', wire: 'y', label: 'lower-case y', core: true },
  { key: 'LOWER-N', wire: 'n', label: 'lower-case n' },
  { key: 'YES', wire: 'yes', label: 'yes' },
  { key: 'ONE', wire: '1', label: '1' },
  { key: 'LEADING-SPACE', wire: '%20Y', label: 'Y after a space', core: true },
  { key: 'TRAILING-SPACE', wire: 'Y%20', label: 'Y before a space' },
  { key: 'PLUS', wire: 'Y+', label: 'Y and a literal +' },
  { key: 'EMPTY', wire: '', label: 'empty' },
];

function pidClasses(pid: string): ValueClass[] {
  const encoded = [...pid].map((d) => `%${d.charCodeAt(0).toString(16).toUpperCase()}`).join('');
  const script = (zero: number): string => [...pid].map((d) => String.fromCodePoint(zero + Number(d))).join('');
  return [
    { key: 'DECIMAL', wire: pid, label: `${pid}`, core: true },
    { key: 'ENCODED', wire: encoded, label: `${encoded}, percent-encoded ASCII digits` },
    { key: 'LEADING-SPACE', wire: `%20${pid}`, label: `${pid} after a space`, core: true },
    { key: 'TRAILING-SPACE', wire: `${pid}%20`, label: `${pid} before a space` },
    { key: 'TRAILING-TAB', wire: `${pid}%09`, label: `${pid} before a tab` },
    { key: 'PLUS', wire: `+${pid}`, label: `a literal + before ${pid}` },
    {
      key: 'ARABIC-INDIC',
      wire: encodeURIComponent(script(0x0660)),
      label: `${script(0x0660)}, Arabic-Indic digits`,
      core: true,
    },
    { key: 'FULLWIDTH', wire: encodeURIComponent(script(0xff10)), label: `${script(0xff10)}, fullwidth digits` },
    { key: 'DECIMAL-POINT', wire: `${pid}.0`, label: `${pid}.0` },
    { key: 'BLANK', wire: '', label: 'blank', core: true },
  ];
}

/** Identifier-like settings: whitespace and case variants are values of their own, compared exactly. */
function textClasses(value: string, options: { secret?: boolean } = {}): ValueClass[] {
  const show = (text: string): string => (options.secret === true ? text.replaceAll(value, '<value>') : text);
  const first = value.charAt(0);
  const firstCode = `%${first.charCodeAt(0).toString(16).toUpperCase()}`;
  const classes: ValueClass[] = [
    { key: 'EXACT', wire: encodeURIComponent(value), label: show(value), core: true },
    { key: 'LEADING-SPACE', wire: `%20${encodeURIComponent(value)}`, label: show(`" ${value}"`), core: true },
    { key: 'TRAILING-SPACE', wire: `${encodeURIComponent(value)}%20`, label: show(`"${value} "`), core: true },
    { key: 'TRAILING-TAB', wire: `${encodeURIComponent(value)}%09`, label: show(`${value} and a tab`) },
    {
      key: 'ENCODED',
      wire: `${firstCode}${encodeURIComponent(value.slice(1))}`,
      label: show(`${value} with its first letter percent-encoded`),
    },
    { key: 'SPACE-ONLY', wire: '%20', label: 'a single space' },
    { key: 'PLUS', wire: `${encodeURIComponent(value)}+x`, label: show(`${value} and a literal + and x`) },
  ];
  if (value.toUpperCase() !== value) {
    classes.push({ key: 'UPPER', wire: encodeURIComponent(value.toUpperCase()), label: show(value.toUpperCase()) });
  }
  if (value.toLowerCase() !== value) {
    classes.push({ key: 'LOWER', wire: encodeURIComponent(value.toLowerCase()), label: show(value.toLowerCase()) });
  }
  return classes;
}

type StateKey = 'FRESH' | 'ACTIVATED' | 'SAVED-PASSWORD';

const STATE_TEXT: Record<StateKey, string> = {
  FRESH: 'on a fresh client',
  ACTIVATED: 'on an activated client',
  'SAVED-PASSWORD': 'on a client with a saved password',
};

/** One alternative outcome, under the choices (point -> option) it depends on. */
interface Alternative {
  choices: Record<string, string>;
  then: Outcome;
  requirements: string[];
}

/** The decoded values a wire text can read as: with a literal `+`, one per option of OM-CHOICE-PLUS. */
export function decodings(wire: string): { choices: Record<string, string>; value: string }[] {
  if (!wire.includes('+')) return [{ choices: {}, value: decodeURIComponent(wire) }];
  return [
    { choices: { 'OM-CHOICE-PLUS': 'literal' }, value: decodeURIComponent(wire) },
    { choices: { 'OM-CHOICE-PLUS': 'space' }, value: decodeURIComponent(wire.replaceAll('+', ' ')) },
  ];
}

interface Setting {
  catalog: Catalog;
  platform: Platform;
  saved: Saved;
  /** The rest of the request (decoded), without the partitioned parameter. */
  base: SettingsRequest;
  /** For obfuscation: the password as sent (hex) and as it decodes. */
  obfuscated?: { sent: string; plain: string };
}

function provision(
  s: Setting,
  request: SettingsRequest,
  choices: Record<string, string>,
  extra: string[],
): Alternative {
  const outcome = outcomeOf(expectProvision(s.catalog, s.platform, s.saved, request));
  return { choices, then: outcome.then, requirements: [...outcome.requirements, ...extra] };
}

function failure(codes: number[], choices: Record<string, string>, requirements: string[]): Alternative {
  return {
    choices,
    then: { handled: true, result: codes, state: 'unchanged' },
    requirements: ['OM-ATOMIC', ...requirements],
  };
}

/** The alternatives for one decoded value of `parameter` (the builders' rules, reading section 2). */
function alternativesFor(
  parameter: Parameter,
  value: string,
  s: Setting,
  choices: Record<string, string>,
): Alternative[] {
  const withChoice = (point: string, option: string): Record<string, string> => ({ ...choices, [point]: option });
  switch (parameter) {
    case 'test': {
      const reading = readYesNo(value);
      const asTest = (mode: 'Y' | 'N', c: Record<string, string>): Alternative => {
        if (mode === 'Y' && s.base.pid !== undefined) {
          // The builder picks a profile with no test-mode revision: test=Y selects nothing.
          if (hasTestProfile(s.catalog, s.base.pid, s.platform))
            throw new Error(`partition builder: profile ${s.base.pid} has a test-mode revision; pick another`);
          return failure([33], c, ['OM-PARAM-TEST-MODE', 'OM-CODE-33-NO-PROFILE']);
        }
        return provision(s, s.base, c, ['OM-PARAM-TEST-MODE']);
      };
      if (reading.kind === 'valid') return [asTest(reading.value, choices)];
      if (reading.kind === 'invalid') return [failure([11], choices, ['OM-PARAM-BOOL'])];
      return [
        { ...asTest(reading.value, withChoice('OM-CHOICE-BOOL-LOWERCASE', 'accept')) },
        failure([11], withChoice('OM-CHOICE-BOOL-LOWERCASE', '11'), ['OM-PARAM-BOOL']),
      ];
    }
    case 'autologin': {
      const reading = readYesNo(value);
      if (reading.kind === 'valid') return [provision(s, { ...s.base, autologin: reading.value }, choices, [])];
      if (reading.kind === 'invalid') return [failure([11], choices, ['OM-PARAM-BOOL'])];
      return [
        provision(s, { ...s.base, autologin: reading.value }, withChoice('OM-CHOICE-BOOL-LOWERCASE', 'accept'), [
          'OM-PARAM-BOOL',
        ]),
        failure([11], withChoice('OM-CHOICE-BOOL-LOWERCASE', '11'), ['OM-PARAM-BOOL']),
      ];
    }
    case 'silentmode':
    case 'obfuscation': {
      const reading = readFlag(value);
      const asFlag = (flag: 'Y' | 'N', c: Record<string, string>): Alternative => {
        if (parameter === 'silentmode' || s.obfuscated === undefined) return provision(s, s.base, c, []);
        const password = flag === 'Y' ? s.obfuscated.plain : s.obfuscated.sent;
        return provision(s, { ...s.base, password }, c, ['OM-OBFUSCATION']);
      };
      if (reading.kind === 'valid') return [asFlag(reading.value, choices)];
      return [
        failure([11], withChoice('OM-CHOICE-FLAG-VALUE', '11'), ['OM-PARAM-FLAG-DEFAULT']),
        { ...asFlag('N', withChoice('OM-CHOICE-FLAG-VALUE', 'N')) },
      ];
    }
    case 'pid': {
      const reading = readPid(value);
      if (reading === 'blank') return [failure([10], choices, ['OM-PARAM-PID-BLANK'])];
      if (reading === 'decimal') return [provision(s, { ...s.base, pid: value }, choices, [])];
      return [
        failure([10], withChoice('OM-CHOICE-PID-NONDECIMAL', '10'), ['OM-PARAM-PID-BLANK']),
        failure([33], withChoice('OM-CHOICE-PID-NONDECIMAL', '33'), ['OM-PARAM-PID-BLANK', 'OM-CODE-33-NO-PROFILE']),
      ];
    }
    case 'username':
    case 'password':
    case 'domain':
    case 'prefix':
      return [provision(s, { ...s.base, [parameter]: value }, choices, [])];
  }
}

/** One outcome when every alternative agrees, else one alternative per assignment of the choices. */
export function thenOf(alternatives: readonly Alternative[]): { then: Then; requirements: string[] } {
  const requirements = [...new Set(alternatives.flatMap((a) => a.requirements))];
  const first = alternatives[0];
  if (first === undefined) throw new Error('partition builder: no alternative');
  if (alternatives.every((a) => JSON.stringify(a.then) === JSON.stringify(first.then))) {
    return { then: first.then, requirements };
  }
  const oneOf: ChoiceOutcome[] = alternatives.map((a) => ({ choices: a.choices, ...a.then }));
  return { then: { oneOf }, requirements };
}

interface Family {
  parameter: Parameter;
  /** Part of the id: which profile the family runs on, when a parameter has several. */
  variant?: string;
  profile: CatalogProfile;
  classes: readonly ValueClass[];
  /** The rest of the request in each state (decoded); `pid` is added on a fresh client. */
  base: (state: StateKey) => SettingsRequest;
  states: readonly StateKey[];
  /** Parameters sent as written beside the partitioned one (the obfuscated password). */
  raw?: Record<string, string>;
  obfuscated?: { sent: string; plain: string };
}

function setupFor(profile: CatalogProfile, state: StateKey): SettingsRequest[] {
  if (state === 'FRESH') return [];
  if (state === 'ACTIVATED') return [{ pid: String(profile.id) }];
  return [fullSetup(profile)];
}

function vectorsOf(catalog: Catalog, family: Family): Vector[] {
  const vectors: Vector[] = [];
  for (const state of family.states) {
    const setup = setupFor(family.profile, state);
    for (const valueClass of family.classes) {
      if (state !== 'FRESH' && valueClass.core !== true) continue;
      const base = family.base(state);
      const expectations = new Map<Platform, { then: Then; requirements: string[] }>();
      for (const platform of ['ios', 'android'] as const) {
        const saved = setup.length === 0 ? FRESH : expectSetup(catalog, platform, setup);
        const setting: Setting = { catalog, platform, saved, base };
        if (family.obfuscated !== undefined) setting.obfuscated = family.obfuscated;
        const alternatives = decodings(valueClass.wire).flatMap(({ choices, value }) =>
          alternativesFor(family.parameter, value, setting, choices),
        );
        expectations.set(platform, thenOf(alternatives));
      }
      const head = queryOf(base);
      const raw = Object.entries(family.raw ?? {}).map(([name, text]) => `${name}=${text}`);
      const query = [head, ...raw, `${family.parameter}=${valueClass.wire}`].filter((p) => p !== '').join('&');
      const id = generatedId(
        [
          'PARTITION',
          family.parameter,
          ...(family.variant === undefined ? [] : [family.variant]),
          valueClass.key,
          state,
        ].join('-'),
      );
      const title =
        `Parameter partition: ${family.parameter} ${valueClass.label} ${STATE_TEXT[state]}` +
        ` (profile ${family.profile.id}${family.variant === undefined ? '' : `, ${family.variant.toLowerCase()}`})`;
      const ios = expectations.get('ios')!;
      const android = expectations.get('android')!;
      const common = {
        title,
        area: 'parameters' as const,
        source: SOURCE,
        ...(setup.length > 0 ? { given: setup.map((step) => queryOf(step)) } : {}),
        when: { query },
      };
      const requirementsOf = (...from: { requirements: string[] }[]): string[] =>
        [...new Set(['OM-PARAM-DECODE', ...from.flatMap((e) => e.requirements)])].sort();
      if (JSON.stringify(ios.then) === JSON.stringify(android.then)) {
        vectors.push({ id, ...common, requirements: requirementsOf(ios, android), then: ios.then });
      } else {
        for (const [platform, expectation] of [
          ['ios', ios],
          ['android', android],
        ] as const) {
          vectors.push({
            id: `${id}-${platform}`,
            ...common,
            title: `${title} (${platform === 'ios' ? 'iOS' : 'Android'})`,
            platforms: [platform],
            requirements: requirementsOf(expectation),
            then: expectation.then,
          });
        }
      }
    }
  }
  return vectors;
}

export function buildPartitionVectors(options: BuildOptions): Vector[] {
  const { catalog, obfuscationKey } = options;
  const shared = sharedProfiles(catalog);
  // A fixed single domain, no prefix option, saved passwords, user-controlled auto-login, no test-mode
  // revision: every flag and credential class can then succeed, so only the class decides the outcome.
  const plain = shared.find(
    (p) =>
      !p.domains.editable &&
      p.domains.options.length > 0 &&
      p.prefixes === null &&
      p.savePassword &&
      p.autologin.userControl &&
      !hasTestProfile(catalog, String(p.id), 'ios') &&
      !hasTestProfile(catalog, String(p.id), 'android'),
  );
  const editableDomain = shared.find((p) => p.domains.editable && p.domains.options.length > 0 && p.savePassword);
  const fixedPrefix = shared.find(
    (p) => p.prefixes !== null && !p.prefixes.editable && p.prefixes.options.length > 0 && p.savePassword,
  );
  const vectors: Vector[] = [];
  const ALL: readonly StateKey[] = ['FRESH', 'ACTIVATED', 'SAVED-PASSWORD'];
  const withPid =
    (profile: CatalogProfile, rest: SettingsRequest = {}) =>
    (state: StateKey): SettingsRequest =>
      state === 'FRESH' ? { pid: String(profile.id), ...rest } : { ...rest };

  if (plain !== undefined) {
    const pid = String(plain.id);
    const credentials = { username: 'alice', password: 'Secret1' };
    vectors.push(
      ...vectorsOf(catalog, {
        parameter: 'test',
        profile: plain,
        classes: YES_NO_CLASSES,
        base: withPid(plain),
        states: ALL,
      }),
      ...vectorsOf(catalog, {
        parameter: 'autologin',
        profile: plain,
        classes: YES_NO_CLASSES,
        base: (state) => (state === 'FRESH' ? { pid, ...credentials } : {}),
        states: ALL,
      }),
      ...vectorsOf(catalog, {
        parameter: 'silentmode',
        profile: plain,
        classes: FLAG_CLASSES,
        base: withPid(plain),
        states: ALL,
      }),
      ...vectorsOf(catalog, {
        parameter: 'pid',
        profile: plain,
        classes: pidClasses(pid),
        base: () => ({}),
        states: ALL,
      }),
      ...vectorsOf(catalog, {
        parameter: 'username',
        profile: plain,
        classes: textClasses('alice'),
        base: withPid(plain),
        states: ALL,
      }),
      ...vectorsOf(catalog, {
        parameter: 'password',
        profile: plain,
        classes: textClasses('Secret1', { secret: true }),
        base: (state) =>
          state === 'FRESH' ? { pid, username: 'alice' } : state === 'ACTIVATED' ? { username: 'alice' } : {},
        states: ALL,
      }),
      ...vectorsOf(catalog, {
        parameter: 'domain',
        variant: 'FIXED',
        profile: plain,
        classes: [...textClasses(plain.domains.options[0]!), { key: 'EMPTY', wire: '', label: 'empty' }],
        base: withPid(plain),
        states: ALL,
      }),
    );
    if (obfuscationKey !== null) {
      const sent = obfuscate(credentials.password, obfuscationKey);
      vectors.push(
        ...vectorsOf(catalog, {
          parameter: 'obfuscation',
          profile: plain,
          classes: FLAG_CLASSES,
          base: (state) =>
            state === 'FRESH' ? { pid, username: 'alice' } : state === 'ACTIVATED' ? { username: 'alice' } : {},
          states: ALL,
          raw: { password: sent },
          obfuscated: { sent, plain: credentials.password },
        }),
      );
    }
  }
  if (editableDomain !== undefined) {
    vectors.push(
      ...vectorsOf(catalog, {
        parameter: 'domain',
        variant: 'EDITABLE',
        profile: editableDomain,
        classes: textClasses(editableDomain.domains.options[0]!).filter((c) => c.core === true),
        base: withPid(editableDomain),
        states: ['FRESH'],
      }),
    );
  }
  if (fixedPrefix !== undefined) {
    vectors.push(
      ...vectorsOf(catalog, {
        parameter: 'prefix',
        profile: fixedPrefix,
        classes: [...textClasses(fixedPrefix.prefixes!.options[0]!), { key: 'EMPTY', wire: '', label: 'empty' }],
        base: withPid(fixedPrefix),
        states: ALL,
      }),
    );
  }
  return vectors;
}
