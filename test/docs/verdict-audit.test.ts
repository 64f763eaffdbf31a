/**
 * docs/spec/verdict-audit.md says, for every failure category each suite's judge can produce, the sentence it
 * rests on. This keeps it true: every category (and Open Mobile mismatch aspect) a judge exports has an entry
 * in its suite's section, every category a judge's source names is in its export, every quote occurs in the
 * file it cites, every cited requirement exists with the level the entry states, and every Open Mobile choice
 * point is listed among the inputs the specification does not define.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FailureCategory } from '../../src/core/results.ts';
import { DEFECTS } from '../../drivers/emulated/defects.ts';
import { CHOICE_POINTS } from '../../suites/openmobile/choices.ts';
import { OPEN_MOBILE_CATEGORIES } from '../../suites/openmobile/execute.ts';
import { MISMATCH_ASPECTS } from '../../suites/openmobile/judge.ts';
import { REQUIREMENTS as OM_REQUIREMENTS } from '../../suites/openmobile/requirements.ts';
import { PROFILE_SERVICE_CATEGORIES } from '../../suites/openmobile-profiles/judge.ts';
import { REQUIREMENTS as OMP_REQUIREMENTS } from '../../suites/openmobile-profiles/requirements.ts';
import { SUREPASSID_CATEGORIES } from '../../suites/surepassid/judge.ts';
import { REQUIREMENTS as SP_REQUIREMENTS } from '../../suites/surepassid/requirements.ts';
import { SWIVEL_CATEGORIES } from '../../suites/swivel/execute.ts';
import { REQUIREMENTS as SW_REQUIREMENTS } from '../../suites/swivel/requirements.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const DOC = 'docs/spec/verdict-audit.md';
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const collapse = (text: string) => text.replace(/\s+/g, ' ').trim();

interface Requirement {
  id: string;
  severity: string;
  quote: string;
  source: string;
}

interface SuiteFacts {
  categories: readonly FailureCategory[];
  requirements: readonly Requirement[];
  /** The files whose quoted category names must all be in `categories`. */
  sources: string[];
}

const SUITES: Record<string, SuiteFacts> = {
  openmobile: {
    categories: OPEN_MOBILE_CATEGORIES,
    requirements: OM_REQUIREMENTS,
    sources: ['suites/openmobile/judge.ts', 'suites/openmobile/execute.ts', 'suites/openmobile/checks.ts'],
  },
  'openmobile-profiles': {
    categories: PROFILE_SERVICE_CATEGORIES,
    requirements: OMP_REQUIREMENTS,
    sources: ['suites/openmobile-profiles/judge.ts', 'suites/openmobile-profiles/execute.ts'],
  },
  swivel: {
    categories: SWIVEL_CATEGORIES,
    requirements: SW_REQUIREMENTS,
    sources: ['suites/swivel/execute.ts'],
  },
  surepassid: {
    categories: SUREPASSID_CATEGORIES,
    requirements: SP_REQUIREMENTS,
    sources: ['suites/surepassid/judge.ts', 'suites/surepassid/keyuri.ts', 'suites/surepassid/execute.ts'],
  },
};

/** Every category there is: a record, so the compiler wants a new one here too. */
const ALL_CATEGORIES = Object.keys({
  'wrong-result-code': true,
  'state-changed-by-failing-request': true,
  'wrong-state': true,
  precedence: true,
  'not-handled': true,
  'handled-unexpectedly': true,
  'wrong-delivery': true,
  'password-leak': true,
  'inconsistent-choice': true,
  'browser-altered-url': true,
  'server-error': true,
  'schema-violation': true,
  'broken-target': true,
} satisfies Record<FailureCategory, true>) as FailureCategory[];

const LEVELS = ['MUST', 'SHOULD', 'PROTOCOL'] as const;

interface Quote {
  text: string;
  /** A file of docs/spec/. */
  source: string;
}

interface Entry {
  id: string;
  suite: string;
  category: string | null;
  aspect: string | null;
  level: string | null;
  requirements: string[];
  status: string | null;
  quotes: Quote[];
}

/**
 * The document cut into suites (`## ... (suite `x`)`), entries (`### `VA-...``), the undefined-input tables
 * (`tableIds`, their rows by cell: `tableRows`) and the quotes that stand outside an entry (`loose`, in a
 * pseudo-entry per suite: checked like any other).
 */
function parse(text: string): {
  entries: Entry[];
  tableIds: Map<string, string[]>;
  tableRows: Map<string, string[]>;
  loose: Entry[];
  problems: string[];
} {
  const entries: Entry[] = [];
  const loose: Entry[] = [];
  const tableRows = new Map<string, string[]>();
  const tableIds = new Map<string, string[]>();
  const problems: string[] = [];
  let suite: string | null = null;
  let entry: Entry | null = null;
  let field: string | null = null;
  let quote: string[] | null = null;
  const lines = text.split('\n');
  for (const [index, line] of lines.entries()) {
    const where = `${DOC}:${index + 1}`;
    const section = /^## .*\(suite `([a-z-]+)`\)\s*$/.exec(line);
    if (section) {
      suite = section[1] as string;
      entry = null;
      continue;
    }
    if (line.startsWith('## ')) {
      suite = null;
      entry = null;
      continue;
    }
    const heading = /^### `(VA-[A-Z0-9-]+)`/.exec(line);
    if (heading) {
      if (suite === null) problems.push(`${where}: entry ${heading[1]} outside a suite's section`);
      entry = {
        id: heading[1] as string,
        suite: suite ?? '?',
        category: null,
        aspect: null,
        level: null,
        requirements: [],
        status: null,
        quotes: [],
      };
      entries.push(entry);
      field = null;
      continue;
    }
    if (line.startsWith('### ')) {
      entry = null;
      continue;
    }
    const row = /^\| `([A-Z][A-Z0-9-]+)` \|/.exec(line);
    if (row && suite !== null) {
      const ids = tableIds.get(suite) ?? [];
      ids.push(row[1] as string);
      tableIds.set(suite, ids);
      tableRows.set(row[1] as string, line.split(' | ').slice(1));
      continue;
    }
    if (entry === null && suite !== null && line.startsWith('> ')) {
      let holder = loose.find((e) => e.suite === suite);
      if (holder === undefined) {
        holder = { ...blankEntry(`quotes of suite ${suite} outside an entry`, suite) };
        loose.push(holder);
      }
      entry = holder;
    }
    if (entry === null) continue;
    if (line.startsWith('> ')) {
      const source = /^> — `([^`]+)`/.exec(line);
      if (source) {
        if (quote === null || quote.length === 0) problems.push(`${where}: a source line without a quote`);
        else entry.quotes.push({ text: collapse(quote.join(' ')), source: source[1] as string });
        quote = null;
      } else {
        quote = [...(quote ?? []), line.slice(2)];
      }
      continue;
    }
    if (quote !== null) {
      problems.push(`${where}: the quote above has no "> — source" line`);
      quote = null;
    }
    if (loose.includes(entry)) {
      entry = null;
      continue;
    }
    const bullet = /^- \*\*([a-z]+)\*\*: (.*)$/.exec(line);
    if (bullet) {
      field = bullet[1] as string;
      const value = bullet[2] as string;
      if (field === 'category') {
        entry.category = /^`([a-z-]+)`/.exec(value)?.[1] ?? null;
        entry.aspect = /\*\*aspect\*\*: `([a-z]+)`/.exec(value)?.[1] ?? null;
        entry.level = /\*\*level\*\*: ([A-Z]+)/.exec(value)?.[1] ?? null;
      } else if (field === 'aspect') {
        entry.aspect = /^`([a-z]+)`/.exec(value)?.[1] ?? null;
        entry.level = /\*\*level\*\*: ([A-Z]+)/.exec(value)?.[1] ?? null;
      } else if (field === 'status') {
        entry.status = /^(holds|disputed)\b/.exec(value)?.[1] ?? null;
      }
      if (field === 'requirements') entry.requirements.push(...idsIn(value));
      continue;
    }
    if (field === 'requirements' && /^ {2}\S/.test(line)) entry.requirements.push(...idsIn(line));
    if (line.trim() === '') field = null;
  }
  return { entries, tableIds, tableRows, loose, problems };
}

function blankEntry(id: string, suite: string): Entry {
  return { id, suite, category: null, aspect: null, level: null, requirements: [], status: null, quotes: [] };
}

/** Backticked ids and lower-case defect ids (`names-trimmed`) in a table cell. */
function idsOf(cell: string): string[] {
  return [...cell.matchAll(/`([A-Za-z][A-Za-z0-9:-]*)`/g)].map((m) => m[1] as string).filter((x) => x.includes('-'));
}

function idsIn(text: string): string[] {
  return [...text.matchAll(/`([A-Z]+-[A-Z0-9-]+)`/g)].map((m) => m[1] as string);
}

const { entries, tableIds, tableRows, loose, problems } = parse(read(DOC));

describe('docs/spec/verdict-audit.md', () => {
  it('parses: every entry in a suite section, every quote with its source', () => {
    expect(problems).toEqual([]);
    expect(entries.length).toBeGreaterThan(30);
    const ids = entries.map((e) => e.id);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });

  it('every entry states a level, a status and at least one quote', () => {
    const incomplete = entries
      .filter(
        (e) =>
          !LEVELS.includes(e.level as (typeof LEVELS)[number]) ||
          e.status === null ||
          e.quotes.length === 0 ||
          !(e.suite in SUITES),
      )
      .map((e) => `${e.id} (level ${e.level ?? '?'}, status ${e.status ?? '?'}, ${e.quotes.length} quotes)`);
    expect(incomplete).toEqual([]);
  });

  for (const [suite, facts] of Object.entries(SUITES)) {
    it(`${suite}: every category its judge can produce has an entry that fails or is non-strict`, () => {
      const missing = facts.categories
        .filter((c) => !entries.some((e) => e.suite === suite && e.category === c && e.level !== 'PROTOCOL'))
        .map((c) => `suite ${suite} has no entry for category "${c}"`);
      expect(missing).toEqual([]);
    });

    it(`${suite}: its judge's source names no category outside its exported list`, () => {
      const unlisted: string[] = [];
      for (const file of facts.sources) {
        // The classification record itself names every category: it is what is checked, not a use.
        const text = read(file).replace(
          /const \w+_PRODUCES = \{[\s\S]*?\} satisfies Record<FailureCategory, boolean>;/,
          '',
        );
        // `broken-target` is a path to broken (a PROTOCOL entry, checked below), not a failure category.
        for (const c of ALL_CATEGORIES.filter((x) => x !== 'broken-target')) {
          if (text.includes(`'${c}'`) && !facts.categories.includes(c)) unlisted.push(`${file} uses "${c}"`);
        }
      }
      expect(unlisted).toEqual([]);
    });

    it(`${suite}: the paths to broken have an entry`, () => {
      expect(entries.some((e) => e.suite === suite && e.category === 'broken-target' && e.level === 'PROTOCOL')).toBe(
        true,
      );
    });

    it(`${suite}: every cited requirement exists, with the entry's level`, () => {
      const byId = new Map(facts.requirements.map((r) => [r.id, r]));
      const wrong: string[] = [];
      for (const e of entries.filter((x) => x.suite === suite)) {
        for (const id of e.requirements) {
          const r = byId.get(id);
          if (r === undefined) wrong.push(`${e.id} cites ${id}, which suites/${suite}/requirements.ts does not define`);
          else if ((e.level === 'MUST' || e.level === 'SHOULD') && r.severity !== e.level)
            wrong.push(`${e.id} is ${e.level} but cites ${id}, which is ${r.severity}`);
          else if (e.level === 'PROTOCOL') wrong.push(`${e.id} is a path to broken but cites ${id}`);
        }
      }
      expect(wrong).toEqual([]);
    });
  }

  it('Open Mobile: every mismatch aspect has an entry', () => {
    const missing = MISMATCH_ASPECTS.filter((a) => !entries.some((e) => e.suite === 'openmobile' && e.aspect === a));
    expect(missing.map((a) => `suite openmobile has no entry for mismatch aspect "${a}"`)).toEqual([]);
  });

  it('Open Mobile: every choice point is listed among the inputs the specification does not define', () => {
    const listed = new Set(tableIds.get('openmobile') ?? []);
    expect(CHOICE_POINTS.map((p) => p.id).filter((id) => !listed.has(id))).toEqual([]);
  });

  it('Open Mobile: each class of names and query shapes names what still fails it, and it exists', () => {
    const classes = [...tableRows.keys()].filter((id) => id.startsWith('VA-OM-U-'));
    expect(classes.length).toBeGreaterThanOrEqual(8);
    const defects = new Set(DEFECTS.map((d) => d.id));
    const runChecks = new Set(['om:run-choice-consistency', 'om:run-precedence-order']);
    const points = new Set(CHOICE_POINTS.map((p) => p.id));
    const wrong: string[] = [];
    for (const id of classes) {
      const cells = tableRows.get(id) ?? [];
      const caught = idsOf(cells[cells.length - 1] ?? '');
      if (caught.length === 0) wrong.push(`${id} names nothing that still fails`);
      for (const x of caught)
        if (!defects.has(x as never) && !runChecks.has(x)) wrong.push(`${id}: ${x} is no seeded defect or run check`);
      for (const x of idsOf(cells.join(' | ')).filter((c) => c.startsWith('OM-CHOICE-')))
        if (!points.has(x)) wrong.push(`${id}: ${x} is no choice point`);
    }
    expect(wrong).toEqual([]);
    // The iOS decision rests on what Table 3 says and Table 1 does not.
    const quoted = loose.flatMap((e) => e.quotes.map((q) => q.text));
    expect(quoted).toContain('The parameters of this URL are described in Table 3 below and are case-sensitive.');
    expect(quoted).toContain('The parameters of this URL are described in Table 1.');
  });

  it('the server suites list the inputs their specifications do not define, each with a stable id', () => {
    for (const suite of ['openmobile-profiles', 'swivel', 'surepassid']) {
      const ids = tableIds.get(suite) ?? [];
      expect(ids.length, suite).toBeGreaterThan(4);
      expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
    }
  });

  it('every quote occurs verbatim (whitespace aside) in the file it cites', () => {
    const specs = new Map<string, string>();
    const absent: string[] = [];
    for (const e of [...entries, ...loose]) {
      for (const q of e.quotes) {
        if (q.text.length < 10) absent.push(`${e.id}: a quote of ${q.text.length} characters says too little`);
        if (!/^[a-z0-9.-]+\.(txt|md)$/.test(q.source) || q.source === 'verdict-audit.md') {
          absent.push(`${e.id}: cites ${q.source}, which is not a specification of docs/spec/`);
          continue;
        }
        let spec = specs.get(q.source);
        if (spec === undefined) {
          spec = collapse(read(`docs/spec/${q.source}`));
          specs.set(q.source, spec);
        }
        if (!spec.includes(q.text)) absent.push(`${e.id}: "${q.text}" is not in docs/spec/${q.source}`);
      }
    }
    expect(absent).toEqual([]);
  });

  it('docs/spec/README.md links it', () => {
    expect(read('docs/spec/README.md')).toContain('verdict-audit.md');
  });
});
