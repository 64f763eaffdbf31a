/**
 * The Open Mobile fuzz properties.
 * - `sequences`: random sequences of generated provisioning requests (arbitraries.ts) on one of the target's
 *   routes, from a freshly installed app, under generated network and profile-service conditions, some
 *   overlapping (a second request while the first is in progress, on targets that declare `concurrency`),
 *   some against a generated profile catalog the profile service serves for that run only.
 * - `precedence`: single requests biased to break two or three rules at once, to infer the order in which
 *   the target applies its checks (a matrix of which code wins over which; an order declared in the
 *   configuration is checked exactly).
 * - `differential` (`--against`): the same sequences on two targets, every divergence reported with both
 *   observations; where both conform, the divergence is an implementation-defined choice: informational.
 * Every step is judged by the model, continuing from the state of the branch the target's observation
 * matched: an implementation-defined choice is never a failure. fast-check shrinks a failing sequence to
 * the fewest steps and the shortest values.
 */
import fc from 'fast-check';
import type { FuzzFailure, FuzzProperty, FuzzStatistics } from '../../src/core/fuzz.ts';
import type { ClientSession } from '../../protocols/openmobile/types.ts';
import { redactUrlPassword } from '../../src/core/redact.ts';
import type {
  Catalog,
  ClientState,
  ProfileServiceScope,
  ProvisionObservation,
  Route,
  TargetInfo,
} from '../../protocols/openmobile/types.ts';
import { catalogArbitrary, conditionArbitrary, requestArbitrary, type Condition } from './arbitraries.ts';
import { inferredOrder, precedenceCycle, precedenceRelation, type PrecedenceRelation } from './checks.ts';
import { PER_VALUE_POINTS } from './choices.ts';
import { catalogText, freshState, stateAfter, checkLeak, agreedEvidence, type PrecedenceEvidence } from './execute.ts';
import { succeeded, type StepJudgement } from './judge.ts';
import { predict } from './model.ts';
import { runSteps, type Step } from './step.ts';
import type { Branch, Vector } from './types.ts';

export interface FuzzStep {
  url: string;
  /** The device's network and a fault of the profile service (mostly online, no fault). */
  condition: Condition;
  /** A second request delivered while `url` is in progress (result 1), or null. */
  concurrent: string | null;
}

export interface FuzzSequence {
  route: Route;
  /** A generated catalog the profile service serves for this run only; null: the harness's catalog. */
  catalog: Catalog | null;
  steps: FuzzStep[];
}

export interface OpenMobileFuzzContext {
  /** The target's name, for reports and differential messages. */
  name: string;
  session: ClientSession;
  scope: ProfileServiceScope;
  info: TargetInfo;
  catalog: Catalog;
  obfuscationKey: string | null;
  declaredPrecedence: number[] | null;
}

export interface SequenceOptions {
  /** Overlapping requests (needs the `concurrency` capability). */
  concurrency: boolean;
  /** Some runs use a generated catalog (needs a profile service that can serve one per scope). */
  generatedCatalogs: boolean;
  maxSteps: number;
}

const ONLINE: Condition = { network: 'online', fault: null };

// Latency alone changes no outcome: the answer is delayed by a timer of 0 ms (the delayed path, not the wait).
// Built once per kind: a generated catalog builds its run's request arbitraries anew, not these.
const CONDITIONS = [false, true].map((violations) =>
  conditionArbitrary(violations).map((c) =>
    c.fault?.kind === 'latency' ? { ...c, fault: { kind: 'latency' as const, ms: 0 } } : c,
  ),
);
const conditions = (violations: boolean): fc.Arbitrary<Condition> =>
  CONDITIONS[violations ? 1 : 0] as fc.Arbitrary<Condition>;

function stepsArbitrary(
  route: Route,
  catalog: Catalog,
  obfuscationKey: string | null,
  options: SequenceOptions,
): fc.Arbitrary<FuzzStep[]> {
  const request = requestArbitrary({ catalog, platform: route.platform, method: route.method, obfuscationKey }).map(
    (r) => r.url,
  );
  const concurrent: fc.Arbitrary<string | null> = options.concurrency
    ? fc.oneof(
        { withCrossShrink: true },
        { weight: 9, arbitrary: fc.constant(null) },
        { weight: 1, arbitrary: request },
      )
    : fc.constant(null);
  return fc.array(
    fc.tuple(request, conditions(false), concurrent).map(([url, condition, second]): FuzzStep => ({
      url,
      // Two overlapping requests are judged without faults: the first must reach the profile service.
      condition: second === null ? condition : ONLINE,
      concurrent: second,
    })),
    { minLength: 1, maxLength: options.maxSteps },
  );
}

export function sequenceArbitrary(
  info: TargetInfo,
  catalog: Catalog,
  obfuscationKey: string | null,
  options: SequenceOptions,
): fc.Arbitrary<FuzzSequence> {
  const routes: Route[] = info.methods.map((method) => ({ platform: info.platform, method }));
  return fc.oneof(
    ...routes.map((route) => {
      const fixed = stepsArbitrary(route, catalog, obfuscationKey, options).map((steps): FuzzSequence => ({
        route,
        catalog: null,
        steps,
      }));
      if (!options.generatedCatalogs) return fixed;
      // A generated catalog in one run of five; the harness's catalog (rich in edge cases) in the others.
      const generated = catalogArbitrary()
        .filter((c) => c.profiles.some((p) => p.platform === route.platform))
        .chain((c) =>
          stepsArbitrary(route, c, obfuscationKey, options).map((steps): FuzzSequence => ({
            route,
            catalog: c,
            steps,
          })),
        );
      return fc.oneof({ withCrossShrink: true }, { weight: 4, arbitrary: fixed }, { weight: 1, arbitrary: generated });
    }),
  );
}

/** Single requests, each from a fresh app, biased to break several rules at once. */
export function precedenceArbitrary(
  info: TargetInfo,
  catalog: Catalog,
  obfuscationKey: string | null,
): fc.Arbitrary<FuzzSequence> {
  const routes: Route[] = info.methods.map((method) => ({ platform: info.platform, method }));
  return fc.oneof(
    ...routes.map((route) =>
      fc
        .tuple(
          requestArbitrary({
            catalog,
            platform: route.platform,
            method: route.method,
            obfuscationKey,
            violations: true,
          }),
          conditions(true),
        )
        .map(([request, condition]): FuzzSequence => ({
          route,
          catalog: null,
          steps: [{ url: request.url, condition, concurrent: null }],
        })),
    ),
  );
}

function conditionText(step: FuzzStep): string {
  const c = step.condition;
  const parts = [
    c.network === 'offline' ? 'device offline' : '',
    c.fault ? `profile service fault ${JSON.stringify(c.fault)}` : '',
  ].filter(Boolean);
  return parts.length === 0 ? '' : ` [${parts.join(', ')}]`;
}

function routeOf(s: FuzzSequence): string {
  return `${s.route.platform} ${s.route.method}`;
}

export function describeSequence(s: FuzzSequence): string {
  const head = `${s.steps.length} request(s) on ${routeOf(s)}, from a freshly installed app${
    s.catalog === null ? '' : `, with a generated catalog of ${s.catalog.profiles.length} profile(s)`
  }:`;
  const lines = s.steps.map((step, i) => {
    const first = `  ${i + 1}. ${redactUrlPassword(step.url)}${conditionText(step)}`;
    return step.concurrent === null
      ? first
      : `${first}\n     while it is in progress: ${redactUrlPassword(step.concurrent)}`;
  });
  const catalog = s.catalog === null ? [] : [`  catalog: ${JSON.stringify(s.catalog.profiles.map(catalogLine))}`];
  return [head, ...lines, ...catalog].join('\n');
}

function catalogLine(p: Catalog['profiles'][number]): string {
  return `${p.id} ${p.platform}/${p.mode}${p.pin === null ? '' : ' pin'}${p.favorite ? ' favorite' : ''} domains ${p.domains.options.join('|')}${p.domains.editable ? ' editable' : ''}${p.prefixes === null ? '' : ` prefixes ${p.prefixes.options.join('|')}${p.prefixes.editable ? ' editable' : ''}`}${p.savePassword ? '' : ' no-save-password'} autologin ${p.autologin.userControl ? 'user' : 'fixed'}/${p.autologin.default ? 'Y' : 'N'}`;
}

// -----------------------------------------------------------------------------------------------------------
// Running and judging one sequence on one target

/** What one step showed, for comparing two targets. */
interface StepSeen {
  url: string;
  observation: ProvisionObservation;
  second: ProvisionObservation | null;
  state: ClientState | null;
  revealed: Record<string, string>;
}

interface SequenceRun {
  failure: FuzzFailure | null;
  steps: StepSeen[];
}

/** Counts over all runs of a property (FuzzStatistics), and the precedence evidence. */
class Tally {
  cases = 0;
  readonly tables: Record<string, Record<string, number>> = {};
  /**
   * Which check answered before which, over every multi-violation answer: two example requests per pair
   * and a count, so the relation stays small however long the run (every answer still counts).
   */
  readonly relation: PrecedenceRelation = new Map();
  readonly pairCounts = new Map<string, number>();
  readonly informational = new Map<string, { count: number; example: string }>();
  /** Route and choice point -> option -> the first request that showed it (one option per target). */
  readonly choices = new Map<string, Map<string, string>>();

  addChoices(route: string, revealed: Record<string, string>, url: string): void {
    for (const [point, option] of Object.entries(revealed)) {
      if (PER_VALUE_POINTS.has(point)) continue;
      const key = `${point} on ${route}`;
      const options = this.choices.get(key) ?? new Map<string, string>();
      this.choices.set(key, options);
      if (!options.has(option)) options.set(option, redactUrlPassword(url));
    }
  }

  count(table: string, key: string | number): void {
    const t = (this.tables[table] ??= {});
    t[String(key)] = (t[String(key)] ?? 0) + 1;
  }

  static readonly EXAMPLES_PER_PAIR = 2;

  addEvidence(found: PrecedenceEvidence | null): void {
    if (found === null) return;
    this.count('precedence evidence', 'multi-violation answers');
    for (const loser of found.losers) {
      const row = this.relation.get(found.winner) ?? new Map<string, string[]>();
      this.relation.set(found.winner, row);
      const examples = row.get(loser) ?? [];
      row.set(loser, examples);
      if (examples.length < Tally.EXAMPLES_PER_PAIR) examples.push(found.caseId);
      const key = `${found.winner}\u0000${loser}`;
      this.pairCounts.set(key, (this.pairCounts.get(key) ?? 0) + 1);
    }
  }
}

/** Where a failing step is in its sequence; described only on failure (redacting every URL costs). */
function stepWhere(s: FuzzSequence, i: number): string {
  return `step ${i + 1} of ${s.steps.length} (${redactUrlPassword(s.steps[i]?.url ?? '')})`;
}

function mismatchFailure(where: string, judgement: StepJudgement): FuzzFailure {
  const mismatches = judgement.mismatches;
  return {
    message: `${where}: ${mismatches.map((m) => `${m.text} (${m.requirement})`).join('; ')}`,
    requirements: [...new Set(mismatches.map((m) => m.requirement))],
    ...(mismatches[0] ? { category: mismatches[0].category } : {}),
  };
}

/** catalogText per catalog, computed once: the harness's catalog serves every run of a property. */
const catalogTexts = new WeakMap<Catalog, readonly string[]>();

function catalogTextOf(catalog: Catalog): readonly string[] {
  let text = catalogTexts.get(catalog);
  if (text === undefined) {
    text = catalogText(catalog);
    catalogTexts.set(catalog, text);
  }
  return text;
}

async function runSequence(
  ctx: OpenMobileFuzzContext,
  s: FuzzSequence,
  signal: AbortSignal,
  tally: Tally,
): Promise<SequenceRun> {
  const hasState = ctx.info.capabilities.includes('state');
  const hasLogs = ctx.info.capabilities.includes('logs');
  const canGoOffline = ctx.info.capabilities.includes('network');
  const catalog = s.catalog ?? ctx.catalog;
  const seen: StepSeen[] = [];
  const route = routeOf(s);
  tally.count('route', route);
  tally.count('steps per run', s.steps.length);
  tally.count('catalog', s.catalog === null ? "the harness's" : 'generated');
  ctx.scope.setFault(null);
  ctx.scope.setCatalog(s.catalog);
  try {
    await ctx.session.reset(ctx.scope.url, signal);
    const evidence = (url: string, matched: Branch[], observation: ProvisionObservation) => {
      if (observation.result === null) return;
      tally.count('result code', observation.result);
      // Most answers single out no check: the request's description is built only for one that does.
      const found = agreedEvidence('', matched, observation.result);
      if (found !== null) tally.addEvidence({ ...found, caseId: `${redactUrlPassword(url)} (${route})` });
    };
    // Taking the network down needs the network capability; the faults are the harness's own.
    const steps: Step[] = s.steps.map((step) => ({
      url: step.url,
      network: step.condition.network === 'offline' && canGoOffline ? 'offline' : 'online',
      fault: step.condition.fault,
      concurrent: step.concurrent,
      setup: false,
    }));
    const model = {
      route: s.route,
      catalog,
      obfuscationKey: ctx.obfuscationKey,
      declaredPrecedence: ctx.declaredPrecedence,
    };
    let failure: FuzzFailure | null = null;
    await runSteps(
      { session: ctx.session, scope: ctx.scope, method: s.route.method, hasState },
      model,
      steps,
      freshState(),
      signal,
      {
        before: (step) => void (tally.cases += step.concurrent === null ? 1 : 2),
        after: ({ step, observed, judged }, i) => {
          const seenStep = (state: ClientState | null, revealed: Record<string, string>) =>
            seen.push({
              url: step.url,
              observation: observed.provision,
              second: observed.second?.provision ?? null,
              state,
              revealed,
            });
          const answer = observed.second?.provision ?? null;
          if (observed.second !== null) {
            tally.count(
              'overlapping requests',
              observed.second.overlapped ? 'overlapped' : 'sequential (the first did not fetch)',
            );
          }
          const second = judged.second;
          if (second?.overlapped && answer !== null) {
            if (second.judgement.matched.length === 0) {
              failure = mismatchFailure(
                `${stepWhere(s, i)}, the request delivered while it was in progress (${redactUrlPassword(second.url)})`,
                second.judgement,
              );
              seenStep(null, {});
              return;
            }
            evidence(second.url, second.judgement.matched, answer);
          }
          if (judged.judgement.matched.length === 0) {
            failure = mismatchFailure(stepWhere(s, i), judged.judgement);
            seenStep(observed.state, {});
            return;
          }
          evidence(step.url, judged.judgement.matched, observed.provision);
          tally.addChoices(route, judged.judgement.revealed, step.url);
          // Two requests that ran one after the other: the second from the state the first left.
          if (second !== null && !second.overlapped && answer !== null) {
            if (second.judgement.matched.length === 0) {
              failure = mismatchFailure(`${stepWhere(s, i)}, then ${redactUrlPassword(second.url)}`, second.judgement);
              seenStep(observed.state, {});
              return;
            }
            evidence(second.url, second.judgement.matched, answer);
            tally.addChoices(route, second.judgement.revealed, second.url);
          }
          seenStep(observed.state, {
            ...judged.judgement.revealed,
            ...(second?.overlapped ? second.judgement.revealed : {}),
          });
        },
      },
    );
    if (failure !== null) return { failure, steps: seen };
    const urls = s.steps.flatMap((step) => (step.concurrent === null ? [step.url] : [step.url, step.concurrent]));
    // Only a request with a password can leak one: the logs are read only then.
    if (hasLogs && urls.some((url) => /password/i.test(url))) {
      const logs = await ctx.session.logs(signal);
      // A password that cannot be told from ordinary log text is not checkable: no failure to shrink.
      const revealed = Object.assign({}, ...seen.map((step) => step.revealed)) as Record<string, string>;
      const leak = checkLeak(logs, urls, ctx.obfuscationKey, catalogTextOf(catalog), {
        platform: s.route.platform,
        choices: revealed,
      }).mismatch;
      if (leak) {
        return {
          failure: {
            message: `${leak.text} (${leak.requirement})`,
            requirements: [leak.requirement],
            category: leak.category,
          },
          steps: seen,
        };
      }
    }
    return { failure: null, steps: seen };
  } finally {
    ctx.scope.setCatalog(null);
  }
}

// -----------------------------------------------------------------------------------------------------------
// Precedence: the matrix and the run-wide consistency check

function codeOf(check: string): string {
  return /\((\d+)\)$/.exec(check)?.[1] ?? '?';
}

/** Which code won over which (row over column), with counts; the inferred order; the declared one. */
export function precedenceMatrix(
  relation: PrecedenceRelation,
  declared: number[] | null,
  countOf: (winner: string, loser: string) => number = (w, l) => relation.get(w)?.get(l)?.length ?? 0,
): string {
  const counts = new Map<string, Map<string, number>>();
  const codes = new Set<string>();
  let answers = 0;
  for (const [winner, row] of relation) {
    for (const loser of row.keys()) {
      const w = codeOf(winner);
      const l = codeOf(loser);
      codes.add(w);
      codes.add(l);
      const r = counts.get(w) ?? new Map<string, number>();
      counts.set(w, r);
      const n = countOf(winner, loser);
      r.set(l, (r.get(l) ?? 0) + n);
      answers += n;
    }
  }
  if (codes.size === 0) return 'No answer to a request that broke several rules singled out a check yet.';
  const sorted = [...codes].sort((a, b) => Number(a) - Number(b));
  const cell = (text: string) => text.padStart(6);
  const lines = [
    `Which result code won over which (row over column): ${answers} winner/loser pair(s) from answers to requests that broke several rules.`,
    '',
    `${'wins'.padEnd(6)}${sorted.map(cell).join('')}`,
    ...sorted.map(
      (w) => `${w.padEnd(6)}${sorted.map((l) => cell(w === l ? '·' : String(counts.get(w)?.get(l) ?? '.'))).join('')}`,
    ),
    '',
    `An order of checks consistent with every answer: ${inferredOrder(relation).join(' > ') || '-'}`,
  ];
  lines.push(
    declared === null
      ? 'No order declared in harness.config.ts (`precedence` on the target): any order is accepted, one per target.'
      : `Declared order (harness.config.ts): ${declared.join(' > ')}; every answer was checked exactly against it.`,
  );
  return lines.join('\n');
}

function consistencyOf(tally: Tally): FuzzFailure | null {
  // One option per choice point and target (reading: implementation-defined, but made one way).
  for (const [key, options] of tally.choices) {
    if (options.size < 2) continue;
    const shown = [...options.entries()].slice(0, 2).map(([option, url]) => `"${option}" for ${url}`);
    return {
      message: `the target made the implementation-defined choice ${key} two ways: ${shown.join(' but ')}`,
      requirements: [],
      category: 'inconsistent-choice',
    };
  }
  const relation = tally.relation;
  const cycle = precedenceCycle(relation);
  if (cycle === null) return null;
  const witnesses = cycle.slice(0, -1).map((a, i) => {
    const b = cycle[i + 1] as string;
    return `${a} before ${b} for ${relation.get(a)?.get(b)?.[0] ?? '?'}`;
  });
  return {
    message: `no single order of checks explains the answers: ${witnesses.join('; ')}`,
    requirements: ['OM-PRECEDENCE'],
    category: 'precedence',
  };
}

function statisticsOf(tally: Tally, declared: number[] | null): FuzzStatistics {
  const informational = [...tally.informational.entries()].map(
    ([key, { count, example }]) => `${key}: ${count} run(s), e.g.\n${example}`,
  );
  return {
    cases: tally.cases,
    tables: tally.tables,
    attachments: [
      {
        name: 'precedence matrix',
        body: precedenceMatrix(tally.relation, declared, (w, l) => tally.pairCounts.get(`${w}\u0000${l}`) ?? 0),
      },
    ],
    informational,
  };
}

// -----------------------------------------------------------------------------------------------------------
// The properties

export type OpenMobilePropertyId = 'sequences' | 'precedence';

export function openMobileProperty(
  id: OpenMobilePropertyId,
  ctx: OpenMobileFuzzContext,
  options: SequenceOptions,
): FuzzProperty<FuzzSequence> {
  const tally = new Tally();
  const arbitrary =
    id === 'sequences'
      ? sequenceArbitrary(ctx.info, ctx.catalog, ctx.obfuscationKey, options)
      : precedenceArbitrary(ctx.info, ctx.catalog, ctx.obfuscationKey);
  return {
    id,
    name:
      id === 'sequences'
        ? `openmobile: request sequences on ${ctx.info.platform} (${ctx.info.methods.join(', ')})`
        : `openmobile: order of checks on ${ctx.info.platform} (${ctx.info.methods.join(', ')})`,
    arbitrary,
    describe: describeSequence,
    consistency: () => consistencyOf(tally),
    statistics: () => statisticsOf(tally, ctx.declaredPrecedence),
    regression: (s, failure, origin) => ({
      $schema: '../schema/vectors.schema.json',
      description: `Found by \`npx harness fuzz\` (seed ${origin.seed}, path ${origin.path}); run first by every later run.`,
      vectors: [regressionVector(s, failure, origin, ctx)],
    }),
    check: async (s, signal) => (await runSequence(ctx, s, signal, tally)).failure,
  };
}

/** What a target observably did at one step, for comparing two targets. */
function seenText(step: StepSeen | undefined): string {
  if (step === undefined) return '(not reached)';
  const o = step.observation;
  const parts = [
    o.handled ? 'handled' : 'not handled',
    o.result === null ? '' : `result ${o.result}`,
    o.dialog === null ? '' : `${o.dialog} dialog`,
    o.callbackUrl === null ? '' : `callback ${o.callbackUrl}`,
    step.second === null
      ? ''
      : `second request: ${step.second.result ?? (step.second.handled ? 'handled' : 'not handled')}`,
    step.state === null
      ? ''
      : `state ${step.state.profile === null ? 'no profile' : `profile ${step.state.profile.id}/${step.state.profile.mode}`} ${JSON.stringify(step.state.settings)}`,
  ];
  return parts.filter(Boolean).join(', ');
}

function sameStep(a: StepSeen, b: StepSeen): boolean {
  return seenText(a) === seenText(b);
}

/**
 * `--against`: the same sequences on two targets. Any step where a target breaks the model is a failure,
 * shown with both targets' observations; where both conform and still differ, the reading permits both:
 * the difference is counted as informational, grouped by the choice points the two revealed differently
 * (or by the order of checks when no choice point tells them apart).
 */
export function differentialProperty(
  a: OpenMobileFuzzContext,
  b: OpenMobileFuzzContext,
  options: SequenceOptions,
): FuzzProperty<FuzzSequence> {
  const tallyA = new Tally();
  const tallyB = new Tally();
  const methods = a.info.methods.filter((m) => b.info.methods.includes(m));
  const info: TargetInfo = { ...a.info, methods };
  const both = (cap: 'concurrency' | 'state') => a.info.capabilities.includes(cap) && b.info.capabilities.includes(cap);
  return {
    id: 'differential',
    name: `openmobile: ${a.name} against ${b.name} on ${info.platform} (${methods.join(', ')})`,
    arbitrary: sequenceArbitrary(info, a.catalog, a.obfuscationKey, {
      ...options,
      concurrency: options.concurrency && both('concurrency'),
    }),
    describe: describeSequence,
    statistics: () => {
      const sa = statisticsOf(tallyA, a.declaredPrecedence);
      const sb = statisticsOf(tallyB, b.declaredPrecedence);
      return {
        cases: sa.cases + sb.cases,
        tables: Object.fromEntries([
          ...Object.entries(sa.tables).map(([k, v]) => [`${a.name}: ${k}`, v] as const),
          ...Object.entries(sb.tables).map(([k, v]) => [`${b.name}: ${k}`, v] as const),
        ]),
        attachments: [
          ...sa.attachments.map((x) => ({ ...x, name: `${a.name}: ${x.name}` })),
          ...sb.attachments.map((x) => ({ ...x, name: `${b.name}: ${x.name}` })),
        ],
        informational: [...tallyA.informational.entries()].map(
          ([key, { count, example }]) => `${key}: ${count} run(s), e.g.\n${example}`,
        ),
      };
    },
    consistency: () => consistencyOf(tallyA) ?? consistencyOf(tallyB),
    regression: (s, failure, origin) => ({
      $schema: '../schema/vectors.schema.json',
      description: `Found by \`npx harness fuzz --against\` (seed ${origin.seed}, path ${origin.path}); run first by every later run.`,
      vectors: [regressionVector(s, failure, origin, a)],
    }),
    check: async (s, signal) => {
      const ra = await runSequence(a, s, signal, tallyA);
      const rb = await runSequence(b, s, signal, tallyB);
      if (ra.failure === null && rb.failure === null) {
        const k = ra.steps.findIndex((x, i) => {
          const y = rb.steps[i];
          return y === undefined || !sameStep(x, y);
        });
        if (k !== -1) {
          const x = ra.steps[k] as StepSeen;
          const y = rb.steps[k];
          const all = [...new Set([...Object.keys(x.revealed), ...Object.keys(y?.revealed ?? {})])]
            .filter((p) => x.revealed[p] !== y?.revealed[p])
            .sort();
          // Group by the choices both targets showed, differently; a choice only one of them reached (the
          // other answered an earlier check first) says less, and is named only when nothing else is.
          const both = all.filter((p) => x.revealed[p] !== undefined && y?.revealed[p] !== undefined);
          const points = both.length > 0 ? both : all;
          const key =
            points.length > 0
              ? `choice ${points.map((p) => `${p} (${a.name}: ${x.revealed[p] ?? '?'}, ${b.name}: ${y?.revealed[p] ?? '?'})`).join(', ')}`
              : 'a permitted difference (order of checks or an alternative the reading allows)';
          const entry = tallyA.informational.get(key);
          if (entry) entry.count++;
          else {
            tallyA.informational.set(key, {
              count: 1,
              example: `${describeSequence(s)}\n  step ${k + 1}: ${a.name}: ${seenText(x)}\n  step ${k + 1}: ${b.name}: ${seenText(y)}`,
            });
          }
        }
        return null;
      }
      const failing = ra.failure ?? rb.failure;
      // The step where the (first) failing target failed: the last one it reached.
      const k = (ra.failure !== null ? ra.steps.length : rb.steps.length) - 1;
      const verdict = (r: SequenceRun) => (r.failure === null ? 'as the model predicts' : r.failure.message);
      return {
        message: `${a.name} and ${b.name} diverge: ${a.name}: ${verdict(ra)} | ${b.name}: ${verdict(rb)} | at step ${k + 1}, ${a.name} saw ${seenText(ra.steps[k])}; ${b.name} saw ${seenText(rb.steps[k])}`,
        requirements: [...new Set([...(ra.failure?.requirements ?? []), ...(rb.failure?.requirements ?? [])])],
        ...(failing?.category ? { category: failing.category } : {}),
      };
    },
  };
}

/**
 * A shrunk failure as an ordinary vector (vectors/regressions/): the earlier steps as `given`, the last as
 * the request under test, its expectation from the model; the seed and what the target did in `origin`.
 * An earlier step's overlapping second request is left out: refused with 1, it changes nothing.
 */
export function regressionVector(
  s: FuzzSequence,
  failure: FuzzFailure,
  origin: { seed: number; path: string; target: string; property?: string },
  ctx: { catalog: Catalog; obfuscationKey: string | null },
): Vector {
  const catalog = s.catalog ?? ctx.catalog;
  const given = s.steps.slice(0, -1).map((step) => step.url);
  const { state } = stateAfter(given, {
    route: s.route,
    catalog,
    network: 'online',
    fault: null,
    obfuscationKey: ctx.obfuscationKey,
  });
  const last = s.steps[s.steps.length - 1] as FuzzStep;
  const branch = predict({
    route: s.route,
    url: last.url,
    state,
    catalog,
    network: last.condition.network,
    fault: last.condition.fault,
    obfuscationKey: ctx.obfuscationKey,
  })[0];
  const ok = branch !== undefined && succeeded(branch);
  const second =
    last.concurrent === null
      ? undefined
      : predict({
          route: s.route,
          url: last.concurrent,
          state,
          catalog,
          network: 'online',
          fault: null,
          obfuscationKey: ctx.obfuscationKey,
          inProgress: true,
        })[0];
  // The property is in the id: two properties of one target start from the same batch seeds.
  const tag = (text: string) => text.replace(/[^A-Za-z0-9]+/g, '-').toLowerCase();
  const id = `om:reg-${tag(origin.target)}-${origin.property ? `${tag(origin.property)}-` : ''}${origin.seed.toString(16)}`;
  return {
    id,
    title: `Found by the fuzzer on ${origin.target}: ${failure.message.slice(0, 160)}`,
    area: 'regressions',
    requirements: failure.requirements.length > 0 ? failure.requirements : ['OM-CODE-0-SUCCESS'],
    platforms: [s.route.platform],
    methods: [s.route.method],
    ...(s.catalog !== null ? { catalog: s.catalog } : {}),
    ...(given.length > 0 ? { given } : {}),
    when: {
      url: last.url,
      ...(last.condition.network === 'offline' ? { network: 'offline' as const } : {}),
      ...(last.condition.fault ? { fault: last.condition.fault } : {}),
      ...(last.concurrent !== null ? { concurrent: last.concurrent } : {}),
    },
    then:
      branch === undefined || !branch.handled
        ? { handled: false }
        : {
            handled: true,
            result: branch.results,
            ...(second?.handled ? { concurrentResult: second.results } : {}),
            state: ok
              ? {
                  profile: branch.state.profile
                    ? { id: branch.state.profile.id, mode: branch.state.profile.mode }
                    : null,
                  settings: branch.state.settings,
                }
              : 'unchanged',
          },
    origin: { seed: origin.seed, target: origin.target, observed: { path: origin.path, failure: failure.message } },
  };
}
