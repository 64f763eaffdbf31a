/**
 * The implementation conformance statement through the real CLI (docs/ics.md): `harness ics` writes the
 * statement a target shows, `run --ics` passes the same target against it, the same statement with one
 * choice point's option changed fails exactly the cases that showed that choice (naming the declaration,
 * exit 1), and a bad statement is refused with exit 2 naming the field. For the emulated Android client and
 * for a SurePassID server that takes the other permitted options (a variant of the reference server).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSurePassIdReference, type SurePassIdReference } from '../../drivers/emulated/surepassid/server.ts';
import type { Ics } from '../../src/core/ics.ts';
import type { CaseResult } from '../../src/core/results.ts';
import { ROOT, runCli, tempProject } from './helpers.ts';

const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;

function results(dir: string): CaseResult[] {
  return readFileSync(path.join(dir, 'results.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as CaseResult);
}

/** A copy of `ics` with `suite`'s `point` declared as `option`, written to `file`. */
function declaring(ics: Ics, suite: string, point: string, option: string, file: string): string {
  const changed = structuredClone(ics);
  const statement = changed.suites[suite];
  if (statement === undefined) throw new Error(`no ${suite} statement`);
  statement.choices[point] = option;
  writeFileSync(file, JSON.stringify(changed, null, 2));
  return file;
}

describe('harness ics and run --ics on the emulated Android client', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'harness-ics-'));
  const observedFile = path.join(dir, 'observed.ics.json');
  let observed: Ics;
  let asDeclared: CaseResult[];

  beforeAll(async () => {
    const written = await runCli(['ics', '--target', 'emulated-android', '--output', observedFile], ROOT);
    expect(written.code, written.stderr).toBe(0);
    expect(written.stdout).toContain(`Wrote ${observedFile}: the conformance statement emulated-android showed`);
    // The next command, with the file as the directory it was run from reaches it (relative or absolute,
    // whichever is shorter there).
    const next = /npx harness run --target emulated-android --ics (\S+)/.exec(written.stdout);
    expect(next, written.stdout).not.toBeNull();
    expect(path.resolve(ROOT, next?.[1] ?? '')).toBe(observedFile);
    observed = readJson<Ics>(observedFile);
  }, 180_000);

  it('writes the statement the client shows: the example file is that statement', () => {
    const statement = observed.suites['openmobile'];
    expect(statement?.identity).toEqual({ product: 'emulated-android', version: '3.2.0-emulated' });
    expect(statement?.platforms).toEqual(['android']);
    expect(statement?.methods).toEqual(['url', 'intent']);
    expect(statement?.capabilities).toEqual(['state', 'logs', 'network', 'concurrency']);
    const example = readJson<Ics>(path.join(ROOT, 'examples/ics/emulated-android.ics.json'));
    expect(example.suites['openmobile']?.choices).toEqual(statement?.choices);
  });

  it('passes the client against the statement it showed', async () => {
    const out = path.join(dir, 'as-declared');
    const run = await runCli(
      ['run', '--target', 'emulated-android', '--ics', observedFile, '--output', out, '--reporter', 'jsonl'],
      ROOT,
    );
    expect(run.code, run.stderr).toBe(0);
    asDeclared = results(out);
    expect(asDeclared.filter((r) => r.verdict === 'fail' || r.verdict === 'broken')).toEqual([]);
    expect(asDeclared.length).toBeGreaterThan(1000);
  }, 180_000);

  it('fails exactly the cases that showed a choice declared otherwise, naming the declaration', async () => {
    const file = declaring(
      observed,
      'openmobile',
      'OM-CHOICE-PLUS',
      'literal',
      path.join(dir, 'plus-literal.ics.json'),
    );
    const out = path.join(dir, 'plus-literal');
    const run = await runCli(
      ['run', '--target', 'emulated-android', '--ics', file, '--output', out, '--reporter', 'jsonl'],
      ROOT,
    );
    expect(run.code, run.stderr).toBe(1);
    const failed = results(out).filter((r) => r.verdict === 'fail');
    const showedPlus = asDeclared.filter((r) => r.choices['OM-CHOICE-PLUS'] === 'space').map((r) => r.id);
    expect(showedPlus.length).toBeGreaterThan(3);
    expect(failed.map((r) => r.id).sort()).toEqual(showedPlus.sort());
    for (const r of failed) {
      expect(r.message).toContain(
        `${file} /suites/openmobile/choices/OM-CHOICE-PLUS declares "literal"; the target did "space"`,
      );
      expect(r.category).toBe('inconsistent-choice');
    }
  }, 180_000);

  it('fails the answers that put two checks in another order than the declared one', async () => {
    const swapped = structuredClone(observed);
    const statement = swapped.suites['openmobile'];
    if (statement === undefined) throw new Error('no openmobile statement');
    // The client checks test and autologin before the username's length.
    statement.precedence = ['OM-LEN-USERNAME', 'OM-PARAM-BOOL'];
    const file = path.join(dir, 'precedence.ics.json');
    writeFileSync(file, JSON.stringify(swapped));
    const out = path.join(dir, 'precedence');
    const run = await runCli(
      ['run', '--target', 'emulated-android', '--ics', file, '--output', out, '--reporter', 'jsonl'],
      ROOT,
    );
    expect(run.code, run.stderr).toBe(1);
    const failed = results(out).filter((r) => r.verdict === 'fail');
    expect(failed.length).toBeGreaterThan(3);
    for (const r of failed) {
      expect(r.category).toBe('precedence');
      expect(r.message).toMatch(
        new RegExp(
          `^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} /suites/openmobile/precedence declares "OM-LEN-USERNAME" before "OM-PARAM-BOOL"; the target answered OM-PARAM-BOOL:(test|autologin) \\(11\\) over OM-LEN-USERNAME \\(23\\)`,
        ),
      );
    }
  }, 180_000);

  it('refuses a bad statement with exit 2, naming the field and the fix, before anything runs', async () => {
    const file = path.join(dir, 'bad.ics.json');
    const bad = structuredClone(observed);
    const statement = bad.suites['openmobile'];
    if (statement === undefined) throw new Error('no openmobile statement');
    statement.choices['OM-CHOICE-PLUS'] = 'spaces';
    statement.precedence = ['OM-CODE-20-DOMAIN', 'OM-LEN-USERNAME'];
    writeFileSync(file, JSON.stringify(bad));
    const run = await runCli(
      ['run', '--target', 'emulated-android', '--ics', file, '--output', path.join(dir, 'bad')],
      ROOT,
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('HARNESS_ICS_INVALID: 2 problem(s) in the conformance statement');
    expect(run.stderr).toContain(
      `${file} /suites/openmobile/choices/OM-CHOICE-PLUS: "spaces" is not an option of OM-CHOICE-PLUS: did you mean "space"?`,
    );
    expect(run.stderr).toContain(
      `${file} /suites/openmobile/precedence/0: "OM-CODE-20-DOMAIN" is declared before "OM-LEN-USERNAME"`,
    );
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stdout).toBe('');
  });

  it('refuses a target of another platform than the statement declares', async () => {
    const run = await runCli(
      ['run', '--target', 'emulated-ios', '--ics', observedFile, '--output', path.join(dir, 'ios')],
      ROOT,
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `${observedFile} /suites/openmobile/platforms declares "android", and target emulated-ios is ios`,
    );
  });
});

describe('harness ics and run --ics on a SurePassID server', () => {
  let server: SurePassIdReference;
  let project: string;
  let observed: Ics;

  beforeAll(async () => {
    // A server that takes the other permitted options: `type` in any letter case, `algorithm` spelt sha1.
    server = await startSurePassIdReference({ variants: ['type-any-case', 'algorithm-lower-case'] });
    project = tempProject(
      `export default { targets: [{ name: 'surepassid-vendor', driver: 'surepassid', options: { url: ${JSON.stringify(server.url)} } }] };\n`,
    );
    const written = await runCli(['ics', '--target', 'surepassid-vendor'], project);
    expect(written.code, written.stderr).toBe(0);
    expect(written.stdout).toContain('Wrote harness.ics.json: the conformance statement surepassid-vendor showed');
    observed = readJson<Ics>(path.join(project, 'harness.ics.json'));
  }, 180_000);

  afterAll(async () => {
    await server.close();
  });

  it('writes the choices the server showed, and passes it against them', async () => {
    expect(observed.suites['surepassid']?.choices).toEqual({
      'SP-CHOICE-KEYURI-ALGORITHM-CASE': 'other-case',
      'SP-CHOICE-TYPE-CASE': 'accepted',
    });
    const run = await runCli(
      ['run', '--target', 'surepassid-vendor', '--ics', 'harness.ics.json', '--reporter', 'jsonl'],
      project,
    );
    expect(run.code, run.stderr).toBe(0);
    const all = results(path.join(project, 'reports'));
    expect(all.filter((r) => r.verdict === 'fail' || r.verdict === 'broken')).toEqual([]);
  }, 180_000);

  it('fails the cases that showed a choice declared otherwise, naming the declaration', async () => {
    declaring(observed, 'surepassid', 'SP-CHOICE-TYPE-CASE', 'refused', path.join(project, 'refused.ics.json'));
    const run = await runCli(
      [
        'run',
        '--target',
        'surepassid-vendor',
        '--ics',
        'refused.ics.json',
        '--output',
        'refused',
        '--reporter',
        'jsonl',
      ],
      project,
    );
    expect(run.code, run.stderr).toBe(1);
    const failed = results(path.join(project, 'refused')).filter((r) => r.verdict === 'fail');
    expect(failed.map((r) => r.id)).toContain('sp:type-case');
    for (const r of failed) {
      expect(r.choices['SP-CHOICE-TYPE-CASE']).toBe('accepted');
      expect(r.message).toContain(
        'refused.ics.json /suites/surepassid/choices/SP-CHOICE-TYPE-CASE declares "refused"; the target did "accepted"',
      );
    }
  }, 180_000);

  it("records the reference server's own reading, so a statement declaring the other option fails on it", async () => {
    const file = path.join(project, 'reference.ics.json');
    const written = await runCli(['ics', '--target', 'surepassid-reference', '--output', file], ROOT);
    expect(written.code, written.stderr).toBe(0);
    const reference = readJson<Ics>(file);
    expect(reference.suites['surepassid']?.choices).toEqual({
      'SP-CHOICE-KEYURI-ALGORITHM-CASE': 'format-case',
      'SP-CHOICE-TYPE-CASE': 'refused',
    });
    const accepted = declaring(reference, 'surepassid', 'SP-CHOICE-TYPE-CASE', 'accepted', file);
    const out = path.join(project, 'reference');
    const run = await runCli(
      ['run', '--target', 'surepassid-reference', '--ics', accepted, '--output', out, '--reporter', 'jsonl'],
      ROOT,
    );
    expect(run.code, run.stderr).toBe(1);
    const failed = results(out).filter((r) => r.verdict === 'fail');
    expect(failed.map((r) => r.id)).toEqual(['sp:type-case']);
    expect(failed[0]?.message).toBe(
      `${file} /suites/surepassid/choices/SP-CHOICE-TYPE-CASE declares "accepted"; the target did "refused"`,
    );
  }, 180_000);

  it('makes the cases of an undeclared capability not applicable, naming the statement', async () => {
    const withoutHooks = structuredClone(observed);
    const statement = withoutHooks.suites['surepassid'];
    if (statement === undefined) throw new Error('no surepassid statement');
    statement.capabilities = [];
    writeFileSync(path.join(project, 'no-hooks.ics.json'), JSON.stringify(withoutHooks));
    const run = await runCli(
      [
        'run',
        '--target',
        'surepassid-vendor',
        '--ics',
        'no-hooks.ics.json',
        '--output',
        'no-hooks',
        '--reporter',
        'jsonl',
      ],
      project,
    );
    expect(run.code, run.stderr).toBe(0);
    const skipped = results(path.join(project, 'no-hooks')).filter((r) => r.verdict === 'not-applicable');
    expect(skipped.length).toBeGreaterThan(10);
    for (const r of skipped) {
      expect(r.missing).toEqual(['test-hooks']);
      expect(r.message).toBe(
        'needs the test-hooks capability, which no-hooks.ics.json /suites/surepassid/capabilities does not declare',
      );
    }
  }, 180_000);
});
