import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSuites, DRIVERS, suiteOf } from '../../src/cli/builtins.ts';
import { OpenMobileSuite } from '../../suites/openmobile/index.ts';
import { resolveConfig } from '../../src/config/resolve.ts';
import type { HarnessConfig } from '../../src/config/types.ts';
import type { DriverFactory } from '../../src/core/driver.ts';
import type { Reporter } from '../../src/core/reporter.ts';
import type { Suite } from '../../src/core/suite.ts';
import type { CaseResult } from '../../src/core/results.ts';
import { runPlan, type RunOutcome } from '../../src/runner/run.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const KEY = '8CC677D6FA2AC487C2FC7AD7232F87D8FCAFD5E9FC0AFBFF23B09D8713BE3463';
export const BIN = path.join(ROOT, 'bin/harness.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI as a user would, in `cwd`. */
export function runCli(args: string[], cwd: string, env: Record<string, string> = {}): Promise<CliRun> {
  return runProcess(process.execPath, [BIN, ...args], cwd, { NO_COLOR: '1', ...env });
}

/** Runs a program in `cwd` (the environment plus `env`) and collects its output and exit code. */
export function runProcess(
  command: string,
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The Open Mobile suite, loaded from the repository's vectors and catalog with the test key. */
export async function loadedOpenMobileSuite(): Promise<OpenMobileSuite> {
  const suite = new OpenMobileSuite();
  await suite.load({
    rootDir: ROOT,
    vectorsDir: path.join(ROOT, 'vectors/openmobile'),
    vectorsRoot: path.join(ROOT, 'vectors'),
    catalogFile: path.join(ROOT, 'vectors/openmobile/profiles.json'),
    obfuscationKey: KEY,
  });
  return suite;
}

/** A temp project dir with a harness.config.ts pointing at the repository's vectors and catalog. */
export function tempProject(config: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'harness-e2e-'));
  writeFileSync(path.join(dir, 'harness.config.ts'), config);
  return dir;
}

export function repoPaths(): string {
  return `profiles: ${JSON.stringify(path.join(ROOT, 'vectors/openmobile/profiles.json'))},\n  vectors: ${JSON.stringify(path.join(ROOT, 'vectors/openmobile'))},`;
}

/** Runs the plan in-process and collects every result (no files). */
export async function runInProcess(
  config: HarnessConfig,
  overrides: { target?: string[]; grep?: string[] } = {},
  drivers: Readonly<Record<string, DriverFactory>> = DRIVERS,
  /** The suite each test-only driver of `drivers` serves (the built-in ones are known). */
  suitesOfDrivers: Readonly<Record<string, string>> = {},
): Promise<{ outcome: RunOutcome; results: CaseResult[] }> {
  const resolved = resolveConfig(
    { file: path.join(ROOT, 'harness.config.ts'), config: { obfuscation: { key: KEY }, ...config } },
    overrides,
    {},
    ROOT,
  );
  const results: CaseResult[] = [];
  const reporter: Reporter = { onCaseEnd: (r) => void results.push(r) };
  const outcome = await runPlan(
    resolved,
    { suites: createSuites(), suiteOf: (t) => suitesOfDrivers[t.driver] ?? suiteOf(t), drivers, reporter },
    { startedAt: new Date().toISOString(), command: 'test', harnessVersion: 'test' },
  );
  return { outcome, results };
}

/** Every file of the repository a clone has or `git add` would take (tracked, or new and not ignored). */
export function repositoryFiles(): string[] {
  return execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    encoding: 'utf8',
  })
    .split('\n')
    .filter((f) => f !== '');
}
