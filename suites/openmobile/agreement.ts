/**
 * Does the model agree with a vector's hand-written expectation? The two are written independently, so a
 * disagreement is a bug in one of them. Checked whenever vectors load: a vector whose \`then\` the model does
 * not reproduce is reported like any other vector problem, instead of being silently judged by the model.
 */
import type { Catalog, Route } from '../../protocols/openmobile/types.ts';
import { focusUrl, stateAfter } from './execute.ts';
import { observableState, sameState, succeeded } from './judge.ts';
import { predict } from './model.ts';
import { urlFor } from './routes.ts';
import type { Branch, ModelState, Outcome, Vector } from './types.ts';

/** What a vector can say about one outcome, in a form both sides can be reduced to. */
function key(handled: boolean, state: string, nonStrict: boolean): string {
  return `${handled ? 'handled' : 'not handled'}${nonStrict ? ' (non-strict)' : ''}, state ${state}`;
}

function stateKey(state: 'unchanged' | ReturnType<typeof observableState>): string {
  return state === 'unchanged' ? 'unchanged' : JSON.stringify(state);
}

interface Reduced {
  /** key -> acceptable codes (union over the alternatives with that key). */
  groups: Map<string, Set<number>>;
  delivery: string[];
}

function reduceModel(
  branches: Branch[],
  before: ModelState,
  vectorAlternatives: Outcome[],
  concurrent: Branch[] | null,
): Reduced {
  const groups = new Map<string, Set<number>>();
  const delivery: string[] = [];
  const wantsDelivery = vectorAlternatives.some((a) => a.delivery !== undefined);
  for (const b of branches) {
    const unchanged = sameState(observableState(b.state), observableState(before));
    const failed = !succeeded(b);
    const s = unchanged && failed ? 'unchanged' : stateKey(observableState(b.state));
    const k = key(b.handled, s, b.nonStrict !== null);
    const codes = groups.get(k) ?? new Set<number>();
    b.results.forEach((c) => codes.add(c));
    groups.set(k, codes);
    if (wantsDelivery && b.handled) {
      const code = b.results.length === 1 ? b.results[0] : undefined;
      delivery.push(
        JSON.stringify({
          callbackUrl:
            b.delivery.channel === 'unusable-callback'
              ? 'any'
              : b.delivery.channel === 'callback' && code !== undefined
                ? `${b.delivery.callbackScheme}://provision?result=${code}`
                : null,
          dialog:
            b.delivery.dialog === 'any' ? 'any' : b.delivery.dialog === 'none' ? null : failed ? 'failure' : 'success',
          foreground: b.delivery.foreground,
          notification: b.delivery.notification,
        }),
      );
    }
  }
  if (concurrent) {
    const codes = new Set(concurrent.flatMap((b) => b.results));
    groups.set('concurrent', codes);
  }
  return { groups, delivery };
}

function reduceVector(
  alternatives: (Outcome & { nonStrict?: boolean })[],
  before: ModelState,
  hasConcurrent: boolean,
): Map<string, Set<number>> {
  const groups = new Map<string, Set<number>>();
  for (const a of alternatives) {
    const state =
      a.state === undefined
        ? 'unchanged'
        : a.state === 'unchanged'
          ? 'unchanged'
          : stateKey({ activated: a.state.profile !== null, ...a.state });
    // A success that changes nothing is "unchanged" on the model side only if it failed; compare as written.
    const s =
      state !== 'unchanged' &&
      a.state !== 'unchanged' &&
      a.state !== undefined &&
      sameState({ activated: a.state.profile !== null, ...a.state }, observableState(before)) &&
      !(a.handled && a.result?.length === 1 && a.result[0] === 0)
        ? 'unchanged'
        : state;
    const k = key(a.handled, s, a.nonStrict === true);
    const codes = groups.get(k) ?? new Set<number>();
    (a.result ?? []).forEach((c) => codes.add(c));
    groups.set(k, codes);
    if (hasConcurrent && a.concurrentResult) {
      const cc = groups.get('concurrent') ?? new Set<number>();
      a.concurrentResult.forEach((c) => cc.add(c));
      groups.set('concurrent', cc);
    }
  }
  return groups;
}

function show(groups: Map<string, Set<number>>): Record<string, number[]> {
  return Object.fromEntries([...groups.entries()].sort().map(([k, v]) => [k, [...v].sort((a, b) => a - b)]));
}

function deliveryMatches(expected: NonNullable<Outcome['delivery']>, predicted: string[]): string | null {
  for (const p of predicted) {
    const d = JSON.parse(p) as Record<string, unknown>;
    for (const [field, want] of Object.entries(expected)) {
      const got = field === 'notification' ? d['notification'] : d[field];
      if (got === 'any') continue;
      if (field === 'callbackUrl' && got === null && want !== null)
        return `callbackUrl: model none, vector ${String(want)}`;
      if (got !== want && !(field === 'callbackUrl' && want === null && got === null)) {
        return `${field}: model ${JSON.stringify(got)}, vector ${JSON.stringify(want)}`;
      }
    }
  }
  return null;
}

/**
 * Null when the model's prediction for `vector` on `route` agrees with the vector's own expectation, else
 * what differs (both sides, in words).
 */
export function disagreement(
  vector: Vector,
  route: Route,
  catalog: Catalog,
  obfuscationKey: string | null,
): string | null {
  const base = { route, catalog, network: 'online' as const, fault: null, obfuscationKey };
  const given = vector.given ?? [];
  const { state, failedStep } = stateAfter(
    given.map((q) => urlFor(route, q)),
    base,
  );
  if (failedStep !== null)
    return `setup step ${failedStep + 1} (${given[failedStep] ?? ''}) does not succeed in the model`;
  const branches = predict({
    ...base,
    url: focusUrl(vector, route),
    state,
    network: vector.when.network ?? 'online',
    fault: vector.when.fault ?? null,
  });
  const concurrent =
    vector.when.concurrent !== undefined
      ? predict({ ...base, url: urlFor(route, vector.when.concurrent), state, inProgress: true })
      : null;
  const alternatives = 'oneOf' in vector.then ? vector.then.oneOf : [vector.then];
  const model = reduceModel(branches, state, alternatives, concurrent);
  const expected = reduceVector(alternatives, state, concurrent !== null);
  const a = JSON.stringify(show(model.groups));
  const b = JSON.stringify(show(expected));
  if (a !== b) return `model ${a}\n      vector ${b}`;
  // Delivery: compared with the model branches made under the same choices as the vector's alternative.
  for (const alt of alternatives) {
    if (!alt.delivery || !alt.handled) continue;
    const choices = 'choices' in alt ? (alt as { choices: Record<string, string> }).choices : {};
    const under = branches.filter(
      (b) => b.handled && Object.entries(choices).every(([k, v]) => b.choices[k] === undefined || b.choices[k] === v),
    );
    const predicted = reduceModel(under, state, [alt], null).delivery;
    const problem = deliveryMatches(alt.delivery, predicted);
    if (problem) return `delivery ${problem}`;
  }
  return null;
}
