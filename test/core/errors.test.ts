/** src/core/errors.ts: what a user reads when something is wrong, and what a target sent, made safe to print. */
import { describe, expect, it } from 'vitest';
import {
  didYouMean,
  escapeControls,
  HarnessError,
  isHarnessError,
  isNoAnswer,
  markNoAnswer,
  nearest,
  printable,
  printableJson,
} from '../../src/core/errors.ts';

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

describe('HarnessError (a user problem: the CLI prints format() and exits 2)', () => {
  it('prints its code and message, then each problem on its own line: file, field, fix', () => {
    const error = new HarnessError('HARNESS_CONFIG_INVALID', '2 configuration problems in harness.config.ts', [
      {
        file: 'harness.config.ts',
        path: 'targets[1].url',
        message: 'must be an http(s) URL, got "127.0.0.1:9400": add http://',
      },
      { file: 'vectors/a.json', path: '', message: 'not found: check the file name' },
    ]);
    expect(error.format()).toBe(
      'HARNESS_CONFIG_INVALID: 2 configuration problems in harness.config.ts\n' +
        '  harness.config.ts targets[1].url: must be an http(s) URL, got "127.0.0.1:9400": add http://\n' +
        '  vectors/a.json: not found: check the file name',
    );
    expect(isHarnessError(error)).toBe(true);
    expect(error).toBeInstanceOf(Error);
    // Anything else that escapes is a bug, reported as an internal error with its stack.
    expect(isHarnessError(new Error('HARNESS_CONFIG_INVALID: x'))).toBe(false);
  });

  it('with no problems prints one line', () => {
    expect(new HarnessError('HARNESS_USAGE', 'unknown flag --sed: did you mean --seed?').format()).toBe(
      'HARNESS_USAGE: unknown flag --sed: did you mean --seed?',
    );
  });
});

describe('nearest and didYouMean (the fix of a misspelt name)', () => {
  const reporters = ['console', 'jsonl', 'summary', 'junit', 'allure'];

  it('offers the name a user most likely meant: another letter case, a typo, a letter missing or extra', () => {
    expect(nearest('JUnit', reporters)).toBe('junit');
    expect(nearest('consle', reporters)).toBe('console');
    expect(nearest('alure', reporters)).toBe('allure');
    expect(nearest('summarry', reporters)).toBe('summary');
    expect(didYouMean('jsnl', reporters)).toBe('did you mean "jsonl"? ');
  });

  it('offers nothing when nothing is close, rather than a wrong guess', () => {
    expect(nearest('html', reporters)).toBeUndefined();
    expect(nearest('x', [])).toBeUndefined();
    expect(didYouMean('markdown', reporters)).toBe('');
  });
});

describe('printable (what a target sent, quoted in a message)', () => {
  it('shows every byte a terminal would act on as an escape, in quotes', () => {
    expect(printable('ok \u001b[31mred\u0007')).toBe('"ok \\x1b[31mred\\x07"');
    expect(printable('a "quote" and \\ and\nnewline')).toBe('"a \\"quote\\" and \\\\ and\\nnewline"');
    expect(printable('')).toBe('(empty body)');
  });

  it('shows bytes that are not UTF-8 as themselves, and the valid characters around them', () => {
    expect(printable(Buffer.from([0x68, 0x69, 0xff, 0xc3, 0xa9, 0xc3]))).toBe('"hi\\xffé\\xc3"');
  });

  it('cuts a long body and says how much is left out', () => {
    expect(printable('x'.repeat(205), 200)).toBe(`"${'x'.repeat(200)}"… (5 more characters)`);
  });
});

describe('markNoAnswer and isNoAnswer (what the circuit breaker counts)', () => {
  it('finds the mark through the causes a driver wraps it in, and nowhere else', () => {
    const refused = markNoAnswer(new Error('connect ECONNREFUSED 127.0.0.1:9400'));
    expect(isNoAnswer(refused)).toBe(true);
    expect(
      isNoAnswer(new Error('POST /v1/provision failed', { cause: new Error('wrapped', { cause: refused }) })),
    ).toBe(true);
    expect(isNoAnswer(new Error('answered 500'))).toBe(false);
    expect(isNoAnswer('ECONNREFUSED')).toBe(false);
    expect(isNoAnswer(null)).toBe(false);
  });
});
