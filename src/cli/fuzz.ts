/**
 * `harness fuzz` and `harness replay`. Fuzzing runs the suite's property on each target until the budget is
 * spent; a failure is shrunk, re-run (deterministic or flaky), printed with its seed, path and a replay
 * command, and kept as a vector in the failure corpus, which every later `harness run` runs first.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ResolvedConfig } from '../config/types.ts';
import { HarnessError } from '../core/errors.ts';
import type { Reporter } from '../core/reporter.ts';
import type { CaseResult } from '../core/results.ts';
import { fuzzProperty, type FuzzOutcome } from '../fuzz/run.ts';
import { openDriver, runPlan } from '../runner/run.ts';
import { createSuite, DRIVERS, loadSuite, startProfileService } from './builtins.ts';

export interface FuzzOptions {
  timeMs: number;
  runs: number;
  /** The failure corpus: shrunk failures are written here as vector files. */
  corpus: string;
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export async function fuzz(
  config: ResolvedConfig,
  options: FuzzOptions,
  io: { stdout: (t: string) => void; stderr: (t: string) => void; cwd: string },
  interrupt: AbortSignal,
): Promise<number> {
  const suite = await loadSuite(config);
  if (!suite.fuzzProperty) throw new HarnessError('HARNESS_USAGE', `the ${suite.name} suite has no fuzz property`);
  const service = await startProfileService(suite.catalog());
  const outcomes: { target: string; outcome: FuzzOutcome<unknown>; file: string | null }[] = [];
  try {
    for (const target of config.selected) {
      const driver = await openDriver(target, config, DRIVERS);
      try {
        const info = await driver.info();
        const session = await driver.openSession();
        const scope = service.scope();
        const property = suite.fuzzProperty({
          session,
          scope,
          info,
          target: { name: target.name, precedence: target.precedence },
        });
        io.stderr(
          `fuzzing ${target.name}: ${property.name} (seed ${config.seed}, budget ${options.runs === Infinity ? '' : `${fmt(options.runs)} runs, `}${(options.timeMs / 1000).toFixed(0)} s)\n`,
        );
        const outcome = await fuzzProperty(
          property,
          { timeMs: options.timeMs, runs: options.runs, seed: config.seed },
          {
            signal: interrupt,
            onProgress: (p) =>
              io.stderr(`  ${fmt(p.runs)} runs · ${fmt(p.runs / (p.elapsedMs / 1000))} runs/s · 0 failures\n`),
          },
        );
        let file: string | null = null;
        if (outcome.kind === 'failed' && !outcome.flaky) {
          const content = property.regression(outcome.counterexample, outcome.failure, {
            seed: outcome.seed,
            path: outcome.path,
            target: target.name,
          });
          const id = (
            (content as { vectors: { id: string }[] }).vectors[0]?.id ?? `OM-REG-${outcome.seed}`
          ).toLowerCase();
          mkdirSync(options.corpus, { recursive: true });
          file = path.join(options.corpus, `${id}.json`);
          writeFileSync(file, `${JSON.stringify(content, null, 2)}\n`);
        }
        outcomes.push({ target: target.name, outcome, file });
        await session.close();
        scope.close();
      } finally {
        await driver.stop();
      }
      if (interrupt.aborted) break;
    }
  } finally {
    await service.close();
  }
  let failed = 0;
  for (const { target, outcome, file } of outcomes) {
    const rate = outcome.runs / Math.max(outcome.elapsedMs / 1000, 0.001);
    if (outcome.kind === 'inconsistent') {
      failed++;
      io.stdout(
        `${target}: FAILURE over ${fmt(outcome.runs)} runs (${(outcome.elapsedMs / 1000).toFixed(1)} s, seed ${outcome.seed}): ${outcome.failure.message}\n  requirements: ${outcome.failure.requirements.join(', ')}\n`,
      );
      continue;
    }
    if (outcome.kind === 'passed') {
      io.stdout(
        `${target}: no failure in ${fmt(outcome.runs)} runs (${(outcome.elapsedMs / 1000).toFixed(1)} s, ${fmt(rate)} runs/s)${outcome.interrupted ? ', interrupted' : ''}\n`,
      );
      continue;
    }
    failed++;
    const rel = file ? path.relative(io.cwd, file) || file : null;
    io.stdout(
      [
        `${target}: ${outcome.flaky ? 'FLAKY failure (it did not fail again on both re-runs)' : 'FAILURE'} after ${fmt(outcome.runs)} runs (${(outcome.elapsedMs / 1000).toFixed(1)} s), shrunk in ${outcome.shrinks} steps:`,
        outcome.description,
        `  -> ${outcome.failure.message}`,
        `  requirements: ${outcome.failure.requirements.join(', ') || '-'}`,
        `  seed ${outcome.seed}, path ${outcome.path}`,
        rel
          ? `  kept as ${rel} (run first by every later \`npx harness run\`)\n  replay: npx harness replay ${rel}`
          : '  (flaky: not kept in the failure corpus)',
        '',
      ].join('\n'),
    );
  }
  return failed > 0 ? 1 : 0;
}

/**
 * `harness replay <file>`: runs the vectors of a failure-corpus file on the target that failed them (or the
 * `--target` given): FIXED, STILL FAILING or BROKEN per case.
 */
export async function replay(
  config: ResolvedConfig,
  file: string,
  explicitTargets: boolean,
  io: { stdout: (t: string) => void; cwd: string },
): Promise<number> {
  let content: { vectors?: { id?: string; origin?: { target?: string } }[] };
  try {
    content = JSON.parse(readFileSync(path.resolve(io.cwd, file), 'utf8')) as typeof content;
  } catch (error) {
    throw new HarnessError(
      'HARNESS_USAGE',
      `replay: cannot read ${file}: ${error instanceof Error ? error.message : String(error)}. Give a file that \`npx harness fuzz\` wrote`,
    );
  }
  const vectors = content.vectors ?? [];
  const ids = vectors.map((v) => v.id).filter((id): id is string => typeof id === 'string');
  if (ids.length === 0) throw new HarnessError('HARNESS_USAGE', `replay: ${file} holds no vectors`);
  const origin = vectors[0]?.origin?.target;
  const targets =
    explicitTargets || origin === undefined ? config.selected : config.targets.filter((t) => t.name === origin);
  if (targets.length === 0) {
    throw new HarnessError(
      'HARNESS_USAGE',
      `replay: the file was found on target "${origin ?? '?'}", which the config does not have: give --target`,
    );
  }
  const absolute = path.resolve(io.cwd, file);
  const inCorpus = path.dirname(absolute) === path.join(path.dirname(config.vectors), 'regressions');
  const results: CaseResult[] = [];
  const reporter: Reporter = { onCaseEnd: (r) => void results.push(r) };
  await runPlan(
    { ...config, selected: targets, grep: ids.map((id) => `${id}@`), reporters: [] },
    { suite: createSuite(inCorpus ? [] : [absolute]), drivers: DRIVERS, startProfileService, reporter },
    { startedAt: new Date().toISOString(), command: `harness replay ${file}`, harnessVersion: '' },
  );
  let still = 0;
  for (const r of results.filter((x) => !x.id.startsWith('OM-RUN-'))) {
    const word =
      r.verdict === 'fail'
        ? 'STILL FAILING'
        : r.verdict === 'broken'
          ? 'BROKEN'
          : r.verdict === 'not-applicable'
            ? 'NOT APPLICABLE'
            : 'FIXED';
    if (r.verdict === 'fail' || r.verdict === 'broken') still++;
    io.stdout(
      `${word.padEnd(14)} ${r.id} on ${r.target}${r.verdict === 'fail' || r.verdict === 'broken' ? `: ${r.message}` : ''}\n`,
    );
  }
  return still > 0 ? 1 : 0;
}
