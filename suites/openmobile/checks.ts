/**
 * Checks over a whole run of one target: an implementation-defined choice must be made the same way every
 * time, and one fixed order of checks must explain every answer to a request that broke several rules.
 */
import { isRecord } from '../../src/core/json.ts';
import type { CaseResult } from '../../src/core/results.ts';
import type { RecordedCase } from '../../src/core/suite.ts';
import type { Route } from '../../protocols/openmobile/types.ts';
import { PER_VALUE_POINTS } from './choices.ts';
import type { PrecedenceEvidence } from './execute.ts';

export interface ChoiceEvidence {
  caseId: string;
  choices: Record<string, string>;
}

/** Option -> the cases that showed it, per choice point (other than those decided per value). */
export function choiceConflicts(evidence: ChoiceEvidence[]): { point: string; options: Map<string, string[]> }[] {
  const byPoint = new Map<string, Map<string, string[]>>();
  for (const e of evidence) {
    for (const [point, option] of Object.entries(e.choices)) {
      if (PER_VALUE_POINTS.has(point)) continue;
      const options = byPoint.get(point) ?? new Map<string, string[]>();
      byPoint.set(point, options);
      const cases = options.get(option) ?? [];
      options.set(option, cases);
      cases.push(e.caseId);
    }
  }
  return [...byPoint.entries()]
    .filter(([, options]) => options.size > 1)
    .map(([point, options]) => ({ point, options }));
}

/** Check `a` answered before check `b`: the cases showing it. */
export type PrecedenceRelation = Map<string, Map<string, string[]>>;

export function precedenceRelation(evidence: PrecedenceEvidence[]): PrecedenceRelation {
  const relation: PrecedenceRelation = new Map();
  for (const e of evidence) {
    for (const loser of e.losers) {
      const row = relation.get(e.winner) ?? new Map<string, string[]>();
      relation.set(e.winner, row);
      const cases = row.get(loser) ?? [];
      row.set(loser, cases);
      cases.push(e.caseId);
    }
  }
  return relation;
}

/**
 * A cycle in the "answered before" relation means no single order of checks explains the answers. Returns
 * the checks on one cycle (the first repeated at the end), or null.
 */
export function precedenceCycle(relation: PrecedenceRelation): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | null => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of relation.get(node)?.keys() ?? []) {
      if (state.get(next) === 'open') return [...stack.slice(stack.indexOf(next)), next];
      if (state.get(next) === undefined) {
        const found = visit(next);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(node, 'done');
    return null;
  };
  for (const node of [...relation.keys()].sort()) {
    if (state.get(node) === undefined) {
      const found = visit(node);
      if (found) return found;
    }
  }
  return null;
}

/** One order of checks consistent with the relation (a topological order), for the report. */
export function inferredOrder(relation: PrecedenceRelation): string[] {
  const nodes = new Set<string>();
  for (const [a, row] of relation) {
    nodes.add(a);
    for (const b of row.keys()) nodes.add(b);
  }
  const incoming = new Map([...nodes].map((n) => [n, 0]));
  for (const row of relation.values()) for (const b of row.keys()) incoming.set(b, (incoming.get(b) ?? 0) + 1);
  const order: string[] = [];
  const ready = [...nodes].filter((n) => incoming.get(n) === 0).sort();
  while (ready.length > 0) {
    const n = ready.shift() as string;
    order.push(n);
    for (const b of relation.get(n)?.keys() ?? []) {
      incoming.set(b, (incoming.get(b) ?? 0) - 1);
      if (incoming.get(b) === 0) ready.push(b);
    }
    ready.sort();
  }
  return order;
}

/** "A before B: n case(s), e.g. <case>", one line per pair. */
export function relationText(relation: PrecedenceRelation): string {
  const lines: string[] = [];
  for (const [a, row] of [...relation.entries()].sort(([x], [y]) => x.localeCompare(y))) {
    for (const [b, cases] of [...row.entries()].sort(([x], [y]) => x.localeCompare(y))) {
      lines.push(`${a} before ${b}: ${cases.length} case(s), e.g. ${cases[0] ?? '?'}`);
    }
  }
  return lines.length === 0 ? 'no multi-violation answer singled out a check' : lines.join('\n');
}

interface CheckContext {
  target: string;
  route: Route;
  specification: string;
  replay: string;
}

function result(
  ctx: CheckContext,
  id: string,
  title: string,
  requirements: string[],
  fields: Partial<CaseResult> & Pick<CaseResult, 'verdict' | 'message'>,
): CaseResult {
  const now = Date.now();
  return {
    id,
    title,
    target: ctx.target,
    specification: ctx.specification,
    route: ctx.route,
    area: 'precedence',
    requirements,
    parameters: {},
    choices: {},
    steps: [],
    attachments: [],
    start: now,
    stop: now,
    replay: ctx.replay,
    ...fields,
  };
}

/** How many results `consistencyResults` gives: choice consistency and precedence order. */
export const RUN_CHECKS = 2;

export function consistencyResults(
  ctx: CheckContext,
  choices: ChoiceEvidence[],
  precedence: PrecedenceEvidence[],
): CaseResult[] {
  const out: CaseResult[] = [];
  const conflicts = choiceConflicts(choices);
  const made: Record<string, string> = {};
  for (const e of choices) for (const [k, v] of Object.entries(e.choices)) if (!PER_VALUE_POINTS.has(k)) made[k] ??= v;
  out.push(
    result(ctx, 'om:run-choice-consistency', 'Implementation-defined choices are made the same way every time', [], {
      area: 'parameters',
      verdict: conflicts.length === 0 ? 'pass' : 'fail',
      ...(conflicts.length > 0 ? { category: 'inconsistent-choice' as const } : {}),
      message:
        conflicts.length === 0
          ? `${Object.keys(made).length} choice point(s) observed, each made one way`
          : `[inconsistent-choice] ${conflicts
              .map(
                (c) =>
                  `${c.point}: ${[...c.options.entries()].map(([o, ids]) => `"${o}" in ${ids[0]}${ids.length > 1 ? ` (+${ids.length - 1})` : ''}`).join(' but ')}`,
              )
              .join('; ')}`,
      choices:
        conflicts.length === 0 ? Object.fromEntries(Object.entries(made).sort(([a], [b]) => a.localeCompare(b))) : {},
      attachments: [
        {
          name: 'choices observed',
          contentType: 'application/json',
          body: JSON.stringify(
            Object.fromEntries(choiceConflicts(choices).map((c) => [c.point, Object.fromEntries(c.options)])),
            null,
            2,
          ),
        },
      ],
    }),
  );
  const relation = precedenceRelation(precedence);
  const cycle = precedenceCycle(relation);
  let message: string;
  if (cycle === null) {
    const order = inferredOrder(relation);
    message =
      precedence.length === 0
        ? 'no multi-violation answer singled out a check'
        : `one order of checks explains all ${precedence.length} answers: ${order.join(' > ')}`;
  } else {
    const witnesses = cycle.slice(0, -1).map((a, i) => {
      const b = cycle[i + 1] as string;
      return `${a} before ${b} in ${relation.get(a)?.get(b)?.[0] ?? '?'}`;
    });
    message = `[precedence] no single order of checks explains the answers: ${witnesses.join(', ')}`;
  }
  out.push(
    result(
      ctx,
      'om:run-precedence-order',
      'One fixed order of checks explains every multi-violation answer',
      ['OM-PRECEDENCE'],
      {
        verdict: cycle === null ? 'pass' : 'fail',
        ...(cycle !== null ? { category: 'precedence' as const } : {}),
        message,
        attachments: [
          {
            name: 'precedence: which check answered before which',
            contentType: 'text/plain',
            body: relationText(relation),
          },
        ],
      },
    ),
  );
  return out;
}

/** What a case's result records for the run-level checks (`CaseResult.evidence`): the precedence it showed. */
export interface OpenMobileEvidence {
  precedence: { winner: string; losers: string[] }[];
}

/** The evidence to record on a case's result, or undefined when it has none (most cases). */
export function caseEvidence(precedence: readonly PrecedenceEvidence[]): OpenMobileEvidence | undefined {
  if (precedence.length === 0) return undefined;
  return { precedence: precedence.map((e) => ({ winner: e.winner, losers: [...e.losers] })) };
}

/**
 * The evidence of the run-level checks from recorded results (the run's, or every shard's read back from
 * results.jsonl): choices from each result's `choices`, precedence from its `evidence`. A malformed record
 * (a hand-edited file) gives no evidence rather than a crash.
 */
export function recordedEvidence(recorded: readonly RecordedCase[]): {
  choices: ChoiceEvidence[];
  precedence: PrecedenceEvidence[];
} {
  const choices: ChoiceEvidence[] = [];
  const precedence: PrecedenceEvidence[] = [];
  for (const r of recorded) {
    if (isRecord(r.choices) && Object.keys(r.choices).length > 0) choices.push({ caseId: r.id, choices: r.choices });
    const found = isRecord(r.evidence) ? r.evidence['precedence'] : undefined;
    if (!Array.isArray(found)) continue;
    for (const e of found as unknown[]) {
      if (!isRecord(e) || typeof e['winner'] !== 'string' || !Array.isArray(e['losers'])) continue;
      const losers = (e['losers'] as unknown[]).filter((l): l is string => typeof l === 'string');
      precedence.push({ caseId: r.id, winner: e['winner'], losers });
    }
  }
  return { choices, precedence };
}
