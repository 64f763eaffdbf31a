/**
 * The suite's own XML: building AgentXML requests, deciding whether a body is well-formed (the model needs
 * it to predict the answer to a generated body), and reading a SASResponse strictly. Deliberately not
 * shared with the reference server's reader (drivers/emulated/swivel/xml.ts): a tokenizer with an element
 * stack here, a recursive-descent scanner there, so one's bug is not silently the other's.
 */
import { printable, printableJson } from '../../src/core/errors.ts';

export interface XmlElement {
  name: string;
  children: XmlElement[];
  /** Character data directly inside the element (text and CDATA), entity references resolved. */
  text: string;
}

const NAME = /^[A-Za-z_:][A-Za-z0-9._:-]*/;
const ATTRIBUTE = /^[ \t\r\n]+([A-Za-z_:][A-Za-z0-9._:-]*)[ \t\r\n]*=[ \t\r\n]*("[^"<]*"|'[^'<]*')/;
const ENTITY = /&(?:#([0-9]+)|#x([0-9A-Fa-f]+)|([A-Za-z][A-Za-z0-9]*))?;?/g;
const NAMED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Resolves entity references; null when one is unknown or unterminated (not well-formed). */
function decodeEntities(raw: string): string | null {
  let ok = true;
  const out = raw.replace(
    ENTITY,
    (match, dec: string | undefined, hex: string | undefined, name: string | undefined) => {
      if (!match.endsWith(';')) {
        ok = false;
        return '';
      }
      if (name !== undefined) {
        const v = NAMED[name];
        if (v === undefined) ok = false;
        return v ?? '';
      }
      const n = dec !== undefined ? Number(dec) : hex !== undefined ? Number.parseInt(hex, 16) : Number.NaN;
      if (!isXmlChar(n)) {
        ok = false;
        return '';
      }
      return String.fromCodePoint(n);
    },
  );
  return ok ? out : null;
}

function isXmlChar(n: number): boolean {
  return (
    n === 0x9 ||
    n === 0xa ||
    n === 0xd ||
    (n >= 0x20 && n <= 0xd7ff) ||
    (n >= 0xe000 && n <= 0xfffd) ||
    (n >= 0x10000 && n <= 0x10ffff)
  );
}

/** The document's root element, or null when the text is not well-formed XML (DOCTYPEs refused). */
export function parseXml(source: string): XmlElement | null {
  let rest = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  while (rest.length > 0) {
    const inside = stack.length > 0;
    if (rest.startsWith('<!--')) {
      const end = rest.indexOf('-->', 4);
      if (end < 0) return null;
      rest = rest.slice(end + 3);
    } else if (rest.startsWith('<?')) {
      const end = rest.indexOf('?>', 2);
      if (end < 0) return null;
      rest = rest.slice(end + 2);
    } else if (rest.startsWith('<![CDATA[')) {
      const top = stack[stack.length - 1];
      const end = rest.indexOf(']]>', 9);
      if (top === undefined || end < 0) return null;
      top.text += rest.slice(9, end);
      rest = rest.slice(end + 3);
    } else if (rest.startsWith('<!')) {
      return null; // DOCTYPE or another declaration
    } else if (rest.startsWith('</')) {
      const name = NAME.exec(rest.slice(2))?.[0];
      if (name === undefined) return null;
      const after = rest.slice(2 + name.length);
      const close = /^[ \t\r\n]*>/.exec(after);
      const top = stack.pop();
      if (close === null || top === undefined || top.name !== name) return null;
      rest = after.slice(close[0].length);
    } else if (rest.startsWith('<')) {
      const name = NAME.exec(rest.slice(1))?.[0];
      if (name === undefined) return null;
      if (!inside && root !== null) return null; // a second root
      rest = rest.slice(1 + name.length);
      const seen = new Set<string>();
      for (let m = ATTRIBUTE.exec(rest); m !== null; m = ATTRIBUTE.exec(rest)) {
        const attributeName = m[1] as string;
        const value = (m[2] as string).slice(1, -1);
        if (seen.has(attributeName) || decodeEntities(value) === null) return null;
        seen.add(attributeName);
        rest = rest.slice(m[0].length);
      }
      const end = /^[ \t\r\n]*(\/?)>/.exec(rest);
      if (end === null) return null;
      rest = rest.slice(end[0].length);
      const element: XmlElement = { name, children: [], text: '' };
      const parent = stack[stack.length - 1];
      if (parent !== undefined) parent.children.push(element);
      else root = element;
      if (end[1] !== '/') stack.push(element);
    } else {
      const next = rest.indexOf('<');
      const raw = next < 0 ? rest : rest.slice(0, next);
      rest = next < 0 ? '' : rest.slice(next);
      if (!inside) {
        if (!/^[ \t\r\n]*$/.test(raw)) return null; // text outside the root
        continue;
      }
      if (raw.includes(']]>')) return null;
      const text = decodeEntities(raw);
      if (text === null) return null;
      (stack[stack.length - 1] as XmlElement).text += text;
    }
  }
  return stack.length === 0 ? root : null;
}

/**
 * A body with a DOCTYPE is well-formed XML; no text says whether a server processes it. The body as a server
 * that processes the DOCTYPE reads it: the declaration removed and the internal subset's general entities
 * (`<!ENTITY name "value">`, a value without markup or references) expanded; null when the body has no
 * DOCTYPE before its root, or the declaration cannot be read. Other declarations change nothing the suite
 * reads; a reference to an entity this does not expand (external, or with markup) stays, so it is malformed.
 */
export function withoutDoctype(source: string): string | null {
  const start = /^(\uFEFF?(?:[ \t\r\n]+|<\?[\s\S]*?\?>|<!--[\s\S]*?-->)*)<!DOCTYPE[ \t\r\n]/.exec(source);
  if (start === null) return null;
  let i = start[0].length;
  let subset = '';
  for (let quote: string | null = null, inSubset = false; i < source.length; i++) {
    const c = source[i] as string;
    if (quote !== null) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[' && !inSubset) inSubset = true;
    else if (c === ']' && inSubset) inSubset = false;
    else if (c === '>' && !inSubset) break;
    if (inSubset && c !== '[') subset += c;
  }
  if (i >= source.length) return null;
  let rest = (start[1] as string) + source.slice(i + 1);
  for (const m of subset.matchAll(
    /<!ENTITY[ \t\r\n]+([A-Za-z_][A-Za-z0-9._-]*)[ \t\r\n]+("[^"<&%]*"|'[^'<&%]*')[ \t\r\n]*>/g,
  )) {
    rest = rest.split(`&${m[1] as string};`).join((m[2] as string).slice(1, -1));
  }
  return rest;
}

export function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** `<SASRequest>` with these elements in this order (values escaped). */
export function buildSasRequest(elements: readonly (readonly [string, string])[]): string {
  return `<SASRequest>${elements.map(([n, v]) => `<${n}>${escapeXml(v)}</${n}>`).join('')}</SASRequest>`;
}

/** A SASResponse as the suite reads it. */
export interface SasResponse {
  version: string;
  requestId: string;
  result: 'PASS' | 'FAIL';
  error: string;
  id: string | null;
  strings: string[] | null;
}

/** The elements of a SASResponse the protocol defines; any other is ignored (a tolerant reader). */
const RESPONSE_ELEMENTS: readonly string[] = ['Version', 'RequestID', 'Result', 'Error', 'Id', 'SecurityStrings'];
/** XML's white space, around a token value (`<Result>\n  PASS\n</Result>` of a pretty-printed answer). */
const XML_SPACE = /^[ \t\r\n]+|[ \t\r\n]+$/g;

/**
 * Reads an answer body as a SASResponse: the root and Version, RequestID and Result elements are required,
 * each defined element at most once and holding text. Elements the protocol does not define are ignored,
 * wherever they are; the tokens `Result` and `Error` are read without surrounding white space. Returns
 * what is wrong otherwise (a schema violation).
 */
export function readSasResponse(body: string): { response: SasResponse } | { problem: string } {
  const root = parseXml(body);
  if (root === null) return { problem: 'the answer is not well-formed XML' };
  if (root.name !== 'SASResponse') {
    return { problem: `the root element is ${printable(`<${root.name}>`, 80)}, not <SASResponse>` };
  }
  const texts = new Map<string, string>();
  let strings: string[] | null = null;
  for (const child of root.children) {
    if (!RESPONSE_ELEMENTS.includes(child.name)) continue;
    if (texts.has(child.name) || (child.name === 'SecurityStrings' && strings !== null)) {
      return { problem: `<${child.name}> appears more than once` };
    }
    if (child.name === 'SecurityStrings') {
      strings = [];
      for (const s of child.children) {
        if (s.name !== 'String') continue;
        if (s.children.length > 0) return { problem: '<SecurityStrings><String> holds elements instead of text' };
        strings.push(s.text);
      }
      continue;
    }
    if (child.children.length > 0) return { problem: `<${child.name}> holds elements instead of text` };
    texts.set(child.name, child.text);
  }
  for (const required of ['Version', 'RequestID', 'Result']) {
    if (!texts.has(required)) return { problem: `<${required}> is missing` };
  }
  const result = (texts.get('Result') ?? '').replace(XML_SPACE, '');
  if (result !== 'PASS' && result !== 'FAIL')
    return { problem: `<Result> is ${printableJson(texts.get('Result'), 80)}, not PASS or FAIL` };
  return {
    response: {
      version: texts.get('Version') ?? '',
      requestId: texts.get('RequestID') ?? '',
      result,
      error: (texts.get('Error') ?? '').replace(XML_SPACE, ''),
      id: texts.get('Id') ?? null,
      strings,
    },
  };
}
