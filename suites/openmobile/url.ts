/**
 * The model's own reading of a provisioning URL. URL/URLSearchParams are deliberately not used for the
 * query: they decode `+` as a space, which the reading leaves to the implementation (OM-CHOICE-PLUS).
 *
 * - scheme: text before `://`; host: up to the first `/`, `?` or `#`; path: up to `?` or `#`;
 *   query: after the first `?`, up to `#` (the fragment is not part of the request).
 * - The query is split on `&` into (name, raw value) pairs; the value is the text after the first `=`.
 *   Whether `;` separates pairs too is OM-CHOICE-SEMICOLON (`semicolonPairs` holds that split).
 * - Names are compared exactly as written, unless {@link resolveNames} reads them otherwise: an escaped
 *   name that decodes to a known one (OM-CHOICE-ENCODED-NAME), a known name in another letter case on iOS
 *   (OM-CHOICE-IOS-NAME-CASE).
 * - Values are percent-decoded once into UTF-8. A value that does not decode (OM-CHOICE-MALFORMED-ENCODING)
 *   is decoded leniently, or kept as written (`raw`); `reject` reads it leniently and flags it.
 */
import type { Chooser } from './choices.ts';
import { optionsOf } from './choices.ts';

export interface QueryPair {
  name: string;
  /** The value as written, before decoding; null for a bare name (`&pin&`). */
  raw: string | null;
  /** The name as written, where {@link resolveNames} reads it as another (`p%69d` read as `pid`). */
  written?: string;
}

export interface ParsedUrl {
  scheme: string;
  host: string;
  path: string;
  /** The query as written (no `?`), empty when there is none. */
  query: string;
  pairs: QueryPair[];
  /** The pairs when `;` separates them as `&` does (OM-CHOICE-SEMICOLON); null when the query has no `;`. */
  semicolonPairs: QueryPair[] | null;
  /** A `%` not followed by two hex digits, or percent-decoded bytes that are not UTF-8, somewhere in the query. */
  malformed: boolean;
}

const LENIENT = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

const PLUS_OPTIONS = optionsOf('OM-CHOICE-PLUS');
const REPEATED_OPTIONS = optionsOf('OM-CHOICE-REPEATED');
const BARE_OPTIONS = optionsOf('OM-CHOICE-BARE-NAME');

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  return -1;
}

/** The byte of a well-formed `%XX` at `i`, or -1. */
function escapedByte(text: string, i: number): number {
  if (i + 2 >= text.length) return -1;
  const high = hexValue(text.charCodeAt(i + 1));
  const low = hexValue(text.charCodeAt(i + 2));
  return high < 0 || low < 0 ? -1 : high * 16 + low;
}

/** Whether percent-decoding `text` meets a bad `%` or bytes that are not UTF-8. */
export function isMalformed(text: string): boolean {
  let i = text.indexOf('%');
  if (i < 0) return false;
  const bytes: number[] = [];
  while (i < text.length) {
    if (text.charCodeAt(i) === 0x25) {
      const byte = escapedByte(text, i);
      if (byte < 0) return true;
      bytes.push(byte);
      i += 3;
      continue;
    }
    if (bytes.length > 0) {
      if (!validUtf8(bytes)) return true;
      bytes.length = 0;
    }
    i++;
  }
  return bytes.length > 0 && !validUtf8(bytes);
}

/**
 * Whether `bytes` are well-formed UTF-8, as a fatal TextDecoder judges them (the WHATWG decoder: no
 * overlong forms, no surrogates, nothing above U+10FFFF, no stray or missing continuation bytes), without
 * building a buffer or catching an error: this runs on every escaped run of every generated request.
 */
function validUtf8(bytes: number[]): boolean {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i] as number;
    i++;
    if (lead < 0x80) continue;
    let continuations: number;
    let lower = 0x80;
    let upper = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) continuations = 1;
    else if (lead >= 0xe0 && lead <= 0xef) {
      continuations = 2;
      if (lead === 0xe0) lower = 0xa0;
      else if (lead === 0xed) upper = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      continuations = 3;
      if (lead === 0xf0) lower = 0x90;
      else if (lead === 0xf4) upper = 0x8f;
    } else return false;
    for (let k = 0; k < continuations; k++, i++) {
      const byte = bytes[i];
      if (byte === undefined || byte < lower || byte > upper) return false;
      lower = 0x80;
      upper = 0xbf;
    }
  }
  return true;
}

/**
 * Percent-decodes `raw` once. Leniently: a bad `%` stays literally and bytes that are not UTF-8 become
 * U+FFFD (OM-CHOICE-MALFORMED-ENCODING `lenient`; the other option never reaches decoding). With
 * `plusAsSpace`, a literal `+` becomes a space (OM-CHOICE-PLUS `space`); `%2B` is always `+`.
 */
export function percentDecode(raw: string, plusAsSpace: boolean): string {
  if (raw.indexOf('%') < 0) return plusAsSpace ? raw.replaceAll('+', ' ') : raw;
  let out = '';
  const bytes: number[] = [];
  let i = 0;
  while (i < raw.length) {
    const code = raw.charCodeAt(i);
    if (code === 0x25) {
      const byte = escapedByte(raw, i);
      if (byte >= 0) {
        bytes.push(byte);
        i += 3;
        continue;
      }
    }
    if (bytes.length > 0) {
      out += LENIENT.decode(Uint8Array.from(bytes));
      bytes.length = 0;
    }
    out += plusAsSpace && code === 0x2b ? ' ' : raw[i];
    i++;
  }
  if (bytes.length > 0) out += LENIENT.decode(Uint8Array.from(bytes));
  return out;
}

/** Splits a URL into scheme, host, path and query pairs; null when it has no `scheme://`. */
export function parseUrl(url: string): ParsedUrl | null {
  const schemeEnd = url.indexOf('://');
  if (schemeEnd <= 0) return null;
  const scheme = url.slice(0, schemeEnd);
  const rest = url.slice(schemeEnd + 3);
  const hash = rest.indexOf('#');
  const beforeFragment = hash < 0 ? rest : rest.slice(0, hash);
  const question = beforeFragment.indexOf('?');
  const authorityAndPath = question < 0 ? beforeFragment : beforeFragment.slice(0, question);
  const query = question < 0 ? '' : beforeFragment.slice(question + 1);
  const slash = authorityAndPath.indexOf('/');
  const host = slash < 0 ? authorityAndPath : authorityAndPath.slice(0, slash);
  const path = slash < 0 ? '' : authorityAndPath.slice(slash);
  const pairs = splitPairs(query, '&');
  // An escape never holds a `;`, so splitting there too changes no escape: `malformed` is the same either way.
  const malformed = pairs.some((pair) => isMalformed(pair.name) || (pair.raw !== null && isMalformed(pair.raw)));
  const semicolonPairs = query.includes(';') ? splitPairs(query, /[&;]/) : null;
  return { scheme, host, path, query, pairs, semicolonPairs, malformed };
}

function splitPairs(query: string, separator: string | RegExp): QueryPair[] {
  const pairs: QueryPair[] = [];
  if (query === '') return pairs;
  for (const segment of query.split(separator)) {
    if (segment === '') continue;
    const eq = segment.indexOf('=');
    pairs.push(eq < 0 ? { name: segment, raw: null } : { name: segment.slice(0, eq), raw: segment.slice(eq + 1) });
  }
  return pairs;
}

const ENCODED_NAME_OPTIONS = optionsOf('OM-CHOICE-ENCODED-NAME');
const IOS_NAME_CASE_OPTIONS = optionsOf('OM-CHOICE-IOS-NAME-CASE');

/** How {@link resolveNames} read the names: each choice it asked, and the names it read as another. */
export interface NameReading {
  pairs: QueryPair[];
  /** OM-CHOICE-ENCODED-NAME, when an escaped name decodes to a known one; else null (not asked). */
  encoded: string | null;
  /** OM-CHOICE-IOS-NAME-CASE, when a name matches a known one in another letter case on iOS; else null. */
  letterCase: string | null;
  /** `written -> read` for every name read as a known parameter it does not spell exactly. */
  renamed: [string, string][];
}

/**
 * Which parameter each name is. A name spelled exactly as a known parameter is that parameter. The
 * specification says nothing of escapes in a name (`pass%77ord`, `%70id`): a client that percent-decodes
 * names reads them as `password` and `pid`, one that matches names as written (Android's
 * `Uri.getQueryParameter` compares the encoded key) reads unknown parameters: OM-CHOICE-ENCODED-NAME,
 * asked only when some escaped name decodes to a known one. On iOS the specification does not make names
 * case-sensitive (only the Android format says its parameters "are case-sensitive"): a name that matches a
 * known one in another letter case (`PID`) is OM-CHOICE-IOS-NAME-CASE there, and an unknown parameter on
 * Android.
 */
export function resolveNames(
  pairs: readonly QueryPair[],
  known: ReadonlySet<string>,
  caseChoice: boolean,
  choose: Chooser,
): NameReading {
  const lower = (name: string) => (caseChoice ? name.toLowerCase() : name);
  const decodedOf = (name: string) => (name.includes('%') ? percentDecode(name, false) : name);
  const reachesKnown = (name: string) => known.has(name) || known.has(lower(name));
  let encoded: string | null = null;
  if (pairs.some((p) => !known.has(p.name) && decodedOf(p.name) !== p.name && reachesKnown(decodedOf(p.name)))) {
    encoded = choose('OM-CHOICE-ENCODED-NAME', ENCODED_NAME_OPTIONS);
  }
  const spelled = (name: string) => (encoded === 'decoded' ? decodedOf(name) : name);
  let letterCase: string | null = null;
  if (caseChoice && pairs.some((p) => !known.has(spelled(p.name)) && known.has(lower(spelled(p.name))))) {
    letterCase = choose('OM-CHOICE-IOS-NAME-CASE', IOS_NAME_CASE_OPTIONS);
  }
  const renamed: [string, string][] = [];
  const read = pairs.map((pair): QueryPair => {
    let name = spelled(pair.name);
    if (!known.has(name) && letterCase === 'insensitive' && known.has(name.toLowerCase())) name = name.toLowerCase();
    if (name === pair.name || !known.has(name)) return pair;
    if (!renamed.some(([w]) => w === pair.name)) renamed.push([pair.name, name]);
    return { ...pair, name, written: pair.name };
  });
  return { pairs: read, encoded, letterCase, renamed };
}

/** What one parameter read resolved to, for the derivation. */
export interface ParameterRead {
  name: string;
  value: string | undefined;
  /** The raw text contained `%` escapes or `+`. */
  decoded: boolean;
  occurrences: number;
  /** The value read has a bad `%` or decodes to bytes that are not UTF-8. */
  malformed: boolean;
}

/**
 * How a value that does not percent-decode is read (OM-CHOICE-MALFORMED-ENCODING, once the URL is handled):
 * `lenient` (a bad `%` stays, bad bytes become U+FFFD), `raw` (the whole value stays as written; only the
 * OM-CHOICE-PLUS reading of `+` applies), `reject` (read leniently and flagged: the model fails the request).
 */
export type MalformedReading = 'lenient' | 'raw' | 'reject';

/**
 * Reads parameters of a parsed query, resolving the implementation-defined cases (repeated parameter, bare
 * name, literal `+`) through the chooser, only when they arise for the parameter read.
 */
export class QueryReader {
  readonly #pairs: readonly QueryPair[];
  readonly #choose: Chooser;
  readonly #malformed: MalformedReading;

  constructor(pairs: readonly QueryPair[], choose: Chooser, malformed: MalformedReading = 'lenient') {
    this.#pairs = pairs;
    this.#choose = choose;
    this.#malformed = malformed;
  }

  /** Whether some occurrence of `name` has a value that does not percent-decode (asks no choice). */
  hasMalformed(name: string): boolean {
    return this.#pairs.some((pair) => pair.name === name && pair.raw !== null && isMalformed(pair.raw));
  }

  /**
   * The decoded value of `name`; undefined when omitted. With `emptyIsAbsent` the caller treats an empty
   * value like an omitted one (pin, resulturlscheme), so a bare name needs no choice and reads as undefined.
   */
  get(name: string, emptyIsAbsent = false): string | undefined {
    return this.read(name, emptyIsAbsent).value;
  }

  read(name: string, emptyIsAbsent = false): ParameterRead {
    let first: QueryPair | undefined;
    let last: QueryPair | undefined;
    let occurrences = 0;
    for (const pair of this.#pairs) {
      if (pair.name !== name) continue;
      occurrences++;
      first ??= pair;
      last = pair;
    }
    if (first === undefined || last === undefined)
      return { name, value: undefined, decoded: false, occurrences: 0, malformed: false };
    let pick = first;
    if (occurrences > 1 && this.#choose('OM-CHOICE-REPEATED', REPEATED_OPTIONS) === 'last') pick = last;
    if (pick.raw === null) {
      if (emptyIsAbsent) return { name, value: undefined, decoded: false, occurrences, malformed: false };
      const bare = this.#choose('OM-CHOICE-BARE-NAME', BARE_OPTIONS);
      return { name, value: bare === 'empty' ? '' : undefined, decoded: false, occurrences, malformed: false };
    }
    const raw = pick.raw;
    const hasPlus = raw.indexOf('+') >= 0;
    const plusAsSpace = hasPlus && this.#choose('OM-CHOICE-PLUS', PLUS_OPTIONS) === 'space';
    const malformed = isMalformed(raw);
    const value =
      malformed && this.#malformed === 'raw'
        ? plusAsSpace
          ? raw.replaceAll('+', ' ')
          : raw
        : percentDecode(raw, plusAsSpace);
    return { name, value, decoded: hasPlus || raw.indexOf('%') >= 0, occurrences, malformed };
  }

  /** Names present in the query that are not in `known`, in order, without duplicates. */
  unknownNames(known: ReadonlySet<string>): string[] {
    const unknown: string[] = [];
    for (const pair of this.#pairs) {
      const written = pair.written ?? pair.name;
      if (!known.has(pair.name) && !unknown.includes(written)) unknown.push(written);
    }
    return unknown;
  }
}
