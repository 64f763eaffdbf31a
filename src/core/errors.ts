/**
 * One error class with stable codes. A HarnessError is a *user* problem (bad config, bad vector file, bad
 * flag): the CLI prints its message (never a stack trace) and exits 2. Anything else that escapes is a bug.
 */
export type HarnessErrorCode =
  | 'HARNESS_CONFIG_INVALID'
  | 'HARNESS_CONFIG_NOT_FOUND'
  | 'HARNESS_USAGE'
  | 'HARNESS_VECTORS_INVALID'
  | 'HARNESS_EXPECTATIONS_INVALID'
  | 'HARNESS_TARGET_UNKNOWN'
  | 'HARNESS_TARGET_UNREACHABLE'
  | 'HARNESS_CASE_UNKNOWN'
  | 'HARNESS_REPORT_FAILED'
  | 'HARNESS_MERGE_INVALID'
  | 'HARNESS_ICS_INVALID';

/** One problem in one file, located by a JSON pointer (or a config path), with the fix. */
export interface Problem {
  file: string;
  /** JSON pointer (`/vectors/3/when/query`) or config path (`targets[1].url`). */
  path: string;
  message: string;
}

export class HarnessError extends Error {
  readonly code: HarnessErrorCode;
  readonly problems: Problem[];

  constructor(code: HarnessErrorCode, message: string, problems: Problem[] = []) {
    super(message);
    this.name = 'HarnessError';
    this.code = code;
    this.problems = problems;
  }

  /** The text the CLI prints: the code and message, then every problem on its own line. */
  format(): string {
    const lines = [`${this.code}: ${this.message}`];
    for (const p of this.problems) lines.push(`  ${p.file}${p.path ? ` ${p.path}` : ''}: ${p.message}`);
    return lines.join('\n');
  }
}

export function isHarnessError(error: unknown): error is HarnessError {
  return error instanceof HarnessError;
}

/**
 * The candidate a user most likely meant by `value` (a misspelt option, driver or reporter name): a
 * case-insensitive match first, then the closest by edit distance, if within a third of the length.
 */
export function nearest(value: string, candidates: readonly string[]): string | undefined {
  const lower = value.toLowerCase().replace(/:/g, '-');
  const exact = candidates.find((c) => c.toLowerCase() === lower);
  if (exact !== undefined) return exact;
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(value.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(lower, c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

/** `did you mean "defects"? ` when a candidate is near, else nothing; for the start of a fix. */
export function didYouMean(value: string, candidates: readonly string[]): string {
  const near = nearest(value, candidates);
  return near === undefined ? '' : `did you mean "${near}"? `;
}

/**
 * Up to `max` ids a user most likely meant by `value` (a case id typed from memory or from an old doc), best
 * first: ids that extend or shorten it part by part (`om:ex-complete@android-url` ->
 * `om:ex-complete-android@android-url`: the same route, a vector id that starts with the one given), then
 * the closest by edit distance within a third of its length. `@` separates a vector id from its route; case
 * and `:` against `-` do not count (`OM-EX-COMPLETE`, the form of ids before the case-id convention).
 */
export function nearestIds(value: string, candidates: readonly string[], max = 3): string[] {
  const lower = value.toLowerCase();
  const [vector = '', route] = lower.split('@');
  const scored: { id: string; related: boolean; distance: number }[] = [];
  const limit = Math.max(3, Math.floor(value.length / 3));
  for (const id of new Set(candidates)) {
    const theirs = id.toLowerCase().replace(/:/g, '-');
    const [theirVector = '', theirRoute] = theirs.split('@');
    const sameRoute = route === undefined || theirRoute === undefined || route === theirRoute;
    const related =
      sameRoute && vector.length > 0 && (theirVector.startsWith(vector) || vector.startsWith(theirVector));
    const distance = editDistance(lower, theirs);
    if (related || distance <= limit) scored.push({ id, related, distance });
  }
  scored.sort((a, b) => Number(b.related) - Number(a.related) || a.distance - b.distance || a.id.localeCompare(b.id));
  return scored.slice(0, max).map((s) => s.id);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * What a target sent, made safe to print in one line of a message: quoted, every control, format or
 * replacement character (a NUL, an ESC that would drive the terminal, a byte that was not UTF-8, a bidi
 * override) escaped as `\xNN`/`\uNNNN`, and cut after `max` characters with the count of the rest. Given
 * bytes, a byte that is not UTF-8 is shown as itself (`\xff`), not as the replacement character.
 */
export function printable(text: string | Buffer, max = 200): string {
  const tokens = typeof text === 'string' ? [...text].map(escapeChar) : bytesToTokens(text);
  if (tokens.length === 0) return '(empty body)';
  const more = tokens.length > max ? `… (${tokens.length - max} more characters)` : '';
  return `"${tokens.slice(0, max).join('')}"${more}`;
}

/** Control, format and replacement characters, as {@link printable} escapes them. */
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Co}\p{Cn}\uFFFD]/u;
const UNPRINTABLE_ALL = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Co}\p{Cn}\uFFFD]/gu;

/**
 * `text` with every control, format or replacement character escaped as {@link printable} does (`\x1b`,
 * `\u{202e}`), except line feeds and tabs; nothing else changes (no quotes added, backslashes kept). The
 * runner passes every message through it before a reporter sees it: whatever a judge quoted from a target,
 * no raw byte of it can drive a terminal or hide in a report. Text without such characters comes back as is.
 */
export function escapeControls(text: string): string {
  if (!UNPRINTABLE.test(text)) return text;
  return text.replace(UNPRINTABLE_ALL, (c) => (c === '\n' || c === '\t' ? c : escapeChar(c)));
}

/**
 * A value a target sent, as JSON (a string quoted, an object or list in one line), made safe to print as
 * {@link printable} makes text: controls, format characters and the replacement character escaped; cut
 * after `max` characters with the count of the rest.
 */
export function printableJson(value: unknown, max = 200): string {
  let json: string;
  try {
    json = JSON.stringify(value) ?? String(value);
  } catch {
    json = String(value);
  }
  const chars = [...escapeControls(json)];
  return chars.length > max
    ? `${chars.slice(0, max).join('')}… (${chars.length - max} more characters)`
    : chars.join('');
}

function escapeChar(c: string): string {
  if (c === '"') return '\\"';
  if (c === '\\') return '\\\\';
  if (c === '\n') return '\\n';
  if (c === '\r') return '\\r';
  if (c === '\t') return '\\t';
  if (UNPRINTABLE.test(c)) {
    const code = c.codePointAt(0) ?? 0;
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  }
  return c;
}

/** Each character escaped, and each byte that is not part of a valid UTF-8 sequence as `\xNN`. */
function bytesToTokens(bytes: Buffer): string[] {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    return [...decoder.decode(bytes)].map(escapeChar);
  } catch {
    // Only for bodies that are not UTF-8: one sequence at a time.
    const tokens: string[] = [];
    let i = 0;
    while (i < bytes.length) {
      const b = bytes[i] as number;
      const length =
        b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
      if (length > 0 && i + length <= bytes.length) {
        try {
          tokens.push(escapeChar(decoder.decode(bytes.subarray(i, i + length))));
          i += length;
          continue;
        } catch {
          // An invalid sequence: its first byte is shown as is, and decoding goes on after it.
        }
      }
      tokens.push(`\\x${b.toString(16).padStart(2, '0')}`);
      i += 1;
    }
    return tokens;
  }
}

const NO_ANSWER = Symbol.for('provisioning-harness.no-answer');

/**
 * Marks an error that means the target gave no answer at all (nothing before a deadline, a connection
 * refused or reset before any answer), as opposed to an answer outside the protocol. The runner's circuit
 * breaker counts these to tell a dead target from a hostile one; a driver marks the errors it throws.
 */
export function markNoAnswer<E extends Error>(error: E): E {
  Object.defineProperty(error, NO_ANSWER, { value: true });
  return error;
}

/** True for an error marked by {@link markNoAnswer}, or one whose `cause` chain holds such an error. */
export function isNoAnswer(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
    if ((current as unknown as Record<symbol, unknown>)[NO_ANSWER] === true) return true;
    current = current.cause;
  }
  return false;
}
