/**
 * The stateful pairs of the profile-service suite (suites/openmobile-profiles/pairs.ts): every ordered pair
 * of catalog-changing operations whose first the portal accepts, each agreeing with the model, each passing
 * on the reference server, and a second request whose answer depends on what the first left behind.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PAIR_OPERATIONS, buildPairVectors, pairVector } from '../../../suites/openmobile-profiles/pairs.ts';
import type { PortalCatalog } from '../../../suites/openmobile-profiles/types.ts';
import { agreement } from '../../../suites/openmobile-profiles/vectors.ts';
import { caseEnv, loadedSuite, referenceDriver, ROOT } from './support.ts';

const catalogs = (
  JSON.parse(readFileSync(path.join(ROOT, 'vectors/openmobile-profiles/catalogs.json'), 'utf8')) as {
    catalogs: Record<string, PortalCatalog>;
  }
).catalogs;

describe('the stateful pairs of the profile-service suite', () => {
  it('pairs every accepted first operation with every operation, each agreeing with the model', () => {
    const vectors = buildPairVectors(catalogs);
    const firsts = new Set(vectors.map((v) => v.id.replace(/^omp:gen-pair-(.*)-then-.*$/, '$1')));
    expect(vectors).toHaveLength(firsts.size * PAIR_OPERATIONS.length);
    // fav-300 (it has a PIN), fav-311 (310 is the favorite) and create-ios-fav are refused from the start.
    expect([...firsts].sort()).toEqual(
      PAIR_OPERATIONS.filter((o) => !['fav-300', 'fav-311', 'create-ios-fav'].includes(o)).sort(),
    );
    for (const v of vectors) expect(agreement(v), v.id).toBeNull();
  });

  it("makes the second request's answer depend on what the first left behind", () => {
    const portal = catalogs['portal'] as PortalCatalog;
    const then = (first: string, second: string) =>
      pairVector(portal, first as (typeof PAIR_OPERATIONS)[number], second as (typeof PAIR_OPERATIONS)[number])?.then;
    expect(then('unpin-300', 'fav-300')).toEqual({ status: 200 });
    expect(then('publish-300', 'unpin-300')).toEqual({ status: 422, rejects: { id: 300, field: 'pin' } });
    expect(then('unfav-310', 'fav-311')).toEqual({ status: 200 });
    expect(then('fav-303', 'create-android-fav')).toEqual({ status: 422, rejects: { id: null, field: 'favorite' } });
    expect(then('pin-303', 'fav-303')).toEqual({ status: 422, rejects: { id: 303, field: 'pin' } });
    // The oracle and the model are two: an oracle that forgot the freeze is refused at load.
    const wrong = pairVector(portal, 'publish-300', 'unpin-300');
    expect(wrong).not.toBeNull();
    if (wrong !== null) {
      wrong.then = { status: 200 };
      expect(agreement(wrong)?.message).toMatch(/the model predicts 422/);
    }
  });

  it('passes on the reference server, and a PIN changed after publication fails only the pair that publishes first', async () => {
    const suite = await loadedSuite();
    const run = async (defects: string[]) => {
      const driver = await referenceDriver(defects);
      try {
        const info = await driver.info();
        const plan = suite.plan(info, { name: 'ref', precedence: null });
        const session = await driver.openSession();
        const verdicts = new Map<string, string>();
        for (const c of plan.cases.filter((x) => x.id.startsWith('omp:gen-pair-')))
          verdicts.set(c.id, (await plan.run(c, caseEnv(session, info))).verdict);
        await session.close();
        return verdicts;
      } finally {
        await driver.stop();
      }
    };
    const clean = await run([]);
    expect(clean.size).toBeGreaterThan(60);
    expect([...clean].filter(([, v]) => v !== 'pass')).toEqual([]);
    const defective = await run(['pin-change-after-publish']);
    expect([...defective].filter(([, v]) => v === 'fail').map(([id]) => id)).toContain(
      'omp:gen-pair-publish-300-then-unpin-300',
    );
  });
});
