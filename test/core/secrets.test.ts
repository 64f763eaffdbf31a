/**
 * src/core/secrets.ts: finding a password in whatever spelling a report could hold it, and telling a
 * parameter that carries one by its name however a link spells the name.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  concreteSpellings,
  distinctive,
  isPasswordName,
  passwordValues,
  redactableEverywhere,
  spelledIn,
  spellingsPattern,
} from '../../src/core/secrets.ts';

const ALPHABET = [...'abcXYZ0189', ...'"<>\'&=#%+ ?/:@;\\~!*()[],.$`{}|^', '\n', '\t', 'é', '中', 'ß', '😀', '\u00a0'];
const secret = fc.array(fc.constantFrom(...ALPHABET), { minLength: 1, maxLength: 10 }).map((cs) => cs.join(''));

/** The HTML a page source or junit.xml holds for `text`. */
const unescapeHtml = (text: string): string =>
  text
    .replace(/&#(\d+);/g, (_m, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&#x([0-9a-f]+);/gi, (_m, h: string) => String.fromCodePoint(Number.parseInt(h, 16)))
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

describe('spellingsPattern', () => {
  it('matches every concrete spelling of a secret, whole, as a result holds it before it is written', () => {
    fc.assert(
      fc.property(secret, (s) => {
        const whole = new RegExp(`^(?:${spellingsPattern(s)})$`);
        // A spelling escaped for JSON twice is the writer's own escaping of one the pattern matched (a report is
        // redacted before it is written as JSON).
        for (const spelling of concreteSpellings(s))
          expect(
            whole.test(spelling) || whole.test(JSON.parse(`"${spelling}"`) as string),
            JSON.stringify(spelling),
          ).toBe(true);
      }),
      { numRuns: 300, seed: 18 },
    );
  });

  it('matches a spelling that mixes forms character by character, as a page that escapes only some does', () => {
    const s = 'a b&"中';
    const mixed = `a+b&amp;\\"${encodeURIComponent('中').toLowerCase()}`;
    expect(new RegExp(`^${spellingsPattern(s)}$`).test(mixed)).toBe(true);
  });

  it('matches a hex secret (a key, an obfuscated password) in either letter case, and nothing else', () => {
    const hex = '8CC677D6FA2AC487C2FC7AD7232F87D8';
    const pattern = new RegExp(`^${spellingsPattern(hex)}$`);
    expect(pattern.test(hex.toLowerCase())).toBe(true);
    expect(pattern.test(`${hex.slice(0, -1)}9`)).toBe(false);
    // A password that is not hex keeps its letter case: "Secret" and "secret" are two passwords.
    expect(new RegExp(`^${spellingsPattern('Secret')}$`).test('secret')).toBe(false);
  });
});

describe('spelledIn', () => {
  /** One concrete spelling of a character, chosen by `k`, as a report or a log could hold it. */
  const spell = (c: string, k: number): string => {
    const code = c.codePointAt(0) ?? 0;
    const pct = [...Buffer.from(c, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
    const units = [...Array(c.length).keys()].map((i) => c.charCodeAt(i).toString(16).padStart(4, '0'));
    const forms = [
      c,
      pct.toUpperCase(),
      pct,
      `&#${code};`,
      `&#x${code.toString(16)};`,
      `&#00${code};`,
      units.map((u) => `\\u${u}`).join(''),
      units.map((u) => `\\\\U${u.toUpperCase()}`).join(''),
      JSON.stringify(c).slice(1, -1),
      c === ' ' ? '+' : c === '+' ? '%20' : c.toUpperCase(),
    ];
    return forms[k % forms.length]!;
  };
  // Fragments of spellings, so that near misses (a `%2` cut short, a lone `&#`, one backslash too many) are
  // common in the text around a secret.
  const NOISE = ['%', '%2', '%25', '&', '&#', '&#x', ';', '\\', '\\u00', 'u', '0', 'amp;', ' ', '+', 'a', 'é'];

  it('answers as the whole spellings pattern does, on texts full of near misses', () => {
    let found = 0;
    let missed = 0;
    fc.assert(
      fc.property(
        secret,
        fc.array(fc.nat(30), { maxLength: 12 }),
        fc.array(fc.constantFrom(...NOISE, ...ALPHABET), { maxLength: 12 }),
        fc.array(fc.constantFrom(...NOISE, ...ALPHABET), { maxLength: 12 }),
        fc.nat(12),
        (s, ks, before, after, cut) => {
          const chars = [...s];
          // The secret spelled a character at a time (each its own way), sometimes cut short or with a
          // character dropped, between noise.
          const spelled = chars.map((c, i) => spell(c, ks[i % Math.max(1, ks.length)] ?? i));
          if (cut > 8 && spelled.length > 1) spelled.splice(cut % spelled.length, 1);
          const text = before.join('') + spelled.join('') + after.join('');
          const expected = new RegExp(spellingsPattern(s)).test(text);
          if (expected) found++;
          else missed++;
          expect(spelledIn(text, s)).toBe(expected);
        },
      ),
      { numRuns: 3000, seed: 7 },
    );
    // Both answers occurred often: the comparison is not one-sided.
    expect(found).toBeGreaterThan(300);
    expect(missed).toBeGreaterThan(300);
  });

  it('finds a hex secret in any letter case, and not one digit short', () => {
    const key = '8CC677D6FA2AC487C2FC7AD7232F87D8';
    expect(spelledIn(`key=${key.toLowerCase()};`, key)).toBe(true);
    expect(spelledIn(`key=${key.slice(0, 16)}${key.slice(16).toLowerCase()}`, key)).toBe(true);
    expect(spelledIn(`key=${key.slice(1)}`, key)).toBe(false);
  });
});

describe('concreteSpellings', () => {
  /** How each medium a report is written in reads a text back. */
  const json = (t: string): string => JSON.parse(`"${t}"`) as string;
  const DECODERS: ((t: string) => string)[] = [
    (t) => t,
    (t) => decodeURIComponent(t),
    (t) => decodeURIComponent(t.replace(/\+/g, ' ')),
    unescapeHtml,
    json,
    (t) => json(json(t)),
    (t) => decodeURIComponent(json(t)),
  ];
  /** A `+` and a space are one character to a form reader: the spellings include both readings. */
  const plusAsSpace = (t: string): string => t.replace(/\+/g, ' ');

  it('are each the secret, read back the way its medium reads it (a report holds no false spelling)', () => {
    fc.assert(
      fc.property(secret, (s) => {
        for (const form of concreteSpellings(s)) {
          const readings = DECODERS.flatMap((decode) => {
            try {
              return [decode(form)];
            } catch {
              return [];
            }
          });
          expect(
            readings.some((r) => plusAsSpace(r) === plusAsSpace(s)),
            JSON.stringify({ s, form }),
          ).toBe(true);
        }
        expect(concreteSpellings(s)).toContain(s);
      }),
      { numRuns: 300, seed: 18 },
    );
  });
});

describe('isPasswordName', () => {
  it('reads a name as a target or a reader would: any case, encoded, escaped, decorated', () => {
    for (const name of [
      'password',
      'Password',
      'PASSWORD',
      'amp;password',
      '&amp;password',
      'pass%77ord',
      'PASS%57ORD',
      'pass+word',
      'new_password',
      'user.Password',
      '&#112;assword',
      'ｐａｓｓｗｏｒｄ',
    ])
      expect(isPasswordName(name), name).toBe(true);
  });

  it('leaves other parameters alone', () => {
    for (const name of ['pid', 'username', 'passwd', 'pass', 'word', 'obfuscation', 'pass%zzword'])
      expect(isPasswordName(name), name).toBe(false);
  });
});

describe('passwordValues', () => {
  it('finds the value of every password parameter of a link, raw and decoded', () => {
    expect(passwordValues('ipass://provision?pid=1&Password=a%2Bb+c&username=u&pass%77ord=zz#frag').sort()).toEqual(
      ['a%2Bb+c', 'a+b c', 'a+b+c', 'zz'].sort(),
    );
    expect(passwordValues('ipass://provision?password=&pid=1')).toEqual([]);
    // A malformed escape: the raw form is what there is.
    expect(passwordValues('ipass://provision?password=%E0%A4%A')).toEqual(['%E0%A4%A']);
  });
});

describe('how short a secret may be', () => {
  it('is searched for everywhere from four characters on (shorter ones would match ordinary words)', () => {
    expect(redactableEverywhere('abc')).toBe(false);
    expect(redactableEverywhere('abcd')).toBe(true);
    expect(redactableEverywhere('中文字符')).toBe(true);
    expect(redactableEverywhere('😀😀😀')).toBe(false);
  });

  it('is told from ordinary log text only when distinctive: eight characters, four different, not only words', () => {
    expect(distinctive('S3cret!x')).toBe(true);
    expect(distinctive('provisioning')).toBe(false);
    expect(distinctive('two words here')).toBe(false);
    expect(distinctive('aaaaaaa1')).toBe(false);
    expect(distinctive('Ab1!')).toBe(false);
  });
});
