import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeForDeviceShell, quoteForDeviceShell, shellWords } from '../../../drivers/appium/device-shell.ts';

/** What a real POSIX sh (dash here; mksh on Android) makes of one argument written as `word`. */
function throughSh(word: string): string {
  return execFileSync('/bin/sh', ['-c', `printf '%s' ${word}`], { encoding: 'utf8' });
}

/** The query parameters a client reads: split on &, then = , each percent-decoded once. */
function params(url: string): [string, string][] {
  const q = url.slice(url.indexOf('?') + 1);
  return q.split('&').map((pair) => {
    const [k = '', ...v] = pair.split('=');
    return [decodeURIComponent(k), decodeURIComponent(v.join('='))];
  });
}

const tricky = [
  'clientx://provision?pid=9945&username=j smalley&password=a&b;c|d',
  'clientx://provision.com?pid=1&username=o\'brien&password="quoted"',
  'clientx://provision?pid=1&password=$HOME`id`$(reboot)\\x',
  'clientx://provision?pid=1&domain=*.corp?[a]{b}!~^<in>out#frag',
  'clientx://provision?pid=1&username=tab\there&prefix=IPASS/%2F+plus',
];

describe('URIs for the Android device shell', () => {
  it('quoted, they reach `am` exactly as sent through a real sh', () => {
    for (const url of tricky) {
      const sent = encodeForDeviceShell(url);
      expect(throughSh(quoteForDeviceShell(sent))).toBe(sent);
    }
  });

  it('encoding keeps what the client reads: the same parameters, each decoded once', () => {
    for (const url of tricky) {
      const sent = encodeForDeviceShell(url);
      expect(sent.startsWith(url.slice(0, url.indexOf('?') + 1))).toBe(true);
      expect(params(sent.split('#')[0] as string)).toEqual(params(url.split('#')[0] as string));
      // Nothing the shell interprets is left in the query but the structure: & and =.
      expect(sent.slice(sent.indexOf('?'))).not.toMatch(/[\s"'`$\\|;<>()*[\]{}!^~]/);
    }
  });

  it('the simulated device shell agrees with a real sh', () => {
    for (const url of tricky) {
      const word = quoteForDeviceShell(encodeForDeviceShell(url));
      expect(shellWords(`am start -d ${word}`)).toEqual(['am', 'start', '-d', throughSh(word)]);
    }
    // Unquoted, the shell mangles it: & ends the command, a space splits the URI, $x expands.
    expect(shellWords('am start -d clientx://provision?pid=1&username=x')).toEqual([
      'am',
      'start',
      '-d',
      'clientx://provision?pid=1',
    ]);
    expect(shellWords('am start -d a?u=j smalley')).toEqual(['am', 'start', '-d', 'a?u=j', 'smalley']);
    expect(shellWords('am start -d a?p=$HOME.x')).toEqual(['am', 'start', '-d', 'a?p=.x']);
    expect(shellWords(`a "b \\"c\\" $X" \\&d 'e f'`)).toEqual(['a', 'b "c" ', '&d', 'e f']);
    expect(() => shellWords('am -d a?p=$(reboot)')).toThrow(/command substitution/);
  });

  it('round-trips any printable query value (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.stringMatching(/^[a-z]{1,8}$/), fc.string({ unit: 'binary-ascii', maxLength: 12 }))),
        (pairs) => {
          // Raw values, shell characters and all; only what would change the query's structure is encoded.
          const raw = (v: string) =>
            v.replace(/[\u0000&=#%+]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0').toUpperCase()}`);
          const url = `clientx://provision?${pairs.map(([k, v]) => `${k}=${raw(v)}`).join('&')}`;
          const sent = encodeForDeviceShell(url);
          const word = quoteForDeviceShell(sent);
          expect(shellWords(`am start -d ${word}`)[3] ?? '').toBe(sent);
          expect(params(sent)).toEqual(params(url));
        },
      ),
      { numRuns: 300 },
    );
  });
});
