/**
 * The QR code's payload: where it is found in an answer, and whether it is a valid Key URI
 * (`otpauth://TYPE/LABEL?PARAMETERS`, the format authenticator apps read: secret in RFC 4648 Base32,
 * issuer, algorithm, digits, period or counter).
 *
 * The seed says nothing about how the QR code is delivered. SurePassID's REST answers carry it as
 * `QRCodeURL`, "a URL to display": a QR image. This module reads the payload where it can be read without
 * decoding pixels: a Key URI given as such (the URL itself, or any string field of the answer), a
 * `data:text/plain` URL, or a QR image service URL that carries the payload in its query
 * (`...?cht=qr&chl=otpauth%3A%2F%2F...`, the chart-API convention). A `QRCodeURL` that is only pixels (a
 * `data:image/...` URL or a link to an image) is marked `informational` here; qr.ts decodes PNG images.
 */

export type PayloadSource =
  | { found: true; uri: string; via: string }
  | {
      found: false;
      reason: string;
      /** The payload may well be valid but was not read (pixels not decoded): not a failure. */
      informational?: true;
      /** How a failure is categorised; default `schema-violation`. */
      category?: 'server-error' | 'schema-violation';
    };

/** Finds the Key URI in a success answer of provision_oath_device or get_oath_device_qrcode. */
export function keyUriOf(answer: Record<string, unknown>): PayloadSource {
  for (const [field, value] of Object.entries(answer)) {
    if (typeof value === 'string' && /^otpauth:/i.test(value))
      return { found: true, uri: value, via: `the ${field} field` };
  }
  const qr = answer['QRCodeURL'];
  if (typeof qr !== 'string' || qr === '')
    return { found: false, reason: 'the answer has no QRCodeURL and no otpauth:// field' };
  if (/^data:/i.test(qr)) {
    const comma = qr.indexOf(',');
    const meta = qr.slice(5, comma < 0 ? undefined : comma).toLowerCase();
    if (comma < 0) return { found: false, reason: 'QRCodeURL is a data: URL without a comma' };
    if (meta.startsWith('image/')) {
      return {
        found: false,
        informational: true,
        reason: `QRCodeURL is an inline ${meta.split(';')[0]} image, pixels rather than text (only base64 PNG QR codes are decoded, by qr.ts)`,
      };
    }
    const data = qr.slice(comma + 1);
    let text: string;
    try {
      text = meta.endsWith(';base64') ? Buffer.from(data, 'base64').toString('utf8') : decodeURIComponent(data);
    } catch {
      return { found: false, reason: 'QRCodeURL is a data: URL whose data does not decode' };
    }
    return /^otpauth:/i.test(text)
      ? { found: true, uri: text, via: 'the data: URL in QRCodeURL' }
      : { found: false, reason: `QRCodeURL is a data: URL that does not hold an otpauth:// URI` };
  }
  let url: URL;
  try {
    url = new URL(qr);
  } catch {
    return { found: false, reason: `QRCodeURL is not a URL: ${JSON.stringify(qr.slice(0, 80))}` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { found: false, reason: `QRCodeURL has the scheme ${url.protocol}, expected https:, http: or otpauth:` };
  }
  for (const [name, value] of url.searchParams) {
    if (/^otpauth:/i.test(value)) return { found: true, uri: value, via: `the ${name} parameter of QRCodeURL` };
  }
  return {
    found: false,
    informational: true,
    reason:
      'QRCodeURL links to a QR image that does not carry its payload in the URL, and the image was not ' +
      'decoded (checked: QRCodeURL is an absolute http(s) URL)',
  };
}

export interface KeyUriProblem {
  requirement: 'SP-KEYURI-FORMAT' | 'SP-KEYURI-SECRET' | 'SP-KEYURI-ISSUER' | 'SP-KEYURI-PARAMS';
  message: string;
  /**
   * Absent: the URI is not valid (fail). `should`: it breaks what the Key URI format only recommends
   * (non-strict). `choice`: the sources are silent and this is one permitted spelling (informational).
   */
  level?: 'should' | 'choice';
  /** With `choice`: the choice point and the option this URI shows. */
  choice?: { point: string; option: string };
}

/** The choice point of an `algorithm` in another letter case (`sha256`). */
export const ALGORITHM_CASE_CHOICE = 'SP-CHOICE-KEYURI-ALGORITHM-CASE';

export interface ParsedKeyUri {
  type: 'totp' | 'hotp';
  issuer: string | null;
  account: string;
  secretBytes: number;
  /** The key the secret encodes, in hex (empty when the secret is not valid Base32): compared, never reported. */
  key: string;
  algorithm: string;
  digits: number;
  period: number | null;
}

const BASE32 = /^[A-Z2-7]+=*$/i;
/** RFC 4226 R6: the shared secret is at least 128 bits. */
const MIN_KEY_BYTES = 16;

/** Every problem of a Key URI (empty: valid), each tagged with the requirement it breaks. */
export function checkKeyUri(uri: string): { problems: KeyUriProblem[]; parsed: ParsedKeyUri | null } {
  const problems: KeyUriProblem[] = [];
  const match = /^otpauth:\/\/([^/?#]*)\/([^?#]*)(?:\?([^#]*))?$/i.exec(uri);
  if (match === null) {
    problems.push({ requirement: 'SP-KEYURI-FORMAT', message: 'not of the form otpauth://TYPE/LABEL?PARAMETERS' });
    return { problems, parsed: null };
  }
  const [, rawType = '', rawLabel = '', query = ''] = match;
  const type = rawType.toLowerCase();
  if (type !== 'totp' && type !== 'hotp') {
    problems.push({
      requirement: 'SP-KEYURI-FORMAT',
      message: `type must be totp or hotp, got ${JSON.stringify(rawType)}`,
    });
  }
  let label: string;
  try {
    label = decodeURIComponent(rawLabel);
  } catch {
    problems.push({ requirement: 'SP-KEYURI-FORMAT', message: 'the label is not valid percent-encoding' });
    label = rawLabel;
  }
  const colon = label.indexOf(':');
  const labelIssuer = colon >= 0 ? label.slice(0, colon) : null;
  const account = (colon >= 0 ? label.slice(colon + 1) : label).trim();
  if (account === '') problems.push({ requirement: 'SP-KEYURI-FORMAT', message: 'the label has no account name' });

  const params = new Map<string, string>();
  for (const part of query === '' ? [] : query.split('&')) {
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    let value: string;
    try {
      value = decodeURIComponent((eq < 0 ? '' : part.slice(eq + 1)).replace(/\+/g, ' '));
    } catch {
      problems.push({ requirement: 'SP-KEYURI-FORMAT', message: `parameter ${name} is not valid percent-encoding` });
      continue;
    }
    if (params.has(name)) problems.push({ requirement: 'SP-KEYURI-FORMAT', message: `parameter ${name} is repeated` });
    params.set(name, value);
  }

  const secret = params.get('secret');
  let secretBytes = 0;
  let key = '';
  if (secret === undefined || secret === '') {
    problems.push({ requirement: 'SP-KEYURI-SECRET', message: 'the secret parameter is missing' });
  } else {
    const decoded = decodeBase32(secret);
    if (typeof decoded === 'string') problems.push({ requirement: 'SP-KEYURI-SECRET', message: decoded });
    else {
      secretBytes = decoded.length;
      key = decoded.toString('hex');
      if (secretBytes < MIN_KEY_BYTES) {
        problems.push({
          requirement: 'SP-KEYURI-SECRET',
          message: `the secret is ${secretBytes * 8} bits; at least ${MIN_KEY_BYTES * 8} are required (RFC 4226 R6)`,
        });
      }
    }
  }

  // Key URI format: "If the issuer parameter is absent, issuer information may be taken from the issuer
  // prefix of the label. If both issuer parameter and issuer label prefix are present, they should be
  // equal." An issuer somewhere is required here (issue 4); where it is only in the label, or the two
  // differ, only a recommendation is broken.
  const issuer = params.get('issuer');
  if (issuer === undefined || issuer.trim() === '') {
    if (labelIssuer === null || labelIssuer.trim() === '') {
      problems.push({
        requirement: 'SP-KEYURI-ISSUER',
        message: 'no issuer: neither an issuer parameter nor an issuer prefix in the label',
      });
    } else {
      problems.push({
        requirement: 'SP-KEYURI-ISSUER',
        message: `the issuer parameter is missing (the label prefix "${labelIssuer}" alone is the legacy form the format still reads)`,
        level: 'should',
      });
    }
  } else if (labelIssuer !== null && labelIssuer !== issuer) {
    problems.push({
      requirement: 'SP-KEYURI-ISSUER',
      message: `the label prefix "${labelIssuer}" differs from the issuer parameter "${issuer}" (they should be equal)`,
      level: 'should',
    });
  }

  const spelt = params.get('algorithm') ?? 'SHA1';
  const algorithm = spelt.toUpperCase();
  if (spelt !== algorithm && ['SHA1', 'SHA256', 'SHA512'].includes(algorithm)) {
    problems.push({
      requirement: 'SP-KEYURI-PARAMS',
      message: `algorithm ${JSON.stringify(spelt)} is spelt in another letter case than the format's ${algorithm}`,
      level: 'choice',
      choice: { point: ALGORITHM_CASE_CHOICE, option: 'other-case' },
    });
  }
  if (!['SHA1', 'SHA256', 'SHA512'].includes(algorithm)) {
    problems.push({
      requirement: 'SP-KEYURI-PARAMS',
      message: `algorithm must be SHA1, SHA256 or SHA512, got ${JSON.stringify(spelt)}`,
    });
  }
  const digitsText = params.get('digits') ?? '6';
  const digits = /^[0-9]+$/.test(digitsText) ? Number(digitsText) : NaN;
  if (digits !== 6 && digits !== 8) {
    problems.push({
      requirement: 'SP-KEYURI-PARAMS',
      message: `digits must be 6 or 8, got ${JSON.stringify(digitsText)}`,
    });
  }
  let period: number | null = null;
  if (type === 'totp') {
    const periodText = params.get('period') ?? '30';
    period = /^[0-9]+$/.test(periodText) ? Number(periodText) : NaN;
    if (!(period > 0)) {
      problems.push({
        requirement: 'SP-KEYURI-PARAMS',
        message: `period must be a positive whole number of seconds, got ${JSON.stringify(periodText)}`,
      });
    }
  } else if (type === 'hotp') {
    const counter = params.get('counter');
    if (counter === undefined || !/^[0-9]+$/.test(counter)) {
      problems.push({
        requirement: 'SP-KEYURI-PARAMS',
        message: `an hotp Key URI needs a counter (a whole number), got ${JSON.stringify(counter ?? null)}`,
      });
    }
  }
  return {
    problems,
    parsed: {
      type: type === 'hotp' ? 'hotp' : 'totp',
      issuer: issuer ?? labelIssuer,
      account,
      secretBytes,
      key,
      algorithm,
      digits,
      period,
    },
  };
}

/**
 * RFC 4648 Base32 (case-insensitive, padding optional but, when present, complete): the bytes, or what is
 * wrong. Lengths that no byte string encodes to (1, 3 or 6 characters past a multiple of 8) and non-zero
 * bits past the last byte (a non-canonical encoding, RFC 4648 section 3.5) are errors.
 */
export function decodeBase32(text: string): Buffer | string {
  if (!BASE32.test(text)) {
    // Which kinds of characters, never which characters: those are the secret's (a report must not hold
    // them), and a server's random keys would give every case its own message (one defect, many groups).
    const outside = text.replace(/[A-Z2-7=]/gi, '');
    if (outside === '') return 'the secret is not Base32: "=" padding may only end it';
    const kinds = [
      ...(/[0189]/.test(outside) ? ['the digits 0, 1, 8 or 9'] : []),
      ...(/[^0189]/.test(outside) ? ['other characters'] : []),
    ];
    const hex = /^[0-9a-f]+$/i.test(text) ? ' (it reads as hexadecimal)' : '';
    return `the secret is not Base32${hex}: it holds ${kinds.join(' and ')}, outside the alphabet A-Z 2-7`;
  }
  const body = text.replace(/=+$/, '');
  const padding = text.length - body.length;
  if (padding > 0 && text.length % 8 !== 0)
    return `the secret's "=" padding leaves a length of ${text.length}, not a multiple of 8`;
  if ([1, 3, 6].includes(body.length % 8)) {
    return `the secret has ${body.length} Base32 characters; no byte string encodes to a length of ${body.length % 8} past a multiple of 8`;
  }
  if (padding > 0 && ![0, 1, 3, 4, 6].includes(padding))
    return `the secret has ${padding} "=" characters, which no length pads to`;
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const bytes: number[] = [];
  let value = 0;
  let bits = 0;
  for (const char of body.toUpperCase()) {
    value = (value << 5) | alphabet.indexOf(char);
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
    value &= (1 << bits) - 1;
  }
  if (value !== 0) return 'the secret is not canonical Base32: the bits past its last byte are not zero';
  return Buffer.from(bytes);
}
