/**
 * What the emulated iOS and Android Open Mobile clients share: reading a request, the profile fetch, the
 * effective configuration with its soft rules, validation and the all-or-nothing commit. Everything a
 * platform decides differently (routing, the implementation-defined choices, the order of checks,
 * auto-login, result delivery) is an abstract member that ios.ts and android.ts spell out.
 *
 * Written from the seed and the agreed reading only; it shares nothing with the suite's model.
 */
import {
  NOT_HANDLED,
  type Method,
  type Platform,
  type Profile,
  type ProvisionObservation,
  type Settings,
} from '../../../protocols/openmobile/types.ts';
import type { DefectId } from '../defects.ts';
import { deobfuscate } from './obfuscation.ts';
import { fetchProfile, profileEndpoint, profileTarget } from './profile-fetch.ts';
import type { ProfileEndpoint } from './profile-fetch.ts';
import { parseQuery, redactUrl, splitUrl } from './query.ts';
import type { QueryRules, UrlParts } from './query.ts';

export const USERNAME_LIMIT = 100;
export const PASSWORD_LIMIT = 64;

/** Request-syntax checks: run before the fetch, on the request alone. */
export type SyntaxCheck = 'pid' | 'booleans' | 'flags' | 'obfuscation' | 'lengths';
/** Checks of the effective configuration: they need the (new) profile, so they run after the fetch. */
export type ConfigurationCheck = 'password' | 'domain' | 'prefix' | 'autologin';

/** One pick per implementation-defined choice point (docs/openmobile-reading-notes.md). */
export interface PlatformPicks {
  query: QueryRules;
  /** `OM-CHOICE-BOOL-LOWERCASE`. */
  lowercaseBooleans: 'accept' | '11';
  /** `OM-CHOICE-FLAG-VALUE`: silentmode / obfuscation other than Y or N. */
  flagValue: '11' | 'N';
  /** `OM-CHOICE-PID-NONDECIMAL`: 10 here, or 33 by asking the profile service. */
  pidNonDecimal: 10 | 33;
  /** `OM-CHOICE-PID-ABSENT-FRESH`. */
  pidAbsentFresh: 10 | 33;
  /** `OM-CHOICE-OBFUSCATION-UNDECODABLE`. */
  obfuscationUndecodable: 2 | 23;
  /** `OM-CHOICE-ASTRAL-LENGTH`. */
  astralLength: 'code-points' | 'utf16';
  /** `OM-CHOICE-SERVICE-OFFLINE`: the service drops the connection before answering. */
  serviceOffline: 30 | 32;
  /** `OM-CHOICE-SERVICE-STATUS`: the service answers a status the adapter protocol gives no meaning. */
  serviceStatus: 2 | 30 | 31 | 33;
}

/** A provisioning request as the facility reads it: the decoded value of each known parameter. */
export interface ProvisioningRequest {
  pid: string | undefined;
  pin: string | undefined;
  test: string | undefined;
  username: string | undefined;
  password: string | undefined;
  domain: string | undefined;
  prefix: string | undefined;
  autologin: string | undefined;
  silentmode: string | undefined;
  obfuscation: string | undefined;
  resulturlscheme: string | undefined;
}

const PARAMETERS = [
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
  'resulturlscheme',
] as const satisfies readonly (keyof ProvisioningRequest)[];

export interface ClientOptions {
  profileServiceUrl: string;
  /** The shared obfuscation key built into the app (64 hex characters), or null: nothing decodes. */
  obfuscationKey: string | null;
  defects: ReadonlySet<DefectId>;
  /**
   * Choice point id -> option, where this client picks otherwise than its platform (the driver's `choices`
   * option, to emulate another vendor); keys from CONFIGURABLE_CHOICES, checked by the driver.
   */
  choices?: Readonly<Record<string, string>>;
}

/**
 * The choice points a configuration may set on an emulated client (`options.choices`), with their options
 * and where each lands in PlatformPicks. Routing and delivery choices stay the platform's.
 */
export const CONFIGURABLE_CHOICES: Record<
  string,
  {
    options: readonly string[];
    apply: (p: PlatformPicks, o: string) => void;
    /** Where the choice exists; absent: both platforms. */
    platforms?: readonly Platform[];
  }
> = {
  'OM-CHOICE-PLUS': { options: ['literal', 'space'], apply: (p, o) => void (p.query.plus = o as QueryRules['plus']) },
  'OM-CHOICE-REPEATED': {
    options: ['first', 'last'],
    apply: (p, o) => void (p.query.repeated = o as QueryRules['repeated']),
  },
  'OM-CHOICE-BARE-NAME': {
    options: ['empty', 'absent'],
    apply: (p, o) => void (p.query.bareName = o as QueryRules['bareName']),
  },
  'OM-CHOICE-MALFORMED-ENCODING': {
    options: ['lenient', 'not-handled', 'raw'],
    apply: (p, o) => void (p.query.malformed = o === 'lenient' ? 'lenient' : o === 'raw' ? 'raw' : 'reject'),
  },
  'OM-CHOICE-ENCODED-NAME': {
    options: ['decoded', 'literal'],
    apply: (p, o) => void (p.query.names = o === 'literal' ? 'literal' : 'decoded'),
  },
  'OM-CHOICE-IOS-NAME-CASE': {
    options: ['sensitive', 'insensitive'],
    apply: (p, o) => void (p.query.nameCase = o === 'insensitive' ? 'insensitive' : 'sensitive'),
    // Table 3's parameters "are case-sensitive": on Android, only one option is conformant.
    platforms: ['ios'],
  },
  'OM-CHOICE-SEMICOLON': {
    options: ['literal', 'separator'],
    apply: (p, o) => void (p.query.semicolon = o === 'separator' ? 'separator' : 'literal'),
  },
  'OM-CHOICE-PID-NONDECIMAL': { options: ['10', '33'], apply: (p, o) => void (p.pidNonDecimal = o === '10' ? 10 : 33) },
  'OM-CHOICE-PID-ABSENT-FRESH': {
    options: ['10', '33'],
    apply: (p, o) => void (p.pidAbsentFresh = o === '10' ? 10 : 33),
  },
  'OM-CHOICE-BOOL-LOWERCASE': {
    options: ['accept', '11'],
    apply: (p, o) => void (p.lowercaseBooleans = o === 'accept' ? 'accept' : '11'),
  },
  'OM-CHOICE-FLAG-VALUE': { options: ['11', 'N'], apply: (p, o) => void (p.flagValue = o === 'N' ? 'N' : '11') },
  'OM-CHOICE-OBFUSCATION-UNDECODABLE': {
    options: ['23', '2'],
    apply: (p, o) => void (p.obfuscationUndecodable = o === '2' ? 2 : 23),
  },
  'OM-CHOICE-ASTRAL-LENGTH': {
    options: ['code-points', 'utf16'],
    apply: (p, o) => void (p.astralLength = o === 'utf16' ? 'utf16' : 'code-points'),
  },
  'OM-CHOICE-SERVICE-OFFLINE': {
    options: ['30', '32'],
    apply: (p, o) => void (p.serviceOffline = o === '30' ? 30 : 32),
  },
  'OM-CHOICE-SERVICE-STATUS': {
    options: ['2', '31', '33', '30'],
    apply: (p, o) => void (p.serviceStatus = o === '31' ? 31 : o === '33' ? 33 : o === '30' ? 30 : 2),
  },
};

/** The effective configuration being built for one request; committed only when every check passes. */
export interface Draft {
  profile: Profile;
  settings: Settings;
  /** The request carries a `pid`: the profile was fetched and replaces the current one. */
  newProfile: boolean;
  /** The app had no profile before this request. */
  initialActivation: boolean;
  /** The request's auto-login value: true for Y, false for N, undefined when omitted. */
  requestedAutologin: boolean | undefined;
  /** The request's password after decoding and de-obfuscation; undefined when omitted. */
  requestedPassword: string | undefined;
}

function freshSettings(): Settings {
  return { username: null, password: null, domain: null, prefix: null, autologin: null };
}

const DECIMAL = /^[0-9]+$/;
/** Decimal digits of any script (the seeded `pid-unicode-digits` defect reads these as a number). */
const UNICODE_DECIMAL = /^\p{Nd}+$/u;

/** The value of one Unicode decimal digit: Nd digits come in contiguous runs of 0 to 9 (Unicode 4.6). */
function unicodeDigit(digit: string): number {
  let code = digit.codePointAt(0) ?? 0x30;
  let steps = 0;
  while (code > 0 && /\p{Nd}/u.test(String.fromCodePoint(code - 1))) {
    code--;
    steps++;
  }
  return steps % 10;
}
const MIN_SCRUBBED = 4;

export abstract class OpenMobileClient {
  abstract readonly platform: Platform;
  abstract readonly methods: readonly Method[];
  /** The platform's own picks; `picks` is what this client uses (its options applied on top). */
  protected abstract readonly defaultPicks: PlatformPicks;
  private mergedPicks: PlatformPicks | null = null;
  private readonly choices: Readonly<Record<string, string>>;

  protected get picks(): PlatformPicks {
    if (this.mergedPicks === null) {
      const picks = { ...this.defaultPicks, query: { ...this.defaultPicks.query } };
      for (const [id, option] of Object.entries(this.choices)) CONFIGURABLE_CHOICES[id]?.apply(picks, option);
      this.mergedPicks = picks;
    }
    return this.mergedPicks;
  }
  /** The fixed order of request-syntax checks (precedence, reading section 5). */
  protected abstract readonly syntaxOrder: readonly SyntaxCheck[];
  /** The fixed order of configuration checks, after the fetch. */
  protected abstract readonly configurationOrder: readonly ConfigurationCheck[];

  /** Routing (reading section 1): does this URL, delivered this way, reach the provisioning facility? */
  protected abstract routes(url: UrlParts, method: Method): boolean;
  /** The platform's auto-login soft rules, applied to the draft. */
  protected abstract softAutologin(draft: Draft): void;
  /** How the outcome reaches the requesting app and the user (reading section 7). */
  protected abstract deliver(code: number, request: ProvisioningRequest, method: Method): ProvisionObservation;

  profile: Profile | null = null;
  settings: Settings = freshSettings();
  online = true;
  busy = false;
  readonly logs: string[] = [];

  protected readonly defects: ReadonlySet<DefectId>;
  private readonly profileService: ProfileEndpoint;
  private readonly obfuscationKey: string | null;
  /** Secrets of the request being logged: every form of its password, scrubbed from each log line. */
  private secrets: string[] = [];

  constructor(options: ClientOptions) {
    this.profileService = profileEndpoint(options.profileServiceUrl);
    this.obfuscationKey = options.obfuscationKey;
    this.defects = options.defects;
    this.choices = options.choices ?? {};
  }

  /**
   * Delivers one provisioning URL. Resolves when the client has finished with it (or ignored it); rejects
   * only when `signal` aborts the profile fetch, leaving the configuration untouched.
   */
  async provision(url: string, method: Method, signal?: AbortSignal): Promise<ProvisionObservation> {
    // The seeded `fragment-in-query` defect reads a `#` as ordinary text, so the query runs to the end.
    const parts = splitUrl(this.defects.has('fragment-in-query') ? url.replaceAll('#', '%23') : url);
    if (parts === null || !this.methods.includes(method) || !this.routes(parts, method)) return NOT_HANDLED;
    const params = parseQuery(parts.query, this.picks.query, this.defects.has('double-decoding') ? 2 : 1, this.defects);
    // A URL whose encoding the platform's URL class refuses never reaches the facility.
    if (params === null) return NOT_HANDLED;
    const request = this.withDefectiveReading(readRequest(params));

    const secrets = this.defects.has('password-in-logs') ? [] : secretsOf(url, request, this.obfuscationKey);
    const inProgress = this.busy && !this.defects.has('in-progress-not-refused');
    // Set before the first await: a request arriving while this one runs must see it.
    if (!inProgress) this.busy = true;
    this.secrets = secrets;
    const shown = this.defects.has('password-in-logs') ? url : redactUrl(url, this.picks.query);
    this.log(`provisioning request received via ${method}: ${shown}`);
    if (inProgress) {
      this.log('another provisioning operation is in progress; request refused (result 1)');
      return this.finish(1, request, method, secrets);
    }
    try {
      const code = await this.execute(request, signal);
      return this.finish(code, request, method, secrets);
    } catch (error) {
      if (signal?.aborted) {
        this.log('provisioning aborted by the caller; configuration unchanged');
        throw error;
      }
      this.log(`internal error: ${error instanceof Error ? error.message : String(error)}`);
      return this.finish(2, request, method, secrets);
    } finally {
      this.busy = false;
    }
  }

  private finish(code: number, request: ProvisioningRequest, method: Method, secrets: string[]): ProvisionObservation {
    this.secrets = secrets;
    this.log(code === 0 ? 'provisioning succeeded (result 0)' : `provisioning failed (result ${code})`);
    this.secrets = [];
    return this.deliver(code, request, method);
  }

  /** The whole operation: syntax checks, the fetch, the effective configuration, the commit. */
  private async execute(request: ProvisioningRequest, signal: AbortSignal | undefined): Promise<number> {
    const secrets = this.secrets;
    const password = this.requestedPassword(request);
    const syntaxCode = this.firstSyntaxFailure(request, password);
    if (syntaxCode !== null) return syntaxCode;

    let fetched: Profile | null = null;
    if (request.pid === undefined) {
      if (this.profile === null) {
        this.log('no profile ID and the app was never activated');
        return this.picks.pidAbsentFresh;
      }
    } else {
      const outcome = await this.fetch(request, signal);
      this.secrets = secrets;
      if (typeof outcome === 'number') return outcome;
      fetched = outcome;
    }

    const current = this.profile;
    const profile = fetched ?? current;
    if (profile === null) return 2; // unreachable: a fresh app without pid returned above
    const draft: Draft = {
      profile,
      settings: { ...this.settings },
      newProfile: fetched !== null,
      initialActivation: current === null,
      requestedAutologin: booleanValue(request.autologin),
      requestedPassword: password.value,
    };
    this.applyRequestAndSoftRules(draft, request);

    for (const check of this.configurationOrderFor(request)) {
      const code = this.configurationCheck(check, draft);
      if (code === null) continue;
      if (this.defects.has('partial-write-on-failure') && request.username !== undefined) {
        this.settings.username = draft.settings.username;
      }
      this.log(`effective configuration rejected by the ${check} check`);
      return code;
    }

    // All or nothing: the draft was built on copies, and is committed in one step.
    this.profile = draft.profile;
    this.settings = draft.settings;
    const s = draft.settings;
    this.log(
      `settings saved: username=${s.username ?? '-'} password=${s.password === null ? 'not set' : 'set'} ` +
        `domain=${s.domain ?? '-'} prefix=${s.prefix ?? '-'} autologin=${s.autologin === null ? '-' : s.autologin ? 'Y' : 'N'}`,
    );
    return 0;
  }

  /** The seeded defects that change how a parameter's value is read (a correct client reads it as decoded). */
  private withDefectiveReading(request: ProvisioningRequest): ProvisioningRequest {
    const r = { ...request };
    if (this.defects.has('boolean-trimmed')) {
      for (const name of ['test', 'autologin'] as const) r[name] = r[name]?.trim();
    }
    if (this.defects.has('obfuscation-flag-ignores-case') && r.obfuscation !== undefined) {
      const upper = r.obfuscation.toUpperCase();
      if (upper === 'Y' || upper === 'N') r.obfuscation = upper;
    }
    if (this.defects.has('password-value-ends-at-semicolon') && r.password !== undefined) {
      r.password = r.password.split(';')[0];
    }
    if (this.defects.has('settings-trimmed')) {
      for (const name of ['username', 'domain', 'prefix'] as const) r[name] = r[name]?.trim();
    }
    if (this.defects.has('pid-unicode-digits') && r.pid !== undefined && UNICODE_DECIMAL.test(r.pid)) {
      // Integer.parseInt reads any Unicode decimal digit; the number is then sent on in ASCII.
      r.pid = [...r.pid].map((d) => String(unicodeDigit(d))).join('');
    }
    return r;
  }

  /** The order of request-syntax checks for this request (one fixed order, unless a defect varies it). */
  private syntaxOrderFor(request: ProvisioningRequest): readonly SyntaxCheck[] {
    if (this.defects.has('precedence-flips-with-password') && request.password !== undefined) {
      return ['lengths', ...this.syntaxOrder.filter((c) => c !== 'lengths')];
    }
    return this.syntaxOrder;
  }

  /** The order of configuration checks for this request (one fixed order, unless a defect varies it). */
  private configurationOrderFor(request: ProvisioningRequest): readonly ConfigurationCheck[] {
    let order = this.configurationOrder;
    if (this.defects.has('precedence-flips-with-test') && request.test !== undefined) {
      order = order.map((c) => (c === 'domain' ? 'prefix' : c === 'prefix' ? 'domain' : c));
    }
    if (this.defects.has('precedence-flips-with-obfuscation') && request.obfuscation === 'Y') {
      order = [...order].reverse();
    }
    return order;
  }

  // -----------------------------------------------------------------------------------------------------
  // Request syntax

  private requestedPassword(request: ProvisioningRequest): { value: string | undefined; undecodable: boolean } {
    const raw = request.password;
    if (raw === undefined || raw === '' || request.obfuscation !== 'Y') return { value: raw, undecodable: false };
    const clear = deobfuscate(raw, this.obfuscationKey);
    return clear === null ? { value: undefined, undecodable: true } : { value: clear, undecodable: false };
  }

  private firstSyntaxFailure(
    request: ProvisioningRequest,
    password: { value: string | undefined; undecodable: boolean },
  ): number | null {
    const failures: { check: SyntaxCheck; code: number }[] = [];
    for (const check of this.syntaxOrderFor(request)) {
      const code = this.syntaxCheck(check, request, password);
      if (code !== null) failures.push({ check, code });
    }
    const first = failures[0];
    if (first === undefined) return null;
    if (this.defects.has('inconsistent-precedence')) {
      const booleans = failures.find((f) => f.check === 'booleans' && f.code === 11);
      const lengths = failures.find((f) => f.check === 'lengths');
      if (booleans && lengths) {
        // Like checks run in hash-map order: which one answers depends on the request's values, so no one
        // order of checks explains every answer (yet each request is answered the same way every time).
        let hash = 0;
        for (const value of Object.values(request))
          for (const ch of value ?? '') hash = (hash * 31 + ch.charCodeAt(0)) | 0;
        return (hash & 1) === 0 ? booleans.code : lengths.code;
      }
    }
    this.log(`request rejected by the ${first.check} check`);
    return first.code;
  }

  private syntaxCheck(
    check: SyntaxCheck,
    request: ProvisioningRequest,
    password: { value: string | undefined; undecodable: boolean },
  ): number | null {
    switch (check) {
      case 'pid':
        if (request.pid === '') return 10;
        if (request.pid !== undefined && !DECIMAL.test(request.pid) && this.picks.pidNonDecimal === 10) return 10;
        if (request.pid === undefined && this.profile === null && this.picks.pidAbsentFresh === 10) return 10;
        return null;
      case 'booleans':
        return this.isBoolean(request.test) && this.isBoolean(request.autologin) ? null : 11;
      case 'flags':
        if (this.picks.flagValue === 'N') return null;
        return isFlag(request.silentmode) && isFlag(request.obfuscation) ? null : 11;
      case 'obfuscation':
        return password.undecodable ? this.picks.obfuscationUndecodable : null;
      case 'lengths': {
        const tooLongUser =
          request.username !== undefined &&
          this.lengthOf(request.username) > this.limit(USERNAME_LIMIT, 'username-limit-off-by-one');
        const tooLongPassword =
          password.value !== undefined &&
          this.lengthOf(password.value) > this.limit(PASSWORD_LIMIT, 'password-limit-off-by-one');
        return tooLongUser || tooLongPassword ? 23 : null;
      }
    }
  }

  private isBoolean(value: string | undefined): boolean {
    if (value === undefined || value === 'Y' || value === 'N') return true;
    return this.picks.lowercaseBooleans === 'accept' && (value === 'y' || value === 'n');
  }

  private limit(limit: number, offByOne: DefectId): number {
    return this.defects.has(offByOne) ? limit + 1 : limit;
  }

  private lengthOf(value: string): number {
    if (this.defects.has('length-in-bytes')) return Buffer.byteLength(value, 'utf8');
    if (this.picks.astralLength === 'utf16') return value.length;
    let count = 0;
    for (const _ of value) count++;
    return count;
  }

  // -----------------------------------------------------------------------------------------------------
  // The profile fetch

  private async fetch(request: ProvisioningRequest, signal: AbortSignal | undefined): Promise<Profile | number> {
    if (!this.online) {
      this.log('no Internet connection; the profile cannot be fetched');
      return this.defects.has('offline-as-no-profile') ? 33 : 32;
    }
    const test = booleanValue(request.test) === true && !this.defects.has('test-mode-ignored');
    const target = profileTarget(this.profileService, {
      pid: request.pid ?? '',
      platform: this.platform,
      mode: test ? 'test' : 'production',
      pin: request.pin ?? '',
    });
    this.log(`fetching profile ${request.pid ?? ''} (${test ? 'test' : 'production'} mode)`);
    const secrets = this.secrets;
    const outcome = await fetchProfile(target, signal);
    // Another request may have logged while this one waited; its secrets are not this request's.
    this.secrets = secrets;
    switch (outcome.kind) {
      case 'profile':
        this.log(`profile ${outcome.profile.id} (${outcome.profile.mode}) of ${outcome.profile.company} fetched`);
        return outcome.profile;
      case 'not-found':
        this.log('the profile service selected no profile for this ID, PIN, platform and mode');
        return 33;
      case 'transient':
        this.log(`the profile service reported a transient error (HTTP ${outcome.status})`);
        return this.defects.has('transient-as-cut') ? 30 : 31;
      case 'cut':
        this.log('the connection to the profile service was interrupted during the answer');
        return 30;
      case 'unreachable':
        this.log(`the profile service could not be reached (${outcome.reason})`);
        return this.picks.serviceOffline;
      case 'status':
        this.log(`the profile service answered HTTP ${outcome.status}, which is no profile`);
        return this.picks.serviceStatus;
      case 'unexpected':
        this.log(`unexpected answer from the profile service: ${outcome.reason}`);
        return 2;
    }
  }

  // -----------------------------------------------------------------------------------------------------
  // Effective configuration

  private applyRequestAndSoftRules(draft: Draft, request: ProvisioningRequest): void {
    const s = draft.settings;
    const { profile } = draft;
    // Soft rules on the saved values a new profile cannot keep; a value in the request is judged later.
    if (draft.newProfile && !profile.savePassword && !this.defects.has('missed-soft-password-removal'))
      s.password = null;
    if (draft.newProfile && profile.prefixes === null && !this.defects.has('missed-soft-prefix-removal'))
      s.prefix = null;

    const emptyKeeps = this.defects.has('empty-treated-as-omitted');
    s.username = applyValue(s.username, request.username, emptyKeeps);
    s.password = applyValue(s.password, draft.requestedPassword, false);
    s.domain = applyValue(s.domain, request.domain, emptyKeeps);
    s.prefix = applyValue(s.prefix, request.prefix, false);

    const firstDomain = profile.domains.options[0];
    if (s.domain === null && firstDomain !== undefined && !this.defects.has('missed-soft-domain-default')) {
      s.domain = firstDomain;
    }
    this.softAutologin(draft);
  }

  private configurationCheck(check: ConfigurationCheck, draft: Draft): number | null {
    const { profile, settings: s } = draft;
    switch (check) {
      case 'password': {
        const requested = draft.requestedPassword !== undefined && draft.requestedPassword !== '';
        if (!requested) return null;
        return s.username === null || s.domain === null || !profile.savePassword ? 23 : null;
      }
      case 'domain':
        return s.domain !== null && !profile.domains.editable && !profile.domains.options.includes(s.domain)
          ? 20
          : null;
      case 'prefix':
        if (s.prefix === null) return null;
        if (profile.prefixes === null) return 21;
        return !profile.prefixes.editable && !profile.prefixes.options.includes(s.prefix) ? 21 : null;
      case 'autologin':
        if (draft.requestedAutologin !== true) return null;
        return !profile.autologin.userControl || s.username === null || s.password === null || s.domain === null
          ? 22
          : null;
    }
  }

  // -----------------------------------------------------------------------------------------------------

  protected log(message: string): void {
    let line = `${timestamp()} [OpenMobile/${this.platform}] ${message}`;
    for (const secret of this.secrets) if (line.includes(secret)) line = line.replaceAll(secret, '***');
    this.logs.push(line);
  }

  protected outcomeText(code: number): string {
    return code === 0 ? 'Open Mobile: provisioning succeeded' : `Open Mobile: provisioning failed (error ${code})`;
  }
}

let stampedAt = Number.NaN;
let stamp = '';

/** The ISO time of a log line, formatted once per millisecond: a provision logs several lines in one. */
function timestamp(): string {
  const now = Date.now();
  if (now !== stampedAt) {
    stampedAt = now;
    stamp = new Date(now).toISOString();
  }
  return stamp;
}

function readRequest(params: Map<string, string>): ProvisioningRequest {
  const request = {} as Record<keyof ProvisioningRequest, string | undefined>;
  for (const name of PARAMETERS) request[name] = params.get(name);
  return request;
}

/** Y (or y where the platform accepts it) is true, N false, omitted undefined. */
function booleanValue(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  return value === 'Y' || value === 'y';
}

function isFlag(value: string | undefined): boolean {
  return value === undefined || value === 'Y' || value === 'N';
}

/** Omitted keeps the saved value, zero-length erases it (unless the defect keeps it). */
function applyValue(saved: string | null, requested: string | undefined, emptyKeeps: boolean): string | null {
  if (requested === undefined) return saved;
  if (requested === '') return emptyKeeps ? saved : null;
  return requested;
}

/**
 * Every form of the request's password that could reach a log line: as written in the URL, decoded and
 * de-obfuscated. Longest first, so a secret containing another is replaced whole.
 */
function secretsOf(url: string, request: ProvisioningRequest, key: string | null): string[] {
  const found = new Set<string>();
  if (request.password !== undefined) {
    found.add(request.password);
    const clear = deobfuscate(request.password, key);
    if (clear !== null && clear !== '') found.add(clear);
  }
  const q = url.indexOf('?');
  if (q !== -1) {
    for (const pair of url.slice(q + 1).split('&')) {
      const eq = pair.indexOf('=');
      if (eq !== -1 && pair.slice(0, eq).toLowerCase() === 'password') found.add(pair.slice(eq + 1));
    }
  }
  // Shorter values would match ordinary log text; the request line hides them by redaction instead.
  return [...found].filter((s) => s.length >= MIN_SCRUBBED).sort((a, b) => b.length - a.length);
}
