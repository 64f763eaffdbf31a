import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isMalformed, parseUrl, percentDecode, QueryReader } from '../../../suites/openmobile/url.ts';

/** A chooser that always takes the given option and records what was asked. */
function chooser(pick: Record<string, string>, asked: string[] = []) {
  return (point: string, options: readonly string[]): string => {
    asked.push(point);
    return pick[point] ?? options[0] ?? '';
  };
}

describe('parseUrl', () => {
  it('splits scheme, host, path and query; drops the fragment', () => {
    const u = parseUrl('iPass://provision.com/p?pid=1&pin&x=a=b#frag&y=2');
    expect(u).toMatchObject({
      scheme: 'iPass',
      host: 'provision.com',
      path: '/p',
      query: 'pid=1&pin&x=a=b',
      malformed: false,
    });
    expect(u?.pairs).toEqual([
      { name: 'pid', raw: '1' },
      { name: 'pin', raw: null },
      { name: 'x', raw: 'a=b' },
    ]);
  });

  it('no query, empty segments, no scheme', () => {
    expect(parseUrl('clientx://provision')).toMatchObject({ host: 'provision', path: '', query: '', pairs: [] });
    expect(parseUrl('clientx://provision?&&pid=1&')?.pairs).toEqual([{ name: 'pid', raw: '1' }]);
    expect(parseUrl('provision?pid=1')).toBeNull();
  });

  it('flags malformed percent-encoding anywhere in the query', () => {
    expect(parseUrl('ipass://provision?a=%')?.malformed).toBe(true);
    expect(parseUrl('ipass://provision?a=%4')?.malformed).toBe(true);
    expect(parseUrl('ipass://provision?a=%G1')?.malformed).toBe(true);
    expect(parseUrl('ipass://provision?a=%C3')?.malformed).toBe(true);
    expect(parseUrl('ipass://provision?%zz=1')?.malformed).toBe(true);
    expect(parseUrl('ipass://provision?a=%C3%A9%41')?.malformed).toBe(false);
  });
});

describe('percentDecode', () => {
  it('decodes once, into UTF-8', () => {
    expect(percentDecode('%2541', false)).toBe('%41');
    expect(percentDecode('%e2%82%ac', false)).toBe('€');
    expect(percentDecode('%F0%9F%98%80x', false)).toBe('😀x');
  });

  it('plus: literal unless asked to read it as a space; %2B is always a plus', () => {
    expect(percentDecode('a+b%2B', false)).toBe('a+b+');
    expect(percentDecode('a+b%2B', true)).toBe('a b+');
    expect(percentDecode('a+b', true)).toBe('a b');
  });

  it('is lenient with malformed input', () => {
    expect(percentDecode('100%', false)).toBe('100%');
    expect(percentDecode('%zz%41', false)).toBe('%zzA');
    expect(percentDecode('%C3(', false)).toBe('\uFFFD(');
    expect(isMalformed('%C3(')).toBe(true);
    expect(isMalformed('plain')).toBe(false);
  });

  it('judges escaped bytes UTF-8 exactly as a fatal TextDecoder does', () => {
    const strict = new TextDecoder('utf-8', { fatal: true });
    const valid = (bytes: number[]) => {
      try {
        strict.decode(Uint8Array.from(bytes));
        return true;
      } catch {
        return false;
      }
    };
    const escaped = (bytes: number[]) => bytes.map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
    // The edges: overlong forms, surrogates, above U+10FFFF, truncated and stray continuation bytes.
    const edges = [
      [0xc0, 0x80],
      [0xc1, 0xbf],
      [0xc2, 0x80],
      [0xdf, 0xbf],
      [0xe0, 0x9f, 0x80],
      [0xe0, 0xa0, 0x80],
      [0xed, 0x9f, 0xbf],
      [0xed, 0xa0, 0x80],
      [0xef, 0xbf, 0xbf],
      [0xf0, 0x8f, 0x80, 0x80],
      [0xf0, 0x90, 0x80, 0x80],
      [0xf4, 0x8f, 0xbf, 0xbf],
      [0xf4, 0x90, 0x80, 0x80],
      [0xf5, 0x80, 0x80, 0x80],
      [0xe4, 0xb8],
      [0x80],
      [0xbf, 0x41],
      [0xe4, 0xb8, 0xad, 0xe4],
      [0xff],
      [0x41, 0xc3, 0xa9],
    ];
    for (const bytes of edges) expect(isMalformed(escaped(bytes)), escaped(bytes)).toBe(!valid(bytes));
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0x80, max: 0xbf })), { maxLength: 12 }),
        (bytes) => isMalformed(escaped(bytes)) === !valid(bytes),
      ),
      { numRuns: 20_000 },
    );
  });
});

describe('QueryReader', () => {
  const pairs = (query: string) => parseUrl(`ipass://provision?${query}`)?.pairs ?? [];

  it('names are case-sensitive; unknown names are listed', () => {
    const r = new QueryReader(pairs('PID=1&pid=2&Other=3'), chooser({}));
    expect(r.get('pid')).toBe('2');
    expect(r.unknownNames(new Set(['pid']))).toEqual(['PID', 'Other']);
  });

  it('asks only when a case arises for the parameter read', () => {
    const asked: string[] = [];
    const r = new QueryReader(pairs('a=1&b=x+y&b=z&c'), chooser({ 'OM-CHOICE-REPEATED': 'last' }, asked));
    expect(r.get('a')).toBe('1');
    expect(asked).toEqual([]);
    expect(r.get('b')).toBe('z');
    expect(asked).toEqual(['OM-CHOICE-REPEATED']);
    expect(r.get('c')).toBe('');
    expect(asked).toEqual(['OM-CHOICE-REPEATED', 'OM-CHOICE-BARE-NAME']);
    expect(r.get('c', true)).toBeUndefined();
    expect(r.get('missing')).toBeUndefined();
  });

  it('bare name absent, plus as space', () => {
    const r = new QueryReader(
      pairs('c&d=a+b'),
      chooser({ 'OM-CHOICE-BARE-NAME': 'absent', 'OM-CHOICE-PLUS': 'space' }),
    );
    expect(r.get('c')).toBeUndefined();
    expect(r.read('d')).toEqual({ name: 'd', value: 'a b', decoded: true, occurrences: 1, malformed: false });
  });

  it('reads a value that does not decode leniently, as written, or flagged for rejection', () => {
    const query = pairs('u=Jos%C3%A9%E4%B8&p=a+b%zz&ok=%41');
    const choose = chooser({ 'OM-CHOICE-PLUS': 'space' });
    const lenient = new QueryReader(query, choose);
    expect(lenient.read('u')).toMatchObject({ value: 'Jos\u00E9\uFFFD', malformed: true });
    const raw = new QueryReader(query, choose, 'raw');
    expect(raw.get('u')).toBe('Jos%C3%A9%E4%B8');
    // Kept as written but for the target's reading of `+` (OM-CHOICE-PLUS).
    expect(raw.get('p')).toBe('a b%zz');
    // A value that decodes is decoded whatever the reading.
    expect(raw.read('ok')).toMatchObject({ value: 'A', malformed: false });
    const reject = new QueryReader(query, choose, 'reject');
    expect(reject.read('u')).toMatchObject({ value: 'Jos\u00E9\uFFFD', malformed: true });
    expect([reject.hasMalformed('u'), reject.hasMalformed('ok'), reject.hasMalformed('missing')]).toEqual([
      true,
      false,
      false,
    ]);
  });
});
