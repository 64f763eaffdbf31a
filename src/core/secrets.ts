/**
 * Finding a secret in text whatever its spelling. A password reaches a report through many layers: as typed
 * in a link, percent-encoded (upper- or lower-case hex), with `+` for a space or a space for `+`, HTML- or
 * XML-escaped (a page source, junit.xml), JSON-escaped (an attachment body), or, obfuscated, as AES hex in
 * either case. {@link spellingsPattern} matches a secret with each of its characters in any of those
 * spellings, mixed freely, so one pattern per secret finds every form a report could hold.
 *
 * A secret too short to search for in free text (it would match ordinary words) is still found wherever it
 * stands as the value of a parameter named like `password` ({@link PASSWORD_PAIR}).
 */

/** A regular expression source for `char` itself (escaped). */
function literal(char: string): string {
  return char.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}

/** `[aA]` for a letter, the digit itself otherwise: hex in any case. */
function hexAnyCase(hex: string): string {
  return [...hex].map((c) => (/[a-f]/i.test(c) ? `[${c.toLowerCase()}${c.toUpperCase()}]` : c)).join('');
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

const NAMED_ENTITIES: Record<string, string[]> = {
  '&': ['amp'],
  '<': ['lt'],
  '>': ['gt'],
  '"': ['quot'],
  "'": ['apos'],
  '\u00a0': ['nbsp'],
};

const JSON_SHORT: Record<string, string> = {
  '"': '\\\\"',
  '\\': '\\\\\\\\',
  '/': '\\\\/',
  '\n': '\\\\n',
  '\r': '\\\\r',
  '\t': '\\\\t',
  '\b': '\\\\b',
  '\f': '\\\\f',
};

const charAlternativeSets = new Map<string, string[]>();

/**
 * Every spelling of one character (a code point), each a regular expression source. Each matches at most one
 * way where it matches at all (fixed text, or a run that a following fixed character ends): {@link spelledIn}
 * relies on it.
 */
function charAlternatives(char: string, hexCase: boolean): string[] {
  const cacheKey = `${hexCase ? 'h' : 'p'}${char}`;
  const cached = charAlternativeSets.get(cacheKey);
  if (cached !== undefined) return cached;
  const alternatives = new Set<string>();
  alternatives.add(hexCase && /[0-9a-f]/i.test(char) ? hexAnyCase(char) : literal(char));
  // Percent-encoded UTF-8, any hex case; a space is also `+` (and a `+` may have been read as a space).
  alternatives.add([...Buffer.from(char, 'utf8')].map((b) => `%${hexAnyCase(hex2(b))}`).join(''));
  if (char === ' ' || char === '+') {
    alternatives.add('\\+');
    alternatives.add(' ');
    alternatives.add('%(?:20|2[bB])');
  }
  // HTML and XML: named, decimal and hex character references.
  const code = char.codePointAt(0) ?? 0;
  for (const name of NAMED_ENTITIES[char] ?? []) alternatives.add(`&${name};`);
  alternatives.add(`&#0*${code};`);
  alternatives.add(`&#[xX]0*${hexAnyCase(code.toString(16))};`);
  // JSON: the short escapes, and \uXXXX (a surrogate pair beyond the BMP), any hex case; escaped once (a body
  // quoted in a message) or twice (JSON quoted in a JSON string, as an adapter may send a log).
  const short = JSON_SHORT[char];
  if (short !== undefined) alternatives.add(short);
  const once = JSON.stringify(char).slice(1, -1);
  if (once !== char) {
    alternatives.add(literal(once));
    alternatives.add(literal(JSON.stringify(once).slice(1, -1)));
  }
  const units = [...Array(char.length).keys()].map((i) => char.charCodeAt(i));
  alternatives.add(units.map((u) => `(?:\\\\){1,2}[uU]${hexAnyCase(u.toString(16).padStart(4, '0'))}`).join(''));
  const list = [...alternatives];
  if (charAlternativeSets.size > 5_000) charAlternativeSets.clear();
  charAlternativeSets.set(cacheKey, list);
  return list;
}

const charPatterns = new Map<string, string>();

/** Every spelling of one character (a code point) as one regular expression source. */
function charPattern(char: string, hexCase: boolean): string {
  const cacheKey = `${hexCase ? 'h' : 'p'}${char}`;
  let pattern = charPatterns.get(cacheKey);
  if (pattern === undefined) {
    pattern = `(?:${charAlternatives(char, hexCase).join('|')})`;
    if (charPatterns.size > 5_000) charPatterns.clear();
    charPatterns.set(cacheKey, pattern);
  }
  return pattern;
}

/** Made only of hex digits (and long enough to be a key or an AES block): matched in any letter case. */
export function isHexSecret(secret: string): boolean {
  return secret.length >= 16 && /^[0-9a-fA-F]+$/.test(secret);
}

/** A regular expression source matching `secret` with each character in any of its spellings. */
export function spellingsPattern(secret: string): string {
  const hexCase = isHexSecret(secret);
  return [...secret].map((c) => charPattern(c, hexCase)).join('');
}

const charMatchers = new Map<string, { first: RegExp; each: RegExp[] }>();

/** A character's spellings compiled: one pattern to find where any starts, and each alone (sticky). */
function charMatcher(char: string, hexCase: boolean) {
  const cacheKey = `${hexCase ? 'h' : 'p'}${char}`;
  let matcher = charMatchers.get(cacheKey);
  if (matcher === undefined) {
    const alternatives = charAlternatives(char, hexCase);
    matcher = {
      first: new RegExp(`(?:${alternatives.join('|')})`, 'g'),
      each: alternatives.map((a) => new RegExp(a, 'y')),
    };
    if (charMatchers.size > 5_000) charMatchers.clear();
    charMatchers.set(cacheKey, matcher);
  }
  return matcher;
}

/**
 * Does `text` hold `secret` in any of its spellings? The same answer as testing {@link spellingsPattern}, found
 * without compiling that pattern (for a long secret it takes milliseconds, up to a second for the
 * percent-encoded form of a long password, and a fuzzer sees a new password in every case): the ends each
 * character's spellings can reach are followed from every place the first character's can start, as the
 * pattern's backtracking would try them.
 */
export function spelledIn(text: string, secret: string): boolean {
  const chars = [...secret];
  if (chars.length === 0) return true;
  if (text.length < secret.length) return false;
  const hexCase = isHexSecret(secret);
  let active = new Set<number>();
  const first = charMatcher(chars[0]!, hexCase).first;
  first.lastIndex = 0;
  for (let m = first.exec(text); m !== null; m = first.exec(text)) {
    active.add(m.index);
    first.lastIndex = m.index + 1;
  }
  for (const char of chars) {
    if (active.size === 0) return false;
    const { each } = charMatcher(char, hexCase);
    const next = new Set<number>();
    for (const at of active) {
      for (const spelling of each) {
        spelling.lastIndex = at;
        if (spelling.test(text)) next.add(spelling.lastIndex);
      }
    }
    active = next;
  }
  return active.size > 0;
}

/**
 * The secret cut into pieces of `chars` characters, each as the pattern of its every spelling as
 * {@link spellingsPattern} spells it: a text holding a match of the whole holds a match of every piece. A
 * cheap test first: a few characters' pattern compiles in microseconds; a long secret's whole pattern takes
 * milliseconds, up to a second for the percent-encoded form of a long password.
 */
export function spellingsPiecePatterns(secret: string, chars: number): string[] {
  const hexCase = isHexSecret(secret);
  const spelled = [...secret].map((c) => charPattern(c, hexCase));
  const pieces: string[] = [];
  for (let i = 0; i < spelled.length; i += chars) pieces.push(spelled.slice(i, i + chars).join(''));
  return pieces;
}

/**
 * The forms of a secret as concrete strings (for a byte scan of written files): plain, percent-encoded in
 * both hex cases and as a form (`+`), HTML-escaped, JSON-escaped (once and twice), hex in both cases.
 */
export function concreteSpellings(secret: string): string[] {
  const out = new Set<string>([secret]);
  const pct = encodeURIComponent(secret).replace(/[!'()*]/g, (c) => `%${hex2(c.charCodeAt(0)).toUpperCase()}`);
  out.add(pct);
  out.add(pct.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()));
  out.add(pct.replace(/%20/g, '+'));
  out.add(secret.replace(/ /g, '+'));
  out.add(secret.replace(/\+/g, ' '));
  const html = secret
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
  out.add(html);
  out.add(html.replace(/&#39;/g, '&apos;'));
  const json = JSON.stringify(secret).slice(1, -1);
  out.add(json);
  out.add(JSON.stringify(json).slice(1, -1));
  out.add(JSON.stringify(pct).slice(1, -1));
  if (isHexSecret(secret)) {
    out.add(secret.toLowerCase());
    out.add(secret.toUpperCase());
  }
  return [...out].filter((s) => s !== '');
}

/**
 * Long and varied enough to search for anywhere in a report: replacing it wherever it occurs cannot make a
 * report unreadable. Shorter secrets are hidden only where they stand as a password value.
 */
export function redactableEverywhere(secret: string): boolean {
  return [...secret].length >= MIN_SEARCHABLE;
}
export const MIN_SEARCHABLE = 4;

/**
 * Distinctive enough that finding it in a client's free-text log proves the client logged it: at least
 * eight characters, at least four of them different, and more than letters and spaces (a word such as
 * "provisioning" is ordinary log text). A secret that is not distinctive, found in a log, cannot be told
 * from ordinary text: the leak check is then *not checkable* for it (never a pass, never a fail).
 */
export function distinctive(secret: string): boolean {
  const chars = [...secret];
  return chars.length >= 8 && new Set(chars).size >= 4 && !/^[\p{L}\p{M}\s]+$/u.test(secret);
}

const ENTITY_PREFIX = /^(?:&?(?:amp|#0*38|#x0*26);)+/i;

/**
 * Does a parameter name read as `password`? After HTML entities (`&amp;password`, split at the `&`, leaves
 * `amp;password`), percent-decoding, `+` as a space, in any letter case, ignoring what is not a letter:
 * whatever a target might accept as the parameter, and what a reader would take for it.
 */
export function isPasswordName(rawName: string): boolean {
  let name = rawName.replace(ENTITY_PREFIX, '').replace(/\+/g, ' ');
  try {
    name = decodeURIComponent(name);
  } catch {
    name = name.replace(/%([0-9a-f]{2})/gi, (_m, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
  }
  name = name.replace(/&#x0*([0-9a-f]+);/gi, (_m, h: string) =>
    String.fromCodePoint(Number.parseInt(h, 16) % 0x110000),
  );
  name = name.replace(/&#0*([0-9]+);/g, (_m, d: string) => String.fromCodePoint(Number(d) % 0x110000));
  return name
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^a-z]/g, '')
    .includes('password');
}

/** A `name=value` pair of a URL query (after `?`, `&` or the `;` of `&amp;`): name, then value to `&`, `#`, a space or a quote. */
export const PAIR_START = '(^|[?&;])([^=&?#\\s"\'<>;]{1,80})=';
export const VALUE_END = '[^&#\\s"\'<>\\\\]*';

/**
 * The values of every parameter named like `password` in one link, raw and decoded (with `+` kept and read
 * as a space). A value runs to the next `&` or `#`, spaces included, as a link's parser reads it: give it one
 * link, not a text holding several.
 */
export function passwordValues(text: string): string[] {
  const out = new Set<string>();
  const pairs = new RegExp(`${PAIR_START}([^&#]*)`, 'g');
  for (const m of text.matchAll(pairs)) {
    const name = m[2] ?? '';
    const raw = m[3] ?? '';
    if (raw === '' || !isPasswordName(name)) continue;
    out.add(raw);
    for (const plus of [raw, raw.replace(/\+/g, ' ')]) {
      try {
        out.add(decodeURIComponent(plus));
      } catch {
        // A malformed escape: the raw form is what there is.
      }
    }
  }
  return [...out].filter((v) => v !== '');
}
