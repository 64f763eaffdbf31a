import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { configDefaults, PACKAGE_ROOT } from '../config/defaults.ts';
import { loadConfigFile, resolveConfig } from '../config/resolve.ts';
import {
  defaultCommandContext,
  explainCommand,
  harnessCommand,
  listCommand,
  printedPath,
  shellQuote,
  type CommandContext,
} from '../core/commands.ts';
import type { ResolvedConfig } from '../config/types.ts';
import { CaseAliases, readAliasTable } from '../core/case-ids.ts';
import { HarnessError, isHarnessError, nearestIds } from '../core/errors.ts';
import { Redactor } from '../core/redact.ts';
import { createReporters, ReporterMultiplexer, type ReporterSpec } from '../reporters/index.ts';
import {
  diffLines,
  expectationsText,
  loadExpectations,
  PLACEHOLDER_REASON,
  updateExpectations,
  type Expectations,
  type UpdateResult,
} from '../core/expectations.ts';
import type { Reporter, RunSummary } from '../core/reporter.ts';
import { identity } from '../reporters/text.ts';
import { mergeRuns, readRun } from '../runner/merge.ts';
import { loadSuites, openDriver, runPlan, RunInterrupted, type AnySuite } from '../runner/run.ts';
import type { PlannedCase } from '../core/suite.ts';
import { readLastFailed } from '../runner/last-failed.ts';
import { formerIdNotices, selectCases, tierCases } from '../runner/select.ts';
import { parseCli, USAGE, type ParsedArgs } from './args.ts';
import { fuzz, replay } from './fuzz.ts';
import { report, stopSignal } from './report.ts';
import { certify, keygen } from './certify.ts';
import { verify } from './verify.ts';
import { CONFIG_CHECKS, createSuites, DRIVERS, icsVocabularies, serveProfiles, suiteOf } from './builtins.ts';
import {
  choicesShown,
  DEFAULT_ICS_FILE,
  icsText,
  loadIcs,
  observedIcs,
  type LoadedIcs,
  type ObservedTarget,
} from '../core/ics.ts';
import type { CaseResult } from '../core/results.ts';

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function harnessVersion(): string {
  try {
    return (JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export interface CliIo {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** Standard streams whose reader has gone (`npx harness list | head`): nothing more is written to them. */
const closedPipes = new Set<NodeJS.WriteStream>();

const defaultIo: CliIo = {
  cwd: process.cwd(),
  env: process.env,
  stdout: (t) => void (closedPipes.has(process.stdout) || process.stdout.write(t)),
  stderr: (t) => void (closedPipes.has(process.stderr) || process.stderr.write(t)),
};

/** Where the table of former case ids is (docs/vectors.md, "Case ids"). */
export const ALIASES_FILE = path.join(PACKAGE_ROOT, 'vectors/aliases.json');

/** Former case ids, resolved with a notice on stderr (never stdout: `list --json` stays JSON). */
function caseAliases(io: CliIo): CaseAliases {
  return new CaseAliases(readAliasTable(ALIASES_FILE), (text) => io.stderr(`notice: ${text}\n`));
}

async function configFor(args: ParsedArgs, io: CliIo): Promise<ResolvedConfig> {
  const file = await loadConfigFile(io.cwd, args.overrides.config);
  return resolveConfig(file, args.overrides, io.env, io.cwd, CONFIG_CHECKS);
}

/**
 * Where the commands this invocation prints will be pasted: its working directory, with `--config` when a
 * bare `npx harness` there would load another file (or none), and the flags that change a verdict.
 */
export function commandContext(args: ParsedArgs, io: Pick<CliIo, 'cwd'>, config: ResolvedConfig): CommandContext {
  const found = configDefaults()
    .configFileNames.map((name) => path.join(io.cwd, name))
    .find((candidate) => existsSync(candidate));
  const flags: string[] = [];
  if (args.overrides.seed !== undefined) flags.push('--seed', String(args.overrides.seed));
  if (args.overrides.timeoutMs !== undefined) flags.push('--timeout', String(args.overrides.timeoutMs));
  return {
    cwd: io.cwd,
    config: config.configFile !== null && config.configFile !== found ? config.configFile : null,
    flags,
  };
}

/** Signals that stop a run the way Ctrl-C does: SIGTERM is what CI systems send on a timeout or a cancel. */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;
/**
 * A signal repeated within this time is the same stop, not a second one: Ctrl-C under `npx` (npm) reaches
 * the harness twice, once from the terminal (to the whole process group) and once forwarded by npm.
 */
const SAME_STOP_MS = 1_000;
/** Exit codes of a run quit at once by a second signal: 128 + the signal's number, as a shell reports it. */
const QUIT_CODES: Record<(typeof STOP_SIGNALS)[number], number> = { SIGINT: 130, SIGTERM: 143 };

/**
 * Runs `work` with Ctrl-C and SIGTERM turned into its abort signal: the first says what happens next and lets
 * the work finish what it has (the command then exits 1); a second, a second or more later, quits at once
 * (130 for SIGINT, 143 for SIGTERM), leaving the reports as they are: never an earlier run's green ones,
 * since a run replaces them with "in progress" ones before its first case.
 */
async function onCtrlC<T>(
  io: CliIo,
  whatHappens: string | (() => string),
  work: (interrupt: AbortSignal) => Promise<T>,
): Promise<T> {
  const interrupt = new AbortController();
  let firstAt = 0;
  const onSignal = (signal: (typeof STOP_SIGNALS)[number]) => {
    if (interrupt.signal.aborted) {
      if (Date.now() - firstAt < SAME_STOP_MS) return;
      io.stderr(`\n${signal} again: quitting at once; the reports say the run did not finish\n`);
      process.exit(QUIT_CODES[signal]);
    }
    firstAt = Date.now();
    const how = signal === 'SIGINT' ? 'Ctrl-C' : signal;
    io.stderr(
      `\nInterrupted (${signal}): ${typeof whatHappens === 'string' ? whatHappens : whatHappens()} (${how} again to quit at once)\n`,
    );
    interrupt.abort();
  };
  const listeners = STOP_SIGNALS.map((signal) => [signal, () => onSignal(signal)] as const);
  for (const [signal, listener] of listeners) process.on(signal, listener);
  try {
    return await work(interrupt.signal);
  } finally {
    for (const [signal, listener] of listeners) process.off(signal, listener);
  }
}

/** The command line as typed, with anything that looks like a key masked. */
function commandLine(argv: string[]): string {
  return ['harness', ...argv].join(' ').replace(/[0-9a-fA-F]{64}/g, '«redacted»');
}

async function run(args: ParsedArgs, argv: string[], io: CliIo): Promise<number> {
  let config = await configFor(args, io);
  const commands = commandContext(args, io, config);
  let only: Map<string, Set<string>> | undefined;
  if (args.lastFailed) {
    // Read before the run replaces the file (its reporters empty it before the first case).
    const previous = readLastFailed(config.outputDir);
    const shown = printedPath(commands, path.join(config.outputDir, 'results.jsonl'));
    if (previous === null) {
      throw new HarnessError(
        'HARNESS_USAGE',
        `--last-failed: no previous run in ${printedPath(commands, config.outputDir)} (${shown} does not exist): run \`${harnessCommand(commands, 'run')}\` first, with the same --output`,
      );
    }
    if (previous.count === 0) {
      // As Playwright does: nothing to re-run is not a failure. The previous run's reports stay as they are.
      io.stderr(
        `--last-failed: no failed or broken case in ${shown} (${previous.results} result(s)): nothing to re-run, the reports are left as they are\n`,
      );
      return 0;
    }
    // The targets the failures were on (any configured one: the previous run may have named it with
    // --target); with --target, only those of them.
    const candidates = args.overrides.target === undefined ? config.targets : config.selected;
    const selected = candidates.filter((t) => previous.failed.has(t.name));
    if (selected.length === 0) {
      const where = [...previous.failed.keys()].join(', ');
      throw new HarnessError(
        'HARNESS_USAGE',
        args.overrides.target === undefined
          ? `--last-failed: the previous run's failures are on ${where}, which this config does not have: give it with --target`
          : `--last-failed: the previous run's failures are on ${where}, and --target selects ${config.selected.map((t) => t.name).join(', ')}: drop --target, or name one of those`,
      );
    }
    config = { ...config, selected };
    only = previous.failed;
    const count = selected.reduce((n, t) => n + (previous.failed.get(t.name)?.size ?? 0), 0);
    io.stderr(
      `--last-failed: re-running the ${count} case(s) that failed or broke in the previous run (${shown}) on ${selected.map((t) => t.name).join(', ')}\n`,
    );
  }
  const redactor = new Redactor();
  redactor.add(config.obfuscationKey);
  // The conformance statement, checked before anything runs too (exit 2, naming the field and the fix).
  const ics = loadedIcs(config, io);
  // The known deviations, checked before anything runs (a bad file is exit 2, naming the entry and the fix).
  const expectationsShown = config.expectations === null ? null : printedFile(io.cwd, config.expectations);
  const expectations =
    config.expectations !== null && expectationsShown !== null && existsSync(config.expectations)
      ? await loadExpectations(config.expectations, expectationsShown)
      : null;
  // The runner redacts every result once (run-wide secrets) and the suite redacts its passwords, so the
  // reporters get results that are already clean and need not copy each one again.
  const reports = createReporters(config.reporters as ReporterSpec[], {
    outputDir: config.outputDir,
    redact: identity,
    env: io.env,
    stdout: io.stdout,
  });
  const updating = args.overrides.updateExpectations === true;
  const seen: UpdateResult[] = [];
  const collector: Reporter = {
    onCaseEnd: (r) =>
      void seen.push({
        id: r.id,
        target: r.target,
        verdict: r.verdict,
        message: r.message,
        requirements: r.requirements,
        ...(r.category === undefined ? {} : { category: r.category }),
      }),
  };
  const reporter = updating
    ? new ReporterMultiplexer([
        { name: 'reports', reporter: reports },
        { name: 'update-expectations', reporter: collector },
      ])
    : reports;
  const exitCode = await onCtrlC(io, 'finishing the cases in flight and writing the reports', async (interrupt) => {
    const outcome = await runPlan(
      config,
      {
        suites: createSuites(config),
        suiteOf,
        drivers: DRIVERS,
        reporter,
        redactor,
        commands,
        aliases: caseAliases(io),
        ...(only === undefined ? {} : { only }),
        notice: (text) => io.stderr(`notice: ${text}\n`),
        expectations,
        ics,
      },
      { startedAt: new Date().toISOString(), command: commandLine(argv), harnessVersion: harnessVersion() },
      interrupt,
    );
    if (!updating) return outcome.exitCode;
    return writeExpectations(config, expectations, seen, outcome.summary, io);
  });
  return exitCode;
}

/** The configured conformance statement (`--ics`, config `ics`), read and checked against every suite; or null. */
function loadedIcs(config: ResolvedConfig, io: Pick<CliIo, 'cwd'>): LoadedIcs | null {
  if (config.ics === null) return null;
  const where = printedFile(io.cwd, config.ics);
  return { ics: loadIcs(config.ics, icsVocabularies(), where), where };
}

/**
 * `harness ics --target <name> [--output <file>]`: runs the target's plan and writes the conformance
 * statement it showed (src/core/ics.ts, `observedIcs`): identity, platform, methods and capabilities from
 * the target's info, each choice point's option from its cases. One target per suite: a statement
 * describes one implementation.
 */
async function icsCommand(args: ParsedArgs, argv: string[], io: CliIo): Promise<number> {
  if (args.overrides.target === undefined) {
    throw new HarnessError(
      'HARNESS_USAGE',
      'ics needs the target whose statement to write: npx harness ics --target emulated-android',
    );
  }
  const config = await configFor(args, io);
  const commands = commandContext(args, io, config);
  const bySuite = new Map<string, string[]>();
  for (const target of config.selected) {
    const suite = suiteOf(target);
    bySuite.set(suite, [...(bySuite.get(suite) ?? []), target.name]);
  }
  for (const [suite, names] of bySuite) {
    if (names.length > 1) {
      throw new HarnessError(
        'HARNESS_USAGE',
        `--target selects ${names.join(' and ')}, both of the ${suite} suite: a statement describes one implementation per suite, so give one of them`,
      );
    }
  }
  const file = path.resolve(io.cwd, args.icsOutput ?? DEFAULT_ICS_FILE);
  const shown = printedFile(io.cwd, file);
  const results: CaseResult[] = [];
  const observed: (Omit<ObservedTarget, 'results'> & { name: string })[] = [];
  const collector: Reporter = {
    onBegin: (_run, targets) => {
      for (const t of targets) observed.push({ name: t.name, suite: t.suite ?? '', info: t.info });
    },
    onCaseEnd: (r) => void results.push(r),
  };
  const redactor = new Redactor();
  redactor.add(config.obfuscationKey);
  io.stderr(`Running the plan of ${config.selected.map((t) => t.name).join(', ')} to observe its statement...\n`);
  const outcome = await onCtrlC(io, 'finishing the cases in flight; no statement is written', (interrupt) =>
    runPlan(
      config,
      {
        suites: createSuites(config),
        suiteOf,
        drivers: DRIVERS,
        reporter: collector,
        redactor,
        commands,
        everyChoice: true,
      },
      { startedAt: new Date().toISOString(), command: commandLine(argv), harnessVersion: harnessVersion() },
      interrupt,
    ),
  );
  const notRun = Object.values(outcome.summary.notRun ?? {}).reduce((a, b) => a + b, 0);
  if (outcome.summary.interrupted || notRun > 0) {
    io.stderr(
      `${shown} not written: the run did not finish (${outcome.summary.interrupted ? 'interrupted' : `${notRun} case(s) not run`}), so it did not see every choice. Run again.\n`,
    );
    return 1;
  }
  const ics = observedIcs(
    observed.map((t) => ({ suite: t.suite, info: t.info, results: results.filter((r) => r.target === t.name) })),
  );
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, icsText(ics));
  const lines = [`Wrote ${shown}: the conformance statement ${config.selected.map((t) => t.name).join(', ')} showed`];
  for (const [suite, statement] of Object.entries(ics.suites)) {
    lines.push(
      `  ${suite}: ${statement.identity.product} ${statement.identity.version}, ${Object.keys(statement.choices).length} choice point(s) observed`,
    );
  }
  // A choice made two ways: the statement leaves it out (declaring either would fail the cases of the other).
  for (const [point, options] of choicesShown(results)) {
    if (options.size > 1)
      lines.push(
        `${point} was made ${options.size} ways (${[...options].join(', ')}): the statement leaves it out; declare the one the implementation means, if it means one`,
      );
  }
  const bad = outcome.summary.counts.fail + outcome.summary.counts.broken;
  if (bad > 0)
    lines.push(
      `${bad} case(s) failed or broke: the statement records what the implementation did; review it before you declare it`,
    );
  const targets = config.selected.flatMap((t) => ['--target', t.name]);
  lines.push(
    `Review it (docs/ics.md), then judge the implementation against it: ${harnessCommand(commands, 'run', [...targets, '--ics', printedPath(commands, file)])}`,
  );
  io.stdout(`${lines.join('\n')}\n`);
  return 0;
}

/** A file as messages name it: relative to the working directory when inside it. */
function printedFile(cwd: string, file: string): string {
  const relative = path.relative(cwd, file);
  return relative === '' || relative.startsWith('..') ? file : relative;
}

/**
 * `run --update-expectations`: the expectations file rewritten from the run (src/core/expectations.ts,
 * `updateExpectations`), sorted, and the diff printed; exit 0 once written. A run that did not finish
 * (interrupted, cases not run) writes nothing: it would drop the entries of the cases it did not reach.
 */
function writeExpectations(
  config: ResolvedConfig,
  current: Expectations | null,
  results: readonly UpdateResult[],
  summary: RunSummary,
  io: CliIo,
): number {
  const file = config.expectations as string;
  const shown = printedFile(io.cwd, file);
  const notRun = Object.values(summary.notRun ?? {}).reduce((a, b) => a + b, 0);
  if (summary.interrupted || notRun > 0) {
    io.stdout(
      `\nExpectations: ${shown} not written: the run did not finish (${summary.interrupted ? 'interrupted' : `${notRun} case(s) not run`}), so it cannot say which entries still hold. Run again.\n`,
    );
    return 1;
  }
  const { entries, diff } = updateExpectations(current, results, summary.gate?.stale ?? [], config.failOn);
  let description: string | undefined;
  if (existsSync(file)) {
    try {
      const raw = JSON.parse(readFileSync(file, 'utf8')) as { description?: unknown };
      if (typeof raw.description === 'string') description = raw.description;
    } catch {
      // Loaded and checked before the run: it parses.
    }
  }
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, expectationsText(entries, description));
  const changes = diff.added.length + diff.removed.length + diff.changed.length;
  const lines = [
    '',
    changes === 0
      ? `Expectations: ${shown} is up to date (${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}, no change)`
      : `Expectations: wrote ${shown}: ${diff.added.length} added, ${diff.removed.length} removed, ${diff.changed.length} changed (${entries.length} entr${entries.length === 1 ? 'y' : 'ies'})`,
    ...diffLines(diff),
  ];
  const placeholders = entries.filter((e) => e.reason === PLACEHOLDER_REASON).length;
  if (placeholders > 0)
    lines.push(
      `${placeholders} entr${placeholders === 1 ? 'y has' : 'ies have'} no reason yet: replace "${PLACEHOLDER_REASON}" in ${shown} with why the deviation is accepted`,
    );
  io.stdout(`${lines.join('\n')}\n`);
  return 0;
}

/**
 * `harness merge <dir>...`: the reports of several runs (the shards of `--shard i/n`, or machines) joined
 * into one, with the run-level checks recomputed over every shard's cases (src/runner/merge.ts).
 */
async function merge(args: ParsedArgs, argv: string[], io: CliIo): Promise<number> {
  if (args.positionals.length === 0) {
    throw new HarnessError(
      'HARNESS_USAGE',
      'merge needs the output directories of the runs to join: npx harness merge reports/shard-1 reports/shard-2 --output reports/merged',
    );
  }
  const config = await configFor(args, io);
  // Everything is read and checked before a report is touched: a bad directory changes nothing.
  const runs = args.positionals.map((dir) => readRun(dir, io.cwd));
  // The merged verdict is judged by the known deviations and the policy, as a run's is.
  const expectationsShown = config.expectations === null ? null : printedFile(io.cwd, config.expectations);
  const expectations =
    config.expectations !== null && expectationsShown !== null && existsSync(config.expectations)
      ? await loadExpectations(config.expectations, expectationsShown)
      : null;
  const redactor = new Redactor();
  redactor.add(config.obfuscationKey);
  const reporter = createReporters(config.reporters as ReporterSpec[], {
    outputDir: config.outputDir,
    redact: identity,
  });
  const outcome = await mergeRuns(runs, {
    suites: createSuites(config),
    reporter,
    redactor,
    outputDir: config.outputDir,
    command: commandLine(argv),
    rootDir: io.cwd,
    commands: commandContext(args, io, config),
    expectations,
    failOn: config.failOn,
    configuredTargets: config.targets.map((t) => t.name),
  });
  return outcome.exitCode;
}

async function list(args: ParsedArgs, io: CliIo): Promise<number> {
  const config = await configFor(args, io);
  const aliases = caseAliases(io);
  // The suites of the selected targets (default: every configured one), each case once.
  const suites = await loadSuites(config, {
    suites: createSuites(config),
    suiteOf,
    commands: commandContext(args, io, config),
    aliases,
  });
  const listed = [...suites.values()].flatMap((s) => s.list());
  for (const notice of formerIdNotices(listed, config.grep, aliases)) aliases.notice(notice);
  const cases: (PlannedCase & { suite: string })[] = [];
  // `--tier smoke` depends on each target's capabilities and plan: listed per target, like `--target`.
  if (args.overrides.target === undefined && config.tier === 'full') {
    // Every case of the suites of the configured targets, each once.
    for (const suite of suites.values())
      cases.push(...selectCases(suite.list(), config.grep, aliases).map((c) => ({ ...c, suite: suite.name })));
  } else {
    // `--target`: that target's own plan (its platform, methods and kept regressions), asked of its driver.
    const seen = new Set<string>();
    for (const target of config.selected) {
      const suite = suites.get(suiteOf(target)) as AnySuite;
      const driver = await openDriver(target, config, DRIVERS);
      try {
        const info = await driver.info();
        const plan = suite.plan(info, { name: target.name, precedence: target.precedence, resets: target.resets });
        const selected = selectCases(plan.cases, config.grep, aliases);
        for (const c of tierCases(
          selected,
          config.tier,
          info.capabilities,
          plan.coverage?.bind(plan),
          plan.cost?.bind(plan),
        )) {
          if (seen.has(c.id)) continue;
          seen.add(c.id);
          cases.push({ ...c, suite: suite.name });
        }
      } finally {
        await driver.stop();
      }
    }
  }
  if (args.json) {
    io.stdout(
      `${JSON.stringify(
        cases.map((c) => ({
          suite: c.suite,
          id: c.id,
          title: c.title,
          area: c.area,
          requirements: c.requirements,
          route: c.route,
          needs: c.needs,
        })),
        null,
        2,
      )}\n`,
    );
    return 0;
  }
  for (const c of cases) io.stdout(`${c.id.padEnd(56)} ${c.area.padEnd(18)} ${c.title}\n`);
  io.stdout(`\n${cases.length} case(s)\n`);
  return 0;
}

async function explain(args: ParsedArgs, io: CliIo): Promise<number> {
  const [given] = args.positionals;
  if (given === undefined)
    throw new HarnessError(
      'HARNESS_USAGE',
      'explain needs a case id: npx harness explain <case-id> (see `npx harness list`)',
    );
  const config = await configFor(args, io);
  const commands = commandContext(args, io, config);
  const aliases = caseAliases(io);
  const suites = [...(await loadSuites(config, { suites: createSuites(config), suiteOf, commands, aliases })).values()];
  // A former id (before case ids changed) explains the case it names now.
  const current = suites.some((s) => s.list().some((c) => c.id === given)) ? undefined : aliases.resolve(given);
  if (current !== undefined)
    aliases.notice(`"${given}" is a former case id; it reads ${current} now: ${explainCommand(commands, current)}`);
  const caseId = current ?? given;
  // A case id, or a vector id alone (every route of it).
  const owns = (suite: (typeof suites)[number]) =>
    suite.list().some((c) => c.id === caseId || c.id.startsWith(`${caseId}@`));
  const owner = suites.find(owns);
  if (owner === undefined) {
    const near = nearestIds(
      caseId,
      suites.flatMap((s) => s.list().map((c) => c.id)),
    );
    // A requirement id is not a case id, but names cases.
    const requirement = suites.some((s) =>
      s.list().some((c) => c.requirements.some((r) => r.toLowerCase().startsWith(caseId.toLowerCase()))),
    );
    throw new HarnessError(
      'HARNESS_CASE_UNKNOWN',
      `no case "${caseId}"` +
        (near.length > 0
          ? `. Did you mean:\n${near.map((id) => `  ${explainCommand(commands, id)}`).join('\n')}\n`
          : '. ') +
        (requirement
          ? `"${caseId}" names requirements: their cases are \`${listCommand(commands, ['--grep', caseId])}\``
          : `Every case id: \`${listCommand(commands)}\``),
    );
  }
  io.stdout(`${owner.explain(caseId)}\n`);
  return 0;
}

async function links(args: ParsedArgs, io: CliIo): Promise<number> {
  const config = await configFor(args, io);
  // The suites of the configured targets that have provisioning links (a server suite has none).
  const aliases = caseAliases(io);
  const suites = [...(await loadSuites(config, { suites: createSuites(config), suiteOf, aliases })).values()];
  const suite = suites.find((s) => s.linksPage !== undefined);
  if (suite?.linksPage === undefined) {
    const names = suites.map((s) => s.name).join(', ');
    const withLinks = Object.values(createSuites())
      .filter((s) => s.linksPage !== undefined)
      .map((s) => s.name)
      .join(', ');
    throw new HarnessError(
      'HARNESS_USAGE',
      `the ${names} suite${suites.length === 1 ? ' has' : 's have'} no provisioning links: links are for the targets of the ${withLinks} suite (select one with --target)`,
    );
  }
  for (const notice of formerIdNotices(suite.list(), config.grep, aliases)) aliases.notice(notice);
  const { html, count } = suite.linksPage(selectCases(suite.list(), config.grep, aliases));
  const out = path.resolve(io.cwd, args.out);
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'index.html'), html);
  io.stdout(
    `${count} case(s) with their links and expected outcomes: ${path.relative(io.cwd, path.join(out, 'index.html'))}\n`,
  );
  io.stdout(
    `Serve the folder to the phone (any web server, e.g. \`python3 -m http.server --directory ${shellQuote(printedPath(defaultCommandContext(io.cwd), out))}\`) and open it in the phone's own browser.\n`,
  );
  return 0;
}

async function fuzzCommand(args: ParsedArgs, argv: string[], io: CliIo): Promise<number> {
  const config = await configFor(args, io);
  return onCtrlC(io, 'reporting what was found so far', async (interrupt) =>
    fuzz(
      config,
      {
        explicitTargets: args.overrides.target !== undefined,
        commands: commandContext(args, io, config),
        aliases: caseAliases(io),
        run: { startedAt: new Date().toISOString(), command: commandLine(argv), harnessVersion: harnessVersion() },
      },
      io,
      interrupt,
    ),
  );
}

async function replayCommand(args: ParsedArgs, io: CliIo): Promise<number> {
  const [file] = args.positionals;
  if (file === undefined)
    throw new HarnessError('HARNESS_USAGE', 'replay needs a file: npx harness replay vectors/regressions/<file>.json');
  const config = await configFor(args, io);
  return replay(
    config,
    file,
    args.overrides.target !== undefined,
    io,
    commandContext(args, io, config),
    caseAliases(io),
  );
}

async function certifyCommand(args: ParsedArgs, argv: string[], io: CliIo): Promise<number> {
  const config = await configFor(args, io);
  const expectationsShown = config.expectations === null ? null : printedFile(io.cwd, config.expectations);
  const expectations =
    config.expectations !== null && expectationsShown !== null && existsSync(config.expectations)
      ? await loadExpectations(config.expectations, expectationsShown)
      : null;
  return certify(args, io, {
    config,
    commands: commandContext(args, io, config),
    aliases: caseAliases(io),
    harnessVersion: harnessVersion(),
    expectations,
    command: commandLine(argv),
    onCtrlC: (whatHappens, work) => onCtrlC(io, whatHappens, work),
  });
}

async function reportCommand(args: ParsedArgs, io: CliIo): Promise<number> {
  const config = await configFor(args, io);
  return report(config, args.report, io, commandContext(args, io, config));
}

/** The default port of `harness serve profiles` (the example adapter's is 9400). */
export const SERVE_PORT = 9401;

/**
 * `harness serve profiles`: the profile service every client run serves, alone, on loopback, with the
 * configured catalog: for trying an adapter by hand (drivers/http/README.md). Runs until Ctrl-C or SIGTERM.
 */
async function serve(args: ParsedArgs, io: CliIo): Promise<number> {
  const [what, ...extra] = args.positionals;
  if (what !== 'profiles' || extra.length > 0) {
    throw new HarnessError(
      'HARNESS_USAGE',
      `${what === undefined ? 'serve needs what to serve' : `serve ${[what, ...extra].join(' ')}: unknown service`}: use \`npx harness serve profiles [--port ${SERVE_PORT}]\``,
    );
  }
  const config = await configFor(args, io);
  const port = args.port ?? SERVE_PORT;
  let served;
  try {
    served = await serveProfiles(config, port);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      throw new HarnessError(
        'HARNESS_USAGE',
        `serve profiles: port ${port} is ${code === 'EADDRINUSE' ? 'in use' : 'not allowed'}: give another with --port <n> (0 picks a free one)`,
      );
    }
    throw error;
  }
  io.stdout(
    `profile service listening on ${served.service.baseUrl} (catalog ${path.relative(io.cwd, served.catalogFile) || served.catalogFile})\n` +
      `Give this URL to a client as "profileService" in POST /v1/reset. Ctrl-C stops it.\n`,
  );
  await stopSignal();
  await served.service.close();
  io.stderr('profile service stopped\n');
  return 0;
}

/**
 * `npx harness list | head`: once the reader has gone, nobody wants the rest: stop writing to that stream, as
 * `ls | head` does, instead of dying of an unhandled EPIPE with a stack trace. The command goes on and exits
 * with its own code (a run still writes its reports). Any other write error is a real one.
 */
function onWriteError(this: NodeJS.WriteStream, error: NodeJS.ErrnoException): void {
  if (error.code !== 'EPIPE') throw error;
  closedPipes.add(this);
}

let strayWarned = false;
/**
 * A promise rejected with nobody listening is a bug, but it must not kill a run and lose its results: it is
 * reported once, and the run goes on (the case it belonged to still times out or fails on its own).
 */
function onStrayRejection(reason: unknown): void {
  if (strayWarned) return;
  strayWarned = true;
  const text = reason instanceof Error ? reason.message : String(reason);
  process.stderr.write(
    `internal warning (a bug in provisioning-harness, please report it): unhandled rejection: ${text.split('\n')[0]}\n`,
  );
}

/** Runs the CLI; returns the exit code. User mistakes print the message and return 2, never a stack trace. */
export async function main(argv: string[], io: CliIo = defaultIo): Promise<number> {
  process.on('unhandledRejection', onStrayRejection);
  if (io === defaultIo) for (const stream of [process.stdout, process.stderr]) stream.on('error', onWriteError);
  try {
    const args = parseCli(argv);
    switch (args.command) {
      case 'help':
        io.stdout(`${USAGE}\n`);
        return 0;
      case 'version':
        io.stdout(`provisioning-harness ${harnessVersion()}\n`);
        return 0;
      case 'serve':
        return await serve(args, io);
      case 'run':
        return await run(args, argv, io);
      case 'list':
        return await list(args, io);
      case 'explain':
        return await explain(args, io);
      case 'report':
        return await reportCommand(args, io);
      case 'links':
        return await links(args, io);
      case 'fuzz':
        return await fuzzCommand(args, argv, io);
      case 'replay':
        return await replayCommand(args, io);
      case 'merge':
        return await merge(args, argv, io);
      case 'ics':
        return await icsCommand(args, argv, io);
      case 'keygen':
        return keygen(args, io);
      case 'certify':
        return await certifyCommand(args, argv, io);
      case 'verify':
        return await verify(args, io, { config: await configFor(args, io), harnessVersion: harnessVersion() });
    }
  } catch (error) {
    if (isHarnessError(error)) {
      io.stderr(`${error.format()}\n`);
      return 2;
    }
    if (error instanceof RunInterrupted) {
      io.stderr(`${error.message}\n`);
      return 1;
    }
    io.stderr(
      `internal error (a bug in provisioning-harness, please report it):\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return 3;
  }
}
