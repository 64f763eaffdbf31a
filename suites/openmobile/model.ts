/**
 * The Open Mobile model: the oracle every verdict depends on. Given the client's state, the catalog, the
 * route, network and faults and the URL delivered, it predicts the outcome under every permitted assignment
 * of the implementation-defined choices (choices.ts), following docs/spec/open-mobile-reading.md and
 * docs/openmobile-reading-notes.md.
 *
 * The model is written as one straight pass (`evaluate`) that asks `choose(point, options)` wherever a choice
 * matters; `predict` re-runs it depth-first over the choices actually reached, so every assignment that can
 * change the outcome yields one Branch.
 */
import type { Platform, Profile, Route, Settings } from '../../protocols/openmobile/types.ts';
import { optionsOf, type Chooser } from './choices.ts';
import { lookupExplained } from './lookup.ts';
import { deobfuscate } from './obfuscation.ts';
import type { Branch, DeliveryPrediction, DerivationLine, ModelState, Phase, StepInput, Violation } from './types.ts';
import { parseUrl, QueryReader, resolveNames, type MalformedReading, type ParsedUrl } from './url.ts';

const DECIMAL = /^[0-9]+$/;
const USERNAME_LIMIT = 100;
const PASSWORD_LIMIT = 64;
/** A runaway guard: a URL that reaches this many assignments is a bug in the model, not a real request. */
const MAX_BRANCHES = 4096;

const KNOWN_ANDROID: ReadonlySet<string> = new Set([
  'pid',
  'pin',
  'test',
  'username',
  'password',
  'domain',
  'prefix',
  'autologin',
  'silentmode',
  'obfuscation',
]);
/** iOS reads one parameter more: where to report the result. */
const KNOWN_IOS: ReadonlySet<string> = new Set([...KNOWN_ANDROID, 'resulturlscheme']);

const OPT = {
  iosProvisionCom: optionsOf('OM-CHOICE-IOS-PROVISION-COM'),
  iosHostCase: optionsOf('OM-CHOICE-IOS-HOST-CASE'),
  androidUrlCase: optionsOf('OM-CHOICE-ANDROID-URL-CASE'),
  intentProvisionCom: optionsOf('OM-CHOICE-INTENT-PROVISION-COM'),
  intentCase: optionsOf('OM-CHOICE-INTENT-CASE'),
  path: optionsOf('OM-CHOICE-PATH'),
  malformed: optionsOf('OM-CHOICE-MALFORMED-ENCODING'),
  rejectCode: optionsOf('OM-CHOICE-MALFORMED-REJECT-CODE'),
  pidNonDecimal: optionsOf('OM-CHOICE-PID-NONDECIMAL'),
  pidAbsentFresh: optionsOf('OM-CHOICE-PID-ABSENT-FRESH'),
  boolLowercase: optionsOf('OM-CHOICE-BOOL-LOWERCASE'),
  flagValue: optionsOf('OM-CHOICE-FLAG-VALUE'),
  undecodable: optionsOf('OM-CHOICE-OBFUSCATION-UNDECODABLE'),
  astral: optionsOf('OM-CHOICE-ASTRAL-LENGTH'),
  iosSilent: optionsOf('OM-CHOICE-IOS-SILENTMODE'),
  serviceOffline: optionsOf('OM-CHOICE-SERVICE-OFFLINE'),
  serviceStatus: optionsOf('OM-CHOICE-SERVICE-STATUS'),
  semicolon: optionsOf('OM-CHOICE-SEMICOLON'),
} as const;

const NOT_HANDLED_DELIVERY: DeliveryPrediction = Object.freeze({
  channel: 'none',
  callbackScheme: null,
  dialog: 'none',
  foreground: false,
  notification: false,
});

/**
 * OM-CHOICE-MALFORMED-REJECT-CODE=parameter: the code Table 4 gives an unacceptable value of each parameter
 * (docs/openmobile-reading-notes.md, "Malformed percent-encoding"); 2 where it gives none.
 */
const REJECT_CODE_BY_PARAMETER: Readonly<Record<string, number>> = {
  pid: 10,
  test: 11,
  autologin: 11,
  silentmode: 11,
  obfuscation: 11,
  username: 23,
  password: 23,
  domain: 20,
  prefix: 21,
  pin: 2,
  resulturlscheme: 2,
};

/** RFC 3986 section 3.1: what can stand before `://`. */
const URL_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*$/;

/** Why an Android URL-method link without `.com` may still be handled (a warning, not a failure). */
export const NON_STRICT_ANDROID_URL_WITHOUT_COM =
  'Android URL-method link without ".com" (clientx://provision) handled anyway; the seed requires ".com"';

// -----------------------------------------------------------------------------------------------------------
// Enumeration of choice assignments

/** One pass of the model under a prefix of forced decisions; later decisions take their first option. */
class Run {
  /** Option index taken at each decision, in the order the decisions were reached. */
  readonly taken: number[] = [];
  readonly sizes: number[] = [];
  readonly choices: Record<string, string> = {};
  nonStrict: string | null = null;
  readonly #forced: readonly number[];

  constructor(forced: readonly number[]) {
    this.#forced = forced;
  }

  #decide(size: number): number {
    const k = this.taken.length;
    const index = k < this.#forced.length ? (this.#forced[k] ?? 0) : 0;
    this.taken.push(index);
    this.sizes.push(size);
    return index;
  }

  /**
   * A target picks one option per choice point and keeps it, so a point asked twice answers the same.
   * Bound once per run (the model passes it around as a Chooser).
   */
  readonly choose: Chooser = this.#choose.bind(this);

  #choose(pointId: string, options: readonly string[]): string {
    const prior = this.choices[pointId];
    if (prior !== undefined) return prior;
    const option = options[this.#decide(options.length)];
    if (option === undefined) throw new Error(`choice point ${pointId} has no options`);
    this.choices[pointId] = option;
    return option;
  }

  /** Branches into the strict reading (false) and a tolerated non-strict deviation (true). */
  deviate(reason: string): boolean {
    const deviates = this.#decide(2) === 1;
    if (deviates) this.nonStrict = reason;
    return deviates;
  }
}

/** Every outcome the reading permits, one Branch per assignment of the choices the request reaches. */
export function predict(input: StepInput): Branch[] {
  const branches: Branch[] = [];
  // Every assignment reads the same URL: it is parsed once (the parse is not changed by evaluating).
  const url = parseUrl(input.url);
  let forced: number[] = [];
  for (;;) {
    const run = new Run(forced);
    branches.push(evaluate(input, url, run));
    let i = run.taken.length - 1;
    while (i >= 0 && (run.taken[i] ?? 0) >= (run.sizes[i] ?? 1) - 1) i--;
    if (i < 0) return branches;
    if (branches.length >= MAX_BRANCHES) {
      throw new Error(
        `the Open Mobile model reached more than ${MAX_BRANCHES} choice assignments for ${input.url.length} characters of URL`,
      );
    }
    forced = run.taken.slice(0, i);
    forced.push((run.taken[i] ?? 0) + 1);
  }
}

/** The first branch: the first option of every choice point, the strict reading. */
export function predictDefault(input: StepInput): Branch {
  return evaluate(input, parseUrl(input.url), new Run([]));
}

// -----------------------------------------------------------------------------------------------------------
// The model

interface Context {
  readonly run: Run;
  readonly derivation: DerivationLine[];
  readonly violations: Violation[];
}

function note(ctx: Context, requirement: string, text: string): void {
  ctx.derivation.push({ requirement, text });
}

/** Records that the request breaks `requirement`: the code it calls for, in which phase (not a *broken* verdict). */
function violated(
  ctx: Context,
  code: number,
  requirement: string,
  phase: Phase,
  detail: string,
  check?: string,
): Violation {
  const violation: Violation =
    check === undefined ? { code, requirement, phase, detail } : { code, requirement, phase, detail, check };
  ctx.violations.push(violation);
  note(ctx, requirement, `${detail}: ${code} (${phase} phase)`);
  return violation;
}

/** The requirement whose code a client gives, at OM-CHOICE-SERVICE-STATUS, for a status of no meaning. */
const SERVICE_STATUS_REQUIREMENT: Readonly<Record<string, string>> = {
  '2': 'OM-CODE-2-INTERNAL',
  '30': 'OM-CODE-30-CUT',
  '31': 'OM-CODE-31-TRANSIENT',
  '33': 'OM-CODE-33-NO-PROFILE',
};

/**
 * The profile service answers a status the adapter protocol gives no meaning (not 200, 404 or 5xx): no
 * profile, so the request fails; which failure code is OM-CHOICE-SERVICE-STATUS (a target may decide it per
 * status: the run-level checks do not hold it to one option).
 */
function otherStatus(ctx: Context, status: number): Violation {
  const option = ctx.run.choose('OM-CHOICE-SERVICE-STATUS', OPT.serviceStatus);
  return violated(
    ctx,
    Number(option),
    SERVICE_STATUS_REQUIREMENT[option] ?? 'OM-CODE-2-INTERNAL',
    'fetch',
    `the profile service answers HTTP ${status}, which is not a profile and which the adapter protocol gives no meaning (${choiceText('OM-CHOICE-SERVICE-STATUS', option)})`,
  );
}

function choiceText(pointId: string, option: string): string {
  return `${pointId}=${option}`;
}

function evaluate(input: StepInput, url: ParsedUrl | null, run: Run): Branch {
  const ctx: Context = { run, derivation: [], violations: [] };
  const { route, state } = input;
  const choose = run.choose;

  // 1. Routing: does the URL reach the provisioning facility at all?
  if (url === null) {
    note(ctx, routeRequirement(route), 'no "scheme://" in the URL: not handled');
    return unhandled(ctx, state);
  }
  if (!routeRequest(url, route, ctx)) return unhandled(ctx, state);
  let reading: MalformedReading = 'lenient';
  if (url.malformed) {
    const option = choose('OM-CHOICE-MALFORMED-ENCODING', OPT.malformed);
    const chosen = choiceText('OM-CHOICE-MALFORMED-ENCODING', option);
    if (option === 'not-handled') {
      note(
        ctx,
        'OM-PARAM-DECODE',
        `malformed percent-encoding: the URL is rejected before it reaches the facility (${chosen})`,
      );
      return unhandled(ctx, state);
    }
    reading = option === 'raw' ? 'raw' : option === 'reject' ? 'reject' : 'lenient';
    note(
      ctx,
      'OM-PARAM-DECODE',
      reading === 'raw'
        ? `malformed percent-encoding: a value that does not decode is kept as written (${chosen})`
        : reading === 'reject'
          ? `malformed percent-encoding: a known parameter whose value does not decode fails the request (${chosen})`
          : `malformed percent-encoding decoded leniently: a bad "%" stays, bad bytes become U+FFFD (${chosen})`,
    );
  }
  // Which pairs the query holds (OM-CHOICE-SEMICOLON), and which parameter each name is (an escaped name,
  // OM-CHOICE-ENCODED-NAME; another letter case on iOS, OM-CHOICE-IOS-NAME-CASE).
  const known = route.platform === 'ios' ? KNOWN_IOS : KNOWN_ANDROID;
  let pairs = url.pairs;
  if (url.semicolonPairs !== null) {
    const option = choose('OM-CHOICE-SEMICOLON', OPT.semicolon);
    if (option === 'separator') pairs = url.semicolonPairs;
    note(
      ctx,
      'OM-PARAM-DECODE',
      option === 'separator'
        ? `";" separates parameters as "&" does (${choiceText('OM-CHOICE-SEMICOLON', option)})`
        : `";" is part of the name or value it stands in (${choiceText('OM-CHOICE-SEMICOLON', option)})`,
    );
  }
  const names = resolveNames(pairs, known, route.platform === 'ios', choose);
  if (names.encoded !== null) {
    note(
      ctx,
      'OM-PARAM-CASE-SENSITIVE',
      names.encoded === 'decoded'
        ? `percent-encoded names are decoded: ${names.renamed.map(([w, n]) => `"${w}" is ${n}`).join(', ')} (${choiceText('OM-CHOICE-ENCODED-NAME', names.encoded)})`
        : `percent-encoded names are matched as written, so they are unknown parameters (${choiceText('OM-CHOICE-ENCODED-NAME', names.encoded)})`,
    );
  }
  if (names.letterCase !== null) {
    note(
      ctx,
      'OM-PARAM-CASE-SENSITIVE',
      names.letterCase === 'insensitive'
        ? `names are matched in any letter case on iOS: ${names.renamed
            .filter(([w, n]) => w.toLowerCase() === n)
            .map(([w, n]) => `"${w}" is ${n}`)
            .join(', ')} (${choiceText('OM-CHOICE-IOS-NAME-CASE', names.letterCase)})`
        : `names are case-sensitive on iOS too (${choiceText('OM-CHOICE-IOS-NAME-CASE', names.letterCase)})`,
    );
  }
  const query = new QueryReader(names.pairs, choose, reading);

  // 2. Result delivery depends only on the route, resulturlscheme and silentmode.
  const resultScheme = route.platform === 'ios' ? query.get('resulturlscheme', true) : undefined;
  const silentmode = query.get('silentmode');
  const delivery = deliveryFor(route, resultScheme, silentmode === 'Y', ctx);

  // 3. Another operation in progress: nothing else is looked at.
  if (input.inProgress === true) {
    violated(ctx, 1, 'OM-CODE-1-IN-PROGRESS', 'request', 'another provisioning operation is in progress');
    note(ctx, 'OM-ATOMIC', 'the request fails: profile and settings stay as they were');
    return handled(ctx, [1], delivery, state);
  }

  // 4. Request phase: syntax of the request itself.
  const unknown = query.unknownNames(known);
  if (unknown.length > 0) {
    note(
      ctx,
      'OM-PARAM-CASE-SENSITIVE',
      `unknown parameter${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `"${n}"`).join(', ')} ignored`,
    );
  }
  // OM-CHOICE-MALFORMED-ENCODING=reject: each known parameter whose value does not decode is a request-syntax
  // failure of its own (unknown parameters stay ignored); the value is not read any further.
  const rejected = reading === 'reject' ? rejectUndecodable(query, known, ctx) : NONE;

  const pid = query.read('pid');
  let fetchPid: string | null = null;
  if (rejected.has('pid')) {
    // Already a request-phase failure; an undecodable profile ID selects nothing to fetch.
  } else if (pid.value === undefined) {
    if (state.profile === null) {
      const option = choose('OM-CHOICE-PID-ABSENT-FRESH', OPT.pidAbsentFresh);
      violated(
        ctx,
        Number(option),
        'OM-PARAM-PID-ABSENT',
        'request',
        `no pid on an app never activated, nothing to reconfigure (${choiceText('OM-CHOICE-PID-ABSENT-FRESH', option)})`,
      );
    } else {
      note(
        ctx,
        'OM-PARAM-PID-ABSENT',
        `no pid: settings are reconfigured on the current profile ${state.profile.id} (${state.profile.mode})`,
      );
    }
  } else if (pid.value === '') {
    violated(ctx, 10, 'OM-PARAM-PID-BLANK', 'request', 'pid is present and blank');
  } else if (!DECIMAL.test(pid.value)) {
    const option = choose('OM-CHOICE-PID-NONDECIMAL', OPT.pidNonDecimal);
    if (option === '10') {
      violated(
        ctx,
        10,
        'OM-PARAM-PID-BLANK',
        'request',
        `pid "${pid.value}" is not a decimal number (${choiceText('OM-CHOICE-PID-NONDECIMAL', option)})`,
      );
    } else {
      note(
        ctx,
        'OM-PARAM-PID-BLANK',
        `pid "${pid.value}" is not a decimal number; it goes to the profile service, which selects nothing (${choiceText('OM-CHOICE-PID-NONDECIMAL', option)})`,
      );
      fetchPid = pid.value;
    }
  } else {
    fetchPid = pid.value;
  }
  if (pid.decoded && !rejected.has('pid'))
    note(ctx, 'OM-PARAM-DECODE', `pid percent-decoded once to "${pid.value ?? ''}"`);

  const test = rejected.has('test') ? 'invalid' : readYesNo(query, 'test', ctx);
  const autologinFlag = rejected.has('autologin') ? 'invalid' : readYesNo(query, 'autologin', ctx);
  const autologin = autologinFlag === 'invalid' ? undefined : autologinFlag;
  const silentFlag = rejected.has('silentmode') ? 'N' : checkFlag('silentmode', silentmode, ctx);
  if (silentFlag === 'Y' && route.platform === 'android') {
    note(ctx, 'OM-SILENT-ANDROID', 'silentmode=Y: Open Mobile stays in the background and posts a notification');
  }
  const obfuscation = rejected.has('obfuscation') ? 'N' : checkFlag('obfuscation', query.get('obfuscation'), ctx);

  const usernameRead = rejected.has('username') ? ABSENT : query.read('username');
  const username = usernameRead.value;
  if (usernameRead.decoded && username !== undefined) {
    note(ctx, 'OM-PARAM-DECODE', `username percent-decoded once (${codePoints(username)} characters)`);
  }
  if (username !== undefined && exceeds(username, USERNAME_LIMIT, ctx)) {
    violated(ctx, 23, 'OM-LEN-USERNAME', 'request', `username has ${lengthText(username)} (limit ${USERNAME_LIMIT})`);
  }

  // The password: `undefined` omitted, '' erase, null requested but undecodable.
  const passwordRead = rejected.has('password') ? ABSENT : query.read('password');
  let password: string | null | undefined = passwordRead.value;
  if (password !== undefined && password !== '' && obfuscation === 'Y') {
    const plain = input.obfuscationKey === null ? null : deobfuscate(password, input.obfuscationKey);
    if (plain === null) {
      const option = choose('OM-CHOICE-OBFUSCATION-UNDECODABLE', OPT.undecodable);
      const why =
        input.obfuscationKey === null ? 'no obfuscation key is configured' : 'it is not AES-256-ECB hex under the key';
      violated(
        ctx,
        Number(option),
        'OM-OBFUSCATION',
        'request',
        `obfuscation=Y and the password does not decode (${why}) (${choiceText('OM-CHOICE-OBFUSCATION-UNDECODABLE', option)})`,
      );
      password = null;
    } else {
      note(ctx, 'OM-OBFUSCATION', `obfuscation=Y: the password is de-obfuscated (${codePoints(plain)} characters)`);
      password = plain;
    }
  } else if (password === '' && obfuscation === 'Y') {
    note(
      ctx,
      'OM-OBFUSCATION',
      'obfuscation=Y with an empty password: nothing to de-obfuscate, the password is erased',
    );
  }
  if (typeof password === 'string' && password !== '' && passwordRead.decoded && obfuscation !== 'Y') {
    note(ctx, 'OM-PARAM-DECODE', `password percent-decoded once (${codePoints(password)} characters)`);
  }
  if (typeof password === 'string' && exceeds(password, PASSWORD_LIMIT, ctx)) {
    violated(ctx, 23, 'OM-LEN-PASSWORD', 'request', `password has ${lengthText(password)} (limit ${PASSWORD_LIMIT})`);
  }
  const passwordRequested = password !== undefined && password !== '';

  const domain = rejected.has('domain') ? undefined : readSetting(query, 'domain', ctx);
  const prefix = rejected.has('prefix') ? undefined : readSetting(query, 'prefix', ctx);

  // 5. Fetch phase: only a request with a pid talks to the profile service.
  let profile: Profile | null = null;
  let fetchFailure: Violation | null = null;
  const activation = fetchPid !== null;
  if (fetchPid !== null) {
    const mode = test === 'Y' ? 'test' : 'production';
    note(
      ctx,
      'OM-PARAM-TEST-MODE',
      test === 'Y'
        ? 'test=Y: the test-mode profile is requested'
        : `${test === 'N' ? 'test=N' : test === 'invalid' ? 'test invalid' : 'test omitted'}: the production profile is requested`,
    );
    const pin = query.get('pin', true);
    note(
      ctx,
      'OM-PARAM-PIN',
      pin === undefined || pin === ''
        ? 'no PIN is sent to the profile service'
        : 'the PIN is sent to the profile service',
    );
    const fault = input.fault;
    if (input.network === 'offline') {
      fetchFailure = violated(ctx, 32, 'OM-CODE-32-OFFLINE', 'fetch', 'the device has no Internet connection');
    } else if (fault?.kind === 'offline') {
      const option = choose('OM-CHOICE-SERVICE-OFFLINE', OPT.serviceOffline);
      fetchFailure = violated(
        ctx,
        Number(option),
        option === '30' ? 'OM-CODE-30-CUT' : 'OM-CODE-32-OFFLINE',
        'fetch',
        `the profile service drops the connection before answering (${choiceText('OM-CHOICE-SERVICE-OFFLINE', option)})`,
      );
    } else if (fault?.kind === 'cut') {
      fetchFailure = violated(ctx, 30, 'OM-CODE-30-CUT', 'fetch', 'the profile service cuts the connection mid-answer');
    } else if (fault?.kind === 'status') {
      fetchFailure =
        fault.status >= 500 && fault.status <= 599
          ? violated(
              ctx,
              31,
              'OM-CODE-31-TRANSIENT',
              'fetch',
              `the profile service answers HTTP ${fault.status} (transient)`,
            )
          : fault.status === 404
            ? violated(ctx, 33, 'OM-CODE-33-NO-PROFILE', 'fetch', 'the profile service answers HTTP 404 (no profile)')
            : otherStatus(ctx, fault.status);
    } else if (test === 'invalid') {
      // Which mode's profile would be fetched is undetermined. A lookup failure is attributable only when
      // the ID, PIN and platform select nothing in either mode; otherwise only the 11 stands. (Configuration
      // checks cannot win over the 11 either way, so no profile is needed.)
      const lookup = (m: 'production' | 'test') =>
        lookupExplained(input.catalog, { pid: fetchPid, platform: route.platform, mode: m, pin: pin ?? null });
      const production = lookup('production');
      if (production.profile === null && lookup('test').profile === null) {
        fetchFailure = violated(ctx, 33, 'OM-CODE-33-NO-PROFILE', 'fetch', `${production.reason} (in either mode)`);
      } else {
        note(
          ctx,
          'OM-PARAM-BOOL',
          'test is invalid: which profile would be fetched depends on the mode, so no lookup result is predicted',
        );
      }
    } else {
      if (fault?.kind === 'latency')
        note(ctx, 'OM-ACT-ACTIVATE', `the profile service answers ${fault.ms} ms late: no effect on the outcome`);
      const found = lookupExplained(input.catalog, { pid: fetchPid, platform: route.platform, mode, pin: pin ?? null });
      if (found.profile === null) {
        fetchFailure = violated(ctx, 33, 'OM-CODE-33-NO-PROFILE', 'fetch', found.reason);
      } else {
        profile = found.profile;
        note(ctx, found.how === 'profile-finder' ? 'OM-LOOKUP-PROFILE-FINDER' : 'OM-ACT-ACTIVATE', found.reason);
        note(
          ctx,
          'OM-ACT-ACTIVATE',
          state.profile === null
            ? `initial activation with profile ${profile.id}`
            : `reactivation: profile ${state.profile.id} is replaced by ${profile.id}`,
        );
      }
    }
  } else if (pid.value === undefined) {
    profile = state.profile;
  }

  // 6. Configuration phase: the effective configuration, soft rules, validation.
  let settings: Settings | null = null;
  if (profile !== null) {
    settings = effectiveConfiguration({
      platform: route.platform,
      profile,
      saved: state.settings,
      activation,
      initial: activation && state.profile === null,
      username,
      password,
      passwordRequested,
      domain,
      prefix,
      autologin,
      ctx,
    });
  }

  // 7. Precedence: which of the broken rules' codes may be reported (reading section 5).
  let results = acceptableCodes(ctx.violations, fetchFailure);
  if (results.length > 1) {
    note(
      ctx,
      'OM-PRECEDENCE',
      `several rules are broken: any of ${results.join(', ')} is acceptable, in one fixed order per target`,
    );
  }
  if (input.declaredPrecedence !== undefined && results.length > 1) {
    const order = input.declaredPrecedence;
    const first = order.find((code) => results.includes(code));
    if (first !== undefined) {
      note(ctx, 'OM-PRECEDENCE', `the target declares the order ${order.join(' > ')}: ${first}`);
      results = [first];
    }
  }

  if (results.length === 1 && results[0] === 0 && settings !== null && profile !== null) {
    note(ctx, 'OM-CODE-0-SUCCESS', 'the effective configuration is consistent: 0, and it is saved');
    return handled(ctx, results, delivery, { profile, settings });
  }
  note(ctx, 'OM-ATOMIC', 'the request fails: profile and settings stay as they were');
  return handled(ctx, results, delivery, state);
}

// -----------------------------------------------------------------------------------------------------------
// Routing (reading section 1)

function routeRequirement(route: Route): string {
  if (route.platform === 'ios') return 'OM-ROUTE-IOS';
  return route.method === 'url' ? 'OM-ROUTE-ANDROID-URL-COM' : 'OM-ROUTE-ANDROID-INTENT';
}

function routeRequest(url: ParsedUrl, route: Route, ctx: Context): boolean {
  const requirement = routeRequirement(route);
  const scheme = url.scheme.toLowerCase();
  const host = url.host.toLowerCase();
  const where = `scheme "${url.scheme}", host "${url.host}"`;
  const refuse = (why: string): false => {
    note(ctx, requirement, `${where}: ${why}: not handled`);
    return false;
  };
  const choose = ctx.run.choose;
  // The seed never shows a path after the host; whether a client ignores one is implementation-defined.
  let pathOption = '';
  const pathAccepted = (): boolean => {
    pathOption = choose('OM-CHOICE-PATH', OPT.path);
    return pathOption === 'handled';
  };
  const pathRefusal = () => `a path ("${url.path}") after the host (${choiceText('OM-CHOICE-PATH', pathOption)})`;

  if (route.platform === 'ios') {
    if (scheme !== 'ipass') return refuse('not the ipass scheme');
    if (host !== 'provision' && host !== 'provision.com') return refuse('not the provision host');
    if (url.path !== '' && !pathAccepted()) return refuse(pathRefusal());
    if (host === 'provision.com') {
      const option = choose('OM-CHOICE-IOS-PROVISION-COM', OPT.iosProvisionCom);
      if (option === 'not-handled')
        return refuse(`provision.com (${choiceText('OM-CHOICE-IOS-PROVISION-COM', option)})`);
    }
    if (url.host !== host) {
      const option = choose('OM-CHOICE-IOS-HOST-CASE', OPT.iosHostCase);
      if (option === 'not-handled')
        return refuse(`host in another letter case (${choiceText('OM-CHOICE-IOS-HOST-CASE', option)})`);
    }
    note(ctx, requirement, `${where} (ipass in any case): handled`);
    return true;
  }

  if (route.method === 'url') {
    if (scheme === 'clientx' && host === 'provision.com') {
      if (url.path !== '' && !pathAccepted()) return refuse(pathRefusal());
      if (url.scheme !== scheme || url.host !== host) {
        const option = choose('OM-CHOICE-ANDROID-URL-CASE', OPT.androidUrlCase);
        if (option === 'not-handled')
          return refuse(`scheme or host in another letter case (${choiceText('OM-CHOICE-ANDROID-URL-CASE', option)})`);
      }
      note(ctx, requirement, `${where} on the URL method: handled`);
      return true;
    }
    if (url.scheme === 'clientx' && url.host === 'provision' && url.path === '') {
      if (!ctx.run.deviate(NON_STRICT_ANDROID_URL_WITHOUT_COM)) return refuse('the URL method requires ".com"');
      note(ctx, requirement, `${where} on the URL method: handled anyway without ".com" (non-strict)`);
      return true;
    }
    return refuse('not clientx://provision.com');
  }

  if (scheme !== 'clientx') return refuse('not the clientx scheme');
  if (host !== 'provision' && host !== 'provision.com') return refuse('not the provision host');
  if (url.path !== '' && !pathAccepted()) return refuse(pathRefusal());
  if (host === 'provision.com') {
    const option = choose('OM-CHOICE-INTENT-PROVISION-COM', OPT.intentProvisionCom);
    if (option === 'not-handled')
      return refuse(`provision.com on the intent method (${choiceText('OM-CHOICE-INTENT-PROVISION-COM', option)})`);
  }
  if (url.scheme !== scheme || url.host !== host) {
    const option = choose('OM-CHOICE-INTENT-CASE', OPT.intentCase);
    if (option === 'not-handled')
      return refuse(`scheme or host in another letter case (${choiceText('OM-CHOICE-INTENT-CASE', option)})`);
  }
  note(ctx, requirement, `${where} on the intent method: handled`);
  return true;
}

// -----------------------------------------------------------------------------------------------------------
// Result delivery (reading section 7, reading notes "Result delivery")

function deliveryFor(
  route: Route,
  resultScheme: string | undefined,
  silentY: boolean,
  ctx: Context,
): DeliveryPrediction {
  if (route.platform === 'ios') {
    const callbackScheme = resultScheme === undefined || resultScheme === '' ? null : resultScheme;
    // A value that is no URL scheme (RFC 3986) cannot form `<scheme>://provision?result=<code>`: whatever the
    // client attempts there (nothing, or a URL no app can receive) is not judged.
    const usable = callbackScheme === null || URL_SCHEME.test(callbackScheme);
    note(
      ctx,
      'OM-DELIVER-IOS-CALLBACK',
      callbackScheme === null
        ? 'resulturlscheme omitted or empty: no callback'
        : usable
          ? `one callback ${callbackScheme}://provision?result=<code>`
          : `resulturlscheme ${JSON.stringify(callbackScheme)} is not a URL scheme: no callback can be opened on it, so whether one is attempted is not judged (a result code, if one is reported, must still be right)`,
    );
    let silent = false;
    if (silentY) {
      const option = ctx.run.choose('OM-CHOICE-IOS-SILENTMODE', OPT.iosSilent);
      silent = option === 'honoured';
      note(
        ctx,
        'OM-SILENT-IOS',
        `silentmode=Y on iOS is ${option} (${choiceText('OM-CHOICE-IOS-SILENTMODE', option)})`,
      );
    }
    if (!silent) note(ctx, 'OM-DELIVER-IOS-STATUS', 'Open Mobile shows the status in a dialog, in the foreground');
    return {
      channel: callbackScheme === null ? 'none' : usable ? 'callback' : 'unusable-callback',
      callbackScheme,
      dialog: silent ? 'none' : 'outcome',
      foreground: !silent,
      // No sentence forbids a notification outside silent mode: not judged there.
      notification: silent ? true : 'any',
    };
  }
  if (route.method === 'url') {
    if (!silentY) note(ctx, 'OM-DELIVER-URL-DIALOG', 'URL method: no result code; a success or failure dialog');
    // Without silentmode=Y the text requires the dialog only: the foreground and a notification are not judged.
    return silentY
      ? { channel: 'none', callbackScheme: null, dialog: 'none', foreground: false, notification: true }
      : { channel: 'none', callbackScheme: null, dialog: 'outcome', foreground: 'any', notification: 'any' };
  }
  note(
    ctx,
    'OM-DELIVER-INTENT-BROADCAST',
    'intent method: the result in the client_x.android.prov.result broadcast (EXTRA_RESULT)',
  );
  return silentY
    ? { channel: 'broadcast', callbackScheme: null, dialog: 'none', foreground: false, notification: true }
    : { channel: 'broadcast', callbackScheme: null, dialog: 'any', foreground: 'any', notification: 'any' };
}

// -----------------------------------------------------------------------------------------------------------
// Parameters (reading section 2)

const NONE: ReadonlySet<string> = new Set();
const ABSENT = { value: undefined, decoded: false } as const;

/**
 * OM-CHOICE-MALFORMED-ENCODING=reject: one request-syntax failure per known parameter whose value (the
 * occurrence the target reads) does not percent-decode; the code per OM-CHOICE-MALFORMED-REJECT-CODE.
 * Returns the parameters rejected.
 */
function rejectUndecodable(query: QueryReader, known: ReadonlySet<string>, ctx: Context): ReadonlySet<string> {
  const rejected = new Set<string>();
  for (const name of known) {
    if (!query.hasMalformed(name) || !query.read(name).malformed) continue;
    const option = ctx.run.choose('OM-CHOICE-MALFORMED-REJECT-CODE', OPT.rejectCode);
    const code = option === 'parameter' ? (REJECT_CODE_BY_PARAMETER[name] ?? 2) : 2;
    violated(
      ctx,
      code,
      'OM-PARAM-DECODE',
      'request',
      `${name} does not percent-decode and is rejected (${choiceText('OM-CHOICE-MALFORMED-ENCODING', 'reject')}, ${choiceText('OM-CHOICE-MALFORMED-REJECT-CODE', option)})`,
      `decode-${name}`,
    );
    rejected.add(name);
  }
  return rejected;
}

/** `test` / `autologin`: 'Y', 'N', undefined when omitted, 'invalid' (recorded as 11, then treated as omitted). */
function readYesNo(query: QueryReader, name: 'test' | 'autologin', ctx: Context): 'Y' | 'N' | 'invalid' | undefined {
  const value = query.get(name);
  if (value === undefined || value === 'Y' || value === 'N') return value;
  if (value === 'y' || value === 'n') {
    const option = ctx.run.choose('OM-CHOICE-BOOL-LOWERCASE', OPT.boolLowercase);
    if (option === 'accept') {
      note(
        ctx,
        'OM-PARAM-BOOL',
        `${name}=${value} accepted as ${value.toUpperCase()} (${choiceText('OM-CHOICE-BOOL-LOWERCASE', option)})`,
      );
      return value === 'y' ? 'Y' : 'N';
    }
    violated(
      ctx,
      11,
      'OM-PARAM-BOOL',
      'request',
      `${name}=${value} is not Y or N (${choiceText('OM-CHOICE-BOOL-LOWERCASE', option)})`,
      name,
    );
    return 'invalid';
  }
  violated(ctx, 11, 'OM-PARAM-BOOL', 'request', `${name}="${value}" is not Y or N`, name);
  return 'invalid';
}

/** `silentmode` / `obfuscation`: omitted means N; other values are OM-CHOICE-FLAG-VALUE. */
function checkFlag(name: 'silentmode' | 'obfuscation', value: string | undefined, ctx: Context): 'Y' | 'N' {
  if (value === undefined) return 'N';
  if (value === 'Y' || value === 'N') return value;
  const option = ctx.run.choose('OM-CHOICE-FLAG-VALUE', OPT.flagValue);
  if (option === '11') {
    violated(
      ctx,
      11,
      'OM-PARAM-BOOL',
      'request',
      `${name}="${value}" is not Y or N (${choiceText('OM-CHOICE-FLAG-VALUE', option)})`,
      name,
    );
  } else {
    note(
      ctx,
      'OM-PARAM-FLAG-DEFAULT',
      `${name}="${value}" is treated as N (${choiceText('OM-CHOICE-FLAG-VALUE', option)})`,
    );
  }
  return 'N';
}

function readSetting(query: QueryReader, name: 'domain' | 'prefix', ctx: Context): string | undefined {
  const read = query.read(name);
  if (read.decoded && read.value !== undefined)
    note(ctx, 'OM-PARAM-DECODE', `${name} percent-decoded once to "${read.value}"`);
  return read.value;
}

function codePoints(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}

function lengthText(text: string): string {
  const points = codePoints(text);
  return points === text.length ? `${points} characters` : `${points} characters (${text.length} UTF-16 units)`;
}

/** Whether `text` exceeds `limit` characters; astral characters make it OM-CHOICE-ASTRAL-LENGTH. */
function exceeds(text: string, limit: number, ctx: Context): boolean {
  if (text.length <= limit) return false;
  if (codePoints(text) > limit) return true;
  // Within the limit in code points, over it in UTF-16 units: only here does the counting matter.
  return ctx.run.choose('OM-CHOICE-ASTRAL-LENGTH', OPT.astral) === 'utf16';
}

// -----------------------------------------------------------------------------------------------------------
// Effective configuration (reading sections 3 and 4)

interface ConfigurationInput {
  platform: Platform;
  profile: Profile;
  saved: Settings;
  /** The request has a pid: the profile is new (initial activation or reactivation). */
  activation: boolean;
  initial: boolean;
  username: string | undefined;
  /** null: requested but undecodable (already a request-phase violation). */
  password: string | null | undefined;
  passwordRequested: boolean;
  domain: string | undefined;
  prefix: string | undefined;
  autologin: 'Y' | 'N' | undefined;
  ctx: Context;
}

/** Applies the request, the omission rules and the soft rules, then validates; returns the settings to save. */
function effectiveConfiguration(c: ConfigurationInput): Settings {
  const { profile, saved, ctx } = c;
  if (c.activation && !c.initial) {
    note(
      ctx,
      'OM-REACT-KEEPS-SETTINGS',
      'reactivation keeps the saved username, password, domain and prefix unless a soft rule removes them',
    );
  }
  const settings: Settings = {
    username: requested(ctx, 'username', c.username, saved.username),
    password: c.password === null ? saved.password : requested(ctx, 'password', c.password, saved.password),
    domain: requested(ctx, 'domain', c.domain, saved.domain),
    prefix: requested(ctx, 'prefix', c.prefix, saved.prefix),
    autologin: saved.autologin,
  };

  // Soft rules.
  if (!profile.savePassword) {
    if (c.passwordRequested) {
      violated(
        ctx,
        23,
        'OM-CODE-23-PASSWORD-NOT-SAVED',
        'configuration',
        `a password is requested but profile ${profile.id} forbids saving it`,
      );
    } else if (c.activation && c.password === undefined && settings.password !== null) {
      settings.password = null;
      note(
        ctx,
        'OM-SOFT-PASSWORD-REMOVED',
        `profile ${profile.id} forbids saving the password: the saved password is removed`,
      );
    }
  }
  if (profile.prefixes === null && c.activation && c.prefix === undefined && settings.prefix !== null) {
    settings.prefix = null;
    note(ctx, 'OM-SOFT-PREFIX-REMOVED', `profile ${profile.id} has no prefix option: the saved prefix is removed`);
  }
  const firstDomain = profile.domains.options[0];
  if (settings.domain === null && firstDomain !== undefined) {
    settings.domain = firstDomain;
    note(
      ctx,
      'OM-SOFT-DOMAIN-DEFAULT',
      `the effective domain is empty: it becomes the profile's first option "${firstDomain}"`,
    );
  }
  const userControl = profile.autologin.userControl;
  if (c.platform === 'android') {
    let autologin = c.autologin;
    // The seed (Table 3): "If the profile forbids user control of auto-connect behavior, this setting is
    // ignored": the parameter, whatever its value, not only Y.
    if (autologin !== undefined && !userControl) {
      note(
        ctx,
        'OM-SOFT-AUTOLOGIN-ANDROID-IGNORED',
        `autologin=${autologin} is ignored: profile ${profile.id} forbids user control (no error on Android)`,
      );
      autologin = undefined;
    }
    if (autologin !== undefined) {
      settings.autologin = autologin === 'Y';
    } else if (c.initial) {
      settings.autologin = false;
      note(
        ctx,
        'OM-SOFT-AUTOLOGIN-ANDROID-INITIAL',
        'initial activation on Android: auto-login (auto-connect) is set to N',
      );
    }
  } else {
    if (c.autologin === 'Y' && !userControl) {
      violated(
        ctx,
        22,
        'OM-CODE-22-AUTOLOGIN',
        'configuration',
        `autologin=Y but profile ${profile.id} forbids user control of auto-login`,
      );
    }
    if (c.autologin !== undefined) {
      settings.autologin = c.autologin === 'Y';
    } else if (c.initial) {
      settings.autologin = userControl;
      note(
        ctx,
        'OM-SOFT-AUTOLOGIN-IOS-INITIAL',
        `initial activation on iOS: auto-login is set to ${userControl ? 'Y (the profile allows user control)' : 'N (the profile forbids user control)'}`,
      );
    } else if (c.activation && !userControl) {
      settings.autologin = false;
      note(
        ctx,
        'OM-SOFT-AUTOLOGIN-IOS-FORBIDDEN',
        `reactivation to profile ${profile.id}, which forbids user control: auto-login is set to N`,
      );
    }
  }

  // Validation of the effective configuration.
  if (settings.domain !== null && !profile.domains.editable && !profile.domains.options.includes(settings.domain)) {
    violated(
      ctx,
      20,
      'OM-CODE-20-DOMAIN',
      'configuration',
      `domain "${settings.domain}" is not one of profile ${profile.id}'s fixed options`,
    );
  }
  if (settings.prefix !== null) {
    if (profile.prefixes === null) {
      violated(
        ctx,
        21,
        'OM-CODE-21-PREFIX',
        'configuration',
        `prefix "${settings.prefix}" is set but profile ${profile.id} has no prefix option`,
      );
    } else if (!profile.prefixes.editable && !profile.prefixes.options.includes(settings.prefix)) {
      violated(
        ctx,
        21,
        'OM-CODE-21-PREFIX',
        'configuration',
        `prefix "${settings.prefix}" is not one of profile ${profile.id}'s fixed options`,
      );
    }
  }
  if (c.platform === 'ios' && c.autologin === 'Y') {
    const missing = [
      settings.username === null ? 'username' : null,
      settings.password === null ? 'password' : null,
      settings.domain === null ? 'domain' : null,
    ].filter((x) => x !== null);
    if (missing.length > 0) {
      violated(
        ctx,
        22,
        'OM-CODE-22-AUTOLOGIN',
        'configuration',
        `autologin=Y but the effective configuration lacks ${missing.join(', ')}`,
      );
    }
  }
  if (c.passwordRequested && (settings.username === null || settings.domain === null)) {
    const missing =
      settings.username === null ? (settings.domain === null ? 'a username and a domain' : 'a username') : 'a domain';
    violated(
      ctx,
      23,
      'OM-CODE-23-PASSWORD-NEEDS-USER-DOMAIN',
      'configuration',
      `a password is requested but the effective configuration lacks ${missing}`,
    );
  }
  return settings;
}

/** Omitted keeps the saved value; zero-length erases it; otherwise the request's value. */
function requested(ctx: Context, name: string, value: string | undefined, saved: string | null): string | null {
  if (value === undefined) {
    if (saved !== null) note(ctx, 'OM-OMIT-KEEP', `${name} omitted: the saved value is kept`);
    return saved;
  }
  if (value === '') {
    note(ctx, 'OM-OMIT-EMPTY-ERASES', `${name} is zero-length: the saved value is erased`);
    return null;
  }
  return value;
}

// -----------------------------------------------------------------------------------------------------------
// Outcomes

/**
 * Reading section 5: request-phase failures compete with the fetch failure that would happen; a fetch
 * failure alone decides; configuration checks need the new profile, so they count only when both passed.
 */
function acceptableCodes(violations: readonly Violation[], fetchFailure: Violation | null): number[] {
  const codes: number[] = [];
  const add = (code: number): void => {
    if (!codes.includes(code)) codes.push(code);
  };
  for (const v of violations) if (v.phase === 'request') add(v.code);
  if (codes.length > 0) {
    if (fetchFailure !== null) add(fetchFailure.code);
  } else if (fetchFailure !== null) {
    add(fetchFailure.code);
  } else {
    for (const v of violations) if (v.phase === 'configuration') add(v.code);
  }
  if (codes.length === 0) return [0];
  return codes.sort((a, b) => a - b);
}

function handled(ctx: Context, results: number[], delivery: DeliveryPrediction, state: ModelState): Branch {
  return {
    choices: ctx.run.choices,
    nonStrict: ctx.run.nonStrict,
    handled: true,
    results,
    violations: ctx.violations,
    delivery,
    state,
    derivation: ctx.derivation,
  };
}

function unhandled(ctx: Context, state: ModelState): Branch {
  note(ctx, 'OM-ROUTE-UNHANDLED-NO-CHANGE', 'not handled: nothing changes and nothing is reported');
  return {
    choices: ctx.run.choices,
    nonStrict: null,
    handled: false,
    results: [],
    violations: [],
    delivery: NOT_HANDLED_DELIVERY,
    state,
    derivation: ctx.derivation,
  };
}
