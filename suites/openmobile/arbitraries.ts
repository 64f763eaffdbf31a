/**
 * fast-check arbitraries for the Open Mobile request space: the fuzzer's generators.
 *
 * Design for shrinking: every request is a record of independent small choices (which kind of pid, which
 * length class of username, which mutation...) that one pure function renders into a URL. Values that depend
 * on the catalog (the right PIN, a profile's domain option) are resolved at rendering time from an index, so
 * no `chain` is needed and fast-check shrinks each choice on its own. Every `oneof` lists its simplest
 * alternative first and cross-shrinks to it, so a counterexample shrinks to a canonical, mostly valid request
 * with only the ingredient that matters left in it.
 */
import fc from 'fast-check';
import type {
  Catalog,
  CatalogProfile,
  Method,
  Mode,
  Platform,
  ProfileServiceFault,
} from '../../protocols/openmobile/types.ts';
import { obfuscate } from './obfuscation.ts';
import { IOS_PROBE_SCHEME } from './routes.ts';

export type RequestPair = [name: string, rawValue: string];

export interface GeneratedRequest {
  /** The exact URL to deliver. */
  url: string;
  /** The query's pairs as written (raw, not decoded), in order; what the URL's query splits into on `&`. */
  parameters: RequestPair[];
  /** Tags naming what was generated (see `requestNotes`), for coverage statistics and reports. */
  notes: string[];
}

export interface RequestOptions {
  catalog: Catalog;
  platform: Platform;
  method: Method;
  /** The key obfuscated passwords are made with; null: no `obfuscation=Y` with a valid password is generated. */
  obfuscationKey: string | null;
  /**
   * Biased to requests that break two or three rules at once (over-long values, other domains and
   * prefixes, asserted auto-login, unknown IDs, bad booleans), for inferring the order of checks.
   */
  violations?: boolean;
}

export interface Condition {
  network: 'online' | 'offline';
  fault: ProfileServiceFault | null;
}

export const USERNAME_LIMIT = 100;
export const PASSWORD_LIMIT = 64;

// -----------------------------------------------------------------------------------------------------------
// Helpers

/** A weighted `oneof` that shrinks towards its first alternative. */
function pick<T>(...alternatives: [weight: number, arbitrary: fc.Arbitrary<T>][]): fc.Arbitrary<T> {
  return fc.oneof({ withCrossShrink: true }, ...alternatives.map(([weight, arbitrary]) => ({ weight, arbitrary })));
}

/** Characters that cannot stand literally in a query value; the generator always writes their escape. */
const RESERVED = new Set(['&', '=', '#', '%', '+', ' ', '?']);
/** Printable ASCII (0x21-0x7E) but the reserved characters: what `encodeQueryValue` writes as is. */
const NOTHING_TO_ENCODE = /^[^\x00-\x20\x7f-\uffff&=#%+?]*$/;

/**
 * Percent-encodes `text` for a query value: the reserved characters, controls and everything outside ASCII
 * (as UTF-8 bytes, upper-case hex); other printable ASCII (including `/`, `@`, `:`) is written as is.
 */
export function encodeQueryValue(text: string): string {
  // Most values are printable ASCII without a reserved character: nothing to encode.
  if (NOTHING_TO_ENCODE.test(text)) return text;
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (code > 0x20 && code < 0x7f && !RESERVED.has(ch)) {
      out += ch;
      continue;
    }
    out += escapeOf(ch);
  }
  return out;
}

/** Escapes already written, per character: the generator's alphabets are small. */
const ESCAPES = new Map<string, string>();

function escapeOf(ch: string): string {
  let escape = ESCAPES.get(ch);
  if (escape === undefined) {
    escape = '';
    for (const byte of Buffer.from(ch, 'utf8')) escape += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    if (ESCAPES.size < 4096) ESCAPES.set(ch, escape);
  }
  return escape;
}

// -----------------------------------------------------------------------------------------------------------
// Text values (username, password, and the "other" domain / prefix values)

type Charset = 'ascii' | 'reserved' | 'multibyte' | 'astral' | 'mixed';

/** Every character is one code point, so a value's length in characters is its number of elements. */
const CHARSETS: Record<Charset, readonly string[]> = {
  ascii: ['a', 'b', 'z', 'A', 'Z', '0', '9', '.', '_', '-', '@'],
  reserved: ['&', '=', '#', '%', '+', ' ', '?'],
  multibyte: ['é', '中', 'ü', 'ж'],
  astral: ['😀', '𝄞', '🚀'],
  mixed: ['a', 'é', '中', '😀', '&', ' ', '%', '+'],
};
const CHARSET_NAMES = Object.keys(CHARSETS) as Charset[];

interface TextSpec {
  /** In characters (code points). */
  length: number;
  charset: Charset;
  /** Indexes into the charset, repeated cyclically up to `length`; shrinks to [0], a run of one character. */
  fill: number[];
}

function textSpec(limit: number): fc.Arbitrary<TextSpec> {
  return fc.record({
    length: pick([3, fc.integer({ min: 2, max: 12 })], [2, fc.constantFrom(0, 1, limit - 1, limit, limit + 1)]),
    charset: pick(
      [5, fc.constant<Charset>('ascii')],
      [1, fc.constant<Charset>('reserved')],
      [1, fc.constant<Charset>('multibyte')],
      [1, fc.constant<Charset>('astral')],
      [1, fc.constant<Charset>('mixed')],
    ),
    fill: fc.array(fc.nat({ max: 63 }), { minLength: 1, maxLength: 6 }),
  });
}

function renderText(spec: TextSpec): string {
  const chars = CHARSETS[spec.charset];
  let out = '';
  for (let i = 0; i < spec.length; i++) {
    const k = spec.fill[i % spec.fill.length] ?? 0;
    out += chars[k % chars.length] ?? '';
  }
  return out;
}

function textNotes(name: string, spec: TextSpec, limit: number): string[] {
  const n = spec.length;
  const length =
    n === 0
      ? 'empty'
      : n === 1
        ? 'one'
        : n === limit - 1
          ? 'below-limit'
          : n === limit
            ? 'at-limit'
            : n === limit + 1
              ? 'over-limit'
              : 'typical';
  return n === 0 ? [`${name}-empty`] : [`${name}-${length}`, `${name}-${spec.charset}`];
}

const TEXT_NOTE_SUFFIXES = ['absent', 'empty', 'one', 'below-limit', 'at-limit', 'over-limit', 'typical'];

// -----------------------------------------------------------------------------------------------------------
// The parameters' choices

type PidPick =
  | { kind: 'catalog' | 'leading-zeros' | 'profile-finder' | 'unknown'; index: number }
  | { kind: 'absent' | 'empty' }
  | { kind: 'non-decimal'; value: string };
type PinPick = 'right' | 'absent' | 'empty' | 'wrong' | 'wrong-case';
type TestPick = 'match' | 'Y' | 'N' | 'absent';
type FlagPick = 'absent' | 'Y' | 'N';
type SettingPick =
  { kind: 'absent' | 'empty' | 'option-case' } | { kind: 'option'; index: number } | { kind: 'other'; value: string };
type SchemePick = 'absent' | 'present' | 'other' | 'empty';

const NON_DECIMAL_PIDS = ['abc', '12a', '-1', '1.5', '+1', '9945 ', '٣', '0x10'];
const OTHER_DOMAINS = ['other.example', 'r&d.example', 'dömäin.example', 'a b#c.example'];
const OTHER_PREFIXES = ['OTHER/', 'R&D\\', 'p%x/', 'ÜBER/'];
const OTHER_SCHEME = 'thirdparty';

type Mutation =
  | { kind: 'bad-boolean'; name: 'test' | 'autologin' | 'silentmode' | 'obfuscation'; value: string }
  | { kind: 'repeated'; index: number; value: 'same' | 'empty' | 'other' }
  | { kind: 'unknown'; pair: RequestPair }
  | { kind: 'wrong-case'; name: string }
  | { kind: 'plus'; index: number }
  | { kind: 'malformed'; index: number; suffix: string }
  | { kind: 'missing-amp'; index: number }
  | { kind: 'undecodable'; password: string };

const BAD_BOOLEANS = ['y', 'n', 'yes', 'Q', '', '1', 'true'];
const WRONG_CASE_NAMES = ['PID', 'Pid', 'Password', 'USERNAME', 'Test', 'AutoLogin', 'PIN', 'Domain', 'SilentMode'];
/** Escapes that do not decode: a bad `%`, and well-formed escapes whose bytes are not UTF-8. */
const MALFORMED_SUFFIXES = ['%zz', '%', '%2', '%G1', '%C3', '%E4%B8'];
const INVALID_UTF8 = new Set(['%C3', '%E4%B8']);
const UNDECODABLE_PASSWORDS = ['secret', 'ABCD', '00112233445566778899AABBCCDDEEF', 'zz'.repeat(16)];

function mutationArbitrary(platform: Platform): fc.Arbitrary<Mutation> {
  const unknownPairs: RequestPair[] = [
    ['foo', 'bar'],
    ['extra', '1'],
    ['pid2', '9945'],
    ['user%20name', 'x'],
  ];
  // Android does not read resulturlscheme: there it is one more unknown parameter.
  if (platform === 'android') unknownPairs.push(['resulturlscheme', IOS_PROBE_SCHEME]);
  const index = fc.nat({ max: 15 });
  return fc.oneof(
    fc.record({
      kind: fc.constant('bad-boolean' as const),
      name: fc.constantFrom('test' as const, 'autologin' as const, 'silentmode' as const, 'obfuscation' as const),
      value: fc.constantFrom(...BAD_BOOLEANS),
    }),
    fc.record({
      kind: fc.constant('repeated' as const),
      index,
      value: fc.constantFrom('same' as const, 'empty' as const, 'other' as const),
    }),
    fc.record({ kind: fc.constant('unknown' as const), pair: fc.constantFrom(...unknownPairs) }),
    fc.record({ kind: fc.constant('wrong-case' as const), name: fc.constantFrom(...WRONG_CASE_NAMES) }),
    fc.record({ kind: fc.constant('plus' as const), index }),
    fc.record({ kind: fc.constant('malformed' as const), index, suffix: fc.constantFrom(...MALFORMED_SUFFIXES) }),
    fc.record({ kind: fc.constant('missing-amp' as const), index }),
    fc.record({ kind: fc.constant('undecodable' as const), password: fc.constantFrom(...UNDECODABLE_PASSWORDS) }),
  );
}

// -----------------------------------------------------------------------------------------------------------
// Routing

interface RouteVariant {
  prefix: string;
  /** Appended after the query (a fragment is not part of the request). */
  suffix: string;
  notes: string[];
}

function canonicalPrefix(platform: Platform, method: Method): string {
  if (platform === 'ios') return 'ipass://provision';
  return method === 'url' ? 'clientx://provision.com' : 'clientx://provision';
}

function variant(prefix: string, ...notes: string[]): RouteVariant {
  return { prefix, suffix: '', notes };
}

/** Deliberate deviations from the canonical form, per route: the `.com` question and letter case above all. */
function routeVariants(platform: Platform, method: Method): RouteVariant[] {
  const fragment: RouteVariant = {
    prefix: canonicalPrefix(platform, method),
    suffix: '#top',
    notes: ['route-fragment'],
  };
  if (platform === 'ios') {
    return [
      variant('iPass://provision', 'route-scheme-case'),
      variant('IPASS://provision', 'route-scheme-case'),
      variant('ipass://PROVISION', 'route-host-case'),
      variant('ipass://provision.com', 'route-com'),
      variant('iPass://provision.com', 'route-com', 'route-scheme-case'),
      variant('ipass://provision.COM', 'route-com', 'route-host-case'),
      variant('ipass://provision/extra', 'route-path'),
      variant('clientx://provision', 'route-other-scheme'),
      fragment,
    ];
  }
  if (method === 'url') {
    return [
      variant('clientx://provision', 'route-no-com'),
      variant('CLIENTX://provision.com', 'route-scheme-case'),
      variant('ClientX://provision.com', 'route-scheme-case'),
      variant('clientx://provision.COM', 'route-host-case'),
      variant('clientx://PROVISION', 'route-no-com', 'route-host-case'),
      variant('clientx://provision.com/x', 'route-path'),
      variant('ipass://provision', 'route-other-scheme'),
      fragment,
    ];
  }
  return [
    variant('clientx://provision.com', 'route-com'),
    variant('CLIENTX://provision', 'route-scheme-case'),
    variant('clientx://PROVISION', 'route-host-case'),
    variant('clientx://provision.COM', 'route-com', 'route-host-case'),
    variant('clientx://provision/x', 'route-path'),
    variant('ipass://provision', 'route-other-scheme'),
    fragment,
  ];
}

// -----------------------------------------------------------------------------------------------------------
// What the catalog offers a route

interface FinderId {
  id: number;
  mode: Mode;
  /** The favorite the Profile Finder selects, or null when the company has none. */
  target: CatalogProfile | null;
}

interface Offer {
  entries: CatalogProfile[];
  finder: FinderId[];
  unknownIds: string[];
}

function offerOf(catalog: Catalog, platform: Platform): Offer {
  const entries = catalog.profiles.filter((p) => p.platform === platform);
  const has = (id: number, mode: Mode): boolean => entries.some((p) => p.id === id && p.mode === mode);
  const finder: FinderId[] = [];
  for (const other of catalog.profiles) {
    if (other.platform === platform || has(other.id, other.mode)) continue;
    if (finder.some((f) => f.id === other.id && f.mode === other.mode)) continue;
    const target = entries.find((p) => p.favorite && p.company === other.company && p.mode === other.mode) ?? null;
    finder.push({ id: other.id, mode: other.mode, target });
  }
  const maxId = catalog.profiles.reduce((max, p) => Math.max(max, p.id), 0);
  return { entries, finder, unknownIds: ['0', String(maxId + 1), '4294967297', '99999999999999999999'] };
}

// -----------------------------------------------------------------------------------------------------------
// Requests

interface RequestSpec {
  pid: PidPick;
  pin: PinPick;
  test: TestPick;
  username: TextSpec | null;
  password: TextSpec | null;
  domain: SettingPick;
  prefix: SettingPick;
  autologin: FlagPick;
  silentmode: FlagPick;
  obfuscation: FlagPick;
  resulturlscheme: SchemePick;
  mutations: Mutation[];
  route: RouteVariant | null;
}

function flagArbitrary(allowY = true): fc.Arbitrary<FlagPick> {
  const alternatives: [number, fc.Arbitrary<FlagPick>][] = [
    [3, fc.constant('absent')],
    [1, fc.constant('N')],
  ];
  if (allowY) alternatives.push([2, fc.constant('Y')]);
  return pick(...alternatives);
}

/** `absent` and `option` carry most of the weight, so most requests keep a configuration the profile accepts. */
function settingArbitrary(
  others: readonly string[],
  weights: { absent: number; option: number; other?: number },
): fc.Arbitrary<SettingPick> {
  return pick<SettingPick>(
    [weights.absent, fc.constant({ kind: 'absent' })],
    [weights.option, fc.nat({ max: 2 }).map((index) => ({ kind: 'option', index }))],
    [1, fc.constant({ kind: 'option-case' })],
    [weights.other ?? 1, fc.constantFrom(...others).map((value) => ({ kind: 'other', value }))],
    [1, fc.constant({ kind: 'empty' })],
  );
}

function pidArbitrary(offer: Offer, unknownWeight = 1): fc.Arbitrary<PidPick> {
  const alternatives: [number, fc.Arbitrary<PidPick>][] = [];
  const { entries, finder } = offer;
  if (entries.length > 0) {
    const index = fc.nat({ max: entries.length - 1 });
    alternatives.push([14, index.map((i) => ({ kind: 'catalog', index: i }))]);
    alternatives.push([1, index.map((i) => ({ kind: 'leading-zeros', index: i }))]);
  }
  if (finder.length > 0) {
    alternatives.push([2, fc.nat({ max: finder.length - 1 }).map((i) => ({ kind: 'profile-finder', index: i }))]);
  }
  alternatives.push(
    [unknownWeight, fc.nat({ max: offer.unknownIds.length - 1 }).map((i) => ({ kind: 'unknown', index: i }))],
    [2, fc.constant({ kind: 'absent' })],
    [1, fc.constant({ kind: 'empty' })],
    [1, fc.constantFrom(...NON_DECIMAL_PIDS).map((value) => ({ kind: 'non-decimal', value }))],
  );
  return pick(...alternatives);
}

/** Every request of the Open Mobile request space for one route, biased to boundaries; see the module doc. */
export function requestArbitrary(options: RequestOptions): fc.Arbitrary<GeneratedRequest> {
  const { platform, method, obfuscationKey } = options;
  const offer = offerOf(options.catalog, platform);
  const v = options.violations === true;
  const rest = choicesArbitraries(platform, method, v, obfuscationKey !== null);
  // The same record, key for key and in the same order, as if built here in full: only the pid depends on
  // the catalog, and the rest is shared by every catalog of a run (a generated one each run in five).
  const spec: fc.Arbitrary<RequestSpec> = fc.record({ pid: pidArbitrary(offer, v ? 4 : 1), ...rest });
  return spec.map((s) => render(s, options, offer));
}

type ChoicesArbitraries = { [K in Exclude<keyof RequestSpec, 'pid'>]: fc.Arbitrary<RequestSpec[K]> };

const choicesCache = new Map<string, ChoicesArbitraries>();

/** The arbitraries of every choice but the pid; they depend on the route and the options, not the catalog. */
function choicesArbitraries(platform: Platform, method: Method, v: boolean, hasKey: boolean): ChoicesArbitraries {
  const cacheKey = `${platform} ${method} ${v} ${hasKey}`;
  const cached = choicesCache.get(cacheKey);
  if (cached !== undefined) return cached;
  const ios = platform === 'ios';
  // Over the limit by one, so the rest of the value shrinks as usual.
  const overLimit = (limit: number) => textSpec(limit).map((t) => ({ ...t, length: limit + 1 }));
  const text = (limit: number) =>
    v
      ? pick<TextSpec | null>([1, fc.constant(null)], [2, textSpec(limit)], [3, overLimit(limit)])
      : pick<TextSpec | null>([1, fc.constant(null)], [4, textSpec(limit)]);
  const choices: ChoicesArbitraries = {
    pin: pick<PinPick>(
      [10, fc.constant('right')],
      [1, fc.constant('absent')],
      [1, fc.constant('empty')],
      [1, fc.constant('wrong')],
      [1, fc.constant('wrong-case')],
    ),
    test: pick<TestPick>(
      [10, fc.constant('match')],
      [1, fc.constant('Y')],
      [1, fc.constant('N')],
      [1, fc.constant('absent')],
    ),
    username: text(USERNAME_LIMIT),
    password: text(PASSWORD_LIMIT),
    domain: settingArbitrary(OTHER_DOMAINS, v ? { absent: 2, option: 2, other: 5 } : { absent: 4, option: 5 }),
    // Most profiles have no prefix option, and any prefix is then 21: mostly absent.
    prefix: settingArbitrary(OTHER_PREFIXES, v ? { absent: 3, option: 2, other: 4 } : { absent: 8, option: 3 }),
    autologin: v ? pick<FlagPick>([1, fc.constant('absent')], [3, fc.constant('Y')]) : flagArbitrary(),
    silentmode: flagArbitrary(),
    obfuscation: flagArbitrary(hasKey),
    resulturlscheme: ios
      ? pick<SchemePick>(
          [1, fc.constant('absent')],
          [6, fc.constant('present')],
          [1, fc.constant('other')],
          [1, fc.constant('empty')],
        )
      : fc.constant<SchemePick>('absent'),
    // At most two mutations: each may reach one or two implementation-defined choices, and the model
    // enumerates every assignment of the choices a request reaches. Two independent slots (not an array):
    // each shrinks to "none" on its own, where an array's shrinker only drops items from the front.
    mutations: fc
      .tuple(
        pick<Mutation | null>([v ? 1 : 3, fc.constant(null)], [1, mutationArbitrary(platform)]),
        pick<Mutation | null>([5, fc.constant(null)], [1, mutationArbitrary(platform)]),
      )
      .map((slots) => slots.filter((m) => m !== null)),
    route: pick<RouteVariant | null>([14, fc.constant(null)], [2, fc.constantFrom(...routeVariants(platform, method))]),
  };
  choicesCache.set(cacheKey, choices);
  return choices;
}

function render(s: RequestSpec, options: RequestOptions, offer: Offer): GeneratedRequest {
  const notes: string[] = [];
  const pairs: RequestPair[] = [];
  const put = (name: string, text: string): void => {
    pairs.push([name, encodeQueryValue(text)]);
  };

  // pid, and the profile the request aims at (for the PIN, mode and setting options).
  let target: CatalogProfile | null = null;
  let mode: Mode | null = null;
  const pid = s.pid;
  switch (pid.kind) {
    case 'catalog':
    case 'leading-zeros': {
      target = offer.entries[pid.index] ?? null;
      if (target !== null) {
        mode = target.mode;
        put('pid', pid.kind === 'leading-zeros' ? `00${target.id}` : String(target.id));
        notes.push(`pid-${pid.kind}`);
      }
      break;
    }
    case 'profile-finder': {
      const finder = offer.finder[pid.index];
      if (finder !== undefined) {
        target = finder.target;
        mode = finder.mode;
        put('pid', String(finder.id));
        notes.push('pid-profile-finder');
      }
      break;
    }
    case 'unknown':
      put('pid', offer.unknownIds[pid.index] ?? '0');
      notes.push('pid-unknown');
      break;
    case 'empty':
      put('pid', '');
      notes.push('pid-empty');
      break;
    case 'non-decimal':
      put('pid', pid.value);
      notes.push('pid-non-decimal');
      break;
    case 'absent':
      notes.push('pid-absent');
      break;
  }

  const targetPin = target?.pin ?? null;
  const swapped = targetPin === null ? null : swapCase(targetPin);
  if (s.pin === 'right' && targetPin !== null) {
    put('pin', targetPin);
    notes.push('pin-right');
  } else if (s.pin === 'wrong-case' && swapped !== null && swapped !== targetPin) {
    put('pin', swapped);
    notes.push('pin-wrong-case');
  } else if (s.pin === 'wrong' || s.pin === 'wrong-case') {
    put('pin', targetPin === null ? '1234' : `${targetPin}0`);
    notes.push('pin-wrong');
  } else if (s.pin === 'empty') {
    put('pin', '');
    notes.push('pin-empty');
  } else {
    notes.push('pin-absent');
  }

  const test = s.test === 'match' ? (mode === 'test' ? 'Y' : 'absent') : s.test;
  if (test !== 'absent') put('test', test);
  notes.push(`test-${test}`);

  if (s.username === null) notes.push('username-absent');
  else {
    put('username', renderText(s.username));
    notes.push(...textNotes('username', s.username, USERNAME_LIMIT));
  }

  const key = options.obfuscationKey;
  const obfuscated = s.obfuscation === 'Y' && key !== null;
  if (s.password === null) notes.push('password-absent');
  else {
    const plain = renderText(s.password);
    if (obfuscated && plain !== '') {
      pairs.push(['password', obfuscatedOnce(plain, key)]);
      notes.push('password-obfuscated');
    } else {
      put('password', plain);
    }
    notes.push(...textNotes('password', s.password, PASSWORD_LIMIT));
  }

  setting('domain', s.domain, target?.domains.options ?? [], put, notes);
  setting('prefix', s.prefix, target?.prefixes?.options ?? [], put, notes);

  for (const name of ['autologin', 'silentmode'] as const) {
    if (s[name] !== 'absent') put(name, s[name]);
    notes.push(`${name}-${s[name]}`);
  }
  // Without a key, obfuscation=Y is generated only as a malformed request (the `undecodable` mutation).
  const obfuscation = s.obfuscation === 'Y' && key === null ? 'absent' : s.obfuscation;
  if (obfuscation !== 'absent') put('obfuscation', obfuscation);
  notes.push(`obfuscation-${obfuscation}`);

  if (options.platform === 'ios') {
    const scheme = s.resulturlscheme;
    if (scheme === 'present' || scheme === 'other')
      put('resulturlscheme', scheme === 'present' ? IOS_PROBE_SCHEME : OTHER_SCHEME);
    else if (scheme === 'empty') put('resulturlscheme', '');
    notes.push(`resulturlscheme-${scheme === 'other' ? 'present' : scheme}`);
  }

  for (const mutation of s.mutations) mutate(pairs, mutation, notes);

  const route = s.route ?? variant(canonicalPrefix(options.platform, options.method));
  notes.push(...route.notes);
  const query = pairs.map(([name, raw]) => `${name}=${raw}`).join('&');
  const url = `${route.prefix}${query === '' ? '' : `?${query}`}${route.suffix}`;
  return { url, parameters: pairs, notes };
}

/** Obfuscated passwords already made, per key: the generator renders the same few passwords again and again. */
const obfuscatedCache = new Map<string, Map<string, string>>();

function obfuscatedOnce(plain: string, key: string): string {
  let made = obfuscatedCache.get(key);
  if (made === undefined) {
    if (obfuscatedCache.size >= 16) obfuscatedCache.clear();
    made = new Map();
    obfuscatedCache.set(key, made);
  }
  let hex = made.get(plain);
  if (hex === undefined) {
    hex = obfuscate(plain, key);
    if (made.size >= 1024) made.clear();
    made.set(plain, hex);
  }
  return hex;
}

function swapCase(text: string): string {
  let out = '';
  for (const ch of text) {
    const upper = ch.toUpperCase();
    out += upper === ch ? ch.toLowerCase() : upper;
  }
  return out;
}

function setting(
  name: 'domain' | 'prefix',
  choice: SettingPick,
  options: readonly string[],
  put: (name: string, text: string) => void,
  notes: string[],
): void {
  switch (choice.kind) {
    case 'absent':
      notes.push(`${name}-absent`);
      return;
    case 'empty':
      put(name, '');
      notes.push(`${name}-empty`);
      return;
    case 'option':
    case 'option-case': {
      const option = options[choice.kind === 'option' ? choice.index % Math.max(options.length, 1) : 0];
      if (option === undefined) break;
      const cased = choice.kind === 'option-case' ? swapCase(option) : option;
      put(name, cased);
      // A value without letters has no other case: it is then just the option.
      notes.push(cased === option ? `${name}-option` : `${name}-option-case`);
      return;
    }
    case 'other':
      put(name, choice.value);
      notes.push(`${name}-other`);
      return;
  }
  // The target lists no option: "one of its options" is then no value at all (`other` covers unlisted ones).
  notes.push(`${name}-absent`);
}

function mutate(pairs: RequestPair[], m: Mutation, notes: string[]): void {
  const at = (index: number): RequestPair | undefined => pairs[index % Math.max(pairs.length, 1)];
  switch (m.kind) {
    case 'bad-boolean': {
      const existing = pairs.find(([name]) => name === m.name);
      if (existing === undefined) pairs.push([m.name, m.value]);
      else existing[1] = m.value;
      notes.push('bad-boolean');
      if (m.value === 'y' || m.value === 'n') notes.push('bool-lowercase');
      if (m.value === '') notes.push('bool-empty');
      return;
    }
    case 'repeated': {
      const pair = at(m.index) ?? ['test', 'N'];
      if (pairs.length === 0) pairs.push([...pair]);
      const other = pair[1] === 'Y' ? 'N' : pair[1] === '' ? 'x' : 'Y';
      pairs.push([pair[0], m.value === 'same' ? pair[1] : m.value === 'empty' ? '' : other]);
      notes.push('repeated-parameter');
      return;
    }
    case 'unknown':
      pairs.push([...m.pair]);
      notes.push('unknown-parameter');
      return;
    case 'wrong-case': {
      const lower = m.name.toLowerCase();
      const existing = pairs.find(([name]) => name === lower);
      if (existing === undefined) pairs.push([m.name, 'x']);
      else existing[0] = m.name;
      notes.push('wrong-case-name');
      return;
    }
    case 'plus': {
      const pair = at(m.index);
      if (pair === undefined) pairs.push(['username', 'a+b']);
      else pair[1] = pair[1].includes('%20') ? pair[1].replace('%20', '+') : `${pair[1]}+`;
      notes.push('literal-plus');
      return;
    }
    case 'malformed': {
      const pair = at(m.index);
      if (pair === undefined) pairs.push(['username', `a${m.suffix}`]);
      else pair[1] = `${pair[1]}${m.suffix}`;
      notes.push('malformed-percent');
      if (INVALID_UTF8.has(m.suffix)) notes.push('invalid-utf8');
      return;
    }
    case 'missing-amp': {
      // The seed's own template drops an `&`: `pid=9945username=jsmalley` is one pair, pid="9945username=...".
      if (pairs.length < 2) {
        pairs.push(['pid', '9945username=jsmalley']);
      } else {
        const i = m.index % (pairs.length - 1);
        const first = pairs[i];
        const second = pairs[i + 1];
        if (first !== undefined && second !== undefined) {
          pairs.splice(i, 2, [first[0], `${first[1]}${second[0]}=${second[1]}`]);
        }
      }
      notes.push('missing-amp-template');
      return;
    }
    case 'undecodable': {
      for (const [name, value] of [
        ['obfuscation', 'Y'],
        ['password', m.password],
      ] as const) {
        const existing = pairs.find(([n]) => n === name);
        if (existing === undefined) pairs.push([name, value]);
        else existing[1] = value;
      }
      notes.push('obfuscation-undecodable');
      return;
    }
  }
}

/**
 * The note tags `requestArbitrary(options)` can produce, given what the catalog offers the route (PIN
 * profiles, domain and prefix options, Profile Finder ids). A sample's notes are a subset of these.
 */
export function requestNotes(options: RequestOptions): string[] {
  const { platform, method, obfuscationKey } = options;
  const offer = offerOf(options.catalog, platform);
  const targets = [...offer.entries, ...offer.finder.map((f) => f.target).filter((t) => t !== null)];
  const notes = ['pid-unknown', 'pid-absent', 'pid-empty', 'pid-non-decimal'];
  if (offer.entries.length > 0) notes.push('pid-catalog', 'pid-leading-zeros');
  if (offer.finder.length > 0) notes.push('pid-profile-finder');
  notes.push('pin-absent', 'pin-empty', 'pin-wrong');
  if (targets.some((t) => t.pin !== null)) notes.push('pin-right');
  if (targets.some((t) => t.pin !== null && swapCase(t.pin) !== t.pin)) notes.push('pin-wrong-case');
  notes.push('test-Y', 'test-N', 'test-absent');
  for (const name of ['username', 'password']) {
    notes.push(...TEXT_NOTE_SUFFIXES.map((suffix) => `${name}-${suffix}`));
    notes.push(...CHARSET_NAMES.map((charset) => `${name}-${charset}`));
  }
  for (const name of ['domain', 'prefix'] as const) {
    notes.push(`${name}-absent`, `${name}-empty`, `${name}-other`);
    const values = targets.flatMap((t) => (name === 'domain' ? t.domains.options : (t.prefixes?.options ?? [])));
    if (values.length > 0) notes.push(`${name}-option`);
    if (values.some((v) => swapCase(v) !== v)) notes.push(`${name}-option-case`);
  }
  notes.push('autologin-absent', 'autologin-Y', 'autologin-N', 'silentmode-absent', 'silentmode-Y', 'silentmode-N');
  notes.push('obfuscation-absent', 'obfuscation-N');
  if (obfuscationKey !== null) notes.push('obfuscation-Y', 'password-obfuscated');
  if (platform === 'ios') notes.push('resulturlscheme-absent', 'resulturlscheme-present', 'resulturlscheme-empty');
  notes.push(
    'bad-boolean',
    'bool-lowercase',
    'bool-empty',
    'repeated-parameter',
    'unknown-parameter',
    'wrong-case-name',
    'literal-plus',
    'malformed-percent',
    'invalid-utf8',
    'missing-amp-template',
    'obfuscation-undecodable',
  );
  for (const v of routeVariants(platform, method)) for (const n of v.notes) if (!notes.includes(n)) notes.push(n);
  return notes;
}

// -----------------------------------------------------------------------------------------------------------
// Catalogs

const COMPANIES = ['acme', 'globex', 'initech'] as const;
const DOMAIN_POOL = ['corp.example', 'eu.corp.example', 'test.corp.example', 'r&d.example', 'mycorp.com'];
const PREFIX_POOL = ['CORP/', 'CORPX/', 'R&D\\', 'pre'];
const PIN_CHARS = [...'abcxyzABCXYZ0123456789'];
const COMBOS: readonly { platform: Platform; mode: Mode }[] = [
  { platform: 'android', mode: 'production' },
  { platform: 'ios', mode: 'production' },
  { platform: 'android', mode: 'test' },
  { platform: 'ios', mode: 'test' },
];

type ProfileBody = Pick<CatalogProfile, 'domains' | 'prefixes' | 'savePassword' | 'autologin' | 'pin' | 'favorite'>;

const optionList = (pool: readonly string[]): fc.Arbitrary<string[]> =>
  fc.uniqueArray(fc.constantFrom(...pool), { maxLength: 3 });

/** Everything of a profile but its identity; a favorite never has a PIN (the Profile Finder checks none). */
const bodyArbitrary: fc.Arbitrary<ProfileBody> = fc
  .record({
    domains: fc.record({ options: optionList(DOMAIN_POOL), editable: fc.boolean() }),
    prefixes: pick<ProfileBody['prefixes']>(
      [2, fc.constant(null)],
      [1, fc.record({ options: optionList(PREFIX_POOL), editable: fc.boolean() })],
    ),
    savePassword: pick([3, fc.constant(true)], [1, fc.constant(false)]),
    autologin: fc.record({ userControl: pick([3, fc.constant(true)], [1, fc.constant(false)]), default: fc.boolean() }),
    pin: pick<string | null>(
      [2, fc.constant(null)],
      [1, fc.string({ unit: fc.constantFrom(...PIN_CHARS), minLength: 1, maxLength: 8 })],
    ),
    favorite: pick([3, fc.constant(false)], [1, fc.constant(true)]),
  })
  .map((b) => (b.favorite ? { ...b, pin: null } : b));

const idArbitrary = fc.integer({ min: 1, max: 999_999 });
const modeArbitrary = fc.constantFrom<Mode>('production', 'test');

function entry(id: number, company: string, platform: Platform, mode: Mode, body: ProfileBody): CatalogProfile {
  return {
    id,
    company,
    platform,
    mode,
    pin: body.pin,
    favorite: body.favorite,
    domains: { options: [...body.domains.options], editable: body.domains.editable },
    prefixes: body.prefixes === null ? null : { options: [...body.prefixes.options], editable: body.prefixes.editable },
    savePassword: body.savePassword,
    autologin: { ...body.autologin },
  };
}

/** One catalog profile for `platform`. */
export function profileArbitrary(platform: Platform): fc.Arbitrary<CatalogProfile> {
  return fc
    .record({ id: idArbitrary, company: fc.constantFrom(...COMPANIES), mode: modeArbitrary, body: bodyArbitrary })
    .map(({ id, company, mode, body }) => entry(id, company, platform, mode, body));
}

/**
 * A catalog satisfying the catalog rules: ids unique per (id, platform, mode), favorites without PIN, at most
 * one favorite per (company, platform, mode) so the Profile Finder's choice is unambiguous. Some ids exist
 * on both platforms and in both modes, some on one platform only (the Profile Finder's case).
 */
export function catalogArbitrary(): fc.Arbitrary<Catalog> {
  const group = fc.record({
    id: idArbitrary,
    company: fc.constantFrom(...COMPANIES),
    combos: fc.subarray([...COMBOS], { minLength: 1 }),
    // Most real profiles are the same on both platforms; `shared` reuses the first body for every entry.
    shared: fc.boolean(),
    bodies: fc.tuple(bodyArbitrary, bodyArbitrary, bodyArbitrary, bodyArbitrary),
  });
  return fc.uniqueArray(group, { selector: (g) => g.id, minLength: 1, maxLength: 8 }).map((groups) => {
    const profiles: CatalogProfile[] = [];
    const favorites = new Set<string>();
    for (const g of groups) {
      g.combos.forEach(({ platform, mode }, i) => {
        const body = (g.shared ? g.bodies[0] : g.bodies[i % g.bodies.length]) ?? g.bodies[0];
        const profile = entry(g.id, g.company, platform, mode, body);
        const key = `${g.company}/${platform}/${mode}`;
        if (profile.favorite) {
          if (favorites.has(key)) profile.favorite = false;
          else favorites.add(key);
        }
        profiles.push(profile);
      });
    }
    return { profiles };
  });
}

// -----------------------------------------------------------------------------------------------------------
// Network and profile-service conditions

const FAULTS: fc.Arbitrary<ProfileServiceFault> = fc.oneof(
  fc.constantFrom(503, 500, 502, 404, 400, 401).map((status): ProfileServiceFault => ({ kind: 'status', status })),
  fc.constant(null).map((): ProfileServiceFault => ({ kind: 'cut' })),
  fc.constantFrom(10, 50, 150).map((ms): ProfileServiceFault => ({ kind: 'latency', ms })),
  fc.constant(null).map((): ProfileServiceFault => ({ kind: 'offline' })),
);

/** The device's network and the profile service's fault for one request; mostly online without fault. */
export function conditionArbitrary(violations = false): fc.Arbitrary<Condition> {
  return pick<Condition>(
    [violations ? 5 : 12, fc.constant(null).map((): Condition => ({ network: 'online', fault: null }))],
    [violations ? 2 : 1, fc.constant(null).map((): Condition => ({ network: 'offline', fault: null }))],
    [3, FAULTS.map((fault): Condition => ({ network: 'online', fault }))],
  );
}
