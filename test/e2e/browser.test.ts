/**
 * `npx harness run --target browser+emulated-android`: the plan's URL-method cases delivered through real
 * headless Chromium. The verdicts are judged against the links as written; a browser that changes a link's
 * meaning is its own failure category.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KEY, repoPaths, ROOT, runCli, runInProcess, tempProject } from './helpers.ts';

// Whole plans through real Chromium: ~30 s alone, past a minute beside other e2e files on two cores.
describe('links delivered through a real browser', { timeout: 180_000 }, () => {
  it('passes the Android URL-method plan, judging what the browser changed in the links correctly', async () => {
    const { outcome, results } = await runInProcess({}, { target: ['browser+emulated-android'] });
    expect(
      results.filter((r) => r.verdict === 'fail' || r.verdict === 'broken').map((r) => `${r.id}: ${r.message}`),
    ).toEqual([]);
    expect(outcome.exitCode).toBe(0);
    expect(results.length).toBeGreaterThan(500);
    expect(results.every((r) => r.route?.method === 'url')).toBe(true);
    // A real difference: the link as written has a space, the browser delivered %20, and the client's
    // outcome is what the written link asks for.
    const spaced = results.filter(
      (r) => r.parameters['url']?.includes(' ') && r.parameters['delivered']?.includes('%20'),
    );
    expect(spaced.length).toBeGreaterThan(0);
    for (const r of spaced) {
      expect(r.verdict).toMatch(/^(pass|informational)$/);
      expect(r.message).toContain('the browser delivered');
    }
  });

  it("reports a browser that changes a link's outcome in its own category, and the link itself passes without a browser", async () => {
    const dir = tempProject('');
    const vectors = path.join(dir, 'vectors');
    mkdirSync(vectors);
    // A link broken across two lines, as pasted from a PDF or an email: the browser drops the line break.
    const vector = {
      id: 'om:my-line-break',
      title: 'A link with a line break inside the username',
      area: 'parameters',
      requirements: ['OM-PARAM-DECODE'],
      platforms: ['android'],
      methods: ['url'],
      when: { url: 'clientx://provision.com?pid=9945&username=jsmal\nley&domain=mycorp.com' },
      then: {
        handled: true,
        result: [0],
        state: {
          profile: { id: 9945, mode: 'production' },
          settings: { username: 'jsmal\nley', password: null, domain: 'mycorp.com', prefix: null, autologin: false },
        },
      },
    };
    writeFileSync(path.join(vectors, 'line-break.json'), JSON.stringify({ vectors: [vector] }));
    writeFileSync(
      path.join(dir, 'harness.config.ts'),
      `export default { profiles: ${JSON.stringify(path.join(ROOT, 'vectors/openmobile/profiles.json'))}, vectors: 'vectors', obfuscation: { key: '${KEY}' } };\n`,
    );
    const direct = await runCli(['run', '--target', 'emulated-android', '--reporter', 'summary'], dir);
    expect(direct.code).toBe(0);
    const browser = await runCli(
      ['run', '--target', 'browser+emulated-android', '--reporter', 'summary', '--reporter', 'console'],
      dir,
    );
    expect(browser.code).toBe(1);
    const summary = JSON.parse(
      (await import('node:fs')).readFileSync(path.join(dir, 'reports/summary.json'), 'utf8'),
    ) as {
      failures: { id: string; category: string; message: string }[];
    };
    expect(summary.failures.map((f) => [f.id, f.category])).toEqual([
      ['om:my-line-break@android-url', 'browser-altered-url'],
    ]);
    expect(summary.failures[0]?.message).toContain(
      'the browser delivered clientx://provision.com?pid=9945&username=jsmalley&domain=mycorp.com',
    );
  });

  it('writes the provisioning-links page with the expected outcome beside each link', async () => {
    const dir = tempProject(`export default { ${repoPaths()} obfuscation: { key: '${KEY}' } };\n`);
    const run = await runCli(['links', '--out', 'site', '--grep', 'om:ex-'], dir);
    expect(run.code).toBe(0);
    const html = (await import('node:fs')).readFileSync(path.join(dir, 'site/index.html'), 'utf8');
    expect(html).toContain(
      'href="clientx://provision.com?pid=9945&amp;username=jsmalley&amp;password=doggylove2&amp;domain=mycorp.com"',
    );
    expect(html).toContain(
      'a success dialog; Settings show: profile 9945, username jsmalley, password set, domain mycorp.com',
    );
    // iOS links are written for a phone: no result scheme of the harness's probe.
    expect(html).not.toContain('harnessprobe');
  });
});
