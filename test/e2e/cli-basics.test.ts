/** What a new user tries first: --version, the help's exit codes, `list | head`, `list --target`, the plan size. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, KEY, repoPaths, ROOT, runCli, runProcess, tempProject } from './helpers.ts';

const project = () => tempProject(`export default { ${repoPaths()} obfuscation: { key: '${KEY}' } };\n`);

/** A shell pipeline, as typed. */
const sh = (line: string, cwd: string) => runProcess('/bin/sh', ['-c', line], cwd);

describe('harness CLI basics', { timeout: 120_000 }, () => {
  it('--version prints the package version; the help lists every exit code', async () => {
    const version = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    const v = await runCli(['--version'], ROOT);
    expect(v.code).toBe(0);
    expect(v.stdout).toBe(`provisioning-harness ${version}\n`);
    const help = await runCli(['--help'], ROOT);
    expect(help.code).toBe(0);
    for (const code of ['0', '1', '2', '3', '130']) expect(help.stdout).toMatch(new RegExp(`^ {2}${code} +\\S`, 'm'));
    expect(help.stdout).toMatch(/^ {2}serve profiles /m);
  });

  it('`list | head` ends quietly when head has read enough', async () => {
    const run = await sh(`'${process.execPath}' '${BIN}' list | head -3; echo "list exited $?"`, project());
    expect(run.stdout.split('\n').filter((l) => l.includes('@'))).toHaveLength(3);
    expect(run.stderr).toBe('');
  });

  it("`list --target emulated-ios` lists that target's plan only", async () => {
    const dir = project();
    const ios = await runCli(['list', '--target', 'emulated-ios', '--json'], dir);
    expect(ios.code).toBe(0);
    const ids = (JSON.parse(ios.stdout) as { id: string }[]).map((c) => c.id);
    expect(ids.length).toBeGreaterThan(500);
    expect(ids.filter((id) => !id.endsWith('@ios-url'))).toEqual([]);
    const all = await runCli(['list', '--json'], dir);
    expect((JSON.parse(all.stdout) as { id: string }[]).some((c) => c.id.endsWith('@android-intent'))).toBe(true);
  });

  it('announces the number of results the run ends with (cases and run-level checks)', async () => {
    const run = await runCli(['run', '--grep', 'OM-LEN-USERNAME', '--reporter', 'console'], project());
    expect(run.code).toBe(0);
    const announced = /Running ([\d,]+) cases/.exec(run.stderr + run.stdout)?.[1];
    const ended = /^([\d,]+) cases in /m.exec(run.stdout + run.stderr)?.[1];
    expect(announced).toBeDefined();
    expect(ended).toBe(announced);
  });
});
