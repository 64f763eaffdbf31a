/**
 * A server suite's case talks to its target through a session (a request, a test hook, a state read), and
 * judges each answer as it comes. To judge the case again later with no target (src/core/rejudge.ts), the
 * suite records what each call of the session gave back, in order ({@link CallRecorder}), and re-runs the
 * very same judging code on a session that gives the recorded answers back ({@link CallReplay}). Each call
 * is named (`POST /reset`, `agentXml`): a record whose calls do not follow the case as its vector now
 * describes it (an edited record, another vector) stops the replay with {@link ReplayMismatch}.
 */
import type { CaseResult, FailureCategory, Verdict } from './results.ts';
import { restoreSecrets } from './secret-markers.ts';
import type { CaseEnv } from './suite.ts';
import type { BaseTargetInfo } from './types.ts';

/** One call of a session and what it gave back (an exchange, a hook's answer; undefined for none). */
export interface RecordedCall {
  call: string;
  value?: unknown;
}

/** Collects the calls of one case, in order. */
export class CallRecorder {
  readonly calls: RecordedCall[] = [];

  /**
   * Awaits `answer` and records it under `call`, as `keep` makes it ({@link withoutRequestBody}: what judging
   * reads of it). A call that throws is not recorded (the case is broken).
   */
  async record<T>(call: string, answer: Promise<T>, keep: (value: T) => unknown = (v) => v): Promise<T> {
    const value = await answer;
    this.calls.push(value === undefined ? { call } : { call, value: keep(value) });
    return value;
  }
}

/**
 * An exchange as recorded: the request's body left out (the harness sent it, and builds it again from the
 * vector when it judges again; no judge reads it, and it holds credentials), its method and URL kept.
 */
export function withoutRequestBody<E extends { request: { body: string | null } }>(exchange: E): E {
  const body = exchange.request.body;
  return body === null || body === '' ? exchange : { ...exchange, request: { ...exchange.request, body: '' } };
}

/** The recorded calls no longer follow the case: the record was edited, or the vector is another. */
export class ReplayMismatch extends Error {
  override readonly name = 'ReplayMismatch';
}

/** Gives the recorded answers back in order. */
export class CallReplay {
  private next = 0;

  constructor(private readonly calls: readonly RecordedCall[]) {}

  /** The value recorded for the next call, which must be named `call`. */
  answer<T>(call: string): T {
    const recorded = this.calls[this.next];
    if (recorded === undefined) {
      throw new ReplayMismatch(`call ${this.next + 1} (${call}) is not in the record, which has ${this.calls.length}`);
    }
    if (recorded.call !== call) {
      throw new ReplayMismatch(`call ${this.next + 1} is ${call}, the record has ${recorded.call}`);
    }
    this.next++;
    return recorded.value as T;
  }

  /** Every recorded call was given back. */
  done(): boolean {
    return this.next === this.calls.length;
  }

  /** Why the record is not the case's calls exactly (a call left over), or null. */
  leftOver(): string | null {
    return this.done() ? null : `the record has ${this.calls.length - this.next} call(s) more than the case makes`;
  }
}

/** Whether `value` reads as a list of recorded calls (a hand-edited file may hold anything). */
export function isRecordedCalls(value: unknown): value is RecordedCall[] {
  return (
    Array.isArray(value) &&
    value.every(
      (c) => c !== null && typeof c === 'object' && typeof (c as Record<string, unknown>)['call'] === 'string',
    )
  );
}

/** What a case's result is judged again as (src/core/suite.ts `Rejudged`), or why it cannot be. */
type Again = { verdict: Verdict; message: string; category?: FailureCategory; choices: Record<string, string> };

/**
 * A server suite's `rejudge`: `judge` runs the suite's own case code on a session answering from `replay`
 * (the case's recorded calls, each secret of `secrets` put back where its marker stands:
 * src/core/secret-markers.ts), and its judgement is the case's again. A record that does not follow the
 * case gives a broken judgement naming why, which differs from any recorded verdict but a broken one.
 */
export async function judgeAgain(
  recorded: CaseResult,
  secrets: readonly string[],
  judge: (replay: CallReplay) => Promise<Pick<CaseResult, 'verdict' | 'message' | 'category' | 'choices'>>,
): Promise<Again | { skipped: string }> {
  const observations = recorded.observations;
  if (observations === undefined)
    return { skipped: 'recorded without observations (by a harness that did not record them)' };
  const why = observations['unjudgeable'];
  if (typeof why === 'string') return { skipped: why };
  const calls = observations['calls'];
  const unreadable = (problem: string): Again => ({
    verdict: 'broken',
    message: `the recorded observations cannot be judged: ${problem}`,
    choices: {},
  });
  if (!isRecordedCalls(calls)) return unreadable('they are not a list of recorded calls');
  const replay = new CallReplay(restoreSecrets(calls, secrets));
  let judged: Pick<CaseResult, 'verdict' | 'message' | 'category' | 'choices'>;
  try {
    judged = await judge(replay);
  } catch (error) {
    return unreadable(error instanceof Error ? error.message : String(error));
  }
  const left = replay.leftOver();
  if (left !== null) return unreadable(left);
  return {
    verdict: judged.verdict,
    message: judged.message,
    ...(judged.category === undefined ? {} : { category: judged.category }),
    choices: { ...judged.choices },
  };
}

/** A case's environment for re-running its judging code on recorded answers: no target, nothing waits. */
export function replayEnv<S>(
  recorded: Pick<CaseResult, 'target' | 'replay'>,
  session: S,
  info: BaseTargetInfo,
): CaseEnv<S, BaseTargetInfo, null> {
  return {
    session,
    scope: null,
    signal: new AbortController().signal,
    info,
    targetName: recorded.target,
    replay: recorded.replay,
    artifacts: 'on-failure',
    // A case's random values name its fixtures; a suite whose judgement reads them records them.
    random: () => 0,
  };
}
