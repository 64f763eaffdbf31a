import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HarnessError } from '../../../src/core/errors.ts';
import { REQUIREMENTS } from '../../../suites/surepassid/requirements.ts';
import { loadSurePassIdVectors } from '../../../suites/surepassid/vectors.ts';

const ROOT = process.cwd();

describe('loadSurePassIdVectors', () => {
  it('loads the fixed vectors, every one agreeing with the model', async () => {
    const vectors = await loadSurePassIdVectors(path.join(ROOT, 'vectors/surepassid'), ROOT);
    expect(vectors.length).toBeGreaterThanOrEqual(60);
    expect(vectors.every((v) => v.source?.startsWith('vectors/surepassid/'))).toBe(true);
    expect(new Set(vectors.map((v) => v.area))).toEqual(
      new Set(['provisioning', 'qr-code', 'credentials', 'lookup', 'robustness']),
    );
  });

  it('reports every problem of every file at once, each with its file, JSON pointer and fix', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sp-vectors-'));
    const good = {
      id: 'sp:a',
      title: 't',
      area: 'lookup',
      requirements: ['SP-FIND-DEVICE'],
      given: {
        accounts: [{ name: 'acme', key: 'key-1234' }],
        users: [{ account: 'acme', username: 'mandy' }],
        devices: [{ ref: 'd1', account: 'acme', username: 'mandy' }],
      },
      steps: [
        {
          body: {
            type: 'find_device',
            spAccountLoginName: '{{account:acme}}',
            spAccountLoginKey: '{{key:acme}}',
            deviceId: '{{device:d1}}',
          },
          expect: { errorCode: 0 },
        },
      ],
    };
    await writeFile(
      path.join(dir, 'a.json'),
      JSON.stringify({
        vectors: [
          good,
          { ...good, requirements: ['SP-NOPE'] },
          { ...good, id: 'sp:b', steps: [{ body: { ...good.steps[0]!.body, deviceId: '{{device:d9}}' } }] },
          { ...good, id: 'sp:c', steps: [{ ...good.steps[0], expect: { errorCode: 9021 } }] },
          { ...good, id: 'sp:d', given: { ...good.given, users: [{ account: 'globex', username: 'mandy' }] } },
        ],
      }),
    );
    await writeFile(
      path.join(dir, 'b.json'),
      JSON.stringify({ vectors: [{ id: 'sp bad!', title: 't', area: 'nowhere', requirements: [], steps: [] }] }),
    );
    await writeFile(path.join(dir, 'c.json'), '{ not json');
    const error = await loadSurePassIdVectors(dir, dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HarnessError);
    const problems = (error as HarnessError).problems.map((p) => `${p.file} ${p.path}: ${p.message}`);
    const text = problems.join('\n');
    expect((error as HarnessError).code).toBe('HARNESS_VECTORS_INVALID');
    expect(text).toMatch(/a\.json \/vectors\/1\/id: duplicate vector id "sp:a"/);
    expect(text).toMatch(/a\.json \/vectors\/1\/requirements\/0: unknown requirement "SP-NOPE"/);
    expect(text).toMatch(/a\.json \/vectors\/2\/steps\/0: \{\{device:d9\}\} names no device ref/);
    expect(text).toMatch(
      /a\.json \/vectors\/3\/steps\/0\/expect: expect says errorCode 9021 DeviceNotFound, the model says 0 Success/,
    );
    expect(text).toMatch(/a\.json \/vectors\/4\/given\/users\/0\/account: no account "globex"/);
    expect(text).toMatch(/b\.json \/vectors\/0\/id: .*pattern/);
    expect(text).toMatch(/b\.json \/vectors\/0\/area: must be one of/);
    expect(text).toMatch(/c\.json : invalid JSON at line 1, column 3: .*: fix the syntax there/);
  });
});

describe('the requirement catalogue', () => {
  it('has unique ids, and every quote from the seed is in the seed, word for word', async () => {
    expect(new Set(REQUIREMENTS.map((r) => r.id)).size).toBe(REQUIREMENTS.length);
    const seedFile = path.resolve(ROOT, '../shared/seeds/003_c3017c30f6494908.txt');
    const fallback = '/work/shared/seeds/003_c3017c30f6494908.txt';
    const file = existsSync(seedFile) ? seedFile : fallback;
    const flat = (s: string) => s.replace(/\s+/g, ' ').trim();
    const seed = flat(await readFile(file, 'utf8'));
    const fromSeed = REQUIREMENTS.filter((r) => r.source.startsWith('surepassid-ota-provisioning.txt'));
    expect(fromSeed.length).toBeGreaterThanOrEqual(4);
    for (const r of fromSeed) expect(seed, r.id).toContain(flat(r.quote));
  });
});
