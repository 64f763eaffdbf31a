/**
 * QR codes delivered as pixels: `QRCodeURL` as a `data:image/png;base64,...` URL, or as an http(s) URL whose
 * answer is `image/png` (fetched through the session, which applies the driver's timeout and never leaves
 * the target's origin). The PNG is decoded (pngjs) and the QR code read (jsQR); the text it holds is then a
 * Key URI like any other (keyuri.ts). A PNG that does not decode, or holds no QR code, fails SP-KEYURI-FORMAT:
 * the QR code must carry a Key URI, and it carries nothing readable.
 *
 * The decoded Key URI holds the OATH secret, and so does the image itself: callers add the decoded text to
 * their redactor, and no image is ever attached to a report.
 */
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import { keyUriOf, type PayloadSource } from './keyuri.ts';

/** What a session's `fetchImage` returns (drivers/http/surepassid.ts, matched structurally). */
export interface QrImageFetch {
  /** The URL asked for, then each redirect followed (same origin only). */
  urls: string[];
  /** The last answer; null when none arrived (see `failure`). */
  response: { status: number; contentType: string | null; body: Buffer } | null;
  /**
   * `timeout`/`connection`: the image server misbehaved. `off-origin`: the URL, or a redirect, leads away
   * from the target and was not followed (the harness only talks to the target). `redirects`: too many.
   */
  failure: { kind: 'timeout' | 'connection' | 'off-origin' | 'redirects'; message: string } | null;
  ms: number;
}

/** The optional session capability this module needs; sessions without it leave image QR codes unchecked. */
export interface QrImageFetcher {
  fetchImage(url: string, signal: AbortSignal): Promise<QrImageFetch>;
}

export function imageFetcherOf(session: object): QrImageFetcher | null {
  const candidate = (session as Partial<QrImageFetcher>).fetchImage;
  return typeof candidate === 'function' ? (session as QrImageFetcher) : null;
}

export type QrDecode = { ok: true; text: string; width: number; height: number } | { ok: false; reason: string };

// jsqr is CommonJS whose typings declare an ES default export: the function is `.default` of module.exports.
const jsQR = jsQRModule.default;

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Larger images are refused before decoding: a small compressed PNG can inflate to gigabytes. */
const MAX_PIXELS = 16 * 1024 * 1024;

/** Decodes a PNG and reads the one QR code in it. */
export function decodeQrPng(png: Buffer): QrDecode {
  if (png.length < 24 || !png.subarray(0, 8).equals(PNG_SIGNATURE)) {
    return { ok: false, reason: `the image is not a PNG (${png.length} bytes without the PNG signature)` };
  }
  // IHDR is always the first chunk: width and height at bytes 16..24.
  const declared = png.readUInt32BE(16) * png.readUInt32BE(20);
  if (declared > MAX_PIXELS) {
    return { ok: false, reason: `the PNG declares ${declared} pixels; more than ${MAX_PIXELS} are not decoded` };
  }
  let image: { width: number; height: number; data: Buffer };
  try {
    image = PNG.sync.read(png);
  } catch (error) {
    return {
      ok: false,
      reason: `the PNG does not decode: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  const rgba = new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.length);
  const code = jsQR(rgba, image.width, image.height);
  if (code === null) {
    return { ok: false, reason: `the PNG (${image.width}x${image.height}) holds no QR code that can be read` };
  }
  return { ok: true, text: code.data, width: image.width, height: image.height };
}

/** What reading the QR image of one answer found, for the judge and the report. */
export interface QrImageRead {
  /** Where the Key URI came from, or why there is none; handed to the judge. */
  source: PayloadSource;
  /** The text the QR code holds (contains the OATH secret: redact before reporting). */
  decoded: string | null;
  /** The image fetch, when QRCodeURL was fetched. */
  fetch: QrImageFetch | null;
  /** How the image was obtained, for the report: `data: URL` or the URL fetched. */
  image: string;
}

/**
 * Reads the Key URI from the QR image of a success answer (`body`: the answer's text), when the answer
 * offers it only as an image. Null when there is nothing to do here: not a JSON success, or the payload is
 * readable (or unreadable) without pixels, which keyUriOf decides on its own.
 */
export async function readQrImage(
  body: string,
  fetcher: QrImageFetcher | null,
  signal: AbortSignal,
): Promise<QrImageRead | null> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return null;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
  const answer = parsed as Record<string, unknown>;
  if (answer['errorCode'] !== 0) return null;
  const textual = keyUriOf(answer);
  if (textual.found || textual.informational !== true) return null;
  const qr = answer['QRCodeURL'];
  if (typeof qr !== 'string') return null;

  const inline = /^data:image\/png;base64,/i.exec(qr);
  if (inline !== null) {
    const data = qr.slice(inline[0].length);
    if (!/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(data)) {
      return unreadable('data: URL', null, 'QRCodeURL is a data:image/png URL whose data is not Base64');
    }
    return fromPng(Buffer.from(data, 'base64'), 'data: URL', null, 'the QR code image in QRCodeURL (data: URL)');
  }
  if (!/^https?:/i.test(qr)) return null;
  if (fetcher === null) return null;

  const fetch = await fetcher.fetchImage(qr, signal);
  const where = fetch.urls.at(-1) ?? qr;
  if (fetch.failure !== null) {
    if (fetch.failure.kind === 'off-origin') {
      return {
        source: {
          found: false,
          informational: true,
          reason: `${fetch.failure.message}; the harness fetches nothing outside the target, so the QR image was not read`,
        },
        decoded: null,
        fetch,
        image: where,
      };
    }
    return unreadable(
      where,
      fetch,
      `fetching the QR image at QRCodeURL: ${fetch.failure.message}`,
      fetch.failure.kind === 'redirects' ? 'schema-violation' : 'server-error',
    );
  }
  const response = fetch.response;
  if (response === null)
    return unreadable(where, fetch, 'fetching the QR image at QRCodeURL: no answer', 'server-error');
  if (response.status !== 200) {
    return unreadable(
      where,
      fetch,
      `QRCodeURL answered HTTP ${response.status}, not the QR image`,
      response.status >= 500 ? 'server-error' : 'schema-violation',
    );
  }
  const mediaType = (response.contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (mediaType !== 'image/png') {
    return {
      source: {
        found: false,
        informational: true,
        reason: `QRCodeURL answered ${mediaType === '' ? 'without a Content-Type' : mediaType}; only image/png QR codes are decoded`,
      },
      decoded: null,
      fetch,
      image: where,
    };
  }
  return fromPng(response.body, where, fetch, 'the QR code image at QRCodeURL');
}

function fromPng(png: Buffer, image: string, fetch: QrImageFetch | null, via: string): QrImageRead {
  const decoded = decodeQrPng(png);
  if (!decoded.ok) return unreadable(image, fetch, `${via}: ${decoded.reason}`);
  if (!/^otpauth:/i.test(decoded.text)) {
    // The text is not shown: whatever it is, it came from where the secret should be.
    return {
      source: {
        found: false,
        reason: `${via} holds ${decoded.text.length} characters that are not an otpauth:// Key URI`,
      },
      decoded: decoded.text,
      fetch,
      image,
    };
  }
  return { source: { found: true, uri: decoded.text, via }, decoded: decoded.text, fetch, image };
}

function unreadable(
  image: string,
  fetch: QrImageFetch | null,
  reason: string,
  category: 'server-error' | 'schema-violation' = 'schema-violation',
): QrImageRead {
  return { source: { found: false, reason, category }, decoded: null, fetch, image };
}

/** A text attachment describing the image read; `redact` is applied to everything that came off the wire. */
export function qrImageReport(read: QrImageRead, redact: (text: string) => string): string {
  const lines: string[] = [];
  if (read.fetch === null) lines.push('QR image: the data:image/png URL in QRCodeURL');
  else {
    const [first, ...redirects] = read.fetch.urls;
    lines.push(`GET ${first ?? '?'}`);
    for (const url of redirects) lines.push(`  redirected to ${url}`);
    const response = read.fetch.response;
    lines.push(
      response === null
        ? `(no answer after ${read.fetch.ms} ms: ${read.fetch.failure?.message ?? 'unknown'})`
        : `HTTP ${response.status}${response.contentType === null ? '' : `\nContent-Type: ${response.contentType}`}\n(${response.body.length} bytes, ${read.fetch.ms} ms; the image is not attached: it encodes the secret)`,
    );
    if (read.fetch.failure !== null && response !== null) lines.push(read.fetch.failure.message);
  }
  lines.push('');
  if (read.source.found) lines.push(`decoded QR code: ${read.source.uri}`);
  else if (read.decoded !== null)
    lines.push(`decoded QR code: ${read.decoded.length} characters, not shown (not a Key URI)`);
  else lines.push(`not decoded: ${read.source.reason}`);
  return redact(lines.join('\n'));
}
