/**
 * The Open Mobile suite's contract: the vector format (what vectors/openmobile/*.json and the builders
 * produce) and the model's prediction (what the judge compares an observation with).
 */
import type { CaseEnv, FuzzEnv, FuzzOptions, TargetPlan } from '../../src/core/suite.ts';
import type {
  Catalog,
  ClientSession,
  Method,
  Mode,
  Platform,
  Profile,
  ProfileServiceFault,
  ProfileServiceScope,
  Route,
  Settings,
  TargetInfo,
} from '../../protocols/openmobile/types.ts';

// ---------------------------------------------------------------------------------------------------------
// The engine's types, for Open Mobile: a client session, a client's info, a profile-service scope per chain

export type OpenMobileCaseEnv = CaseEnv<ClientSession, TargetInfo, ProfileServiceScope>;
export type OpenMobilePlan = TargetPlan<ClientSession, TargetInfo, ProfileServiceScope>;
export type OpenMobileFuzzEnv = FuzzEnv<ClientSession, TargetInfo, ProfileServiceScope>;
export type OpenMobileFuzzOptions = FuzzOptions<ClientSession, TargetInfo, ProfileServiceScope>;

// ---------------------------------------------------------------------------------------------------------
// Vectors

export const AREAS = [
  'examples',
  'result-codes',
  'length-limits',
  'omission',
  'routing',
  'parameters',
  'precedence',
  'soft-configuration',
  'lookup',
  'faults',
  'atomicity',
  'result-delivery',
  'silentmode',
  'obfuscation',
  'concurrency',
  'regressions',
] as const;
export type Area = (typeof AREAS)[number];

/** The saved state a vector expects; `activated` is implied by `profile`. */
export interface ExpectedState {
  profile: { id: number; mode: Mode } | null;
  settings: Settings;
}

export interface ExpectedDelivery {
  /** iOS: the exact callback URL, or null for none. */
  callbackUrl?: string | null;
  dialog?: 'success' | 'failure' | null;
  foreground?: boolean;
  /** Whether a notification is posted. */
  notification?: boolean;
}

export interface Outcome {
  handled: boolean;
  /** Acceptable result codes (a set: several when the request breaks several rules). Omit when not handled. */
  result?: number[];
  /** State after the request; `unchanged` for every failure and every unhandled request. */
  state?: 'unchanged' | ExpectedState;
  delivery?: ExpectedDelivery;
  /** Acceptable codes for `when.concurrent`, the request sent while this one is in flight. */
  concurrentResult?: number[];
}

export interface ChoiceOutcome extends Outcome {
  /** The implementation-defined choices under which this outcome holds: choice point id -> option. */
  choices: Record<string, string>;
}

/** Either one outcome, or alternatives, one per option of the implementation-defined choices involved. */
export type Then = (Outcome & { nonStrict?: boolean }) | { oneOf: (ChoiceOutcome & { nonStrict?: boolean })[] };

export interface When {
  /** The query string (no `?`); the harness builds the URL for each route (see routes.ts). */
  query?: string;
  /** An exact URL, delivered as written; the vector must then name its platforms and methods. */
  url?: string;
  /** Device network during this request (setup steps always run online). */
  network?: 'online' | 'offline';
  /** Fault the profile service injects for this request. */
  fault?: ProfileServiceFault;
  /** A second query delivered while `query` is still in flight (needs the `concurrency` capability). */
  concurrent?: string;
}

export interface Vector {
  id: string;
  title: string;
  area: Area;
  /** Requirement IDs (requirements.ts) this vector tests. */
  requirements: string[];
  /** Default: both platforms. */
  platforms?: Platform[];
  /** Default: every method the platform has (iOS: url; Android: url and intent). */
  methods?: Method[];
  /** A catalog served for this vector only (a generated one the fuzzer kept); default: the harness's. */
  catalog?: Catalog;
  /** Setup requests (queries), delivered in order on the case's route; each must succeed. */
  given?: string[];
  when: When;
  then: Then;
  /** Where the vector came from: `vectors/openmobile/<file>.json` or `builder:<name>`. Set by the loader. */
  source?: string;
  /** The line the vector starts on in `source` (set by the loader). */
  line?: number;
  /** For regression vectors: the seed and observation that produced them. */
  origin?: { seed?: number; observed?: unknown; target?: string };
}

/** What the suite loads once (vectors, the profile catalog, the obfuscation key) and its pages read. */
export interface OpenMobileSuiteData {
  catalog: Catalog;
  vectors: Vector[];
  obfuscationKey: string | null;
}

// ---------------------------------------------------------------------------------------------------------
// Requirements and choice points

export type Severity = 'MUST' | 'SHOULD' | 'CHOICE';

export interface Requirement {
  /** Stable ID, e.g. `OM-LEN-USERNAME`. Never renamed once published. */
  id: string;
  title: string;
  severity: Severity;
  /** The seed sentence(s) this rule comes from, verbatim. */
  quote: string;
  /** Where in the seed: e.g. "000 Error Codes, Table 2". */
  source: string;
  /** The agreed reading's section, when it refines the seed (docs/spec/open-mobile-reading.md). */
  reading?: string;
}

export interface ChoicePoint {
  /** Stable ID, e.g. `OM-CHOICE-PLUS`. */
  id: string;
  title: string;
  /** Permitted options; the first is the one the model explains by default. */
  options: readonly string[];
  /** Why this is implementation-defined: the reading's words or the seed's silence. */
  reading: string;
  /**
   * Set where a target may take another option for each value of an input (an HTTP status): the run-level
   * consistency checks do not hold the target to one option. Names the input.
   */
  per?: string;
}

// ---------------------------------------------------------------------------------------------------------
// Model predictions

/** The model's state: the whole saved profile (not only its id), since later requests are judged against it. */
export interface ModelState {
  profile: Profile | null;
  settings: Settings;
}

export interface StepInput {
  route: Route;
  /** The exact URL delivered. */
  url: string;
  state: ModelState;
  catalog: Catalog;
  network: 'online' | 'offline';
  fault: ProfileServiceFault | null;
  /** 64 hex characters, or null when none is configured. */
  obfuscationKey: string | null;
  /** True when another provisioning operation is in progress as this request arrives. */
  inProgress?: boolean;
  /** The target's declared check order (result codes, first checked first), if it declares one. */
  declaredPrecedence?: number[];
}

export type Phase = 'request' | 'fetch' | 'configuration';

/** One broken rule. */
export interface Violation {
  code: number;
  requirement: string;
  phase: Phase;
  detail: string;
  /**
   * Set where one requirement covers several checks a target may order differently (`test` and `autologin`
   * are both OM-PARAM-BOOL): the parameter checked. Error precedence is inferred over checks, not codes.
   */
  check?: string;
}

/** One line of `harness explain`: a rule the model applied and what it concluded. */
export interface DerivationLine {
  requirement: string;
  text: string;
}

export interface DeliveryPrediction {
  /**
   * `broadcast`: Android intent EXTRA_RESULT; `callback`: iOS resulturlscheme; `none`: no result channel;
   * `unusable-callback`: iOS, a resulturlscheme that is no URL scheme: whether a callback is attempted (and
   * so whether a result is observed) is not judged, but a result that is observed must be an acceptable one.
   */
  channel: 'broadcast' | 'callback' | 'none' | 'unusable-callback';
  /** For `callback`: the scheme the callback URL must use. */
  callbackScheme: string | null;
  /** `outcome`: a success or failure dialog matching the result; `none`: no dialog; `any`: not specified. */
  dialog: 'outcome' | 'none' | 'any';
  foreground: boolean | 'any';
  notification: boolean | 'any';
}

/** The outcome under one assignment of implementation-defined choices. */
export interface Branch {
  /** Choice point id -> option, for every choice point this prediction depended on. */
  choices: Record<string, string>;
  /** Set when this branch is accepted only as a non-strict deviation; says why. */
  nonStrict: string | null;
  handled: boolean;
  /** Acceptable result codes; `[0]` on success; empty when not handled. */
  results: number[];
  /** Every rule the request breaks (empty on success). */
  violations: Violation[];
  delivery: DeliveryPrediction;
  /** State after the request: the input state on failure or when not handled. */
  state: ModelState;
  derivation: DerivationLine[];
}
