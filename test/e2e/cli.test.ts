/** The real CLI, run as a user runs it, in a temporary project. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KEY, repoPaths, runCli, tempProject } from './helpers.ts';

const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at .+:\d+:\d+/);

describe('harness CLI', () => {
  it('runs a slice of the plan and writes every report', async () => {
    const dir = tempProject(`export default { ${repoPaths()} obfuscation: { key: '${KEY}' } };\n`);
    const run = await runCli(['run', '--grep', 'OM-LEN-USERNAME'], dir);
    expect(run.stderr + run.stdout).not.toContain('internal error');
    expect(run.code).toBe(0);
    for (const file of ['summary.json', 'junit.xml', 'results.jsonl'])
      expect(existsSync(path.join(dir, 'reports', file))).toBe(true);
    const summary = JSON.parse(readFileSync(path.join(dir, 'reports/summary.json'), 'utf8')) as {
      total: number;
      counts: Record<string, number>;
    };
    expect(summary.total).toBeGreaterThan(10);
    expect(summary.counts['fail']).toBe(0);
    expect(run.stdout).toMatch(/emulated-android/);
  });

  it('exits 1 and reports the failure with its replay command when a defect is caught', async () => {
    const dir = tempProject(
      `export default { ${repoPaths()} obfuscation: { key: '${KEY}' },\n targets: [{ name: 'bad', driver: 'emulated', options: { platform: 'android', defects: ['username-limit-off-by-one'] } }] };\n`,
    );
    const run = await runCli(
      ['run', '--grep', 'OM-LEN-USERNAME', '--reporter', 'console', '--reporter', 'summary'],
      dir,
    );
    expect(run.code).toBe(1);
    const summary = JSON.parse(readFileSync(path.join(dir, 'reports/summary.json'), 'utf8')) as {
      failures: { id: string; replay: string; requirements: string[] }[];
    };
    expect(summary.failures.length).toBeGreaterThan(0);
    expect(summary.failures[0]?.replay).toMatch(/^npx harness run --target bad --grep /);
    expect(summary.failures.some((f) => f.requirements.includes('OM-LEN-USERNAME'))).toBe(true);
  });

  it('explains a case rule by rule', async () => {
    const dir = tempProject(`export default { ${repoPaths()} obfuscation: { key: '${KEY}' } };\n`);
    const list = await runCli(['list', '--json'], dir);
    expect(list.code).toBe(0);
    const cases = JSON.parse(list.stdout) as { id: string }[];
    expect(cases.length).toBeGreaterThanOrEqual(1000);
    const id = cases.find((c) => c.id.includes('@android-url'))?.id as string;
    const explained = await runCli(['explain', id], dir);
    expect(explained.code).toBe(0);
    expect(explained.stdout).toContain(id);
    expect(explained.stdout).toMatch(/OM-ROUTE-ANDROID-URL-COM/);
    const unknown = await runCli(['explain', 'OM-NOPE@ios-url'], dir);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('HARNESS_CASE_UNKNOWN');
  });

  it('suggests the nearest case ids for an unknown one, as commands that run', async () => {
    const dir = tempProject(`export default { ${repoPaths()} obfuscation: { key: '${KEY}' } };\n`);
    const near = await runCli(['explain', 'OM-EX-COMPLETE@android-url'], dir);
    expect(near.code).toBe(2);
    const suggested = /Did you mean:\n {2}(npx harness explain om:ex-complete-android@android-url)\n/.exec(near.stderr);
    expect(suggested).not.toBeNull();
    noStack(near.stderr);
    const args = (suggested?.[1] ?? '').split(' ').slice(2);
    const ran = await runCli(args, dir);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain('om:ex-complete-android@android-url');
  });

  it('rejects a bad config with exit 2, naming the file, the field and the fix, without a stack trace', async () => {
    const dir = tempProject(
      `export default { targets: [{ name: 'x', driver: 'emulated', optoins: {} }], timeoutMs: 'soon' };\n`,
    );
    const run = await runCli(['run'], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('HARNESS_CONFIG_INVALID');
    expect(run.stderr).toContain('harness.config.ts targets[0]: unknown option "optoins"');
    expect(run.stderr).toContain('harness.config.ts timeoutMs: must be integer, got "soon"');
    noStack(run.stderr);
  });

  it('rejects an unknown flag and an unknown driver option with exit 2', async () => {
    const dir = tempProject(
      `export default { ${repoPaths()} targets: [{ name: 'x', driver: 'emulated', options: { platform: 'windows' } }] };\n`,
    );
    const flag = await runCli(['run', '--gerp', 'x'], dir);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('HARNESS_USAGE');
    const driver = await runCli(['run'], dir);
    expect(driver.code).toBe(2);
    expect(driver.stderr).toMatch(/platform/);
    noStack(driver.stderr);
  });

  it('rejects a vector whose own expectation the model does not reproduce, naming both sides', async () => {
    const dir = tempProject('');
    const vectors = path.join(dir, 'vectors');
    mkdirSync(vectors);
    const wrong = {
      id: 'om:my-username-101',
      title: 'A 101-character username (expectation written wrongly as success)',
      area: 'length-limits',
      requirements: ['OM-LEN-USERNAME'],
      platforms: ['android'],
      methods: ['intent'],
      when: { query: `pid=9945&username=${'u'.repeat(101)}` },
      then: { handled: true, result: [0] },
    };
    writeFileSync(path.join(vectors, 'mine.json'), JSON.stringify({ vectors: [wrong] }));
    writeFileSync(
      path.join(dir, 'harness.config.ts'),
      `export default { profiles: ${JSON.stringify(path.resolve('vectors/openmobile/profiles.json'))}, vectors: 'vectors' };\n`,
    );
    const run = await runCli(['run'], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'vectors/mine.json /vectors/0/then (om:my-username-101): on android intent the model predicts otherwise',
    );
    expect(run.stderr).toContain('[23]');
    noStack(run.stderr);
  });

  it('reports every problem of every invalid vector file at once, with exit 2', async () => {
    const dir = tempProject('');
    const vectors = path.join(dir, 'vectors');
    mkdirSync(vectors);
    writeFileSync(
      path.join(vectors, 'a.json'),
      JSON.stringify({
        vectors: [
          {
            id: 'om:a',
            title: 't',
            area: 'routing',
            requirements: ['OM-ROUTE-IOS'],
            platforms: ['iOS'],
            when: { query: '' },
            then: { handled: true, result: [0] },
          },
        ],
      }),
    );
    writeFileSync(path.join(vectors, 'b.json'), '{ "vectors": [ }');
    writeFileSync(
      path.join(dir, 'harness.config.ts'),
      `export default { profiles: ${JSON.stringify(path.resolve('vectors/openmobile/profiles.json'))}, vectors: 'vectors' };\n`,
    );
    const run = await runCli(['run'], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('HARNESS_VECTORS_INVALID');
    expect(run.stderr).toMatch(/a\.json \/vectors\/0\/platforms\/0/);
    expect(run.stderr).toMatch(/b\.json/);
    noStack(run.stderr);
  });
});
