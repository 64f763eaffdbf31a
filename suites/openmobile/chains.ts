/**
 * Case order for targets whose reset is costly (`resets: 'fewest'`, a device). A case starts from the
 * state its given steps lead to from a reset; when an earlier case ended in exactly that state (the
 * model's, on every branch the reading permits), the case can start there instead: no reset, no given
 * steps. Cases are chained so that as many as possible start where the one before ended: first the cases
 * whose request changes nothing, then one that moves the client to the starting state of more cases.
 *
 * This only orders and predicts. Whether a case really starts where the previous one stopped is decided
 * when it runs (execute.ts): only after that case passed and the client's state, read back, matched.
 */
import type { Catalog } from '../../protocols/openmobile/types.ts';
import { focusUrl, freshState, stateKey, type OpenMobileCase } from './execute.ts';
import { succeeded } from './judge.ts';
import { predict } from './model.ts';
import { urlFor } from './routes.ts';
import type { ModelState, StepInput } from './types.ts';

export interface ChainContext {
  catalog: Catalog;
  obfuscationKey: string | null;
}

/** Where a case starts and ends, as {@link stateKey}s; null where the model allows more than one state. */
export interface CaseEnds {
  start: string | null;
  end: string | null;
  /** The model state `end` names (absent where `end` is null). */
  endState?: ModelState;
}

function unique(c: OpenMobileCase, states: ModelState[]): string | null {
  const keys = new Set(states.map((s) => stateKey(c, s)));
  return keys.size === 1 ? ([...keys][0] as string) : null;
}

/**
 * The model's input for a request of the case (online, no fault), and every state the case's given steps
 * may lead to from a fresh client.
 */
function givenStates(
  c: OpenMobileCase,
  ctx: ChainContext,
): { input: (url: string, state: ModelState) => StepInput; states: ModelState[] } {
  const { vector, route } = c;
  const input = (url: string, state: ModelState): StepInput => ({
    route,
    url,
    state,
    catalog: vector.catalog ?? ctx.catalog,
    network: 'online',
    fault: null,
    obfuscationKey: ctx.obfuscationKey,
  });
  let states: ModelState[] = [freshState()];
  for (const query of vector.given ?? []) {
    const url = urlFor(route, query);
    states = states.flatMap((state) =>
      predict(input(url, state))
        .filter(succeeded)
        .map((b) => b.state),
    );
  }
  return { input, states };
}

export function caseEnds(c: OpenMobileCase, ctx: ChainContext): CaseEnds {
  const { vector, route } = c;
  const { input, states } = givenStates(c, ctx);
  const start = unique(c, states);
  // Offline, the network stays off; overlapping, either request may be the one applied.
  if (start === null || vector.when.concurrent !== undefined || (vector.when.network ?? 'online') !== 'online') {
    return { start, end: null };
  }
  const state = states[0] as ModelState;
  const ends = predict({ ...input(focusUrl(vector, route), state), fault: vector.when.fault ?? null }).map(
    (b) => b.state,
  );
  const end = unique(c, ends);
  return end === null ? { start, end } : { start, end, endState: ends[0] as ModelState };
}

/**
 * Whether the case's given steps, sent from `from` (the state an earlier case left) instead of from a
 * reset, lead to the state they lead to from a reset: every step succeeds on every branch the model
 * permits, and every branch ends in that one state. Then the case may start there without a reset, its
 * given steps sent ("reachable state"). Never for a case without given steps (nothing leads back to a
 * fresh app but a reset) or with its own catalog (a fuzzer's: the profile service serves it to that case
 * only).
 */
export function reachesStart(c: OpenMobileCase, ctx: ChainContext, from: ModelState, start: string | null): boolean {
  const given = c.vector.given ?? [];
  if (start === null || given.length === 0 || c.vector.catalog !== undefined) return false;
  const { input } = givenStates(c, ctx);
  let states: ModelState[] = [from];
  for (const query of given) {
    const url = urlFor(c.route, query);
    const next: ModelState[] = [];
    for (const state of states) {
      const branches = predict(input(url, state));
      if (branches.length === 0 || !branches.every(succeeded)) return false;
      next.push(...branches.map((b) => b.state));
    }
    states = next;
  }
  return unique(c, states) === start;
}

/**
 * What a case covers, for the smoke tier: its requirements, and every choice-point option its request
 * reaches (`choice:<point>=<option>`, from each branch the model predicts from each state its given steps
 * may lead to), so that the smallest set of cases covering these meets every option a target may pick.
 */
export function caseCoverage(c: OpenMobileCase, ctx: ChainContext): string[] {
  const { vector, route } = c;
  const { input, states } = givenStates(c, ctx);
  const items = new Set(c.requirements);
  for (const state of states) {
    const branches = predict({
      ...input(focusUrl(vector, route), state),
      network: vector.when.network ?? 'online',
      fault: vector.when.fault ?? null,
    });
    for (const b of branches)
      for (const [point, option] of Object.entries(b.choices)) items.add(`choice:${point}=${option}`);
  }
  return [...items];
}

/** A reset (clearing the app and a cold launch), in requests: about 3 s on a phone against 1.5 s a request. */
const RESET_IN_REQUESTS = 2;

/**
 * What running the case alone costs, in requests, for the smoke tier's choice between two cases that cover
 * as much: its requests (given steps and the request under test), and a reset unless it starts from a fresh
 * app and surely leaves it fresh (then the case after it starts there too).
 */
export function caseCost(c: OpenMobileCase, ends: CaseEnds): number {
  const requests = 1 + (c.vector.given ?? []).length;
  const fresh = stateKey(c, freshState());
  return requests + (ends.start === fresh && ends.end === fresh ? 0 : RESET_IN_REQUESTS);
}

/**
 * The cases as chains. Regressions stay first, alone (a known failure fails on the first case). A chain
 * starts at a group of cases with the same starting state that no remaining case leads to (the fresh app,
 * usually), takes every case of the group that ends where it started, then the case that leads to the
 * group with the most cases left, and goes on from there. Within a group, cases keep their given order
 * (the seed's). Then a chain whose first case has given steps is appended to another chain, of the same
 * route, whose end state those steps reach ({@link reachesStart}): one reset fewer, the given steps still
 * sent. Longest chains first, so that parallel devices finish together.
 */
export function chainCases(
  ordered: readonly OpenMobileCase[],
  ctx: ChainContext,
  ends: (c: OpenMobileCase) => CaseEnds = (c) => caseEnds(c, ctx),
): OpenMobileCase[][] {
  const regressions: OpenMobileCase[][] = [];
  interface Group {
    stay: OpenMobileCase[];
    move: { c: OpenMobileCase; to: string | null }[];
  }
  const groups = new Map<string, Group>();
  const alone: OpenMobileCase[][] = [];
  for (const c of ordered) {
    if (c.area === 'regressions') {
      regressions.push([c]);
      continue;
    }
    const { start, end } = ends(c);
    if (start === null) {
      alone.push([c]);
      continue;
    }
    let group = groups.get(start);
    if (group === undefined) groups.set(start, (group = { stay: [], move: [] }));
    if (end === start) group.stay.push(c);
    else group.move.push({ c, to: end });
  }
  const left = (key: string | null) => {
    const g = key === null ? undefined : groups.get(key);
    return g === undefined ? 0 : g.stay.length + g.move.length;
  };
  // How many remaining cases lead into each group: a chain should start where nothing else can lead.
  const incoming = new Map<string, number>();
  for (const g of groups.values())
    for (const m of g.move) if (m.to !== null) incoming.set(m.to, (incoming.get(m.to) ?? 0) + 1);

  const chains: OpenMobileCase[][] = [];
  for (;;) {
    let first: string | null = null;
    for (const [key, g] of groups) {
      if (g.stay.length + g.move.length === 0) continue;
      if (first === null || (incoming.get(key) ?? 0) < (incoming.get(first) ?? 0)) first = key;
    }
    if (first === null) break;
    const chain: OpenMobileCase[] = [];
    for (let key: string | null = first; key !== null;) {
      const g = groups.get(key);
      if (g === undefined) break;
      chain.push(...g.stay.splice(0));
      if (g.move.length === 0) break;
      let best = 0;
      g.move.forEach((m, i) => {
        if (left(m.to) > left(g.move[best]?.to ?? null)) best = i;
      });
      const [{ c, to }] = g.move.splice(best, 1) as [{ c: OpenMobileCase; to: string | null }];
      if (to !== null) incoming.set(to, (incoming.get(to) ?? 1) - 1);
      chain.push(c);
      key = left(to) > 0 ? to : null;
    }
    chains.push(chain);
  }
  const all = [...linkReachable(chains, ctx, ends), ...alone];
  // Stable: equal lengths keep the order they were built in.
  all.sort((a, b) => b.length - a.length);
  return [...regressions, ...all];
}

/**
 * Appends each chain whose first case has given steps to a chain that ends where those steps reach its
 * start from (the first such chain, of the same route, that has not taken one yet). Whether two chains link
 * is asked once per (case, end state).
 */
function linkReachable(
  chains: OpenMobileCase[][],
  ctx: ChainContext,
  ends: (c: OpenMobileCase) => CaseEnds,
): OpenMobileCase[][] {
  const linked = new Set<OpenMobileCase[]>();
  const taken = new Set<OpenMobileCase[]>();
  const memo = new Map<string, boolean>();
  const routeOf = (c: OpenMobileCase) => `${c.route.platform} ${c.route.method}`;
  for (const chain of chains) {
    const first = chain[0] as OpenMobileCase;
    if ((first.vector.given ?? []).length === 0 || first.vector.catalog !== undefined) continue;
    const start = ends(first).start;
    for (const other of chains) {
      if (other === chain || linked.has(other) || taken.has(other)) continue;
      const last = other[other.length - 1] as OpenMobileCase;
      const { end, endState } = ends(last);
      if (end === null || endState === undefined || routeOf(last) !== routeOf(first)) continue;
      const key = `${first.id} ${end}`;
      let reaches = memo.get(key);
      if (reaches === undefined) memo.set(key, (reaches = reachesStart(first, ctx, endState, start)));
      if (!reaches) continue;
      other.push(...chain);
      linked.add(chain);
      taken.add(other);
      break;
    }
  }
  return chains.filter((chain) => !linked.has(chain));
}
