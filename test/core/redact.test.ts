/**
 * src/core/redact.ts: a password the harness sent never reaches a report, a log or a snapshot, in any
 * spelling a target or a report could give it; a password it did not know is still hidden wherever it
 * stands as a password's value. (test/core/redact.property.test.ts checks the same through a whole run.)
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskSecret, REDACTED, redactUrlPassword, Redactor } from '../../src/core/redact.ts';
import { concreteSpellings } from '../../src/core/secrets.ts';

/**
 * A password of four to twelve characters that holds at least one character no context below holds (the
 * contexts are lower-case words and punctuation), so any spelling of it found after redaction is a leak.
 */
const distinctChar = fc.constantFrom(...'ABCXYZ0189', 'é', '中', '😀');
const anyChar = fc.constantFrom(...'abcXYZ019"<>\'&=#%+ ?/:@;\\~!*()[],.${}', 'é', '中', 'ß', '😀');
const password = fc
  .tuple(distinctChar, fc.array(anyChar, { minLength: 3, maxLength: 11 }), fc.nat())
  .map(([must, rest, at]) => {
    const chars = [...rest];
    chars.splice(at % (chars.length + 1), 0, must);
    return chars.join('');
  });

/** Where a report holds what a target sent: a link, a JSON body, an XML body, a log line. */
const CONTEXTS: ((spelt: string) => string)[] = [
  (p) => `ipass://provision?pid=abc&password=${p}&username=u`,
  (p) => `{"note":"the user typed ${p}","ok":true}`,
  (p) => `<settings><secret>${p}</secret></settings>`,
  (p) => `log: saved credentials ${p} for user`,
];

/**
 * The spellings a result's text may hold a password in (what a target sent, as received): as typed,
 * percent-encoded in either hex case or as a form, HTML-escaped, JSON-escaped once (a body quoted in a message).
 */
function receivedSpellings(secret: string): string[] {
  const pct = encodeURIComponent(secret).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const html = secret.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  return [
    secret,
    pct,
    pct.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
    pct.replace(/%20/g, '+'),
    html,
    JSON.stringify(secret).slice(1, -1),
    JSON.stringify(pct).slice(1, -1),
  ];
}

/** Every spelling of `secret` (concreteSpellings: what a scan of written files looks for) that is in `text`. */
const leaks = (text: string, secret: string): string[] => concreteSpellings(secret).filter((s) => text.includes(s));

describe('Redactor.text', () => {
  it('leaves no spelling of a known password in a result, nor in the JSON a reporter writes of it', () => {
    fc.assert(
      fc.property(password, fc.nat(), (secret, pick) => {
        const redactor = new Redactor();
        redactor.add(secret);
        const spellings = receivedSpellings(secret);
        const spelt = spellings[pick % spellings.length] ?? secret;
        for (const context of CONTEXTS) {
          const out = redactor.text(context(spelt));
          expect(leaks(out, secret), out).toEqual([]);
          expect(leaks(JSON.stringify({ message: out }), secret)).toEqual([]);
          expect(out).toContain(REDACTED);
        }
      }),
      { numRuns: 400, seed: 5 },
    );
  });

  it('hides the value of a password parameter it was never told about, however the name is spelt', () => {
    const redactor = new Redactor();
    for (const name of ['password', 'Password', 'PASS%77ORD', 'new_password']) {
      expect(redactor.text(`clientx://provision?pid=7&${name}=hunter2&username=bob`)).toBe(
        `clientx://provision?pid=7&${name}=${REDACTED}&username=bob`,
      );
    }
    expect(redactor.text('<a href="ipass://provision?pid=7&amp;password=hunter2">')).toBe(
      `<a href="ipass://provision?pid=7&amp;password=${REDACTED}">`,
    );
    expect(redactor.text('{"username":"bob","newPassword":"hunter2"}')).toBe(
      `{"username":"bob","newPassword":"${REDACTED}"}`,
    );
    expect(redactor.text('{\\"password\\":\\"hunter2\\"}')).toBe(`{\\"password\\":\\"${REDACTED}\\"}`);
  });

  it('hides a password too short to search for where it stands as a value, and leaves ordinary words alone', () => {
    const redactor = new Redactor();
    redactor.add('ab');
    expect(redactor.text('ipass://provision?password=ab&pid=ab')).toBe(`ipass://provision?password=${REDACTED}&pid=ab`);
    expect(redactor.text('a table about absent cabs')).toBe('a table about absent cabs');
  });

  it('replaces a longer password first when one password holds another', () => {
    const redactor = new Redactor();
    redactor.add('Secret1');
    redactor.add('Secret12345');
    expect(redactor.text('was Secret12345, now Secret1')).toBe(`was ${REDACTED}, now ${REDACTED}`);
  });

  it('keeps a value that is already a stand-in, and text with nothing to hide, as it is', () => {
    const redactor = new Redactor();
    redactor.add('hunter2!');
    expect(redactor.text('ipass://provision?password=***&pid=1')).toBe('ipass://provision?password=***&pid=1');
    const masked = `ipass://provision?password=${maskSecret('hunter2!')}`;
    expect(redactor.text(masked)).toBe(masked);
    expect(redactor.text('pid=12345&username=bob')).toBe('pid=12345&username=bob');
  });
});

describe('Redactor.freeText (a client log)', () => {
  it('masks every occurrence of a short password with a character the password does not hold', () => {
    const redactor = new Redactor();
    redactor.add('x*');
    redactor.add('long-password');
    const { text, masked, mask } = redactor.freeText('typed x* then long-password, then x* again');
    expect(masked).toBe(true);
    expect(mask).not.toBe('*');
    expect(text).toBe(`typed ${mask} then ${REDACTED}, then ${mask} again`);
    expect(text).not.toContain('x*');
  });

  it('says when nothing short was there to mask', () => {
    const redactor = new Redactor();
    redactor.add('long-password');
    expect(redactor.freeText('saved long-password')).toMatchObject({ text: `saved ${REDACTED}`, masked: false });
  });
});

describe('Redactor.value', () => {
  it('redacts every string at any depth, in place, and leaves shared frozen parts without a secret alone', () => {
    const redactor = new Redactor();
    redactor.add('hunter2!');
    const shared = Object.freeze(['OM-LOG-NO-PASSWORD']);
    const result = {
      message: 'sent hunter2!',
      requirements: shared,
      steps: [{ name: 'provision', attachments: [{ body: '{"password":"hunter2!"}' }] }],
      count: 3,
      none: null,
    };
    expect(redactor.value(result)).toBe(result);
    expect(result.message).toBe(`sent ${REDACTED}`);
    expect(result.steps[0]?.attachments[0]?.body).toBe(`{"password":"${REDACTED}"}`);
    expect(result.requirements).toBe(shared);
    expect(JSON.stringify(result)).not.toContain('hunter2');
  });
});

describe('maskSecret', () => {
  it('shows whether two secrets differ and how long one is, never the secret', () => {
    expect(maskSecret('hunter2!')).toBe(maskSecret('hunter2!'));
    expect(maskSecret('hunter2!')).not.toBe(maskSecret('hunter3!'));
    expect(maskSecret('中文😀')).toMatch(/^«redacted 3 chars #[0-9a-f]{4}»$/);
    expect(maskSecret('hunter2!')).not.toContain('hunter2');
  });
});

describe('redactUrlPassword', () => {
  it('replaces the whole value of a password parameter, quotes and spaces included, up to the next parameter', () => {
    expect(redactUrlPassword('ipass://provision?password=a "b" c&pid=1#x')).toBe(
      `ipass://provision?password=${REDACTED}&pid=1#x`,
    );
    expect(redactUrlPassword('ipass://provision?Password=abc&pid=1', '***')).toBe(
      'ipass://provision?Password=***&pid=1',
    );
    expect(redactUrlPassword('ipass://provision?pid=1')).toBe('ipass://provision?pid=1');
  });
});
