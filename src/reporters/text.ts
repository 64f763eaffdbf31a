/**
 * Small helpers every reporter shares: redaction of structured values, number formatting and a file
 * write that never leaves a half-written report behind.
 */
import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export type Redact = (text: string) => string;

export const identity: Redact = (text) => text;

/**
 * A copy of a JSON-like value with `redact` applied to every string (values and keys). Redaction must run
 * on the raw strings, before any encoding: once a password containing `"` or `<` is JSON- or XML-escaped,
 * a redactor looking for the raw secret would no longer find it.
 */
export function redactValue<T>(value: T, redact: Redact): T {
  if (redact === identity) return value;
  return redactAny(value, redact) as T;
}

function redactAny(value: unknown, redact: Redact): unknown {
  if (typeof value === 'string') return redact(value);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item: unknown) => redactAny(item, redact));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[redact(key)] = redactAny(item, redact);
  return out;
}

// Every reporter redacts each case on its own (defence in depth), but they normally share one redact
// function: the copy is made once per case and function, not once per reporter.
const redactedCases = new WeakMap<Redact, WeakMap<object, unknown>>();

/** {@link redactValue} for a value several reporters redact with the same function (a CaseResult). */
export function redactShared<T extends object>(value: T, redact: Redact): T {
  if (redact === identity) return value;
  let cache = redactedCases.get(redact);
  if (!cache) {
    cache = new WeakMap();
    redactedCases.set(redact, cache);
  }
  const cached = cache.get(value);
  if (cached !== undefined) return cached as T;
  const copy = redactAny(value, redact) as T;
  cache.set(value, copy);
  return copy;
}

/** `2210` -> `2,210`, whatever the machine's locale (reports are compared across machines). */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function casesPerSecond(cases: number, ms: number): number {
  return ms > 0 ? (cases * 1000) / ms : 0;
}

/** Writes through a temporary file and a rename, so a reader never sees a half-written report. */
export function writeFileAtomic(path: string, content: string | Buffer): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, content);
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/** An append-only file written with synchronous writes: a killed process loses nothing already written. */
export class AppendFile {
  private fd: number | null;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, 'w');
  }

  write(text: string): void {
    if (this.fd === null) throw new Error(`${this.path} is already closed`);
    writeSync(this.fd, text);
  }

  close(): void {
    if (this.fd === null) return;
    closeSync(this.fd);
    this.fd = null;
  }
}

/** A one-line form of an unknown expected/observed value for human-facing text. */
export function inline(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
