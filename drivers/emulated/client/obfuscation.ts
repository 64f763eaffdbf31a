/**
 * Password obfuscation (`obfuscation=Y`): the password travels as the upper-case hex of AES-256-ECB with
 * PKCS#7 padding under a key shared with the app. The key is configuration handed to the client, never a
 * constant in code.
 */
import { createCipheriv, createDecipheriv, type Decipher } from 'node:crypto';
import { memoTable } from '../memo.ts';

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
  if (keyHex === null || !HEX_BLOCKS.test(obfuscated)) return null;
  const key = keyFor(keyHex);
  if (key === null) return null;
  // A request's password is de-obfuscated more than once (to validate it and to scrub it from the logs),
  // and the fuzzer sends the same few passwords again and again: the answer is a pure function of the two.
  const known = key.decoded.get(obfuscated);
  if (known !== undefined) return known;
  const clear = unpadUtf8(key.decipher.update(Buffer.from(obfuscated, 'hex')));
  if (key.decoded.size >= DECODED_KEPT) key.decoded.clear();
  key.decoded.set(obfuscated, clear);
  return clear;
}

/** Answers kept per key: enough for the passwords a fuzz run repeats, small enough to never matter. */
const DECODED_KEPT = 1024;

/** The text of PKCS#7-padded bytes, or null for a bad padding or bytes that are not UTF-8. */
function unpadUtf8(padded: Buffer): string | null {
  const n = padded[padded.length - 1] ?? 0;
  if (n < 1 || n > 16 || n > padded.length) return null;
  for (let i = padded.length - n; i < padded.length; i++) if (padded[i] !== n) return null;
  try {
    return strictUtf8.decode(padded.subarray(0, padded.length - n));
  } catch {
    return null;
  }
}

interface KnownKey {
  /**
   * AES-256-ECB without padding, never finished: ECB carries nothing from one block to the next, so one
   * decipher fed whole blocks serves every password under this key (setting a key up costs more than
   * decrypting a password). The padding is checked here.
   */
  decipher: Decipher;
  decoded: Map<string, string | null>;
}

/** Keys seen, read once each (a run has one or two); null for a malformed key, which decodes nothing. */
const keys = memoTable<string, KnownKey | null>();

function keyFor(keyHex: string): KnownKey | null {
  let key = keys.get(keyHex);
  if (key === undefined) {
    key = KEY.test(keyHex)
      ? {
          decipher: createDecipheriv('aes-256-ecb', Buffer.from(keyHex, 'hex'), null).setAutoPadding(false),
          decoded: new Map(),
        }
      : null;
    if (keys.size >= 16) keys.clear();
    keys.set(keyHex, key);
  }
  return key;
}

/** What the vendor's obfuscation tool produces; used by tests and the bench to build valid links. */
export function obfuscate(password: string, keyHex: string): string {
  if (!KEY.test(keyHex)) throw new RangeError('obfuscation key must be 64 hex characters (AES-256)');
  const cipher = createCipheriv('aes-256-ecb', Buffer.from(keyHex, 'hex'), null);
  return Buffer.concat([cipher.update(password, 'utf8'), cipher.final()])
    .toString('hex')
    .toUpperCase();
}
