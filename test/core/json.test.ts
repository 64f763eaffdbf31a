/**
 * src/core/json.ts: a vector author with a broken JSON file is told where it breaks as their editor counts
 * (line and column, from 1), whatever the mistake; and the one test for "an object with fields".
 */
import { describe, expect, it } from 'vitest';
import { isRecord, jsonSyntaxMessage } from '../../src/core/json.ts';

/** The message a user gets for `text`, which must not parse. */
function messageFor(text: string): string {
  try {
    JSON.parse(text);
  } catch (error) {
    return jsonSyntaxMessage(text, error);
  }
  throw new Error(`${text} parsed`);
}

describe('jsonSyntaxMessage', () => {
  it.each([
    [
      'a missing comma between items',
      '{\n  "vectors": [\n    { "id": "a" }\n    { "id": "b" }\n  ]\n}\n',
      'line 4, column 5',
    ],
    ['a trailing comma', '{\n  "vectors": [\n    { "id": "a" },\n  ]\n}', 'line 4, column 3'],
    ['a comment', '{\n  // the ids\n  "id": 1\n}', 'line 2, column 3'],
    ['a single-quoted string', "{ 'id': 1 }", 'line 1, column 3'],
    ['an unquoted key', '{\n\tid: 1 }', 'line 2, column 2'],
    ['a text that ends too early', '{ "vectors": [', 'line 1, column 15'],
    ['a raw line break inside a string', '{ "title": "two\nlines" }', 'line 1, column 16'],
    ['a bad escape', '{ "q": "a\\x41" }', 'line 1, column 11'],
    ['text after the document', '{}\n{}', 'line 2, column 1'],
    ['an empty file', '', 'line 1, column 1'],
  ])('points at %s', (_what, text, position) => {
    const message = messageFor(text);
    expect(message).toMatch(new RegExp(`^invalid JSON at ${position}: `));
    expect(message).toMatch(/: fix the syntax there \(a missing or extra comma, quote or bracket, or a comment\)$/);
  });

  it("keeps Node's reason but not its echo of the whole file", () => {
    const text = `{ "vectors": [ ${'{"id": "x"}, '.repeat(50)} }`;
    const message = messageFor(text);
    expect(message.length).toBeLessThan(250);
    expect(message).not.toContain('{"id": "x"}, {"id": "x"}');
  });
});

describe('isRecord', () => {
  it('is true for an object with fields and false for what a document must not be', () => {
    expect(isRecord({ vectors: [] })).toBe(true);
    expect(isRecord({})).toBe(true);
    expect(isRecord(JSON.parse('{"a":1}'))).toBe(true);
    for (const value of [null, undefined, [], [{}], 'x', 1, true]) expect(isRecord(value), String(value)).toBe(false);
  });
});
