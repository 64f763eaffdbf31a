/**
 * The real-time expiry vector waits 11 s: longer than the default case timeout (10 s). It declares its own
 * need, so the runner lets it finish on a target without the clock hook (`swivel-clockless`) instead of
 * reporting it broken; every other vector keeps the target's timeout.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { caseTimeoutMs } from '../../../src/core/suite.ts';
import { caseOf, REAL_TIME_MARGIN_MS } from '../../../suites/swivel/index.ts';
import { loadSwivelVectors } from '../../../suites/swivel/vectors.ts';
import { runInProcess } from '../../e2e/helpers.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');

describe('a Swivel case that waits declares its own timeout', () => {
  it('sw:exp-real-time needs its 11 s wait and a margin; no other vector declares anything', async () => {
    const vectors = await loadSwivelVectors(path.join(ROOT, 'vectors/swivel'), { rootDir: ROOT });
    const cases = vectors.map(caseOf);
    const realTime = cases.find((c) => c.id === 'sw:exp-real-time');
    expect(realTime?.timeoutMs).toBe(11_000 + REAL_TIME_MARGIN_MS);
    expect(caseTimeoutMs(realTime ?? {}, 10_000)).toBeGreaterThan(11_000);
    expect(cases.filter((c) => c.timeoutMs !== undefined).map((c) => c.id)).toEqual(['sw:exp-real-time']);
  });

  // REAL TIME: 11 s.
  it(
    'passes through the runner on the clockless reference under the default 10 s case timeout',
    { timeout: 40_000 },
    async () => {
      const { outcome, results } = await runInProcess(
        { targets: [{ name: 'swivel-clockless', driver: 'swivel', options: { reference: true, clock: false } }] },
        { grep: ['sw:exp-real-time'] },
      );
      expect(results.map((r) => [r.id, r.verdict, r.message])).toEqual([
        ['sw:exp-real-time', 'pass', expect.any(String)],
      ]);
      expect(outcome.exitCode).toBe(0);
    },
  );
});
