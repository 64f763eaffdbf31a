/**
 * Recorded observations (`CaseResult.observations`) must be redacted like every other part of a result, yet
 * judged again later exactly as the target gave them (src/core/rejudge.ts). So a secret of the case is not
 * replaced by `«redacted»` there but by a marker naming *which* of the case's known secrets stood there
 * (`«#2»`: the third), never the secret itself; re-judging derives the same list from the case's vector and
 * puts each secret back. The list is the suite's (a case's `secrets`, in a fixed order), so the marker tells
 * nothing to a reader of the report.
 *
 * A marker starts with `«`, as every stand-in does, so the redactor leaves it where it stands as a password
 * value (`password=«#0»`).
 */
import { createHmac, randomBytes } from 'node:crypto';

const MARKER = /«#(\d{1,4})»/g;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Rewrites every string of `value` (a fresh copy): each string mapped by `map`. */
function mapStrings<T>(value: T, map: (text: string) => string): T {
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') return map(node);
    if (Array.isArray(node)) return node.map(walk);
    if (node !== null && typeof node === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(node as Record<string, unknown>)) if (v !== undefined) out[k] = walk(v);
      return out;
    }
    return node;
  };
  return walk(value) as T;
}

/**
 * A copy of `value` with every occurrence of each key of `map` (as written; longest first, since one may
 * contain another) replaced by its value, in every string.
 */
export function substituteStrings<T>(value: T, map: ReadonlyMap<string, string>): T {
  const keys = [...map.keys()].filter((k) => k !== '').sort((a, b) => b.length - a.length);
  if (keys.length === 0) return mapStrings(value, (t) => t);
  const pattern = new RegExp(keys.map(escapeRegExp).join('|'), 'g');
  return mapStrings(value, (text) => text.replace(pattern, (m) => map.get(m) ?? m));
}

/**
 * A copy of `value` with every occurrence of each of `secrets` (as written) replaced by its marker. Other
 * spellings of a secret are left for the redactor.
 */
export function markSecrets<T>(value: T, secrets: readonly string[]): T {
  const markers = new Map<string, string>();
  secrets.forEach((s, i) => {
    if (!markers.has(s)) markers.set(s, `«#${i}»`);
  });
  return substituteStrings(value, markers);
}

/**
 * The inverse of {@link markSecrets}: every marker replaced by the secret it names. A marker naming no
 * secret of the list (another vector's list, an edited file) stays as it is, and the judge sees it so.
 */
export function restoreSecrets<T>(value: T, secrets: readonly string[]): T {
  return mapStrings(value, (text) =>
    text.includes('«#') ? text.replace(MARKER, (m, n: string) => secrets[Number(n)] ?? m) : text,
  );
}

const streamKey = randomBytes(32);

/**
 * `length` bytes derived from `secret` with a key of this process only (as the redactor's tags are:
 * src/core/redact.ts): equal secrets give equal bytes, different ones different bytes, and nothing of the
 * secret can be read from them. What a suite builds a stand-in of a secret's form from, where a marker
 * would not do (the judge reads the secret's form: SurePassID's Key URI secret).
 */
export function keyedBytes(secret: string, length: number): Buffer {
  const parts: Buffer[] = [];
  let block = createHmac('sha256', streamKey).update(secret).digest();
  let total = 0;
  while (total < length) {
    parts.push(block);
    total += block.length;
    block = createHmac('sha256', streamKey).update(block).digest();
  }
  return Buffer.concat(parts).subarray(0, length);
}
