/**
 * docs/spec/ holds verbatim copies of the project's source documents (shared/ beside the repository in CI
 * and on the developers' machines), so a clone stands on its own. Where the sources are present, the copies
 * must be identical: a changed source means the model and the vectors must be reviewed against it.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SHARED = path.resolve(ROOT, '../shared');
const COPIES: [string, string][] = [
  ['seeds/000_a9aea074c84422ef.txt', 'open-mobile-provisioning-api-3.2.txt'],
  ['seeds/001_8259eaa0620da3a6.txt', 'open-mobile-portal-profiles.txt'],
  ['seeds/002_44c46eee52c0af9c.txt', 'swivel-mobile-provision.txt'],
  ['seeds/003_c3017c30f6494908.txt', 'surepassid-ota-provisioning.txt'],
  ['open-mobile-reading.md', 'open-mobile-reading.md'],
  ['adapter-protocol.md', 'adapter-protocol.md'],
];

describe.runIf(existsSync(SHARED))('docs/spec copies of the source documents', () => {
  for (const [source, copy] of COPIES) {
    it(`${copy} is identical to shared/${source}`, () => {
      expect(readFileSync(path.join(ROOT, 'docs/spec', copy), 'utf8')).toBe(
        readFileSync(path.join(SHARED, source), 'utf8'),
      );
    });
  }
});
