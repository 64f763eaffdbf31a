/**
 * `harness report --open` serves the report on loopback until Ctrl-C; `harness report --single-file` writes one
 * that renders from file:// in a real browser (Debian's Chromium), where the multi-file report cannot load
 * its data.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { AllureReporter } from '../../src/reporters/allure.ts';
import { makeCase, runInfo, summaryOf } from '../reporters/fixtures.ts';
import { BIN, KEY, repoPaths, runCli, tempProject } from './helpers.ts';

const CHROMIUM = '/usr/bin/chromium';
const hasJava = spawnSync('java', ['-version']).status === 0;

/** A project whose reports/allure-results hold three cases with titles to look for. */
async function projectWithResults(): Promise<string> {
  const dir = tempProject(`export default { ${repoPaths()} obfuscation: { key: '${KEY}' } };\n`);
  const cases = [
    makeCase({ id: 'alpha@ios-url', title: 'alpha: username of 101 characters is rejected with 23' }),
    makeCase({
      id: 'beta@ios-url',
      title: 'beta: the code works only once',
      verdict: 'fail',
      category: 'wrong-state',
      message: 'the code worked twice',
    }),
    makeCase({ id: 'gamma@ios-url', title: 'gamma: an empty pin is no pin' }),
  ];
  const reporter = new AllureReporter();
  reporter.onBegin(runInfo(path.join(dir, 'reports')), []);
  for (const c of cases) reporter.onCaseEnd(c);
  await reporter.onEnd(summaryOf(cases));
  return dir;
}

/**
 * The text a browser shows on the report's Suites page once it has loaded and every group of the tree is
 * expanded (Allure shows the groups folded), or what it shows instead when it cannot load its data.
 */
async function rendered(url: string, wanted: string): Promise<string> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage();
    await page.goto(`${url}#suites`);
    const tree = page.locator('.tree .node');
    const failed = page.getByText(/Failed to fetch/i);
    await tree
      .or(failed)
      .first()
      .waitFor({ timeout: 30_000 })
      .catch(() => undefined);
    const folded = page.locator('.node[data-node-kind="group"]:not(.node__expanded) > .node__title');
    for (let i = 0; i < 20 && (await folded.count()) > 0; i++) await folded.first().click();
    await page
      .getByText(wanted)
      .first()
      .waitFor({ timeout: 5_000 })
      .catch(() => undefined);
    return await page.locator('body').innerText();
  } finally {
    await browser.close();
  }
}

describe.skipIf(!hasJava)('harness report', () => {
  it('--open serves the report and its data on 127.0.0.1 until Ctrl-C, then exits 0', async () => {
    const dir = await projectWithResults();
    const child = spawn(process.execPath, [BIN, 'report', '--open'], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        const found = /Serving it at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stdout);
        if (found?.[1]) resolve(found[1]);
      });
      void exited.then((code) => reject(new Error(`exited ${code} before serving: ${stdout}${stderr}`)));
    });
    try {
      const index = await fetch(url);
      expect(index.status).toBe(200);
      expect(index.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await index.text()).toContain('<html');
      const summary = await fetch(new URL('widgets/summary.json', url));
      expect(summary.status).toBe(200);
      expect(((await summary.json()) as { statistic: { total: number } }).statistic.total).toBe(3);
      const requirements = await fetch(new URL('requirements.html', url));
      expect(await requirements.text()).toContain('id="SW-CODE-ONCE"');
      expect((await fetch(new URL('no-such-file.json', url))).status).toBe(404);
      // Nothing outside the report directory: "../" encoded so that no URL parser folds it away is refused.
      expect((await fetch(new URL('..%2f..%2fharness.config.ts', url))).status).toBe(403);
      // The page itself renders its data when served.
      expect(await rendered(url, 'beta: the code works only once')).toContain('beta: the code works only once');
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(stdout).toContain('Stopped serving the report.');
  }, 180_000);

  it.skipIf(!existsSync(CHROMIUM))(
    '--single-file renders its test results from file://; the multi-file report there cannot',
    async () => {
      const dir = await projectWithResults();
      const multi = await runCli(['report'], dir);
      expect(multi.code, multi.stderr).toBe(0);
      expect(multi.stdout).toContain('npx harness report --open');
      const index = path.join(dir, 'reports', 'allure-report', 'index.html');
      // The control: the report as `harness report` wrote it before --single-file existed fails from disk.
      const fromDisk = await rendered(pathToFileURL(index).href, 'beta: the code works only once');
      expect(fromDisk).not.toContain('beta: the code works only once');
      expect(fromDisk).toMatch(/Failed to fetch/i);

      const single = await runCli(['report', '--single-file'], dir);
      expect(single.code, single.stderr).toBe(0);
      expect(single.stdout).toContain('opens from disk');
      expect(existsSync(path.join(dir, 'reports', 'allure-report', 'data'))).toBe(false);
      const text = await rendered(pathToFileURL(index).href, 'beta: the code works only once');
      expect(text).not.toMatch(/Failed to fetch/i);
      for (const title of ['alpha: username of 101', 'beta: the code works only once', 'gamma: an empty pin'])
        expect(text).toContain(title);
    },
    240_000,
  );
});
