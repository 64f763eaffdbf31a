import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HarnessError } from '../../../src/core/errors.ts';
import { loadProfileVectors } from '../../../suites/openmobile-profiles/vectors.ts';
import { ROOT } from './support.ts';

function dirWith(files: Record<string, unknown>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'omp-vectors-'));
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(path.join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return dir;
}

const catalogs = {
  catalogs: {
    one: {
      profiles: [
        {
          id: 1,
          company: 'a',
          platform: 'ios',
          mode: 'production',
          pin: null,
          favorite: false,
          domains: { options: ['a.example'], editable: false },
          prefixes: null,
          savePassword: true,
          autologin: { userControl: true, default: false },
        },
      ],
    },
  },
};

describe('openmobile-profiles vector loading', () => {
  it("loads the project's vectors", async () => {
    const { vectors, catalogs: named } = await loadProfileVectors(path.join(ROOT, 'vectors/openmobile-profiles'), ROOT);
    expect(Object.keys(named).sort()).toEqual(['acme', 'portal']);
    // The files' vectors, then the generated stateful pairs (suites/openmobile-profiles/pairs.ts).
    expect(
      vectors.every(
        (v) => v.source?.startsWith('vectors/openmobile-profiles/') || v.source === 'builder:stateful-pairs',
      ),
    ).toBe(true);
    expect(vectors.filter((v) => v.source === 'builder:stateful-pairs').length).toBeGreaterThan(60);
  });

  it('reports every problem of every file at once, with pointer and fix', async () => {
    const dir = dirWith({
      'catalogs.json': catalogs,
      'a.json': {
        vectors: [
          {
            id: 'omp:x',
            title: 'wrong status',
            area: 'lookup',
            requirements: ['OMP-LOOKUP-SELECT'],
            catalog: 'one',
            when: { op: 'lookup', pid: '1', platform: 'ios', mode: 'production' },
            then: { status: 404 },
          },
          {
            id: 'omp:x',
            title: 'duplicate id and unknown catalog',
            area: 'lookup',
            requirements: ['OMP-NOPE'],
            catalog: 'two',
            when: { op: 'lookup', pid: '1', platform: 'ios', mode: 'production' },
            then: { status: 404 },
          },
        ],
      },
      'b.json': {
        vectors: [
          { id: 'omp:y', title: 'no then', area: 'lookup', requirements: [], catalog: 'one', when: { op: 'lookup' } },
        ],
      },
      'c.json': '{ not json',
    });
    const error = await loadProfileVectors(dir, dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HarnessError);
    const text = (error as HarnessError).format();
    expect(text).toMatch(/HARNESS_VECTORS_INVALID/);
    expect(text).toMatch(/a\.json \/vectors\/0\/then \(omp:x\): the model predicts 200, the vector says 404/);
    expect(text).toMatch(/a\.json \/vectors\/1\/id: duplicate vector id "omp:x"/);
    expect(text).toMatch(/a\.json \/vectors\/1\/requirements\/0: unknown requirement "OMP-NOPE"/);
    expect(text).toMatch(/a\.json \/vectors\/1\/catalog: no catalog "two" in catalogs\.json: use one of one/);
    expect(text).toMatch(/b\.json \/vectors\/0: missing field "then": add it/);
    expect(text).toMatch(/c\.json: invalid JSON at line 1, column 3: .*: fix the syntax there/);
  });

  it("rejects a named catalog that breaks the portal's rules", async () => {
    const bad = structuredClone(catalogs);
    (bad.catalogs.one.profiles[0] as { pin: string | null }).pin = 'a#b';
    const error = await loadProfileVectors(dirWith({ 'catalogs.json': bad }), '/').catch((e: unknown) => e);
    expect((error as HarnessError).format()).toMatch(/\/catalogs\/one: not a valid catalog: profile 1 pin/);
  });
});

describe('kept fuzz failures', () => {
  it('load as vectors before the fixed ones', async () => {
    const { default: fc } = await import('fast-check');
    const { regressionVector, valueArbitrary } = await import('../../../suites/openmobile-profiles/fuzz.ts');
    const { OpenMobileProfilesSuite } = await import('../../../suites/openmobile-profiles/index.ts');
    const [value] = fc.sample(valueArbitrary('admin', 3, true), { seed: 11, numRuns: 1 });
    if (value === undefined) throw new Error('no sample');
    const vector = regressionVector(
      value,
      { message: 'a failure', requirements: ['OMP-ADMIN-ATOMIC'] },
      { seed: 11, path: '3:1', property: 'admin' },
    );
    const { source: _source, ...written } = vector;
    const dir = dirWith({ 'omp-reg-admin-11-3-1.json': { $comment: 'kept', vectors: [written] } });
    const suite = new OpenMobileProfilesSuite([path.join(dir, 'omp-reg-admin-11-3-1.json')]);
    await suite.load({
      rootDir: ROOT,
      vectorsRoot: path.join(ROOT, 'vectors'),
      obfuscationKey: null,
    });
    expect(suite.list()[0]?.id).toBe('omp:reg-admin-11-3-1');
    expect(suite.explain('omp:reg-admin-11-3-1')).toMatch(
      /^omp:reg-admin-11-3-1: a failure\n {2}from .*\n {2}1\. PUT catalog/,
    );
  });
});
