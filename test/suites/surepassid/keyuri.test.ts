import { describe, expect, it } from 'vitest';
import { checkKeyUri, decodeBase32, keyUriOf } from '../../../suites/surepassid/keyuri.ts';

// RFC 4648 section 10 test vectors, and the RFC 6238 SHA1 seed "12345678901234567890".
const SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

describe('decodeBase32', () => {
  it('decodes the RFC 4648 test vectors, padded or not, in either case', () => {
    expect(decodeBase32('MZXW6YTBOI======')).toEqual(Buffer.from('foobar'));
    expect(decodeBase32('MZXW6YTBOI')).toEqual(Buffer.from('foobar'));
    expect(decodeBase32('mzxw6ytb')).toEqual(Buffer.from('fooba'));
    expect(decodeBase32('MY')).toEqual(Buffer.from('f'));
    expect(decodeBase32(SECRET)).toEqual(Buffer.from('12345678901234567890'));
  });

  it('rejects characters outside the alphabet, naming their kind but never the characters (a secret)', () => {
    const hex =
      'the secret is not Base32 (it reads as hexadecimal): it holds the digits 0, 1, 8 or 9, outside the alphabet A-Z 2-7';
    // Two random hex keys give one message: one defect is one group in Allure, and builds diff cleanly.
    expect(decodeBase32('3132333435363738393031323334353637383930')).toBe(hex);
    expect(decodeBase32('9f0e1d2c3b4a59687f8e9d0c1b2a3f4e5d6c7b8a')).toBe(hex);
    expect(decodeBase32('MZXW6YTB01')).toBe(
      'the secret is not Base32: it holds the digits 0, 1, 8 or 9, outside the alphabet A-Z 2-7',
    );
    expect(decodeBase32('MZXW6Y+B')).toBe(
      'the secret is not Base32: it holds other characters, outside the alphabet A-Z 2-7',
    );
    expect(decodeBase32('MZXW6Y+1')).toMatch(/holds the digits 0, 1, 8 or 9 and other characters/);
    expect(decodeBase32('MZXW6Y+1')).not.toMatch(/"\+"|"1"/);
  });

  it('rejects impossible lengths, bad padding and non-canonical trailing bits', () => {
    expect(decodeBase32('MZX')).toMatch(/no byte string encodes/);
    expect(decodeBase32('MZ=')).toMatch(/not a multiple of 8/);
    expect(decodeBase32('MZ==MZ==')).toMatch(/padding may only end it/);
    expect(decodeBase32('MZ')).toMatch(/not canonical/);
  });
});

describe('checkKeyUri', () => {
  const valid = `otpauth://totp/Acme%20Corp:mandy?secret=${SECRET}&issuer=Acme%20Corp&algorithm=SHA1&digits=6&period=30`;

  it('accepts a complete Key URI, and one relying on the defaults', () => {
    expect(checkKeyUri(valid).problems).toEqual([]);
    expect(checkKeyUri(valid).parsed).toMatchObject({
      type: 'totp',
      issuer: 'Acme Corp',
      account: 'mandy',
      secretBytes: 20,
      digits: 6,
      period: 30,
    });
    expect(checkKeyUri(`otpauth://totp/mandy?secret=${SECRET}&issuer=Acme`).problems).toEqual([]);
    expect(checkKeyUri(`otpauth://hotp/Acme:mandy?secret=${SECRET}&issuer=Acme&counter=0`).problems).toEqual([]);
  });

  const cases: [string, string, RegExp][] = [
    ['https://example.com/x', 'SP-KEYURI-FORMAT', /not of the form/],
    [`otpauth://motp/mandy?secret=${SECRET}&issuer=A`, 'SP-KEYURI-FORMAT', /totp or hotp/],
    [`otpauth://totp/Acme:?secret=${SECRET}&issuer=Acme`, 'SP-KEYURI-FORMAT', /no account name/],
    [`otpauth://totp/mandy?secret=${SECRET}&issuer=A&issuer=B`, 'SP-KEYURI-FORMAT', /repeated/],
    ['otpauth://totp/mandy?issuer=A', 'SP-KEYURI-SECRET', /secret parameter is missing/],
    ['otpauth://totp/mandy?secret=3132333435363738&issuer=A', 'SP-KEYURI-SECRET', /not Base32/],
    ['otpauth://totp/mandy?secret=MZXW6YTBOI&issuer=A', 'SP-KEYURI-SECRET', /48 bits; at least 128/],
    [`otpauth://totp/mandy?secret=${SECRET}`, 'SP-KEYURI-ISSUER', /neither an issuer parameter nor an issuer prefix/],
    [`otpauth://totp/Acme:mandy?secret=${SECRET}`, 'SP-KEYURI-ISSUER', /legacy form/],
    [`otpauth://totp/Acme:mandy?secret=${SECRET}&issuer=Globex`, 'SP-KEYURI-ISSUER', /differs/],
    [`otpauth://totp/mandy?secret=${SECRET}&issuer=A&algorithm=MD5`, 'SP-KEYURI-PARAMS', /algorithm/],
    [`otpauth://totp/mandy?secret=${SECRET}&issuer=A&algorithm=sha1`, 'SP-KEYURI-PARAMS', /algorithm/],
    [`otpauth://totp/mandy?secret=${SECRET}&issuer=A&digits=7`, 'SP-KEYURI-PARAMS', /digits/],
    [`otpauth://totp/mandy?secret=${SECRET}&issuer=A&period=0`, 'SP-KEYURI-PARAMS', /period/],
    [`otpauth://totp/mandy?secret=${SECRET}&issuer=A&period=30s`, 'SP-KEYURI-PARAMS', /period/],
    [`otpauth://hotp/mandy?secret=${SECRET}&issuer=A`, 'SP-KEYURI-PARAMS', /counter/],
  ];
  for (const [uri, requirement, message] of cases) {
    it(`flags ${uri.slice(0, 70)} under ${requirement}`, () => {
      const { problems } = checkKeyUri(uri);
      expect(problems.map((p) => p.requirement)).toContain(requirement);
      expect(problems.map((p) => p.message).join('\n')).toMatch(message);
    });
  }
});

describe('keyUriOf: where the QR payload is read from', () => {
  const uri = `otpauth://totp/A:m?secret=${SECRET}&issuer=A`;
  it('reads an otpauth field, a QR service URL carrying the payload, a data:text URL', () => {
    expect(keyUriOf({ keyUri: uri })).toEqual({ found: true, uri, via: 'the keyUri field' });
    expect(keyUriOf({ QRCodeURL: `https://qr.example/chart?cht=qr&chl=${encodeURIComponent(uri)}` })).toMatchObject({
      found: true,
      uri,
      via: 'the chl parameter of QRCodeURL',
    });
    expect(keyUriOf({ QRCodeURL: `data:text/plain,${encodeURIComponent(uri)}` })).toMatchObject({ found: true, uri });
    expect(keyUriOf({ QRCodeURL: `data:text/plain;base64,${Buffer.from(uri).toString('base64')}` })).toMatchObject({
      found: true,
      uri,
    });
  });

  it('says what it cannot read: an image, a URL without the payload, a missing or broken QRCodeURL', () => {
    // Pixels are not a failure here (qr.ts decodes PNGs); the rest is.
    expect(keyUriOf({ QRCodeURL: 'data:image/png;base64,iVBORw0KGgo=' })).toMatchObject({
      found: false,
      informational: true,
      reason: expect.stringMatching(/inline image\/png image, pixels rather than text/),
    });
    expect(keyUriOf({ QRCodeURL: 'https://qrcode_url_to_display/' })).toMatchObject({
      found: false,
      informational: true,
      reason: expect.stringMatching(/QR image .* was not decoded/),
    });
    expect(keyUriOf({})).toMatchObject({ found: false, reason: expect.stringMatching(/no QRCodeURL/) });
    expect(keyUriOf({})).not.toHaveProperty('informational');
    expect(keyUriOf({ QRCodeURL: 'data:text/plain,hello' })).not.toHaveProperty('informational');
    expect(keyUriOf({ QRCodeURL: 'not a url' })).toMatchObject({
      found: false,
      reason: expect.stringMatching(/not a URL/),
    });
    expect(keyUriOf({ QRCodeURL: 'ftp://x/y' })).toMatchObject({
      found: false,
      reason: expect.stringMatching(/scheme ftp/),
    });
  });
});
