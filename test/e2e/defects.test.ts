/**
 * The harness's own acceptance test: the default plan passes on the defect-free emulated clients with zero
 * failures, and catches every seeded defect (at least one case fails on every platform the defect exists on).
 */
import { describe, expect, it } from 'vitest';
import { DEFECTS } from '../../drivers/emulated/defects.ts';
import { runInProcess } from './helpers.ts';

describe('the default plan on the emulated clients', () => {
  it('passes on the defect-free clients with zero failures and zero broken cases', async () => {
    const { outcome, results } = await runInProcess({});
    const bad = results.filter((r) => r.verdict === 'fail' || r.verdict === 'broken');
    expect(bad.map((r) => `${r.target} ${r.id}: ${r.message}`)).toEqual([]);
    expect(outcome.exitCode).toBe(0);
    expect(results.length).toBeGreaterThanOrEqual(1000);
    // The emulated clients make implementation-defined choices; they are recorded, not failed.
    expect(results.some((r) => r.verdict === 'informational')).toBe(true);
  });

  it('has at least 12 seeded defects', () => expect(DEFECTS.length).toBeGreaterThanOrEqual(12));

  for (const defect of DEFECTS) {
    for (const platform of defect.platforms) {
      it(`catches ${defect.id} on ${platform}`, async () => {
        const name = `defect-${platform}`;
        const { outcome, results } = await runInProcess({
          targets: [{ name, driver: 'emulated', options: { platform, defects: [defect.id] } }],
          run: [name],
        });
        const failed = results.filter((r) => r.verdict === 'fail');
        expect(failed.length, `no case failed with ${defect.id} on ${platform}`).toBeGreaterThan(0);
        expect(results.filter((r) => r.verdict === 'broken')).toEqual([]);
        expect(outcome.exitCode).toBe(1);
      });
    }
  }
});
