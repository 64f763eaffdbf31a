/**
 * The defects the category-partition and pairs-in-context vectors were added for (issue 12, "Defects missed
 * by the fixed plan"): the default plan fails each of them on every platform it exists on, and the failure
 * comes from those vectors (a partition case, or a precedence cycle that needs a pair seen in two contexts).
 * The defect-free clients passing the same plan is test/e2e/defects.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { DEFECTS } from '../../drivers/emulated/defects.ts';
import { runInProcess } from './helpers.ts';

const BY_METHOD: Record<string, 'partition' | 'context'> = {
  'boolean-trimmed': 'partition',
  'obfuscation-flag-ignores-case': 'partition',
  'settings-trimmed': 'partition',
  'pid-unicode-digits': 'partition',
  'precedence-flips-with-password': 'context',
  'precedence-flips-with-test': 'context',
  'precedence-flips-with-obfuscation': 'context',
};

describe('the default plan catches defects found by method', () => {
  for (const [id, method] of Object.entries(BY_METHOD)) {
    const defect = DEFECTS.find((d) => d.id === id);
    it(`${id} is a seeded defect`, () => expect(defect).toBeDefined());
    for (const platform of defect?.platforms ?? []) {
      it(`catches ${id} on ${platform} with a ${method} vector`, async () => {
        const name = `method-${platform}`;
        const { results } = await runInProcess({
          targets: [{ name, driver: 'emulated', options: { platform, defects: [id] } }],
          run: [name],
        });
        const failed = results.filter((r) => r.verdict === 'fail');
        expect(failed.length, `no case failed with ${id} on ${platform}`).toBeGreaterThan(0);
        expect(results.filter((r) => r.verdict === 'broken')).toEqual([]);
        if (method === 'partition') {
          expect(failed.some((r) => r.id.startsWith('om:gen-partition-'))).toBe(true);
        } else {
          // One order of checks no longer explains the answers, and a pair placed in a context is a witness.
          const cycle = failed.find((r) => r.id === 'om:run-precedence-order');
          expect(cycle?.message).toMatch(/-in-[a-z]+/);
        }
      });
    }
  }
});
