/**
 * The implementation conformance statement (ICS, after ISO/IEC 9646-7): what an implementation declares of
 * itself, per suite: its identity, its platforms and delivery methods, its capabilities, its option at each
 * implementation-defined choice point and, optionally, its order of checks (docs/ics.md; schema:
 * vectors/schema/ics.schema.json). With a statement, a choice point becomes a requirement: a case that shows
 * another option than the declared one fails, naming the declaration ({@link applyIcs}); cases needing a
 * capability it does not declare are not applicable (the runner). Without one, `harness ics` writes the
 * statement a run observed ({@link observedIcs}).
 *
 * The engine knows no suite's choice points: each suite describes what a statement may declare for it (an
 * {@link IcsVocabulary}, `Suite.icsVocabulary`), and the loader checks the file against those.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { HarnessError, nearest, type Problem } from './errors.ts';
import { isRecord, jsonSyntaxMessage } from './json.ts';
import { pointerToken as token, schemaProblems } from './schema-problems.ts';
import type { CaseResult } from './results.ts';
import type { BaseTargetInfo } from './types.ts';

/** The statement: one entry per suite the implementation is tested by (the suite's registry name). */
export interface Ics {
  ics: 1;
  suites: Record<string, SuiteStatement>;
}

/** What an implementation declares for one suite. */
export interface SuiteStatement {
  identity: { product: string; version: string; build?: string; packageId?: string };
  /** A client's platforms (`ios`, `android`); a server suite has none. */
  platforms?: string[];
  /** A client's delivery methods (`url`, `intent`). */
  methods?: string[];
  /** The optional features it offers; absent: whatever the target offers. */
  capabilities?: string[];
  /** Choice point -> the option the implementation picks. A point not listed stays implementation-defined. */
  choices: Record<string, string>;
  /**
   * Its order of checks, first checked first: check names (Open Mobile: the requirement a check enforces,
   * `OM-LEN-USERNAME`, or one parameter's check, `OM-PARAM-BOOL:test`). Checks it leaves out are not ordered.
   */
  precedence?: string[];
}

/** A suite's view of one choice point, as a statement may declare it. */
export interface IcsChoicePoint {
  id: string;
  options: readonly string[];
}

/**
 * A choice point that only exists under one option of another (Open Mobile: the result code of a rejected
 * malformed encoding exists only when the encoding is rejected): declaring it beside another option of its
 * parent contradicts itself.
 */
export interface DerivedChoice {
  point: string;
  from: string;
  option: string;
}

/**
 * What the specification says of the order of checks: each check of `later` needs what the checks of
 * `earlier` establish, so it can never be checked before one of them (`why` says where the spec says so).
 */
export interface PrecedenceRule {
  earlier: readonly string[];
  later: readonly string[];
  why: string;
}

/** What a statement may declare for a suite: built by the suite itself (`Suite.icsVocabulary`). */
export interface IcsVocabulary {
  suite: string;
  choicePoints: readonly IcsChoicePoint[];
  /** Every capability a case of the suite may need. */
  capabilities: readonly string[];
  /** A client suite's platforms and delivery methods; absent for a server suite. */
  platforms?: readonly string[];
  methods?: readonly string[];
  /**
   * The checks an order of checks may name (each optionally with `:<parameter>`), what they are, and the
   * orders the specification rules out; absent: the suite has no order of checks.
   */
  precedence?: { checks: readonly string[]; rules: readonly PrecedenceRule[]; what: string };
  derived?: readonly DerivedChoice[];
}

export const ICS_SCHEMA = 'vectors/schema/ics.schema.json';
const SCHEMA_FILE = fileURLToPath(new URL('../../vectors/schema/ics.schema.json', import.meta.url));
/** The file `harness ics` writes by default, and the name messages use for the statement. */
export const DEFAULT_ICS_FILE = 'harness.ics.json';

let compiled: ValidateFunction | null = null;
function validator(): ValidateFunction {
  compiled ??= new Ajv2020({ allErrors: true, strict: false, verbose: true }).compile(
    JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as object,
  );
  return compiled;
}

/** ajv's errors as problems that say the fix, each at its JSON pointer: the statement's own wording. */
function icsSchemaProblems(errors: readonly ErrorObject[], file: string): Problem[] {
  return schemaProblems(errors, file, ICS_SCHEMA, (e) => {
    const params = e.params as Record<string, unknown>;
    switch (e.keyword) {
      case 'required':
        return `missing "${String(params['missingProperty'])}": add it (${ICS_SCHEMA})`;
      case 'const':
        return `must be ${JSON.stringify(params['allowedValue'])} (the statement format's version), got ${JSON.stringify(e.data)}`;
      case 'minLength':
      case 'pattern':
        return `must not be empty or spaces only, got ${JSON.stringify(e.data)}: fill it in`;
      case 'uniqueItems':
        return 'must not repeat an item: remove the repeated one';
      default:
        return undefined;
    }
  });
}

function listOf(values: readonly string[]): string {
  return values.map((v) => JSON.stringify(v)).join(', ');
}

/** `did you mean "x"? ` or nothing. */
function suggestion(value: string, candidates: readonly string[]): string {
  const near = nearest(value, candidates);
  return near === undefined ? '' : `did you mean "${near}"? `;
}

/** Every value of `values` the vocabulary does not know, as problems at `at/<index>`. */
function unknownValues(
  values: readonly string[] | undefined,
  known: readonly string[] | undefined,
  what: string,
  at: string,
  file: string,
  problems: Problem[],
): void {
  if (values === undefined) return;
  if (known === undefined || known.length === 0) {
    problems.push({ file, path: at, message: `the suite has no ${what}s: remove "${at.split('/').at(-1) ?? ''}"` });
    return;
  }
  values.forEach((value, i) => {
    if (known.includes(value)) return;
    problems.push({
      file,
      path: `${at}/${i}`,
      message: `unknown ${what} "${value}": ${suggestion(value, known)}the suite knows ${listOf(known)}`,
    });
  });
}

/** The checks beyond the schema, against each suite's vocabulary; appends every problem. */
export function checkIcsDocument(
  document: unknown,
  file: string,
  catalogues: readonly IcsVocabulary[],
  problems: Problem[],
): Ics | null {
  const validate = validator();
  if (!validate(document)) {
    problems.push(...icsSchemaProblems(validate.errors ?? [], file));
    return null;
  }
  const ics = document as Ics;
  const before = problems.length;
  const names = catalogues.map((c) => c.suite);
  for (const [suite, statement] of Object.entries(ics.suites)) {
    const base = `/suites/${token(suite)}`;
    const vocabulary = catalogues.find((c) => c.suite === suite);
    if (vocabulary === undefined) {
      problems.push({
        file,
        path: base,
        message: `unknown suite "${suite}": ${suggestion(suite, names)}the harness has ${listOf(names)}`,
      });
      continue;
    }
    unknownValues(statement.platforms, vocabulary.platforms, 'platform', `${base}/platforms`, file, problems);
    unknownValues(statement.methods, vocabulary.methods, 'delivery method', `${base}/methods`, file, problems);
    unknownValues(
      statement.capabilities,
      vocabulary.capabilities,
      'capability',
      `${base}/capabilities`,
      file,
      problems,
    );
    const points = vocabulary.choicePoints.map((p) => p.id);
    for (const [point, option] of Object.entries(statement.choices)) {
      const at = `${base}/choices/${token(point)}`;
      const known = vocabulary.choicePoints.find((p) => p.id === point);
      if (known === undefined) {
        problems.push({
          file,
          path: at,
          message:
            points.length === 0
              ? `the ${suite} suite has no choice points: remove "${point}"`
              : `unknown choice point "${point}": ${suggestion(point, points)}the ${suite} suite's choice points are listed in docs/ics.md`,
        });
        continue;
      }
      if (!known.options.includes(option)) {
        problems.push({
          file,
          path: at,
          message: `"${option}" is not an option of ${point}: ${suggestion(option, known.options)}its options are ${listOf(known.options)}`,
        });
      }
    }
    for (const derived of vocabulary.derived ?? []) {
      const option = statement.choices[derived.point];
      const parent = statement.choices[derived.from];
      if (option === undefined || parent === undefined || parent === derived.option) continue;
      problems.push({
        file,
        path: `${base}/choices/${token(derived.point)}`,
        message: `${derived.point} exists only when ${derived.from} is "${derived.option}", and ${base}/choices/${derived.from} declares "${parent}": remove ${derived.point}, or declare ${derived.from} "${derived.option}"`,
      });
    }
    if (statement.precedence !== undefined) checkPrecedence(statement.precedence, vocabulary, base, file, problems);
  }
  return problems.length > before ? null : ics;
}

function checkPrecedence(
  order: readonly string[],
  vocabulary: IcsVocabulary,
  base: string,
  file: string,
  problems: Problem[],
): void {
  const at = `${base}/precedence`;
  const precedence = vocabulary.precedence;
  if (precedence === undefined) {
    problems.push({
      file,
      path: at,
      message: `the ${vocabulary.suite} suite has no order of checks: remove "precedence"`,
    });
    return;
  }
  let known = true;
  order.forEach((entry, i) => {
    const check = checkName(entry);
    if (precedence.checks.includes(check)) return;
    known = false;
    problems.push({
      file,
      path: `${at}/${i}`,
      message: `unknown check "${check}": ${suggestion(check, precedence.checks)}the checks are ${precedence.what}: see docs/ics.md`,
    });
  });
  if (!known) return;
  const names = order.map(checkName);
  for (const rule of precedence.rules) {
    for (const [i, check] of names.entries()) {
      if (!rule.later.includes(check)) continue;
      const j = names.findIndex((other, k) => k > i && rule.earlier.includes(other));
      if (j < 0) continue;
      problems.push({
        file,
        path: `${at}/${i}`,
        message: `"${order[i] ?? ''}" is declared before "${order[j] ?? ''}" (${at}/${j}), which the specification rules out: ${rule.why}. Move it after every one of ${listOf(order.filter((c) => rule.earlier.includes(checkName(c))))}`,
      });
      break;
    }
  }
}

/**
 * Reads and checks a statement: the schema, then each suite's vocabulary (an unknown suite, choice point,
 * option, platform, method, capability or check; an order of checks the specification rules out; a
 * derived choice declared against its parent). Every problem at once, as HARNESS_ICS_INVALID (exit 2).
 * `shown` is the file as messages name it (relative to the working directory).
 */
export function loadIcs(file: string, catalogues: readonly IcsVocabulary[], shown: string = file): Ics {
  const problems: Problem[] = [];
  let text: string | null = null;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    problems.push({
      file: shown,
      path: '',
      message: `${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? String(error)})`}: check the path, or write one from a run with \`npx harness ics --target <name>\``,
    });
  }
  let ics: Ics | null = null;
  if (text !== null) {
    let document: unknown;
    try {
      document = JSON.parse(text) as unknown;
    } catch (error) {
      problems.push({ file: shown, path: '', message: jsonSyntaxMessage(text, error) });
    }
    if (problems.length === 0) ics = checkIcsDocument(document, shown, catalogues, problems);
  }
  if (ics === null || problems.length > 0) {
    throw new HarnessError(
      'HARNESS_ICS_INVALID',
      `${problems.length} problem(s) in the conformance statement ${shown} (format: docs/ics.md, schema ${ICS_SCHEMA})`,
      problems,
    );
  }
  return ics;
}

/** A declared check without its parameter: `OM-PARAM-BOOL:test` -> `OM-PARAM-BOOL`. */
function checkName(entry: string): string {
  const colon = entry.indexOf(':');
  return colon < 0 ? entry : entry.slice(0, colon);
}

/**
 * One answer to a request that broke several checks, as a suite records it (`CaseResult.evidence.precedence`,
 * which the run-level precedence check reads too): the check that answered and the others it answered
 * before, each `<name>[:<parameter>] (<code>)`.
 */
interface PrecedenceAnswer {
  winner: string;
  losers: string[];
}

function precedenceAnswers(evidence: CaseResult['evidence']): PrecedenceAnswer[] {
  const found = isRecord(evidence) ? evidence['precedence'] : undefined;
  if (!Array.isArray(found)) return [];
  return (found as unknown[]).flatMap((e) =>
    isRecord(e) && typeof e['winner'] === 'string' && Array.isArray(e['losers'])
      ? [{ winner: e['winner'], losers: (e['losers'] as unknown[]).filter((l): l is string => typeof l === 'string') }]
      : [],
  );
}

/** `OM-PARAM-BOOL:test (11)` -> its place in `order` (the parameter's own entry first), or -1. */
function placeIn(order: readonly string[], key: string): number {
  const check = key.replace(/ \(\d+\)$/, '');
  const exact = order.indexOf(check);
  return exact >= 0 ? exact : order.indexOf(checkName(check));
}

/** Where a declared order puts a recorded answer's checks the other way round. */
function precedenceMismatches(ics: Ics, result: CaseResult, where: string): string[] {
  const out: string[] = [];
  for (const answer of precedenceAnswers(result.evidence)) {
    for (const [suite, statement] of Object.entries(ics.suites)) {
      const order = statement.precedence;
      if (order === undefined) continue;
      const winner = placeIn(order, answer.winner);
      if (winner < 0) continue;
      for (const loser of answer.losers) {
        const place = placeIn(order, loser);
        if (place < 0 || place > winner) continue;
        out.push(
          `${where} /suites/${token(suite)}/precedence declares "${order[place] ?? ''}" before "${order[winner] ?? ''}"; the target answered ${answer.winner} over ${loser}`,
        );
      }
    }
  }
  return out;
}

/** The statement that declares `point`, with its suite's name (choice point ids are unique across suites). */
function declaring(ics: Ics, point: string): { suite: string; option: string } | null {
  for (const [suite, statement] of Object.entries(ics.suites)) {
    const option = isRecord(statement.choices) ? statement.choices[point] : undefined;
    if (typeof option === 'string') return { suite, option };
  }
  return null;
}

/** The pointer of a declared choice in its statement: `/suites/openmobile/choices/OM-CHOICE-PLUS`. */
export function choicePointer(suite: string, point: string): string {
  return `/suites/${token(suite)}/choices/${token(point)}`;
}

/**
 * A case's verdict under the statement, as a new result (`result` is not changed): a choice the case showed
 * the target making, with another option than the one declared, fails it, and the message names the
 * declaration (`harness.ics.json /suites/openmobile/choices/OM-CHOICE-PLUS declares "literal"; the target
 * did "space"`). Everything else stays as judged: a broken or not-applicable case, a choice point the
 * statement leaves out, a choice made as declared. Pure, and the same on a result already judged this way,
 * so that verify applies it again to a recorded bundle. `where` is the statement's file as
 * messages name it.
 */
export function applyIcs(result: CaseResult, ics: Ics, where: string): CaseResult {
  if (result.verdict === 'broken' || result.verdict === 'not-applicable') return result;
  const order = precedenceMismatches(ics, result, where);
  const mismatches: string[] = [];
  for (const [point, option] of Object.entries(result.choices)) {
    const declared = declaring(ics, point);
    if (declared === null || declared.option === option) continue;
    mismatches.push(
      `${where} ${choicePointer(declared.suite, point)} declares "${declared.option}"; the target did "${option}"`,
    );
  }
  mismatches.push(...order);
  if (mismatches.length === 0) return result;
  const text = mismatches.join('; ');
  // A case that failed anyway keeps its own message after the declaration's; one that passed has only it.
  const message = result.message.startsWith(text)
    ? result.message
    : result.verdict === 'fail'
      ? `${text}; ${result.message}`
      : text;
  return {
    ...result,
    verdict: 'fail',
    ...(result.verdict === 'fail' && result.category !== undefined
      ? { category: result.category }
      : { category: order.length > 0 ? ('precedence' as const) : ('inconsistent-choice' as const) }),
    message,
  };
}

/** One target's part of a run, as `harness ics` describes it. */
export interface ObservedTarget {
  suite: string;
  info: BaseTargetInfo;
  /** The target's cases and run-level checks. */
  results: readonly CaseResult[];
}

/** Each choice point's options as `results` showed them, in the order first seen. */
export function choicesShown(results: readonly Pick<CaseResult, 'choices'>[]): Map<string, Set<string>> {
  const shown = new Map<string, Set<string>>();
  for (const r of results)
    for (const [point, option] of Object.entries(r.choices))
      shown.set(point, (shown.get(point) ?? new Set()).add(option));
  return shown;
}

/**
 * The statement a run showed, one suite per target: identity from the target's info, its platform,
 * methods and capabilities as it declares them, and at each choice point the option its cases showed.
 * Points no case revealed, points its cases showed two ways (a point a target may decide per input, such
 * as Open Mobile's per HTTP status, or one the run's consistency check fails anyway), and the order of
 * checks are left out: a vendor adds what they know.
 */
export function observedIcs(targets: readonly ObservedTarget[]): Ics {
  const suites: Record<string, SuiteStatement> = {};
  for (const target of targets) {
    const choices: Record<string, string> = {};
    for (const [point, options] of choicesShown(target.results))
      if (options.size === 1) choices[point] = [...options][0] as string;
    const info = target.info;
    suites[target.suite] = {
      identity: { product: info.name, version: info.version },
      ...(info.platform === undefined ? {} : { platforms: [info.platform] }),
      ...(info.methods === undefined ? {} : { methods: [...info.methods] }),
      capabilities: [...info.capabilities],
      choices: Object.fromEntries(Object.entries(choices).sort(([a], [b]) => a.localeCompare(b))),
    };
  }
  return { ics: 1, suites };
}

/** The statement as a file: two-space JSON with a trailing newline. */
export function icsText(ics: Ics): string {
  return `${JSON.stringify(ics, null, 2)}\n`;
}

/** A statement as a run uses it: the file's content and its name in messages (relative to the working directory). */
export interface LoadedIcs {
  ics: Ics;
  where: string;
}

/** What a target is under a statement: the info its plan sees, and its declared order of checks. */
export interface TargetUnderIcs {
  /** The target's info with only the methods and capabilities the statement declares too. */
  info: BaseTargetInfo;
  /** Where a case needing a capability the target offers but the statement leaves out is told of. */
  capabilities: string | null;
}

/**
 * A target judged against `statement` (its suite's part of the statement): the methods and capabilities
 * the plan sees are those both the target offers and the statement declares (a case needing another is
 * not applicable). A target of another platform than the statement declares is a usage error: the
 * statement describes another implementation. (The statement's order of checks is judged on each result,
 * by {@link applyIcs}.)
 */
export function targetUnderIcs(
  target: { name: string; suite: string },
  info: BaseTargetInfo,
  statement: SuiteStatement,
  where: string,
): TargetUnderIcs {
  const base = `/suites/${token(target.suite)}`;
  if (
    statement.platforms !== undefined &&
    info.platform !== undefined &&
    !statement.platforms.includes(info.platform)
  ) {
    throw new HarnessError(
      'HARNESS_USAGE',
      `${where} ${base}/platforms declares ${listOf(statement.platforms)}, and target ${target.name} is ${info.platform}: select a target of the statement's platform with --target, or declare "${info.platform}" in the statement`,
    );
  }
  const methods = info.methods;
  const restricted: BaseTargetInfo = {
    ...info,
    capabilities:
      statement.capabilities === undefined
        ? info.capabilities
        : info.capabilities.filter((c) => statement.capabilities?.includes(c)),
    ...(methods === undefined || statement.methods === undefined
      ? {}
      : { methods: methods.filter((m) => statement.methods?.includes(m)) }),
  };
  return {
    info: restricted,
    capabilities: statement.capabilities === undefined ? null : `${where} ${base}/capabilities`,
  };
}
