/**
 * Length limits: username (100) and password (64) at 0, 1, limit-1, limit and limit+1 characters, counted
 * after percent-decoding (and after de-obfuscation), in code points: ASCII, 2-byte and 3-byte UTF-8
 * characters and percent-encoded reserved characters (`%26` is one `&`).
 */
import { createCipheriv } from 'node:crypto';
import type { Platform } from '../../../protocols/openmobile/types.ts';
import type { Vector } from '../types.ts';
import { type BuildOptions, generatedId, queryOf, sharedProfiles, splitByPlatform } from './common.ts';
import { expectProvision, FRESH, outcomeOf, PASSWORD_LIMIT, type SettingsRequest, USERNAME_LIMIT } from './rules.ts';

export const SOURCE = 'builder:lengths';

export interface CharacterKind {
  key: string;
  text: string;
  /** Characters cycled to build a value; each is one code point. */
  units: string[];
}

/** Non-astral characters only: astral ones are a choice point (OM-CHOICE-ASTRAL-LENGTH). */
export const KINDS: readonly CharacterKind[] = [
  { key: 'ASCII', text: 'ASCII characters', units: ['a', 'b', 'c', '1'] },
  { key: 'UTF8-2', text: '2-byte characters (é)', units: ['é'] },
  { key: 'UTF8-3', text: '3-byte characters (中)', units: ['中'] },
  // Valid vectors always percent-encode these (reading section 2), so each is three bytes on the wire.
  {
    key: 'RESERVED',
    text: 'percent-encoded reserved characters (& = # % + space ?)',
    units: ['&', '=', '#', '%', '+', ' ', '?'],
  },
];

export function valueOf(kind: CharacterKind, length: number): string {
  return Array.from({ length }, (_, i) => kind.units[i % kind.units.length]).join('');
}

/**
 * The obfuscation the seed's links use: AES-256-ECB, PKCS#7 padding, upper-case hex. The key is
 * configuration (64 hex characters), never a constant here.
 */
export function obfuscate(password: string, keyHex: string): string {
  if (!/^[0-9a-fA-F]{64}$/.test(keyHex)) {
    throw new Error(
      'lengths builder: the obfuscation key must be 64 hex characters (AES-256); check the obfuscation key in harness.config.ts',
    );
  }
  const cipher = createCipheriv('aes-256-ecb', Buffer.from(keyHex, 'hex'), null);
  return Buffer.concat([cipher.update(password, 'utf8'), cipher.final()])
    .toString('hex')
    .toUpperCase();
}

function lengths(limit: number): number[] {
  return [0, 1, limit - 1, limit, limit + 1];
}

export function buildLengthVectors(options: BuildOptions): Vector[] {
  const { catalog, obfuscationKey } = options;
  // A profile with a domain option (so a password needs only the username beside it), saving passwords.
  const profile = sharedProfiles(catalog).find((p) => p.domains.options.length > 0 && p.savePassword);
  if (profile === undefined) return [];
  const pid = String(profile.id);
  const vectors: Vector[] = [];

  const push = (id: string, title: string, requirements: string[], request: SettingsRequest, query: string): void => {
    const expect = (platform: Platform) => outcomeOf(expectProvision(catalog, platform, FRESH, request));
    vectors.push(
      ...splitByPlatform({ id, title, area: 'length-limits', requirements, source: SOURCE, when: { query } }, expect),
    );
  };

  for (const field of ['username', 'password'] as const) {
    const limit = field === 'username' ? USERNAME_LIMIT : PASSWORD_LIMIT;
    const requirement = field === 'username' ? 'OM-LEN-USERNAME' : 'OM-LEN-PASSWORD';
    for (const kind of KINDS) {
      for (const length of lengths(limit)) {
        // Zero characters are the same request whatever the kind: generated once.
        if (length === 0 && kind !== KINDS[0]) continue;
        const value = valueOf(kind, length);
        const request: SettingsRequest =
          field === 'username' ? { pid, username: value } : { pid, username: 'jdoe', password: value };
        const verdict = length > limit ? 'rejected (23)' : length === 0 ? 'an erasure' : 'accepted';
        push(
          generatedId(`LENGTH-${field.toUpperCase()}-${length === 0 ? 'EMPTY' : kind.key}-${length}`),
          `Length limit: ${field} of ${length} ${length === 0 ? 'characters' : kind.text} (limit ${limit}) is ${verdict}`,
          [requirement, ...(kind.key === 'ASCII' ? [] : ['OM-PARAM-DECODE'])],
          request,
          queryOf(request),
        );
      }
    }
  }

  if (obfuscationKey !== null) {
    for (const kind of [KINDS[0]!, KINDS[2]!]) {
      for (const length of lengths(PASSWORD_LIMIT)) {
        if (length === 0 && kind !== KINDS[0]) continue;
        const plain = valueOf(kind, length);
        const request: SettingsRequest = { pid, username: 'jdoe', password: plain };
        // An empty obfuscated password erases, like any zero-length value: nothing is decoded.
        const sent = length === 0 ? '' : obfuscate(plain, obfuscationKey);
        const verdict = length > PASSWORD_LIMIT ? 'rejected (23)' : length === 0 ? 'an erasure' : 'accepted';
        push(
          generatedId(`LENGTH-OBFUSCATED-${length === 0 ? 'EMPTY' : kind.key}-${length}`),
          `Length limit: obfuscated password decoding to ${length} ${length === 0 ? 'characters' : kind.text} (limit ${PASSWORD_LIMIT}) is ${verdict}`,
          ['OM-LEN-PASSWORD', 'OM-OBFUSCATION'],
          request,
          queryOf({ pid, username: 'jdoe', password: sent, obfuscation: 'Y' }),
        );
      }
    }
  }
  return vectors;
}
