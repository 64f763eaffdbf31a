// Profiling aid: one run of the emulated plan with every file reporter, for `node --cpu-prof`.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSuite, DRIVERS, startProfileService } from '../src/cli/builtins.ts';
import { resolveConfig } from '../src/config/resolve.ts';
import { createReporters } from '../src/reporters/index.ts';
import { identity } from '../src/reporters/text.ts';
import { runPlan } from '../src/runner/run.ts';

const root = path.resolve(import.meta.dirname, '..');
const out = mkdtempSync(path.join(process.env['OUT_BASE'] ?? os.tmpdir(), 'harness-profile-'));
const reporters =
  process.env['REPORTERS'] !== undefined
    ? process.env['REPORTERS'].split(',').filter(Boolean)
    : ['jsonl', 'summary', 'junit', 'allure'];
const config = resolveConfig(
  {
    file: path.join(root, 'harness.config.ts'),
    config: { obfuscation: { key: '8CC677D6FA2AC487C2FC7AD7232F87D8FCAFD5E9FC0AFBFF23B09D8713BE3463' } },
  },
  { outputDir: out, reporter: reporters, workers: Number(process.env['WORKERS'] ?? 8) },
  {},
  root,
);
for (let round = 0; round < Number(process.env['ROUNDS'] ?? 1); round++) {
  if (process.env['FRESH_DIR'])
    config.outputDir = mkdtempSync(path.join(process.env['OUT_BASE'] ?? os.tmpdir(), 'harness-profile-'));
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  const { summary } = await runPlan(
    config,
    {
      suite: createSuite(),
      drivers: DRIVERS,
      startProfileService,
      reporter: createReporters(reporters as never, { outputDir: out, redact: identity }),
    },
    { startedAt: '', command: 'profile', harnessVersion: '' },
  );
  const cpu = process.cpuUsage(cpu0);
  console.log(
    `${summary.total} cases in ${((performance.now() - start) / 1000).toFixed(2)} s (cpu user ${(cpu.user / 1e6).toFixed(2)} s, system ${(cpu.system / 1e6).toFixed(2)} s)`,
  );
}
