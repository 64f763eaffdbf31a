/**
 * Every failure category any suite can produce has an Allure category rule, so no failure lands in Allure's
 * catch-all "Product defects" (or a broken case in "Test defects"). The categories come from the suites'
 * own lists (each a record over every category, checked by the compiler and by docs/spec/verdict-audit.md).
 */
import { describe, expect, it } from 'vitest';
import { OPEN_MOBILE_CATEGORIES } from '../../suites/openmobile/execute.ts';
import { PROFILE_SERVICE_CATEGORIES } from '../../suites/openmobile-profiles/judge.ts';
import { SUREPASSID_CATEGORIES } from '../../suites/surepassid/judge.ts';
import { SWIVEL_CATEGORIES } from '../../suites/swivel/execute.ts';
import { ALLURE_CATEGORIES, RUN_CATEGORIES } from '../../src/reporters/allure.ts';

const PRODUCED: Record<string, readonly string[]> = {
  'Open Mobile': OPEN_MOBILE_CATEGORIES,
  'Open Mobile profile service': PROFILE_SERVICE_CATEGORIES,
  Swivel: SWIVEL_CATEGORIES,
  SurePassID: SUREPASSID_CATEGORIES,
  // The runner's, for a case whose target misbehaved (every suite), and the run's own results.
  runner: ['broken-target', RUN_CATEGORIES.notRun, RUN_CATEGORIES.unfinished],
};

/** The rules Allure (Java `String.matches`: the whole message; `(?s)` is DOTALL) applies to a message. */
function rulesMatching(message: string, status: string) {
  return ALLURE_CATEGORIES.filter((c) => {
    const source = String(c.messageRegex).replace(/^\(\?s\)/, '');
    return new RegExp(`^(?:${source})$`, 's').test(message) && (c.matchedStatuses ?? []).map(String).includes(status);
  });
}

describe('Allure categories', () => {
  it('the suites list what they produce', () => {
    for (const [suite, categories] of Object.entries(PRODUCED)) expect(categories.length, suite).toBeGreaterThan(0);
    expect(SWIVEL_CATEGORIES).toContain('schema-violation');
    expect(SUREPASSID_CATEGORIES).toContain('server-error');
  });

  for (const [suite, categories] of Object.entries(PRODUCED)) {
    for (const category of categories) {
      const status = category === 'broken-target' || suite === 'runner' ? 'broken' : 'failed';
      it(`${suite}: [${category}] has exactly one rule`, () => {
        const message = `[${category}] what went wrong\nsecond line`;
        expect(rulesMatching(message, status).map((c) => c.name)).toHaveLength(1);
      });
    }
  }

  it('a failure that did not repeat (flaky, so broken) keeps its category', () => {
    expect(rulesMatching('[schema-violation] x', 'broken')).toHaveLength(1);
  });

  it('a message without a known prefix matches no rule (it would be a reporter bug, not a category)', () => {
    expect(rulesMatching('what went wrong', 'failed')).toHaveLength(0);
    expect(rulesMatching('[no-such-category] x', 'failed')).toHaveLength(0);
  });
});
