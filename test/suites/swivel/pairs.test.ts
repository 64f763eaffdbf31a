/**
 * The stateful pairs (suites/swivel/pairs.ts): every ordered pair of state-changing operations from every
 * start, each vector's expectations (the builder's own oracle) agreeing with the suite's model, and the
 * defects of state that changes between two steps caught by the pairs where the vector files miss them.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSwivelDriver } from '../../../drivers/http/swivel.ts';
import { PAIR_OPERATIONS, PAIR_STARTS, buildPairVectors, pairVector } from '../../../suites/swivel/pairs.ts';
import { runVector } from '../../../suites/swivel/execute.ts';
import type { Vector } from '../../../suites/swivel/types.ts';
import { builtSwivelVectors, checkDocument, loadSwivelVectors } from '../../../suites/swivel/vectors.ts';
import type { Problem } from '../../../src/core/errors.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');

describe('the stateful pairs of the Swivel suite', () => {
  it('holds every ordered pair of operations (the same one twice too) from every start, once', () => {
    const vectors = buildPairVectors();
    expect(vectors).toHaveLength(PAIR_STARTS.length * PAIR_OPERATIONS.length ** 2);
    expect(new Set(vectors.map((v) => v.id)).size).toBe(vectors.length);
    expect(vectors.map((v) => v.id)).toContain('sw:gen-pair-device-code-validity-then-use');
  });

  it('agrees with the model on every step, and the loader refuses a pair whose oracle the model contradicts', () => {
    const files: Vector[] = [];
    const built = builtSwivelVectors(files);
    expect(built.every((v) => v.source === 'builder:stateful-pairs')).toBe(true);
    // The oracle says the replaced code still works: the model says it was replaced; the load check sees it.
    const wrong = pairVector('code', 'issue', 'use');
    const replaced = wrong.steps.find(
      (s) => s.do === 'provision' && s.expect.result === 'FAIL' && typeof s.code === 'object',
    );
    expect(replaced).toBeDefined();
    if (replaced?.do === 'provision') replaced.expect = { result: 'PASS' };
    const problems: Problem[] = [];
    checkDocument({ vectors: [wrong] }, 'builder:stateful-pairs', problems);
    expect(problems.map((p) => p.message).join('\n')).toMatch(
      /the model predicts FAIL AGENT_ERROR_INVALID_PROVISION_CODE/,
    );
  });

  it('checks the whole state after each pair: the policy, every device, every spent code, both outstanding codes', () => {
    const v = pairVector('device-code', 'use', 'self');
    const kinds = v.steps.map((s) => s.do);
    expect(kinds).toContain('check-policy');
    // d (the first device) no longer has strings after the second provision; the new one has.
    const strings = v.steps.filter((s) => s.do === 'security-strings');
    expect(strings.map((s) => s.expect.result)).toEqual(['FAIL', 'PASS']);
    expect(v.requirements).toEqual(
      expect.arrayContaining(['SW-REPROVISION-INVALIDATES', 'SW-CODE-ONCE', 'SW-SELF-PROVISION-DEFAULT-OFF']),
    );
  });

  // State that changes between two steps: the vector files never change the policy or issue another user's
  // code between issuing and using one, so only the pairs catch these.
  for (const defect of ['policy-change-drops-codes', 'one-code-per-server']) {
    it(`catches ${defect}, which the vector files miss`, async () => {
      const files = await loadSwivelVectors(path.join(ROOT, 'vectors/swivel'), { rootDir: ROOT });
      const pairs = builtSwivelVectors(files);
      const driver = await createSwivelDriver(
        { reference: true, defects: [defect] },
        { rootDir: ROOT, obfuscationKey: null },
      );
      try {
        const info = await driver.info();
        const session = await driver.openSession();
        const failed = async (vectors: Vector[]) => {
          const ids: string[] = [];
          for (const vector of vectors) {
            if (vector.realTime === true) continue;
            const outcome = await runVector(vector, session, info.capabilities, AbortSignal.timeout(10_000));
            expect(outcome.verdict, `${vector.id}: ${outcome.message}`).not.toBe('broken');
            if (outcome.verdict === 'fail') ids.push(vector.id);
          }
          return ids;
        };
        expect(await failed(files)).toEqual([]);
        expect((await failed(pairs)).length).toBeGreaterThan(0);
      } finally {
        await driver.stop();
      }
    });
  }
});
