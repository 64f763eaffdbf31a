/**
 * Password obfuscation (seed: "obfuscate the password with AES-256 using a pre-defined shared key"): the
 * hex of AES-256-ECB with PKCS#7 padding. The key is configuration, never a constant here.
 */
import { createCipheriv, createDecipheriv, type Cipher, type Decipher } from 'node:crypto';

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
  const padded = ciphersFor(keyHex).decipher.update(Buffer.from(hex, 'hex'));
  // PKCS#7: the last byte n (1 to 16) says how many bytes of value n end the plain text.
  const n = padded[padded.length - 1] ?? 0;
  if (n < 1 || n > 16 || n > padded.length) return null;
  for (let i = padded.length - n; i < padded.length; i++) if (padded[i] !== n) return null;
  try {
    return UTF8_STRICT.decode(padded.subarray(0, padded.length - n));
  } catch {
    return null;
  }
}

/** The upper-case hex a provisioning link carries for `plain` under `keyHex` (for builders and tests). */
export function obfuscate(plain: string, keyHex: string): string {
  const { cipher } = ciphersFor(keyHex);
  const bytes = Buffer.from(plain, 'utf8');
  const n = 16 - (bytes.length % 16);
  return cipher
    .update(Buffer.concat([bytes, Buffer.alloc(n, n)]))
    .toString('hex')
    .toUpperCase();
}

/**
 * One AES-256-ECB cipher and decipher per key, padding done here: ECB carries nothing from one block to the
 * next, so a cipher fed whole blocks and never finished serves every password (the fuzzer makes and reads
 * thousands a second, and setting a key up costs more than the blocks).
 */
interface KeyCiphers {
  cipher: Cipher;
  decipher: Decipher;
}

const ciphers = new Map<string, KeyCiphers>();

function ciphersFor(keyHex: string): KeyCiphers {
  let c = ciphers.get(keyHex);
  if (c === undefined) {
    const key = keyBytes(keyHex);
    c = {
      cipher: createCipheriv('aes-256-ecb', key, null).setAutoPadding(false),
      decipher: createDecipheriv('aes-256-ecb', key, null).setAutoPadding(false),
    };
    if (ciphers.size >= 16) ciphers.clear();
    ciphers.set(keyHex, c);
  }
  return c;
}
