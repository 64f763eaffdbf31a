/**
 * Expected vs observed for a reader: the fields that differ first (a small diff), then the full objects.
 * Values are JSON-like (what a suite puts in a result's `expected` and `observed`).
 */
import { inline } from './text.ts';

export interface Difference {
  /** `status`, `state.username`, `profiles[0].pin`; empty for the values themselves. */
  path: string;
  expected: unknown;
  observed: unknown;
}

/** Sentinel for a field one side does not have. */
const ABSENT = Symbol('absent');

function leaves(value: unknown, prefix: string, out: Map<string, unknown>): Map<string, unknown> {
  if (Array.isArray(value) && value.length > 0) {
    value.forEach((item, i) => leaves(item, `${prefix}[${i}]`, out));
  } else if (value !== null && typeof value === 'object' && Object.keys(value).length > 0) {
    for (const [key, item] of Object.entries(value)) leaves(item, prefix === '' ? key : `${prefix}.${key}`, out);
  } else out.set(prefix, value);
  return out;
}

/**
 * The fields the expectation states that the observation does not match. A field of `expected` is looked up
 * in `observed` at the same path, else at the one path that ends the same way (`handled` in
 * `provision.handled`), since a suite may wrap its observation. When `expected` is a list of alternatives
 * (any one permitted), the differences from the nearest one. Fields only the observation has are not
 * differences: the expectation does not constrain them.
 */
export function differences(expected: unknown, observed: unknown): Difference[] {
  if (Array.isArray(expected) && expected.length > 1 && expected.every((e) => e !== null && typeof e === 'object')) {
    const each = expected.map((alternative) => differences(alternative, observed));
    return each.reduce((best, d) => (d.length < best.length ? d : best));
  }
  const want = leaves(expected, '', new Map());
  const seen = leaves(observed, '', new Map());
  const out: Difference[] = [];
  for (const [path, value] of want) {
    let got: unknown = seen.has(path) ? seen.get(path) : ABSENT;
    if (got === ABSENT && path !== '') {
      const ends = [...seen.keys()].filter((p) => p.endsWith(`.${path}`));
      if (ends.length === 1) got = seen.get(ends[0] as string);
    }
    if (got === ABSENT || !same(value, got))
      out.push({ path, expected: value, observed: got === ABSENT ? undefined : got });
  }
  return out;
}

function same(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

/** A value on one line, cut to `max` characters. */
export function short(value: unknown, max = 80): string {
  const text = value === undefined ? '(absent)' : typeof value === 'string' ? JSON.stringify(value) : inline(value);
  return oneLine(text, max);
}

/** The first line of `text`, cut to `max` characters with an ellipsis: a summary that fits a screen. */
export function oneLine(text: string, max = 200): string {
  const lines = text.split('\n');
  const first = lines[0] ?? '';
  if (first.length > max) return `${first.slice(0, max - 1)}…`;
  return lines.length > 1 ? `${first} …` : first;
}

/**
 * The text form: up to `limit` differing fields, one a line (`status: expected 404, observed 200`), then both
 * objects in full, pretty-printed. Empty when there is nothing to compare.
 */
export function expectedVsObserved(expected: unknown, observed: unknown, limit = 10): string {
  if (expected === undefined && observed === undefined) return '';
  const diff = differences(expected, observed);
  const lines: string[] = [];
  if (diff.length > 0) {
    lines.push(`differences (${diff.length}):`);
    for (const d of diff.slice(0, limit))
      lines.push(
        `  ${d.path === '' ? '(value)' : d.path}: expected ${short(d.expected)}, observed ${short(d.observed)}`,
      );
    if (diff.length > limit) lines.push(`  … and ${diff.length - limit} more`);
    lines.push('');
  }
  lines.push('expected:', pretty(expected), '', 'observed:', pretty(observed));
  return lines.join('\n');
}

export function pretty(value: unknown): string {
  if (value === undefined) return '(none)';
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}
