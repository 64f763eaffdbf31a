/**
 * Every fixed vector against the reference server: clean, all pass; with each seeded defect switched on,
 * at least one vector fails, and its failing exchange is attached.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROFILE_SERVICE_DEFECTS } from '../../../drivers/emulated/openmobile-profiles/defects.ts';
import type { CaseResult } from '../../../src/core/results.ts';
import type { OpenMobileProfilesSuite } from '../../../suites/openmobile-profiles/index.ts';
import { caseEnv, loadedSuite, referenceDriver } from './support.ts';

let suite: OpenMobileProfilesSuite;
beforeAll(async () => {
  suite = await loadedSuite();
});

async function runAll(defects: string[]): Promise<CaseResult[]> {
  const driver = await referenceDriver(defects);
  try {
    const info = await driver.info();
    const plan = suite.plan(info, { name: 'ref', precedence: null });
    const session = await driver.openSession();
    const results: CaseResult[] = [];
    for (const c of plan.cases) results.push(await plan.run(c, caseEnv(session, info)));
    await session.close();
    return results;
  } finally {
    await driver.stop();
  }
}

describe('openmobile-profiles vectors against the reference server', () => {
  let clean: CaseResult[];
  beforeAll(async () => {
    clean = await runAll([]);
  });
  afterAll(() => {});

  it('loads every vector and passes them all without defects', () => {
    expect(clean.length).toBeGreaterThanOrEqual(60);
    const bad = clean.filter((r) => r.verdict !== 'pass').map((r) => `${r.id}: ${r.message}`);
    expect(bad).toEqual([]);
    // A passing case attaches nothing by default (artifacts: on-failure).
    expect(clean.every((r) => r.attachments.length === 0)).toBe(true);
  });

  it('covers every requirement with at least one vector', () => {
    const covered = new Set(suite.list().flatMap((c) => c.requirements));
    const missing = suite
      .catalogue()
      .requirements.filter((r) => !covered.has(r.id))
      .map((r) => r.id);
    expect(missing).toEqual([]);
  });

  it.each(PROFILE_SERVICE_DEFECTS.map((d) => [d.id] as const))('catches the seeded defect %s', async (defect) => {
    const results = await runAll([defect]);
    const failed = results.filter((r) => r.verdict === 'fail');
    expect(failed.length, `no vector caught ${defect}`).toBeGreaterThan(0);
    for (const r of failed) {
      expect(r.category).toBeDefined();
      const exchange = r.attachments.find((a) => a.name.startsWith('failing exchange'));
      expect(exchange?.body).toMatch(/^(GET|PUT|PATCH|POST) http:\/\/127\.0\.0\.1:\d+\//);
      expect(exchange?.body).toMatch(/\n---\n\n(HTTP \d{3}|\(no answer)/);
      expect(r.attachments.some((a) => a.name === 'wire transcript')).toBe(true);
    }
  });

  it('reports a rejected catalog that still changed the catalog as state-changed-by-failing-request', async () => {
    const results = await runAll(['partial-catalog-on-422']);
    const atomic = results.find((r) => r.id === 'omp:atomic-put-bad-last');
    expect(atomic?.verdict).toBe('fail');
    expect(atomic?.category).toBe('state-changed-by-failing-request');
    expect(atomic?.message).toMatch(/OMP-ADMIN-ATOMIC/);
  });

  it('reports a reused generated ID against OMP-ID-GENERATED', async () => {
    const results = await runAll(['create-id-reused']);
    const created = results.find((r) => r.id === 'omp:id-create-generated');
    expect(created?.verdict).toBe('fail');
    expect(created?.message).toMatch(/OMP-ID-GENERATED: the created profile got ID 200/);
  });
});
