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

/** A small seeded PRNG (mulberry32): the same seed gives the same order on every machine. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
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
