/**
 * One Open Mobile step: the unit the fixed plan (execute.ts), the fuzzer (fuzz.ts), replay and the bench
 * share, so a step is run and judged one way everywhere.
 *
 * - `executeStep` delivers a request (and, where asked, a second one while it is in progress) under its
 *   network and profile-service conditions, and reads back what the client did: an `ObservedStep`.
 * - `judgeStep` is pure: it predicts the step from the model state before it and matches the observation
 *   against that prediction, so a recorded observation can be judged again with no session at all.
 * - `runSteps` is the loop: steps in order, each judged from the state the previous one's matched branch
 *   left, stopping at the first step the client did not do as the model permits.
 */
import type {
  Catalog,
  ClientSession,
  ClientState,
  Method,
  ProfileServiceFault,
  ProfileServiceScope,
  ProvisionObservation,
  Route,
} from '../../protocols/openmobile/types.ts';
import { judgeRequest, type StepJudgement } from './judge.ts';
import { predict } from './model.ts';
import type { Branch, ModelState, StepInput } from './types.ts';

/** One request as sent to the client, with the conditions it is sent under. */
export interface Step {
  /** The link exactly as delivered. */
  url: string;
  /** The device's network during the request (it is brought back online after it). */
  network: 'online' | 'offline';
  /** A fault of the profile service during the request (cleared after it). */
  fault: ProfileServiceFault | null;
  /** A second request delivered while `url` is in progress (at the profile service), or null. */
  concurrent: string | null;
  /** A setup step of a case (its `given`): a driver may deliver it the quickest way it has. */
  setup: boolean;
}

/** What the client did at one step: everything judging needs, nothing of the session. */
export interface ObservedStep {
  provision: ProvisionObservation;
  /**
   * The concurrent request's outcome, and whether it overlapped the first: false when the first finished
   * without reaching the profile service, so the two ran one after the other.
   */
  second: { provision: ProvisionObservation; overlapped: boolean } | null;
  /** The client's state after the step (after both requests); null without the `state` capability. */
  state: ClientState | null;
  start: number;
  stop: number;
}

/** Where a step runs: the client's session, the profile-service scope it fetches from, the delivery method. */
export interface StepTarget {
  session: ClientSession;
  scope: ProfileServiceScope;
  method: Method;
  /** The target reads back its state (the `state` capability). */
  hasState: boolean;
}

/** What predicting a step needs besides the state before it. */
export interface StepModel {
  route: Route;
  catalog: Catalog;
  obfuscationKey: string | null;
  declaredPrecedence: number[] | null;
}

/** One request's prediction and its judgement. */
export interface JudgedRequest {
  url: string;
  branches: Branch[];
  judgement: StepJudgement;
}

/** The verdict parts of one step. */
export interface JudgedStep {
  before: ModelState;
  /** The prediction for the link as written. */
  branches: Branch[];
  /**
   * The first request's judgement. Where a browser delivered another URL, the choices and the matched
   * branches are those of what the client received (a choice the browser settled is not the client's).
   */
  judgement: StepJudgement;
  /** The URL the client received, when a browser delivered another than the link (its password is a secret too). */
  delivered: string | null;
  /** Set when the observation matches only the delivered URL's prediction: the browser changed the outcome. */
  alteredBy: string | null;
  /**
   * The concurrent request. Overlapped: judged from `before` as arriving while the first was in progress, and
   * the first on the state read after both. Sequential (the first never reached the profile service): the first
   * on its answer alone, the second from the state the first left, on the state read after both (from each
   * state the first may have left, the first that fits). Null without a concurrent request, and for a
   * sequential one when the first already failed.
   */
  second: (JudgedRequest & { overlapped: boolean }) | null;
  /** Both requests did what the model permits. */
  ok: boolean;
  /** The model state the next step starts from (when `ok`). */
  after: ModelState;
}

/** The requirement a route's handling falls under (the routing rule a mishandled request breaks). */
export function routeRequirement(route: Route): string {
  if (route.platform === 'ios') return 'OM-ROUTE-IOS';
  return route.method === 'url' ? 'OM-ROUTE-ANDROID-URL-COM' : 'OM-ROUTE-ANDROID-INTENT';
}

/** The model's input for `url` from `state` under `step`'s conditions. */
export function stepInput(
  model: StepModel,
  url: string,
  state: ModelState,
  conditions: { network: 'online' | 'offline'; fault: ProfileServiceFault | null; inProgress?: boolean },
): StepInput {
  return {
    route: model.route,
    url,
    state,
    catalog: model.catalog,
    network: conditions.network,
    fault: conditions.fault,
    obfuscationKey: model.obfuscationKey,
    ...(conditions.inProgress ? { inProgress: true } : {}),
    ...(model.declaredPrecedence ? { declaredPrecedence: model.declaredPrecedence } : {}),
  };
}

const ONLINE = { network: 'online', fault: null } as const;

/** Delivers the step and reads back what the client did. */
export async function executeStep(target: StepTarget, step: Step, signal: AbortSignal): Promise<ObservedStep> {
  const { session, scope } = target;
  const start = Date.now();
  const offline = step.network === 'offline';
  if (offline) await session.network(false, signal);
  if (step.fault !== null) scope.setFault(step.fault);
  let provision: ProvisionObservation;
  let second: ObservedStep['second'] = null;
  try {
    if (step.concurrent !== null) {
      const both = await provisionOverlapping(session, scope, target.method, step.url, step.concurrent, signal);
      provision = both.first;
      second = { provision: both.second, overlapped: both.overlapped };
    } else {
      provision = await session.provision(
        { url: step.url, method: target.method, ...(step.setup ? { setup: true } : {}) },
        signal,
      );
    }
  } finally {
    // The scope may serve the next step or case: a fault must not outlive its request.
    scope.setFault(null);
    if (offline) await session.network(true, signal);
  }
  const state = target.hasState ? await session.state(signal) : null;
  return { provision, second, state, start, stop: Date.now() };
}

/** Judges an observed step against the model's prediction from `before`: pure, no session. */
export function judgeStep(model: StepModel, before: ModelState, step: Step, observed: ObservedStep): JudgedStep {
  const routeReq = routeRequirement(model.route);
  const branches = predict(stepInput(model, step.url, before, step));
  const overlapped = observed.second?.overlapped ?? false;
  const sequential = observed.second !== null && !overlapped;
  // Two requests that ran one after the other: the first is judged on its answer alone.
  const seen = { provision: observed.provision, state: sequential ? null : observed.state, logs: null };
  const judgement = judgeRequest(branches, before, seen, routeReq);
  let alteredBy: string | null = null;
  const delivered = observed.provision.delivered?.url;
  if (delivered !== undefined && delivered !== step.url) {
    const asDelivered = judgeRequest(predict(stepInput(model, delivered, before, step)), before, seen, routeReq);
    if (judgement.matched.length === 0 && asDelivered.matched.length > 0) alteredBy = delivered;
    if (judgement.matched.length > 0) {
      // The client's choices show in what it received: a choice the browser settled (it lower-cases the
      // scheme) is no choice of the client's, and the state it went on from is the delivered URL's.
      judgement.revealed = asDelivered.revealed;
      judgement.choiceMattered = asDelivered.choiceMattered;
      if (asDelivered.matched.length > 0) judgement.matched = asDelivered.matched;
    }
  }
  const first = judgement.matched[0];
  let second: JudgedStep['second'] = null;
  let after = first?.state ?? before;
  if (step.concurrent !== null && observed.second !== null) {
    const url = step.concurrent;
    const answer = { provision: observed.second.provision, state: null, logs: null };
    if (overlapped) {
      const secondBranches = predict(stepInput(model, url, before, { ...ONLINE, inProgress: true }));
      second = {
        url,
        overlapped,
        branches: secondBranches,
        judgement: judgeRequest(secondBranches, before, answer, routeReq),
      };
    } else if (first !== undefined) {
      // The first was judged without the state (it was read after both), so every branch it matched may be
      // where the second started from (a repeated parameter read first or last, say): the second must match
      // from one of them.
      const judged = judgement.matched.map((m) => {
        const secondBranches = predict(stepInput(model, url, m.state, ONLINE));
        const j = judgeRequest(secondBranches, m.state, { ...answer, state: observed.state }, routeReq);
        return { branches: secondBranches, judgement: j };
      });
      const fitting = judged.find((x) => x.judgement.matched.length > 0) ?? (judged[0] as (typeof judged)[number]);
      second = { url, overlapped, ...fitting };
      after = fitting.judgement.matched[0]?.state ?? before;
    }
  }
  const ok = first !== undefined && (second === null ? observed.second === null : second.judgement.matched.length > 0);
  return {
    before,
    branches,
    judgement,
    delivered: delivered !== undefined && delivered !== step.url ? delivered : null,
    alteredBy,
    second,
    ok,
    after: ok ? after : before,
  };
}

/** One step as run: what was sent, what the client did, how it was judged. */
export interface StepRun {
  step: Step;
  observed: ObservedStep;
  judged: JudgedStep;
}

/**
 * Runs `steps` in order from `start`, each judged from the state the previous one left; stops after the
 * first step that is not `ok`. `onStep` sees each step as it is judged.
 */
export async function runSteps(
  target: StepTarget,
  model: StepModel,
  steps: readonly Step[],
  start: ModelState,
  signal: AbortSignal,
  hooks: { before?(step: Step, index: number): void; after?(run: StepRun, index: number): void } = {},
): Promise<{ runs: StepRun[]; state: ModelState; failed: StepRun | null }> {
  const runs: StepRun[] = [];
  let state = start;
  for (const [index, step] of steps.entries()) {
    hooks.before?.(step, index);
    const observed = await executeStep(target, step, signal);
    const judged = judgeStep(model, state, step, observed);
    const run = { step, observed, judged };
    runs.push(run);
    hooks.after?.(run, index);
    if (!judged.ok) return { runs, state, failed: run };
    state = judged.after;
  }
  return { runs, state, failed: null };
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
