import { createHmac, randomBytes } from 'node:crypto';
import { isPasswordName, PAIR_START, redactableEverywhere, spellingsPattern, VALUE_END } from './secrets.ts';

/**
 * Secrets are replaced before anything is written. Allure's own "masked" parameter mode still writes the
 * value in clear into the result file, so the harness never hands a secret to a reporter at all.
 */
export const REDACTED = '«redacted»';

/**
 * A redacted stand-in that still lets a reader see whether two secrets differ: length plus a short tag from
 * a per-process random key (so the tag cannot be looked up across runs).
 */
const tagKey = randomBytes(32);
const masks = new Map<string, string>();
export function maskSecret(secret: string): string {
  let mask = masks.get(secret);
  if (mask === undefined) {
    const tag = createHmac('sha256', tagKey).update(secret).digest('hex').slice(0, 4);
    mask = `«redacted ${[...secret].length} chars #${tag}»`;
    // Bounded: a long fuzz run sees many passwords; the cache only saves recomputing recent ones.
    if (masks.size > 10_000) masks.clear();
    masks.set(secret, mask);
  }
  return mask;
}

/**
 * Secrets shorter than this (in characters) are not replaced everywhere in a report: they would match
 * ordinary words. They are replaced wherever they stand as a password value, and masked in a client's logs.
 */
export const MIN_SECRET_LENGTH = 4;

/** The characters a short secret is masked with in free text, the first that is in no short secret. */
const MASKS = ['•', '*', '#', '~', '_', '?', 'X', '0'];

/** What {@link Redactor.freeText} did. */
export interface FreeText {
  text: string;
  /** Secrets too short to search for safely occurred and were masked, each occurrence by `mask`. */
  masked: boolean;
  mask: string;
}

/**
 * Replaces every known secret, in every spelling (plain, percent-encoded in any hex case, `+`/space, HTML
 * and JSON escapes, obfuscated hex in any case: secrets.ts), and the value of every parameter named like
 * `password` in any URL (in any spelling of the name), whether the secret is known or not.
 */
export class Redactor {
  /** Longest first: a secret may contain another. */
  private secrets: string[] = [];
  private compiled: { everywhere: string[]; pair: RegExp; short: RegExp | null } | null = null;

  add(secret: string | null | undefined): void {
    if (!secret || this.secrets.includes(secret)) return;
    this.secrets = [...this.secrets, secret].sort((a, b) => b.length - a.length);
    this.compiled = null;
  }

  /** The secrets added so far, longest first. */
  known(): readonly string[] {
    return this.secrets;
  }

  private patterns() {
    if (this.compiled !== null) return this.compiled;
    const long = this.secrets.filter(redactableEverywhere);
    const short = this.secrets.filter((s) => !redactableEverywhere(s)).map(spellingsPattern);
    this.compiled = {
      everywhere: long,
      // A known secret first (it may hold a quote or a space, which end an unknown value), then the rest of
      // the value. Only the short secrets: every spelling of a long one is already replaced when this runs.
      pair: new RegExp(`${PAIR_START}((?:${short.length > 0 ? `${short.join('|')}|` : ''})${VALUE_END})`, 'g'),
      short: short.length > 0 ? new RegExp(short.join('|'), 'g') : null,
    };
    return this.compiled;
  }

  /** Replaces every known secret in `text`, and every password value. */
  text(text: string): string {
    const { everywhere, pair } = this.patterns();
    let out = text;
    // Longest first, and never inside what an earlier secret was replaced with. Every spelling of a secret
    // is at least as long as the secret (in UTF-16 units): a shorter text cannot hold it, and its pattern
    // (large for a long secret: compiling it costs up to a second) is not even compiled.
    for (const secret of everywhere) {
      if (out.length >= secret.length) out = replaceOutsideRedacted(out, everywherePattern(secret));
    }
    if (out.includes('=')) out = redactPairs(out, pair);
    if (out.includes('"') && /pass/i.test(out)) out = redactJsonFields(out);
    return out;
  }

  /**
   * Free text (a client's logs): {@link text}, then every occurrence of a secret too short to search for
   * safely masked, one `mask` character for each (a character no short secret holds, so masking cannot
   * make a secret again). A log with a one-letter password loses that letter everywhere: unreadable in
   * places, never revealing.
   */
  freeText(text: string): FreeText {
    const { short } = this.patterns();
    const redacted = this.text(text);
    const shortSecrets = this.secrets.filter((s) => !redactableEverywhere(s));
    const mask = MASKS.find((m) => !shortSecrets.some((s) => s.includes(m))) ?? '•';
    if (short === null) return { text: redacted, masked: false, mask };
    let masked = false;
    const out = redacted
      .split(REDACTED)
      .map((piece) =>
        piece.replace(short, () => {
          masked = true;
          return mask;
        }),
      )
      .join(REDACTED);
    return { text: out, masked, mask };
  }

  /**
   * Every string of a JSON-like value redacted, in place: the value is the caller's own, freshly built
   * result, and not copying it keeps a long run's garbage down.
   */
  value<T>(value: T): T {
    const walk = (node: unknown): unknown => {
      if (typeof node === 'string') return this.text(node);
      // Only a string that held a secret is written back: shared or frozen parts (a model constant, a
      // vector's requirement list) hold none and are never touched.
      if (Array.isArray(node)) {
        for (let i = 0; i < node.length; i++) {
          const next = walk(node[i]);
          if (next !== node[i]) node[i] = next;
        }
      } else if (node !== null && typeof node === 'object') {
        const record = node as Record<string, unknown>;
        for (const k of Object.keys(record)) {
          const next = walk(record[k]);
          if (next !== record[k]) record[k] = next;
        }
      }
      return node;
    };
    return walk(value) as T;
  }
}

/**
 * Each secret's pattern (every spelling of it), compiled once per process: a case's redactor used to compile
 * one pattern for its whole set of secrets, and a set holding an obfuscation key (a 3 KB pattern) cost up to
 * 130 ms to compile on its first use, once per distinct set (most of loading the Open Mobile plan).
 */
const everywherePatterns = new Map<string, RegExp>();

function everywherePattern(secret: string): RegExp {
  let pattern = everywherePatterns.get(secret);
  if (pattern === undefined) {
    pattern = new RegExp(spellingsPattern(secret), 'g');
    // Bounded: a long fuzz run sees many passwords; the cache only saves compiling recent ones again.
    if (everywherePatterns.size > 10_000) everywherePatterns.clear();
    everywherePatterns.set(secret, pattern);
  }
  return pattern;
}

/** `text` with every match of `pattern` replaced by {@link REDACTED}, except inside a `REDACTED` already there. */
function replaceOutsideRedacted(text: string, pattern: RegExp): string {
  if (!text.includes(REDACTED)) return text.replace(pattern, REDACTED);
  return text
    .split(REDACTED)
    .map((piece) => piece.replace(pattern, REDACTED))
    .join(REDACTED);
}

function redactPairs(text: string, pair: RegExp): string {
  return text.replace(pair, (match: string, lead: string, name: string, value: string) =>
    alreadyMasked(value) || !isPasswordName(name) ? match : `${lead}${name}=${REDACTED}`,
  );
}

/** Empty, or a stand-in already: `«redacted…»`, `***` (what `harness explain` and a client's log show). */
function alreadyMasked(value: string): boolean {
  return value === '' || value.startsWith('«') || /^\*+$/.test(value);
}

/** `"password": "…"` (a name read as in {@link isPasswordName}) in JSON text, at any depth of escaping. */
const JSON_FIELD = /("((?:[^"\\]|\\.){1,80})"\s*:\s*")((?:[^"\\]|\\.)*)"/g;
const ESCAPED_JSON_FIELD = /(\\"((?:[^"\\]|\\[^"]){1,80})\\"\s*:\s*\\")((?:[^"\\]|\\[^"])*)\\"/g;

function redactJsonFields(text: string): string {
  const field = (match: string, head: string, name: string, value: string, tail: string) =>
    alreadyMasked(value) || !isPasswordName(name) ? match : `${head}${REDACTED}${tail}`;
  return text
    .replace(JSON_FIELD, (m: string, head: string, name: string, value: string) => field(m, head, name, value, '"'))
    .replace(ESCAPED_JSON_FIELD, (m: string, head: string, name: string, value: string) =>
      field(m, head, name, value, '\\"'),
    );
}

/** In a URL, a value runs to the next `&` or the fragment, spaces and quotes included. */
const ANY_PAIR = new RegExp(`${PAIR_START}([^&#]*)`, 'g');

/**
 * Replaces the value of every parameter named like `password` in a URL (any letter case, `&amp;password`,
 * percent-encoded names: secrets.ts), keeping everything else readable.
 */
export function redactUrlPassword(url: string, replacement: string = REDACTED): string {
  if (!url.includes('=')) return url;
  return url.replace(ANY_PAIR, (match: string, lead: string, name: string, value: string) =>
    value === '' || !isPasswordName(name) ? match : `${lead}${name}=${replacement}`,
  );
}
