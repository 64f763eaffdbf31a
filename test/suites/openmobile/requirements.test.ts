import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHOICE_POINTS, choicePoint, optionsOf } from '../../../suites/openmobile/choices.ts';
import { REQUIREMENTS, requirement } from '../../../suites/openmobile/requirements.ts';
import { PUBLISHED_REQUIREMENT_IDS } from './published-requirements.ts';

const root = new URL('../../../', import.meta.url);
const collapse = (text: string): string => text.replace(/\s+/g, ' ');
const seed = collapse(readFileSync(new URL('docs/spec/open-mobile-provisioning-api-3.2.txt', root), 'utf8'));

const PUBLISHED_IDS = PUBLISHED_REQUIREMENT_IDS;

describe('requirement catalogue', () => {
  it('defines exactly the published IDs, once each', () => {
    const ids = REQUIREMENTS.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual([...PUBLISHED_IDS].sort());
  });

  it.each(REQUIREMENTS.map((r) => [r.id, r.quote] as const))('%s quotes the seed verbatim', (_id, quote) => {
    expect(quote.trim().length).toBeGreaterThan(15);
    expect(seed).toContain(collapse(quote));
  });

  it('every reading reference names sections of the reading', () => {
    for (const r of REQUIREMENTS) {
      if (r.reading !== undefined) expect(r.reading, r.id).toMatch(/^[1-7](, [1-7])*$/);
      expect(r.source.length, r.id).toBeGreaterThan(3);
    }
  });

  it('iOS silentmode is the CHOICE requirement', () => {
    expect(requirement('OM-SILENT-IOS').severity).toBe('CHOICE');
    expect(requirement('OM-CODE-22-AUTOLOGIN').severity).toBe('MUST');
  });

  it('lookup throws on an unknown id', () => {
    expect(() => requirement('OM-NOPE')).toThrow(/unknown Open Mobile requirement "OM-NOPE"/);
  });
});

describe('choice points', () => {
  it('match docs/openmobile-reading-notes.md: same IDs, options and option order', () => {
    const notes = readFileSync(new URL('docs/openmobile-reading-notes.md', root), 'utf8');
    const documented = [...notes.matchAll(/^\| `(OM-CHOICE-[A-Z0-9-]+)`\s*\|[^|]*\|\s*(.*?)\s*\|$/gm)].map((m) => ({
      id: m[1],
      // Parenthesised explanations may quote other text in backticks; only the options themselves count.
      options: [...(m[2] ?? '').replace(/\([^)]*\)/g, '').matchAll(/`([^`]+)`/g)].map((o) => o[1]),
    }));
    expect(documented.length).toBeGreaterThan(10);
    expect(CHOICE_POINTS.map((p) => ({ id: p.id, options: [...p.options] }))).toEqual(documented);
  });

  it('optionsOf and choicePoint find points and reject unknown ids', () => {
    expect(optionsOf('OM-CHOICE-PLUS')).toEqual(['literal', 'space']);
    expect(choicePoint('OM-CHOICE-REPEATED').options).toEqual(['first', 'last']);
    expect(() => optionsOf('OM-CHOICE-NOPE')).toThrow(/unknown Open Mobile choice point/);
  });
});
