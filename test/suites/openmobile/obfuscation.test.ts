import { createCipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deobfuscate, obfuscate } from '../../../suites/openmobile/obfuscation.ts';

const KEY = '8CC677D6FA2AC487C2FC7AD7232F87D8FCAFD5E9FC0AFBFF23B09D8713BE3463';

describe('password obfuscation (AES-256-ECB, PKCS#7, hex)', () => {
  it('round-trips, upper-case hex, 32 characters up to 15 bytes', () => {
    const hex = obfuscate('doggylove2', KEY);
    expect(hex).toMatch(/^[0-9A-F]{32}$/);
    expect(deobfuscate(hex, KEY)).toBe('doggylove2');
    expect(deobfuscate(hex.toLowerCase(), KEY.toLowerCase())).toBe('doggylove2');
    expect(obfuscate('123456789012345', KEY)).toHaveLength(32);
    expect(obfuscate('1234567890123456', KEY)).toHaveLength(64);
    expect(deobfuscate(obfuscate('pässwörd€😀', KEY), KEY)).toBe('pässwörd€😀');
  });

  it('matches an independent AES-256-ECB encryption', () => {
    const cipher = createCipheriv('aes-256-ecb', Buffer.from(KEY, 'hex'), null);
    const expected = Buffer.concat([cipher.update('snookums12', 'utf8'), cipher.final()])
      .toString('hex')
      .toUpperCase();
    expect(obfuscate('snookums12', KEY)).toBe(expected);
  });

  it('matches one-shot AES-256-ECB with PKCS#7 at every length and across keys (one cipher per key is reused)', () => {
    const other = '0123456789abcdef'.repeat(4);
    for (let length = 0; length <= 50; length++) {
      for (const key of [KEY, other]) {
        const plain = [...'pé😀x'.repeat(20)].slice(0, length).join('');
        const cipher = createCipheriv('aes-256-ecb', Buffer.from(key, 'hex'), null);
        const expected = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
          .toString('hex')
          .toUpperCase();
        expect(obfuscate(plain, key)).toBe(expected);
        expect(deobfuscate(expected, key)).toBe(plain);
      }
    }
  });

  it('refuses every padding one-shot decryption refuses', () => {
    // The last block decrypted to each possible final byte pattern: only 1..16 repeated n times is padding.
    const raw = (bytes: number[]) => {
      const cipher = createCipheriv('aes-256-ecb', Buffer.from(KEY, 'hex'), null).setAutoPadding(false);
      return Buffer.concat([cipher.update(Buffer.from(bytes)), cipher.final()]).toString('hex');
    };
    const block = (tail: number[]) => [...Array<number>(16 - tail.length).fill(0x61), ...tail];
    expect(deobfuscate(raw(block([0])), KEY)).toBeNull();
    expect(deobfuscate(raw(block([17])), KEY)).toBeNull();
    expect(deobfuscate(raw(block([2, 3])), KEY)).toBeNull();
    expect(deobfuscate(raw(block([3, 3, 3])), KEY)).toBe('a'.repeat(13));
    expect(deobfuscate(raw(Array<number>(16).fill(16)), KEY)).toBe('');
  });

  it('returns null for anything that does not decode', () => {
    const other = 'A'.repeat(64);
    expect(deobfuscate('AEB1DB802DF810239ECA9013', KEY)).toBeNull(); // the seed's example: not whole blocks
    expect(deobfuscate('', KEY)).toBeNull();
    expect(deobfuscate('ZZ'.repeat(16), KEY)).toBeNull();
    expect(deobfuscate(obfuscate('doggylove2', KEY), other)).toBeNull(); // wrong key: bad padding (or not UTF-8)
    expect(deobfuscate(obfuscate('doggylove2', KEY), 'short')).toBeNull();
    // Valid padding but bytes that are not UTF-8.
    const cipher = createCipheriv('aes-256-ecb', Buffer.from(KEY, 'hex'), null);
    const notUtf8 = Buffer.concat([cipher.update(Buffer.from([0xc3, 0x28])), cipher.final()]).toString('hex');
    expect(deobfuscate(notUtf8, KEY)).toBeNull();
  });

  it('rejects a malformed key when obfuscating', () => {
    expect(() => obfuscate('x', 'abc')).toThrow(/64 hex characters/);
  });
});
