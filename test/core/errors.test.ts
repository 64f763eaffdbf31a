import { describe, expect, it } from 'vitest';
import { escapeControls, printable, printableJson } from '../../src/core/errors.ts';

describe('escapeControls', () => {
  it('escapes controls, format and replacement characters as printable() does, and nothing else', () => {
    expect(escapeControls('a\u0000b\u001b[2Jc\u007f\u0085\u202e\ufffd\r')).toBe(
      'a\\x00b\\x1b[2Jc\\x7f\\x85\\u{202e}\\u{fffd}\\r',
    );
    // Line feeds and tabs stay; quotes and backslashes are not touched (already escaped text stays as is).
    expect(escapeControls('line\n\tnext "q" \\x00')).toBe('line\n\tnext "q" \\x00');
    const quoted = printable(Buffer.from([0x00, 0xff, 0x1b]));
    expect(escapeControls(`got ${quoted}`)).toBe(`got ${quoted}`);
  });
});

describe('printableJson', () => {
  it('is JSON with what JSON leaves raw escaped, cut after max characters', () => {
    expect(printableJson('\u001b\u0085\u202e')).toBe('"\\u001b\\x85\\u{202e}"');
    expect(printableJson({ a: [1, null] })).toBe('{"a":[1,null]}');
    expect(printableJson(undefined)).toBe('undefined');
    expect(printableJson('x'.repeat(300), 10)).toBe(`"xxxxxxxxx… (292 more characters)`);
  });
});
