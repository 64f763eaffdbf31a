/**
 * `npm run mutation [-- <suite>...] [--force] [--command-runner] [--report]`: mutation testing of the reference
 * implementations with StrykerJS (docs/mutation.md). Each suite has its Stryker config in
 * `stryker/<suite>.config.json`: the reference files it mutates and the `harness run` that must fail for a
 * mutant to count as killed. Prints the mutation score per suite; exit 1 when a suite is below the goal.
 *
 * Incremental: each suite keeps Stryker's incremental file in stryker/incremental/ (committed, so a new clone
 * starts from the last run's results). A killed mutant whose code
 * has not changed is not tested again; every other mutant is (the incremental file is pruned to the killed
 * ones first), because new vectors can kill a mutant that survived, and Stryker's command-level runners
 * cannot see that the plan changed. `--force` tests every mutant again (after a change that may weaken the
 * plan: removed vectors, a changed judge).
 *
 * `--report` scores the last reports again without running Stryker (after documenting an equivalent mutant).
 * A survivor described in stryker/equivalent-mutants.json (file, the code it replaces, mutator, replacement,
 * and why no observation can tell it from the reference) is left out of the score; the others are written
 * to reports/mutation/<suite>.survivors.txt.
 *
 * `npm run bench -- mutation` prints the same table as a bench section.
 */
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const MUTATION_SUITES = ['openmobile', 'openmobile-profiles', 'swivel', 'surepassid'] as const;
export type MutationSuite = (typeof MUTATION_SUITES)[number];

/** The score every suite must reach (issue 12). */
export const MUTATION_GOAL = 90;

export interface MutationScore {
  suite: MutationSuite;
  mutants: number;
  /** Survivors (or uncovered mutants) documented as equivalent in stryker/equivalent-mutants.json. */
  equivalent: number;
  killed: number;
  timeout: number;
  survived: number;
  noCoverage: number;
  ignored: number;
  errors: number;
  /** detected / (detected + undetected), in percent; ignored, erroneous and documented equivalent mutants are left out. */
  score: number;
  /** Stryker's own score: the same without leaving out the documented equivalents. */
  strykerScore: number;
  seconds: number;
}

/** The counts and score of one suite from its mutants' statuses ('Equivalent': a documented survivor). */
export function scoreOf(suite: MutationSuite, statuses: readonly string[], seconds: number): MutationScore {
  const count = (status: string) => statuses.filter((s) => s === status).length;
  const killed = count('Killed');
  const timeout = count('Timeout');
  const survived = count('Survived');
  const noCoverage = count('NoCoverage');
  const equivalent = count('Equivalent');
  const detected = killed + timeout;
  const valid = detected + survived + noCoverage;
  const percent = (of: number) => (of === 0 ? 100 : (detected / of) * 100);
  return {
    suite,
    mutants: statuses.length,
    equivalent,
    killed,
    timeout,
    survived,
    noCoverage,
    ignored: count('Ignored'),
    errors: count('RuntimeError') + count('CompileError'),
    score: percent(valid),
    strykerScore: percent(valid + equivalent),
    seconds,
  };
}

/** A surviving mutant documented as equivalent (stryker/equivalent-mutants.json). */
export interface EquivalentMutant {
  suite: MutationSuite;
  file: string;
  /** The source text the mutant replaces (whitespace runs count as one space). */
  code: string;
  mutator: string;
  replacement: string;
  /** Text on the same line, when `code` alone is not unique in the file. */
  line?: string;
  reason: string;
}

export function readEquivalents(): EquivalentMutant[] {
  const file = path.join(root, 'stryker', 'equivalent-mutants.json');
  if (!existsSync(file)) return [];
  return (JSON.parse(readFileSync(file, 'utf8')) as { mutants: EquivalentMutant[] }).mutants;
}

interface ReportLocation {
  start: { line: number; column: number };
  end: { line: number; column: number };
}
interface ReportMutantDetail {
  status: string;
  mutatorName: string;
  replacement?: string;
  location: ReportLocation;
}

const squash = (text: string) => text.replace(/\s+/g, ' ').trim();

/** The source text a mutant replaces. */
export function mutatedText(source: string, location: ReportLocation): string {
  const lines = source.split('\n');
  const { start, end } = location;
  if (start.line === end.line) return (lines[start.line - 1] ?? '').slice(start.column - 1, end.column - 1);
  return [
    (lines[start.line - 1] ?? '').slice(start.column - 1),
    ...lines.slice(start.line, end.line - 1),
    (lines[end.line - 1] ?? '').slice(0, end.column - 1),
  ].join('\n');
}

/**
 * The statuses of a suite's mutants from its mutation-testing report, a survivor (or uncovered mutant)
 * that an entry of `equivalents` describes counted as 'Equivalent'. Also returns the other survivors, one
 * line each, for inspection.
 */
export function classify(
  suite: MutationSuite,
  report: { files: Record<string, { source: string; mutants: ReportMutantDetail[] }> },
  equivalents: readonly EquivalentMutant[],
): { statuses: string[]; survivors: string[]; unused: EquivalentMutant[] } {
  const statuses: string[] = [];
  const survivors: string[] = [];
  const used = new Set<EquivalentMutant>();
  for (const [file, entry] of Object.entries(report.files)) {
    const relative = path.relative(root, path.resolve(root, file)).split(path.sep).join('/');
    const lines = entry.source.split('\n');
    for (const m of entry.mutants) {
      if (m.status !== 'Survived' && m.status !== 'NoCoverage') {
        statuses.push(m.status);
        continue;
      }
      const code = squash(mutatedText(entry.source, m.location));
      const replacement = squash(m.replacement ?? '');
      const lineText = lines[m.location.start.line - 1] ?? '';
      const match = equivalents.find(
        (e) =>
          e.suite === suite &&
          e.file === relative &&
          e.mutator === m.mutatorName &&
          squash(e.code) === code &&
          squash(e.replacement) === replacement &&
          (e.line === undefined || lineText.includes(e.line)),
      );
      if (match) {
        used.add(match);
        statuses.push('Equivalent');
      } else {
        statuses.push(m.status);
        survivors.push(
          `${relative}:${m.location.start.line}:${m.location.start.column} ${m.status} ${m.mutatorName}: ${code} => ${replacement}`,
        );
      }
    }
  }
  return { statuses, survivors, unused: equivalents.filter((e) => e.suite === suite && !used.has(e)) };
}

export function configFile(suite: MutationSuite): string {
  return path.join(root, 'stryker', `${suite}.config.json`);
}

interface SuiteConfig {
  incrementalFile: string;
  jsonReporter: { fileName: string };
  harness: { args: string[] };
}

function readConfig(suite: MutationSuite): SuiteConfig {
  return JSON.parse(readFileSync(configFile(suite), 'utf8')) as SuiteConfig;
}

interface ReportMutant {
  status: string;
}
interface Report {
  files: Record<string, { mutants: ReportMutant[] }>;
}

/**
 * Keeps only the killed (and timed-out) mutants in the incremental file, so that Stryker tests the
 * survivors again against the current plan. Returns how many results were dropped.
 */
export function pruneIncremental(file: string): number {
  if (!existsSync(file)) return 0;
  const report = JSON.parse(readFileSync(file, 'utf8')) as Report;
  let dropped = 0;
  for (const entry of Object.values(report.files)) {
    const kept = entry.mutants.filter((m) => m.status === 'Killed' || m.status === 'Timeout');
    dropped += entry.mutants.length - kept.length;
    entry.mutants = kept;
  }
  writeFileSync(file, JSON.stringify(report));
  return dropped;
}

/** Runs Stryker for one suite (in this process) and scores its result. */
export async function runMutation(
  suite: MutationSuite,
  options: { force?: boolean; commandRunner?: boolean } = {},
): Promise<MutationScore> {
  const { Stryker } = await import('@stryker-mutator/core');
  const config = readConfig(suite);
  const incrementalFile = path.resolve(root, config.incrementalFile);
  if (!options.force) pruneIncremental(incrementalFile);
  mkdirSync(path.dirname(incrementalFile), { recursive: true });
  const overrides: Record<string, unknown> = { configFile: configFile(suite) };
  if (options.force) overrides['force'] = true;
  if (options.commandRunner) {
    // The same plan through Stryker's command runner: a fresh `node bin/harness.js` per mutant, no coverage.
    overrides['testRunner'] = 'command';
    overrides['coverageAnalysis'] = 'off';
    overrides['commandRunner'] = { command: ['node', 'bin/harness.js', ...config.harness.args].join(' ') };
  }
  const started = Date.now();
  const cwd = process.cwd();
  process.chdir(root);
  try {
    await new Stryker(overrides).runMutationTest();
  } finally {
    process.chdir(cwd);
  }
  const score = scoreReport(suite, (Date.now() - started) / 1000);
  if (score === null) throw new Error(`mutation: Stryker wrote no report of ${suite}`);
  return score;
}

/**
 * Scores a suite from its last report (reports/mutation/<suite>.json), leaving out the documented
 * equivalent mutants; writes the other survivors to reports/mutation/<suite>.survivors.txt.
 */
export function scoreReport(suite: MutationSuite, seconds: number): MutationScore | null {
  const config = readConfig(suite);
  // The last run's report, or (in a fresh clone, where reports/ is empty) the committed incremental file: the
  // same mutation-testing-report schema, with every mutant of that run.
  const reportFile = [config.jsonReporter.fileName, config.incrementalFile]
    .map((file) => path.resolve(root, file))
    .find((file) => existsSync(file));
  if (reportFile === undefined) return null;
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as Parameters<typeof classify>[1];
  const { statuses, survivors, unused } = classify(suite, report, readEquivalents());
  const lines = [
    ...survivors,
    ...unused.map((e) => `(documented equivalent no longer found: ${e.file}: ${e.code} => ${e.replacement})`),
  ];
  mkdirSync(path.join(root, 'reports', 'mutation'), { recursive: true });
  writeFileSync(
    path.join(root, 'reports', 'mutation', `${suite}.survivors.txt`),
    lines.join('\n') + (lines.length ? '\n' : ''),
  );
  return scoreOf(suite, statuses, seconds);
}

export function mutationLines(scores: readonly MutationScore[]): string[] {
  const columns = ['score', 'stryker', 'killed', 'timeout', 'survived', 'no-cov', 'equiv', 'ignored', 'errors'];
  const lines = [`${'mutation score'.padEnd(21)}${columns.map((c) => c.padStart(9)).join('')}   time`];
  for (const s of scores) {
    const cells = [
      `${s.score.toFixed(2)}%`,
      `${s.strykerScore.toFixed(2)}%`,
      s.killed,
      s.timeout,
      s.survived,
      s.noCoverage,
      s.equivalent,
      s.ignored,
      s.errors,
    ].map((c) => String(c).padStart(9));
    const goal = s.score < MUTATION_GOAL ? `  (goal >= ${MUTATION_GOAL}%)` : '';
    lines.push(`${s.suite.padEnd(21)}${cells.join('')}   ${s.seconds.toFixed(0)} s${goal}`);
  }
  return lines;
}

/** Parses the command line of `npm run mutation`; returns a message for a usage error. */
export function parseMutationArgs(
  argv: readonly string[],
): { suites: MutationSuite[]; force: boolean; commandRunner: boolean; report: boolean } | string {
  const suites: MutationSuite[] = [];
  let force = false;
  let commandRunner = false;
  let report = false;
  for (const arg of argv) {
    if (arg === '--force') force = true;
    else if (arg === '--command-runner') commandRunner = true;
    else if (arg === '--report') report = true;
    else if ((MUTATION_SUITES as readonly string[]).includes(arg)) suites.push(arg as MutationSuite);
    else {
      return `mutation: unknown argument "${arg}": give suites among ${MUTATION_SUITES.join(', ')} (default: all), --force, --command-runner, --report`;
    }
  }
  return { suites: suites.length === 0 ? [...MUTATION_SUITES] : suites, force, commandRunner, report };
}

export async function benchMutation(
  suites: readonly MutationSuite[] = MUTATION_SUITES,
  options: {
    force?: boolean;
    commandRunner?: boolean;
    report?: boolean;
    /** With `report`: the suites without results yet (no report and no incremental file) are added here. */
    missing?: MutationSuite[];
  } = {},
): Promise<MutationScore[]> {
  const scores: MutationScore[] = [];
  for (const suite of suites) {
    if (!options.report) {
      scores.push(await runMutation(suite, options));
      continue;
    }
    const score = scoreReport(suite, 0);
    if (score === null) options.missing?.push(suite);
    else scores.push(score);
  }
  const out = path.join(root, 'reports', 'mutation', 'scores.json');
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(scores, null, 2)}\n`);
  return scores;
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const parsed = parseMutationArgs(process.argv.slice(2));
  if (typeof parsed === 'string') {
    console.error(parsed);
    process.exit(2);
  }
  const missing: MutationSuite[] = [];
  const scores = await benchMutation(parsed.suites, { ...parsed, missing });
  console.log(mutationLines(scores).join('\n'));
  for (const suite of missing) {
    console.log(`${suite.padEnd(21)}no results yet: run \`npm run mutation -- ${suite}\``);
  }
  console.log(
    'score: killed / (killed + survived + no coverage), documented equivalent mutants (stryker/equivalent-mutants.json) left out; stryker: with them',
  );
  console.log('details: reports/mutation/<suite>.json (every mutant), <suite>.survivors.txt, scores.json');
  process.exitCode = missing.length === 0 && scores.every((s) => s.score >= MUTATION_GOAL) ? 0 : 1;
}
