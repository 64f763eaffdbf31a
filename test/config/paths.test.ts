/**
 * Config files wherever a lab keeps them, and the one rule for paths (docs/configuration.md): a path in a
 * config file is relative to that file's folder, a path on the command line to the working directory, and
 * every message names the config file actually used, as seen from where the command ran.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_CHECKS } from '../../src/cli/builtins.ts';
import { loadConfigFile, resolveConfig } from '../../src/config/resolve.ts';
import { ROOT, runCli } from '../e2e/helpers.ts';

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'harness-paths-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

const WITH_DEFINE = `import { defineConfig } from 'provisioning-harness';
export default defineConfig({ targets: [{ name: 'lab-ios', driver: 'emulated', options: { platform: 'ios' } }] });
`;
const PLAIN = `export default { targets: [{ name: 'lab-ios', driver: 'emulated', options: { platform: 'ios' } }] };
`;
const ONE_CASE = ['--grep', 'om:at-domain-fails-all@ios-url', '--reporter', 'summary'];

describe('a config file outside this package', () => {
  it.each([
    ['defineConfig, no package.json', { 'lab.config.ts': WITH_DEFINE }],
    ['defineConfig, an ES module project', { 'lab.config.ts': WITH_DEFINE, 'package.json': '{"type":"module"}' }],
    ['defineConfig, a CommonJS project', { 'lab.config.ts': WITH_DEFINE, 'package.json': '{}' }],
    ['defineConfig, .mts', { 'lab.config.mts': WITH_DEFINE }],
    ['a plain exported object', { 'lab.config.ts': PLAIN }],
  ])('loads (%s), with the harness not installed there', async (_, files) => {
    const dir = folder(files);
    const name = Object.keys(files).find((f) => f.startsWith('lab.config')) ?? '';
    const loaded = await loadConfigFile(dir, name);
    const config = resolveConfig(loaded, {}, {}, dir, CONFIG_CHECKS);
    expect(config.selected.map((t) => t.name)).toEqual(['lab-ios']);
    // The harness's own vectors and catalog are the defaults wherever the config lives; reports go beside it.
    // (the suites' registry entries know where their data is: the config leaves `vectors` and `profiles` unset).
    expect([config.vectors, config.profiles]).toEqual([null, null]);
    expect(config.vectorsRoot).toBe(path.join(ROOT, 'vectors'));
    expect(config.outputDir).toBe(path.join(dir, 'reports'));
    expect(config.fuzz.corpus).toBe(path.join(dir, 'vectors/regressions'));
  });

  it('runs from the command line in that folder', async () => {
    const dir = folder({ 'lab.config.ts': WITH_DEFINE, 'package.json': '{}' });
    const listed = await runCli(['list', '--config', 'lab.config.ts', '--grep', 'om:at-domain-fails-all'], dir);
    expect(listed.stderr).toBe('');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/om:at-domain-fails-all@ios-url/);
  });
});

describe('one rule for paths', () => {
  it('resolves the config file paths against its folder, and --output against the working directory', async () => {
    const dir = folder({ 'lab/sub/lab.config.ts': PLAIN.replace('] };', "], outputDir: 'out' };") });
    const fromFile = await runCli(['run', '--config', 'lab/sub/lab.config.ts', ...ONE_CASE], dir);
    expect(fromFile.code, fromFile.stderr).toBe(0);
    expect(existsSync(path.join(dir, 'lab/sub/out/summary.json'))).toBe(true);
    expect(existsSync(path.join(dir, 'out'))).toBe(false);

    const fromFlag = await runCli(['run', '--config', 'lab/sub/lab.config.ts', '--output', 'here', ...ONE_CASE], dir);
    expect(fromFlag.code, fromFlag.stderr).toBe(0);
    expect(existsSync(path.join(dir, 'here/summary.json'))).toBe(true);
  });

  it('puts reports beside a config in a subfolder by default', async () => {
    const dir = folder({ 'sub/lab.config.ts': PLAIN });
    const run = await runCli(['run', '--config', 'sub/lab.config.ts', ...ONE_CASE], dir);
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(readFileSync(path.join(dir, 'sub/reports/summary.json'), 'utf8')) as {
      total: number;
    };
    expect(summary.total).toBeGreaterThan(0);
  });

  it('names the config file used and the path as seen from the working directory when a path is wrong', async () => {
    const dir = folder({
      'sub/lab.config.ts': PLAIN.replace('] };', "], profiles: 'catalog.json', vectors: '../vectors' };"),
    });
    const run = await runCli(['list', '--config', 'sub/lab.config.ts'], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).not.toMatch(/harness\.config\.ts|\n\s+at /);
    expect(run.stderr).toContain(
      'sub/lab.config.ts profiles: "catalog.json" is sub/catalog.json, which does not exist: give the profile catalog file (paths in a config file are relative to its folder, sub/;',
    );
    expect(run.stderr).toContain('sub/lab.config.ts vectors: "../vectors" is vectors, which does not exist');
  });

  it('names a broken vector file as seen from the working directory', async () => {
    const dir = folder({
      'sub/lab.config.ts': PLAIN.replace('] };', "], vectors: 'my-vectors' };"),
      'sub/my-vectors/broken.json': '{ "vectors": [ { "id": 1 } ] }\n',
    });
    const run = await runCli(['list', '--config', 'sub/lab.config.ts'], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('sub/my-vectors/broken.json');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
