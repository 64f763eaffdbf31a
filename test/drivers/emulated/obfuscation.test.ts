import { createCipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deobfuscate, obfuscate } from '../../../drivers/emulated/client/obfuscation.ts';

const KEY = '8CC677D6FA2AC487C2FC7AD7232F87D8FCAFD5E9FC0AFBFF23B09D8713BE3463';
const OTHER = '00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF';

describe('deobfuscate (answers are remembered per key)', () => {
  it('gives the same answer every time, per key, for valid and undecodable input', () => {
    const hex = obfuscate('s3cr3t-é😀', KEY);
    for (let i = 0; i < 3; i++) {
      expect(deobfuscate(hex, KEY)).toBe('s3cr3t-é😀');
      expect(deobfuscate(hex.toLowerCase(), KEY)).toBe('s3cr3t-é😀');
      // Another key reads the same hex as something else or nothing, never as the first key's answer.
      expect(deobfuscate(hex, OTHER)).not.toBe('s3cr3t-é😀');
      expect(deobfuscate('00'.repeat(16), KEY)).toBeNull();
      expect(deobfuscate('not hex', KEY)).toBeNull();
    }
  });

  it('decodes nothing without a key or with a malformed one', () => {
    const hex = obfuscate('password', KEY);
    expect(deobfuscate(hex, null)).toBeNull();
    expect(deobfuscate(hex, 'abc')).toBeNull();
    expect(deobfuscate(hex, `${KEY.slice(0, 63)}Z`)).toBeNull();
    expect(deobfuscate(hex, KEY)).toBe('password');
  });

  it('stays correct past the number of answers it keeps', () => {
    const hexes = Array.from({ length: 2_500 }, (_, i) => [obfuscate(`pw-${i}`, KEY), `pw-${i}`] as const);
    for (const [hex, clear] of hexes) expect(deobfuscate(hex, KEY)).toBe(clear);
    for (const [hex, clear] of hexes.slice(0, 10)) expect(deobfuscate(hex, KEY)).toBe(clear);
  });

  it('checks the padding and UTF-8 of every block it decrypts, as one-shot AES does', () => {
    const raw = (bytes: number[]) => {
      const cipher = createCipheriv('aes-256-ecb', Buffer.from(KEY, 'hex'), null).setAutoPadding(false);
      return Buffer.concat([cipher.update(Buffer.from(bytes)), cipher.final()]).toString('hex');
    };
    const block = (tail: number[]) => [...Array<number>(16 - tail.length).fill(0x62), ...tail];
    expect(deobfuscate(raw(block([0])), KEY)).toBeNull();
    expect(deobfuscate(raw(block([17])), KEY)).toBeNull();
    expect(deobfuscate(raw(block([1, 2])), KEY)).toBeNull();
    expect(deobfuscate(raw([...block([]), ...block([4, 4, 4, 4])]), KEY)).toBe('b'.repeat(28));
    expect(deobfuscate(raw([0xc3, 0x28, ...Array<number>(14).fill(14)]), KEY)).toBeNull(); // not UTF-8
    for (let length = 0; length <= 40; length++) {
      const clear = [...'xé😀'.repeat(20)].slice(0, length).join('');
      expect(deobfuscate(obfuscate(clear, KEY), KEY)).toBe(clear);
    }
  });
});
