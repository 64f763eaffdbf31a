import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REQUIREMENTS } from '../../../suites/swivel/requirements.ts';

// The repository's verbatim copy (docs/spec/), itself checked against ../shared when present.
const SEED = path.resolve(import.meta.dirname, '../../../docs/spec/swivel-mobile-provision.txt');

describe('Swivel requirements', () => {
  it('have unique ids', () => {
    expect(new Set(REQUIREMENTS.map((r) => r.id)).size).toBe(REQUIREMENTS.length);
  });
  it.runIf(existsSync(SEED))(
    'quote the specification verbatim, or server-requirements.md where their source names it',
    () => {
      const collapse = (t: string) => t.replace(/\s+/g, ' ');
      const seed = collapse(readFileSync(SEED, 'utf8'));
      const agreed = collapse(readFileSync(path.join(path.dirname(SEED), 'server-requirements.md'), 'utf8'));
      const notFound = REQUIREMENTS.filter(
        (r) => !(r.source.startsWith('server-requirements.md') ? agreed : seed).includes(collapse(r.quote)),
      ).map((r) => r.id);
      expect(notFound).toEqual([]);
      expect(REQUIREMENTS.some((r) => r.source.startsWith('server-requirements.md'))).toBe(true);
    },
  );
});
