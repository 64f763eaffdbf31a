/**
 * `harness run --last-failed`: the cases that failed or broke in the previous run, read from its
 * `<outputDir>/results.jsonl` before the new run replaces it (a run empties that file before its first
 * case). Run-level checks are in the file too; they are no case of a plan, and `runPlan` says so when one of
 * them is all that failed.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isBad, type Verdict } from '../core/results.ts';

export interface LastFailed {
  /** The file read. */
  file: string;
  /** Cases the file holds (every verdict). */
  results: number;
  /** Per target name, the ids of the cases whose (last) verdict was fail or broken. */
  failed: Map<string, Set<string>>;
  /** How many target-and-case pairs `failed` holds. */
  count: number;
  /** Lines that were not a result (a run killed mid-write leaves half a line): skipped. */
  unreadable: number;
}

/** Reads the previous run's failures from `<outputDir>/results.jsonl`; null when there is no such file. */
export function readLastFailed(outputDir: string): LastFailed | null {
  const file = path.join(outputDir, 'results.jsonl');
  if (!existsSync(file)) return null;
  const failed = new Map<string, Set<string>>();
  let results = 0;
  let unreadable = 0;
  let count = 0;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    let result: { id?: unknown; target?: unknown; verdict?: unknown };
    try {
      result = JSON.parse(line) as typeof result;
    } catch {
      unreadable++;
      continue;
    }
    if (typeof result.id !== 'string' || typeof result.target !== 'string' || typeof result.verdict !== 'string') {
      unreadable++;
      continue;
    }
    results++;
    if (!isBad(result.verdict as Verdict)) continue;
    const ids = failed.get(result.target) ?? new Set<string>();
    if (!ids.has(result.id)) count++;
    ids.add(result.id);
    failed.set(result.target, ids);
  }
  return { file, results, failed, count, unreadable };
}
