/**
 * `--target swivel-clockless`, as harness.config.ts offers it: a Swivel reference without the clock hook.
 * Its real-time expiry case waits 11 s, past the default 10 s case timeout; the case declares that need
 * (PlannedCase.timeoutMs, caseTimeoutMs), so the whole target passes from the command line as printed.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CaseResult } from '../../src/core/results.ts';
import { ROOT, runCli } from './helpers.ts';

describe('npx harness run --target swivel-clockless', () => {
  // REAL TIME: 11 s, plus the other 105 cases.
  it(
    'passes under the default case timeout: the case that waits gets the time it declared',
    { timeout: 120_000 },
    async () => {
      const out = mkdtempSync(path.join(os.tmpdir(), 'harness-clockless-'));
      const run = await runCli(
        ['run', '--target', 'swivel-clockless', '--reporter', 'jsonl', '--reporter', 'summary', '--output', out],
        ROOT,
      );
      expect(run.code, run.stdout + run.stderr).toBe(0);
      const results = readFileSync(path.join(out, 'results.jsonl'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as CaseResult & { type?: string })
        .filter((r) => typeof r.verdict === 'string');
      expect(results.filter((r) => r.verdict === 'broken' || r.verdict === 'fail')).toEqual([]);
      const realTime = results.find((r) => r.id === 'sw:exp-real-time');
      expect(realTime?.verdict).toBe('pass');
      // It really waited, past the 10 s default timeout that used to break it.
      expect((realTime?.stop ?? 0) - (realTime?.start ?? 0)).toBeGreaterThan(10_000);
    },
  );
});
