/**
 * How a case's verdict is decided when its parts disagree (several requests, a mismatch and a leak, a SHOULD
 * broken and a choice shown): the worst part decides, in one order for every suite.
 *
 *   broken > fail > non-strict > informational > pass > not-applicable
 *
 * - broken over fail: when the target misbehaved, no verdict on it is trustworthy.
 * - fail over non-strict: a MUST broken anywhere fails the case, whatever else a step did.
 * - non-strict over informational: a SHOULD the target broke is a deviation a reader must see; a choice it
 *   made among the permitted ones is not.
 * - informational over pass: the outcome depended on an implementation-defined choice, recorded.
 * - not-applicable last: a part that did not apply tells nothing against the others.
 *
 * Of several parts equally bad, the first decides (its message, category and requirements): the earliest
 * step, as a reader follows the case.
 */
import type { Verdict } from './results.ts';

/** Worst first. */
export const VERDICT_ORDER: readonly Verdict[] = [
  'broken',
  'fail',
  'non-strict',
  'informational',
  'pass',
  'not-applicable',
];

const RANK = new Map(VERDICT_ORDER.map((v, i) => [v, VERDICT_ORDER.length - i]));

/** How bad a verdict is: higher is worse. */
export function severityOf(verdict: Verdict): number {
  return RANK.get(verdict) ?? 0;
}

/** The worst of the verdicts; `none` when there is none. */
export function worstVerdict(verdicts: Iterable<Verdict>, none: Verdict = 'pass'): Verdict {
  let worst: Verdict | null = null;
  for (const v of verdicts) if (worst === null || severityOf(v) > severityOf(worst)) worst = v;
  return worst ?? none;
}

/** The part that decides: the first of the worst; undefined when there are no parts. */
export function decidingPart<P extends { verdict: Verdict }>(parts: readonly P[]): P | undefined {
  let deciding: P | undefined;
  for (const p of parts)
    if (deciding === undefined || severityOf(p.verdict) > severityOf(deciding.verdict)) deciding = p;
  return deciding;
}
