import type { CaseAliases } from '../core/case-ids.ts';
import type { PlannedCase } from '../core/suite.ts';
import { mulberry32 } from '../core/random.ts';

/**
 * `--grep`: a case is selected when its id, one of its former ids (`aliases`: ids it had before case ids
 * changed) or one of its requirement IDs contains a pattern. A pattern that is exactly a case id, or a
 * former one, selects only that case (so a replay command never picks up neighbours); but a former id that
 * is also a requirement ID (Swivel's `SW-CODE-ONCE` was both) selects the requirement's cases, as any
 * requirement ID does.
 */
export function selectCases(cases: PlannedCase[], patterns: string[], aliases?: CaseAliases): PlannedCase[] {
  if (patterns.length === 0) return cases;
  const former = formerIdsOf(cases, aliases);
  const requirement = (p: string) => cases.some((c) => c.requirements.includes(p));
  const exact = new Set(
    patterns.filter(
      (p) => cases.some((c) => c.id === p) || (!requirement(p) && cases.some((c) => former(c).includes(p))),
    ),
  );
  const loose = patterns.filter((p) => !exact.has(p));
  return cases.filter(
    (c) =>
      exact.has(c.id) ||
      former(c).some((f) => exact.has(f)) ||
      loose.some(
        (p) => c.id.includes(p) || former(c).some((f) => f.includes(p)) || c.requirements.some((r) => r.includes(p)),
      ),
  );
}

function formerIdsOf(cases: readonly PlannedCase[], aliases: CaseAliases | undefined): (c: PlannedCase) => string[] {
  if (aliases === undefined) return () => [];
  const byCase = new Map(cases.map((c) => [c, aliases.formerIds(c.id)]));
  return (c) => byCase.get(c) ?? [];
}

/**
 * What to tell the user of `--grep` patterns that name cases by a former id: for each such pattern, one
 * line naming the id it reads now (or, for a part of former ids, how many cases it matched that way).
 */
export function formerIdNotices(cases: PlannedCase[], patterns: string[], aliases: CaseAliases): string[] {
  const notices: string[] = [];
  const former = formerIdsOf(cases, aliases);
  for (const p of patterns) {
    if (cases.some((c) => c.id === p)) continue;
    const current = aliases.resolve(p);
    if (current !== undefined && cases.some((c) => c.id === current || c.id.startsWith(`${current}@`))) {
      const isRequirement = cases.some((c) => c.requirements.includes(p));
      notices.push(
        isRequirement
          ? `--grep ${p}: ${p} is a requirement ID, and was the id of case ${current} before case ids changed: it selects the requirement's cases (that one among them); for that case alone, --grep ${current}`
          : `--grep ${p}: "${p}" is a former case id; it reads ${current} now (use that: the former ids are in vectors/aliases.json)`,
      );
      continue;
    }
    const now = (c: PlannedCase) => c.id.includes(p) || c.requirements.some((r) => r.includes(p));
    const only = cases.filter((c) => !now(c) && former(c).some((f) => f.includes(p)));
    if (only.length > 0) {
      notices.push(
        `--grep ${p} matches former case ids: ${only.length} case(s) selected by them, e.g. ${only
          .slice(0, 3)
          .map((c) => c.id)
          .join(', ')} (case ids changed: the former ids are in vectors/aliases.json)`,
      );
    }
  }
  return notices;
}

/**
 * `--tier smoke`: the fewest cases (greedy set cover) that together cover everything the given cases cover
 * (`covers`: a case's requirements and the choice-point options it reaches). Each step takes the case
 * covering the most items not covered yet; a tie goes to the cheaper case (`cost`: what running it alone
 * costs a target, such as its requests and a reset of its own), then to the smaller id, so the same plan
 * gives the same smoke tier on every run and machine. Returned in the plan's order.
 */
export function smokeCases<T extends { id: string }>(
  cases: readonly T[],
  covers: (c: T) => readonly string[],
  cost: (c: T) => number = () => 1,
): T[] {
  const items = new Map(cases.map((c) => [c, new Set(covers(c))]));
  const uncovered = new Set([...items.values()].flatMap((s) => [...s]));
  const chosen = new Set<T>();
  const byId = [...cases].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const costs = new Map<T, number>();
  const costOf = (c: T) => {
    let k = costs.get(c);
    if (k === undefined) costs.set(c, (k = cost(c)));
    return k;
  };
  while (uncovered.size > 0) {
    let best: T | null = null;
    let gain = 0;
    for (const c of byId) {
      if (chosen.has(c)) continue;
      let n = 0;
      for (const item of items.get(c) ?? []) if (uncovered.has(item)) n++;
      if (n > gain || (n === gain && n > 0 && best !== null && costOf(c) < costOf(best))) [best, gain] = [c, n];
    }
    if (best === null) break;
    chosen.add(best);
    for (const item of items.get(best) ?? []) uncovered.delete(item);
  }
  return cases.filter((c) => chosen.has(c));
}

/**
 * The cases a tier runs of a target's plan: every selected case (`full`), or the smoke tier of those the
 * target can run (a requirement met only by a not-applicable case is not met). `run` and `list` both use it,
 * so `list --tier smoke` shows what `run --tier smoke` runs.
 */
export function tierCases<T extends PlannedCase>(
  selected: readonly T[],
  tier: 'smoke' | 'full',
  capabilities: readonly string[],
  covers: ((c: T) => readonly string[]) | undefined,
  cost?: (c: T) => number,
): T[] {
  if (tier === 'full') return [...selected];
  return smokeCases(
    selected.filter((c) => c.needs.every((n) => capabilities.includes(n))),
    covers ?? ((c) => c.requirements),
    cost ?? ((c) => c.requests ?? 1),
  );
}

/**
 * The order cases run in: shuffled by the seed (so hidden dependencies between cases surface, and
 * `--seed N` reproduces an order), except that regression cases always run first, so a known failure
 * fails on the first case.
 */
export function orderCases<T extends { area: string }>(cases: readonly T[], seed: number): T[] {
  const random = mulberry32(seed);
  const shuffled = [...cases];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j] as T, shuffled[i] as T];
  }
  return [...shuffled.filter((c) => c.area === 'regressions'), ...shuffled.filter((c) => c.area !== 'regressions')];
}
