import type { RunSummary } from '../core/reporter.ts';
import type { Verdict } from '../core/results.ts';
import { formatCount } from './text.ts';

/** How a verdict is named in a table or a line (the console's and the job summary's columns). */
export const VERDICT_LABEL: Record<Verdict, string> = {
  pass: 'pass',
  fail: 'fail',
  'non-strict': 'non-strict',
  informational: 'informational',
  'not-applicable': 'n/a',
  broken: 'broken',
};

/**
 * The run in one line, the console's last and the job summary's heading. `tone`: green when nothing the
 * fail-on policy names counted anything (and nothing was left not run), "conformant" only when, besides, no
 * case failed or broke at all; yellow when the policy left failures out; red otherwise. `note`: the flaky
 * cases beside a green or yellow line (said, never hidden by it); a red line counts them in `text`.
 */
export function verdictLine(
  summary: RunSummary,
  notRun: number,
  options: {
    /** ` (shard 1/4 only: ...)`, or empty. */
    part: string;
    /** Cases that passed only on a retry. */
    flaky: number;
    /** Name the expectations file beside the known deviations (the console) or not (the job summary). */
    expectationsFile: boolean;
    /** Name the missing parts of a merge (the job summary) or only count them (the console). */
    missingNames: boolean;
  },
): { tone: 'green' | 'yellow' | 'red'; text: string; note: string } {
  const { part, flaky } = options;
  const gate = summary.gate;
  const fail = gate?.counts.fail ?? summary.counts.fail;
  const broken = gate?.counts.broken ?? summary.counts.broken;
  const failing = gate?.failing ?? (['fail', 'broken'] as const).filter((s) => summary.counts[s] > 0);
  const expected = gate === undefined ? 0 : gate.counts.expected + gate.counts.changed;
  const missing = summary.merge?.missing ?? [];
  if (failing.length === 0 && notRun === 0 && !summary.interrupted && missing.length === 0) {
    const note = flaky > 0 ? ` (${formatCount(flaky)} flaky: passed on a retry)` : '';
    if (fail + broken + expected === 0)
      return { tone: 'green', text: `conformant: no failed and no broken cases${part}`, note };
    const file = options.expectationsFile ? ` (${gate?.expectationsFile ?? ''})` : '';
    const known = expected > 0 ? `${formatCount(expected)} known deviation(s) expected${file}` : '';
    if (fail + broken === 0) return { tone: 'green', text: `passed: no unexpected failure; ${known}${part}`, note };
    // The policy leaves failures out (--fail-on without fail or broken): said, never hidden.
    const uncounted = `${formatCount(fail)} failed, ${formatCount(broken)} broken, not failing the run (fail on: ${gate?.failOn.join(', ') ?? ''})`;
    return { tone: 'yellow', text: `passed the policy: ${[uncounted, known].filter(Boolean).join('; ')}${part}`, note };
  }
  const extra = (gate?.failing ?? [])
    .filter((s) => s !== 'fail' && s !== 'broken')
    .map((s) => `, ${formatCount(gate?.counts[s] ?? 0)} ${s === 'unexpected-pass' ? 'unexpected pass(es)' : s}`)
    .join('');
  const text =
    `${formatCount(fail)} failed, ${formatCount(broken)} broken` +
    extra +
    (expected > 0 ? ` (and ${formatCount(expected)} expected)` : '') +
    (flaky > 0 && !(gate?.failing ?? []).includes('flaky') ? `, ${formatCount(flaky)} flaky` : '') +
    (notRun > 0 ? `, ${formatCount(notRun)} not run` : '') +
    (summary.interrupted
      ? ' (interrupted: not a verdict on the whole plan)'
      : summary.stopped !== undefined
        ? ` (${summary.stopped}: not a verdict on the whole plan)`
        : '') +
    (missing.length > 0
      ? ` (incomplete: ${missing.length} part(s) missing${options.missingNames ? `: ${missing.join(', ')}` : ''})`
      : '') +
    part;
  return { tone: 'red', text, note: '' };
}
