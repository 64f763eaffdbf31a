import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSurePassIdDriver, type SurePassIdDriver } from '../../../drivers/http/surepassid.ts';
import { SUREPASSID_DEFECTS } from '../../../drivers/emulated/surepassid/defects.ts';
import { surePassIdFuzzProperties } from '../../../suites/surepassid/fuzz.ts';
import { vectorOfRun, type GeneratedRequest } from '../../../suites/surepassid/arbitraries.ts';
import { checkVectorDocument } from '../../../suites/surepassid/vectors.ts';

const CONTEXT = { rootDir: process.cwd(), obfuscationKey: null };
const SEED = 20240611;

async function fuzz(defects: string[], numRuns: number, seed = SEED) {
  const driver: SurePassIdDriver = await createSurePassIdDriver({ reference: true, defects, timeoutMs: 1000 }, CONTEXT);
  try {
    const session = await driver.openSession();
    const [property] = surePassIdFuzzProperties(session, { maxSteps: 3 });
    const prop = property!;
    const signal = new AbortController().signal;
    const details = await fc.check(
      fc.asyncProperty(prop.arbitrary, async (value) => (await prop.check(value, signal)) === null),
      { seed, numRuns, endOnFailure: false },
    );
    const counterexample = details.counterexample?.[0] as GeneratedRequest[] | undefined;
    const failure = counterexample === undefined ? null : await prop.check(counterexample, signal);
    return { details, counterexample, failure, prop, statistics: prop.statistics?.() };
  } finally {
    await driver.stop();
  }
}

describe('the requests fuzz property', () => {
  it('finds nothing on the clean reference server, and generates every kind of body', async () => {
    const { details, statistics } = await fuzz([], 150);
    expect(details.failed, details.failed ? String(details.counterexample) : '').toBe(false);
    expect(Object.keys(statistics?.tables['request kind'] ?? {}).sort()).toEqual([
      'mutated',
      'not-an-object',
      'type-confused',
      'valid',
    ]);
    // Both successes and failures were judged, not only one kind of answer.
    expect(statistics?.tables['errorCode']?.['0']).toBeGreaterThan(0);
    expect(statistics?.tables['errorCode']?.['9000']).toBeGreaterThan(0);
  });

  it('finds nothing on the clean server with seed 1 either (a blank accountName once made a false failure)', async () => {
    const { details } = await fuzz([], 300, 1);
    expect(details.failed, details.failed ? JSON.stringify(details.counterexample) : '').toBe(false);
  });

  for (const defect of SUREPASSID_DEFECTS) {
    it(`finds the seeded defect ${defect.id} with a fixed seed, shrunk to a replayable vector`, async () => {
      const { details, counterexample, failure, prop } = await fuzz([defect.id], 300);
      expect(details.failed).toBe(true);
      if (process.env.SP_SHOW) console.log(defect.id, '\n' + prop.describe(counterexample!), '\n=>', failure?.message);
      expect(failure).not.toBeNull();
      expect(counterexample!.length).toBeLessThanOrEqual(2);
      const kept = prop.regression(counterexample!, failure!, {
        seed: SEED,
        path: details.counterexamplePath ?? '',
        target: 'reference',
        property: 'requests',
      });
      const problems: never[] = [];
      expect(checkVectorDocument(kept, 'kept.json', problems)).toHaveLength(1);
      expect(problems).toEqual([]);
      // The describe text never shows a real login key.
      expect(prop.describe(counterexample!)).not.toMatch(/acme-fuzz-key|globex-fuzz-key/);
    });
  }

  it('turns a run into a vector that starts from the fuzz fixtures', () => {
    const vector = vectorOfRun([{ kind: 'valid', how: 'x', step: { body: { type: 'find_device' } } }]);
    expect(vector.given?.devices?.map((d) => d.ref)).toContain('deleted');
  });
});
