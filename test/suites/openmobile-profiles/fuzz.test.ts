/**
 * The fuzz properties against the reference server, pinned by seed: clean, no failure; the lookup defects
 * are found by `lookups`, the administration defects by `admin`, and `robustness` holds on a clean server.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FuzzFailure } from '../../../src/core/fuzz.ts';
import {
  profilesProperty,
  regressionVector,
  type ProfilesPropertyId,
} from '../../../suites/openmobile-profiles/fuzz.ts';
import { agreement } from '../../../suites/openmobile-profiles/vectors.ts';
import { referenceDriver } from './support.ts';

async function firstFailure(id: ProfilesPropertyId, defects: string[], numRuns: number): Promise<FuzzFailure | null> {
  const driver = await referenceDriver(defects);
  const session = await driver.openSession();
  const property = profilesProperty(id, session, { maxSteps: 4, create: true });
  const signal = new AbortController().signal;
  let found: FuzzFailure | null = null;
  try {
    await fc.assert(
      fc.asyncProperty(property.arbitrary, async (value) => {
        const failure = await property.check(value, signal);
        if (failure !== null && found === null) {
          found = failure;
          const vector = regressionVector(value, failure, { seed: 7, path: '0', property: id });
          // The kept regression is a valid vector the model agrees with.
          expect(agreement(vector)).toBeNull();
        }
        return failure === null;
      }),
      { seed: 7, numRuns, endOnFailure: true },
    );
  } catch {
    // fc.assert throws on the failure found: that is the point
  } finally {
    await driver.stop();
  }
  return found;
}

describe('openmobile-profiles fuzz properties', () => {
  it.each(['lookups', 'admin', 'robustness'] as const)(
    '%s finds nothing on the clean reference server',
    async (id) => {
      expect(await firstFailure(id, [], 60)).toBeNull();
    },
    60_000,
  );

  it.each([
    ['lookups', 'empty-pin-not-none'],
    ['lookups', 'pin-case-insensitive'],
    ['lookups', 'pin-optional'],
    ['lookups', 'test-falls-back-to-production'],
    ['admin', 'forbidden-chars-partial'],
    ['admin', 'pin-change-after-publish'],
    ['admin', 'partial-catalog-on-422'],
  ] as const)(
    '%s finds %s',
    async (id, defect) => {
      const failure = await firstFailure(id, [defect], 300);
      expect(failure, `${id} did not find ${defect}`).not.toBeNull();
    },
    60_000,
  );
});
