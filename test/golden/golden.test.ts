/**
 * Identical before and after: the default plan (`harness run --seed 1` on the configured default targets), a
 * fixed-seed fuzz run (a fixed number of runs, not a time budget) and the device path (the smoke tier through
 * Appium and the virtual device) give, result for result, what the committed baseline records: id, verdict,
 * message, requirements, choices, expected and observed, steps and attachments, everything but times,
 * durations, ports and per-run salts (test/golden/capture.ts). A refactoring must leave them unchanged; an
 * intended change regenerates the baseline with `npm run golden:update` in the same commit.
 */
import { describe, expect, it } from 'vitest';
import { capture, hashOf, PARTS, readBaseline } from './capture.ts';

/** Shown in full for at most this many changed results (the rest by key only). */
const SHOWN = 10;

describe('the golden results', () => {
  const baseline = readBaseline();
  for (const part of PARTS) {
    it(`${part}: every result is the baseline's`, { timeout: 300_000 }, async () => {
      const expected = new Map(baseline.filter((b) => b.key.startsWith(`${part} `)).map((b) => [b.key, b]));
      expect(expected.size, `no baseline for ${part}: run \`npm run golden:update\``).toBeGreaterThan(0);
      const current = await capture(part);
      const problems: string[] = [];
      let shown = 0;
      for (const r of current) {
        const before = expected.get(r.key);
        if (before?.hash === hashOf(r.record)) continue;
        const head = before
          ? `CHANGED ${r.key}\n  baseline: ${before.summary}\n  now:      ${r.summary}`
          : `NEW ${r.key}: ${r.summary}`;
        problems.push(
          shown++ < SHOWN
            ? `${head}\n  the result now:\n${JSON.stringify(r.record, null, 2).replace(/^/gm, '    ')}`
            : head,
        );
      }
      const now = new Set(current.map((r) => r.key));
      for (const key of expected.keys()) if (!now.has(key)) problems.push(`GONE ${key}`);
      const advice =
        'Results differ from test/golden/baseline.tsv. If the change is intended, run `npm run golden:update` and commit the baseline with the reason.';
      expect(problems.length === 0 ? '' : `${advice}\n${problems.length} difference(s):\n${problems.join('\n')}`).toBe(
        '',
      );
    });
  }
});
