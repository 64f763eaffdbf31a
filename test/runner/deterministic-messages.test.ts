/**
 * One seed, one report: two runs of the server suites with the same seed (and seeded defects, so failure
 * messages are compared too) give byte-identical titles, messages, parameters, expected and observed
 * values, step names and step messages. Only times, ports and what a target itself draws at random (the ids a
 * server assigns, in the raw exchanges attached) may differ. A random value in a message splits one defect
 * into as many Allure groups as cases and breaks the diff between two builds.
 */
import { describe, expect, it } from 'vitest';
import type { HarnessConfig } from '../../src/config/types.ts';
import type { CaseResult } from '../../src/core/results.ts';
import { runInProcess } from '../e2e/helpers.ts';

const TARGETS: NonNullable<HarnessConfig['targets']> = [
  {
    name: 'surepassid-defective',
    driver: 'surepassid',
    // secret-hex: the message once quoted the characters of the server's random key.
    options: { reference: true, defects: ['secret-hex', 'found-after-deletion'] },
  },
  { name: 'surepassid', driver: 'surepassid', options: { reference: true } },
  {
    name: 'swivel-defective',
    driver: 'swivel',
    options: { reference: true, defects: ['code-reusable', 'unknown-user-wrong-error'] },
  },
  {
    name: 'profile-service-defective',
    driver: 'profile-service',
    options: { reference: true, defects: ['pin-case-insensitive'] },
  },
];

/** What a reader compares between two builds: everything but times and the raw exchanges. */
function reported(results: CaseResult[]): string[] {
  return results
    .map((r) =>
      JSON.stringify({
        key: `${r.target} ${r.id}`,
        verdict: r.verdict,
        title: r.title,
        message: r.message,
        parameters: r.parameters,
        expected: r.expected,
        observed: r.observed,
        steps: (r.steps ?? []).map((s) => [s.name, s.status, s.message]),
      }),
    )
    .sort();
}

async function run(seed: number, only: { target?: string[]; grep?: string[] } = {}): Promise<CaseResult[]> {
  const { results } = await runInProcess({ targets: TARGETS, seed }, { target: TARGETS.map((t) => t.name), ...only });
  return results;
}

describe('messages are deterministic for one seed', () => {
  it('two runs of the server suites with one seed, defects on, report byte-identical messages', async () => {
    const first = await run(5);
    const second = await run(5);
    expect(first.length).toBeGreaterThan(300);
    // The defects are caught, so failure messages are part of what is compared.
    const failed = first.filter((r) => r.verdict === 'fail');
    for (const target of ['surepassid-defective', 'swivel-defective', 'profile-service-defective'])
      expect(failed.some((r) => r.target === target)).toBe(true);
    expect(failed.some((r) => /not Base32/.test(r.message))).toBe(true);
    expect(reported(second)).toEqual(reported(first));
  }, 120_000);

  it('draws the fixture names from the seed: another seed, other names', async () => {
    const names = (results: CaseResult[]) =>
      results
        .filter((r) => r.target === 'surepassid' && r.id === 'sp:add-device')
        .flatMap((r) => (r.steps ?? []).map((s) => s.name))
        .filter((name) => name.startsWith('given: account'));
    const only = { target: ['surepassid'], grep: ['sp:add-device'] };
    const [five, six] = [names(await run(5, only)), names(await run(6, only))];
    expect(five).toEqual([expect.stringMatching(/^given: account acme-[0-9a-f]{8} \(test hook\)$/)]);
    expect(six).toHaveLength(1);
    expect(six).not.toEqual(five);
  }, 120_000);
});
