import type { PlannedCase } from '../core/suite.ts';

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
