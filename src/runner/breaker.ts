/**
 * The circuit breaker of one target: a target that has stopped answering is stopped within seconds, instead
 * of every remaining case waiting out its whole timeout (hours against a hung adapter). Only cases that got
 * *no answer* count (a timeout, a connection refused or reset before any answer, or a case a server suite
 * judged whose last request went unanswered: the session's `takeSilence`); a target that answers garbage is
 * alive and gets a broken case per case, as before.
 */

/** Cases in a row without an answer after which a target whose health probe still answers is stopped. */
export const SILENT_CASES_LIMIT = 3;
/** The longest a health probe may take, whatever the case timeout. */
export const PROBE_TIMEOUT_MS = 5_000;

export interface BreakerOptions {
  target: string;
  /** The driver's health check; without one, only the count of silent cases in a row stops the target. */
  probe?: ((signal: AbortSignal) => Promise<void>) | undefined;
  probeTimeoutMs: number;
  /** How many silent cases in a row stop a target that still answers its probe. */
  limit?: number;
}

export class CircuitBreaker {
  readonly #options: BreakerOptions;
  readonly #stop = new AbortController();
  #streak = 0;
  /** When a case last got an answer (Date.now()), or -Infinity. */
  #lastAnswer = Number.NEGATIVE_INFINITY;
  #reason: string | null = null;
  #probing: Promise<string | null> | null = null;

  constructor(options: BreakerOptions) {
    this.#options = options;
  }

  /** Aborted once the target is stopped: the cases still in flight on it give up their I/O. */
  get signal(): AbortSignal {
    return this.#stop.signal;
  }

  /** Why the target was stopped, or null while it runs. */
  get stopped(): string | null {
    return this.#reason;
  }

  /** A case got an answer (whatever its verdict): the target is alive. */
  answered(): void {
    this.#streak = 0;
    this.#lastAnswer = Date.now();
  }

  /**
   * A case got no answer (`reason` says which request and why). Probes the target (once at a time however
   * many cases went silent together) and stops it when the probe fails too, or when this is the
   * {@link SILENT_CASES_LIMIT}th silent case in a row. Resolves once decided.
   *
   * `startedAt` (Date.now() when the silent case began): a case that went silent while other cases of the
   * target were being answered does not count toward the row (the target was alive meanwhile; a busy
   * machine running many cases at once stretches every case's wall time), but its probe still stops a
   * target that has since gone.
   */
  async silent(reason: string, startedAt: number = Number.POSITIVE_INFINITY): Promise<void> {
    if (this.#reason !== null) return;
    // Answered meanwhile: not part of a silent row, but the probe still tells whether the target is gone now.
    const counts = this.#lastAnswer <= startedAt;
    if (counts) this.#streak++;
    const streak = this.#streak;
    const limit = this.#options.limit ?? SILENT_CASES_LIMIT;
    const probeFailure = await this.#probe();
    if (this.#reason !== null) return;
    if (probeFailure !== null) {
      this.#trip(`${this.#options.target} stopped answering: ${reason}; its health probe failed too: ${probeFailure}`);
    } else if (counts && streak >= limit) {
      this.#trip(
        `${this.#options.target} stopped answering: ${streak} cases in a row got no answer (the last: ${reason}), ` +
          'though it still answers its health probe',
      );
    }
  }

  #probe(): Promise<string | null> {
    const probe = this.#options.probe;
    if (probe === undefined) return Promise.resolve(null);
    this.#probing ??= (async () => {
      const deadline = AbortSignal.timeout(this.#options.probeTimeoutMs);
      try {
        await probe(AbortSignal.any([deadline, this.#stop.signal]));
        return null;
      } catch (error) {
        const text = error instanceof Error ? error.message : String(error);
        return deadline.aborted ? `${text} (no answer within ${this.#options.probeTimeoutMs} ms)` : text;
      } finally {
        this.#probing = null;
      }
    })();
    return this.#probing;
  }

  #trip(reason: string): void {
    this.#reason = reason;
    this.#stop.abort(new TargetStopped(reason));
  }
}

/** The reason a case in flight was abandoned: its target was stopped (or the run interrupted). */
export class TargetStopped extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'TargetStopped';
  }
}
