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
});
