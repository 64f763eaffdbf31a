import { HarnessError } from '../core/errors.ts';
import type { Reporter } from '../core/reporter.ts';
import { AllureReporter, type AllureOptions } from './allure.ts';
import { ConsoleReporter, type ConsoleOptions } from './console.ts';
import { GithubReporter, type GithubOptions } from './github.ts';
import { JsonlReporter, type JsonlOptions } from './jsonl.ts';
import { JunitReporter, type JunitOptions } from './junit.ts';
import { ReporterMultiplexer, type MultiplexerOptions, type NamedReporter } from './multiplexer.ts';
import { SummaryReporter, type SummaryOptions } from './summary.ts';
import { identity, type Redact } from './text.ts';

export { AllureReporter, ALLURE_CATEGORIES, ResultsDirWriter, type AllureOptions } from './allure.ts';
export { generateAllureReport, type AllureReportOptions } from './allure-report.ts';
export { writeFuzzReports, type FuzzReportPaths, type FuzzRunInfo } from './fuzz.ts';
export { ConsoleReporter, type ConsoleOptions, type ConsoleStream } from './console.ts';
export { GithubReporter, escapeData, escapeProperty, workflowCommand, type GithubOptions } from './github.ts';
export { JsonlReporter, type JsonlOptions } from './jsonl.ts';
export { JunitReporter, xmlAttr, xmlText, type JunitOptions } from './junit.ts';
export { ReporterMultiplexer, type MultiplexerOptions, type NamedReporter } from './multiplexer.ts';
export { SummaryReporter, type FuzzSummary, type SummaryFile, type SummaryOptions } from './summary.ts';
export type { Redact } from './text.ts';

/** What every built-in reporter gets from the run besides its own options. */
export interface ReporterContext {
  outputDir: string;
  /** Applied to all text a reporter writes, on top of the redaction CaseResults already had. */
  redact: Redact;
  /** The environment (the github reporter reads `GITHUB_STEP_SUMMARY`, ...). Default: process.env. */
  env?: Record<string, string | undefined>;
  /** Where a reporter writing to standard output writes (the github reporter). Default: process.stdout. */
  stdout?: (text: string) => void;
}

/**
 * The built-in reporters: name -> factory. The options type of each is read off its factory, so
 * `['junit', { fileName: 'conformance.xml' }]` type-checks and `['junit', { verbose: true }]` does not.
 */
const REPORTERS = {
  console: (options: ConsoleOptions, context: ReporterContext) =>
    new ConsoleReporter({ ...options, redact: both(context.redact, options.redact) }),
  jsonl: (options: JsonlOptions, context: ReporterContext) =>
    new JsonlReporter({ outputDir: context.outputDir, ...options, redact: both(context.redact, options.redact) }),
  summary: (options: SummaryOptions, context: ReporterContext) =>
    new SummaryReporter({ outputDir: context.outputDir, ...options, redact: both(context.redact, options.redact) }),
  junit: (options: JunitOptions, context: ReporterContext) =>
    new JunitReporter({ outputDir: context.outputDir, ...options, redact: both(context.redact, options.redact) }),
  allure: (options: AllureOptions, context: ReporterContext) =>
    new AllureReporter({ ...options, redact: both(context.redact, options.redact) }),
  github: (options: GithubOptions, context: ReporterContext) =>
    new GithubReporter({
      ...(context.env === undefined ? {} : { env: context.env }),
      ...(context.stdout === undefined ? {} : { stream: { write: context.stdout } }),
      ...options,
      redact: both(context.redact, options.redact),
    }),
} satisfies Record<string, (options: never, context: ReporterContext) => Reporter>;

export type ReporterName = keyof typeof REPORTERS;
export type ReporterOptions<N extends ReporterName> = Parameters<(typeof REPORTERS)[N]>[0];
/** A reporter as a config names it: a bare name, or a name with its options. */
export type ReporterSpec = ReporterName | { [N in ReporterName]: [N, ReporterOptions<N>] }[ReporterName];

export const REPORTER_NAMES = Object.keys(REPORTERS) as ReporterName[];
/** The reporters a run uses when the config names none. */
export const DEFAULT_REPORTERS: readonly ReporterName[] = ['console', 'jsonl', 'summary', 'junit', 'allure'];

export function isReporterName(name: string): name is ReporterName {
  return Object.hasOwn(REPORTERS, name);
}

/** Builds one built-in reporter. Throws HARNESS_CONFIG_INVALID for a name that is not built in. */
export function createReporter(spec: ReporterSpec, context: ReporterContext): Reporter {
  const [name, options] = typeof spec === 'string' ? [spec, {}] : spec;
  if (typeof name !== 'string' || !isReporterName(name)) {
    throw new HarnessError(
      'HARNESS_CONFIG_INVALID',
      `unknown reporter ${JSON.stringify(name)}: the built-in reporters are ${REPORTER_NAMES.join(', ')}`,
    );
  }
  // The spec's name and options were checked together by the ReporterSpec type; the cast only tells the
  // compiler what that correlation already guarantees.
  const factory = REPORTERS[name] as (options: object, context: ReporterContext) => Reporter;
  return factory(options ?? {}, context);
}

/**
 * Builds the run's reporters behind one multiplexer. The console is moved last so that, when its onEnd
 * runs, the file reporters have finished and it can list the reports they actually wrote.
 */
export function createReporters(
  specs: readonly ReporterSpec[] = DEFAULT_REPORTERS,
  context: ReporterContext,
  multiplexerOptions: MultiplexerOptions = {},
): ReporterMultiplexer {
  const entries: NamedReporter[] = [];
  const consoles: NamedReporter[] = [];
  const fileReporters: Reporter[] = [];
  for (const spec of specs) {
    const name = typeof spec === 'string' ? spec : spec[0];
    if (name === 'console') {
      const options: ConsoleOptions = typeof spec === 'string' ? {} : (spec[1] as ConsoleOptions);
      const reporter = createReporter(
        ['console', { reportPaths: () => reportPaths(fileReporters), ...options }],
        context,
      );
      consoles.push({ name, reporter });
    } else {
      const reporter = createReporter(spec, context);
      fileReporters.push(reporter);
      entries.push({ name, reporter });
    }
  }
  return new ReporterMultiplexer([...entries, ...consoles], { redact: context.redact, ...multiplexerOptions });
}

interface WritesFiles {
  writtenFiles(): string[];
}

function writesFiles(reporter: Reporter): reporter is Reporter & WritesFiles {
  return typeof (reporter as Partial<WritesFiles>).writtenFiles === 'function';
}

function reportPaths(reporters: readonly Reporter[]): string[] {
  return reporters.filter(writesFiles).flatMap((reporter) => reporter.writtenFiles());
}

function both(first: Redact, second: Redact | undefined): Redact {
  if (!second || second === first) return first;
  if (first === identity) return second;
  return (text) => second(first(text));
}
