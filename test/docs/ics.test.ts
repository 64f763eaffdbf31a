/**
 * docs/ics.md lists every suite's choice points, their options and the capabilities a statement may
 * declare: the tables must be the suites' own (their catalogues and ICS vocabularies), so that a vendor
 * writing a statement from the page writes one the harness accepts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createSuites, icsVocabularies } from '../../src/cli/builtins.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PAGE = readFileSync(path.join(ROOT, 'docs/ics.md'), 'utf8');

/** The text of the page's `### <suite>` section under "Every suite's choice points". */
function section(suite: string): string {
  const all = PAGE.slice(PAGE.indexOf("## Every suite's choice points"));
  const start = all.indexOf(`\n### ${suite}\n`);
  expect(start, `docs/ics.md has no section "### ${suite}"`).toBeGreaterThan(0);
  const rest = all.slice(start + 1);
  const end = rest.indexOf('\n### ', 1);
  return end < 0 ? rest : rest.slice(0, end);
}

const words = (text: string) => [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]);

describe('docs/ics.md', () => {
  const suites = createSuites();
  for (const vocabulary of icsVocabularies()) {
    it(`lists the ${vocabulary.suite} suite's choice points, options and capabilities`, () => {
      const text = section(vocabulary.suite);
      const rows = text
        .split('\n')
        .filter((line) => /^\| `/.test(line))
        .map((line) => line.split('|').map((cell) => cell.trim()));
      const points = suites[vocabulary.suite]?.catalogue().choicePoints ?? [];
      expect(rows.map((cells) => [words(cells[1] ?? '')[0], words(cells[2] ?? '')])).toEqual(
        points.map((p) => [p.id, [...p.options]]),
      );
      const capabilities = /^Capabilities: (.*)$/m.exec(text)?.[1] ?? '';
      expect(words(capabilities.split('.')[0] ?? '')).toEqual([...vocabulary.capabilities]);
    });
  }

  it('names every check an Open Mobile order of checks may name', () => {
    const checks = icsVocabularies().find((v) => v.suite === 'openmobile')?.precedence?.checks ?? [];
    const rules = PAGE.slice(PAGE.indexOf('an **order of checks the specification rules out**'));
    for (const check of checks) expect(rules, check).toContain(`\`${check}\``);
  });
});
