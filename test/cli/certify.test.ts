/**
 * The pure parts of certification (src/cli/certify.ts, src/cli/bundle.ts, src/core/signing.ts,
 * src/core/tar.ts): what makes a run not certifiable, the redacted configuration, the archive read back,
 * and the signature's check. The whole path (certify, then verify) is test/e2e/certify.test.ts.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readBundle } from '../../src/cli/bundle.ts';
import {
  certify,
  keygen,
  notCertifiableReasons,
  redactedConfig,
  type CertifiabilityInput,
} from '../../src/cli/certify.ts';
import { CaseAliases } from '../../src/core/case-ids.ts';
import { defaultCommandContext } from '../../src/core/commands.ts';
import { parseCli } from '../../src/cli/args.ts';
import { resolveConfig } from '../../src/config/resolve.ts';
import { isHarnessError } from '../../src/core/errors.ts';
import {
  generateSigningKeys,
  keyFingerprint,
  readPrivateKey,
  readPublicKey,
  signBytes,
  verifyBytes,
} from '../../src/core/signing.ts';
import { tarGz, untarGz } from '../../src/core/tar.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const KEY = '8CC677D6FA2AC487C2FC7AD7232F87D8FCAFD5E9FC0AFBFF23B09D8713BE3463';
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function temp(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'harness-certify-'));
  dirs.push(dir);
  return dir;
}

function config(extra: Record<string, unknown> = {}, overrides: Record<string, unknown> = {}) {
  return resolveConfig(
    {
      file: path.join(ROOT, 'harness.config.ts'),
      config: {
        obfuscation: { key: KEY },
        targets: [
          { name: 'clean', driver: 'emulated', options: { platform: 'ios' } },
          {
            name: 'seeded',
            driver: 'emulated',
            options: { platform: 'android', defects: ['username-limit-off-by-one'] },
          },
        ],
        ...extra,
      },
    },
    overrides,
    {},
    ROOT,
  );
}

const COMPLETE = { interrupted: false, notRun: {} };

function reasons(input: Partial<CertifiabilityInput> & Pick<CertifiabilityInput, 'config'>): string[] {
  return notCertifiableReasons({ flags: new Set(), summary: COMPLETE, fuzz: null, ...input }).map((r) => r.message);
}

describe('what makes a run not certifiable', () => {
  it('a complete run of the whole plan with the default settings is certifiable', () => {
    expect(reasons({ config: config({}, { target: ['clean'] }) })).toEqual([]);
  });

  it('seeded defects: named, with the config entry that set them', () => {
    const c = config({}, { target: ['clean', 'seeded'] });
    expect(reasons({ config: c })).toEqual([
      'target seeded runs with seeded defects username-limit-off-by-one (set by harness.config.ts targets[1].options.defects): a seeded defect makes the implementation deviate on purpose',
    ]);
  });

  it('a part of the plan, a lenient option, and where each came from', () => {
    const c = config({ retries: 2 }, { target: ['clean'], grep: ['om:len'], tier: 'smoke', failOn: ['broken'] });
    const r = reasons({ config: c, flags: new Set(['grep', 'tier', 'fail-on']) });
    expect(r).toHaveLength(4);
    expect(r[0]).toBe('--grep "om:len": only the matching cases ran, not the whole plan');
    expect(r[1]).toBe('--tier smoke: only the smoke subset of the plan ran, not the whole plan');
    expect(r[2]).toMatch(/^harness\.config\.ts retries 2 \(lenient; the default is 0\)/);
    expect(r[3]).toMatch(
      /^--fail-on broken \(lenient; the default is fail,broken,unexpected-pass\): fail, unexpected-pass no longer fail/,
    );
  });

  it('a run interrupted, stopped, with cases not run, shards missing, or its fuzzing interrupted', () => {
    const c = config({}, { target: ['clean'] });
    expect(
      reasons({
        config: { ...c, shard: { index: 1, total: 2 } },
        summary: {
          interrupted: true,
          notRun: { clean: 12 },
          stopped: 'stopped after 1 failed or broken case (--bail)',
          merge: { runs: [], missing: ['shard 2/2 of clean'] },
        },
        fuzz: { interrupted: true },
      }),
    ).toEqual([
      '--shard 1/2: only one part of the plan ran',
      'shards not all merged: shard 2/2 of clean missing',
      'the run was interrupted (Ctrl-C or SIGTERM) before every case ran',
      'cases not run: 12 on clean (stopped after 1 failed or broken case (--bail))',
      'the fuzz run was interrupted before its budget was spent',
    ]);
  });
});

describe('the configuration in a bundle', () => {
  it('has the obfuscation key and secret-named options masked', () => {
    const c = config({
      targets: [{ name: 'lab', driver: 'http', options: { url: 'http://127.0.0.1:9400', apiToken: 'tok-123456' } }],
    });
    const text = JSON.stringify(
      redactedConfig({ ...c, targets: [{ ...c.targets[0]!, options: { url: 'x', apiToken: 'tok-123456' } }] }),
    );
    expect(text).not.toContain(KEY);
    expect(text).not.toContain('tok-123456');
    expect(text).toContain('«redacted»');
  });
});

describe('keys, signatures and archives', () => {
  it('keygen writes the private key readable by its owner only and never replaces one', () => {
    const dir = temp();
    let out = '';
    const io = { cwd: dir, env: {}, stdout: (t: string) => (out += t), stderr: () => undefined };
    expect(keygen(parseCli(['keygen', '--out', 'keys']), io)).toBe(0);
    const priv = path.join(dir, 'keys/harness-signing.key');
    expect(statSync(priv).mode & 0o777).toBe(0o600);
    const pub = readFileSync(path.join(dir, 'keys/harness-signing.pub'), 'utf8');
    expect(out).toContain(`fingerprint: ${keyFingerprint(pub)}`);
    let refused: unknown;
    try {
      keygen(parseCli(['keygen', '--out', 'keys']), io);
    } catch (error) {
      refused = error;
    }
    expect(isHarnessError(refused) && refused.message).toMatch(
      /keys\/harness-signing\.key exists: keygen never replaces a key/,
    );
  });

  it('a signature verifies with its key only, and not once the data changed', () => {
    const a = generateSigningKeys();
    const b = generateSigningKeys();
    const data = Buffer.from('{"files":{}}\n');
    const sig = signBytes(data, readPrivateKey(a.privateKey));
    expect(verifyBytes(data, sig, readPublicKey(a.publicKey))).toBe(true);
    expect(verifyBytes(data, sig, readPublicKey(b.publicKey))).toBe(false);
    expect(verifyBytes(Buffer.from('{"files":{"x":1}}\n'), sig, readPublicKey(a.publicKey))).toBe(false);
    expect(() => readPrivateKey(a.publicKey)).toThrow(/not a PEM private key/);
  });

  it('a .tar.gz reads back to the same files, long paths included; a bundle is read from it', () => {
    const long = `allure-results/${'x'.repeat(90)}/${'y'.repeat(60)}.json`;
    const files = [
      { path: 'manifest.json', data: Buffer.from('{}') },
      { path: 'results.jsonl', data: Buffer.from('a'.repeat(1500)) },
      { path: long, data: Buffer.alloc(0) },
    ];
    const archive = tarGz('bundle', files, 1_700_000_000);
    const back = untarGz(archive);
    expect([...back.keys()].sort()).toEqual(['bundle/manifest.json', 'bundle/results.jsonl', `bundle/${long}`].sort());
    expect(back.get('bundle/results.jsonl')?.toString()).toBe('a'.repeat(1500));
    const dir = temp();
    writeFileSync(path.join(dir, 'b.tar.gz'), archive);
    expect([...readBundle('b.tar.gz', dir).files.keys()].sort()).toEqual(
      ['manifest.json', 'results.jsonl', long].sort(),
    );
    expect(() => untarGz(Buffer.from('not gzip'))).toThrow(/not gzip data/);
  });
});

describe('Ctrl-C during certify', () => {
  /**
   * certify in process, with the CLI's stop handler replaced by one that records what the command holds it
   * for; `stopAtStart` aborts the run as a Ctrl-C would, as the handler is taken.
   */
  async function certifyHeld(stopAtStart: boolean) {
    const dir = temp();
    const keys = generateSigningKeys();
    writeFileSync(path.join(dir, 'signing.key'), keys.privateKey);
    const args = parseCli([
      'certify',
      '--grep',
      'om:len',
      '--fuzz-time',
      '1s',
      '--key',
      'signing.key',
      '--bundle',
      'b',
    ]);
    const holds: { archiveWhenDone: boolean; message: string }[] = [];
    const io = { cwd: dir, env: {}, stdout: () => undefined, stderr: () => undefined };
    const code = await certify(args, io, {
      config: config({}, { target: ['clean'], grep: ['om:ll'] }),
      commands: defaultCommandContext(dir),
      aliases: new CaseAliases(),
      harnessVersion: 'test',
      expectations: null,
      command: 'harness certify',
      onCtrlC: async (whatHappens, work) => {
        const stop = new AbortController();
        if (stopAtStart) stop.abort();
        const result = await work(stop.signal);
        holds.push({ archiveWhenDone: existsSync(path.join(dir, 'b.tar.gz')), message: whatHappens() });
        return result;
      },
    });
    return { code, holds, bundle: readBundle('b.tar.gz', dir) };
  }

  it('holds one stop handler from the first case until the archive is written: a second Ctrl-C cannot kill it half way', async () => {
    const { code, holds, bundle } = await certifyHeld(false);
    // The grep makes it not certifiable; the point is where the handler was held.
    expect(code).toBe(1);
    expect(holds).toEqual([{ archiveWhenDone: true, message: expect.stringContaining('finishing the bundle') }]);
    expect([...bundle.files.keys()]).toContain('manifest.json');
  });

  it('a Ctrl-C at the start: the run stops, no fuzzing, and the bundle is still written, signed and archived', async () => {
    const { code, holds, bundle } = await certifyHeld(true);
    expect(code).toBe(1);
    expect(holds).toHaveLength(1);
    expect(holds[0]?.archiveWhenDone).toBe(true);
    const certification = JSON.parse(String(bundle.files.get('certification.json'))) as {
      reasons: { message: string }[];
    };
    expect(certification.reasons.map((r) => r.message).join('\n')).toMatch(/interrupted/);
  });
});
