/**
 * Every fixed vector (the vector files and the generated stateful pairs) against the reference server: clean, every vector passes (or is not applicable for
 * the target's shape); each seeded defect is caught by at least one vector. The real-time vector runs in
 * its own test against a reference without a clock.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSwivelDriver, type SwivelDriver } from '../../../drivers/http/swivel.ts';
import { SWIVEL_DEFECTS } from '../../../drivers/emulated/swivel/defects.ts';
import { runVector } from '../../../suites/swivel/execute.ts';
import type { Vector } from '../../../suites/swivel/types.ts';
import { builtSwivelVectors, loadSwivelVectors } from '../../../suites/swivel/vectors.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const context = { rootDir: ROOT, obfuscationKey: null };
let vectors: Vector[] = [];

beforeAll(async () => {
  vectors = await loadSwivelVectors(path.join(ROOT, 'vectors/swivel'), { rootDir: ROOT });
  vectors.push(...builtSwivelVectors(vectors));
});

/** Runs every vector that is not real-time; returns id -> verdict (and the message of failures). */
async function runAll(
  options: Record<string, unknown>,
): Promise<Map<string, { verdict: string; message: string; category?: string }>> {
  const driver: SwivelDriver = await createSwivelDriver({ reference: true, ...options }, context);
  const results = new Map<string, { verdict: string; message: string; category?: string }>();
  try {
    const info = await driver.info();
    const session = await driver.openSession();
    for (const vector of vectors) {
      if (vector.realTime === true) continue;
      const outcome = await runVector(vector, session, info.capabilities, AbortSignal.timeout(10_000));
      const entry: { verdict: string; message: string; category?: string } = {
        verdict: outcome.verdict,
        message: outcome.message,
      };
      if (outcome.category !== undefined) entry.category = outcome.category;
      results.set(vector.id, entry);
    }
  } finally {
    await driver.stop();
  }
  return results;
}

const SHAPES: Record<string, Record<string, unknown>> = {
  single: {},
  'cluster without sharing': { instances: 2, sessionSharing: false },
  'cluster with sharing': { instances: 2, sessionSharing: true },
};

describe('the clean reference server', () => {
  for (const [shape, options] of Object.entries(SHAPES)) {
    it(`passes every vector (${shape})`, async () => {
      const results = await runAll(options);
      const bad = [...results].filter(([, r]) => r.verdict !== 'pass' && r.verdict !== 'not-applicable');
      expect(bad).toEqual([]);
      expect([...results.values()].filter((r) => r.verdict === 'pass').length).toBeGreaterThan(35);
    });
  }
  it('plans the cluster vectors as not applicable on a single instance', async () => {
    const results = await runAll({});
    expect(results.get('sw:clu-no-sharing')?.verdict).toBe('not-applicable');
    expect(results.get('sw:clu-sharing')?.verdict).toBe('not-applicable');
  });
});

describe('each seeded defect is caught by a fixed vector', () => {
  for (const defect of SWIVEL_DEFECTS) {
    it(defect.id, async () => {
      // The cluster defect only shows in a cluster without sharing; the others on a single instance.
      const options =
        defect.id === 'codes-shared-without-session-sharing' ? { instances: 2, sessionSharing: false } : {};
      const results = await runAll({ ...options, defects: [defect.id] });
      const failed = [...results].filter(([, r]) => r.verdict === 'fail');
      expect(failed.length, `${defect.id} was not caught`).toBeGreaterThan(0);
      expect([...results].filter(([, r]) => r.verdict === 'broken')).toEqual([]);
    });
  }
});

describe('the real-time expiry vector', () => {
  it('is not applicable where the target has a clock', async () => {
    const results = new Map<string, string>();
    const driver = await createSwivelDriver({ reference: true }, context);
    try {
      const session = await driver.openSession();
      const vector = vectors.find((v) => v.id === 'sw:exp-real-time') as Vector;
      const outcome = await runVector(vector, session, (await driver.info()).capabilities, AbortSignal.timeout(5000));
      results.set(vector.id, outcome.verdict);
      expect(outcome.message).toMatch(/clock/);
    } finally {
      await driver.stop();
    }
    expect(results.get('sw:exp-real-time')).toBe('not-applicable');
  });

  // REAL TIME: waits 11 seconds, as the vector says; runs the clean server and the off-by-one defect at once.
  it(
    'REAL TIME (11 s): passes on a clockless reference and catches expiry-off-by-one',
    { timeout: 30_000 },
    async () => {
      const vector = vectors.find((v) => v.id === 'sw:exp-real-time') as Vector;
      const run = async (defects: string[]) => {
        const driver = await createSwivelDriver({ reference: true, clock: false, defects }, context);
        try {
          const info = await driver.info();
          expect(info.capabilities).not.toContain('clock');
          return await runVector(vector, await driver.openSession(), info.capabilities, AbortSignal.timeout(20_000));
        } finally {
          await driver.stop();
        }
      };
      const [clean, defective] = await Promise.all([run([]), run(['expiry-off-by-one'])]);
      expect(clean.verdict).toBe('pass');
      expect(defective.verdict).toBe('fail');
      expect(defective.category).toBe('wrong-result-code');
    },
  );
});
