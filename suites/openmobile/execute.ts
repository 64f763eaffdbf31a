/**
 * Runs one Open Mobile case on a session: reset, the setup steps, the request under test (with its network
 * and fault conditions, and a concurrent second request where asked), then judges every step against the
 * model, step by step, continuing from the state of the branch the target's observation matched.
 */
import { maskSecret, MIN_SECRET_LENGTH, Redactor, redactUrlPassword } from '../../src/core/redact.ts';
import { distinctive, isPasswordName, passwordValues, spellingsPattern } from '../../src/core/secrets.ts';
import type { Attachment, CaseResult, FailureCategory, StepRecord, Verdict } from '../../src/core/results.ts';
import type { ClientSession } from '../../protocols/openmobile/types.ts';
import type { PlannedCase } from '../../src/core/suite.ts';
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
import { judgeStep, observableState, succeeded, type Mismatch, type StepJudgement } from './judge.ts';
import { predict } from './model.ts';
import { deobfuscate } from './obfuscation.ts';
import { REQUIREMENTS } from './requirements.ts';
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
   * Start from the state the previous case of this chain left, which is the state this case's given steps
   * lead to: without a reset and without those steps. Null or absent: from a reset. Only chaining sets it.
   */
  start?: LeftState | null;
}

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

export function routeRequirement(route: Route): string {
  if (route.platform === 'ios') return 'OM-ROUTE-IOS';
  return route.method === 'url' ? 'OM-ROUTE-ANDROID-URL-COM' : 'OM-ROUTE-ANDROID-INTENT';
}

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

const leakPatterns = new Map<string, RegExp>();
function leakPattern(form: string): RegExp {
  let pattern = leakPatterns.get(form);
  if (pattern === undefined) {
    pattern = new RegExp(spellingsPattern(form));
    if (leakPatterns.size > 256) leakPatterns.clear(); // a compiled pattern of every spelling is large
    leakPatterns.set(form, pattern);
  }
  return pattern;
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
): LeakCheck {
  const clean: LeakCheck = { mismatch: null, notCheckable: null };
  if (logs === null || logs.length === 0) return clean;
  const { certain, possible } = classifiedForms(urls, key, client);
  if (certain.size === 0 && possible.size === 0) return clean;
  const inLogs = (f: string) => {
    const pattern = leakPattern(f);
    return logs.some((line) => pattern.test(line));
  };
  const found = [...certain].filter(inLogs);
  const foundPossible = [...possible].filter(inLogs);
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
    !distinctive(f) || publicValues.some((v) => leakPattern(f).test(v) || (f.trim() !== '' && v.includes(f.trim())));
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

interface StepRun {
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
  const once = async (c: OpenMobileCase, start: LeftState | null, evidence: PrecedenceEvidence[]) => {
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

  const again = await once(start.planned, null, []);
  const repeat = again.left === null ? null : await once(planned, again.left, []);
  if (repeat !== null && !passed(repeat.result)) {
    return report({ result: leftBehind(repeat.result, fresh.result, start), left: null }, []);
  }
  fresh.result.message += `; a first run right after ${start.planned.id}, without a reset, did not pass (${first.result.message}) and did not fail again on a second try`;
  fresh.result.attachments.push(
    json('first run, right after an earlier case without a reset (not reproduced)', {
      after: start.planned.id,
      verdict: first.result.verdict,
      message: first.result.message,
      steps: first.result.steps,
    }),
  );
  return report(fresh, freshEvidence);
}

/** The case failed twice right after `start.planned` on the state it left, and passes from a reset. */
function leftBehind(continued: CaseResult, fresh: CaseResult, start: LeftState): CaseResult {
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

async function runCase(planned: OpenMobileCase, env: OpenMobileEnv, ctx: CaseContext): Promise<CaseOutcome> {
  const { vector, route } = planned;
  const { session, scope, signal, info } = env;
  const start = Date.now();
  const hasState = info.capabilities.includes('state');
  const hasLogs = info.capabilities.includes('logs');
  const redactor = new Redactor();
  redactor.add(ctx.obfuscationKey);
  const routeReq = routeRequirement(route);
  const stepInput = (url: string, state: ModelState, extra: Partial<StepInput> = {}): StepInput => ({
    route,
    url,
    state,
    catalog: ctx.catalog,
    network: 'online',
    fault: null,
    obfuscationKey: ctx.obfuscationKey,
    ...(ctx.declaredPrecedence ? { declaredPrecedence: ctx.declaredPrecedence } : {}),
    ...extra,
  });
  // Short values would match ordinary log text (docs/openmobile-reading-notes.md, "Password leaks").
  // Every URL the client received, for redaction (any letter case) and, at the end, the leak check.
  const sentUrls: string[] = [];
  const secretsOf = (url: string) => {
    urlSecrets(url, ctx.obfuscationKey).forEach((f) => redactor.add(f));
    sentUrls.push(url);
  };

  const records: StepRecord[] = [];
  const runs: StepRun[] = [];

  const from = ctx.start ?? null;
  const hitsBefore = scope.requestCount();
  const t0 = Date.now();
  if (from === null) {
    await session.reset(scope.url, signal);
    records.push({ name: 'reset to a freshly installed app', status: 'passed', start: t0, stop: Date.now() });
  } else {
    records.push({
      name: `no reset: ${from.planned.id} left the client in the state the given steps lead to (read back)`,
      status: 'passed',
      start: t0,
      stop: t0,
    });
  }

  let state = from?.state ?? freshState();
  const observe = async (
    name: string,
    url: string,
    branches: Branch[],
    before: ModelState,
    provision: ProvisionObservation,
    stepStart: number,
    conditions: Partial<StepInput> = {},
  ) => {
    const observedState = hasState ? await session.state(signal) : null;
    const observed = { provision, state: observedState, logs: null };
    const judgement = judgeStep(branches, before, observed, routeReq);
    let alteredBy: string | null = null;
    const delivered = provision.delivered?.url;
    if (delivered !== undefined && delivered !== url) {
      // The client received what the browser made of the link: its password forms are secrets too.
      secretsOf(delivered);
      const asDelivered = judgeStep(predict(stepInput(delivered, before, conditions)), before, observed, routeReq);
      if (judgement.matched.length === 0 && asDelivered.matched.length > 0) alteredBy = delivered;
      if (judgement.matched.length > 0) {
        // The client's choices show in what it received: a choice the browser settled (it lower-cases the
        // scheme) is no choice of the client's, and the state it went on from is the delivered URL's.
        judgement.revealed = asDelivered.revealed;
        judgement.choiceMattered = asDelivered.choiceMattered;
        if (asDelivered.matched.length > 0) judgement.matched = asDelivered.matched;
      }
    }
    const run: StepRun = {
      name,
      url,
      branches,
      before,
      observation: provision,
      state: observedState,
      judgement,
      alteredBy,
      start: stepStart,
      stop: Date.now(),
    };
    runs.push(run);
    return run;
  };

  // Setup steps, each judged like the request under test. A hand-written vector's steps succeed (checked
  // when vectors load); a regression the fuzzer kept may hold failing steps, which leave the state as it was.
  let setupFailed: StepRun | null = null;
  for (const [index, query] of (vector.given ?? []).entries()) {
    const url = urlFor(route, query);
    secretsOf(url);
    // Continuing: the client went through these steps in an earlier case; their passwords stay secrets
    // (and leak candidates) here, but they are not sent again.
    if (from !== null) continue;
    const branches = predict(stepInput(url, state));
    const stepStart = Date.now();
    const provision = await session.provision({ url, method: route.method, setup: true }, signal);
    const run = await observe(
      `given ${index + 1}: ${redactUrlPassword(url)}`,
      url,
      branches,
      state,
      provision,
      stepStart,
    );
    const matched = run.judgement.matched[0];
    if (matched === undefined) {
      setupFailed = run;
      break;
    }
    state = matched.state;
  }

  let focus: StepRun | null = null;
  let concurrent: {
    url: string;
    branches: Branch[];
    observation: ProvisionObservation;
    judgement: StepJudgement;
  } | null = null;
  if (setupFailed === null) {
    const url = focusUrl(vector, route);
    secretsOf(url);
    const network = vector.when.network ?? 'online';
    const fault = vector.when.fault ?? null;
    if (network === 'offline') await session.network(false, signal);
    if (fault) scope.setFault(fault);
    const branches = predict(stepInput(url, state, { network, fault }));
    const stepStart = Date.now();
    let provision: ProvisionObservation;
    try {
      if (vector.when.concurrent !== undefined) {
        const secondUrl = urlFor(route, vector.when.concurrent);
        secretsOf(secondUrl);
        const secondBranches = predict(stepInput(secondUrl, state, { inProgress: true }));
        const both = await provisionOverlapping(session, scope, route.method, url, secondUrl, signal);
        provision = both.first;
        concurrent = {
          url: secondUrl,
          branches: secondBranches,
          observation: both.second,
          judgement: judgeStep(secondBranches, state, { provision: both.second, state: null, logs: null }, routeReq),
        };
      } else {
        provision = await session.provision({ url, method: route.method }, signal);
      }
    } finally {
      // The scope may serve the next case of a chain: a fault must not outlive its request.
      scope.setFault(null);
    }
    focus = await observe(`request: ${redactUrlPassword(url)}`, url, branches, state, provision, stepStart, {
      network,
      fault,
    });
  }

  // A session's logs run from its last reset: lines before this case's start are earlier cases' of its chain.
  const allLogs = hasLogs ? await session.logs(signal) : null;
  const logs = allLogs === null ? null : allLogs.slice(from?.logLines ?? 0);
  // Verdict.
  const allRuns = runs;
  const choices: Record<string, string> = {};
  for (const r of allRuns) Object.assign(choices, r.judgement.revealed);
  if (concurrent) Object.assign(choices, concurrent.judgement.revealed);
  const leakCheck = checkLeak(logs, sentUrls, ctx.obfuscationKey, catalogText(ctx.catalog), {
    platform: route.platform,
    choices,
  });
  const leak = leakCheck.mismatch;

  let verdict: Verdict;
  let category: FailureCategory | undefined;
  let message: string;
  const failing = setupFailed ?? (focus && focus.judgement.matched.length === 0 ? focus : null);
  const concurrentFailed = concurrent !== null && concurrent.judgement.matched.length === 0;
  const describe = (ms: Mismatch[]) => ms.map((m) => `${m.text} (${m.requirement})`).join('; ');
  if (failing !== null || concurrentFailed) {
    const mismatches = failing
      ? failing.judgement.mismatches
      : (concurrent as NonNullable<typeof concurrent>).judgement.mismatches;
    const first = mismatches[0];
    category = first?.category;
    const onlyShould = mismatches.every((m) => SEVERITY.get(m.requirement) === 'SHOULD');
    verdict = onlyShould ? 'non-strict' : 'fail';
    const where =
      failing === setupFailed && setupFailed
        ? `setup step ${runs.indexOf(setupFailed) + 1}: `
        : failing
          ? ''
          : 'concurrent request: ';
    if (failing?.alteredBy) {
      category = 'browser-altered-url';
      verdict = 'fail';
      message = `${where}the browser delivered ${redactUrlPassword(failing.alteredBy)} for the link ${redactUrlPassword(failing.url)}, which changes the outcome: ${describe(mismatches)}`;
    } else {
      category ??= 'wrong-state';
      message = `${where}${describe(mismatches)}`;
    }
  } else if (leak) {
    verdict = 'fail';
    category = leak.category;
    message = `${leak.text} (${leak.requirement})`;
  } else {
    const judgement = (focus as StepRun).judgement;
    const strict = judgement.matched.some((b) => b.nonStrict === null);
    if (!strict) {
      verdict = 'non-strict';
      message = `accepted as non-strict: ${judgement.matched[0]?.nonStrict ?? ''}`;
    } else if (Object.keys(choices).length > 0) {
      verdict = 'informational';
      message = `passed; implementation-defined choice: ${Object.entries(choices)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')}`;
    } else {
      verdict = 'pass';
      message = 'as specified';
    }
    const delivered = focus?.observation.delivered;
    if (delivered && delivered.url !== delivered.link)
      message += `; the browser delivered ${redactUrlPassword(delivered.url)}`;
    const matched = judgement.matched[0];
    const observedCode = focus?.observation.result;
    if (matched && observedCode !== null && observedCode !== undefined) {
      const evidence = agreedEvidence(planned.id, judgement.matched, observedCode);
      if (evidence) ctx.onPrecedence?.(evidence);
    }
  }

  // A password found in the logs that cannot be told from ordinary text: the requirement is not checkable
  // here, and the report says so (docs/verdicts.md).
  const notCheckable = leak === null ? leakCheck.notCheckable : null;
  if (notCheckable !== null) message += `; OM-LOG-NO-PASSWORD not checkable: ${notCheckable}`;

  // Records and attachments (all redacted from here on). A failing case gets every detail as its own
  // attachment; a passing one gets the derivation and one combined file with `artifacts: 'always'`, and
  // none by default (`harness explain` derives it on demand).
  const failed = verdict === 'fail';
  const attach = failed || verdict === 'non-strict' || env.artifacts === 'always';
  for (const r of allRuns) {
    const ok = r.judgement.matched.length > 0;
    records.push({
      name: r.name,
      status: ok ? 'passed' : 'failed',
      start: r.start,
      stop: r.stop,
      ...(ok ? {} : { message: describe(r.judgement.mismatches) }),
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
      status: concurrentFailed ? 'failed' : 'passed',
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
  const kept = scope.requests();
  const hits = kept.slice(Math.max(0, kept.length - (scope.requestCount() - hitsBefore)));
  if (failed && hits.length > 0) attachments.push(json('profile service requests', hits));

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
  const result: CaseResult = {
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

function json(name: string, value: unknown): Attachment {
  return { name, contentType: 'application/json', body: JSON.stringify(value, null, 2) };
}

/**
 * Delivers `firstUrl` and, while it is provably in progress, `secondUrl`. The profile service holds its
 * answer to the first request until the second has been answered, so the first is in progress however long
 * the second takes to arrive (a browser, a device). The second is sent only once the first reached the
 * profile service; a client that finished the first without fetching (it ignored it, say) gets the second
 * at once, and `overlapped` is false: the two were then sequential.
 */
export async function provisionOverlapping(
  session: ClientSession,
  scope: ProfileServiceScope,
  method: Method,
  firstUrl: string,
  secondUrl: string,
  signal: AbortSignal,
): Promise<{ first: ProvisionObservation; second: ProvisionObservation; overlapped: boolean }> {
  let settled = false;
  const before = scope.requestCount();
  const release = scope.hold();
  const first = session.provision({ url: firstUrl, method }, signal);
  first.then(
    () => (settled = true),
    () => (settled = true),
  );
  let second: ProvisionObservation;
  let overlapped: boolean;
  try {
    // In-process clients fetch within microseconds: poll at once first, then every millisecond (a device).
    for (let polls = 0; scope.requestCount() === before && !settled; polls++) {
      if (signal.aborted) throw new Error('aborted while waiting for the first request to reach the profile service');
      await new Promise((r) => (polls < 200 ? setImmediate(r) : setTimeout(r, 1)));
    }
    overlapped = scope.requestCount() > before;
    // Sequential after all: the hold must not catch the second request instead.
    if (!overlapped) release();
    second = await session.provision({ url: secondUrl, method }, signal);
  } finally {
    release();
  }
  return { first: await first, second, overlapped };
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
