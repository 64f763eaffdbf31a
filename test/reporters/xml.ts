/**
 * A deliberately strict, small XML 1.0 parser for checking the JUnit report is well-formed: it rejects
 * unescaped `<` and `&`, unknown entities, characters XML forbids, unquoted attributes and bad nesting.
 * It understands what junit.xml uses (prolog, elements, attributes, text), nothing more.
 */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
const NAME = /^[A-Za-z_][\w.-]*/;

function decode(raw: string, where: string): string {
  if (FORBIDDEN.test(raw)) throw new Error(`forbidden character in ${where}`);
  return raw.replace(/&([^;]*);?/g, (match, body: string) => {
    if (!match.endsWith(';')) throw new Error(`unterminated entity in ${where}: ${match}`);
    switch (body) {
      case 'amp':
        return '&';
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'quot':
        return '"';
      case 'apos':
        return "'";
    }
    const num = /^#(?:x([0-9a-fA-F]+)|([0-9]+))$/.exec(body);
    if (!num) throw new Error(`unknown entity &${body}; in ${where}`);
    const code = num[1] !== undefined ? parseInt(num[1], 16) : parseInt(num[2] ?? '', 10);
    if (code < 0x20 && code !== 0x9 && code !== 0xa && code !== 0xd)
      throw new Error(`forbidden &#${code}; in ${where}`);
    return String.fromCodePoint(code);
  });
}

export function parseXml(xml: string): XmlElement {
  let pos = 0;
  const fail = (message: string): never => {
    throw new Error(`${message} at offset ${pos}: ${JSON.stringify(xml.slice(pos, pos + 40))}`);
  };
  const skipSpace = (): void => {
    while (pos < xml.length && /\s/.test(xml[pos] ?? '')) pos++;
  };
  if (xml.startsWith('<?xml')) {
    const end = xml.indexOf('?>');
    if (end < 0) fail('unterminated prolog');
    pos = end + 2;
  }
  skipSpace();

  const element = (): XmlElement => {
    if (xml[pos] !== '<') fail('expected <');
    pos++;
    const name = NAME.exec(xml.slice(pos))?.[0] ?? fail('bad element name');
    pos += name.length;
    const el: XmlElement = { name, attributes: {}, children: [], text: '' };
    for (;;) {
      const before = pos;
      skipSpace();
      if (xml.startsWith('/>', pos)) {
        pos += 2;
        return el;
      }
      if (xml[pos] === '>') {
        pos++;
        break;
      }
      if (pos === before) fail('expected whitespace before attribute');
      const attr = NAME.exec(xml.slice(pos))?.[0] ?? fail('bad attribute name');
      pos += attr.length;
      if (xml[pos] !== '=') fail('expected =');
      pos++;
      const quote = xml[pos];
      if (quote !== '"' && quote !== "'") fail('unquoted attribute');
      const end = xml.indexOf(quote ?? '"', pos + 1);
      if (end < 0) fail('unterminated attribute');
      const raw = xml.slice(pos + 1, end);
      if (raw.includes('<')) fail('< in attribute value');
      if (attr in el.attributes) fail(`duplicate attribute ${attr}`);
      el.attributes[attr] = decode(raw, `@${attr}`);
      pos = end + 1;
    }
    for (;;) {
      const next = xml.indexOf('<', pos);
      if (next < 0) fail(`unclosed <${name}>`);
      const raw = xml.slice(pos, next);
      if (raw.includes('>') && raw.includes(']]>')) fail(']]> in text');
      el.text += decode(raw, `<${name}> text`);
      pos = next;
      if (xml.startsWith('</', pos)) {
        pos += 2;
        if (!xml.startsWith(name, pos)) fail(`mismatched close tag for <${name}>`);
        pos += name.length;
        skipSpace();
        if (xml[pos] !== '>') fail('expected > in close tag');
        pos++;
        return el;
      }
      el.children.push(element());
    }
  };

  const root = element();
  skipSpace();
  if (pos !== xml.length) fail('content after the root element');
  return root;
}

export function children(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => c.name === name);
}
