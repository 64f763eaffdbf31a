/**
 * Password obfuscation (seed: "obfuscate the password with AES-256 using a pre-defined shared key"): the
 * hex of AES-256-ECB with PKCS#7 padding. The key is configuration, never a constant here.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';

const HEX = /^[0-9a-fA-F]*$/;
const KEY_HEX = /^[0-9a-fA-F]{64}$/;
const UTF8_STRICT = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function keyBytes(keyHex: string): Buffer {
  if (!KEY_HEX.test(keyHex)) throw new Error('obfuscation key must be 64 hex characters (AES-256)');
  return Buffer.from(keyHex, 'hex');
}

/**
 * The plain password behind `hex` (digits in either case), or null when it does not decode: not hex, not
 * whole 16-byte blocks, bad padding, or bytes that are not UTF-8. A malformed key also gives null, since the
 * client then cannot de-obfuscate anything.
 */
export function deobfuscate(hex: string, keyHex: string): string | null {
  // The model, the judge and the leak check each decrypt a request's password: one decryption serves all.
  const memoKey = `${keyHex}:${hex}`;
  const known = remembered.get(memoKey);
  if (known !== undefined) return known;
  const plain = decrypt(hex, keyHex);
  if (remembered.size >= MEMO_SIZE) remembered.clear();
  remembered.set(memoKey, plain);
  return plain;
}

/** Bounded: a long fuzz run sees millions of passwords; a few thousand cover one run's repeats. */
const MEMO_SIZE = 4096;
const remembered = new Map<string, string | null>();

function decrypt(hex: string, keyHex: string): string | null {
  if (hex.length === 0 || hex.length % 32 !== 0 || !HEX.test(hex) || !KEY_HEX.test(keyHex)) return null;
  try {
    const decipher = createDecipheriv('aes-256-ecb', Buffer.from(keyHex, 'hex'), null);
    const plain = Buffer.concat([decipher.update(Buffer.from(hex, 'hex')), decipher.final()]);
    return UTF8_STRICT.decode(plain);
  } catch {
    return null;
  }
}

/** The upper-case hex a provisioning link carries for `plain` under `keyHex` (for builders and tests). */
export function obfuscate(plain: string, keyHex: string): string {
  const cipher = createCipheriv('aes-256-ecb', keyBytes(keyHex), null);
  return Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
    .toString('hex')
    .toUpperCase();
}
