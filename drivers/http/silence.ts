/**
 * What a server driver's session tells the runner's circuit breaker (src/runner/breaker.ts): whether the case
 * it just served ended on a request the server gave *no answer* to. A server suite judges such an exchange
 * itself (a hang is a `server-error` finding, not a throw), so the runner cannot see it in the verdict; the
 * session remembers it for {@link SessionSilence.takeSilence}.
 */
import type { WireOutcome } from './wire.ts';

/**
 * Nothing came back at all: no answer's head before the deadline, or the connection refused, reset or
 * closed before one. An answer cut short, too large or not HTTP is an answer (the server is alive).
 */
export function isSilentOutcome(outcome: WireOutcome): boolean {
  if (outcome.kind === 'timeout') return outcome.status === null;
  if (outcome.kind === 'failed') return !(outcome.code ?? '').startsWith('HPE_');
  return false;
}

/** The last request's fate on one session: answered, or unanswered (and which request, and why). */
export class SilenceTracker {
  #last: string | null = null;

  /** Records one request's outcome: `what` names the request (`POST http://host/AgentXML`). */
  note(what: string, outcome: WireOutcome, why: string): void {
    if (outcome.kind === 'aborted') return;
    this.#last = isSilentOutcome(outcome) ? `${what} gave no answer: ${why}` : null;
  }

  /** The request that went unanswered, if the last one did; cleared by the call. */
  take(): string | null {
    const last = this.#last;
    this.#last = null;
    return last;
  }
}
