/**
 * The fuzz run's reports: one Allure test per property and target, added next to the results of the last
 * `harness run`, and a `fuzz` field in summary.json. Written once, after the fuzz run, by `harness fuzz`.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import {
  ContentType,
  LabelName,
  Stage,
  Status,
  type Attachment as AllureAttachment,
  type Label,
  type Link,
  type StepResult,
  type TestResult,
} from 'allure-js-commons';
import type { ExecutorInfo } from 'allure-js-commons/sdk';
import { md5, stringifyEnvInfo } from 'allure-js-commons/sdk/reporter';
import type { ResolvedConfig } from '../config/types.ts';
import type { FuzzFailureReport, FuzzReportEntry } from '../core/fuzz.ts';
import { Redactor } from '../core/redact.ts';
import { stripAnsi } from '../core/ansi.ts';
import { ALLURE_CATEGORIES, categorised, FRAMEWORK, REQUIREMENT_LINK_TYPE, runLevelResult } from './allure.ts';
import type { FuzzSummary, FuzzSummaryProperty } from './summary.ts';
import { casesPerSecond, identity, redactValue, writeFileAtomic, type Redact } from './text.ts';

export interface FuzzRunInfo {
  /** ISO time the fuzz run started. */
  startedAt: string;
  /** The command line, as the run reporters record it (keys already masked). */
  command: string;
  harnessVersion: string;
  /**
   * The report's name (Allure's executor.json) unless the allure reporter's `reportName` option gives one:
   * the registry's name for the fuzzed suite (src/cli/builtins.ts).
   */
  reportName?: string;
}

/** The paths written: the Allure results directory and summary.json, null for a reporter not configured. */
export interface FuzzReportPaths {
  allureResults: string | null;
  summary: string | null;
}

/** Every file of one property's fuzz result starts with this, so the next fuzz run can replace exactly it. */
const FILE_PREFIX = 'fuzz-';

/**
 * Writes the fuzz results for the reporters the config enables, with the same options and output
 * directory `harness run` uses: `allure` adds one test result per entry to its results directory (an
 * earlier fuzz result of the same target, `against` and property is replaced; results of a `harness run`
 * stay), `summary` sets the `fuzz` field of summary.json (a summary.json that is missing or unreadable is
 * written with only that field). All text goes through the obfuscation key's redaction and the reporter's
 * own `redact` option.
 */
export function writeFuzzReports(
  config: ResolvedConfig,
  entries: FuzzReportEntry[],
  run: FuzzRunInfo,
  /** How the fuzz run ended (default: from the entries: interrupted if one was, exit 1 unless all passed). */
  given?: { interrupted: boolean; exitCode: number },
): FuzzReportPaths {
  const end = given ?? {
    interrupted: entries.some((e) => e.interrupted),
    exitCode: entries.every((e) => fuzzStatus(e) === 'passed') ? 0 : 1,
  };
  const configRedact = keyRedaction(config);
  const paths: FuzzReportPaths = { allureResults: null, summary: null };

  const allure = reporterOptions(config, 'allure');
  if (allure !== null) {
    const redact = compose(configRedact, redactOption(allure));
    const resultsDir = allureDir(config, allure);
    const reportName = stringOption(allure, 'reportName');
    writeAllure(resultsDir, entries, run, redact, reportName);
    rmSync(join(resultsDir, IN_PROGRESS_FILE), { force: true });
    paths.allureResults = resultsDir;
  }

  const summary = reporterOptions(config, 'summary');
  if (summary !== null) {
    const redact = compose(configRedact, redactOption(summary));
    writeSummary(summaryFile(config, summary), {
      ...fuzzSummary(config, entries, run, redact),
      status: end.interrupted ? 'interrupted' : 'complete',
      exitCode: end.exitCode,
      ...(end.interrupted ? { message: 'the fuzz run was interrupted before its budget was spent' } : {}),
    });
    paths.summary = summaryFile(config, summary);
  }
  return paths;
}

/** The Allure result that stands for a fuzz run that has not finished (removed when it has). */
const IN_PROGRESS_FILE = `${FILE_PREFIX}run-in-progress-result.json`;

/**
 * At the start of a fuzz run, before anything that can take time: summary.json's `fuzz` field becomes an
 * "in progress" one (no properties: nothing an earlier run found green survives), and the Allure results
 * gain a broken "the fuzz run has not finished" result, so a fuzz run killed at any point (SIGKILL, a CI
 * timeout) never leaves the previous fuzz run's green report standing. {@link writeFuzzReports} replaces
 * both; {@link writeFuzzUnfinished} with `error` says why a run stopped on an error.
 */
export function writeFuzzUnfinished(
  config: ResolvedConfig,
  run: FuzzRunInfo,
  status: 'in-progress' | 'error',
  message = `the fuzz run started at ${run.startedAt} has not finished. If it is no longer running, it was killed before writing its results`,
): void {
  const configRedact = keyRedaction(config);
  const allure = reporterOptions(config, 'allure');
  if (allure !== null) {
    const redact = compose(configRedact, redactOption(allure));
    const resultsDir = allureDir(config, allure);
    mkdirSync(resultsDir, { recursive: true });
    const name = status === 'error' ? 'the fuzz run stopped on an error' : 'the fuzz run has not finished';
    writeFileAtomic(join(resultsDir, IN_PROGRESS_FILE), JSON.stringify(unfinishedResult(name, redact(message))));
  }
  const summary = reporterOptions(config, 'summary');
  if (summary !== null) {
    const redact = compose(configRedact, redactOption(summary));
    writeSummary(summaryFile(config, summary), {
      status,
      exitCode: status === 'error' ? 2 : 1,
      message: redact(message),
      startedAt: run.startedAt,
      command: redact(run.command),
      seed: config.seed,
      properties: [],
    });
  }
}

function allureDir(config: ResolvedConfig, options: Record<string, unknown>): string {
  return resolve(stringOption(options, 'resultsDir') ?? join(config.outputDir, 'allure-results'));
}

function summaryFile(config: ResolvedConfig, options: Record<string, unknown>): string {
  return join(resolve(stringOption(options, 'outputDir') ?? config.outputDir), 'summary.json');
}

/** A broken result about the fuzz run itself, never a property's. */
function unfinishedResult(name: string, message: string): TestResult {
  return runLevelResult(`${FRAMEWORK} fuzz: ${name}`, name, message, 'fuzz');
}

// ---------------------------------------------------------------------------------------------------------
// Configuration: the same reporter entries, options and redaction `harness run` uses.

function reporterOptions(config: ResolvedConfig, name: string): Record<string, unknown> | null {
  for (const spec of config.reporters) {
    if (spec === name) return {};
    if (Array.isArray(spec) && spec[0] === name) return spec[1];
  }
  return null;
}

function stringOption(options: Record<string, unknown>, name: string): string | undefined {
  const value = options[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function redactOption(options: Record<string, unknown>): Redact {
  const redact = options['redact'];
  return typeof redact === 'function' ? (redact as Redact) : identity;
}

/** `harness run` redacts the obfuscation key from every result; fuzz entries get the same. */
function keyRedaction(config: ResolvedConfig): Redact {
  if (config.obfuscationKey === null) return identity;
  const redactor = new Redactor();
  redactor.add(config.obfuscationKey);
  // The key is stored upper-case; a report may show it as it was typed or printed in lower case.
  redactor.add(config.obfuscationKey.toLowerCase());
  return (text) => redactor.text(text);
}

function compose(first: Redact, second: Redact): Redact {
  if (second === identity) return first;
  if (first === identity) return second;
  return (text) => second(first(text));
}

// ---------------------------------------------------------------------------------------------------------
// Status, shared by both reports.

type FuzzStatus = FuzzSummaryProperty['status'];

function fuzzStatus(entry: FuzzReportEntry): FuzzStatus {
  if (entry.inconsistency !== null || entry.failures.some((f) => !f.flaky)) return 'failed';
  if (entry.broken !== null) return 'broken';
  if (entry.failures.length > 0) return 'flaky';
  return entry.interrupted ? 'interrupted' : 'passed';
}

function subject(entry: FuzzReportEntry): string {
  return entry.against === null ? entry.target : `${entry.target} vs ${entry.against}`;
}

function durationMs(entry: FuzzReportEntry): number {
  return Math.max(0, entry.stop - entry.start);
}

// ---------------------------------------------------------------------------------------------------------
// Allure

function writeAllure(
  resultsDir: string,
  entries: FuzzReportEntry[],
  run: FuzzRunInfo,
  redact: Redact,
  reportName: string | undefined,
): void {
  const host = hostname();
  const existing = existsSync(resultsDir) ? readdirSync(resultsDir) : [];
  const stale: string[] = [];
  for (const original of entries) {
    const entry = redactValue(original, redact);
    const fullName = `fuzz · ${subject(entry)}: ${entry.property}`;
    const stableId = md5(fullName);
    const prefix = `${FILE_PREFIX}${stableId}-`;
    // The earlier result of this property is removed only after the new one is on disk, so a report
    // generated meanwhile shows one or the other, never neither.
    stale.push(...existing.filter((name) => name.startsWith(prefix)));
    const uuid = randomUUID();
    const files = new AttachmentFiles(resultsDir, `${prefix}${uuid}`);
    const result = toAllure(entry, { uuid, fullName, stableId, host }, files);
    writeFileAtomic(join(resultsDir, `${prefix}${uuid}-result.json`), JSON.stringify(result));
  }
  for (const name of stale) rmSync(join(resultsDir, name), { force: true });
  writeRunFilesIfMissing(resultsDir, entries, run, redact, reportName);
}

/** Attachment files named after their result, so replacing a property's result removes them too. */
class AttachmentFiles {
  private count = 0;
  constructor(
    private readonly dir: string,
    private readonly prefix: string,
  ) {}

  add(name: string, body: string, type: ContentType.TEXT | ContentType.JSON = ContentType.TEXT): AllureAttachment {
    this.count++;
    const extension = type === ContentType.JSON ? 'json' : 'txt';
    const source = `${this.prefix}-${this.count}-attachment.${extension}`;
    writeFileAtomic(join(this.dir, source), body);
    return { name, type, source };
  }
}

function toAllure(
  entry: FuzzReportEntry,
  ids: { uuid: string; fullName: string; stableId: string; host: string },
  files: AttachmentFiles,
): TestResult {
  const fuzzed = fuzzStatus(entry);
  const status =
    fuzzed === 'failed' ? Status.FAILED : fuzzed === 'flaky' || fuzzed === 'broken' ? Status.BROKEN : Status.PASSED;
  const requirements = [
    ...new Set([...(entry.inconsistency?.requirements ?? []), ...entry.failures.flatMap((f) => f.requirements)]),
  ];
  const labels: Label[] = [
    { name: LabelName.PARENT_SUITE, value: entry.specification },
    { name: LabelName.SUITE, value: 'fuzz' },
    { name: LabelName.SUB_SUITE, value: subject(entry) },
    { name: LabelName.EPIC, value: entry.specification },
    { name: LabelName.FEATURE, value: 'fuzz' },
    { name: LabelName.TAG, value: 'fuzz' },
    { name: LabelName.HOST, value: ids.host },
    { name: LabelName.FRAMEWORK, value: FRAMEWORK },
  ];
  if (entry.interrupted) labels.push({ name: LabelName.TAG, value: 'interrupted' });
  const story = requirements[0];
  if (story !== undefined) labels.push({ name: LabelName.STORY, value: story });
  for (const id of requirements) labels.push({ name: 'requirement', value: id });
  const links: Link[] = requirements.map((id) => ({
    name: id,
    url: `requirements.html#${encodeURIComponent(id)}`,
    type: REQUIREMENT_LINK_TYPE,
  }));

  const parameters = [{ name: 'target', value: entry.target }];
  if (entry.against !== null) parameters.push({ name: 'against', value: entry.against });
  parameters.push({ name: 'seed', value: String(entry.seed) }, { name: 'runs', value: String(entry.runs) });

  const attachments: AllureAttachment[] = [];
  const steps: StepResult[] = [];
  if (entry.inconsistency !== null) {
    const { message } = entry.inconsistency;
    const broken = entry.inconsistency.requirements.join(', ');
    attachments.push(files.add('inconsistency', `${message}\n\nrequirements: ${broken}\n`));
    steps.push({
      name: `inconsistency: ${firstLine(message)}`,
      status: Status.FAILED,
      statusDetails: { message: categorised(message, entry.inconsistency.category) },
      stage: Stage.FINISHED,
      steps: [],
      attachments: [],
      parameters: [],
      start: entry.start,
      stop: entry.stop,
    });
  }
  entry.failures.forEach((failure, index) => {
    const n = index + 1;
    attachments.push(files.add(`failure ${n}: counterexample`, `${failure.counterexample}\n`));
    attachments.push(files.add(`failure ${n}: seed and path`, reproduction(failure)));
    steps.push({
      name: `failure ${n}${failure.flaky ? ' (flaky)' : ''}: ${firstLine(failure.message)}`,
      status: failure.flaky ? Status.BROKEN : Status.FAILED,
      statusDetails: { message: categorised(failure.message, failure.category), trace: reproduction(failure) },
      stage: Stage.FINISHED,
      steps: [],
      attachments: [],
      parameters: [],
      start: entry.start,
      stop: entry.start + failure.foundAfterMs,
    });
  });
  attachments.push(files.add('statistics.json', JSON.stringify(statistics(entry), null, 2), ContentType.JSON));
  for (const extra of entry.statistics.attachments) attachments.push(files.add(extra.name, extra.body));
  if (entry.statistics.informational.length > 0) {
    attachments.push(files.add('informational.txt', `${entry.statistics.informational.join('\n')}\n`));
  }

  return {
    uuid: ids.uuid,
    name: `fuzz: ${entry.property}`,
    fullName: ids.fullName,
    historyId: ids.stableId,
    testCaseId: ids.stableId,
    titlePath: [entry.specification, 'fuzz', subject(entry)],
    status,
    statusDetails: statusDetails(entry, fuzzed),
    stage: Stage.FINISHED,
    description: description(entry, fuzzed),
    labels,
    links,
    parameters,
    steps,
    attachments,
    start: entry.start,
    stop: entry.stop,
  };
}

function statusDetails(entry: FuzzReportEntry, status: FuzzStatus): TestResult['statusDetails'] {
  const details: TestResult['statusDetails'] = {};
  const first = entry.failures.find((f) => !f.flaky) ?? entry.failures[0];
  if (status === 'failed' && entry.inconsistency !== null && (first === undefined || first.flaky)) {
    details.message = categorised(entry.inconsistency.message, entry.inconsistency.category);
    details.trace = `requirements: ${entry.inconsistency.requirements.join(', ')}`;
  } else if (first !== undefined) {
    details.message = categorised(first.message, first.category);
    details.trace = [`requirements: ${first.requirements.join(', ')}`, reproduction(first)].join('\n');
    // Allure marks a flaky test with its own icon; the SDK's type does not list the field.
    if (status === 'flaky') Object.assign(details, { flaky: true });
  } else if (entry.broken !== null) {
    details.message = categorised(`the target misbehaved: ${entry.broken}`, 'broken-target');
  } else if (status === 'interrupted') {
    details.message = `interrupted: no failure in ${entry.runs} runs before the fuzz run was stopped`;
  }
  // A driver's error (Playwright's call log) may be coloured: a report is not a terminal.
  if (details.message !== undefined) details.message = stripAnsi(details.message);
  if (details.trace !== undefined) details.trace = stripAnsi(details.trace);
  return details;
}

function reproduction(failure: FuzzFailureReport): string {
  const lines = [
    `seed ${failure.seed}, path ${failure.path}`,
    `found after ${failure.foundAfterRuns} runs (${failure.foundAfterMs} ms), shrunk in ${failure.shrinks} steps`,
    failure.flaky ? 'flaky: did not fail again on both re-runs' : 'deterministic: failed again on both re-runs',
  ];
  if (failure.file !== null) lines.push(`kept as ${failure.file}`);
  if (failure.replay !== null) lines.push(`replay: ${failure.replay}`);
  return `${lines.join('\n')}\n`;
}

function statistics(entry: FuzzReportEntry) {
  const ms = durationMs(entry);
  return {
    runs: entry.runs,
    cases: entry.statistics.cases,
    durationMs: ms,
    casesPerSecond: Math.round(casesPerSecond(entry.statistics.cases, ms)),
    interrupted: entry.interrupted,
    tables: entry.statistics.tables,
  };
}

function description(entry: FuzzReportEntry, status: FuzzStatus): string {
  const stats = statistics(entry);
  const lines = [
    `**Fuzz property:** ${entry.property} on ${subject(entry)}`,
    '',
    `**Outcome:** ${status}: ${entry.failures.length} failure(s)${entry.inconsistency ? ', an inconsistency' : ''}`,
    '',
    `**Budget spent:** ${stats.runs} runs, ${stats.cases} cases in ${(stats.durationMs / 1000).toFixed(1)} s (${stats.casesPerSecond} cases/s), seed ${entry.seed}`,
  ];
  if (entry.interrupted) lines.push('', '**Interrupted:** the fuzz run was stopped before its budget was spent.');
  if (entry.statistics.informational.length > 0) {
    lines.push('', `**Informational:** ${entry.statistics.informational.length} implementation-defined difference(s)`);
  }
  for (const failure of entry.failures) {
    if (failure.replay !== null) lines.push('', `**Replay:** \`${failure.replay}\``);
  }
  return lines.join('\n');
}

function firstLine(text: string): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}

/**
 * Categories, environment and executor are written by `harness run`; after a fuzz run alone the directory
 * still needs them (categories make `[category]` messages land in the right Allure category). A run's own
 * files are kept: they describe its targets better than a fuzz run can.
 */
function writeRunFilesIfMissing(
  resultsDir: string,
  entries: FuzzReportEntry[],
  run: FuzzRunInfo,
  redact: Redact,
  reportName: string | undefined,
): void {
  const categories = join(resultsDir, 'categories.json');
  if (!existsSync(categories)) writeFileAtomic(categories, JSON.stringify(ALLURE_CATEGORIES, null, 2));
  const environment = join(resultsDir, 'environment.properties');
  if (!existsSync(environment)) {
    const targets = [...new Set(entries.flatMap((e) => (e.against === null ? [e.target] : [e.target, e.against])))];
    const seed = entries[0]?.seed;
    const env = redactValue(
      {
        'harness.version': run.harnessVersion,
        node: process.version,
        ...(seed === undefined ? {} : { 'fuzz.seed': String(seed) }),
        targets: targets.join(', '),
      },
      redact,
    );
    writeFileAtomic(environment, `${stringifyEnvInfo(env)}\n`);
  }
  const executorFile = join(resultsDir, 'executor.json');
  if (!existsSync(executorFile)) {
    const executor: ExecutorInfo = {
      name: FRAMEWORK,
      type: 'local',
      buildName: `${FRAMEWORK} fuzz ${run.startedAt}`,
      reportName: reportName ?? run.reportName ?? 'Provisioning conformance',
    };
    writeFileAtomic(executorFile, JSON.stringify(redactValue(executor, redact), null, 2));
  }
}

// ---------------------------------------------------------------------------------------------------------
// summary.json

function fuzzSummary(
  config: ResolvedConfig,
  entries: FuzzReportEntry[],
  run: FuzzRunInfo,
  redact: Redact,
): Omit<FuzzSummary, 'status' | 'exitCode'> {
  return {
    startedAt: run.startedAt,
    command: redact(run.command),
    seed: entries[0]?.seed ?? config.seed,
    properties: entries.map((original) => {
      const entry = redactValue(original, redact);
      const stats = statistics(entry);
      return {
        target: entry.target,
        against: entry.against,
        property: entry.property,
        status: fuzzStatus(entry),
        interrupted: entry.interrupted,
        runs: entry.runs,
        cases: stats.cases,
        durationMs: stats.durationMs,
        casesPerSecond: stats.casesPerSecond,
        failures: entry.failures.map((f) => ({
          message: f.message,
          requirements: f.requirements,
          category: f.category ?? null,
          counterexample: f.counterexample,
          seed: f.seed,
          path: f.path,
          flaky: f.flaky,
          replay: f.replay,
          file: f.file,
        })),
        inconsistency:
          entry.inconsistency === null
            ? null
            : {
                message: entry.inconsistency.message,
                requirements: entry.inconsistency.requirements,
                category: entry.inconsistency.category ?? null,
              },
        informational: entry.statistics.informational,
        broken: entry.broken,
      };
    }),
  };
}

/**
 * Sets `fuzz` in summary.json and keeps every other field as `harness run` wrote it. A file that is not a
 * JSON object cannot be merged into; it is a report the next run rewrites anyway, so it is replaced.
 */
function writeSummary(file: string, fuzz: FuzzSummary): void {
  let existing: Record<string, unknown> = {};
  if (existsSync(file)) {
    try {
      const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
        existing = parsed as Record<string, unknown>;
      }
    } catch {
      existing = {};
    }
  }
  writeFileAtomic(file, `${JSON.stringify({ ...existing, fuzz }, null, 2)}\n`);
}
