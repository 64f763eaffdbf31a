/**
 * The docs speak of the specifications by the names in docs/spec/ (never "seed", the name of the project's
 * source folder) and cite only what a clone holds: every file a doc names exists in the repository, and no
 * doc points at a path outside it or at an issue tracker a reader cannot see.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
/** Verbatim copies of the source documents (test/docs/spec-copies.test.ts): quoted as they are. */
const VERBATIM = new Set(['docs/spec/open-mobile-reading.md', 'docs/spec/adapter-protocol.md']);

function markdownFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : markdownFiles(relative);
    return entry.name.endsWith('.md') ? [relative] : [];
  });
}

const DOCS = [
  'README.md',
  ...markdownFiles('docs'),
  ...readdirSync(path.join(ROOT, 'drivers'))
    .map((d) => `drivers/${d}/README.md`)
    .filter((f) => existsSync(path.join(ROOT, f))),
  ...(existsSync(path.join(ROOT, 'vectors')) ? markdownFiles('vectors') : []),
].filter((f) => !VERBATIM.has(f));

/** "seed" as the random seed of a run or a fuzz property: `--seed 7`, `"seed": 7`, seed 1, a fixed seed. */
const RANDOM_SEED =
  /--seed|"seed"|\bseeds? (?!00\d)\d|fixed seed|\b(?:the|its) seed(?:,| and (?:path|what|workers))|\bseed, (?:path|runs)|by the seed|same seed|the seed and$/i;

/** Each line's uses of "seed" that are not the random seed. */
export function specificationSeeds(text: string): string[] {
  const found: string[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    if (line.startsWith('>')) continue; // a quotation, as written in its source
    for (const m of line.matchAll(/\bseeds?\b/gi)) {
      const window = line.slice(Math.max(0, (m.index ?? 0) - 12), (m.index ?? 0) + 40);
      if (!RANDOM_SEED.test(window)) found.push(`line ${i + 1}: ${line.trim()}`);
    }
  }
  return found;
}

const REPO_DIRS = 'src|suites|drivers|test|docs|vectors|bench|bin|\\.ci';

/** The files a doc names: relative links, and code spans that are paths in the repository or outside it. */
export function citedFiles(doc: string, text: string): { cited: string; resolved: string }[] {
  const out: { cited: string; resolved: string }[] = [];
  for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    const target = (m[1] as string).split('#')[0] as string;
    if (target === '' || /^[a-z]+:/i.test(target)) continue;
    out.push({ cited: target, resolved: path.posix.normalize(path.posix.join(path.posix.dirname(doc), target)) });
  }
  for (const m of text.matchAll(/`([^`\s]+)`/g)) {
    const span = (m[1] as string).replace(/[.,:;]$/, '');
    if (/[*<>{}$]|\.\.\./.test(span)) continue; // a pattern or a placeholder, not a file
    if (span.startsWith('/')) {
      if (/^\/(work|home|tmp|Users)\//.test(span)) out.push({ cited: span, resolved: span });
      continue;
    }
    const file = span.split(/[#:]/)[0] as string;
    if (new RegExp(`^(?:${REPO_DIRS})/[\\w./-]*\\w$`).test(file) || /^[\w-]+\.(?:ts|json|md|txt|js)$/.test(file)) {
      if (!file.includes('/') && !existsSync(path.join(ROOT, file))) continue; // a bare name: not a path
      out.push({ cited: file, resolved: file });
    }
  }
  return out;
}

describe('the docs', () => {
  it('list some documents to check', () => expect(DOCS.length).toBeGreaterThan(10));

  for (const doc of DOCS) {
    const text = readFileSync(path.join(ROOT, doc), 'utf8');

    it(`${doc}: calls no specification "seed"`, () => {
      expect(specificationSeeds(text)).toEqual([]);
    });

    it(`${doc}: every file it cites exists in the repository`, () => {
      const missing = citedFiles(doc, text)
        .filter((c) => c.resolved.startsWith('/') || !existsSync(path.join(ROOT, c.resolved)))
        .map((c) => c.cited);
      expect(missing).toEqual([]);
    });

    it(`${doc}: cites no issue of a tracker the reader cannot see`, () => {
      expect(text.match(/\bissues? #?\d+|(?<![\w&])#\d+\b/gi) ?? []).toEqual([]);
    });
  }

  it('tell the specification "seed" from the random seed', () => {
    expect(specificationSeeds("the seed says so; seed 002; the seed's example")).toHaveLength(3);
    expect(specificationSeeds('`--seed 7`, "seed": 7, seed 1 finds it, seeds 2 to 6, with a fixed seed')).toEqual([]);
  });

  it('find a cited file that does not exist', () => {
    const cited = citedFiles(
      'docs/x.md',
      'see `suites/none/nothing.ts` and [y](../none.md) and `/work/shared/seeds/a.txt`',
    );
    expect(cited.map((c) => c.resolved)).toEqual(['none.md', 'suites/none/nothing.ts', '/work/shared/seeds/a.txt']);
  });
});
