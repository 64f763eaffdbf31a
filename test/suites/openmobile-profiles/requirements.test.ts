import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REQUIREMENTS, requirement } from '../../../suites/openmobile-profiles/requirements.ts';

const root = new URL('../../../', import.meta.url);
const collapse = (text: string): string => text.replace(/\s+/g, ' ');
const read = (p: string) => collapse(readFileSync(new URL(p, root), 'utf8'));
const SOURCES: [RegExp, string][] = [
  [/^001 /, read('docs/spec/open-mobile-portal-profiles.txt')],
  [/^adapter protocol/, read('docs/spec/adapter-protocol.md')],
  [/^000 /, read('docs/spec/open-mobile-provisioning-api-3.2.txt')],
];

describe('openmobile-profiles requirement catalogue', () => {
  it('has unique OMP- ids', () => {
    const ids = REQUIREMENTS.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^OMP-[A-Z0-9-]+$/);
  });

  it.each(REQUIREMENTS.map((r) => [r.id, r] as const))('%s quotes its source verbatim', (_id, r) => {
    const source = SOURCES.find(([pattern]) => pattern.test(r.source));
    expect(source, `no source document for "${r.source}"`).toBeDefined();
    expect(source?.[1]).toContain(collapse(r.quote));
  });

  it("quotes the seed's forbidden characters with its typographic quotes", () => {
    expect(requirement('OMP-PIN-FORBIDDEN-CHARS').quote).toContain('apostrophe( \u2018)');
    expect(requirement('OMP-PIN-FORBIDDEN-CHARS').quote).toContain('quotation mark (\u201c)');
  });

  it('throws on an unknown id', () => {
    expect(() => requirement('OMP-NOPE')).toThrow(/unknown profile-service requirement "OMP-NOPE"/);
  });
});
