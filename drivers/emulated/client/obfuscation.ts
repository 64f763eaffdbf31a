/**
 * Password obfuscation (`obfuscation=Y`): the password travels as the upper-case hex of AES-256-ECB with
 * PKCS#7 padding under a key shared with the app. The key is configuration handed to the client, never a
 * constant in code.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';

const HEX_BLOCKS = /^(?:[0-9A-Fa-f]{32})+$/;
const KEY = /^[0-9A-Fa-f]{64}$/;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export function isObfuscationKey(key: string): boolean {
  return KEY.test(key);
}

/**
 * The clear password, or null when it does not decode: no key, not whole AES blocks of hex, bad padding,
 * or bytes that are not UTF-8. Hex digits are accepted in either case.
 */
export function deobfuscate(obfuscated: string, keyHex: string | null): string | null {
  if (keyHex === null || !KEY.test(keyHex) || !HEX_BLOCKS.test(obfuscated)) return null;
  try {
    const decipher = createDecipheriv('aes-256-ecb', Buffer.from(keyHex, 'hex'), null);
    const clear = Buffer.concat([decipher.update(Buffer.from(obfuscated, 'hex')), decipher.final()]);
    return strictUtf8.decode(clear);
  } catch {
    return null;
  }
}

/** What the vendor's obfuscation tool produces; used by tests and the bench to build valid links. */
export function obfuscate(password: string, keyHex: string): string {
  if (!KEY.test(keyHex)) throw new RangeError('obfuscation key must be 64 hex characters (AES-256)');
  const cipher = createCipheriv('aes-256-ecb', Buffer.from(keyHex, 'hex'), null);
  return Buffer.concat([cipher.update(password, 'utf8'), cipher.final()])
    .toString('hex')
    .toUpperCase();
}
