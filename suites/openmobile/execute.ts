/**
 * Runs one Open Mobile case on a session: reset, the setup steps, the request under test (with its network
 * and fault conditions, and a concurrent second request where asked), then judges every step against the
 * model, step by step, continuing from the state of the branch the target's observation matched.
 */
import { maskSecret, MIN_SECRET_LENGTH, Redactor, redactUrlPassword } from '../../src/core/redact.ts';
import {
  distinctive,
  isPasswordName,
  passwordValues,
  spelledIn,
  spellingsPiecePatterns,
} from '../../src/core/secrets.ts';
import type { Attachment, CaseResult, FailureCategory, StepRecord, Verdict } from '../../src/core/results.ts';
import type { ClientSession } from '../../protocols/openmobile/types.ts';
import type { PlannedCase } from '../../src/core/suite.ts';
import { decidingPart } from '../../src/core/verdict.ts';
import type {
  Catalog,
  ClientState,
  Method,
  Platform,
  ProfileServiceScope,
  ProvisionObservation,
  Route,
} from '../../protocols/openmobile/types.ts';
import { formatDerivation } from './explain.ts';
import { observableState, succeeded, type Mismatch, type StepJudgement } from './judge.ts';
import { predict } from './model.ts';
import { deobfuscate } from './obfuscation.ts';
import { REQUIREMENTS } from './requirements.ts';
import { judgeStep, runSteps, type ObservedStep, type Step, type StepModel, type StepRun } from './step.ts';
import { markSecrets, restoreSecrets } from '../../src/core/secret-markers.ts';
import { urlFor } from './routes.ts';
import type { Branch, ModelState, OpenMobileCaseEnv, StepInput, Vector, Violation } from './types.ts';

export const SPECIFICATION = 'Open Mobile Provisioning API 3.2';

export interface OpenMobileCase extends PlannedCase {
  route: Route;
  vector: Vector;
}

/** An Open Mobile case's environment: the harness's profile service always runs when Open Mobile does. */
type OpenMobileEnv = OpenMobileCaseEnv & { scope: ProfileServiceScope };

export interface CaseContext {
  catalog: Catalog;
  obfuscationKey: string | null;
  declaredPrecedence: number[] | null;
  /** Called with the focus step's precedence evidence (observed code among several acceptable ones). */
  onPrecedence?(evidence: PrecedenceEvidence): void;
  /**
   * Start from the state the previous case of this chain left, without a reset. Null or absent: from a
   * reset. Only chaining sets it. That state is the one this case's given steps lead to from a reset (the
   * given steps are then not sent), or, with `runGiven`, one from which they lead to the same state (they
   * are sent from there).
   */
  start?: StartFrom | null;
}

/** Where a chained case starts: the state the case before it left, and whether its given steps run from there. */
export type StartFrom = LeftState & { runGiven?: boolean };

/**
 * What a case left behind for the next case of its chain (`resets: 'fewest'`): the client in the state the
 * model's matched branch ended in, which the client's state read back agreed with, online, nothing in
 * progress. A case whose given steps lead (from a reset) to the same state may start from here.
 */
export interface LeftState {
  planned: OpenMobileCase;
  /** The profile-service URL the app was launched with: the next case must be on the same scope. */
  scopeUrl: string;
  state: ModelState;
  /** Log lines before this point belong to earlier cases. */
  logLines: number;
  /** Whether that request succeeded or failed. */
  succeeded: boolean;
}

/**
 * Equal keys, equal starting points: the same route, the same catalog, the same state of the model (which
 * is all the specification lets a client's behaviour depend on).
 */
export function stateKey(c: OpenMobileCase, state: ModelState): string {
  return canonical([c.route.platform, c.route.method, c.vector.catalog ?? null, state]);
}

/** JSON with object keys sorted, so that equal values built in another order give equal text. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * One multi-violation answer: the check that won (the only broken check with the observed code) over the
 * other broken checks whose codes were acceptable. Checks are `requirement[:parameter] (code)`.
 */
export interface PrecedenceEvidence {
  caseId: string;
  winner: string;
  losers: string[];
}

export function checkKey(v: Violation): string {
  return `${v.requirement}${v.check === undefined ? '' : `:${v.check}`} (${v.code})`;
}

/**
 * Evidence from an answer that every matching branch agrees on: when several branches match (a repeated
 * parameter read first or last), they may break different checks, and then the answer proves nothing.
 */
export function agreedEvidence(caseId: string, matched: Branch[], observed: number): PrecedenceEvidence | null {
  let agreed: PrecedenceEvidence | null = null;
  for (const branch of matched) {
    const found = precedenceEvidence(caseId, branch, observed);
    if (found === null) return null;
    if (agreed === null) agreed = found;
    else if (found.winner !== agreed.winner || found.losers.join('|') !== agreed.losers.join('|')) return null;
  }
  return agreed;
}

/** Evidence from an answer, or null when it does not single out the winning check. */
export function precedenceEvidence(caseId: string, branch: Branch, observed: number): PrecedenceEvidence | null {
  if (branch.results.length < 2 || !branch.results.includes(observed)) return null;
  const competing = branch.violations.filter((v) => branch.results.includes(v.code));
  const winners = [...new Set(competing.filter((v) => v.code === observed).map(checkKey))];
  const losers = [...new Set(competing.filter((v) => v.code !== observed).map(checkKey))];
  if (winners.length !== 1 || losers.length === 0) return null;
  return { caseId, winner: winners[0] as string, losers };
}

const SEVERITY = new Map(REQUIREMENTS.map((r) => [r.id, r.severity]));

/**
 * The model's state after `urls`, from a fresh app: each step continues from its first successful branch,
 * or, where none succeeds, from its first branch (a failure leaves the state as it was). `failedStep` is the
 * index of the first step that cannot succeed, or null.
 */
export function stateAfter(
  urls: readonly string[],
  base: Omit<StepInput, 'url' | 'state'>,
): { state: ModelState; failedStep: number | null } {
  let state = freshState();
  let failedStep: number | null = null;
  for (const [i, url] of urls.entries()) {
    const branches = predict({ ...base, url, state });
    const ok = branches.find(succeeded);
    if (ok === undefined) failedStep ??= i;
    state = (ok ?? branches[0])?.state ?? state;
  }
  return { state, failedStep };
}

export function freshState(): ModelState {
  return { profile: null, settings: { username: null, password: null, domain: null, prefix: null, autologin: null } };
}

export { routeRequirement } from './step.ts';

/** The URL of the request under test on this route. */
export function focusUrl(vector: Vector, route: Route): string {
  return vector.when.url ?? urlFor(route, vector.when.query ?? '');
}

/**
 * How a client may read a URL's names (the choice points that decide which parameter is its password):
 * whether `;` separates pairs (OM-CHOICE-SEMICOLON), whether escaped names are decoded
 * (OM-CHOICE-ENCODED-NAME), whether names match in any letter case (OM-CHOICE-IOS-NAME-CASE, iOS only).
 */
interface NameReading {
  semicolon: 'literal' | 'separator';
  encoded: 'decoded' | 'literal';
  letterCase: 'sensitive' | 'insensitive';
}

const READING_POINTS = {
  semicolon: 'OM-CHOICE-SEMICOLON',
  encoded: 'OM-CHOICE-ENCODED-NAME',
  letterCase: 'OM-CHOICE-IOS-NAME-CASE',
} as const satisfies Record<keyof NameReading, string>;

/** Every reading a client of `platform` may have (null: not known, names compared case-sensitively). */
function nameReadings(platform: Platform | null): NameReading[] {
  const out: NameReading[] = [];
  for (const semicolon of ['literal', 'separator'] as const)
    for (const encoded of ['decoded', 'literal'] as const)
      for (const letterCase of platform === 'ios' ? (['sensitive', 'insensitive'] as const) : (['sensitive'] as const))
        out.push({ semicolon, encoded, letterCase });
  return out;
}

/** The forms of the password a client reading names `reading`'s way receives in `url`. */
function formsUnder(url: string, key: string | null, reading: NameReading): string[] {
  const forms: string[] = [];
  const query = url.includes('?') ? (url.slice(url.indexOf('?') + 1).split('#')[0] ?? '') : '';
  const hasObfuscation = /(^|[&;])obfuscation=/i.test(query);
  for (const pair of query.split(reading.semicolon === 'separator' ? /[&;]/ : '&')) {
    const eq = pair.indexOf('=');
    if (eq < 0) continue;
    let name = pair.slice(0, eq);
    if (reading.encoded === 'decoded') {
      try {
        name = decodeURIComponent(name);
      } catch {
        // A malformed escape: the name as written.
      }
    }
    if (reading.letterCase === 'insensitive' ? name.toLowerCase() !== 'password' : name !== 'password') continue;
    const raw = pair.slice(eq + 1);
    forms.push(raw);
    let decoded = raw;
    try {
      decoded = decodeURIComponent(raw);
      forms.push(decoded);
    } catch {
      // A malformed escape: the raw form is all there is to look for.
    }
    // Only an `obfuscation` parameter makes a client de-obfuscate (whatever its value: a defective client may
    // misread it); without one there is no third form to look for, and no AES to run.
    if (key !== null && hasObfuscation) {
      const plain = deobfuscate(decoded, key);
      if (plain !== null) forms.push(plain);
    }
  }
  return forms;
}

/**
 * Every form in which a request's password could leak, however the client reads the names: as sent,
 * percent-decoded, de-obfuscated; under `pass%77ord` and after a `;` too. `anyCase` also takes `Password=`
 * and the like on any platform: what a report must hide, though a client may ignore such a parameter (so
 * its logs may show it).
 */
export function passwordForms(url: string, key: string | null, anyCase = false): string[] {
  const forms = new Set<string>();
  for (const reading of nameReadings(anyCase ? 'ios' : null))
    for (const f of formsUnder(url, key, reading)) forms.add(f);
  return [...forms];
}

/**
 * What the leak check knows of the client: its platform (only iOS may match names in any letter case) and
 * the choices its answers revealed. A value that is the client's password only under a reading it has not
 * shown (an escaped name, a `;`, another letter case) cannot be judged as its password.
 */
export interface ClientReading {
  platform: Platform | null;
  choices: Readonly<Record<string, string>>;
}

/**
 * The password forms of `urls`, split by what the client's revealed choices make of them: `certain` under
 * every reading it may have, `possible` under some only (a value under `pass%77ord` while the client has
 * not shown whether it decodes names). A form under no reading it may have is not its password at all.
 */
function classifiedForms(
  urls: readonly string[],
  key: string | null,
  client: ClientReading,
): { certain: Set<string>; possible: Set<string> } {
  const readings = nameReadings(client.platform).filter((r) =>
    (Object.keys(READING_POINTS) as (keyof NameReading)[]).every((k) => {
      const picked = client.choices[READING_POINTS[k]];
      return picked === undefined || picked === r[k];
    }),
  );
  const certain = new Set<string>();
  const possible = new Set<string>();
  for (const url of urls) {
    const under = readings.map((r) => new Set(formsUnder(url, key, r).filter((f) => f !== '')));
    for (const forms of under) {
      for (const f of forms) {
        if (under.every((other) => other.has(f))) certain.add(f);
        else possible.add(f);
      }
    }
  }
  for (const f of certain) possible.delete(f);
  return { certain, possible };
}

/**
 * Every secret a URL carries, for redaction: the value of every parameter named like `password` (any letter
 * case, `&amp;password`, an encoded name: src/core/secrets.ts), raw, decoded (with `+` kept and read as a
 * space), and, where it is obfuscated hex and the key is known, de-obfuscated. The redactor finds each in
 * every spelling (percent-encoded in any case, entities, JSON escapes; hex in any case).
 */
export function urlSecrets(url: string, key: string | null): string[] {
  const out = new Set<string>(passwordValues(url));
  if (key !== null) {
    for (const value of [...out]) {
      if (!/^[0-9a-fA-F]{32,}$/.test(value)) continue;
      const plain = deobfuscate(value, key);
      if (plain !== null && plain !== '') out.add(plain);
    }
  }
  return [...out];
}

/** What the log-leak check found: a leak (a fail), or a password it could not tell from ordinary text. */
export interface LeakCheck {
  mismatch: Mismatch | null;
  /** Why `OM-LOG-NO-PASSWORD` could not be checked (a form of a password occurs in the logs but is not distinctive). */
  notCheckable: string | null;
}

/**
 * A form's pieces ({@link spellingsPiecePatterns}), each compiled once by its pattern (the percent-encoded
 * forms of generated passwords share most of their pieces).
 */
const leakPieces = new Map<string, RegExp>();
const LEAK_PIECE_CHARS = 3;
function leakPiecePatterns(form: string): RegExp[] {
  return spellingsPiecePatterns(form, LEAK_PIECE_CHARS).map((source) => {
    let pattern = leakPieces.get(source);
    if (pattern === undefined) {
      pattern = new RegExp(source);
      if (leakPieces.size > 4096) leakPieces.clear();
      leakPieces.set(source, pattern);
    }
    return pattern;
  });
}

/** Whether a form of a password occurs, in any spelling, in one of `lines`. */
function inLines(form: string, lines: readonly string[]): boolean {
  // Most forms are in no log line: a line holding one holds every piece of it, and the pieces' patterns
  // tell that at once; a line holding every piece is then read character by character (spelledIn), the
  // same answer as the whole form's pattern, which takes long to compile for a long form.
  const pieces = leakPiecePatterns(form);
  return lines.some((line) => line.length >= form.length && pieces.every((p) => p.test(line)) && spelledIn(line, form));
}

/**
 * Did the client log a password it received? Every form of every password the case sends (as written,
 * decoded, de-obfuscated) is looked for in the logs in every spelling (src/core/secrets.ts). A form that
 * does not occur is clean. One that occurs is a leak when it is distinctive (at least eight characters, four
 * of them different, more than letters) and not part of what the client may log (the URL without its
 * password values, the catalog's company names and domains: a username built of the same characters);
 * otherwise the occurrence cannot be told from ordinary text, and the requirement is *not checkable* for
 * this case: never passed silently, never failed.
 */
export function checkLeak(
  logs: readonly string[] | null,
  urls: readonly string[],
  key: string | null,
  catalogText: readonly string[] = [],
  client: ClientReading = { platform: null, choices: {} },
  /** Told which forms occur in the logs (all the check reads of them): what a case records for re-judging. */
  seen?: (forms: readonly string[]) => void,
): LeakCheck {
  const clean: LeakCheck = { mismatch: null, notCheckable: null };
  if (logs === null || logs.length === 0) return clean;
  const { certain, possible } = classifiedForms(urls, key, client);
  if (certain.size === 0 && possible.size === 0) return clean;
  const inLogs = (f: string) => inLines(f, logs);
  const found = [...certain].filter(inLogs);
  const foundPossible = [...possible].filter(inLogs);
  if (found.length > 0 || foundPossible.length > 0) seen?.([...found, ...foundPossible]);
  if (found.length === 0 && foundPossible.length === 0) return clean;
  // What a client may log: each URL without its password values, as sent and decoded.
  const publicValues: string[] = [...catalogText];
  for (const url of urls) {
    const question = url.indexOf('?');
    const head = question < 0 ? url : url.slice(0, question + 1);
    // Split at `;` too: a password after a `;` is not public text for a client that reads it as a parameter.
    const parts = question < 0 ? [] : url.slice(question + 1).split(/([&;])/);
    const kept = parts.map((part, i) => (i % 2 === 0 && isPasswordPair(part) ? 'password=' : part));
    publicValues.push(head + kept.join(''), head + decodedPairs(kept));
  }
  const ordinary = (f: string) =>
    !distinctive(f) || publicValues.some((v) => spelledIn(v, f) || (f.trim() !== '' && v.includes(f.trim())));
  const leaked = found.find((f) => !ordinary(f));
  if (leaked === undefined && found.length === 0) {
    return {
      mismatch: null,
      notCheckable:
        'a value of this case that is the password only under a reading of the names the client has not shown ' +
        '(an escaped name such as pass%77ord, a ";" between parameters, another letter case on iOS: ' +
        'OM-CHOICE-ENCODED-NAME, OM-CHOICE-SEMICOLON, OM-CHOICE-IOS-NAME-CASE) occurs in the client log; read ' +
        'the other way it is an unknown parameter, which a client may log',
    };
  }
  if (leaked !== undefined) {
    return {
      mismatch: {
        aspect: 'logs',
        requirement: 'OM-LOG-NO-PASSWORD',
        category: 'password-leak',
        expected: 'no password in the logs',
        observed: `a log line contains the password (${[...leaked].length} characters)`,
        text: 'the password appears in the client log',
      },
      notCheckable: null,
    };
  }
  const shortest = Math.min(...found.map((f) => [...f].length));
  return {
    mismatch: null,
    notCheckable:
      `a password of this case (${shortest} character${shortest === 1 ? '' : 's'}) occurs in the client log, ` +
      'but it is too short or too common to tell a leak from ordinary log text (a leak is looked for only for ' +
      'passwords of at least 8 characters, 4 of them different, not only letters, and not part of a username, ' +
      'domain or company name the client may log)',
  };
}

function isPasswordPair(pair: string): boolean {
  const eq = pair.indexOf('=');
  return eq > 0 && isPasswordName(pair.slice(0, eq));
}

/**
 * The pairs and their separators joined, each pair decoded; a pair with a malformed escape stays raw (what a
 * client would log). An escape never spans a literal `&` or `;`, so one decode of the whole is the same when
 * every pair decodes.
 */
function decodedPairs(parts: string[]): string {
  const joined = parts.join('');
  if (!joined.includes('%')) return joined;
  try {
    return decodeURIComponent(joined);
  } catch {
    return parts
      .map((part) => {
        try {
          return decodeURIComponent(part);
        } catch {
          return part;
        }
      })
      .join('');
  }
}

/** The profile values a client may log (company, domains, prefixes), for {@link checkLeak}. */
export function catalogText(catalog: Catalog): string[] {
  const out = new Set<string>();
  for (const p of catalog.profiles) {
    out.add(p.company);
    for (const d of p.domains.options) out.add(d);
    for (const x of p.prefixes?.options ?? []) out.add(x);
  }
  return [...out];
}

function maskState(state: ClientState | null): ClientState | null {
  if (state === null) return null;
  const pw = state.settings.password;
  return pw === null ? state : { ...state, settings: { ...state.settings, password: maskSecret(pw) } };
}

function branchSummary(branch: Branch): Record<string, unknown> {
  return {
    choices: branch.choices,
    handled: branch.handled,
    results: branch.results,
    delivery: branch.delivery,
    state: maskState(observableState(branch.state)),
    ...(branch.nonStrict ? { nonStrict: branch.nonStrict } : {}),
  };
}

/** A case's result, and where the next case of its chain may start (null: from a reset). */
export interface CaseOutcome {
  result: CaseResult;
  left: LeftState | null;
}

const passed = (r: CaseResult) => r.verdict === 'pass' || r.verdict === 'informational';

/**
 * Runs a case, from a reset or (`ctx.start`) from the state an earlier case of its chain left. A case that
 * continued and did not pass runs again from a reset, which is what it is defined by and what `--grep`
 * replays: that run's verdict is the case's. When only the continued run failed, the earlier case is run
 * again from a reset and this one right after it: failing again, the earlier request left behind something
 * the state read does not show, which is reported; passing, the first failure is noted as not reproduced.
 */
export async function runOpenMobileCase(
  planned: OpenMobileCase,
  env: OpenMobileCaseEnv,
  ctx: CaseContext,
): Promise<CaseOutcome> {
  const scope = env.scope;
  if (scope === null) throw new Error("the harness's profile service is not running: an Open Mobile case needs it");
  const once = async (c: OpenMobileCase, start: StartFrom | null, evidence: PrecedenceEvidence[]) => {
    const own = c.vector.catalog;
    const runCtx: CaseContext = { ...ctx, start, onPrecedence: (e) => evidence.push(e) };
    if (own === undefined) return runCase(c, { ...env, scope }, runCtx);
    // A vector with its own catalog (one the fuzzer generated): the profile service serves it to this case only.
    scope.setCatalog(own);
    try {
      return await runCase(c, { ...env, scope }, { ...runCtx, catalog: own });
    } finally {
      scope.setCatalog(null);
    }
  };
  const report = (outcome: CaseOutcome, evidence: PrecedenceEvidence[]) => {
    for (const e of evidence) ctx.onPrecedence?.(e);
    return outcome;
  };

  const start = ctx.start ?? null;
  const evidence: PrecedenceEvidence[] = [];
  const first = await once(planned, start, evidence);
  if (start === null || passed(first.result)) return report(first, evidence);

  const freshEvidence: PrecedenceEvidence[] = [];
  const fresh = await once(planned, null, freshEvidence);
  if (!passed(fresh.result)) return report(fresh, freshEvidence);

  // Given steps sent from another state than a reset's: the case is defined from a reset, and its verdict
  // is that run's. What the first run saw stays in the report (below); not a failure of this case.
  const again = start.runGiven === true ? null : await once(start.planned, null, []);
  const repeat = again === null || again.left === null ? null : await once(planned, again.left, []);
  if (repeat !== null && !passed(repeat.result)) {
    const result = severalRuns(
      leftBehind(repeat.result, fresh.result, start),
      `judged over several runs of a chain (it failed twice right after ${start.planned.id} without a reset, and passed from a reset)`,
    );
    return report({ result, left: null }, []);
  }
  fresh.result.message +=
    start.runGiven === true
      ? `; a first run right after ${start.planned.id}, without a reset, its given steps sent from the state that case left, did not pass (${first.result.message}); the case is defined from a reset, and passed from one`
      : `; a first run right after ${start.planned.id}, without a reset, did not pass (${first.result.message}) and did not fail again on a second try`;
  fresh.result.attachments.push(
    json(
      start.runGiven === true
        ? 'first run, right after an earlier case without a reset, given steps sent from the state it left'
        : 'first run, right after an earlier case without a reset (not reproduced)',
      {
        after: start.planned.id,
        verdict: first.result.verdict,
        message: first.result.message,
        steps: first.result.steps,
      },
    ),
  );
  severalRuns(
    fresh.result,
    `judged over several runs of a chain (a first run right after ${start.planned.id}, without a reset, did not pass; the case passed from a reset)`,
  );
  return report(fresh, freshEvidence);
}

/** The case failed twice right after `start.planned` on the state it left, and passes from a reset. */
function leftBehind(continued: CaseResult, fresh: CaseResult, start: StartFrom): CaseResult {
  const earlier = start.planned.id;
  const requirement = start.succeeded ? null : 'OM-ATOMIC';
  const category: FailureCategory = start.succeeded ? 'wrong-state' : 'state-changed-by-failing-request';
  return {
    ...continued,
    verdict: 'fail',
    category,
    requirements: requirement ? [...new Set([...continued.requirements, requirement])] : continued.requirements,
    message:
      `right after ${earlier}, on the state it left (no reset), this case fails, twice: ` +
      `${continued.message}. From a reset it passes. The request of ${earlier} ${start.succeeded ? 'succeeded' : 'failed'} ` +
      `and left the client in the state this case's given steps lead to, as far as the specification defines a ` +
      `client's state (the state read back agreed), yet it left something else behind. Replay: ${earlier}, then this case, ` +
      `without a reset between them.`,
    attachments: [
      ...continued.attachments,
      json('the same case from a reset (passed)', { message: fresh.message, steps: fresh.steps }),
    ],
  };
}

/** A case's step as the report names it and as the verdict reads it (step.ts ran and judged it). */
interface CaseStep {
  name: string;
  url: string;
  branches: Branch[];
  before: ModelState;
  observation: ProvisionObservation;
  state: ClientState | null;
  judgement: StepJudgement;
  /**
   * Set when a browser delivered another URL than the link as written, the observation does not match the
   * link's prediction, but it does match the delivered URL's: the browser changed the outcome.
   */
  alteredBy: string | null;
  start: number;
  stop: number;
}

/** The focus step's concurrent request as the verdict and the report read it. */
interface ConcurrentRun {
  url: string;
  branches: Branch[];
  observation: ProvisionObservation;
  /** False when the two ran one after the other and the first already failed: the second was not judged. */
  judged: boolean;
  failed: boolean;
  revealed: Record<string, string>;
}

/** The steps a case sends, named for the report: its given steps (none when continuing a chain), then the request under test. */
function caseSteps(vector: Vector, route: Route, continuing: boolean): { name: string; step: Step }[] {
  const given = continuing
    ? []
    : (vector.given ?? []).map((query, index) => {
        const url = urlFor(route, query);
        return {
          name: `given ${index + 1}: ${redactUrlPassword(url)}`,
          step: { url, network: 'online', fault: null, concurrent: null, setup: true } satisfies Step,
        };
      });
  const url = focusUrl(vector, route);
  const focus: Step = {
    url,
    network: vector.when.network ?? 'online',
    fault: vector.when.fault ?? null,
    concurrent: vector.when.concurrent === undefined ? null : urlFor(route, vector.when.concurrent),
    setup: false,
  };
  return [...given, { name: `request: ${redactUrlPassword(url)}`, step: focus }];
}

function caseStep(name: string, run: StepRun): CaseStep {
  return {
    name,
    url: run.step.url,
    branches: run.judged.branches,
    before: run.judged.before,
    observation: run.observed.provision,
    state: run.observed.state,
    judgement: run.judged.judgement,
    alteredBy: run.judged.alteredBy,
    start: run.observed.start,
    stop: run.observed.stop,
  };
}

/** The verdict of a case, decided from its judged steps and the leak check: pure. */
interface CaseVerdict {
  verdict: Verdict;
  category: FailureCategory | undefined;
  message: string;
  choices: Record<string, string>;
  notCheckable: string | null;
  /** The failing given step or request under test (not the concurrent request), or null. */
  failing: CaseStep | null;
  concurrentFailed: boolean;
  /** Every step matched and nothing leaked: the request under test's answer is precedence evidence. */
  judgedOk: boolean;
}

const describeMismatches = (ms: Mismatch[]) => ms.map((m) => `${m.text} (${m.requirement})`).join('; ');

function caseVerdict(
  runs: CaseStep[],
  setupFailed: CaseStep | null,
  focus: CaseStep | null,
  concurrent: ConcurrentRun | null,
  leakCheck: (choices: Record<string, string>) => LeakCheck,
  concurrentMismatches: Mismatch[],
): CaseVerdict {
  const choices: Record<string, string> = {};
  for (const r of runs) Object.assign(choices, r.judgement.revealed);
  if (concurrent) Object.assign(choices, concurrent.revealed);
  const checked = leakCheck(choices);
  const leak = checked.mismatch;

  // The parts of the case, each with its verdict: the steps' mismatches, the logs' leak, the answer accepted.
  // The worst decides (src/core/verdict.ts), the earliest of equals; its message and category are the case's.
  type Part = { verdict: Verdict; category: FailureCategory | undefined; message: string };
  const parts: Part[] = [];
  const failing = setupFailed ?? (focus && focus.judgement.matched.length === 0 ? focus : null);
  const concurrentFailed = concurrent !== null && concurrent.failed;
  if (failing !== null || concurrentFailed) {
    const mismatches = failing ? failing.judgement.mismatches : concurrentMismatches;
    const onlyShould = mismatches.every((m) => SEVERITY.get(m.requirement) === 'SHOULD');
    const where =
      failing === setupFailed && setupFailed
        ? `setup step ${runs.indexOf(setupFailed) + 1}: `
        : failing
          ? ''
          : 'concurrent request: ';
    parts.push(
      failing?.alteredBy
        ? {
            verdict: 'fail',
            category: 'browser-altered-url',
            message: `${where}the browser delivered ${redactUrlPassword(failing.alteredBy)} for the link ${redactUrlPassword(failing.url)}, which changes the outcome: ${describeMismatches(mismatches)}`,
          }
        : {
            verdict: onlyShould ? 'non-strict' : 'fail',
            category: mismatches[0]?.category ?? 'wrong-state',
            message: `${where}${describeMismatches(mismatches)}`,
          },
    );
  }
  if (leak) parts.push({ verdict: 'fail', category: leak.category, message: `${leak.text} (${leak.requirement})` });
  // Every step matched and nothing leaked: the request under test's answer is precedence evidence.
  const judgedOk = parts.length === 0;
  if (judgedOk) {
    const judgement = (focus as CaseStep).judgement;
    const strict = judgement.matched.some((b) => b.nonStrict === null);
    let message = !strict
      ? `accepted as non-strict: ${judgement.matched[0]?.nonStrict ?? ''}`
      : Object.keys(choices).length > 0
        ? `passed; implementation-defined choice: ${Object.entries(choices)
            .map(([k, v]) => `${k}=${v}`)
            .join(', ')}`
        : 'as specified';
    const delivered = focus?.observation.delivered;
    if (delivered && delivered.url !== delivered.link)
      message += `; the browser delivered ${redactUrlPassword(delivered.url)}`;
    parts.push({
      verdict: !strict ? 'non-strict' : Object.keys(choices).length > 0 ? 'informational' : 'pass',
      category: undefined,
      message,
    });
  }
  const deciding = decidingPart(parts) as Part;
  const { verdict, category } = deciding;
  let message = deciding.message;
  // A password found in the logs that cannot be told from ordinary text: the requirement is not checkable
  // here, and the report says so (README, "Not checkable").
  const notCheckable = leak === null ? checked.notCheckable : null;
  if (notCheckable !== null) message += `; OM-LOG-NO-PASSWORD not checkable: ${notCheckable}`;
  return { verdict, category, message, choices, notCheckable, failing, concurrentFailed, judgedOk };
}

/** How a case's steps are predicted: its route, its catalog (a generated vector's own), the key, the declared order. */
function stepModel(
  planned: OpenMobileCase,
  ctx: Pick<CaseContext, 'catalog' | 'obfuscationKey' | 'declaredPrecedence'>,
): StepModel {
  return {
    route: planned.route,
    catalog: planned.vector.catalog ?? ctx.catalog,
    obfuscationKey: ctx.obfuscationKey,
    declaredPrecedence: ctx.declaredPrecedence,
  };
}

/** A case judged from its step runs and logs: the part of running a case that is pure (re-judging runs it too). */
interface JudgedCase {
  decided: CaseVerdict;
  runs: CaseStep[];
  focus: CaseStep | null;
  concurrent: ConcurrentRun | null;
  /** Every secret of the case (the key, the passwords of every URL the client received), for redaction. */
  redactor: Redactor;
  /** The focus step's answer as precedence evidence, or null. */
  precedence: PrecedenceEvidence | null;
  /**
   * Which of the case's password forms ({@link logForms}) occur in the client's logs (their indices), null
   * without logs: all the leak check reads of the logs, recorded instead of the lines.
   */
  formsInLogs: number[] | null;
}

/** Every form of every password the client received, under every reading of the names: the leak check's candidates. */
function logForms(sentUrls: readonly string[], key: string | null): string[] {
  return [...new Set(sentUrls.flatMap((url) => passwordForms(url, key, true)))].filter((f) => f !== '');
}

function judgeCase(
  planned: OpenMobileCase,
  ctx: Pick<CaseContext, 'catalog' | 'obfuscationKey' | 'declaredPrecedence'>,
  steps: readonly { name: string; step: Step }[],
  stepRuns: readonly StepRun[],
  continued: boolean,
  logs: readonly string[] | null,
): JudgedCase {
  const { vector, route } = planned;
  const catalog = vector.catalog ?? ctx.catalog;
  const runs = stepRuns.map((r, i) => caseStep(steps[i]?.name ?? '', r));
  const focusRun = stepRuns.length === steps.length ? stepRuns[stepRuns.length - 1] : undefined;
  const focus = focusRun === undefined ? null : (runs[runs.length - 1] as CaseStep);
  const givenRuns = focus === null ? runs : runs.slice(0, -1);
  const setupFailed = givenRuns.find((r) => r.judgement.matched.length === 0) ?? null;
  const second = focusRun?.observed.second ?? null;
  const concurrentStep = focusRun?.step.concurrent ?? null;
  const concurrent: ConcurrentRun | null =
    concurrentStep === null || second === null
      ? null
      : {
          url: concurrentStep,
          branches: focusRun?.judged.second?.branches ?? [],
          observation: second.provision,
          judged: focusRun?.judged.second !== null,
          failed: focusRun?.judged.second?.judgement.matched.length === 0,
          revealed: focusRun?.judged.second?.judgement.revealed ?? {},
        };

  // Every URL the client received (a continued case's given steps too: their passwords stay secrets and leak
  // candidates, though they are not sent again), for redaction in any spelling and the leak check.
  const sentUrls = [
    ...(continued ? (vector.given ?? []).map((q) => urlFor(route, q)) : []),
    ...stepRuns.flatMap((r) => [
      r.step.url,
      ...(r.step.concurrent === null ? [] : [r.step.concurrent]),
      ...(r.judged.delivered === null ? [] : [r.judged.delivered]),
    ]),
  ];
  const redactor = new Redactor();
  redactor.add(ctx.obfuscationKey);
  for (const url of sentUrls) urlSecrets(url, ctx.obfuscationKey).forEach((f) => redactor.add(f));

  // Which forms the leak check found in the logs, as indices into every form the case may leak
  // (logForms): the record holds these instead of the lines.
  let seenForms: readonly string[] = [];
  const decided = caseVerdict(
    runs,
    setupFailed,
    focus,
    concurrent,
    (choices) =>
      checkLeak(
        logs,
        sentUrls,
        ctx.obfuscationKey,
        catalogText(catalog),
        { platform: route.platform, choices },
        (forms) => (seenForms = forms),
      ),
    focusRun?.judged.second?.judgement.mismatches ?? [],
  );
  let formsInLogs: number[] | null = null;
  if (logs !== null) {
    const forms = seenForms.length === 0 ? [] : logForms(sentUrls, ctx.obfuscationKey);
    formsInLogs = seenForms.map((f) => forms.indexOf(f)).filter((i) => i >= 0);
  }
  let precedence: PrecedenceEvidence | null = null;
  if (decided.judgedOk && focus !== null) {
    const observedCode = focus.observation.result;
    if (focus.judgement.matched[0] && observedCode !== null) {
      precedence = agreedEvidence(planned.id, focus.judgement.matched, observedCode);
    }
  }
  return { decided, runs, focus, concurrent, redactor, precedence, formsInLogs };
}

/**
 * What an Open Mobile case records for re-judging (`CaseResult.observations`): where it started (a reset,
 * or the model state an earlier case of its chain left), what the client gave at each step (its answers,
 * the concurrent request's, the state read back) and which password forms its logs held. Every secret of
 * the case stands as a marker (src/core/secret-markers.ts) naming which of the case's `secrets` it was.
 */
interface RecordedCaseObservations {
  /** `given`: the given steps were sent from that state (absent: they were not, the case continued). */
  from: { after: string; state: ModelState; given?: true } | null;
  steps: { provision: ProvisionObservation; second: ObservedStep['second']; state: ClientState | null }[];
  logs: number[] | null;
}

function recordObservations(
  planned: OpenMobileCase,
  from: StartFrom | null,
  stepRuns: readonly StepRun[],
  formsInLogs: number[] | null,
): RecordedCaseObservations {
  const recorded: RecordedCaseObservations = {
    from:
      from === null
        ? null
        : { after: from.planned.id, state: from.state, ...(from.runGiven === true ? { given: true as const } : {}) },
    steps: stepRuns.map((r) => ({
      provision: r.observed.provision,
      second: r.observed.second,
      state: r.observed.state,
    })),
    logs: formsInLogs,
  };
  return markSecrets(recorded, planned.secrets ?? []);
}

/** Why a result cannot be judged again from its observations (judged over several runs of a chain). */
const UNJUDGEABLE = 'unjudgeable';

/** Marks a result whose verdict several runs decided (a chain's retries): re-judging skips it, saying why. */
function severalRuns(result: CaseResult, why: string): CaseResult {
  result.observations = { [UNJUDGEABLE]: why };
  return result;
}

function isRecordedObservations(value: unknown): value is RecordedCaseObservations {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  const fromOk =
    v['from'] === null ||
    (typeof v['from'] === 'object' && typeof (v['from'] as Record<string, unknown>)['after'] === 'string');
  const logsOk = v['logs'] === null || (Array.isArray(v['logs']) && v['logs'].every((n) => Number.isInteger(n)));
  const stepsOk =
    Array.isArray(v['steps']) &&
    v['steps'].every(
      (st) =>
        st !== null &&
        typeof st === 'object' &&
        typeof (st as Record<string, unknown>)['provision'] === 'object' &&
        (st as Record<string, unknown>)['provision'] !== null,
    );
  return fromOk && logsOk && stepsOk;
}

/**
 * A recorded Open Mobile case judged again from its observations (`Suite.rejudge`): its steps derived from
 * its vector as the run derived them, each recorded observation judged with `judgeStep` from the state the
 * step before it left, the leak check over the recorded forms, the verdict as `runCase` decides it.
 */
export function rejudgeOpenMobileCase(
  planned: OpenMobileCase,
  ctx: Pick<CaseContext, 'catalog' | 'obfuscationKey' | 'declaredPrecedence'>,
  recorded: CaseResult,
):
  | {
      verdict: Verdict;
      message: string;
      category?: FailureCategory;
      choices: Record<string, string>;
      precedence: PrecedenceEvidence | null;
    }
  | { skipped: string } {
  const raw = recorded.observations;
  if (raw === undefined) return { skipped: 'recorded without observations (by a harness that did not record them)' };
  const why = raw[UNJUDGEABLE];
  if (typeof why === 'string') return { skipped: why };
  const unreadable = (problem: string) => ({
    verdict: 'broken' as const,
    message: `the recorded observations cannot be judged: ${problem}`,
    choices: {},
    precedence: null,
  });
  if (!isRecordedObservations(raw)) return unreadable('they are not the record of an Open Mobile case');
  const observed = restoreSecrets(raw, planned.secrets ?? []);
  const continued = observed.from !== null && observed.from.given !== true;
  const steps = caseSteps(planned.vector, planned.route, continued);
  if (observed.steps.length === 0 || observed.steps.length > steps.length)
    return unreadable(`${observed.steps.length} step(s) recorded, the case has ${steps.length}`);
  const model = stepModel(planned, ctx);
  const stepRuns: StepRun[] = [];
  let state = observed.from?.state ?? freshState();
  for (const [i, o] of observed.steps.entries()) {
    const step = (steps[i] as { step: Step }).step;
    const obs: ObservedStep = {
      provision: o.provision,
      second: o.second ?? null,
      state: o.state ?? null,
      start: 0,
      stop: 0,
    };
    const judged = judgeStep(model, state, step, obs);
    stepRuns.push({ step, observed: obs, judged });
    if (!judged.ok) {
      if (i < observed.steps.length - 1) return unreadable(`step ${i + 1} did not pass, yet later steps are recorded`);
      break;
    }
    state = judged.after;
  }
  if (stepRuns[stepRuns.length - 1]?.judged.ok === true && stepRuns.length < steps.length)
    return unreadable(`${stepRuns.length} step(s) recorded, the case has ${steps.length}`);
  // The leak check reads only which forms occurred: each recorded form stands for the lines it occurred in.
  let logs: string[] | null = null;
  if (observed.logs !== null) {
    const sentUrls = [
      ...(continued ? (planned.vector.given ?? []).map((q) => urlFor(planned.route, q)) : []),
      ...stepRuns.flatMap((r) => [
        r.step.url,
        ...(r.step.concurrent === null ? [] : [r.step.concurrent]),
        ...(r.judged.delivered === null ? [] : [r.judged.delivered]),
      ]),
    ];
    const forms = logForms(sentUrls, ctx.obfuscationKey);
    logs = observed.logs.map((i) => forms[i] ?? '');
  }
  const judged = judgeCase(planned, ctx, steps, stepRuns, continued, logs);
  const { verdict, category, message, choices } = judged.decided;
  return {
    verdict,
    message: judged.redactor.text(message),
    ...(category === undefined ? {} : { category }),
    choices: judged.redactor.value({ ...choices }),
    precedence: judged.precedence,
  };
}

/**
 * One case: a reset (or the state an earlier case of its chain left), its steps run and judged one by one
 * (step.ts), the client's logs checked for its passwords, then the verdict and what the report shows.
 */
async function runCase(planned: OpenMobileCase, env: OpenMobileEnv, ctx: CaseContext): Promise<CaseOutcome> {
  const { vector, route } = planned;
  const { session, scope, signal, info } = env;
  const start = Date.now();
  const hasState = info.capabilities.includes('state');
  const hasLogs = info.capabilities.includes('logs');
  const from = ctx.start ?? null;
  // Continued: the given steps are not sent (the state they lead to is where the case starts).
  const continued = from !== null && from.runGiven !== true;
  const hitsBefore = scope.requestCount();
  const records: StepRecord[] = [];
  const t0 = Date.now();
  if (from === null) {
    await session.reset(scope.url, signal);
    records.push({ name: 'reset to a freshly installed app', status: 'passed', start: t0, stop: Date.now() });
  } else {
    records.push({
      name: continued
        ? `no reset: ${from.planned.id} left the client in the state the given steps lead to (read back)`
        : `no reset: ${from.planned.id} left the client in a state (read back) from which the given steps lead where they lead from a reset`,
      status: 'passed',
      start: t0,
      stop: t0,
    });
  }

  // Setup steps are judged like the request under test. A hand-written vector's steps succeed (checked when
  // vectors load); a regression the fuzzer kept may hold failing steps, which leave the state as it was.
  const steps = caseSteps(vector, route, continued);
  const model = stepModel(planned, ctx);
  const target = { session, scope, method: route.method, hasState };
  const done = await runSteps(
    target,
    model,
    steps.map((s) => s.step),
    from?.state ?? freshState(),
    signal,
  );
  // A session's logs run from its last reset: lines before this case's start are earlier cases' of its chain.
  const allLogs = hasLogs ? await session.logs(signal) : null;
  const logs = allLogs === null ? null : allLogs.slice(from?.logLines ?? 0);
  const judged = judgeCase(planned, ctx, steps, done.runs, continued, logs);
  const { decided, runs, focus, concurrent, redactor } = judged;
  const { verdict } = decided;
  if (judged.precedence !== null) ctx.onPrecedence?.(judged.precedence);
  const result = caseReport(planned, env, decided, {
    runs,
    focus,
    concurrent,
    logs,
    redactor,
    hits: scope.requests().slice(Math.max(0, scope.requests().length - (scope.requestCount() - hitsBefore))),
    records,
    start,
  });
  result.observations = recordObservations(planned, from, done.runs, judged.formsInLogs) as unknown as Record<
    string,
    unknown
  >;

  // The next case of the chain may start where this one ended when it passed, online and with nothing in
  // progress, and the client's state read back agreed with the model's (judged above: it matched the branch).
  const matched = focus?.judgement.matched[0];
  const known =
    (verdict === 'pass' || verdict === 'informational') &&
    hasState &&
    focus !== null &&
    focus.state !== null &&
    concurrent === null &&
    (vector.when.network ?? 'online') === 'online' &&
    matched !== undefined;
  const left: LeftState | null = known
    ? {
        planned,
        scopeUrl: scope.url,
        state: matched.state,
        logLines: allLogs?.length ?? 0,
        succeeded: succeeded(matched),
      }
    : null;
  return { result: redactor.value(result), left };
}

/**
 * What the report shows of a case: its step records, its attachments (a failing case gets every detail as
 * its own attachment; a non-strict one, or any with `artifacts: 'always'`, the derivation and one combined
 * file; a passing one none by default: `harness explain` derives it on demand), parameters, expected and
 * observed. Not yet redacted: the caller redacts the whole result.
 */
function caseReport(
  planned: OpenMobileCase,
  env: OpenMobileCaseEnv,
  decided: CaseVerdict,
  parts: {
    runs: CaseStep[];
    focus: CaseStep | null;
    concurrent: ConcurrentRun | null;
    logs: string[] | null;
    redactor: Redactor;
    hits: unknown[];
    records: StepRecord[];
    start: number;
  },
): CaseResult {
  const { vector, route } = planned;
  const { verdict, category, message, choices, notCheckable, failing, concurrentFailed } = decided;
  const { runs, focus, concurrent, logs, redactor, records, start } = parts;
  const failed = verdict === 'fail';
  const attach = failed || verdict === 'non-strict' || env.artifacts === 'always';
  for (const r of runs) {
    const ok = r.judgement.matched.length > 0;
    records.push({
      name: r.name,
      status: ok ? 'passed' : 'failed',
      start: r.start,
      stop: r.stop,
      ...(ok ? {} : { message: describeMismatches(r.judgement.mismatches) }),
      ...(failed
        ? {
            attachments: [
              json('expected (model)', ok ? r.judgement.matched.map(branchSummary) : r.branches.map(branchSummary)),
              json('observed', { provision: r.observation, state: maskState(r.state) }),
            ],
          }
        : {}),
    });
  }
  if (notCheckable !== null) {
    const t = Date.now();
    records.push({
      name: 'password in the client log (OM-LOG-NO-PASSWORD): not checkable',
      status: 'skipped',
      start: t,
      stop: t,
      message: notCheckable,
    });
  }
  // The client's logs as a report may show them: every password redacted in every spelling, and a password
  // too short to search for safely masked wherever its characters occur (said in a note above the lines).
  let shownLogs: string[] | null = null;
  let logsNote: string | null = null;
  if (logs !== null && attach) {
    const shown = redactor.freeText(logs.join('\n'));
    shownLogs = shown.text.split('\n');
    if (shown.masked) {
      logsNote =
        `a password of this case is shorter than ${MIN_SECRET_LENGTH} characters: it cannot be told from ordinary ` +
        `text, so every occurrence of it in these lines is masked as "${shown.mask}"`;
    }
  }
  if (concurrent) {
    records.push({
      name: `concurrent request: ${redactUrlPassword(concurrent.url)}`,
      status: concurrentFailed ? 'failed' : concurrent.judged ? 'passed' : 'skipped',
      ...(concurrent.judged
        ? {}
        : { message: 'not judged: the two requests ran one after the other, and the first already failed' }),
      start: focus?.start ?? start,
      stop: focus?.stop ?? Date.now(),
      attachments: [
        json('expected (model)', concurrent.branches.map(branchSummary)),
        json('observed', concurrent.observation),
      ],
    });
  }
  const reference = failing ?? focus;
  const attachments: Attachment[] = [];
  if (reference && attach) {
    attachments.push({
      name: 'derivation',
      contentType: 'text/plain',
      body: formatDerivation(reference.branches, { caseId: planned.id, url: redactUrlPassword(reference.url), route }),
    });
    const expectedVsObserved = {
      expected:
        reference.judgement.matched.length > 0
          ? reference.judgement.matched.map(branchSummary)
          : branchSummary(reference.judgement.reference),
      observed: { provision: reference.observation, state: maskState(reference.state) },
    };
    const beforeAfter = reference.state
      ? { before: maskState(observableState(reference.before)), after: maskState(reference.state) }
      : null;
    if (failed) {
      attachments.push(json('expected vs observed', expectedVsObserved));
      if (beforeAfter) attachments.push(json('state before / after', beforeAfter));
    } else {
      attachments.push(
        json('expected vs observed, state before / after, target logs', {
          ...expectedVsObserved,
          state: beforeAfter,
          logs: shownLogs,
          ...(logsNote !== null ? { logsNote } : {}),
        }),
      );
    }
  }
  if (failed && shownLogs !== null) {
    attachments.push({
      name: 'target logs',
      contentType: 'text/plain',
      body: `${logsNote === null ? '' : `(${logsNote})\n`}${shownLogs.join('\n')}`,
    });
  }
  if (failed && parts.hits.length > 0) attachments.push(json('profile service requests', parts.hits));

  const parameters: Record<string, string> = {
    url: redactUrlPassword(focusUrl(vector, route)),
    platform: route.platform,
    method: route.method,
  };
  if (vector.given?.length)
    parameters['given'] = vector.given.map((q) => redactUrlPassword(urlFor(route, q))).join(' then ');
  if (vector.when.network) parameters['network'] = vector.when.network;
  if (vector.when.fault) parameters['fault'] = JSON.stringify(vector.when.fault);
  if (vector.when.concurrent !== undefined)
    parameters['concurrent'] = redactUrlPassword(urlFor(route, vector.when.concurrent));
  const deliveredUrl = (failing ?? focus)?.observation.delivered?.url;
  if (deliveredUrl !== undefined) parameters['delivered'] = redactUrlPassword(deliveredUrl);

  const ref = reference?.judgement;
  return {
    id: planned.id,
    title: planned.title,
    target: env.targetName,
    specification: SPECIFICATION,
    route,
    area: planned.area,
    requirements: planned.requirements,
    verdict,
    message,
    ...(category ? { category } : {}),
    parameters,
    // Kept where someone will read them (a case that did not simply pass, or `artifacts: 'always'`): for a
    // passing case they would only be serialised into every report and never shown.
    expected:
      ref && (verdict !== 'pass' || attach)
        ? ref.matched.length > 0
          ? ref.matched.map(branchSummary)
          : branchSummary(ref.reference)
        : undefined,
    observed:
      reference && (verdict !== 'pass' || attach)
        ? { provision: reference.observation, state: maskState(reference.state) }
        : undefined,
    choices,
    ...(notCheckable !== null ? { notCheckable: [{ requirement: 'OM-LOG-NO-PASSWORD', reason: notCheckable }] } : {}),
    steps: records,
    attachments,
    start,
    stop: Date.now(),
    replay: env.replay,
  };
}

function json(name: string, value: unknown): Attachment {
  return { name, contentType: 'application/json', body: JSON.stringify(value, null, 2) };
}
/**
 * Which failure categories an Open Mobile case can end with: the step judge (judge.ts), this file
 * (browser-altered-url, state left behind) and the run-level checks (checks.ts). A record over every
 * category, so a new category cannot be added without being classified here; docs/spec/verdict-audit.md
 * has an entry for each one produced, and its test holds the two together. `broken-target` is the
 * runner's, for any case that throws (docs/spec/verdict-audit.md lists the paths).
 */
const OPEN_MOBILE_PRODUCES = {
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
  'server-error': false,
  'schema-violation': false,
  'broken-target': false,
} satisfies Record<FailureCategory, boolean>;

export const OPEN_MOBILE_CATEGORIES = (Object.keys(OPEN_MOBILE_PRODUCES) as FailureCategory[]).filter(
  (c) => OPEN_MOBILE_PRODUCES[c],
);
