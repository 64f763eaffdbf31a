/**
 * A run stopped from outside (Ctrl-C, a CI timeout's SIGTERM, SIGKILL, Ctrl-C through npx) never leaves an
 * earlier run's green summary.json or junit.xml behind, and exits as README promises: 1 after one SIGINT or
 * SIGTERM, 128 + the signal after a second one. Each test runs the real CLI (`bin/harness.js`) against a slow
 * adapter on loopback, in an output directory that already holds a green run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SummaryFile } from '../../src/reporters/summary.ts';
import { BIN, KEY, ROOT, repoPaths, runCli, tempProject } from '../e2e/helpers.ts';
import { startFaultyAdapter, type FaultyAdapter } from './faulty-adapter.ts';

const open: { close(): Promise<void> }[] = [];
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) continue;
    try {
      process.kill(-child.pid, 'SIGKILL'); // a detached child leads its own process group
    } catch {
      child.kill('SIGKILL');
    }
  }
  await Promise.all(open.splice(0).map((a) => a.close()));
});

interface Project {
  dir: string;
  reports: string;
  adapter: FaultyAdapter;
}

/** A project whose reports/ holds a green run, and an adapter slow enough that a full run takes minutes. */
async function greenProject(delayMs: number, timeoutMs = 10_000): Promise<Project> {
  const adapter = await startFaultyAdapter('slow', { obfuscationKey: KEY, delayMs: 0 });
  open.push(adapter);
  const dir = tempProject(
    `export default { ${repoPaths()} obfuscation: { key: '${KEY}' }, timeoutMs: ${timeoutMs},\n` +
      `  targets: [{ name: 'lab-phone', driver: 'http', options: { url: '${adapter.url}', timeoutMs: ${timeoutMs} } }] };\n`,
  );
  const reports = path.join(dir, 'reports');
  const green = await runCli(['run', '--target', 'lab-phone', '--grep', 'om:ex-complete'], dir);
  expect(green.code).toBe(0);
  adapter.setDelay(delayMs);
  expect(summaryOf(reports)).toMatchObject({ status: 'complete', conformant: true, exitCode: 0 });
  expect(readFileSync(path.join(reports, 'junit.xml'), 'utf8')).toMatch(/errors="0"/);
  return { dir, reports, adapter };
}

function summaryOf(reports: string): SummaryFile & { message?: string } {
  return JSON.parse(readFileSync(path.join(reports, 'summary.json'), 'utf8')) as SummaryFile & { message?: string };
}

function linesOf(file: string): string[] {
  return existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
    : [];
}

interface Running {
  child: ChildProcess;
  stderr: () => string;
  stdout: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(
  command: string,
  args: string[],
  cwd: string,
  detached = false,
  env: Record<string, string> = {},
): Running {
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached,
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  return { child, stderr: () => stderr, stdout: () => stdout, exit };
}

/** Waits until the new run has started (its summary.json says so) and streamed `n` results of its own. */
async function untilResults(reports: string, n: number): Promise<void> {
  const deadline = Date.now() + 40_000;
  const started = () => {
    try {
      return summaryOf(reports).status === 'in-progress';
    } catch {
      return false; // between the green file and the new one
    }
  };
  while (!started() || linesOf(path.join(reports, 'results.jsonl')).length < n) {
    if (Date.now() > deadline) throw new Error('the run streamed no results');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** What CI would read mid-run (or after a kill): not green, whoever reads it and however. */
function expectNotGreenMidRun(reports: string): void {
  const summary = summaryOf(reports);
  expect(summary.status).toBe('in-progress');
  expect(summary.conformant).toBe(false);
  expect(summary.exitCode).toBe(1);
  expect(summary.message).toMatch(/has not finished/);
  // No counts at all: a reader checking `counts.fail === 0` gets an error or `undefined`, never green.
  expect(summary.counts).toBeUndefined();
  const junit = readFileSync(path.join(reports, 'junit.xml'), 'utf8');
  expect(junit).toMatch(
    /<testcase name="run-in-progress"[^>]*>\s*<error message="the run started at [^"]* has not finished/,
  );
  expect(junit).toMatch(/<testsuites [^>]*errors="1"/);
  // The Allure results say it too (a killed run's report must not look like a green one).
  expect(existsSync(path.join(reports, 'allure-results/provisioning-harness-run-result.json'))).toBe(true);
}

/** The plan size the run announced when it began ("Running 1,891 cases on 1 target: …"). */
function plannedOf(stdout: string): number {
  const m = /Running ([\d,]+) cases/.exec(stdout);
  if (!m) throw new Error(`the run announced no plan:\n${stdout}`);
  return Number(m[1]!.replace(/,/g, ''));
}

function expectInterruptedReports(reports: string, planned: number): void {
  const summary = summaryOf(reports);
  expect(summary).toMatchObject({ status: 'interrupted', interrupted: true, conformant: false, exitCode: 1 });
  expect(summary.total).toBeGreaterThanOrEqual(3);
  expect(summary.notRun).toBeGreaterThan(100);
  expect(summary.total + summary.notRun).toBe(planned);
  const junit = readFileSync(path.join(reports, 'junit.xml'), 'utf8');
  expect(junit).not.toContain('run-in-progress');
  expect(junit).toMatch(/<error message="[\d,]+ case\(s\) not run: the run was interrupted"/);
  expect(existsSync(path.join(reports, 'allure-results/provisioning-harness-run-result.json'))).toBe(false);
  // Every line of results.jsonl is this run's: as many as the summary counts.
  expect(linesOf(path.join(reports, 'results.jsonl')).length).toBe(summary.total);
}

describe('a run stopped from outside', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal}: finishes or abandons the cases in flight, writes every report as interrupted, exits 1`, async () => {
      const { dir, reports } = await greenProject(100);
      const run = start(process.execPath, [BIN, 'run', '--target', 'lab-phone'], dir);
      await untilResults(reports, 3);
      expectNotGreenMidRun(reports);
      const sentAt = Date.now();
      run.child.kill(signal);
      const { code } = await run.exit;
      expect(Date.now() - sentAt).toBeLessThan(10_000);
      expect(code).toBe(1);
      expect(run.stderr()).toContain(`Interrupted (${signal})`);
      expect(run.stdout()).toMatch(/not run on lab-phone: the run was interrupted/);
      expect(run.stdout()).not.toMatch(/conformant/);
      expectInterruptedReports(reports, plannedOf(run.stdout() + run.stderr()));
    });
  }

  it('SIGKILL: leaves the "in progress" summary.json and junit.xml, never the earlier green ones', async () => {
    const { dir, reports } = await greenProject(100);
    const startedAt = Date.now();
    const run = start(process.execPath, [BIN, 'run', '--target', 'lab-phone'], dir);
    await untilResults(reports, 3);
    run.child.kill('SIGKILL');
    expect((await run.exit).signal).toBe('SIGKILL');
    expectNotGreenMidRun(reports);
    // results.jsonl holds only cases of the killed run.
    const lines = linesOf(path.join(reports, 'results.jsonl'));
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const line of lines) expect((JSON.parse(line) as { start: number }).start).toBeGreaterThanOrEqual(startedAt);
  });

  it('a second signal quits at once (130), and the reports still say the run did not finish', async () => {
    // Each provision takes 5 s: the first SIGINT waits for the case in flight, the second does not.
    const { dir, reports } = await greenProject(5_000, 20_000);
    const run = start(process.execPath, [BIN, 'run', '--target', 'lab-phone'], dir);
    await untilResults(reports, 1);
    run.child.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 1_200));
    const sentAt = Date.now();
    run.child.kill('SIGINT');
    const { code } = await run.exit;
    expect(Date.now() - sentAt).toBeLessThan(1_000);
    expect(code).toBe(130);
    expect(run.stderr()).toMatch(/SIGINT again: quitting at once/);
    expectNotGreenMidRun(reports);
  });

  // npm runs a package's bin through its script shell (`sh -c`). Ctrl-C in a terminal sends SIGINT to the
  // whole process group: npm (which forwards it again), the shell and the harness. The harness takes the two
  // SIGINTs for one. Where /bin/sh is dash (Debian, Ubuntu) the shell dies of the signal at once, so npx
  // exits 130 whatever the harness does, while the harness still finishes its reports: README documents it.
  for (const shell of ['bash', 'sh'] as const) {
    it(`Ctrl-C through npx (script shell ${shell}): interrupted reports; npx exits 1 ${shell === 'bash' ? '' : 'or dies of SIGINT with its shell'}`, async () => {
      const { dir, reports } = await greenProject(100);
      const run = start(
        'npx',
        ['harness', 'run', '--config', path.join(dir, 'harness.config.ts'), '--target', 'lab-phone'],
        ROOT,
        true,
        { npm_config_script_shell: shell },
      );
      await untilResults(reports, 3);
      process.kill(-(run.child.pid ?? 0), 'SIGINT'); // as a terminal's Ctrl-C does: the whole group
      const { code, signal } = await run.exit;
      if (shell === 'bash') expect(code).toBe(1);
      else expect(code === 1 || signal === 'SIGINT').toBe(true);
      // The harness itself went on to write its reports (under sh, maybe after npx returned).
      const deadline = Date.now() + 10_000;
      while (summaryOf(reports).status === 'in-progress' && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      expectInterruptedReports(reports, plannedOf(run.stdout() + run.stderr()));
    });
  }

  it('Ctrl-C through npx during `harness certify`: a signed bundle and its .tar.gz, both valid, not certifiable', async () => {
    const { dir } = await greenProject(100);
    const made = await runCli(['keygen', '--out', 'keys'], dir);
    expect(made.code, made.stderr).toBe(0);
    const bundle = path.join(dir, 'bundle');
    const run = start(
      'npx',
      [
        'harness',
        'certify',
        ...['--config', path.join(dir, 'harness.config.ts'), '--target', 'lab-phone', '--fuzz-time', '0'],
        ...['--key', path.join(dir, 'keys/harness-signing.key'), '--bundle', bundle],
      ],
      ROOT,
      true,
      { npm_config_script_shell: 'bash' },
    );
    await untilResults(bundle, 3);
    process.kill(-(run.child.pid ?? 0), 'SIGINT'); // the terminal's Ctrl-C; npm forwards a second copy
    const { code } = await run.exit;
    expect(code, run.stderr()).toBe(1);
    expect(run.stderr()).toContain('Interrupted (SIGINT): finishing the cases in flight, then writing the bundle');
    expect(run.stdout()).toMatch(/NOT CERTIFIABLE[\s\S]*the run was interrupted/);
    for (const given of [bundle, `${bundle}.tar.gz`]) {
      const verified = await runCli(['verify', given, '--key', path.join(dir, 'keys/harness-signing.pub')], dir);
      expect(verified.code, verified.stdout + verified.stderr).toBe(0);
      expect(verified.stdout).toMatch(/VALID: .* is what the harness recorded \(but NOT CERTIFIABLE/);
    }
  });

  it('an interrupted `harness fuzz` exits 1 (a budget not spent is no verdict)', async () => {
    const dir = tempProject(`export default { ${repoPaths()} obfuscation: { key: '${KEY}' } };\n`);
    const run = start(process.execPath, [BIN, 'fuzz', '--target', 'emulated-android', '--time', '60s'], dir);
    const deadline = Date.now() + 30_000;
    while (!run.stderr().includes('fuzzing emulated-android') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 500));
    run.child.kill('SIGINT');
    const { code } = await run.exit;
    expect(run.stderr()).toContain('Interrupted (SIGINT)');
    expect(run.stderr()).toContain('fuzz run interrupted before its budget was spent: exit 1');
    expect(code).toBe(1);
  });
});
