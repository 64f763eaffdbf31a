/**
 * A hostile adapter (garbage, a cut connection, 500s, wrong shapes, a hang) gives *broken* cases with the
 * endpoint and what came back, never a crashed run, a false *fail* or a green report: the real CLI, every
 * report written, exit 1.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MISBEHAVIOUR_KINDS, startMisbehavingAdapter } from '../../drivers/http/misbehaving.ts';
import type { SummaryFile } from '../../src/reporters/summary.ts';
import { KEY, repoPaths, runCli, tempProject } from '../e2e/helpers.ts';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((a) => a.close()));
});

describe('a hostile adapter', () => {
  for (const kind of MISBEHAVIOUR_KINDS) {
    it(`(${kind}) gives broken cases naming the endpoint, never a crash or a fail`, async () => {
      const adapter = await startMisbehavingAdapter(kind);
      open.push(adapter);
      const dir = tempProject(
        `export default { ${repoPaths()} obfuscation: { key: '${KEY}' }, timeoutMs: 1000,\n` +
          `  targets: [{ name: 'hostile', driver: 'http', options: { url: '${adapter.url}', timeoutMs: 500 } }] };\n`,
      );
      const run = await runCli(['run', '--target', 'hostile', '--grep', 'om:ex-'], dir);
      expect(run.code).toBe(1);
      expect(run.stderr).not.toMatch(/internal error|internal warning|at .*\.ts:\d+/);
      const reports = path.join(dir, 'reports');
      const summary = JSON.parse(readFileSync(path.join(reports, 'summary.json'), 'utf8')) as SummaryFile;
      expect(summary).toMatchObject({ status: 'complete', conformant: false, exitCode: 1 });
      expect(summary.counts.fail).toBe(0);
      expect(summary.counts.broken).toBeGreaterThan(0);
      for (const failure of summary.failures) {
        expect(failure.verdict).toBe('broken');
        expect(failure.message).toMatch(/POST \/v1\/provision/);
      }
      // A hang is stopped by the circuit breaker (cases not run).
      if (kind === 'hang') expect(summary.notRun).toBeGreaterThan(0);
      // Any other kind answers (alive, never stopped): every case ran and broke, so the run-level checks
      // had nothing to check and were not run rather than passed.
      else expect(summary.targets['hostile']?.error).toMatch(/every case on hostile broke/);
      const junit = readFileSync(path.join(reports, 'junit.xml'), 'utf8');
      expect(junit).toMatch(/<testsuites [^>]*errors="[1-9]/);
    });
  }
});
