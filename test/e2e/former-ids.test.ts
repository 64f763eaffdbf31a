/**
 * Case ids from before the case-id convention, through the real CLI: a former id given to `--grep`
 * (`run`, `list`), to `explain`, and a kept fuzz failure written under a former id (run from the corpus,
 * and replayed), each works on the case it names now and says so in a `notice:` naming the new id.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers.ts';

let dir = '';

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'former-ids-'));
  writeFileSync(
    path.join(dir, 'harness.config.ts'),
    `export default {
  targets: [
    { name: 'emulated-android', driver: 'emulated', options: { platform: 'android' } },
    { name: 'swivel-reference', driver: 'swivel', options: { reference: true } },
  ],
};\n`,
  );
  // Failures `harness fuzz` kept before case ids changed, in the corpus (vectors/regressions/ beside the
  // config), written as the fuzzer wrote them then.
  const corpus = path.join(dir, 'vectors', 'regressions');
  mkdirSync(path.join(corpus, 'swivel'), { recursive: true });
  writeFileSync(
    path.join(corpus, 'om-reg-emulated-android-sequences-7.json'),
    JSON.stringify({
      vectors: [
        {
          id: 'OM-REG-EMULATED-ANDROID-SEQUENCES-7',
          title: 'Found by the fuzzer on emulated-android',
          area: 'regressions',
          requirements: ['OM-CODE-0-SUCCESS'],
          platforms: ['android'],
          methods: ['url'],
          when: { query: 'pid=9945' },
          then: { handled: true, result: [0] },
          origin: { seed: 7, target: 'emulated-android' },
        },
      ],
    }),
  );
  writeFileSync(
    path.join(corpus, 'swivel', 'sw-reg-1-0.json'),
    JSON.stringify({
      description: 'kept by harness fuzz',
      vectors: [
        {
          id: 'SW-REG-1-0',
          title: 'fuzz agent-bodies on swivel-reference',
          area: 'regressions',
          requirements: ['SW-ERR-INVALID-CODE'],
          steps: [
            { do: 'create-user', username: 'alice' },
            {
              do: 'provision',
              username: 'alice',
              code: '12345678',
              expect: { result: 'FAIL', error: 'AGENT_ERROR_INVALID_PROVISION_CODE' },
            },
          ],
        },
      ],
    }),
  );
});

describe('a former case id', () => {
  it('given to run --grep runs the case it names now, alone, with a notice', async () => {
    const run = await runCli(['run', '--target', 'swivel-reference', '--grep', 'SW-CODE-NONE-ISSUED'], dir);
    expect(run.stderr).toContain(
      'notice: --grep SW-CODE-NONE-ISSUED: "SW-CODE-NONE-ISSUED" is a former case id; it reads sw:code-none-issued now',
    );
    expect(run.code, run.stderr).toBe(0);
    const ids = readFileSync(path.join(dir, 'reports', 'results.jsonl'), 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => (JSON.parse(line) as { id: string }).id);
    expect(ids).toEqual(['sw:code-none-issued']);
  });

  it('given to list --grep lists the case it names now', async () => {
    const run = await runCli(['list', '--grep', 'OM-EX-COMPLETE-ANDROID@android-url'], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^om:ex-complete-android@android-url +examples /);
    expect(run.stdout).toContain('\n1 case(s)');
    expect(run.stderr).toContain('it reads om:ex-complete-android@android-url now');
  });

  it('given to explain explains the case it names now', async () => {
    const run = await runCli(['explain', 'OM-EX-COMPLETE-ANDROID@android-url'], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^om:ex-complete-android@android-url: /);
    expect(run.stderr).toContain(
      'notice: "OM-EX-COMPLETE-ANDROID@android-url" is a former case id; it reads om:ex-complete-android@android-url now: npx harness explain om:ex-complete-android@android-url',
    );
  });
});

describe('a kept failure written under a former id', () => {
  it('runs from the corpus under its new id, and its former id selects it', async () => {
    const run = await runCli(
      ['run', '--target', 'emulated-android', '--grep', 'OM-REG-EMULATED-ANDROID-SEQUENCES-7@android-url'],
      dir,
    );
    expect(run.stderr).toContain(
      'notice: vectors/regressions/om-reg-emulated-android-sequences-7.json /vectors/0/id: "OM-REG-EMULATED-ANDROID-SEQUENCES-7" is a former form of case id; it runs as om:reg-emulated-android-sequences-7',
    );
    expect(run.code, run.stderr).toBe(0);
    const results = readFileSync(path.join(dir, 'reports', 'results.jsonl'), 'utf8');
    expect(results).toContain('"id":"om:reg-emulated-android-sequences-7@android-url"');
    expect(results).not.toContain('OM-REG-');
  });

  it('replays under its new id', async () => {
    const run = await runCli(
      ['replay', 'vectors/regressions/swivel/sw-reg-1-0.json', '--target', 'swivel-reference'],
      dir,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^FIXED +sw:reg-1-0 on swivel-reference$/m);
    expect(run.stderr).toContain('"SW-REG-1-0" is a former form of case id; it runs as sw:reg-1-0');
    // The file's own id is not announced a second time as if it had been typed.
    expect(run.stderr).not.toContain('--grep');
  });
});
