/**
 * One order for a case's verdict when its parts disagree, used by every suite: the worst part decides, the
 * earliest of equals.
 */
import { describe, expect, it } from 'vitest';
import { VERDICTS } from '../../src/core/results.ts';
import { decidingPart, VERDICT_ORDER, worstVerdict } from '../../src/core/verdict.ts';

describe('the verdict order', () => {
  it('ranks every verdict once: broken > fail > non-strict > informational > pass > not-applicable', () => {
    expect(VERDICT_ORDER).toEqual(['broken', 'fail', 'non-strict', 'informational', 'pass', 'not-applicable']);
    expect([...VERDICT_ORDER].sort()).toEqual([...VERDICTS].sort());
  });

  it('a SHOULD broken outranks a choice shown, and a MUST broken anywhere fails the case', () => {
    expect(worstVerdict(['informational', 'non-strict', 'pass'])).toBe('non-strict');
    expect(worstVerdict(['pass', 'non-strict', 'fail', 'informational'])).toBe('fail');
    expect(worstVerdict(['fail', 'broken'])).toBe('broken');
    expect(worstVerdict(['not-applicable', 'pass'])).toBe('pass');
  });

  it('with no parts, the verdict given for none', () => {
    expect(worstVerdict([])).toBe('pass');
    expect(worstVerdict([], 'not-applicable')).toBe('not-applicable');
  });

  it('the earliest of the worst parts decides (its message is the case’s)', () => {
    const parts = [
      { verdict: 'informational' as const, message: 'choice' },
      { verdict: 'fail' as const, message: 'first failure' },
      { verdict: 'non-strict' as const, message: 'should' },
      { verdict: 'fail' as const, message: 'second failure' },
    ];
    expect(decidingPart(parts)?.message).toBe('first failure');
    expect(decidingPart([])).toBeUndefined();
  });
});
