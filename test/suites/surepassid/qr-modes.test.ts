/**
 * The suite against the reference server in each QR mode (`chart`, `image`, `data-url`), through a tap: a
 * forwarding proxy on loopback that records every answer (so the test knows the real OATH secrets and can
 * check none reaches a result) and can replace the QR images (a broken PNG, a PNG without a QR code).
 */
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { PNG } from 'pngjs';
import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseResult } from '../../../src/core/results.ts';
import { createSurePassIdDriver } from '../../../drivers/http/surepassid.ts';
import {
  QRCODE_IMAGE_PATH,
  startSurePassIdReference,
  type QrMode,
  type SurePassIdReference,
} from '../../../drivers/emulated/surepassid/server.ts';
import { SurePassIdSuite } from '../../../suites/surepassid/index.ts';
import { decodeQrPng } from '../../../suites/surepassid/qr.ts';
import { caseRandom } from '../../../src/core/random.ts';

const ROOT = process.cwd();
const CONTEXT = { rootDir: ROOT, obfuscationKey: null };
const KEY_URI_DEFECTS = ['secret-hex', 'missing-issuer'] as const;

interface Tap {
  url: string;
  /** Every answer body that passed through. */
  answers: Buffer[];
  close(): Promise<void>;
}

/** Forwards to `target`, keeping the Host header so the reference's QRCodeURLs point back at the tap. */
async function startTap(target: string, replaceImage: Buffer | null = null): Promise<Tap> {
  const answers: Buffer[] = [];
  const server = http.createServer((req, res) => {
    if (replaceImage !== null && req.url?.startsWith(QRCODE_IMAGE_PATH)) {
      res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': replaceImage.length });
      res.end(replaceImage);
      return;
    }
    const upstream = http.request(`${target}${req.url ?? '/'}`, { method: req.method, headers: req.headers }, (up) => {
      const chunks: Buffer[] = [];
      up.on('data', (c: Buffer) => chunks.push(c));
      up.on('end', () => {
        const body = Buffer.concat(chunks);
        answers.push(body);
        res.writeHead(up.statusCode ?? 502, up.headers);
        res.end(body);
      });
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    answers,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

interface Run {
  results: CaseResult[];
  /** Every OATH secret the server issued, read from the answers and the QR images it served. */
  secrets: string[];
}

async function runAll(
  qr: QrMode,
  defects: readonly string[] = [],
  options: { replaceImage?: Buffer; only?: string[] } = {},
): Promise<Run> {
  const suite = new SurePassIdSuite();
  await suite.load({
    rootDir: ROOT,
    vectorsRoot: path.join(ROOT, 'vectors'),
    obfuscationKey: null,
  });
  const reference: SurePassIdReference = await startSurePassIdReference({ qr, defects });
  const tap = await startTap(reference.url, options.replaceImage ?? null);
  const driver = await createSurePassIdDriver({ url: tap.url, timeoutMs: 5000 }, CONTEXT);
  try {
    const info = await driver.info();
    const plan = suite.plan(info, { name: 'reference', precedence: null });
    const cases = plan.cases.filter((c) => options.only === undefined || options.only.includes(c.id));
    const session = await driver.openSession();
    const results = await Promise.all(
      cases.map((planned) =>
        plan.run(planned, {
          session,
          scope: null,
          signal: new AbortController().signal,
          info,
          targetName: 'reference',
          replay: `npx harness run --case ${planned.id}`,
          // Every attachment kept, passing cases too: none may hold a secret.
          artifacts: 'always',
          random: caseRandom(1, 'reference', planned.id),
        }),
      ),
    );
    return { results, secrets: secretsIn(tap.answers) };
  } finally {
    await driver.stop();
    await tap.close();
    await reference.close();
  }
}

function secretsIn(answers: Buffer[]): string[] {
  const uris: string[] = [];
  for (const body of answers) {
    const decoded = decodeQrPng(body);
    if (decoded.ok) uris.push(decoded.text);
    const text = body.toString('utf8');
    for (const m of text.matchAll(/data:image\/png;base64,([A-Za-z0-9+/=]+)/g)) {
      const inline = decodeQrPng(Buffer.from(m[1] ?? '', 'base64'));
      if (inline.ok) uris.push(inline.text);
    }
    for (const m of text.matchAll(/chl=([^&"]+)/g)) uris.push(decodeURIComponent(m[1] ?? ''));
  }
  return [...new Set(uris.flatMap((u) => [...u.matchAll(/secret=([^&]+)/g)].map((m) => m[1] ?? '')))];
}

function expectNoSecrets(run: Run): void {
  const text = JSON.stringify(run.results);
  for (const secret of run.secrets) expect(text).not.toContain(secret);
  expect(text).not.toMatch(/base64,iVBOR/);
  expect(text).not.toMatch(/acme-login-key|globex-login-key|not-the-key-0000|harness-no-such-key/);
}

const VIA: Record<QrMode, RegExp> = {
  chart: /the chl parameter of QRCodeURL/,
  image: /the QR code image at QRCodeURL/,
  'data-url': /the QR code image in QRCodeURL \(data: URL\)/,
};

describe.each(['chart', 'image', 'data-url'] as const)('qr: %s', (qr) => {
  let clean: Run;
  beforeAll(async () => {
    clean = await runAll(qr);
  });

  it('passes every fixed vector on the clean reference server, reading the Key URI where the mode puts it', () => {
    const bad = clean.results.filter((r) => r.verdict !== 'pass').map((r) => `${r.id}: ${r.verdict} ${r.message}`);
    expect(bad).toEqual([]);
    expect(clean.results.length).toBeGreaterThanOrEqual(60);
    const qrCase = clean.results.find((r) => r.id === 'sp:qrcode-provisioned');
    expect(qrCase?.message).toMatch(VIA[qr]);
  });

  it('never reports an OATH secret, an inline image or a login key, even with every attachment kept', () => {
    expect(clean.secrets.length).toBeGreaterThan(10);
    expectNoSecrets(clean);
    if (qr !== 'chart') {
      const attachment = clean.results
        .find((r) => r.id === 'sp:qrcode-provisioned')
        ?.steps.at(-1)
        ?.attachments?.find((a) => a.name === 'qr-image');
      expect(attachment?.body).toMatch(/decoded QR code: otpauth:\/\/totp\/.*secret=«redacted»/);
    }
  });

  for (const defect of KEY_URI_DEFECTS) {
    it(`catches ${defect} in the decoded Key URI`, async () => {
      const run = await runAll(qr, [defect]);
      const failing = run.results.filter((r) => r.verdict === 'fail');
      expect(failing.map((r) => r.id)).toContain('sp:qrcode-provisioned');
      const result = failing.find((r) => r.id === 'sp:qrcode-provisioned');
      expect(result?.category).toBe('schema-violation');
      expect(result?.requirements).toEqual([defect === 'secret-hex' ? 'SP-KEYURI-SECRET' : 'SP-KEYURI-ISSUER']);
      expect(result?.message).toMatch(defect === 'secret-hex' ? /not Base32/ : /no issuer/);
      expect(result?.message).toMatch(VIA[qr]);
      expect(run.results.filter((r) => r.verdict === 'broken')).toEqual([]);
      expectNoSecrets(run);
    });
  }
});

describe('qr: image, with the images replaced on the way', () => {
  const only = ['sp:qrcode-provisioned', 'sp:provision-seed-sample'];

  it('a PNG that does not decode fails SP-KEYURI-FORMAT and says so', async () => {
    // A real QR code PNG cut in the middle of its image data.
    const cut = (await QRCode.toBuffer('otpauth://totp/a?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ')).subarray(0, 120);
    const run = await runAll('image', [], { replaceImage: cut, only });
    expect(run.results.map((r) => r.id).sort()).toEqual([...only].sort());
    const result = run.results.find((r) => r.id === 'sp:qrcode-provisioned');
    expect(result).toMatchObject({ verdict: 'fail', category: 'schema-violation', requirements: ['SP-KEYURI-FORMAT'] });
    expect(result?.message).toMatch(/the QR code image at QRCodeURL: the PNG does not decode/);
  });

  it('a PNG without a QR code fails SP-KEYURI-FORMAT and says so', async () => {
    const png = new PNG({ width: 40, height: 40 });
    png.data.fill(255);
    const run = await runAll('image', [], { replaceImage: PNG.sync.write(png), only });
    expect(run.results.map((r) => r.id).sort()).toEqual([...only].sort());
    for (const result of run.results) {
      expect(result).toMatchObject({ verdict: 'fail', requirements: ['SP-KEYURI-FORMAT'] });
      expect(result.message).toMatch(/the PNG \(40x40\) holds no QR code that can be read/);
      const step = result.steps.find((s) => s.status === 'failed');
      expect(step?.attachments?.map((a) => a.name)).toEqual(['request', 'response', 'qr-image']);
    }
  });
});

describe('the reference server qr option', () => {
  let reference: SurePassIdReference;
  beforeAll(async () => {
    reference = await startSurePassIdReference({ qr: 'image' });
  });
  afterAll(() => reference.close());

  it('answers an unknown image id with 404', async () => {
    const answer = await fetch(`${reference.url}${QRCODE_IMAGE_PATH}?id=nope`);
    expect(answer.status).toBe(404);
  });

  it('rejects an unknown mode', async () => {
    await expect(startSurePassIdReference({ qr: 'svg' as QrMode })).rejects.toThrow(
      /unknown SurePassID reference qr mode "svg"/,
    );
  });
});
