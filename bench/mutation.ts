/**
 * `npm run mutation [-- <suite>...] [--force] [--command-runner]`: mutation testing of the reference
 * implementations with StrykerJS (docs/mutation.md). Each suite has its Stryker config in
 * `stryker/<suite>.config.json`: the reference files it mutates and the `harness run` that must fail for a
 * mutant to count as killed. Prints the mutation score per suite; exit 1 when a suite is below the goal.
 *
 * Incremental: each suite keeps Stryker's incremental file in reports/mutation/. A killed mutant whose code
 * has not changed is not tested again; every other mutant is (the incremental file is pruned to the killed
 * ones first), because new vectors can kill a mutant that survived, and Stryker's command-level runners
 * cannot see that the plan changed. `--force` tests every mutant again (after a change that may weaken the
 * plan: removed vectors, a changed judge).
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
  killed: number;
  timeout: number;
  survived: number;
  noCoverage: number;
  ignored: number;
  errors: number;
  /** detected / (detected + undetected), in percent; ignored and erroneous mutants are left out. */
  score: number;
  seconds: number;
}

/** The counts and score of one suite from Stryker's mutant results (or a mutation-testing report's). */
export function scoreOf(suite: MutationSuite, statuses: readonly string[], seconds: number): MutationScore {
  const count = (status: string) => statuses.filter((s) => s === status).length;
  const killed = count('Killed');
  const timeout = count('Timeout');
  const survived = count('Survived');
  const noCoverage = count('NoCoverage');
  const detected = killed + timeout;
  const valid = detected + survived + noCoverage;
  return {
    suite,
    mutants: statuses.length,
    killed,
    timeout,
    survived,
    noCoverage,
    ignored: count('Ignored'),
    errors: count('RuntimeError') + count('CompileError'),
    score: valid === 0 ? 100 : (detected / valid) * 100,
    seconds,
  };
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
    const results = await new Stryker(overrides).runMutationTest();
    return scoreOf(
      suite,
      results.map((r) => r.status),
      (Date.now() - started) / 1000,
    );
  } finally {
    process.chdir(cwd);
  }
}

export function mutationLines(scores: readonly MutationScore[]): string[] {
  const pad = (s: string, n: number) => s.padEnd(n);
  const num = (n: number, w = 8) => String(n).padStart(w);
  const lines = [
    `${pad('mutation score', 21)}${'score'.padStart(8)}${'killed'.padStart(8)}${'timeout'.padStart(8)}${'survived'.padStart(9)}${'no-cov'.padStart(8)}${'ignored'.padStart(8)}${'errors'.padStart(8)}   time`,
  ];
  for (const s of scores) {
    lines.push(
      `${pad(s.suite, 21)}${`${s.score.toFixed(2)}%`.padStart(8)}${num(s.killed)}${num(s.timeout)}${num(s.survived, 9)}${num(s.noCoverage)}${num(s.ignored)}${num(s.errors)}   ${s.seconds.toFixed(0)} s${s.score < MUTATION_GOAL ? `  (goal >= ${MUTATION_GOAL}%)` : ''}`,
    );
  }
  return lines;
}

/** Parses the command line of `npm run mutation`; returns a message for a usage error. */
export function parseMutationArgs(
  argv: readonly string[],
): { suites: MutationSuite[]; force: boolean; commandRunner: boolean } | string {
  const suites: MutationSuite[] = [];
  let force = false;
  let commandRunner = false;
  for (const arg of argv) {
    if (arg === '--force') force = true;
    else if (arg === '--command-runner') commandRunner = true;
    else if ((MUTATION_SUITES as readonly string[]).includes(arg)) suites.push(arg as MutationSuite);
    else {
      return `mutation: unknown argument "${arg}": give suites among ${MUTATION_SUITES.join(', ')} (default: all), --force, --command-runner`;
    }
  }
  return { suites: suites.length === 0 ? [...MUTATION_SUITES] : suites, force, commandRunner };
}

export async function benchMutation(
  suites: readonly MutationSuite[] = MUTATION_SUITES,
  options: { force?: boolean; commandRunner?: boolean } = {},
): Promise<MutationScore[]> {
  const scores: MutationScore[] = [];
  for (const suite of suites) scores.push(await runMutation(suite, options));
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
  const scores = await benchMutation(parsed.suites, parsed);
  console.log(mutationLines(scores).join('\n'));
  console.log(`(details per mutant: reports/mutation/<suite>.json; scores: reports/mutation/scores.json)`);
  process.exitCode = scores.every((s) => s.score >= MUTATION_GOAL) ? 0 : 1;
}
