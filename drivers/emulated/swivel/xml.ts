/**
 * The reference server's XML reader: just enough XML 1.0 to read an AgentXML request, written as a
 * recursive-descent scanner. The suite has its own reader (suites/swivel/xml.ts), written separately on
 * purpose: if both shared one, a parsing bug would agree with itself and never be seen.
 *
 * Refused as not well-formed: a DOCTYPE (no DTD processing, so no entity expansion attacks), unknown
 * entities, unbalanced or mismatched tags, text or a second element outside the root, `]]>` in text,
 * duplicate attributes.
 */

export interface Element {
  name: string;
  attributes: Map<string, string>;
  elements: Element[];
  /** The element's own character data (text and CDATA), concatenated. */
  text: string;
}

export class NotWellFormed extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} at offset ${offset}`);
    this.name = 'NotWellFormed';
  }
}

const NAME_START = /[A-Za-z_:]/;
const NAME_CHAR = /[A-Za-z0-9._:-]/;
const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

export function readXml(source: string): Element {
  let pos = 0;
  const fail = (message: string): never => {
    throw new NotWellFormed(message, pos);
  };
  const at = (s: string): boolean => source.startsWith(s, pos);
  const skipSpace = (): void => {
    while (pos < source.length && ' \t\r\n'.includes(source[pos] as string)) pos++;
  };
  const name = (): string => {
    const start = pos;
    if (!NAME_START.test(source[pos] ?? '')) fail('a name was expected');
    pos++;
    while (pos < source.length && NAME_CHAR.test(source[pos] as string)) pos++;
    return source.slice(start, pos);
  };
  const entity = (): string => {
    // pos is on '&'
    const end = source.indexOf(';', pos);
    if (end < 0) fail('an entity reference is not closed with ";"');
    const body = source.slice(pos + 1, end);
    let value: string | undefined;
    if (/^#[0-9]+$/.test(body)) value = codePoint(Number.parseInt(body.slice(1), 10));
    else if (/^#x[0-9A-Fa-f]+$/.test(body)) value = codePoint(Number.parseInt(body.slice(2), 16));
    else value = PREDEFINED[body];
    if (value === undefined) fail(`unknown entity "&${body};"`);
    pos = end + 1;
    return value as string;
  };
  const comment = (): void => {
    const end = source.indexOf('-->', pos + 4);
    if (end < 0) fail('a comment is not closed');
    pos = end + 3;
  };
  const instruction = (): void => {
    const end = source.indexOf('?>', pos + 2);
    if (end < 0) fail('a processing instruction is not closed');
    pos = end + 2;
  };
  const misc = (): void => {
    for (;;) {
      skipSpace();
      if (at('<!--')) comment();
      else if (at('<?')) instruction();
      else return;
    }
  };
  const element = (): Element => {
    pos++; // '<'
    const tag = name();
    const attributes = new Map<string, string>();
    for (;;) {
      const before = pos;
      skipSpace();
      if (at('/>')) {
        pos += 2;
        return { name: tag, attributes, elements: [], text: '' };
      }
      if (at('>')) {
        pos++;
        break;
      }
      if (pos === before) fail(`space or ">" expected in <${tag}>`);
      const attribute = name();
      skipSpace();
      if (!at('=')) fail(`"=" expected after attribute ${attribute}`);
      pos++;
      skipSpace();
      const quote = source[pos];
      if (quote !== '"' && quote !== "'") fail('an attribute value must be quoted');
      pos++;
      let value = '';
      while (source[pos] !== quote) {
        if (pos >= source.length) fail('an attribute value is not closed');
        if (source[pos] === '<') fail('"<" inside an attribute value');
        if (source[pos] === '&') value += entity();
        else value += source[pos++];
      }
      pos++;
      if (attributes.has(attribute)) fail(`attribute ${attribute} appears twice`);
      attributes.set(attribute, value);
    }
    const elements: Element[] = [];
    let text = '';
    for (;;) {
      if (pos >= source.length) fail(`<${tag}> is not closed`);
      if (at('</')) {
        pos += 2;
        const closing = name();
        skipSpace();
        if (!at('>')) fail(`">" expected in </${closing}>`);
        pos++;
        if (closing !== tag) fail(`</${closing}> closes <${tag}>`);
        return { name: tag, attributes, elements, text };
      }
      if (at('<![CDATA[')) {
        const end = source.indexOf(']]>', pos + 9);
        if (end < 0) fail('a CDATA section is not closed');
        text += source.slice(pos + 9, end);
        pos = end + 3;
      } else if (at('<!--')) comment();
      else if (at('<?')) instruction();
      else if (at('<!')) fail('a declaration inside an element');
      else if (at('<')) elements.push(element());
      else if (at('&')) text += entity();
      else if (at(']]>')) fail('"]]>" in character data');
      else text += source[pos++];
    }
  };

  if (source.charCodeAt(0) === 0xfeff) pos = 1;
  misc();
  if (at('<!DOCTYPE') || at('<!doctype')) fail('a DOCTYPE is not accepted');
  if (!at('<')) fail('the document has no root element');
  const root = element();
  misc();
  if (pos < source.length) fail('content after the root element');
  return root;
}

function codePoint(n: number): string | undefined {
  if (n === 0x9 || n === 0xa || n === 0xd || (n >= 0x20 && n <= 0xd7ff) || (n >= 0xe000 && n <= 0x10ffff)) {
    if (n >= 0xfffe && n <= 0xffff) return undefined;
    return String.fromCodePoint(n);
  }
  return undefined;
}

export function escapeText(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
