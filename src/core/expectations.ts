/**
 * Expectations (known deviations) and the fail-on policy: the one place that decides what a case's verdict
 * means for the run (docs/expectations.md). The runner asks {@link Gate} about every result as it ends: the
 * decision is written on the result (`CaseResult.expectation`) and the run's tally on the summary
 * (`RunSummary.gate`), so every reporter shows the same decision and none derives it again.
 *
 * The file, `harness.expectations.json` (schema: vectors/schema/expectations.schema.json), lists entries:
 * a case (an id, a glob of ids, or a requirement id), a target (a name or glob; absent: any), the verdict(s)
 * the case is expected to end with, a reason, and optionally the bug's link and the failure recorded.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { didYouMean, HarnessError, nearest, nearestIds, type Problem } from './errors.ts';
import type { CaseExpectation, CaseResult, ExpectedVerdict, Verdict } from './results.ts';

export type { CaseExpectation, ExpectedVerdict } from './results.ts';
import { readJsonFile } from './vector-files.ts';
import { schemaProblems } from './schema-problems.ts';

/** The statuses the fail-on policy may name. */
export const FAIL_ON = ['fail', 'broken', 'unexpected-pass', 'non-strict', 'changed', 'stale', 'flaky'] as const;
export type FailOn = (typeof FAIL_ON)[number];

/** What fails a run unless `--fail-on` or the config's `failOn` says otherwise. */
export const DEFAULT_FAIL_ON: readonly FailOn[] = ['fail', 'broken', 'unexpected-pass'];

/** The name of the expectations file looked for beside the config file (or in the working directory). */
export const EXPECTATIONS_FILE_NAME = 'harness.expectations.json';

/** The reason `--update-expectations` gives a new entry: the user must replace it with the real one. */
export const PLACEHOLDER_REASON = 'TODO: why is this deviation accepted? (the vendor bug, the waiver)';

const PASSING: ReadonlySet<Verdict> = new Set(['pass', 'informational']);

/** One entry of the file, as written. */
export interface ExpectationEntry {
  case: string;
  target?: string;
  verdict?: ExpectedVerdict;
  verdicts?: ExpectedVerdict[];
  reason: string;
  link?: string;
  category?: string;
  message?: string;
}

/** An entry that matched no case: its case or target no longer exists. */
export interface StaleEntry {
  where: string;
  case: string;
  target: string;
  why: string;
}

export type GateCounts = Record<FailOn | 'expected', number>;

/** The run's gate: the policy, what each status counted, and which statuses failed the run. */
export interface GateSummary {
  failOn: FailOn[];
  /** The expectations file as messages name it; null: none was used. */
  expectationsFile: string | null;
  /**
   * `fail`, `broken`, `non-strict`: cases with that verdict no entry expected; `expected`: cases an entry
   * expected (not `changed` ones); `stale`: entries; `flaky`: cases that passed only on a retry.
   */
  counts: GateCounts;
  /** The statuses of the policy that counted anything: the run failed on these. */
  failing: FailOn[];
  /** True when no status of the policy counted anything (the run may still fail: interrupted, not run). */
  passed: boolean;
  stale: StaleEntry[];
  /** Entries whose reason is still the placeholder `--update-expectations` wrote. */
  placeholders: number;
}

export function emptyGateCounts(): GateCounts {
  return {
    fail: 0,
    broken: 0,
    'unexpected-pass': 0,
    'non-strict': 0,
    changed: 0,
    stale: 0,
    flaky: 0,
    expected: 0,
  };
}

// ---------------------------------------------------------------------------------------------------------
// The policy

/**
 * `--fail-on` values (each may be a comma-separated list) or the config's `failOn`, checked: the problems
 * name `where` (`--fail-on`, `failOn[2]`) and the allowed values, with the nearest one.
 */
export function failOnProblems(values: readonly unknown[], file: string, where: (i: number) => string): Problem[] {
  const problems: Problem[] = [];
  values.forEach((value, i) => {
    if (typeof value === 'string' && (FAIL_ON as readonly string[]).includes(value)) return;
    const given = typeof value === 'string' ? `"${value}"` : JSON.stringify(value);
    problems.push({
      file,
      path: where(i),
      message: `unknown status ${given}: ${typeof value === 'string' ? didYouMean(value, FAIL_ON) : ''}use ${FAIL_ON.join(', ')} (default: ${DEFAULT_FAIL_ON.join(', ')})`,
    });
  });
  return problems;
}

/** `--fail-on fail,broken --fail-on stale` -> `['fail', 'broken', 'stale']` (empty items dropped). */
export function splitFailOn(values: readonly string[]): string[] {
  return values.flatMap((v) => v.split(',').map((s) => s.trim())).filter((s) => s !== '');
}

// ---------------------------------------------------------------------------------------------------------
// Matching

/** `om:ll-*` -> a RegExp over the whole text; `*` any run of characters, `?` one. */
function globRegExp(pattern: string, flags = ''): RegExp {
  const body = [...pattern]
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, flags);
}

const isGlob = (pattern: string) => /[*?]/.test(pattern);

/** What a case pattern names: one case, case ids by glob, or requirements (no colon: case ids all have one). */
type CaseKind = 'case' | 'case-glob' | 'requirement';

export function caseKind(pattern: string): CaseKind {
  if (!pattern.includes(':')) return 'requirement';
  return isGlob(pattern) ? 'case-glob' : 'case';
}

interface Matcher {
  index: number;
  entry: ExpectationEntry;
  kind: CaseKind;
  caseMatches: (id: string, requirements: readonly string[]) => boolean;
  targetMatches: (name: string) => boolean;
  targetExact: boolean;
  allowed: ExpectedVerdict[];
  /** Higher wins: an entry naming the case beats a glob, a glob a requirement; a named target beats a pattern. */
  rank: number;
}

function matcherOf(entry: ExpectationEntry, index: number): Matcher {
  const kind = caseKind(entry.case);
  let caseMatches: Matcher['caseMatches'];
  if (kind === 'case') caseMatches = (id) => id === entry.case;
  else if (kind === 'case-glob') {
    const re = globRegExp(entry.case);
    caseMatches = (id) => re.test(id);
  } else {
    const re = globRegExp(entry.case, 'i');
    caseMatches = (_id, requirements) => requirements.some((r) => re.test(r));
  }
  const target = entry.target ?? '*';
  const targetExact = !isGlob(target);
  const targetRe = globRegExp(target);
  const allowed = entry.verdicts ?? (entry.verdict === undefined ? [] : [entry.verdict]);
  const rank = (kind === 'case' ? 4 : kind === 'case-glob' ? 2 : 0) + (targetExact ? 1 : 0);
  return {
    index,
    entry,
    kind,
    caseMatches,
    targetMatches: (name) => targetRe.test(name),
    targetExact,
    allowed,
    rank,
  };
}

/** What a target's plan holds, for telling a stale entry from one this run did not reach. */
export interface PlanScope {
  target: string;
  cases: readonly { id: string; requirements: readonly string[] }[];
}

/** A loaded expectations file: its entries, matched against results. */
export class Expectations {
  private readonly matchers: Matcher[];
  /** Entry index -> the cases it decided (or matched, not applicable) in this run. */
  private readonly hits = new Map<number, number>();

  constructor(
    readonly entries: readonly ExpectationEntry[],
    /** The file as messages name it (relative to the working directory). */
    readonly shown: string,
  ) {
    this.matchers = entries.map(matcherOf);
  }

  where(index: number): string {
    return `${this.shown} /expectations/${index}`;
  }

  /** The entry deciding a case on a target: the most specific that matches, the first of equals. */
  entryFor(id: string, target: string, requirements: readonly string[]): number | undefined {
    let best: Matcher | undefined;
    for (const m of this.matchers) {
      if (!m.targetMatches(target) || !m.caseMatches(id, requirements)) continue;
      if (best === undefined || m.rank > best.rank) best = m;
    }
    return best?.index;
  }

  /** The decision for one result (without the policy's `failsRun`), or undefined when no entry decides it. */
  decide(
    result: Pick<CaseResult, 'id' | 'target' | 'requirements' | 'verdict' | 'category' | 'message'>,
  ): Omit<CaseExpectation, 'failsRun'> | undefined {
    const index = this.entryFor(result.id, result.target, result.requirements);
    if (index === undefined) return undefined;
    this.hits.set(index, (this.hits.get(index) ?? 0) + 1);
    const m = this.matchers[index] as Matcher;
    if (result.verdict === 'not-applicable') return undefined;
    const { entry } = m;
    const base = {
      where: this.where(index),
      case: entry.case,
      target: entry.target ?? '*',
      allowed: m.allowed,
      reason: entry.reason,
      ...(entry.link === undefined ? {} : { link: entry.link }),
      ...(entry.category === undefined && entry.message === undefined
        ? {}
        : {
            recorded: {
              ...(entry.category === undefined ? {} : { category: entry.category }),
              ...(entry.message === undefined ? {} : { message: entry.message }),
            },
          }),
    };
    const allowed = (m.allowed as Verdict[]).includes(result.verdict);
    if (PASSING.has(result.verdict)) {
      if (allowed) return undefined;
      // A pattern says which cases may deviate; only an entry naming the case says this one must.
      return m.kind === 'case' ? { status: 'unexpected-pass', ...base } : undefined;
    }
    if (!allowed) return { status: 'unexpected-verdict', ...base };
    const changed =
      (entry.category !== undefined && entry.category !== (result.category ?? '')) ||
      (entry.message !== undefined && entry.message !== result.message);
    return { status: changed ? 'changed' : 'expected', ...base };
  }

  /** How many cases an entry matched in this run. */
  hitsOf(index: number): number {
    return this.hits.get(index) ?? 0;
  }

  /**
   * The entries that refer to nothing: a target pattern that matches no configured target, or a case pattern
   * that matches no case of the (unfiltered) plan of any selected target it names, nor any result. An entry
   * naming only targets this run did not select is not judged.
   */
  stale(plans: readonly PlanScope[], configuredTargets: readonly string[]): StaleEntry[] {
    const stale: StaleEntry[] = [];
    for (const m of this.matchers) {
      if (this.hitsOf(m.index) > 0) continue;
      const target = m.entry.target ?? '*';
      const base = { where: this.where(m.index), case: m.entry.case, target };
      const names = new Set([...configuredTargets, ...plans.map((p) => p.target)]);
      if (![...names].some((n) => m.targetMatches(n))) {
        const near = isGlob(target) ? '' : didYouMean(target, [...names]);
        stale.push({ ...base, why: `no configured target is "${target}": ${near}fix the target or remove the entry` });
        continue;
      }
      const scopes = plans.filter((p) => m.targetMatches(p.target));
      if (scopes.length === 0) continue;
      if (scopes.some((p) => p.cases.some((c) => m.caseMatches(c.id, c.requirements)))) continue;
      const ids = scopes.flatMap((p) => p.cases.map((c) => c.id));
      const near = m.kind === 'case' ? nearestIds(m.entry.case, ids, 1)[0] : undefined;
      stale.push({
        ...base,
        why:
          `no case of ${scopes.map((p) => p.target).join(', ')} ${m.kind === 'requirement' ? 'has a requirement' : 'is'} "${m.entry.case}"` +
          `${near === undefined ? '' : ` (did you mean "${near}"?)`}: the case was renamed or removed; remove the entry`,
      });
    }
    return stale;
  }
}

// ---------------------------------------------------------------------------------------------------------
// The gate: the expectations and the policy over a run

/**
 * Tallies the run for the policy: the runner calls {@link judge} on every result before any reporter sees
 * it, and {@link finish} at the end.
 */
export class Gate {
  private readonly counts = emptyGateCounts();

  constructor(
    readonly expectations: Expectations | null,
    readonly failOn: readonly FailOn[] = DEFAULT_FAIL_ON,
  ) {}

  /** Writes the decision on the result (`expectation`) and counts it. */
  judge(result: CaseResult): void {
    const decision = this.expectations?.decide(result);
    let status: FailOn | 'expected' | null = null;
    if (decision !== undefined && decision.status !== 'unexpected-verdict') {
      status = decision.status === 'expected' ? 'expected' : decision.status;
    } else if (result.verdict === 'fail' || result.verdict === 'broken' || result.verdict === 'non-strict') {
      status = result.verdict;
    }
    if (status !== null) this.counts[status]++;
    // Passed only on a retry (`retries`): counted apart, whatever the expectations (`--fail-on flaky`).
    if (result.flaky === true) this.counts.flaky++;
    if (decision !== undefined) {
      result.expectation = {
        ...decision,
        failsRun: status !== null && status !== 'expected' && this.failOn.includes(status),
      };
    }
  }

  /** The run's gate, once every result was judged; `plans`: each selected target's whole plan. */
  finish(plans: readonly PlanScope[], configuredTargets: readonly string[]): GateSummary {
    const stale = this.expectations?.stale(plans, configuredTargets) ?? [];
    const counts = { ...this.counts, stale: stale.length };
    const failing = this.failOn.filter((s) => counts[s] > 0);
    return {
      failOn: [...this.failOn],
      expectationsFile: this.expectations?.shown ?? null,
      counts,
      failing,
      passed: failing.length === 0,
      stale,
      placeholders: (this.expectations?.entries ?? []).filter((e) => e.reason === PLACEHOLDER_REASON).length,
    };
  }
}

// ---------------------------------------------------------------------------------------------------------
// The file

const SCHEMA_FILE = fileURLToPath(new URL('../../vectors/schema/expectations.schema.json', import.meta.url));
export const EXPECTATIONS_SCHEMA = 'vectors/schema/expectations.schema.json';

let compiled: ValidateFunction | null = null;
function validator(): ValidateFunction {
  compiled ??= new Ajv2020({ allErrors: true, strict: false, verbose: true }).compile(
    JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as object,
  );
  return compiled;
}

/** ajv's errors as problems that say the fix, each at its JSON pointer: the expectations file's own wording. */
function expectationsSchemaProblems(errors: readonly ErrorObject[], file: string): Problem[] {
  // A oneOf over required: both branches' `required` errors say less than the oneOf itself.
  const oneOfAt = new Set(errors.filter((e) => e.keyword === 'oneOf').map((e) => e.instancePath));
  return schemaProblems(errors, file, EXPECTATIONS_SCHEMA, (e, at) => {
    const params = e.params as Record<string, unknown>;
    switch (e.keyword) {
      case 'required': {
        const missing = String(params['missingProperty']);
        if ((missing === 'verdict' || missing === 'verdicts') && oneOfAt.has(at)) return null;
        return missing === 'reason'
          ? 'missing "reason": say why the deviation is accepted (the vendor bug, the waiver)'
          : `missing "${missing}": add it`;
      }
      case 'oneOf': {
        const data = e.data as Record<string, unknown> | null;
        return data !== null && typeof data === 'object' && 'verdict' in data && 'verdicts' in data
          ? 'has both "verdict" and "verdicts": keep one ("verdicts" lists every verdict allowed)'
          : 'missing "verdict": add the verdict the case is expected to end with ("fail", "broken", "non-strict"), or "verdicts": [...] for an intermittent one';
      }
      case 'enum': {
        const values = (params['allowedValues'] as unknown[]).filter((a): a is string => typeof a === 'string');
        const near = typeof e.data === 'string' ? nearest(e.data, values) : undefined;
        return `must be one of ${values.map((v) => JSON.stringify(v)).join(', ')}: ${near !== undefined ? `change ${JSON.stringify(e.data)} to "${near}"` : `got ${JSON.stringify(e.data)}`}`;
      }
      case 'pattern':
        return at.endsWith('/link')
          ? `${JSON.stringify(e.data)} must be an http(s) URL (the vendor's bug): fix it or remove "link"`
          : at.endsWith('/reason')
            ? 'must not be empty: say why the deviation is accepted'
            : `${JSON.stringify(e.data)} must be one word without spaces (a case id, glob or requirement id; a target name or glob): fix it`;
      case 'uniqueItems':
        return 'must not repeat a verdict: remove the repeated one';
      case 'minItems':
        return 'must list at least one verdict';
      default:
        return undefined;
    }
  });
}

/** Checks a parsed document; returns its entries, or appends the problems. */
export function checkExpectationsDocument(document: unknown, file: string, problems: Problem[]): ExpectationEntry[] {
  const validate = validator();
  if (!validate(document)) {
    problems.push(...expectationsSchemaProblems(validate.errors ?? [], file));
    return [];
  }
  const entries = (document as { expectations: ExpectationEntry[] }).expectations;
  const seen = new Map<string, number>();
  entries.forEach((entry, i) => {
    const allowed = entry.verdicts ?? (entry.verdict === undefined ? [] : [entry.verdict]);
    if (allowed.every((v) => PASSING.has(v))) {
      problems.push({
        file,
        path: `/expectations/${i}/${entry.verdicts === undefined ? 'verdict' : 'verdicts'}`,
        message:
          'expects only passing verdicts, which need no entry: add the deviation ("fail", ...) or remove the entry',
      });
    }
    const key = `${entry.case}\u0000${entry.target ?? '*'}`;
    const first = seen.get(key);
    if (first !== undefined) {
      problems.push({
        file,
        path: `/expectations/${i}`,
        message: `repeats the case and target of /expectations/${first}: merge the two (list both verdicts in "verdicts")`,
      });
    } else seen.set(key, i);
  });
  return problems.length > 0 ? [] : entries;
}

/** Reads and checks an expectations file; every problem at once (HARNESS_EXPECTATIONS_INVALID, exit 2). */
export async function loadExpectations(absolute: string, shown: string): Promise<Expectations> {
  const problems: Problem[] = [];
  const document = await readJsonFile(absolute, shown, problems);
  const entries = document === undefined ? [] : checkExpectationsDocument(document, shown, problems);
  if (problems.length > 0) {
    throw new HarnessError(
      'HARNESS_EXPECTATIONS_INVALID',
      `${problems.length} problem(s) in the expectations file ${shown} (format: docs/expectations.md, schema ${EXPECTATIONS_SCHEMA})`,
      problems,
    );
  }
  return new Expectations(entries, shown);
}

// ---------------------------------------------------------------------------------------------------------
// --update-expectations

/** What `--update-expectations` needs of each result. */
export type UpdateResult = Pick<CaseResult, 'id' | 'target' | 'verdict' | 'category' | 'message' | 'requirements'>;

export interface ExpectationsDiff {
  added: ExpectationEntry[];
  removed: { entry: ExpectationEntry; why: string }[];
  changed: { entry: ExpectationEntry; what: string }[];
}

const label = (e: ExpectationEntry) => `${e.case} on ${e.target ?? '*'}`;
const allowedOf = (e: ExpectationEntry): ExpectedVerdict[] =>
  e.verdicts ?? (e.verdict === undefined ? [] : [e.verdict]);

/**
 * The entries after a run: every case the policy would fail (fail, broken, and non-strict under
 * `--fail-on non-strict`) is covered, by the entry that already covers it (its reason and link kept, its
 * recorded failure refreshed) or by a new one naming the case and target (reason: {@link PLACEHOLDER_REASON});
 * an entry naming a case that passed is removed (the deviation was fixed), and so is a stale entry. Entries
 * this run did not reach (other targets, cases outside `--grep`) are kept as they are.
 */
export function updateExpectations(
  current: Expectations | null,
  results: readonly UpdateResult[],
  stale: readonly StaleEntry[],
  failOn: readonly FailOn[],
): { entries: ExpectationEntry[]; diff: ExpectationsDiff } {
  const entries: (ExpectationEntry | null)[] = (current?.entries ?? []).map((e) => ({ ...e }));
  const diff: ExpectationsDiff = { added: [], removed: [], changed: [] };
  const staleAt = new Set(stale.map((s) => s.where));
  const matchers = entries.map((e, i) => matcherOf(e as ExpectationEntry, i));
  const counted = (v: Verdict) =>
    v === 'fail' || v === 'broken' || (v === 'non-strict' && failOn.includes('non-strict'));

  // Per entry naming a case: did every case it decided pass?
  const passedOnly = new Map<number, boolean>();
  const added = new Map<string, ExpectationEntry>();
  for (const r of results) {
    const index = current?.entryFor(r.id, r.target, r.requirements);
    const m = index === undefined ? undefined : matchers[index];
    if (m !== undefined && r.verdict !== 'not-applicable') {
      const passed = PASSING.has(r.verdict) && !(m.allowed as Verdict[]).includes(r.verdict);
      passedOnly.set(m.index, (passedOnly.get(m.index) ?? true) && passed);
    }
    if (!counted(r.verdict)) continue;
    const entry = m === undefined ? null : entries[m.index];
    if (m !== undefined && entry !== null && entry !== undefined && (m.allowed as Verdict[]).includes(r.verdict)) {
      // Covered: refresh the failure it recorded (a changed one is accepted by updating).
      const what: string[] = [];
      if (entry.category !== (r.category ?? undefined) && (m.kind === 'case' || entry.category !== undefined)) {
        what.push(`category ${entry.category ?? '(none)'} -> ${r.category ?? '(none)'}`);
        if (r.category === undefined) delete entry.category;
        else entry.category = r.category;
      }
      if (entry.message !== r.message && (m.kind === 'case' || entry.message !== undefined)) {
        what.push('message refreshed');
        entry.message = r.message;
      }
      if (what.length > 0) diff.changed.push({ entry, what: what.join(', ') });
      continue;
    }
    if (m !== undefined && m.kind === 'case' && m.targetExact && entry !== null && entry !== undefined) {
      // The entry names this case on this target, with another verdict: it now records this one.
      const before = allowedOf(entry).join(', ');
      delete entry.verdicts;
      entry.verdict = r.verdict as ExpectedVerdict;
      if (r.category === undefined) delete entry.category;
      else entry.category = r.category;
      entry.message = r.message;
      diff.changed.push({ entry, what: `verdict ${before} -> ${r.verdict}` });
      continue;
    }
    const key = `${r.id}\u0000${r.target}`;
    if (added.has(key)) continue;
    const entry2: ExpectationEntry = {
      case: r.id,
      target: r.target,
      verdict: r.verdict as ExpectedVerdict,
      ...(r.category === undefined ? {} : { category: r.category }),
      message: r.message,
      reason: m !== undefined ? (entries[m.index]?.reason ?? PLACEHOLDER_REASON) : PLACEHOLDER_REASON,
      ...(m !== undefined && entries[m.index]?.link !== undefined ? { link: entries[m.index]?.link as string } : {}),
    };
    added.set(key, entry2);
    diff.added.push(entry2);
  }
  entries.forEach((entry, i) => {
    if (entry === null) return;
    const m = matchers[i] as Matcher;
    if (current !== null && staleAt.has(current.where(i))) {
      diff.removed.push({ entry, why: 'stale: it matches no case' });
      entries[i] = null;
    } else if (m.kind === 'case' && passedOnly.get(i) === true) {
      diff.removed.push({ entry, why: 'the case passed: the deviation was fixed' });
      entries[i] = null;
    }
  });
  const kept = [...entries.filter((e): e is ExpectationEntry => e !== null), ...added.values()];
  diff.added = sortEntries(diff.added);
  return { entries: sortEntries(kept), diff };
}

/** Sorted by target, then case (code-point order: the same on every machine), for clean diffs. */
export function sortEntries(entries: readonly ExpectationEntry[]): ExpectationEntry[] {
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...entries].sort((a, b) => cmp(a.target ?? '*', b.target ?? '*') || cmp(a.case, b.case));
}

/** The file's text: its keys in one order, two-space JSON, a final newline. */
export function expectationsText(entries: readonly ExpectationEntry[], description?: string): string {
  const ordered = entries.map((e) => ({
    case: e.case,
    ...(e.target === undefined ? {} : { target: e.target }),
    ...(e.verdicts === undefined ? { verdict: e.verdict } : { verdicts: e.verdicts }),
    reason: e.reason,
    ...(e.link === undefined ? {} : { link: e.link }),
    ...(e.category === undefined ? {} : { category: e.category }),
    ...(e.message === undefined ? {} : { message: e.message }),
  }));
  return `${JSON.stringify({ ...(description === undefined ? {} : { description }), expectations: ordered }, null, 2)}\n`;
}

/** The diff in lines, as `--update-expectations` prints it. */
export function diffLines(diff: ExpectationsDiff): string[] {
  return [
    ...diff.added.map((e) => `  + ${label(e)}: ${allowedOf(e).join(', ')}${e.category ? ` [${e.category}]` : ''}`),
    ...diff.removed.map(({ entry, why }) => `  - ${label(entry)}: ${why}`),
    ...diff.changed.map(({ entry, what }) => `  ~ ${label(entry)}: ${what}`),
  ];
}
