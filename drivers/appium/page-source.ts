/**
 * Reading what a phone shows from Appium's page source (UiAutomator2 and XCUITest both answer XML: one
 * element per view, its properties as attributes). The harness needs only flat lookups ("the element
 * whose resource-id is X", "an alert named Oops!"), so a scanner of start tags is enough and works the
 * same for both drivers' dialects.
 */

export interface SourceElement {
  tag: string;
  attributes: Record<string, string>;
}

/**
 * Finds an element: `attribute` must equal `value` (or contain it, with `match: 'contains'`), and `tag`,
 * when given, is the element's class (`android.widget.TextView`, `XCUIElementTypeAlert`).
 */
export interface Selector {
  attribute: string;
  value: string;
  match?: 'equals' | 'contains';
  tag?: string;
}

const TAG = /<([A-Za-z_][\w.:-]*)((?:\s+[\w.:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*\/?>/g;
const ATTRIBUTE = /([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

export function parseSource(xml: string): SourceElement[] {
  const elements: SourceElement[] = [];
  for (const m of xml.matchAll(TAG)) {
    const tag = m[1] as string;
    if (tag.startsWith('?')) continue;
    const attributes: Record<string, string> = {};
    for (const a of (m[2] ?? '').matchAll(ATTRIBUTE)) {
      attributes[a[1] as string] = decodeEntities(a[2] ?? a[3] ?? '');
    }
    elements.push({ tag, attributes });
  }
  return elements;
}

export function decodeEntities(text: string): string {
  // Most attribute values hold no entity at all; page source is read after every request.
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g, (_, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(parseInt(e.slice(1), 10));
    return ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" } as Record<string, string>)[e] ?? '';
  });
}

/** The inverse, for whoever writes page source (the virtual device). */
export function encodeEntities(text: string): string {
  return text.replace(/[&<>"'\u0000-\u001f]/g, (c) => {
    const named: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
    return named[c] ?? `&#${c.charCodeAt(0)};`;
  });
}

export function matches(element: SourceElement, selector: Selector): boolean {
  if (selector.tag !== undefined && element.tag !== selector.tag) return false;
  const actual = element.attributes[selector.attribute];
  if (actual === undefined) return false;
  return selector.match === 'contains' ? actual.includes(selector.value) : actual === selector.value;
}

export function findFirst(elements: SourceElement[], selector: Selector): SourceElement | null {
  return elements.find((e) => matches(e, selector)) ?? null;
}
