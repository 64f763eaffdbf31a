/**
 * SLOW (an end-to-end test for `npm run test:e2e`). Issue 15's done-when, through the real CLI: a vendor
 * certifies (keygen, certify), a reviewer verifies; an edited verdict is caught by the digests, and, once
 * re-signed with another key, by the vendor's key and by judging every recorded observation again; a seeded
 * defect makes the bundle not certifiable and the certificate names the config that set it. For an emulated
 * Open Mobile client, the Swivel reference server, and the virtual Appium device (whose identity in the
 * bundle is read from the device, not from the config).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signBundle } from '../../src/cli/certify.ts';
import type { Manifest } from '../../src/cli/bundle.ts';
import { keyFingerprint, publicKeyPem, readPrivateKey } from '../../src/core/signing.ts';
import { KEY, ROOT, runCli, type CliRun } from './helpers.ts';

const work = mkdtempSync(path.join(os.tmpdir(), 'harness-certify-e2e-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const VENDOR_KEY = path.join(work, 'vendor/harness-signing.key');
const VENDOR_PUB = path.join(work, 'vendor/harness-signing.pub');
const OTHER_KEY = path.join(work, 'other/harness-signing.key');

beforeAll(async () => {
  for (const who of ['vendor', 'other']) {
    const made = await runCli(['keygen', '--out', path.join(work, who)], ROOT);
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toMatch(/fingerprint: [0-9a-f]{64}/);
  }
});

function certify(bundle: string, args: string[]): Promise<CliRun> {
  return runCli(['certify', ...args, '--key', VENDOR_KEY, '--bundle', path.join(work, bundle)], ROOT, {
    HARNESS_OBFUSCATION_KEY: KEY,
  });
}

function verify(bundle: string, args: string[] = []): Promise<CliRun> {
  return runCli(['verify', path.join(work, bundle), ...args], ROOT);
}

function json<T>(bundle: string, file: string): T {
  return JSON.parse(readFileSync(path.join(work, bundle, file), 'utf8')) as T;
}

/** Copies a bundle and turns one judged case's verdict into `fail`; returns the case's id. */
function flipVerdict(from: string, to: string): string {
  cpSync(path.join(work, from), path.join(work, to), { recursive: true });
  const file = path.join(work, to, 'results.jsonl');
  const lines = readFileSync(file, 'utf8').split('\n');
  const at = lines.findIndex((l) => {
    if (l === '') return false;
    const r = JSON.parse(l) as { verdict: string; runLevel?: true };
    return r.runLevel !== true && (r.verdict === 'pass' || r.verdict === 'informational');
  });
  expect(at).toBeGreaterThanOrEqual(0);
  const result = JSON.parse(lines[at] as string) as { id: string; verdict: string };
  const was = result.verdict;
  result.verdict = 'fail';
  lines[at] = JSON.stringify(result);
  writeFileSync(file, lines.join('\n'));
  // A careful forger keeps the summary's counts in step.
  const summaryFile = path.join(work, to, 'summary.json');
  const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as { counts: Record<string, number> };
  summary.counts[was] = (summary.counts[was] ?? 0) - 1;
  summary.counts['fail'] = (summary.counts['fail'] ?? 0) + 1;
  writeFileSync(summaryFile, JSON.stringify(summary, null, 2));
  return result.id;
}

/** Signs the bundle again with another key, as someone who edited it would. */
function resign(bundle: string): void {
  const dir = path.join(work, bundle);
  const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Manifest;
  const key = readPrivateKey(readFileSync(OTHER_KEY, 'utf8'));
  const publicKey = publicKeyPem(key);
  signBundle(dir, {
    harnessVersion: manifest.harnessVersion,
    certifiable: manifest.certifiable,
    reasons: manifest.reasons,
    publicKey,
    keyFingerprint: keyFingerprint(publicKey),
    key,
  });
}

/** The edited-verdict checks every kind of target gets: digests, then the vendor's key, then re-judging. */
async function tamperChecks(bundle: string): Promise<void> {
  const id = flipVerdict(bundle, `${bundle}-flipped`);
  const flipped = await verify(`${bundle}-flipped`, ['--key', VENDOR_PUB]);
  expect(flipped.code, flipped.stdout).toBe(1);
  expect(flipped.stdout).toContain('changed since signing: results.jsonl');
  expect(flipped.stdout).toContain(`${id}: recorded verdict fail, judged again`);
  expect(flipped.stdout).toMatch(/^INVALID: /m);

  resign(`${bundle}-flipped`);
  const vendors = await verify(`${bundle}-flipped`, ['--key', VENDOR_PUB]);
  expect(vendors.code, vendors.stdout).toBe(1);
  expect(vendors.stdout).toContain('the signature does not verify with --key');
  const ownKey = await verify(`${bundle}-flipped`);
  expect(ownKey.code, ownKey.stdout).toBe(1);
  // Its own (forger's) key verifies the signature and every digest: re-judging still catches the verdict.
  expect(ownKey.stdout).toMatch(/signature\s+ok: signed by key [0-9a-f]{64} \(the bundle's own key\)/);
  expect(ownKey.stdout).toMatch(/files\s+ok/);
  expect(ownKey.stdout).toContain(`${id}: recorded verdict fail, judged again`);
}

describe('an emulated Open Mobile client', () => {
  it('certified clean: certifiable, and the bundle verifies (directory and .tar.gz)', async () => {
    const run = await certify('clean', ['--target', 'emulated-android', '--fuzz-time', '1s']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('Certifiable: yes');
    const manifest = json<Manifest>('clean', 'manifest.json');
    expect(manifest.certifiable).toBe(true);
    for (const file of ['results.jsonl', 'summary.json', 'junit.xml', 'certificate.html', 'ics.observed.json'])
      expect(manifest.files[file], file).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.keys(manifest.files).some((f) => f.startsWith('allure-results/'))).toBe(true);
    const ok = await verify('clean', ['--key', VENDOR_PUB]);
    expect(ok.code, ok.stdout).toBe(0);
    expect(ok.stdout).toMatch(/verdicts\s+ok: \d{3,} result\(s\) judged again/);
    expect(ok.stdout).toMatch(/^VALID: /m);
    const archive = await runCli(['verify', path.join(work, 'clean.tar.gz')], ROOT);
    expect(archive.code, archive.stdout).toBe(0);
    expect(archive.stdout).toContain('checked with the key embedded in the bundle (no --key)');
  }, 240_000);

  it('an edited verdict is caught, re-signed or not', async () => {
    await tamperChecks('clean');
  }, 180_000);

  it('with a seeded defect: not certifiable, and the certificate names the defect and the config that set it', async () => {
    const run = await certify('seeded', ['--target', 'emulated-android-defective', '--fuzz-time', '0']);
    expect(run.code).toBe(1);
    const reason =
      'target emulated-android-defective runs with seeded defects username-limit-off-by-one (set by harness.config.ts targets[2].options.defects)';
    expect(run.stdout).toContain('NOT CERTIFIABLE');
    expect(run.stdout).toContain(reason);
    expect(json<Manifest>('seeded', 'manifest.json').certifiable).toBe(false);
    const page = readFileSync(path.join(work, 'seeded/certificate.html'), 'utf8');
    expect(page).toContain('username-limit-off-by-one');
    expect(page).toContain('targets[2].options.defects');
    const checked = await verify('seeded', ['--key', VENDOR_PUB]);
    expect(checked.code, checked.stdout).toBe(0);
    expect(checked.stdout).toContain('VALID');
    expect(checked.stdout).toContain('NOT CERTIFIABLE');
  }, 240_000);
});

describe('the Swivel reference server', () => {
  it('certified clean, verified; an edited verdict caught; a seeded defect not certifiable', async () => {
    const run = await certify('swivel', ['--target', 'swivel-reference', '--fuzz-time', '1s']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    // The server's own version banner.
    const [target] = json<{ identity: Record<string, unknown> }[]>('swivel', 'targets.json');
    expect(target?.identity['version']).toBe('3.10.4-reference');
    const ok = await verify('swivel', ['--key', VENDOR_PUB]);
    expect(ok.code, ok.stdout).toBe(0);
    await tamperChecks('swivel');

    const config = path.join(work, 'swivel.config.ts');
    writeFileSync(
      config,
      `export default { targets: [{ name: 'swivel-seeded', driver: 'swivel', options: { reference: true, defects: ['code-reusable'] } }] };\n`,
    );
    const seeded = await certify('swivel-seeded', ['--config', config, '--fuzz-time', '0']);
    expect(seeded.code).toBe(1);
    expect(seeded.stdout).toMatch(
      /seeded defects code-reusable \(set by .*swivel\.config\.ts targets\[0\]\.options\.defects\)/,
    );
    expect(readFileSync(path.join(work, 'swivel-seeded/certificate.html'), 'utf8')).toContain('code-reusable');
  }, 240_000);
});

describe('the virtual Appium device', () => {
  it("the bundle's identity is read from the device; not certifiable with a defect and --grep; tampering caught", async () => {
    const config = path.join(work, 'appium.config.ts');
    writeFileSync(
      config,
      `export default {
  targets: [{
    name: 'phone',
    driver: 'appium',
    options: {
      appium: 'local', platform: 'android', devices: [{ udid: 'certify-android-1' }],
      capabilities: { 'appium:automationName': 'HarnessVirtual' }, settleMs: 0,
      name: 'configured-name', version: '9.9.9-config', defects: ['username-limit-off-by-one'],
    },
  }],
  obfuscation: { key: '${KEY}' },
};\n`,
    );
    const run = await certify('phone', ['--config', config, '--grep', 'om:sm-', '--fuzz-time', '0']);
    expect(run.code, run.stdout + run.stderr).toBe(1);
    const [target] = json<{ info: Record<string, unknown>; identity: Record<string, unknown> }[]>(
      'phone',
      'targets.json',
    );
    // The config says 9.9.9-config; the device says what is installed on it.
    expect(target?.info['version']).toBe('9.9.9-config');
    expect(target?.identity).toMatchObject({
      source: 'Appium UiAutomator2 (read from the device)',
      appiumServer: expect.stringMatching(/^\d+\.\d+\.\d+/) as unknown,
      udid: 'certify-android-1',
      model: 'Virtual Phone A1',
      osVersion: '14',
      appVersion: '3.2.0',
      appBuild: '320',
    });
    const page = readFileSync(path.join(work, 'phone/certificate.html'), 'utf8');
    expect(page).toContain('Virtual Phone A1');
    const reasons = json<Manifest>('phone', 'manifest.json').reasons;
    expect(reasons.some((r) => r.includes('seeded defects username-limit-off-by-one'))).toBe(true);
    expect(reasons.some((r) => r.startsWith('--grep "om:sm-"'))).toBe(true);
    const ok = await verify('phone', ['--key', VENDOR_PUB]);
    expect(ok.code, ok.stdout).toBe(0);
    await tamperChecks('phone');
  }, 240_000);
});
