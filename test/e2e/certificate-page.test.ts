/**
 * The certificate page of a real run (the Swivel reference server, and an emulated Android client with a
 * seeded defect), opened from file:// in headless Chromium: it renders its requirement table with nothing
 * fetched and no script, a requirement's failing case leads to its row, and a screenshot shows it. And the
 * requirements page of `harness report`: `requirements.html#SW-CODE-ONCE` lands on Swivel's row.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSuites } from '../../src/cli/builtins.ts';
import { requirementsPage } from '../../src/cli/requirements-page.ts';
import type { HarnessConfig } from '../../src/config/types.ts';
import type { CaseResult } from '../../src/core/results.ts';
import { certificatePage, type CertificateInput } from '../../src/reporters/certificate.ts';
import { runInProcess } from './helpers.ts';

const CHROMIUM = '/usr/bin/chromium';
const suites = createSuites();
function catalogueOf(name: string) {
  const suite = suites[name];
  if (suite === undefined) throw new Error(`no suite ${name}`);
  return { name, specification: suite.specification, ...suite.catalogue() };
}

let dir: string;
let browser: Browser;
let results: CaseResult[];

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'harness-certificate-'));
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  const config: HarnessConfig = {
    targets: [
      { name: 'swivel-reference', driver: 'swivel', options: { reference: true } },
      {
        name: 'android-defective',
        driver: 'emulated',
        options: { platform: 'android', defects: ['username-limit-off-by-one'] },
      },
    ],
    run: ['swivel-reference', 'android-defective'],
  };
  ({ results } = await runInProcess(config, { grep: ['sw:', 'om:ll-'] }));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Opens a file from disk, recording every request the page makes and every error it logs. */
async function open(file: string, fragment = ''): Promise<{ page: Page; requests: string[]; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(pathToFileURL(file).href + fragment);
  return { page, requests, errors };
}

describe.skipIf(!existsSync(CHROMIUM))('the certificate page in Chromium', () => {
  it('renders the requirement table from file://, fetching nothing, and a screenshot shows it', async () => {
    const failing = results.find((r) => r.verdict === 'fail' && r.target === 'android-defective');
    expect(failing, 'the seeded defect fails a case').toBeDefined();
    const input: CertificateInput = {
      targets: [
        { name: 'swivel-reference', suite: 'swivel', driver: 'swivel', observed: { banner: 'reference' } },
        { name: 'android-defective', suite: 'openmobile', driver: 'emulated', observed: { platform: 'android' } },
      ],
      environment: {
        harnessVersion: '0.1.0',
        harnessCommit: null,
        packageDigest: null,
        node: process.version,
        os: `${os.platform()} ${os.release()}`,
      },
      startedAt: new Date(Math.min(...results.map((r) => r.start))).toISOString(),
      endedAt: new Date(Math.max(...results.map((r) => r.stop))).toISOString(),
      result: {
        certifiable: false,
        reasons: [
          {
            kind: 'seeded-defects',
            target: 'android-defective',
            message: 'target android-defective runs with seeded defects',
            items: ['username-limit-off-by-one'],
          },
          { kind: 'grep', message: 'the plan was narrowed with --grep', items: ['sw:', 'om:ll-'] },
        ],
      },
      results,
      suites: [catalogueOf('swivel'), catalogueOf('openmobile')],
      ics: { declared: null, observed: null },
      expectationsFile: null,
      signingKey: null,
    };
    const file = path.join(dir, 'certificate.html');
    writeFileSync(file, certificatePage(input));
    const { page, requests, errors } = await open(file);

    const rows = page.locator('table.requirements tbody tr');
    expect(await rows.count()).toBe(input.suites.reduce((n, s) => n + s.requirements.length, 0));
    const once = page.locator('tr[id="SW-CODE-ONCE"]');
    const onceText = await once.innerText();
    expect(onceText).toContain('SW-CODE-ONCE');
    expect(onceText).toMatch(/\bMUST\b/);
    expect(onceText).toMatch(/\bpass\b/);
    expect(await page.locator('#certifiable').innerText()).toBe('Not certifiable');
    expect(await page.locator('#outcome').innerText()).toBe('Failed');
    expect(await page.locator('#reasons').innerText()).toContain('username-limit-off-by-one');

    // The failing case is listed on its requirement's row, and its link opens the collapsed cases list at it.
    const requirement = failing!.requirements[0]!;
    const row = page.locator(`tr[id="${requirement}"]`);
    expect(await row.locator('.status').innerText()).toBe('fail');
    const link = row.locator('ul.failing a', { hasText: failing!.id }).first();
    expect(await link.isVisible()).toBe(true);
    expect(await row.locator('div.all').isVisible()).toBe(false);
    await link.click();
    const caseRow = page.locator(':target');
    expect(await caseRow.getAttribute('id')).toBe(`case:android-defective:${failing!.id}`);
    expect(await caseRow.isVisible()).toBe(true);
    expect(await caseRow.innerText()).toContain(failing!.message);

    const shot = path.join(dir, 'certificate.png');
    await page.screenshot({ path: shot, fullPage: true });
    const png = PNG.sync.read(readFileSync(shot));
    expect(png.width).toBeGreaterThan(0);
    expect(png.height).toBeGreaterThan(900);
    let inked = 0;
    const colours = new Set<number>();
    for (let i = 0; i < png.data.length; i += 4) {
      const [r, g, b] = [png.data[i]!, png.data[i + 1]!, png.data[i + 2]!];
      colours.add((r << 16) | (g << 8) | b);
      if (r + g + b < 600) inked++;
    }
    // Text, badges and the red result box: many colours and a fair share of ink, not a blank page.
    expect(colours.size).toBeGreaterThan(20);
    expect(inked / (png.width * png.height)).toBeGreaterThan(0.01);

    // Self-contained: the page itself was the only request, and the browser logged no error (a refused fetch,
    // a blocked script).
    expect(requests).toEqual([pathToFileURL(file).href]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("requirements.html#SW-CODE-ONCE (harness report's requirements page) lands on Swivel's row", async () => {
    const sections = Object.values(suites).map((s) => ({
      name: s.name,
      specification: s.specification,
      ...s.catalogue(),
    }));
    const file = path.join(dir, 'requirements.html');
    writeFileSync(file, requirementsPage(sections));
    for (const [id, section] of [
      ['SW-CODE-ONCE', 'suite-swivel'],
      ['OM-ROUTE-IOS', 'suite-openmobile'],
    ] as const) {
      const { page } = await open(file, `#${id}`);
      const target = page.locator(':target');
      const box = await target.boundingBox();
      const landed = {
        id: await target.getAttribute('id'),
        section: await page.locator('section:has(:target)').getAttribute('id'),
        text: await target.innerText(),
        // Scrolled to: the row's top is inside the viewport (it is far down the page otherwise).
        inView: box !== null && box.y > -1 && box.y < 900,
      };
      expect(landed.id).toBe(id);
      expect(landed.section).toBe(section);
      expect(landed.inView, `${id}: ${JSON.stringify(box)}`).toBe(true);
      expect(landed.text).toContain(id);
      await page.close();
    }
  });
});
