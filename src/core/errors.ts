/**
 * One error class with stable codes. A HarnessError is a *user* problem (bad config, bad vector file, bad
 * flag): the CLI prints its message (never a stack trace) and exits 2. Anything else that escapes is a bug.
 */
export type HarnessErrorCode =
  | 'HARNESS_CONFIG_INVALID'
  | 'HARNESS_CONFIG_NOT_FOUND'
  | 'HARNESS_USAGE'
  | 'HARNESS_VECTORS_INVALID'
  | 'HARNESS_TARGET_UNKNOWN'
  | 'HARNESS_TARGET_UNREACHABLE'
  | 'HARNESS_CASE_UNKNOWN'
  | 'HARNESS_REPORT_FAILED';

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
