/**
 * Reading a provisioning URL the way each platform's URL class would: split into scheme, host and query,
 * then the query into parameters. Written by hand rather than with URL/URLSearchParams because every
 * decision here (what `+` means, which of a repeated parameter wins, what a bare name is, what a broken
 * `%` does) is an implementation-defined choice the harness observes, and must be made deliberately.
 */
import type { DefectId } from '../defects.ts';

export interface UrlParts {
  /** As written (case preserved); the platform decides how to compare it. */
  scheme: string;
  host: string;
  /** Everything after the first `?` up to a `#`, undecoded; empty when there is none. */
  query: string;
}

export interface QueryRules {
  /** `OM-CHOICE-PLUS`: a literal `+` stays `+`, or becomes a space (Android's `Uri.getQueryParameter`). */
  plus: 'literal' | 'space';
  /** `OM-CHOICE-REPEATED`. */
  repeated: 'first' | 'last';
  /** `OM-CHOICE-BARE-NAME`: `&pin&` is `pin=` or no `pin` at all. */
  bareName: 'empty' | 'absent';
  /**
   * `OM-CHOICE-MALFORMED-ENCODING`: keep a bad `%` and use U+FFFD for bad UTF-8 (`lenient`), reject the URL
   * (`reject`: not handled), or keep a value that does not decode exactly as written (`raw`).
   */
  malformed: 'lenient' | 'reject' | 'raw';
  /**
   * `OM-CHOICE-ENCODED-NAME`: names are percent-decoded like values (`pass%77ord` is `password`, as
   * NSURLComponents' queryItems give them), or matched as written (`literal`: `Uri.getQueryParameter`
   * compares the encoded key, so `pass%77ord` is an unknown parameter).
   */
  names: 'decoded' | 'literal';
  /** `OM-CHOICE-SEMICOLON`: `;` is part of the text (`literal`), or separates parameters as `&` does. */
  semicolon: 'literal' | 'separator';
  /** `OM-CHOICE-IOS-NAME-CASE`: names matched exactly, or in any letter case (`PID` is `pid`). */
  nameCase: 'sensitive' | 'insensitive';
}

export function splitUrl(url: string): UrlParts | null {
  const sep = url.indexOf('://');
  if (sep <= 0) return null;
  const scheme = url.slice(0, sep);
  const rest = url.slice(sep + 3);
  const hash = rest.indexOf('#');
  const beforeFragment = hash === -1 ? rest : rest.slice(0, hash);
  const q = beforeFragment.indexOf('?');
  const authorityAndPath = q === -1 ? beforeFragment : beforeFragment.slice(0, q);
  const slash = authorityAndPath.indexOf('/');
  return {
    scheme,
    host: slash === -1 ? authorityAndPath : authorityAndPath.slice(0, slash),
    query: q === -1 ? '' : beforeFragment.slice(q + 1),
  };
}

const lenientUtf8 = new TextDecoder('utf-8', { fatal: false });
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const HEX = /^[0-9A-Fa-f]{2}$/;

/**
 * Percent-decodes once. When the text has a `%` not followed by two hex digits or decodes to bytes that are
 * not UTF-8: null for `reject`, the text as given for `raw`.
 */
export function percentDecode(input: string, malformed: QueryRules['malformed']): string | null {
  if (!input.includes('%')) return input;
  const bytes: number[] = [];
  for (let i = 0; i < input.length;) {
    if (input.charCodeAt(i) === 0x25) {
      const hex = input.slice(i + 1, i + 3);
      if (HEX.test(hex)) {
        bytes.push(Number.parseInt(hex, 16));
        i += 3;
        continue;
      }
      if (malformed === 'reject') return null;
      if (malformed === 'raw') return input;
      bytes.push(0x25);
      i += 1;
      continue;
    }
    const codePoint = input.codePointAt(i) ?? 0;
    const char = String.fromCodePoint(codePoint);
    for (const b of Buffer.from(char, 'utf8')) bytes.push(b);
    i += char.length;
  }
  const buffer = Uint8Array.from(bytes);
  if (malformed === 'lenient') return lenientUtf8.decode(buffer);
  try {
    return strictUtf8.decode(buffer);
  } catch {
    return malformed === 'raw' ? input : null;
  }
}

/**
 * The query's parameters by name (names are case-sensitive). Null when the platform rejects the URL for a
 * malformed encoding. `decodeTimes` and `defects` exist for seeded defects; a correct client decodes once.
 */
export function parseQuery(
  query: string,
  rules: QueryRules,
  decodeTimes: 1 | 2 = 1,
  defects: ReadonlySet<DefectId> = new Set(),
): Map<string, string> | null {
  const params = new Map<string, string>();
  if (query === '') return params;
  for (const pair of splitPairs(query, rules)) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    if (eq === 0 && defects.has('empty-name-ends-query')) break;
    if (eq === -1 && rules.bareName === 'absent') continue;
    const rawName = eq === -1 ? pair : pair.slice(0, eq);
    const rawValue = eq === -1 ? '' : pair.slice(eq + 1);
    const decodedName = decodeComponent(rawName, rules, 1);
    // A literal reader still gets its URL from the platform's URL class, which refuses a broken escape anywhere.
    const literalName = rules.malformed === 'reject' && decodedName === null ? null : rawName;
    let name = rules.names === 'decoded' ? decodedName : literalName;
    if (defects.has('names-trimmed')) name = decodedName?.trim() ?? null;
    if (name !== null && defects.has('names-ignore-case')) name = name.toLowerCase();
    if (name !== null && rules.nameCase === 'insensitive') name = name.toLowerCase();
    const value = decodeComponent(rawValue, rules, decodeTimes);
    if (name === null || value === null) return null;
    if (rules.repeated === 'first' && params.has(name)) continue;
    params.set(name, value);
  }
  return params;
}

function splitPairs(query: string, rules: Pick<QueryRules, 'semicolon'>): string[] {
  return query.split(rules.semicolon === 'separator' ? /[&;]/ : '&');
}

function decodeComponent(raw: string, rules: QueryRules, times: 1 | 2): string | null {
  const spaced = rules.plus === 'space' ? raw.replaceAll('+', ' ') : raw;
  const once = percentDecode(spaced, rules.malformed);
  // A second decoding pass (defect) tolerates what it finds: the bug is in decoding twice, not in failing.
  return times === 2 && once !== null ? percentDecode(once, 'lenient') : once;
}

/**
 * The URL with every value of a parameter this client reads as `password` (named so in any letter case;
 * escaped, where it decodes names) replaced by `***`, for logs. Works on the raw text so it also hides
 * values the facility would not decode. A client that matches names as written reads `pass%77ord` as an
 * unknown parameter, and logs it as it logs any other.
 */
export function redactUrl(url: string, rules: Pick<QueryRules, 'names' | 'semicolon'>): string {
  const q = url.indexOf('?');
  if (q === -1) return url;
  // No name can read as `password` without those letters or a `%` escape: the usual request has nothing to hide.
  if (!MAYBE_PASSWORD.test(url.slice(q + 1))) return url;
  const separator = rules.semicolon === 'separator' ? /([&;])/ : /(&)/;
  const parts = url
    .slice(q + 1)
    .split(separator)
    .map((pair, i) => {
      if (i % 2 === 1) return pair;
      const eq = pair.indexOf('=');
      if (eq === -1) return pair;
      const name = pair.slice(0, eq);
      return isPasswordName(name, rules.names === 'decoded') ? `${name}=***` : pair;
    });
  return `${url.slice(0, q)}?${parts.join('')}`;
}

const MAYBE_PASSWORD = /password|%/i;

function isPasswordName(rawName: string, decodesNames: boolean): boolean {
  if (rawName.toLowerCase() === 'password') return true;
  if (!decodesNames) return false;
  const decoded = percentDecode(rawName.replaceAll('+', ' '), 'lenient') ?? rawName;
  return decoded.toLowerCase() === 'password';
}
