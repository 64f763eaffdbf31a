/**
 * The model against every vector's hand-written (or builder-written) expectation, on every route. The two
 * are written independently: a disagreement is a bug in one of them, and this test names the vector, the
 * route and both sides. (Loading the suite performs the same check; this test shows every disagreement.)
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { disagreement } from '../../../suites/openmobile/agreement.ts';
import { loadOpenMobile, routesOf } from '../../../suites/openmobile/index.ts';
import type { Vector } from '../../../suites/openmobile/types.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const KEY = '8CC677D6FA2AC487C2FC7AD7232F87D8FCAFD5E9FC0AFBFF23B09D8713BE3463';

const data = await loadOpenMobile(
  {
    rootDir: ROOT,
    vectorsDir: path.join(ROOT, 'vectors/openmobile'),
    vectorsRoot: path.join(ROOT, 'vectors'),
    catalogFile: path.join(ROOT, 'vectors/openmobile/profiles.json'),
    obfuscationKey: KEY,
  },
  { checkAgreement: false },
);

describe('the model agrees with every vector', () => {
  const byArea = new Map<string, Vector[]>();
  for (const v of data.vectors) byArea.set(v.area, [...(byArea.get(v.area) ?? []), v]);
  for (const [area, vectors] of byArea) {
    it(`${area} (${vectors.length} vectors)`, () => {
      const problems: string[] = [];
      for (const v of vectors) {
        for (const route of routesOf(v)) {
          const problem = disagreement(v, route, v.catalog ?? data.catalog, KEY);
          if (problem)
            problems.push(`${v.id}@${route.platform}-${route.method} (${v.source ?? '?'}):\n      ${problem}`);
        }
      }
      expect(problems).toEqual([]);
    });
  }

  it('covers the plan the issue asks for', () => {
    const cases = data.vectors.reduce((n, v) => n + routesOf(v).length, 0);
    expect(cases).toBeGreaterThanOrEqual(1000);
  });
});
