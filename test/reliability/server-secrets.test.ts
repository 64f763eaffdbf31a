/**
 * No secret of a server suite reaches a report. The Swivel and SurePassID suites run through the real CLI
 * with `--artifacts always` (every exchange of every case attached) against the reference servers, then
 * `harness report`; every file under the reports directory, and the console, is scanned byte for byte for
 * every secret the run handled, in every spelling the redactor knows (src/core/secrets.ts,
 * concreteSpellings: plain, percent-encoded in both hex cases, `+`, HTML and JSON escapes).
 *
 * The secrets are taken from the traffic itself (a recording proxy in front of each reference server), so
 * the ones the servers generate are known too:
 * - Swivel: every provision code a test hook handed out, every security string an AgentXML answer carried.
 * - SurePassID: every account login key sent (`loginKey` to the hooks, `spAccountLoginKey` to the OATH
 *   endpoint), every OATH secret an answer carried (`secret=` in a Key URI, in clear or percent-encoded in a
 *   QR code URL), and every QR code image (its pixels are the Key URI): the PNG bytes and their base64.
 * The profile service has none: its PINs are catalog test data, shown by design (docs/openmobile-profiles.md).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSurePassIdReference } from '../../drivers/emulated/surepassid/server.ts';
import { startSwivelReference } from '../../drivers/emulated/swivel/server.ts';
import { concreteSpellings } from '../../src/core/secrets.ts';
import { KEY, repoPaths, runCli, runInProcess, tempProject, type CliRun } from '../e2e/helpers.ts';
import { startFaultyServer, type Exchange, type FaultyServer } from './faulty-server.ts';

const open: { close(): Promise<void> }[] = [];
afterAll(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

function hasJava(): boolean {
  try {
    execFileSync('java', ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Every string value of `field` anywhere in a JSON value. */
function fieldValues(value: unknown, field: string, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) fieldValues(v, field, out);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === field && typeof v === 'string' && v !== '') out.push(v);
      else fieldValues(v, field, out);
    }
  }
  return out;
}

function swivelSecrets(exchanges: Exchange[]): string[] {
  const secrets: string[] = [];
  for (const x of exchanges) {
    secrets.push(...fieldValues(parseJson(x.response), 'code'));
    for (const m of x.response.toString('utf8').matchAll(/<String>([^<]+)<\/String>/g)) secrets.push(m[1] ?? '');
  }
  return secrets;
}

function surePassIdSecrets(exchanges: Exchange[]): { text: string[]; bytes: Buffer[] } {
  const text: string[] = [];
  const bytes: Buffer[] = [];
  for (const x of exchanges) {
    const request = parseJson(x.request);
    text.push(...fieldValues(request, 'loginKey'), ...fieldValues(request, 'spAccountLoginKey'));
    const answer = x.response.toString('utf8');
    for (const m of answer.matchAll(/secret(?:=|%3D|%253D)([A-Za-z0-9]{16,})/gi)) text.push(m[1] ?? '');
    for (const m of answer.matchAll(/data:image\/png;base64,([A-Za-z0-9+/=]{40,})/g)) {
      text.push(m[1] ?? '');
      bytes.push(Buffer.from(m[1] ?? '', 'base64'));
    }
    if (x.response.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
      bytes.push(x.response);
      text.push(x.response.toString('base64'));
    }
  }
  return { text, bytes };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

/** Where `needle` occurs in `haystack`; a secret of digits only counts where no digit adjoins it. */
function occurs(haystack: Buffer, needle: Buffer, digitsOnly: boolean): boolean {
  for (let i = haystack.indexOf(needle); i !== -1; i = haystack.indexOf(needle, i + 1)) {
    if (!digitsOnly) return true;
    const before = haystack[i - 1];
    const after = haystack[i + needle.length];
    const digit = (b: number | undefined) => b !== undefined && b >= 0x30 && b <= 0x39;
    if (!digit(before) && !digit(after)) return true;
  }
  return false;
}

/** Every (file, secret, spelling) found: the scan's findings. */
function scan(files: { name: string; bytes: Buffer }[], secrets: string[], blobs: Buffer[]): string[] {
  const found: string[] = [];
  const needles = [...new Set(secrets)].flatMap((secret) =>
    concreteSpellings(secret).map((spelling) => ({ secret, spelling, bytes: Buffer.from(spelling, 'utf8') })),
  );
  for (const file of files) {
    for (const n of needles) {
      if (occurs(file.bytes, n.bytes, /^[0-9]+$/.test(n.secret))) {
        found.push(`${file.name}: ${JSON.stringify(n.secret)} as ${JSON.stringify(n.spelling)}`);
      }
    }
    for (const blob of blobs) {
      if (file.bytes.includes(blob)) found.push(`${file.name}: a QR code image (${blob.length} bytes)`);
    }
  }
  return found;
}

describe('server-side secrets in the reports', () => {
  let dir = '';
  let cli: CliRun;
  const proxies: Record<string, FaultyServer> = {};

  beforeAll(async () => {
    const swivel = await startSwivelReference();
    open.push(swivel);
    proxies['swivel'] = await startFaultyServer(swivel.urls[0] ?? '', 'none');
    for (const qr of ['chart', 'image', 'data-url'] as const) {
      const reference = await startSurePassIdReference({ qr });
      open.push(reference);
      proxies[qr] = await startFaultyServer(reference.url, 'none');
    }
    for (const p of Object.values(proxies)) open.push(p);
    dir = tempProject(
      `export default { ${repoPaths()} obfuscation: { key: '${KEY}' },\n  targets: [\n` +
        `    { name: 'swivel-lab', driver: 'swivel', options: { url: '${proxies['swivel'].url}' } },\n` +
        (['chart', 'image', 'data-url'] as const)
          .map(
            (qr) => `    { name: 'sp-${qr}', driver: 'surepassid', options: { url: '${proxies[qr]?.url ?? ''}' } },\n`,
          )
          .join('') +
        '  ] };\n',
    );
    // `--artifacts always` as a flag: every case, passed or not, carries its exchanges.
    cli = await runCli(
      [
        'run',
        '--artifacts',
        'always',
        '--target',
        'swivel-lab',
        '--target',
        'sp-chart',
        '--target',
        'sp-image',
        '--target',
        'sp-data-url',
      ],
      dir,
    );
  }, 240_000);

  it('the run passed, and the traffic held the secrets the scan looks for', () => {
    expect(cli.code, cli.stdout + cli.stderr).toBe(0);
    const swivel = swivelSecrets(proxies['swivel']?.exchanges ?? []);
    // Codes (8 digits) and security strings (10 digits) were handed out by the server.
    expect(swivel.filter((s) => /^\d{8}$/.test(s)).length).toBeGreaterThan(20);
    expect(swivel.filter((s) => /^\d{10}$/.test(s)).length).toBeGreaterThan(10);
    const chart = surePassIdSecrets(proxies['chart']?.exchanges ?? []);
    expect(chart.text).toContain('acme-login-key-7f3a');
    expect(chart.text.filter((s) => /^[A-Z2-7]{32}$/.test(s)).length).toBeGreaterThan(5);
    expect(surePassIdSecrets(proxies['image']?.exchanges ?? []).bytes.length).toBeGreaterThan(0);
    expect(surePassIdSecrets(proxies['data-url']?.exchanges ?? []).bytes.length).toBeGreaterThan(0);
    // The scan finds them where they are: in the traffic itself.
    const traffic = Object.values(proxies).flatMap((p) => p.exchanges.map((x) => x.response));
    expect(scan([{ name: 'traffic', bytes: Buffer.concat(traffic) }], swivel, []).length).toBeGreaterThan(20);
  });

  it('no file under reports/ and no console line holds any of them, in any spelling', () => {
    const reports = path.join(dir, 'reports');
    const files = filesUnder(reports).map((f) => ({ name: path.relative(dir, f), bytes: readFileSync(f) }));
    expect(files.some((f) => f.name.endsWith('-attachment.txt'))).toBe(true);
    files.push({ name: '(console)', bytes: Buffer.from(cli.stdout + cli.stderr) });
    const secrets = [KEY, ...swivelSecrets(proxies['swivel']?.exchanges ?? [])];
    const blobs: Buffer[] = [];
    for (const qr of ['chart', 'image', 'data-url']) {
      const found = surePassIdSecrets(proxies[qr]?.exchanges ?? []);
      secrets.push(...found.text);
      blobs.push(...found.bytes);
    }
    expect(scan(files, secrets, blobs)).toEqual([]);
  });

  it.skipIf(!hasJava())(
    'nor does the HTML report `harness report` makes of them',
    async () => {
      const report = await runCli(['report'], dir);
      expect(report.code, report.stderr).toBe(0);
      const html = path.join(dir, 'reports/allure-report');
      const files = filesUnder(html)
        .filter((f) => /\.(json|txt|html|csv|js)$/.test(f))
        .map((f) => ({ name: path.relative(dir, f), bytes: readFileSync(f) }));
      expect(files.length).toBeGreaterThan(10);
      const secrets = [...swivelSecrets(proxies['swivel']?.exchanges ?? [])];
      for (const qr of ['chart', 'image', 'data-url'])
        secrets.push(...surePassIdSecrets(proxies[qr]?.exchanges ?? []).text);
      expect(scan(files, secrets, [])).toEqual([]);
    },
    180_000,
  );
});

describe('a secret in an answer the harness cannot use', () => {
  it('a provision code in a 500 from the test hook is redacted from the broken case that quotes the answer', async () => {
    const swivel = await startSwivelReference();
    open.push(swivel);
    // The hook hands out a code, but with status 500: the case cannot go on (broken), and its reason quotes
    // the answer, code and all.
    const proxy = await startFaultyServer(swivel.urls[0] ?? '', 'none', Infinity, (x) =>
      x.url.endsWith('/provision-code') ? { status: 500, body: x.response } : null,
    );
    open.push(proxy);
    const { results } = await runInProcess(
      { targets: [{ name: 'swivel-lab', driver: 'swivel', options: { url: proxy.url } }] },
      { target: ['swivel-lab'], grep: ['sw:code-', 'SW-CODE-'] },
    );
    const codes = swivelSecrets(proxy.exchanges);
    expect(codes.length).toBeGreaterThan(0);
    const broken = results.filter((r) => r.verdict === 'broken');
    expect(broken.length).toBeGreaterThan(0);
    for (const r of broken) expect(r.message).toMatch(/answered 500 .*«redacted»/);
    const written = JSON.stringify(results);
    for (const code of codes) expect(written).not.toMatch(new RegExp(`(?<![0-9])${code}(?![0-9])`));
  });
});
