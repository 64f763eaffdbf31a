/**
 * src/core/results.ts: the verdicts a run counts, and which of them make `harness run` exit 1 (what CI
 * gates on).
 */
import { describe, expect, it } from 'vitest';
import { emptyCounts, isBad, VERDICTS, type Verdict } from '../../src/core/results.ts';

describe('verdicts', () => {
  it('fail the run (exit 1) on a fail or a broken case only', () => {
    const bad = VERDICTS.filter(isBad);
    expect(bad).toEqual(['fail', 'broken']);
    // A deviation accepted as non-strict, a choice recorded, a case the target cannot run: exit 0.
    for (const v of ['pass', 'non-strict', 'informational', 'not-applicable'] as Verdict[])
      expect(isBad(v)).toBe(false);
  });

  it('are counted from zero, every verdict present, each run with counts of its own', () => {
    const first = emptyCounts();
    expect(Object.keys(first).sort()).toEqual([...VERDICTS].sort());
    expect(Object.values(first).every((n) => n === 0)).toBe(true);
    first.fail++;
    expect(emptyCounts().fail).toBe(0);
  });
});
