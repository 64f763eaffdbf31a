/**
 * The agentxml-bodies property against the reference server, pinned by seed: clean, no failure; each wire
 * defect it can see, found. (Defects that need a particular sequence, such as a reused code, are the fixed
 * vectors' job: see reference.test.ts.)
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSwivelDriver } from '../../../drivers/http/swivel.ts';
import { bodyFamilies } from '../../../suites/swivel/arbitraries.ts';
import { agentBodiesProperty } from '../../../suites/swivel/fuzz.ts';
import type { FuzzFailure } from '../../../src/core/fuzz.ts';

const context = { rootDir: process.cwd(), obfuscationKey: null };

async function fuzz(
  defects: string[],
  numRuns: number,
  seed = 4242,
): Promise<{ failure: FuzzFailure | null; counterexample: string | null; families: Record<string, number> }> {
  const driver = await createSwivelDriver({ reference: true, defects }, context);
  try {
    const info = await driver.info();
    const property = agentBodiesProperty(await driver.openSession(), info.capabilities);
    let failure: FuzzFailure | null = null;
    const details = await fc.check(
      fc.asyncProperty(property.arbitrary, async (value) => {
        failure = await property.check(value, AbortSignal.timeout(10_000));
        return failure === null;
      }),
      { seed, numRuns, endOnFailure: true },
    );
    const counterexample = details.counterexample === null ? null : property.describe(details.counterexample[0]);
    return {
      failure: details.failed ? failure : null,
      counterexample,
      families: property.statistics?.().tables['family'] ?? {},
    };
  } finally {
    await driver.stop();
  }
}

describe('fuzz: agentxml-bodies', () => {
  it('never hides a fixture token in character references (the server would see the token, not the code)', () => {
    const bodies = fc.sample(bodyFamilies['type-confused'], { seed: 1, numRuns: 3000 }).map((b) => b.body);
    expect(bodies.some((b) => b.includes('&#'))).toBe(true);
    // `{{` encoded: a token that substitution cannot find any more.
    expect(bodies.filter((b) => b.includes('&#123;&#123;'))).toEqual([]);
  });

  it('finds nothing on the clean reference server, over every family of bodies', { timeout: 60_000 }, async () => {
    const { failure, counterexample, families } = await fuzz([], 150);
    expect(failure, counterexample ?? '').toBeNull();
    for (const family of ['valid', 'mutated', 'type-confused', 'malformed'])
      expect(families[family] ?? 0).toBeGreaterThan(5);
  });

  const CAUGHT: [string, RegExp][] = [
    ['malformed-xml-500', /HTTP 500/],
    ['missing-element-500', /HTTP 500/],
    ['request-id-not-echoed', /RequestID/],
    ['unknown-user-wrong-error', /AGENT_ERROR_USER_NOT_FOUND/],
    ['wrong-code-burns-code', /.+/],
  ];
  for (const [defect, message] of CAUGHT) {
    it(`finds ${defect}`, { timeout: 60_000 }, async () => {
      const { failure, counterexample } = await fuzz([defect], 200);
      expect(counterexample).not.toBeNull();
      expect((failure as FuzzFailure | null)?.message ?? '').toMatch(message);
    });
  }
});
