/**
 * examples/ics/emulated-android.ics.json is a statement the harness accepts (test/e2e/ics.test.ts shows the
 * emulated Android client's plan passing against it, and its choices being the ones the client shows).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { icsVocabularies } from '../../src/cli/builtins.ts';
import { loadIcs } from '../../src/core/ics.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('examples/ics/emulated-android.ics.json', () => {
  it('is a valid statement of the Open Mobile suite for Android, with an order of checks', () => {
    const ics = loadIcs(path.join(ROOT, 'examples/ics/emulated-android.ics.json'), icsVocabularies());
    const statement = ics.suites['openmobile'];
    expect(Object.keys(ics.suites)).toEqual(['openmobile']);
    expect(statement?.platforms).toEqual(['android']);
    expect(Object.keys(statement?.choices ?? {}).length).toBeGreaterThan(10);
    expect(statement?.precedence?.length).toBeGreaterThan(5);
  });
});
