import type { PlannedCase } from '../core/suite.ts';
import { mulberry32 } from '../core/random.ts';

/**
 * `--grep`: a case is selected when its id or one of its requirement IDs contains a pattern. A pattern that
 * is exactly a case id selects only that case (so a replay command never picks up neighbours).
 */
export function selectCases(cases: PlannedCase[], patterns: string[]): PlannedCase[] {
  if (patterns.length === 0) return cases;
  const exact = new Set(patterns.filter((p) => cases.some((c) => c.id === p)));
  const loose = patterns.filter((p) => !exact.has(p));
  return cases.filter(
    (c) => exact.has(c.id) || loose.some((p) => c.id.includes(p) || c.requirements.some((r) => r.includes(p))),
  );
}

/**
 * `--tier smoke`: the fewest cases (greedy set cover) that together cover everything the given cases cover
 * (`covers`: a case's requirements and the choice-point options it reaches). Each step takes the case
 * covering the most items not covered yet; a tie goes to the smaller id, so the same plan gives the same
 * smoke tier on every run and machine. Returned in the plan's order.
 */
export function smokeCases<T extends { id: string }>(cases: readonly T[], covers: (c: T) => readonly string[]): T[] {
  const items = new Map(cases.map((c) => [c, new Set(covers(c))]));
  const uncovered = new Set([...items.values()].flatMap((s) => [...s]));
  const chosen = new Set<T>();
  const byId = [...cases].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  while (uncovered.size > 0) {
    let best: T | null = null;
    let gain = 0;
    for (const c of byId) {
      if (chosen.has(c)) continue;
      let n = 0;
      for (const item of items.get(c) ?? []) if (uncovered.has(item)) n++;
      if (n > gain) [best, gain] = [c, n];
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
): T[] {
  if (tier === 'full') return [...selected];
  return smokeCases(
    selected.filter((c) => c.needs.every((n) => capabilities.includes(n))),
    covers ?? ((c) => c.requirements),
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
