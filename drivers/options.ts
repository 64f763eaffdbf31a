/** Checks every driver's option validation shares (a problem names the field and what it got). */
import { didYouMean, HarnessError } from '../src/core/errors.ts';

/** An absolute http(s) URL with a host. */
export function isHttpUrl(value: string): boolean {
  try {
    const parsed = new URL(value);
    return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.hostname !== '';
  } catch {
    return false;
  }
}

/** What a bad option value was, for "got ..." in a message: a string quoted, an object or array named. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
}

/** One problem with a target's driver options; `path` is relative to `options` (`defects[2]`, `url`). */
export interface OptionProblem {
  path: string;
  message: string;
}

/**
 * A driver's option check: every problem at once, without starting anything. The config resolver runs it for
 * every configured target before any driver starts, so all problems of a config show in one run; the
 * driver's factory runs it again (programmatic use) and throws with {@link driverOptionsError}.
 */
export type DriverOptionsCheck = (options: Record<string, unknown>) => OptionProblem[];

/**
 * A problem for each key of `options` that is not in `known`, with the nearest known name. A typo such as
 * `defect` for `defects` must stop the run: ignored, it would give a green run without the defect.
 */
export function unknownOptions(options: object, known: readonly string[], prefix = ''): OptionProblem[] {
  return Object.keys(options)
    .filter((key) => !known.includes(key))
    .map((key) => ({
      path: `${prefix}${key}`,
      message: `unknown option ${JSON.stringify(key)}: ${didYouMean(key, known)}the options here are ${known.join(', ')}`,
    }));
}

/** The error a driver's factory throws for its option problems (the resolver reports them with the file). */
export function driverOptionsError(driver: string, problems: readonly OptionProblem[]): HarnessError {
  return new HarnessError(
    'HARNESS_CONFIG_INVALID',
    `${driver} driver options: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`,
    problems.map((p) => ({ file: `${driver} driver options`, path: p.path, message: p.message })),
  );
}
