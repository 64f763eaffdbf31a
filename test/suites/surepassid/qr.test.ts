import { PNG } from 'pngjs';
import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import { judgeExchange } from '../../../suites/surepassid/judge.ts';
import type { PayloadSource } from '../../../suites/surepassid/keyuri.ts';
import {
  decodeQrPng,
  imageFetcherOf,
  qrImageReport,
  readQrImage,
  type QrImageFetch,
  type QrImageFetcher,
} from '../../../suites/surepassid/qr.ts';
import type { Expectation, OathExchange } from '../../../suites/surepassid/types.ts';

const SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const URI = `otpauth://totp/Acme:mandy?secret=${SECRET}&issuer=Acme&algorithm=SHA1&digits=6&period=30`;
const signal = new AbortController().signal;

const qrPng = (text: string): Promise<Buffer> => QRCode.toBuffer(text, { type: 'png' });
function blankPng(): Buffer {
  const png = new PNG({ width: 64, height: 64 });
  png.data.fill(255);
  return PNG.sync.write(png);
}
const answer = (fields: Record<string, unknown>): string =>
  JSON.stringify({ errorCode: 0, errorMessage: 'OK', ...fields });

/** A fetcher answering every URL with one canned result, recording what was asked. */
function fetcher(result: Partial<QrImageFetch>): QrImageFetcher & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    fetchImage(url) {
      asked.push(url);
      return Promise.resolve({ urls: [url], response: null, failure: null, ms: 3, ...result });
    },
  };
}
const png200 = (body: Buffer, contentType = 'image/png'): Partial<QrImageFetch> => ({
  response: { status: 200, contentType, body },
});

describe('decodeQrPng', () => {
  it('reads the text of a real QR code', async () => {
    expect(decodeQrPng(await qrPng(URI))).toMatchObject({ ok: true, text: URI });
  });

  it('says whether the bytes are not a PNG, a PNG that does not decode, or a PNG without a QR code', async () => {
    expect(decodeQrPng(Buffer.from('GIF89a not a png at all....'))).toEqual({
      ok: false,
      reason: expect.stringMatching(/not a PNG/),
    });
    const cut = (await qrPng(URI)).subarray(0, 80);
    expect(decodeQrPng(cut)).toEqual({ ok: false, reason: expect.stringMatching(/^the PNG does not decode: /) });
    expect(decodeQrPng(blankPng())).toEqual({ ok: false, reason: 'the PNG (64x64) holds no QR code that can be read' });
  });

  it('refuses a PNG that declares more pixels than it may inflate to', async () => {
    const huge = Buffer.from(await qrPng(URI));
    huge.writeUInt32BE(100_000, 16);
    huge.writeUInt32BE(100_000, 20);
    expect(decodeQrPng(huge)).toEqual({ ok: false, reason: expect.stringMatching(/declares 10000000000 pixels/) });
  });
});

describe('readQrImage', () => {
  it('decodes a data:image/png URL without fetching anything', async () => {
    const dataUrl = await QRCode.toDataURL(URI);
    const none = fetcher({});
    const read = await readQrImage(answer({ QRCodeURL: dataUrl }), none, signal);
    expect(read).toMatchObject({
      source: { found: true, uri: URI, via: 'the QR code image in QRCodeURL (data: URL)' },
      decoded: URI,
      fetch: null,
    });
    expect(none.asked).toEqual([]);
  });

  it('fetches an http(s) QRCodeURL and decodes an image/png answer', async () => {
    const f = fetcher(png200(await qrPng(URI), 'image/png; charset=binary'));
    const read = await readQrImage(answer({ QRCodeURL: 'http://t/qr?id=1' }), f, signal);
    expect(f.asked).toEqual(['http://t/qr?id=1']);
    expect(read?.source).toEqual({ found: true, uri: URI, via: 'the QR code image at QRCodeURL' });
  });

  it('a broken PNG, a PNG without a QR code or a QR code without a Key URI fail, each saying which', async () => {
    const broken = await readQrImage(
      answer({ QRCodeURL: 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4' }),
      null,
      signal,
    );
    expect(broken?.source).toEqual({
      found: false,
      category: 'schema-violation',
      reason: expect.stringMatching(/^the QR code image in QRCodeURL \(data: URL\): the PNG does not decode: /),
    });
    const blank = await readQrImage(answer({ QRCodeURL: 'https://t/q.png' }), fetcher(png200(blankPng())), signal);
    expect(blank?.source).toMatchObject({ found: false, reason: expect.stringMatching(/holds no QR code/) });
    expect(blank?.source).not.toHaveProperty('informational');
    const other = await readQrImage(
      answer({ QRCodeURL: 'https://t/q.png' }),
      fetcher(png200(await qrPng('hello'))),
      signal,
    );
    expect(other).toMatchObject({
      source: {
        found: false,
        reason: 'the QR code image at QRCodeURL holds 5 characters that are not an otpauth:// Key URI',
      },
      decoded: 'hello',
    });
    const notBase64 = await readQrImage(answer({ QRCodeURL: 'data:image/png;base64,%%%' }), null, signal);
    expect(notBase64?.source).toMatchObject({ found: false, reason: expect.stringMatching(/not Base64/) });
  });

  it('an image server that errs or hangs is a server error; a 404 is not the QR code', async () => {
    const url = answer({ QRCodeURL: 'https://t/q.png' });
    expect(
      (await readQrImage(url, fetcher({ response: { status: 500, contentType: null, body: Buffer.alloc(0) } }), signal))
        ?.source,
    ).toMatchObject({
      found: false,
      category: 'server-error',
      reason: 'QRCodeURL answered HTTP 500, not the QR image',
    });
    expect(
      (await readQrImage(url, fetcher({ response: { status: 404, contentType: null, body: Buffer.alloc(0) } }), signal))
        ?.source,
    ).toMatchObject({ category: 'schema-violation' });
    expect(
      (
        await readQrImage(
          url,
          fetcher({ failure: { kind: 'timeout', message: 'no complete answer within 9 ms' } }),
          signal,
        )
      )?.source,
    ).toMatchObject({ category: 'server-error', reason: expect.stringMatching(/within 9 ms/) });
  });

  it('leaves the Key URI unchecked (informational) when the image is off the target or not a PNG', async () => {
    const url = answer({ QRCodeURL: 'https://cdn.example/q.png' });
    const off = await readQrImage(
      url,
      fetcher({ failure: { kind: 'off-origin', message: 'QRCodeURL is on https://cdn.example, not on the target' } }),
      signal,
    );
    expect(off?.source).toMatchObject({ found: false, informational: true, reason: expect.stringMatching(/not read/) });
    const svg = await readQrImage(url, fetcher(png200(Buffer.from('<svg/>'), 'image/svg+xml')), signal);
    expect(svg?.source).toMatchObject({ informational: true, reason: expect.stringMatching(/image\/svg\+xml/) });
    // Without a fetcher (a session that cannot fetch) the textual reading stands.
    expect(await readQrImage(url, null, signal)).toBeNull();
  });

  it('does nothing when the payload is readable as text, or the answer is not a success', async () => {
    const f = fetcher({});
    const chart = `https://t/chart?cht=qr&chl=${encodeURIComponent(URI)}`;
    expect(await readQrImage(answer({ QRCodeURL: chart }), f, signal)).toBeNull();
    expect(await readQrImage(answer({ keyUri: URI, QRCodeURL: 'https://t/q.png' }), f, signal)).toBeNull();
    expect(await readQrImage('{"errorCode":9021,"errorMessage":"x","QRCodeURL":"https://t/q"}', f, signal)).toBeNull();
    expect(await readQrImage('not json', f, signal)).toBeNull();
    expect(f.asked).toEqual([]);
  });

  it('finds the fetch capability structurally', () => {
    expect(imageFetcherOf({})).toBeNull();
    const f = fetcher({});
    expect(imageFetcherOf(f)).toBe(f);
  });

  it('reports the fetch and the decoded Key URI through the redactor, never the image', async () => {
    const read = await readQrImage(
      answer({ QRCodeURL: 'https://t/q.png' }),
      fetcher({ ...png200(await qrPng(URI)), urls: ['https://t/q.png', 'https://t/img/q.png'] }),
      signal,
    );
    const report = qrImageReport(read!, (t) => t.replaceAll(SECRET, '«redacted»'));
    expect(report).toContain(
      'GET https://t/q.png\n  redirected to https://t/img/q.png\nHTTP 200\nContent-Type: image/png',
    );
    expect(report).toContain('decoded QR code: otpauth://totp/Acme:mandy?secret=«redacted»&issuer=Acme');
    expect(report).not.toContain(SECRET);
    expect(report).not.toMatch(/PNG|iVBOR/);
  });
});

describe('judgeExchange with a Key URI read from a QR image', () => {
  const provisionOk: Expectation = {
    codes: [0],
    success: { kind: 'key-uri' },
    why: 'x',
    requirements: ['SP-PROVISION-OK'],
  };
  const exchange: OathExchange = {
    request: { method: 'POST', url: 'http://t/x', contentType: 'application/json', body: '{}' },
    response: { status: 200, contentType: 'application/json', body: answer({ QRCodeURL: 'https://t/q.png' }) },
    failure: null,
    ms: 1,
  };
  const judge = (keyUri: PayloadSource) =>
    judgeExchange(provisionOk, exchange, 'provision_oath_device', { knownDeviceIds: new Set(), keyUri });

  it('validates the decoded Key URI exactly as an otpauth: field', () => {
    expect(judge({ found: true, uri: URI, via: 'the QR code image at QRCodeURL' })).toMatchObject({
      verdict: 'pass',
      message: expect.stringMatching(/valid Key URI in the QR code image at QRCodeURL \(totp, issuer "Acme", 160-bit/),
    });
    const hex = judge({ found: true, uri: URI.replace(SECRET, '0123456789ABCDEF0123456789ABCDEF'), via: 'v' });
    expect(hex).toMatchObject({ verdict: 'fail', category: 'schema-violation', requirements: ['SP-KEYURI-SECRET'] });
  });

  it('fails an unreadable image under SP-KEYURI-FORMAT with its category; informational stays informational', () => {
    expect(judge({ found: false, reason: 'the PNG (64x64) holds no QR code that can be read' })).toMatchObject({
      verdict: 'fail',
      category: 'schema-violation',
      requirements: ['SP-KEYURI-FORMAT'],
      message: expect.stringMatching(/holds no QR code/),
    });
    expect(judge({ found: false, category: 'server-error', reason: 'QRCodeURL answered HTTP 500' })).toMatchObject({
      category: 'server-error',
    });
    expect(judge({ found: false, informational: true, reason: 'off the target' })).toMatchObject({
      verdict: 'informational',
      message: expect.stringMatching(/Key URI not checked: off the target/),
    });
  });
});
