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
  it.runIf(existsSync(SEED))('quote the seed verbatim (except those that say they quote issue 4)', () => {
    const seed = readFileSync(SEED, 'utf8');
    const notFound = REQUIREMENTS.filter((r) => !r.source.startsWith('issue 4') && !seed.includes(r.quote)).map(
      (r) => r.id,
    );
    expect(notFound).toEqual([]);
  });
});
