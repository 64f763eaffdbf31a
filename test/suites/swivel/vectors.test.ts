import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HarnessError } from '../../../src/core/errors.ts';
import { SwivelSuite } from '../../../suites/swivel/index.ts';
import { REQUIREMENTS } from '../../../suites/swivel/requirements.ts';
import { loadSwivelVectors } from '../../../suites/swivel/vectors.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');

async function problemsOf(document: unknown): Promise<{ path: string; message: string }[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'swivel-vectors-'));
  writeFileSync(path.join(dir, 'bad.json'), JSON.stringify(document));
  try {
    await loadSwivelVectors(dir, { rootDir: dir });
  } catch (error) {
    expect(error).toBeInstanceOf(HarnessError);
    expect((error as HarnessError).code).toBe('HARNESS_VECTORS_INVALID');
    return (error as HarnessError).problems.map((p) => ({ path: p.path, message: p.message }));
  }
  return [];
}

const good = {
  id: 'sw:t-1',
  title: 't',
  area: 'code-use',
  requirements: ['SW-CODE-ONCE'],
  steps: [
    { do: 'create-user', username: 'alice' },
    { do: 'issue-code', username: 'alice', as: 'c1' },
    { do: 'provision', username: 'alice', code: { ref: 'c1' }, expect: { result: 'PASS' } },
  ],
};

describe('Swivel vectors', () => {
  it('the shipped vectors load, and every requirement has at least one vector', async () => {
    const vectors = await loadSwivelVectors(path.join(ROOT, 'vectors/swivel'), { rootDir: ROOT });
    const covered = new Set(vectors.flatMap((v) => v.requirements));
    expect(REQUIREMENTS.filter((r) => !covered.has(r.id)).map((r) => r.id)).toEqual([]);
  });

  it('reports every problem at once, each with a pointer and the fix', async () => {
    const problems = await problemsOf({
      vectors: [
        { ...good, area: 'code_use' },
        {
          ...good,
          id: 'sw:t-2',
          requirements: ['SW-NOPE'],
          steps: [{ do: 'provision', username: 'alice', code: { ref: 'c9' }, expect: { result: 'PASS' } }],
        },
        { ...good, id: 'sw:t-3', steps: [{ do: 'create-user', usernme: 'alice' }] },
        {
          ...good,
          id: 'sw:t-4',
          steps: [
            {
              do: 'provision',
              username: 'alice',
              code: 'x',
              instance: 1,
              expect: { result: 'FAIL', error: 'AGENT_ERROR_INVALID_PROVISION_CODE' },
            },
          ],
        },
        good,
      ],
    });
    const text = problems.map((p) => `${p.path}: ${p.message}`).join('\n');
    expect(text).toMatch(/\/vectors\/0\/area: must be one of .*change "code_use" to "code-use"/);
    expect(text).toMatch(/\/vectors\/1\/requirements\/0: unknown requirement "SW-NOPE"/);
    expect(text).toMatch(/\/vectors\/1\/steps\/0: "c9" is used before a step names it/);
    expect(text).toMatch(/\/vectors\/2\/steps\/0\/usernme: unknown property "usernme" here: rename it to "username"/);
    expect(text).toMatch(
      /\/vectors\/3\/steps\/0\/instance: a step on another instance needs "requires": \{"cluster": true\}/,
    );
    expect(text).toMatch(/\/vectors\/4\/id: duplicate vector id "sw:t-1"/);
  });

  it('reports a vector whose expectation the model does not share', async () => {
    const problems = await problemsOf({
      vectors: [
        {
          ...good,
          steps: [
            ...good.steps,
            { do: 'provision', username: 'alice', code: { ref: 'c1' }, expect: { result: 'PASS' } },
          ],
        },
      ],
    });
    expect(problems).toEqual([
      {
        path: '/vectors/0/steps/3/expect',
        message: expect.stringMatching(
          /model predicts FAIL AGENT_ERROR_INVALID_PROVISION_CODE .*already used.*the vector says PASS/,
        ),
      },
    ]);
  });

  it('explains a case step by step', async () => {
    const suite = new SwivelSuite();
    await suite.load({
      rootDir: ROOT,
      vectorsRoot: path.join(ROOT, 'vectors'),
      obfuscationKey: null,
    });
    const text = suite.explain('sw:code-once');
    expect(text).toMatch(/4\. provision alice with c1: FAIL AGENT_ERROR_INVALID_PROVISION_CODE/);
    expect(text).toMatch(/already used/);
    expect(() => suite.explain('SW-NOPE')).toThrow(/no Swivel case/);
    expect(suite.list().find((c) => c.id === 'sw:exp-real-time')?.title).toMatch(/\[real time\]/);
    expect(suite.list().find((c) => c.id === 'sw:clu-sharing')?.needs).toEqual(['cluster', 'session-sharing']);
  });
});
