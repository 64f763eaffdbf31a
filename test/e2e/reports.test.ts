/**
 * What a user gets on disk: every report, the Allure HTML report, no secret anywhere, and results that
 * survive an interrupted or killed run.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { passwordForms } from '../../suites/openmobile/execute.ts';
import type { OpenMobileCase } from '../../suites/openmobile/execute.ts';
import { urlFor } from '../../suites/openmobile/routes.ts';
import { BIN, KEY, ROOT, loadedOpenMobileSuite, repoPaths, runCli, tempProject } from './helpers.ts';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

/** Every password the plan sends, in every form, that is long enough to be searched for. */
async function planSecrets(): Promise<string[]> {
  const suite = await loadedOpenMobileSuite();
  const secrets = new Set<string>([KEY, KEY.toLowerCase(), 'doggylove2', 'snookums12', 'pinkkitty3']);
  const publicValues: string[] = [];
  for (const c of suite.list() as OpenMobileCase[]) {
    const urls = [
      ...(c.vector.given ?? []).map((q) => urlFor(c.route, q)),
      c.vector.when.url ?? urlFor(c.route, c.vector.when.query ?? ''),
    ];
    for (const url of urls) {
      for (const form of passwordForms(url, KEY, true)) if (form.length >= 6) secrets.add(form);
      for (const pair of (url.split('?')[1] ?? '').split('&')) {
        if (pair.toLowerCase().startsWith('password=')) continue;
        const value = pair.slice(pair.indexOf('=') + 1);
        publicValues.push(value);
        try {
          publicValues.push(decodeURIComponent(value));
        } catch {
          // kept raw only
        }
      }
    }
  }
  // A password that also occurs inside a username or domain of the plan (length-limit vectors build both
  // from the same repeated characters) cannot be told apart from that public value in a report.
  return [...secrets].filter((s) => !publicValues.some((v) => v.includes(s)));
}

describe('reports on disk', () => {
  // The whole default plan with every artifact, then the HTML report: ~40 s alone. Beside other e2e files on
  // two cores, the in-process reference servers share the harness's event loop with the CPU-bound emulated
  // clients, so a case may need more than the 10 s default: this test is about the reports, not the timing.
  it(
    'writes every report and the Allure HTML report, with no password or key anywhere',
    { timeout: 240_000 },
    async () => {
      const dir = tempProject(
        `export default { ${repoPaths()} obfuscation: { key: '${KEY}' }, artifacts: 'always', timeoutMs: 60000 };\n`,
      );
      const run = await runCli(['run'], dir);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/total\s+[\d,]+/);
      const reports = path.join(dir, 'reports');
      const summary = JSON.parse(readFileSync(path.join(reports, 'summary.json'), 'utf8')) as {
        total: number;
        counts: Record<string, number>;
      };
      expect(summary.total).toBeGreaterThanOrEqual(1000);
      expect(summary.counts['fail']).toBe(0);
      expect(readdirSync(path.join(reports, 'allure-results')).filter((f) => f.endsWith('-result.json')).length).toBe(
        summary.total,
      );
      for (const file of ['categories.json', 'environment.properties', 'executor.json']) {
        expect(existsSync(path.join(reports, 'allure-results', file))).toBe(true);
      }
      const report = await runCli(['report'], dir);
      expect(report.stderr).toBe('');
      expect(report.code).toBe(0);
      expect(existsSync(path.join(reports, 'allure-report/index.html'))).toBe(true);
      // Every requirement link of a test lands on its row of requirements.html, beside index.html.
      const page = readFileSync(path.join(reports, 'allure-report/requirements.html'), 'utf8');
      expect(page).toContain('id="OM-LEN-USERNAME"');
      expect(page).toContain('the username limit is 100 characters');

      const secrets = await planSecrets();
      expect(secrets.length).toBeGreaterThan(20);
      const leaks: string[] = [];
      for (const file of filesUnder(reports)) {
        const text = readFileSync(file, 'utf8');
        for (const secret of secrets)
          if (text.includes(secret))
            leaks.push(`${path.relative(reports, file)} contains a secret of ${secret.length} characters`);
      }
      for (const stream of [run.stdout, run.stderr])
        for (const secret of secrets) if (stream.includes(secret)) leaks.push('the console output contains a secret');
      expect(leaks).toEqual([]);
    },
  );

  it('Ctrl-C stops the run, keeps what it had and writes the reports', async () => {
    const dir = tempProject(`export default { ${repoPaths()} obfuscation: { key: '${KEY}' }, workers: 1 };\n`);
    const child = spawn(
      process.execPath,
      [BIN, 'run', '--reporter', 'jsonl', '--reporter', 'summary', '--reporter', 'console'],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const jsonl = path.join(dir, 'reports/results.jsonl');
    while (!existsSync(jsonl) || readFileSync(jsonl, 'utf8').split('\n').length < 50)
      await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('Interrupted');
    const summary = JSON.parse(readFileSync(path.join(dir, 'reports/summary.json'), 'utf8')) as {
      interrupted: boolean;
      total: number;
    };
    expect(summary.interrupted).toBe(true);
    expect(summary.total).toBeGreaterThanOrEqual(49);
    // Stopped early: fewer results than the plan it announced (how many more finished between the signal and
    // the stop depends on the machine's load, so no tighter bound).
    const planned = /Running ([\d,]+) cases/.exec(stderr + stdout);
    expect(planned, stderr + stdout).not.toBeNull();
    expect(summary.total).toBeLessThan(Number(planned![1]!.replace(/,/g, '')));
  });

  it('a killed run keeps every finished case in results.jsonl', async () => {
    const dir = tempProject(`export default { ${repoPaths()} obfuscation: { key: '${KEY}' }, workers: 1 };\n`);
    const child = spawn(process.execPath, [BIN, 'run', '--reporter', 'jsonl'], { cwd: dir, stdio: 'ignore' });
    const jsonl = path.join(dir, 'reports/results.jsonl');
    while (!existsSync(jsonl) || readFileSync(jsonl, 'utf8').split('\n').length < 50)
      await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('close', resolve));
    const lines = readFileSync(jsonl, 'utf8')
      .split('\n')
      .filter((l) => l !== '');
    expect(lines.length).toBeGreaterThanOrEqual(49);
    for (const line of lines)
      expect((JSON.parse(line) as { id: string; verdict: string }).verdict).toMatch(
        /^(pass|informational|non-strict|not-applicable|fail|broken)$/,
      );
  });
});
