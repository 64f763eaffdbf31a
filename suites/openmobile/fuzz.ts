/**
 * The Open Mobile fuzz property: a random sequence of generated provisioning requests (arbitraries.ts) on
 * one of the target's routes, from a freshly installed app. Every step is judged by the model, continuing
 * from the state of the branch the target's observation matched; an implementation-defined choice is never
 * a failure. A failing sequence is shrunk by fast-check to the fewest steps and the shortest values.
 */
import fc from 'fast-check';
import type { FuzzFailure, FuzzProperty } from '../../src/core/fuzz.ts';
import type { ClientSession } from '../../src/core/driver.ts';
import { redactUrlPassword } from '../../src/core/redact.ts';
import type { Catalog, ProfileServiceScope, Route, TargetInfo } from '../../src/core/types.ts';
import { conditionArbitrary, requestArbitrary, type Condition } from './arbitraries.ts';
import { precedenceCycle, precedenceRelation } from './checks.ts';
import {
  catalogText,
  freshState,
  stateAfter,
  leakCandidates,
  agreedEvidence,
  routeRequirement,
  type PrecedenceEvidence,
} from './execute.ts';
import { judgeStep, leakMismatch, succeeded } from './judge.ts';
import { predict } from './model.ts';
import type { ModelState, Vector } from './types.ts';

export interface FuzzSequence {
  route: Route;
  urls: string[];
  /** Per step: the device's network and a fault of the profile service (mostly online, no fault). */
  conditions: Condition[];
}

export interface OpenMobileFuzzContext {
  session: ClientSession;
  scope: ProfileServiceScope;
  info: TargetInfo;
  catalog: Catalog;
  obfuscationKey: string | null;
  declaredPrecedence: number[] | null;
}

export function sequenceArbitrary(
  info: TargetInfo,
  catalog: Catalog,
  obfuscationKey: string | null,
): fc.Arbitrary<FuzzSequence> {
  const routes: Route[] = info.methods.map((method) => ({ platform: info.platform, method }));
  return fc.oneof(
    ...routes.map((route) =>
      fc
        .array(
          fc.tuple(
            requestArbitrary({ catalog, platform: route.platform, method: route.method, obfuscationKey }).map(
              (r) => r.url,
            ),
            // Latency alone changes no outcome: a short one keeps the fuzzer fast.
            conditionArbitrary().map((c) =>
              c.fault?.kind === 'latency'
                ? { ...c, fault: { kind: 'latency' as const, ms: Math.min(c.fault.ms, 2) } }
                : c,
            ),
          ),
          { minLength: 1, maxLength: 4 },
        )
        .map((steps) => ({ route, urls: steps.map(([url]) => url), conditions: steps.map(([, c]) => c) })),
    ),
  );
}

function conditionText(c: Condition | undefined): string {
  if (c === undefined || (c.network === 'online' && c.fault === null)) return '';
  const parts = [
    c.network === 'offline' ? 'device offline' : '',
    c.fault ? `profile service fault ${JSON.stringify(c.fault)}` : '',
  ];
  return ` [${parts.filter(Boolean).join(', ')}]`;
}

function stepText(s: FuzzSequence): string {
  return s.urls.map((url, i) => `  ${i + 1}. ${redactUrlPassword(url)}${conditionText(s.conditions[i])}`).join('\n');
}

export function sequenceProperty(ctx: OpenMobileFuzzContext): FuzzProperty<FuzzSequence> {
  const routeOf = (s: FuzzSequence) => `${s.route.platform} ${s.route.method}`;
  // Which check answered first, over every multi-violation answer of the run (checks.ts).
  const evidence: PrecedenceEvidence[] = [];
  return {
    consistency: () => {
      const relation = precedenceRelation(evidence);
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
    },
    name: `openmobile: request sequences on ${ctx.info.platform} (${ctx.info.methods.join(', ')})`,
    arbitrary: sequenceArbitrary(ctx.info, ctx.catalog, ctx.obfuscationKey),
    describe: (s) => `${s.urls.length} request(s) on ${routeOf(s)}, from a freshly installed app:\n${stepText(s)}`,
    regression: (s, failure, origin) => ({
      $schema: '../schema/vectors.schema.json',
      description: `Found by \`npx harness fuzz\` (seed ${origin.seed}, path ${origin.path}); run first by every later run.`,
      vectors: [regressionVector(s, failure, origin, ctx)],
    }),
    check: async (s, signal): Promise<FuzzFailure | null> => {
      const hasState = ctx.info.capabilities.includes('state');
      const hasLogs = ctx.info.capabilities.includes('logs');
      ctx.scope.setFault(null);
      await ctx.session.reset(ctx.scope.url, signal);
      let state: ModelState = freshState();
      for (const [i, url] of s.urls.entries()) {
        const condition = s.conditions[i] ?? { network: 'online', fault: null };
        // Taking the network down needs the network capability; the faults are the harness's own.
        const network =
          condition.network === 'offline' && ctx.info.capabilities.includes('network') ? 'offline' : 'online';
        const branches = predict({
          route: s.route,
          url,
          state,
          catalog: ctx.catalog,
          network,
          fault: condition.fault,
          obfuscationKey: ctx.obfuscationKey,
          ...(ctx.declaredPrecedence ? { declaredPrecedence: ctx.declaredPrecedence } : {}),
        });
        if (network === 'offline') await ctx.session.network(false, signal);
        ctx.scope.setFault(condition.fault);
        const provision = await ctx.session.provision({ url, method: s.route.method }, signal);
        ctx.scope.setFault(null);
        if (network === 'offline') await ctx.session.network(true, signal);
        const observed = hasState ? await ctx.session.state(signal) : null;
        const judgement = judgeStep(
          branches,
          state,
          { provision, state: observed, logs: null },
          routeRequirement(s.route),
        );
        const matched = judgement.matched[0];
        if (matched === undefined) {
          const mismatches = judgement.mismatches;
          return {
            message: `step ${i + 1} of ${s.urls.length} (${redactUrlPassword(url)}): ${mismatches.map((m) => `${m.text} (${m.requirement})`).join('; ')}`,
            requirements: [...new Set(mismatches.map((m) => m.requirement))],
            ...(mismatches[0] ? { category: mismatches[0].category } : {}),
          };
        }
        state = matched.state;
        if (provision.result !== null) {
          const found = agreedEvidence(
            `${redactUrlPassword(url)} (${routeOf(s)})`,
            judgement.matched,
            provision.result,
          );
          if (found && evidence.length < 10_000) evidence.push(found);
        }
      }
      if (hasLogs) {
        const leak = leakMismatch(
          await ctx.session.logs(signal),
          leakCandidates(s.urls, ctx.obfuscationKey, catalogText(ctx.catalog)),
        );
        if (leak)
          return {
            message: `${leak.text} (${leak.requirement})`,
            requirements: [leak.requirement],
            category: leak.category,
          };
      }
      return null;
    },
  };
}

/**
 * A shrunk failure as an ordinary vector (vectors/regressions/): the earlier steps as `given`, the last as
 * the request under test, its expectation from the model; the seed and what the target did in `origin`.
 */
export function regressionVector(
  s: FuzzSequence,
  failure: FuzzFailure,
  origin: { seed: number; path: string; target: string },
  ctx: { catalog: Catalog; obfuscationKey: string | null },
): Vector {
  const given = s.urls.slice(0, -1);
  const { state } = stateAfter(given, {
    route: s.route,
    catalog: ctx.catalog,
    network: 'online',
    fault: null,
    obfuscationKey: ctx.obfuscationKey,
  });
  const last = s.urls[s.urls.length - 1] as string;
  const lastCondition = s.conditions[s.conditions.length - 1];
  const branch = predict({
    route: s.route,
    url: last,
    state,
    catalog: ctx.catalog,
    network: lastCondition?.network ?? 'online',
    fault: lastCondition?.fault ?? null,
    obfuscationKey: ctx.obfuscationKey,
  })[0];
  const ok = branch !== undefined && succeeded(branch);
  const id = `OM-REG-${origin.target.replace(/[^A-Za-z0-9]+/g, '-').toUpperCase()}-${origin.seed.toString(16).toUpperCase()}`;
  return {
    id,
    title: `Found by the fuzzer on ${origin.target}: ${failure.message.slice(0, 160)}`,
    area: 'regressions',
    requirements: failure.requirements.length > 0 ? failure.requirements : ['OM-CODE-0-SUCCESS'],
    platforms: [s.route.platform],
    methods: [s.route.method],
    ...(given.length > 0 ? { given } : {}),
    when: {
      url: last,
      ...(lastCondition?.network === 'offline' ? { network: 'offline' as const } : {}),
      ...(lastCondition?.fault ? { fault: lastCondition.fault } : {}),
    },
    then:
      branch === undefined || !branch.handled
        ? { handled: false }
        : {
            handled: true,
            result: branch.results,
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
