/**
 * Ctrl-C in a terminal during `harness run --target browser+emulated-android`: the terminal sends SIGINT to the
 * whole foreground process group. The cases in flight finish or are counted as not run (the run is reported
 * interrupted); none is reported broken because our own shutdown closed the browser under it, and no
 * message in any report carries ANSI escape codes.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CaseResult } from '../../src/core/results.ts';
import { BIN, KEY, repoPaths, tempProject } from './helpers.ts';

const CHROMIUM = '/usr/bin/chromium';
const ANSI = /\u001b\[/;

let leader: number | undefined;
afterEach(() => {
  if (leader === undefined) return;
  try {
    process.kill(-leader, 'SIGKILL');
  } catch {
    // already gone
  }
  leader = undefined;
});

function lines(file: string): string[] {
  return existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
    : [];
}

describe.skipIf(!existsSync(CHROMIUM))('Ctrl-C on a browser+ target', () => {
  it('reports the run interrupted, with no case broken by the shutdown and no ANSI codes', async () => {
    const dir = tempProject(`export default { ${repoPaths()} obfuscation: { key: '${KEY}' } };\n`);
    const reports = path.join(dir, 'reports');
    // Its own process group, as a terminal's foreground job: the SIGINT below reaches every process in it.
    const child = spawn(
      process.execPath,
      [BIN, 'run', '--target', 'browser+emulated-android', '--timeout', '60000', '--workers', '4'],
      { cwd: dir, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    leader = child.pid;
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));

    const jsonl = path.join(reports, 'results.jsonl');
    const deadline = Date.now() + 120_000;
    while (lines(jsonl).length < 20) {
      if (Date.now() > deadline) throw new Error(`no results streamed:\n${output}`);
      if (child.exitCode !== null) throw new Error(`the run ended before the interrupt:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    process.kill(-(child.pid as number), 'SIGINT');
    const code = await exited;
    leader = undefined;

    expect(code, output).toBe(1);
    expect(output).toContain('Interrupted (SIGINT)');
    const summary = JSON.parse(readFileSync(path.join(reports, 'summary.json'), 'utf8')) as {
      status: string;
      interrupted: boolean;
      counts: Record<string, number>;
    };
    expect(summary).toMatchObject({ status: 'interrupted', interrupted: true });
    const results = lines(jsonl).map((l) => JSON.parse(l) as CaseResult);
    expect(results.length).toBeGreaterThanOrEqual(20);
    expect(results.filter((r) => r.verdict === 'broken').map((r) => `${r.id}: ${r.message}`)).toEqual([]);
    expect(results.filter((r) => r.verdict === 'fail').map((r) => `${r.id}: ${r.message}`)).toEqual([]);
    expect(summary.counts['broken']).toBe(0);

    // No ANSI escape codes in any report.
    for (const file of ['summary.json', 'junit.xml', 'results.jsonl'])
      expect(ANSI.test(readFileSync(path.join(reports, file), 'utf8')), file).toBe(false);
    const allure = path.join(reports, 'allure-results');
    for (const name of readdirSync(allure).filter((f) => f.endsWith('.json')))
      expect(ANSI.test(readFileSync(path.join(allure, name), 'utf8')), name).toBe(false);
  }, 240_000);
});
