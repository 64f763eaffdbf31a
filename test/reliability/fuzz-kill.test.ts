/**
 * `harness fuzz` stopped from outside never leaves the previous fuzz run's green report standing: at its
 * start summary.json's `fuzz` field becomes "in progress" (no properties) and the Allure results gain a
 * broken "the fuzz run has not finished" result. After SIGKILL that is what stays; after SIGINT the reports
 * say interrupted, exit 1. The real CLI, in an output directory holding a green fuzz run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FuzzSummary } from '../../src/reporters/summary.ts';
import { BIN, KEY, repoPaths, runCli, tempProject } from '../e2e/helpers.ts';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

const MARKER = 'fuzz-run-in-progress-result.json';

function fuzzOf(reports: string): FuzzSummary {
  return (JSON.parse(readFileSync(path.join(reports, 'summary.json'), 'utf8')) as { fuzz: FuzzSummary }).fuzz;
}

function allureFiles(reports: string): string[] {
  const dir = path.join(reports, 'allure-results');
  return existsSync(dir) ? readdirSync(dir) : [];
}

/** A project whose reports/ holds a green fuzz run of emulated-android. */
async function greenFuzz(): Promise<{ dir: string; reports: string }> {
  const dir = tempProject(`export default { ${repoPaths()} obfuscation: { key: '${KEY}' } };\n`);
  const reports = path.join(dir, 'reports');
  const green = await runCli(['fuzz', '--target', 'emulated-android', '--runs', '20'], dir);
  expect(green.code, green.stderr).toBe(0);
  const fuzz = fuzzOf(reports);
  expect(fuzz.status).toBe('complete');
  expect(fuzz.exitCode).toBe(0);
  expect(fuzz.properties.length).toBeGreaterThan(0);
  expect(fuzz.properties.every((p) => p.status === 'passed')).toBe(true);
  expect(allureFiles(reports)).not.toContain(MARKER);
  expect(allureFiles(reports).some((f) => f.startsWith('fuzz-') && f.endsWith('-result.json'))).toBe(true);
  return { dir, reports };
}

/** Starts a long fuzz run and resolves once it is fuzzing. */
async function fuzzing(
  dir: string,
): Promise<{ child: ChildProcess; stderr: () => string; exit: Promise<number | null> }> {
  const child = spawn(process.execPath, [BIN, 'fuzz', '--target', 'emulated-android', '--time', '60s'], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout?.on('data', () => undefined);
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const deadline = Date.now() + 30_000;
  while (!stderr.includes('fuzzing emulated-android') && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
  expect(stderr).toContain('fuzzing emulated-android');
  return { child, stderr: () => stderr, exit };
}

function expectInProgress(reports: string): void {
  const fuzz = fuzzOf(reports);
  expect(fuzz.status).toBe('in-progress');
  expect(fuzz.exitCode).toBe(1);
  expect(fuzz.properties).toEqual([]);
  expect(fuzz.message).toMatch(/has not finished/);
  const marker = JSON.parse(readFileSync(path.join(reports, 'allure-results', MARKER), 'utf8')) as {
    status: string;
    name: string;
  };
  expect(marker).toMatchObject({ status: 'broken', name: 'the fuzz run has not finished' });
}

describe('a fuzz run stopped from outside', () => {
  it('SIGKILL leaves the "in progress" reports, never the last fuzz run\'s green ones', async () => {
    const { dir, reports } = await greenFuzz();
    const run = await fuzzing(dir);
    expectInProgress(reports);
    run.child.kill('SIGKILL');
    await run.exit;
    expectInProgress(reports);
  });

  it('SIGINT writes interrupted reports and exits 1', async () => {
    const { dir, reports } = await greenFuzz();
    const run = await fuzzing(dir);
    await new Promise((r) => setTimeout(r, 500));
    run.child.kill('SIGINT');
    expect(await run.exit).toBe(1);
    const fuzz = fuzzOf(reports);
    expect(fuzz.status).toBe('interrupted');
    expect(fuzz.exitCode).toBe(1);
    expect(allureFiles(reports)).not.toContain(MARKER);
  });
});
