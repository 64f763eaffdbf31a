/**
 * Judging one request: which of the model's branches (one per assignment of implementation-defined choices)
 * does the observation match? None: the case fails, explained against the closest branch. step.ts builds a
 * whole step's judgement (a browser's delivered URL, a concurrent request) from these.
 */
import type { FailureCategory } from '../../src/core/results.ts';
import type { ClientState, ProvisionObservation, Settings } from '../../protocols/openmobile/types.ts';
import type { Branch, ModelState } from './types.ts';

export interface RequestObservation {
  provision: ProvisionObservation;
  /** Null when the target has no `state` capability. */
  state: ClientState | null;
  /** Null when the target has no `logs` capability. */
  logs: string[] | null;
}

export interface Mismatch {
  aspect: 'handled' | 'result' | 'callback' | 'dialog' | 'foreground' | 'notification' | 'state' | 'logs';
  requirement: string;
  category: FailureCategory;
  expected: unknown;
  observed: unknown;
  /** One sentence for the report. */
  text: string;
}

export interface StepJudgement {
  /** The branches the observation matches (empty: it matches none). */
  matched: Branch[];
  /** The closest branch's mismatches when nothing matched; leaks are reported even when a branch matched. */
  mismatches: Mismatch[];
  /** The branch the explanation is written against. */
  reference: Branch;
  /** Choice point -> option the observation revealed (the same in every matched branch, different elsewhere). */
  revealed: Record<string, string>;
  /** True when the outcome depended on a choice (the branches are not all alike). */
  choiceMattered: boolean;
}

/** The observable projection of a model state, as `GET /v1/state` shows it. */
export function observableState(state: ModelState): ClientState {
  return {
    activated: state.profile !== null,
    profile: state.profile ? { id: state.profile.id, mode: state.profile.mode } : null,
    settings: { ...state.settings },
  };
}

const SETTING_KEYS: (keyof Settings)[] = ['username', 'password', 'domain', 'prefix', 'autologin'];

export function sameState(a: ClientState, b: ClientState): boolean {
  if (a.activated !== b.activated) return false;
  if ((a.profile === null) !== (b.profile === null)) return false;
  if (a.profile && b.profile && (a.profile.id !== b.profile.id || a.profile.mode !== b.profile.mode)) return false;
  return SETTING_KEYS.every((k) => a.settings[k] === b.settings[k]);
}

/** Which settings differ, for the message. */
export function stateDiff(expected: ClientState, observed: ClientState): string[] {
  const out: string[] = [];
  if (expected.activated !== observed.activated) out.push('activated');
  const ep = expected.profile ? `${expected.profile.id}/${expected.profile.mode}` : 'none';
  const op = observed.profile ? `${observed.profile.id}/${observed.profile.mode}` : 'none';
  if (ep !== op) out.push('profile');
  for (const k of SETTING_KEYS) if (expected.settings[k] !== observed.settings[k]) out.push(k);
  return out;
}

/** A successful provisioning: handled, and result 0 (an unhandled branch has no result). */
export function succeeded(branch: Branch): boolean {
  return branch.results.length === 1 && branch.results[0] === 0;
}

function codes(list: number[]): string {
  return list.length === 1 ? String(list[0]) : `one of {${list.join(', ')}}`;
}

/** Every way the observation differs from one branch. */
export function mismatchesFor(
  branch: Branch,
  before: ModelState,
  observed: RequestObservation,
  routeRequirement: string,
): Mismatch[] {
  const out: Mismatch[] = [];
  const p = observed.provision;
  if (branch.handled !== p.handled) {
    out.push({
      aspect: 'handled',
      requirement: routeRequirement,
      category: branch.handled ? 'not-handled' : 'handled-unexpectedly',
      expected: branch.handled,
      observed: p.handled,
      text: branch.handled
        ? 'the request was not handled, but the provisioning facility must handle this URL'
        : 'the request was handled, but this URL must not reach the provisioning facility',
    });
  }
  if (branch.handled && p.handled) {
    const d = branch.delivery;
    const ok = succeeded(branch);
    if (d.channel === 'none') {
      if (p.result !== null) {
        out.push({
          aspect: 'result',
          // iOS without resulturlscheme: "no status will be received"; the Android URL method: a dialog only.
          requirement: routeRequirement === 'OM-ROUTE-IOS' ? 'OM-DELIVER-IOS-CALLBACK' : 'OM-DELIVER-URL-DIALOG',
          category: 'wrong-delivery',
          expected: null,
          observed: p.result,
          text: `a result code (${p.result}) was delivered where this route has no result channel`,
        });
      }
    } else if (
      d.channel === 'unusable-callback'
        ? p.result !== null && !branch.results.includes(p.result)
        : p.result === null || !branch.results.includes(p.result)
    ) {
      const several = branch.results.length > 1;
      // The code of another rule the request broke: the order of checks is wrong (against a declared
      // order, or against the phase constraint), not the rule itself.
      const otherBroken =
        !several && p.result !== null && branch.violations.some((v) => v.code === p.result && v.code !== 0);
      const precedence = (several || otherBroken) && p.result !== null;
      out.push({
        aspect: 'result',
        requirement: several || otherBroken ? 'OM-PRECEDENCE' : requirementOfResult(branch),
        category: precedence ? 'precedence' : 'wrong-result-code',
        expected: branch.results,
        observed: p.result,
        text: `result ${p.result === null ? 'nothing' : p.result}, expected ${codes(branch.results)}${
          otherBroken ? ` (${p.result} is the code of another rule the request breaks, checked too early)` : ''
        }`,
      });
    }
    const expectedCallback =
      d.channel === 'callback' && p.result !== null && branch.results.includes(p.result)
        ? `${d.callbackScheme}://provision?result=${p.result}`
        : d.channel === 'callback'
          ? `${d.callbackScheme}://provision?result=<${branch.results.join('|')}>`
          : null;
    // A resulturlscheme that is no URL scheme: what the client opens, if anything, is not judged.
    const callbackJudged = d.channel !== 'unusable-callback';
    if (
      callbackJudged &&
      (d.channel === 'callback' ? !sameCallback(p.callbackUrl, expectedCallback) : p.callbackUrl !== null)
    ) {
      out.push({
        aspect: 'callback',
        requirement: 'OM-DELIVER-IOS-CALLBACK',
        category: 'wrong-delivery',
        expected: expectedCallback,
        observed: p.callbackUrl,
        text: `callback ${p.callbackUrl ?? 'none'}, expected ${expectedCallback ?? 'none'}`,
      });
    }
    if (d.dialog !== 'any') {
      const want = d.dialog === 'none' ? null : ok ? 'success' : 'failure';
      if (p.dialog !== want) {
        // A success dialog for a failing request (or the reverse) is the wrong outcome, not only a wrong way
        // of showing it: on the Android URL method the dialog is the only result there is.
        const wrongOutcome = want !== null && p.dialog !== null;
        out.push({
          aspect: 'dialog',
          requirement: d.dialog === 'none' ? 'OM-SILENT-ANDROID' : routeStatusRequirement(routeRequirement),
          category: wrongOutcome ? 'wrong-result-code' : 'wrong-delivery',
          expected: want,
          observed: p.dialog,
          text: `dialog ${p.dialog ?? 'none'}, expected ${want ?? 'none'}`,
        });
      }
    }
    if (d.foreground !== 'any' && p.foreground !== d.foreground) {
      out.push({
        aspect: 'foreground',
        requirement: d.foreground ? 'OM-DELIVER-IOS-STATUS' : 'OM-SILENT-ANDROID',
        category: 'wrong-delivery',
        expected: d.foreground,
        observed: p.foreground,
        text: d.foreground
          ? 'the client did not come to the foreground'
          : 'the client came to the foreground in silent mode',
      });
    }
    if (d.notification !== 'any' && (p.notification !== null) !== d.notification) {
      out.push({
        aspect: 'notification',
        requirement: 'OM-SILENT-ANDROID',
        category: 'wrong-delivery',
        expected: d.notification,
        observed: p.notification,
        text: d.notification
          ? 'no notification was posted in silent mode'
          : 'a notification was posted outside silent mode',
      });
    }
  }
  if (observed.state !== null) {
    const want = observableState(branch.state);
    if (!sameState(want, observed.state)) {
      const failing = !branch.handled || !succeeded(branch);
      const changed = !sameState(observableState(before), observed.state);
      const diff = stateDiff(want, observed.state);
      out.push({
        aspect: 'state',
        requirement: failing
          ? branch.handled
            ? 'OM-ATOMIC'
            : 'OM-ROUTE-UNHANDLED-NO-CHANGE'
          : stateRequirement(branch, diff),
        category: failing && changed ? 'state-changed-by-failing-request' : 'wrong-state',
        expected: want,
        observed: observed.state,
        text:
          failing && changed
            ? `the failing request changed the saved ${diff.join(', ')}`
            : `the saved ${diff.join(', ')} differ${diff.length === 1 ? 's' : ''} from the expected state`,
      });
    }
  }
  return out;
}

/** The same callback URL; the scheme in any letter case (RFC 3986, section 3.1: schemes are case-insensitive). */
function sameCallback(observed: string | null, expected: string | null): boolean {
  if (observed === expected) return true;
  if (observed === null || expected === null) return false;
  const a = observed.indexOf('://');
  const b = expected.indexOf('://');
  return (
    a > 0 &&
    a === b &&
    observed.slice(a) === expected.slice(b) &&
    observed.slice(0, a).toLowerCase() === expected.slice(0, b).toLowerCase()
  );
}

function requirementOfResult(branch: Branch): string {
  const first = branch.violations[0];
  return first ? first.requirement : 'OM-CODE-0-SUCCESS';
}

/** The sentence that requires the status dialog: iOS's, or the Android URL method's. */
function routeStatusRequirement(routeRequirement: string): string {
  return routeRequirement === 'OM-ROUTE-IOS' ? 'OM-DELIVER-IOS-STATUS' : 'OM-DELIVER-URL-DIALOG';
}

/** The rules that set each saved field, most specific first. */
const FIELD_RULES: Record<string, readonly string[]> = {
  domain: ['OM-SOFT-DOMAIN-DEFAULT', 'OM-OMIT-EMPTY-ERASES', 'OM-OMIT-KEEP'],
  password: ['OM-SOFT-PASSWORD-REMOVED', 'OM-OMIT-EMPTY-ERASES', 'OM-OMIT-KEEP', 'OM-REACT-KEEPS-SETTINGS'],
  prefix: ['OM-SOFT-PREFIX-REMOVED', 'OM-OMIT-EMPTY-ERASES', 'OM-OMIT-KEEP', 'OM-REACT-KEEPS-SETTINGS'],
  username: ['OM-OMIT-EMPTY-ERASES', 'OM-OMIT-KEEP', 'OM-REACT-KEEPS-SETTINGS'],
  autologin: [
    'OM-SOFT-AUTOLOGIN-ANDROID-INITIAL',
    'OM-SOFT-AUTOLOGIN-ANDROID-IGNORED',
    'OM-SOFT-AUTOLOGIN-IOS-INITIAL',
    'OM-SOFT-AUTOLOGIN-IOS-FORBIDDEN',
  ],
  profile: ['OM-ACT-ACTIVATE', 'OM-PARAM-TEST-MODE', 'OM-LOOKUP-PROFILE-FINDER'],
};

/** The requirement a wrong success state breaks: the rule the derivation applied to the first field that differs. */
function stateRequirement(branch: Branch, diff: string[]): string {
  const applied = new Set(branch.derivation.map((l) => l.requirement));
  for (const field of diff) {
    const rule = (FIELD_RULES[field] ?? []).find((r) => applied.has(r));
    if (rule) return rule;
  }
  return 'OM-CODE-0-SUCCESS';
}

/** Do two branches show the same outcome (handling, codes, delivery, saved state), whatever their choices? */
function sameOutcome(a: Branch, b: Branch): boolean {
  if (a === b) return true;
  if (a.handled !== b.handled || a.results.length !== b.results.length) return false;
  if (a.results.some((code, i) => code !== b.results[i])) return false;
  const x = a.delivery;
  const y = b.delivery;
  if (
    x.channel !== y.channel ||
    x.callbackScheme !== y.callbackScheme ||
    x.dialog !== y.dialog ||
    x.foreground !== y.foreground ||
    x.notification !== y.notification
  ) {
    return false;
  }
  return a.state === b.state || sameState(observableState(a.state), observableState(b.state));
}

/** The order in which a case's mismatches are told (and the first names its category): the most telling first. */
const CATEGORY_RANK: readonly FailureCategory[] = [
  'state-changed-by-failing-request',
  'not-handled',
  'handled-unexpectedly',
  'precedence',
  'wrong-result-code',
  'wrong-state',
  'wrong-delivery',
  'password-leak',
];

export function judgeRequest(
  branches: Branch[],
  before: ModelState,
  observed: RequestObservation,
  routeRequirement: string,
): StepJudgement {
  if (branches.length === 0) throw new Error('the model returned no branch');
  const scored = branches.map((branch) => ({
    branch,
    mismatches: mismatchesFor(branch, before, observed, routeRequirement),
  }));
  const matched = scored.filter((s) => s.mismatches.length === 0).map((s) => s.branch);
  const first = branches[0] as Branch;
  const choiceMattered = branches.some((b) => !sameOutcome(first, b));
  const revealed: Record<string, string> = {};
  if (matched.length > 0 && choiceMattered) {
    const points = new Set(matched.flatMap((b) => Object.keys(b.choices)));
    for (const point of points) {
      const options = new Set(matched.map((b) => b.choices[point]));
      const [only] = [...options];
      if (options.size !== 1 || only === undefined) continue;
      // Revealed only if some branch with another option for this point behaves differently.
      if (branches.some((b) => b.choices[point] !== undefined && b.choices[point] !== only && !matched.includes(b))) {
        revealed[point] = only;
      }
    }
  }
  if (matched.length > 0) {
    return { matched, mismatches: [], reference: matched[0] as Branch, revealed, choiceMattered };
  }
  // The closest branch, told against: first one whose handling agrees with the observation (a handled
  // request is better explained by the choice that handles it), then the one with the fewest mismatches;
  // among those, one where the observed code is another broken rule's (a precedence explanation: under
  // `pass%77ord` read as the password, a 23 is that rule checked first, not a code out of nowhere).
  const sameHandling = scored.filter((s) => s.branch.handled === observed.provision.handled);
  const pool = sameHandling.length > 0 ? sameHandling : scored;
  const weight = (s: (typeof scored)[number]) =>
    s.mismatches.length * 2 - (s.mismatches.some((m) => m.category === 'precedence') ? 1 : 0);
  const best = pool.reduce((a, b) => (weight(b) < weight(a) ? b : a));
  const mismatches = [...best.mismatches].sort(
    (a, b) => CATEGORY_RANK.indexOf(a.category) - CATEGORY_RANK.indexOf(b.category),
  );
  return { matched, mismatches, reference: best.branch, revealed, choiceMattered };
}

/**
 * Every aspect a mismatch can concern, for docs/spec/verdict-audit.md and its test. Written as a record
 * over `Mismatch['aspect']`, so the compiler rejects a new aspect that is not listed here.
 */
export const MISMATCH_ASPECTS = Object.keys({
  handled: true,
  result: true,
  callback: true,
  dialog: true,
  foreground: true,
  notification: true,
  state: true,
  logs: true,
} satisfies Record<Mismatch['aspect'], true>) as Mismatch['aspect'][];
