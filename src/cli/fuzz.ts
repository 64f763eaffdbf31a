/**
 * `harness fuzz` and `harness replay`. Fuzzing runs the suite's property on each target until the budget is
 * spent; a failure is shrunk, re-run (deterministic or flaky), printed with its seed, path and a replay
 * command, and kept as a vector in the failure corpus, which every later `harness run` runs first.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ResolvedConfig, ResolvedTarget } from '../config/types.ts';
import type { FuzzFailureReport, FuzzProperty, FuzzReportEntry } from '../core/fuzz.ts';
import type { FuzzEnv } from '../core/suite.ts';
import type { BaseTargetInfo } from '../core/types.ts';
import { harnessCommand, printedPath, replayFileCommand, type CommandContext } from '../core/commands.ts';
import { caseIdFileName, CaseAliases } from '../core/case-ids.ts';
import { HarnessError } from '../core/errors.ts';
import type { Reporter } from '../core/reporter.ts';
import type { CaseResult } from '../core/results.ts';
import { brokenReason, fuzzProperty, inconsistencyOf, type FuzzOutcome } from '../fuzz/run.ts';
import { writeFuzzReports, writeFuzzUnfinished, type FuzzRunInfo } from '../reporters/fuzz.ts';
import {
  loadSuites,
  openDriver,
  runPlan,
  startSuiteRuns,
  stopSuiteRuns,
  type AnySuite,
  type SuiteRuns,
} from '../runner/run.ts';
import type { SuiteRun } from '../core/suite.ts';
import { corpusFolder, createSuites, DRIVERS, fuzzReportName, suiteOf } from './builtins.ts';

export interface FuzzCommandOptions {
  /** `--target` was given: fuzz those, not the configured fuzz targets. */
  explicitTargets: boolean;
  /** Where the printed replay lines will be run from, and the flags they keep. */
  commands: CommandContext;
  run: FuzzRunInfo;
  /** Former case ids: a kept failure written under one loads under its new id, with a notice. */
  aliases?: CaseAliases;
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** The configured property ids must be the suite's: exit 2 naming the field and the choices. */
function checkProperties(config: ResolvedConfig, ids: readonly string[], fromCli: boolean): void {
  const wanted = config.fuzz.properties ?? [];
  const problems = wanted
    .map((id, i) => ({ id, i }))
    .filter(({ id }) => !ids.includes(id))
    .map(({ id, i }) => ({
      file: fromCli ? 'command line' : (config.configFile ?? 'built-in defaults'),
      path: fromCli ? '--property' : `fuzz.properties[${i}]`,
      message: `unknown fuzz property "${id}": use ${ids.map((x) => `"${x}"`).join(' or ')}`,
    }));
  if (problems.length > 0) {
    throw new HarnessError('HARNESS_CONFIG_INVALID', `${problems.length} configuration problem(s)`, problems);
  }
}

interface OpenTarget {
  env: FuzzEnv<unknown, BaseTargetInfo, unknown>;
  close(): Promise<void>;
}

async function openTarget(
  target: ResolvedTarget,
  config: ResolvedConfig,
  resources: SuiteRun<unknown> | null,
): Promise<OpenTarget> {
  const driver = await openDriver(target, config, DRIVERS);
  try {
    const info = await driver.info();
    const session = await driver.openSession();
    const share = resources?.open() ?? null;
    return {
      env: {
        session,
        scope: share?.scope ?? null,
        info,
        target: { name: target.name, precedence: target.precedence },
      },
      close: async () => {
        await (session as { close?: () => Promise<void> }).close?.().catch(() => undefined);
        share?.close();
        await driver.stop();
      },
    };
  } catch (error) {
    await driver.stop();
    throw error;
  }
}

/**
 * `harness fuzz`: every fuzz property of the suite on each target (or, with `--against`, the differential
 * property on each pair), until the budget is spent. Exit 1 when anything failed or the run was interrupted.
 */
export async function fuzz(
  config: ResolvedConfig,
  options: FuzzCommandOptions,
  io: { stdout: (t: string) => void; stderr: (t: string) => void; cwd: string },
  interrupt: AbortSignal,
): Promise<number> {
  const targets = options.explicitTargets ? config.selected : config.fuzz.targets;
  const against = config.fuzz.against;
  const suites = await loadSuites(
    { ...config, selected: [...targets, ...(against ? [against] : [])] },
    {
      suites: createSuites(config),
      suiteOf,
      commands: options.commands,
      ...(options.aliases ? { aliases: options.aliases } : {}),
    },
  );
  for (const suite of suites.values()) {
    if (!suite.fuzzProperties) throw new HarnessError('HARNESS_USAGE', `the ${suite.name} suite has no fuzz property`);
  }
  // A property named in the config or on the command line must be one of some suite's; each target runs
  // those its suite has.
  checkProperties(
    config,
    Object.values(createSuites()).flatMap((s) => s.fuzzPropertyIds ?? []),
    options.run.command.includes('--property'),
  );
  if (against !== null && targets.some((t) => suiteOf(t) !== suiteOf(against))) {
    throw new HarnessError(
      'HARNESS_USAGE',
      `--against ${against.name}: it is a target of the ${suiteOf(against)} suite; a differential run compares two targets of one suite`,
    );
  }
  if (against !== null && targets.some((t) => t.name === against.name)) {
    throw new HarnessError(
      'HARNESS_USAGE',
      `--against ${against.name}: a target cannot be compared with itself; fuzz another target against it`,
    );
  }
  // The report is named after the suite of the first target fuzzed (its registry entry).
  const run: FuzzRunInfo = {
    ...options.run,
    reportName: fuzzReportName(targets.slice(0, 1).map((t) => suiteOf(t))),
  };
  const maxFailures = config.fuzz.maxFailures ?? (against === null ? 1 : Number.POSITIVE_INFINITY);
  // From here on a fuzz run killed at any point leaves an "in progress" report, never the last one's green.
  writeFuzzUnfinished(config, run, 'in-progress');
  // The plan, known before any target starts: which properties run where, and how the budget is shared.
  const plan = targets.map((target) => {
    const ids = (suites.get(suiteOf(target)) as AnySuite).fuzzPropertyIds ?? [];
    return { target, ids: config.fuzz.properties?.filter((id) => ids.includes(id)) ?? [...ids] };
  });
  io.stderr(planText(plan, against, config));
  const budget = new SharedBudget(config.fuzz.timeMs, config.fuzz.timePerPropertyMs, planned(plan));
  // What each suite needs beside its targets for the run (Open Mobile: the harness's profile service).
  const runs: SuiteRuns = await startSuiteRuns(suites.values());
  const resourcesOf = (t: ResolvedTarget) => runs.get(suites.get(suiteOf(t)) as AnySuite) ?? null;
  const entries: FuzzReportEntry[] = [];
  let failed = 0;
  try {
    for (const target of targets) {
      if (interrupt.aborted) break;
      let a: OpenTarget | null = null;
      let b: OpenTarget | null = null;
      try {
        a = await openTarget(target, config, resourcesOf(target));
        if (against !== null) {
          b = await openTarget(against, config, resourcesOf(against));
          if (b.env.info.platform !== undefined && b.env.info.platform !== a.env.info.platform) {
            throw new HarnessError(
              'HARNESS_USAGE',
              `--against ${against.name}: it is an ${b.env.info.platform} client and ${target.name} an ${a.env.info.platform} one; a differential run compares two clients of one platform`,
            );
          }
        }
      } catch (error) {
        await a?.close();
        if (error instanceof HarnessError && error.code === 'HARNESS_USAGE') throw error;
        // A target that cannot be started is this target's failure, not the end of the fuzz run; its share of
        // the budget goes to the others.
        budget.drop(plan.find((p) => p.target === target)?.ids.length ?? 0);
        failed++;
        io.stdout(
          `${target.name}: BROKEN: the target could not be started: ${error instanceof Error ? error.message : String(error)}\n`,
        );
        continue;
      }
      try {
        const suite = suites.get(suiteOf(target)) as AnySuite;
        // The selected properties this target's suite has (another suite's are not its business).
        const own = config.fuzz.properties?.filter((id) => (suite.fuzzPropertyIds ?? []).includes(id)) ?? null;
        if (own !== null && own.length === 0) {
          io.stdout(
            `${target.name}: skipped: none of the selected properties (${config.fuzz.properties?.join(', ') ?? ''}) is one of the ${suite.name} suite's (${(suite.fuzzPropertyIds ?? []).join(', ')})\n`,
          );
          continue;
        }
        const properties = (suite.fuzzProperties?.bind(suite) ?? (() => []))(a.env, {
          ...(own ? { properties: own } : {}),
          ...(b ? { against: b.env } : {}),
          maxSteps: config.fuzz.maxSteps,
        });
        for (const property of properties) {
          if (interrupt.aborted) break;
          const label = `${target.name}${against ? ` against ${against.name}` : ''} · ${property.id}`;
          const timeMs = budget.next();
          const budgetText = [
            config.fuzz.runs === Number.POSITIVE_INFINITY ? '' : `${fmt(config.fuzz.runs)} runs`,
            timeMs === Number.POSITIVE_INFINITY ? '' : seconds(timeMs),
          ]
            .filter(Boolean)
            .join(' or ');
          io.stderr(`fuzzing ${label}: ${property.name} (seed ${config.seed}, budget ${budgetText})\n`);
          const start = Date.now();
          const outcome = await fuzzProperty(
            property,
            { timeMs, runs: config.fuzz.runs, seed: config.seed, maxFailures },
            {
              signal: interrupt,
              onProgress: (p) =>
                io.stderr(
                  `  ${fmt(p.runs)} runs · ${fmt(p.cases)} cases · ${fmt(p.cases / Math.max(p.elapsedMs / 1000, 0.001))} cases/s · ${p.failures} failure(s)\n`,
                ),
            },
          );
          const entry = toEntry(outcome, property, {
            target: target.name,
            key: corpusKey(target, a.env.info),
            against: against?.name ?? null,
            specification: suite.specification,
            start,
            // In the corpus itself, or in the suite's own folder there (its registry entry says which).
            corpus: corpusFolder(suiteOf(target), config.fuzz.corpus),
            commands: options.commands,
          });
          entries.push(entry);
          if (entry.failures.length > 0 || outcome.end.how === 'inconsistent' || outcome.end.how === 'broken') failed++;
          io.stdout(outcomeText(label, outcome, entry));
        }
      } finally {
        await a.close();
        await b?.close();
      }
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    writeFuzzUnfinished(config, run, 'error', `the fuzz run stopped on an error: ${message}`);
    throw error;
  } finally {
    await stopSuiteRuns(runs);
  }
  const kept = entries.flatMap((e) => e.failures.map((f) => f.file)).filter((f): f is string => f !== null);
  if (kept.length > 0) {
    const where = path.relative(io.cwd, config.fuzz.corpus) || '.';
    io.stdout(
      `kept ${kept.length} failure(s) in ${where}/, named by target (not by address): they are meant to be committed beside your config; every later \`npx harness run\` runs them first, on every target of their suite\n`,
    );
  }
  const exitCode = failed > 0 || interrupt.aborted ? 1 : 0;
  // Written even with no entry (every target failed to start, or interrupted at once): it replaces the marker.
  const written = writeFuzzReports(config, entries, run, { interrupted: interrupt.aborted, exitCode });
  if (entries.length > 0) {
    const paths = [written.allureResults, written.summary].filter((p): p is string => p !== null);
    if (paths.length > 0) {
      // `report` takes neither --seed nor --timeout (they decide verdicts, not a report): printed without them.
      io.stdout(
        `reports: ${paths.map((p) => printedPath(options.commands, p)).join(', ')} (\`${harnessCommand({ ...options.commands, flags: [] }, 'report')}\` for the HTML report)\n`,
      );
    }
  }
  // An interrupted fuzz run did not spend its budget: "no failure found" is not a verdict, so never exit 0.
  if (interrupt.aborted) io.stderr('fuzz run interrupted before its budget was spent: exit 1\n');
  return exitCode;
}

/**
 * The name a kept failure is filed under: the configured target's name, or, for a target given as a URL (its
 * port is often random), the name the implementation gives in `/v1/info`. The same failure found again at
 * another address is then the same file, and it replays there (`--target <its address now>`).
 */
export function corpusKey(target: Pick<ResolvedTarget, 'name'>, info: Pick<BaseTargetInfo, 'name'>): string {
  if (!target.name.includes('://')) return target.name;
  return `${target.name.startsWith('browser+') ? 'browser+' : ''}${info.name.trim() || 'adapter'}`;
}

type Plan = { target: ResolvedTarget; ids: string[] }[];

function planned(plan: Plan): number {
  return plan.reduce((n, p) => n + p.ids.length, 0);
}

/**
 * The whole run's time budget shared by the properties still to run: each gets an equal part of what is left
 * (so the time one leaves by ending early goes to the next), bounded by the per-property budget.
 */
class SharedBudget {
  private readonly started = Date.now();
  constructor(
    private readonly wholeMs: number,
    private readonly perPropertyMs: number,
    private left: number,
  ) {}

  /** The time budget of the next property. */
  next(): number {
    const share =
      this.wholeMs === Number.POSITIVE_INFINITY
        ? Number.POSITIVE_INFINITY
        : Math.max(0, this.wholeMs - (Date.now() - this.started)) / Math.max(1, this.left);
    this.left = Math.max(0, this.left - 1);
    return Math.min(share, this.perPropertyMs);
  }

  /** Properties that will not run (their target did not start). */
  drop(count: number): void {
    this.left = Math.max(0, this.left - count);
  }
}

/** What the run will do and with what budget, printed before it starts. */
function planText(plan: Plan, against: ResolvedTarget | null, config: ResolvedConfig): string {
  const count = planned(plan);
  const { timeMs, timePerPropertyMs, runs } = config.fuzz;
  const parts: string[] = [];
  if (timeMs !== Number.POSITIVE_INFINITY) {
    const each = Math.min(timeMs / Math.max(1, count), timePerPropertyMs);
    parts.push(`${seconds(timeMs)} in all, about ${seconds(each)} each (time one leaves goes to the next)`);
  } else if (timePerPropertyMs !== Number.POSITIVE_INFINITY) {
    parts.push(`${seconds(timePerPropertyMs)} each, ${seconds(timePerPropertyMs * count)} in all`);
  }
  if (runs !== Number.POSITIVE_INFINITY) parts.push(`at most ${fmt(runs)} runs each`);
  const lines = [
    `fuzz plan: ${count} propert${count === 1 ? 'y' : 'ies'} on ${plan.length} target(s)${against ? ` against ${against.name}` : ''}, ${parts.join(', ') || 'no budget: until Ctrl-C'}`,
    ...plan.map((p) => `  ${p.target.name}: ${p.ids.join(', ') || '(none of the selected properties)'}`),
  ];
  return `${lines.join('\n')}\n`;
}

/** A found failure as the reports show it; a deterministic one is kept in the failure corpus first. */
function toEntry(
  outcome: FuzzOutcome<unknown>,
  property: FuzzProperty<unknown>,
  where: {
    target: string;
    /** The name kept failures are filed under (corpusKey). */
    key: string;
    against: string | null;
    specification: string;
    start: number;
    corpus: string;
    commands: CommandContext;
  },
): FuzzReportEntry {
  const failures: FuzzFailureReport[] = outcome.failures.map((f) => {
    let file: string | null = null;
    if (!f.flaky) {
      const content = property.regression(f.counterexample, f.failure, {
        seed: f.seed,
        path: f.path,
        target: where.key,
        property: property.id,
      });
      const vectors = content.vectors;
      // Where it was found, for the record: the file is keyed by the implementation, not the address.
      if (where.key !== where.target) for (const v of vectors) if (v.origin) v.origin['address'] = where.target;
      mkdirSync(where.corpus, { recursive: true });
      const absolute = path.join(where.corpus, caseIdFileName(vectors[0]?.id ?? `reg-${f.seed}`));
      writeFileSync(absolute, `${JSON.stringify(content, null, 2)}\n`);
      file = absolute;
    }
    return {
      message: f.failure.message,
      requirements: f.failure.requirements,
      ...(f.failure.category ? { category: f.failure.category } : {}),
      counterexample: f.description,
      seed: f.seed,
      path: f.path,
      flaky: f.flaky,
      shrinks: f.shrinks,
      foundAfterRuns: f.foundAfterRuns,
      foundAfterMs: f.foundAfterMs,
      file: file === null ? null : printedPath(where.commands, file),
      replay: file === null ? null : replayFileCommand(where.commands, file, where.target),
    };
  });
  return {
    target: where.target,
    against: where.against,
    specification: where.specification,
    property: property.name,
    seed: outcome.seed,
    start: where.start,
    stop: where.start + outcome.elapsedMs,
    runs: outcome.runs,
    interrupted: outcome.end.how === 'interrupted',
    failures,
    inconsistency: inconsistencyOf(outcome),
    broken: brokenReason(outcome),
    statistics: outcome.statistics,
  };
}

function outcomeText(label: string, outcome: FuzzOutcome<unknown>, entry: FuzzReportEntry): string {
  const cases = outcome.statistics.cases;
  const rate = cases / Math.max(outcome.elapsedMs / 1000, 0.001);
  const lines: string[] = [];
  for (const f of entry.failures) {
    lines.push(
      `${label}: ${f.flaky ? 'FLAKY failure (it did not fail again on both re-runs)' : 'FAILURE'} after ${fmt(f.foundAfterRuns)} runs (${seconds(f.foundAfterMs)}), shrunk in ${f.shrinks} steps:`,
      f.counterexample,
      `  -> ${f.message}`,
      `  requirements: ${f.requirements.join(', ') || '-'}`,
      `  seed ${f.seed}, path ${f.path}`,
      f.file
        ? `  kept as ${f.file} (run first by every later \`npx harness run\`)\n  replay: ${f.replay ?? ''}`
        : '  (flaky: not kept in the failure corpus)',
      '',
    );
  }
  const end = outcome.end;
  if (end.how === 'inconsistent') {
    lines.push(
      `${label}: FAILURE over ${fmt(outcome.runs)} runs (${seconds(outcome.elapsedMs)}, seed ${outcome.seed}): ${end.failure.message}`,
      `  requirements: ${end.failure.requirements.join(', ')}`,
      '',
    );
  }
  if (end.how === 'broken') {
    lines.push(
      `${label}: BROKEN after ${fmt(outcome.runs)} runs (${seconds(outcome.elapsedMs)}): the target misbehaved: ${end.reason}`,
      '  (the property stopped there; what was found before is reported)',
      '',
    );
  }
  if (entry.failures.length === 0 && end.how !== 'inconsistent' && end.how !== 'broken') {
    lines.push(
      `${label}: no failure in ${fmt(outcome.runs)} runs, ${fmt(cases)} cases (${seconds(outcome.elapsedMs)}, ${fmt(rate)} cases/s)${end.how === 'interrupted' ? ', interrupted' : ''}`,
    );
  } else if (outcome.repeats > 0) {
    lines.push(`  (${fmt(outcome.repeats)} later failing run(s) repeated a failure already shown)`);
  }
  if (label.endsWith('· precedence')) {
    const matrix = outcome.statistics.attachments.find((x) => x.name === 'precedence matrix');
    if (matrix) lines.push(matrix.body.replace(/^/gm, '  '));
  }
  const info = outcome.statistics.informational;
  if (info.length > 0) {
    lines.push(`  informational: ${info.length} kind(s) of difference the reading permits (not failures):`);
    for (const text of info.slice(0, 5)) lines.push(`  - ${text.split('\n')[0] ?? ''}`);
    if (info.length > 5) lines.push(`  - ... and ${info.length - 5} more (in the report)`);
  }
  return `${lines.join('\n')}\n`;
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
  commands: CommandContext,
  aliases: CaseAliases = new CaseAliases(),
): Promise<number> {
  let content: { vectors?: { id?: string; origin?: { target?: string; address?: string } }[] };
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
  const address = vectors[0]?.origin?.address;
  const targets =
    explicitTargets || origin === undefined ? config.selected : config.targets.filter((t) => t.name === origin);
  if (targets.length === 0) {
    throw new HarnessError(
      'HARNESS_USAGE',
      `replay: ${file} was found on "${origin ?? '?'}"${address ? ` (then at ${address})` : ''}, which the config${commands.config === null ? '' : ` ${printedPath(commands, commands.config)}`} does not name: give the target where it runs now, e.g. ${replayFileCommand(commands, file, address ?? 'http://127.0.0.1:9400')}`,
    );
  }
  const absolute = path.resolve(io.cwd, file);
  const inCorpus = path.dirname(absolute) === config.fuzz.corpus;
  const results: CaseResult[] = [];
  const reporter: Reporter = { onCaseEnd: (r) => void results.push(r) };
  await runPlan(
    // A client case's id is `<vector>@<route>`, a server case's the vector id itself.
    { ...config, selected: targets, grep: ids, reporters: [] },
    {
      suites: createSuites(config, inCorpus ? [] : [absolute]),
      suiteOf,
      drivers: DRIVERS,
      reporter,
      commands,
      aliases,
      // The file's own ids: a former one is announced as the suite loads the file, not as a --grep.
      grepIsInternal: true,
    },
    { startedAt: new Date().toISOString(), command: `harness replay ${file}`, harnessVersion: '' },
  );
  let still = 0;
  // A file written before case ids changed names its vectors by their former ids.
  const current = ids.map((v) => aliases.resolve(v) ?? v);
  const kept = (id: string) => current.some((v) => id === v || id.startsWith(`${v}@`));
  for (const r of results.filter((x) => kept(x.id))) {
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
