import { hash, randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';
import {
  ContentType,
  LabelName,
  Severity,
  Stage,
  Status,
  type Attachment as AllureAttachment,
  type Globals,
  type Label,
  type Link,
  type StepResult,
  type TestResult,
  type TestResultContainer,
} from 'allure-js-commons';
import type { Category, EnvironmentInfo, ExecutorInfo } from 'allure-js-commons/sdk';
import { stringifyEnvInfo, type Writer } from 'allure-js-commons/sdk/reporter';
import {
  isBad,
  type Attachment,
  type CaseResult,
  type FailureCategory,
  type StepRecord,
  type Verdict,
} from '../core/results.ts';
import type { Reporter, RunInfo, RunSummary, TargetRun } from '../core/reporter.ts';
import { differences, expectedVsObserved, oneLine, pretty, short } from './diff.ts';
import { identity, redactShared, redactValue, writeFileAtomic, type Redact } from './text.ts';

export interface AllureOptions {
  /** Default: `<run outputDir>/allure-results`. Emptied at onBegin. */
  resultsDir?: string;
  redact?: Redact;
  /** The report's title (executor.json); default: the specifications of the suites run. */
  reportName?: string;
  /** Default: a writer that writes each file once without fsync (see {@link ResultsDirWriter}). */
  writer?: Writer;
}

/** The label, link and framework names the harness uses in Allure results. */
export const FRAMEWORK = 'provisioning-harness';
export const REQUIREMENT_LINK_TYPE = 'requirement';

const STATUS: Record<Verdict, Status> = {
  pass: Status.PASSED,
  informational: Status.PASSED,
  'non-strict': Status.PASSED,
  fail: Status.FAILED,
  broken: Status.BROKEN,
  'not-applicable': Status.SKIPPED,
};

const STEP_STATUS: Record<StepRecord['status'], Status> = {
  passed: Status.PASSED,
  failed: Status.FAILED,
  broken: Status.BROKEN,
  skipped: Status.SKIPPED,
};

/**
 * The Allure category of each failure category, in the order Allure tries them (first match wins). A record
 * over every {@link FailureCategory}: the compiler rejects a category without a rule, so no failure of any
 * suite falls into Allure's catch-all "Product defects" (test/reporters/allure-categories.test.ts checks the
 * suites' own lists against it too).
 */
const CATEGORY_NAMES = {
  'password-leak': 'Password leak',
  'state-changed-by-failing-request': 'State changed by a failing request (atomicity)',
  'wrong-result-code': 'Wrong result code',
  precedence: 'Error precedence',
  'wrong-state': 'Wrong state',
  'not-handled': 'Not handled / handled unexpectedly (routing)',
  'handled-unexpectedly': 'Not handled / handled unexpectedly (routing)',
  'wrong-delivery': 'Wrong result delivery',
  'inconsistent-choice': 'Inconsistent implementation-defined choice',
  'browser-altered-url': 'Link altered by the browser',
  'server-error': 'Server error (HTTP 5xx, stack trace)',
  'schema-violation': 'Answer breaks the documented format (schema violation)',
  'broken-target': 'Broken target',
} satisfies Record<FailureCategory, string>;

/** Prefixes of the results the expectations decided (docs/expectations.md). */
export const GATE_CATEGORIES = {
  known: 'known-deviation',
  changed: 'changed-deviation',
  unexpectedPass: 'unexpected-pass',
} as const;

/** Prefixes of the results that stand for the run itself, not a case: cases not run, a run not finished. */
export const RUN_CATEGORIES = { notRun: 'not-run', unfinished: 'run-not-finished' } as const;

/**
 * The message Allure shows for a failed or broken result: `[category] message`, the prefix its categories
 * (below) match. The only writer of the prefix, for the results of `harness run` and of `harness fuzz`; a
 * suite's message never carries one.
 */
export function categorised(message: string, category: string | undefined): string {
  return category ? `[${category}] ${message}` : message;
}

/**
 * Allure categories, matched by Allure (Java `String.matches`, so whole-message) against the `[category]`
 * prefix the reporters put on every failed or broken result's message (the case's own message has none).
 * A failure category matches failed and broken results alike: a fuzz failure that did not repeat (flaky) is
 * broken but keeps its category.
 */
export const ALLURE_CATEGORIES: Category[] = [
  category(
    'Known deviations (expected: harness.expectations.json)',
    [GATE_CATEGORIES.known],
    [Status.FAILED, Status.BROKEN],
  ),
  category('Known deviations failing in a new way', [GATE_CATEGORIES.changed], [Status.FAILED, Status.BROKEN]),
  category(
    'Unexpected passes (fixed deviations: remove their entries)',
    [GATE_CATEGORIES.unexpectedPass],
    [Status.FAILED, Status.PASSED],
  ),
  ...Object.entries(
    Object.entries(CATEGORY_NAMES).reduce<Record<string, string[]>>((groups, [id, name]) => {
      (groups[name] ??= []).push(id);
      return groups;
    }, {}),
  ).map(([name, ids]) =>
    category(name, ids, ids.includes('broken-target') ? [Status.BROKEN] : [Status.FAILED, Status.BROKEN]),
  ),
  category('Cases not run (run interrupted, or a target stopped answering)', [RUN_CATEGORIES.notRun], [Status.BROKEN]),
  category('Run did not finish (killed)', [RUN_CATEGORIES.unfinished], [Status.BROKEN]),
];

/**
 * The hex MD5 Allure's SDK computes (`md5` of allure-js-commons: createHash('md5')...digest('hex')), in
 * one call: a hash object per case and attachment was a measurable part of a case's reporting.
 */
export function md5(text: string): string {
  return hash('md5', text, 'hex');
}

function category(name: string, categories: readonly string[], statuses: Status[]): Category {
  return {
    name,
    messageRegex: `(?s)\\[(?:${categories.join('|')})\\].*`,
    matchedStatuses: statuses,
  };
}

/**
 * Renames `dir` to a hidden sibling (`.allure-results-old-<pid>-<time>`) and returns its new path, or null
 * when there is nothing to move. Leftovers of a run that was killed before deleting them are swept too.
 */
function moveAside(dir: string): string | null {
  const parent = join(dir, '..');
  const prefix = `.${basename(dir)}-old-`;
  if (existsSync(parent)) {
    for (const name of readdirSync(parent)) {
      if (name.startsWith(prefix)) rmSync(join(parent, name), { recursive: true, force: true });
    }
  }
  if (!existsSync(dir)) return null;
  const aside = join(parent, `${prefix}${process.pid}-${Date.now()}`);
  renameSync(dir, aside);
  return aside;
}

/**
 * Writes files into an Allure results directory. The SDK's FileSystemWriter fsyncs and renames every file,
 * about half a millisecond each: with a result per case that alone would hold a run far below 2,000
 * cases/s. A results directory is rebuilt by every run, so plain writes are enough; see the constructor
 * for why they are synchronous.
 */
const EXTENSIONS: Record<Attachment['contentType'], string> = {
  'text/plain': 'txt',
  'application/json': 'json',
  'application/xml': 'xml',
  'image/png': 'png',
};

export class ResultsDirWriter implements Writer {
  private created = false;
  private failure: unknown = null;

  /**
   * Files are written synchronously as each case ends: a small write costs ~10 µs, far less than a round
   * trip through the thread pool, and a killed run keeps every result already reported.
   */
  constructor(readonly resultsDir: string) {}

  writeResult(result: TestResult): void {
    this.write(`${result.uuid}-result.json`, JSON.stringify(result));
  }

  writeGroup(result: TestResultContainer): void {
    this.write(`${result.uuid}-container.json`, JSON.stringify(result));
  }

  writeAttachment(distFileName: string, content: Buffer): void {
    this.write(distFileName, content);
  }

  writeAttachmentFromPath(distFileName: string, from: string): void {
    this.ensureDir();
    copyFileSync(from, join(this.resultsDir, distFileName));
  }

  writeEnvironmentInfo(info: EnvironmentInfo): void {
    this.write('environment.properties', stringifyEnvInfo(info) + '\n');
  }

  writeCategoriesDefinitions(categories: Category[]): void {
    this.write('categories.json', JSON.stringify(categories, null, 2));
  }

  writeGlobals(distFileName: string, info: Globals): void {
    this.write(distFileName, JSON.stringify(info));
  }

  /** Rejects with the first write error since the last flush, if any (writes themselves never throw). */
  async flush(): Promise<void> {
    if (this.failure !== null) {
      const failure = this.failure;
      this.failure = null;
      throw failure;
    }
    return Promise.resolve();
  }

  private write(name: string, content: string | Buffer): void {
    try {
      this.ensureDir();
      writeFileSync(join(this.resultsDir, name), content);
    } catch (error) {
      this.failure ??= error;
    }
  }

  private ensureDir(): void {
    if (this.created) return;
    mkdirSync(this.resultsDir, { recursive: true });
    this.created = true;
  }
}

/**
 * `<outputDir>/allure-results/`: one Allure result per case, written as the case ends, plus categories,
 * environment and executor files. The HTML report is generated from it by {@link generateAllureReport}.
 */
export class AllureReporter implements Reporter {
  private readonly redact: Redact;
  private readonly host = hostname();
  private run: RunInfo | null = null;
  private targets: TargetRun[] = [];
  /** Requirement id -> its level in the specification (MUST, SHOULD, ...), from the suites of the run. */
  private levels = new Map<string, string>();
  private resultsDir = '';
  private writer: Writer | null = null;
  private written: string[] = [];
  private attachmentsWritten = new Set<string>();

  constructor(private readonly options: AllureOptions = {}) {
    this.redact = options.redact ?? identity;
  }

  writtenFiles(): string[] {
    return this.written;
  }

  private readonly targetErrors = new Map<string, string>();

  onTargetError(target: string, message: string): void {
    this.targetErrors.set(target, message);
  }

  /**
   * Results of an earlier run would be merged into this report as if they had run now. They are moved aside
   * in one rename and deleted after this run's own reports are written: deleting thousands of files is the
   * slowest file-system work of a run and need not hold up the cases.
   */
  private clear(run: RunInfo): void {
    this.resultsDir = this.options.resultsDir ?? join(run.outputDir, 'allure-results');
    this.stale = moveAside(this.resultsDir);
    mkdirSync(this.resultsDir, { recursive: true });
  }

  private writeMarker(name: string, message: string): void {
    writeFileAtomic(
      join(this.resultsDir, MARKER_FILE),
      JSON.stringify(marker(name, categorised(message, RUN_CATEGORIES.unfinished))),
    );
  }

  /** An earlier run's results, moved aside at onPrepare (or onBegin), deleted at onEnd. */
  private stale: string | null = null;
  /** onPrepare cleared the results directory for this run already. */
  private prepared = false;

  /**
   * Moves an earlier run's results aside and puts a broken "run in progress" result in their place, so the
   * report of a run killed at any point says it did not finish instead of showing the cases it ran as green.
   */
  onPrepare(run: RunInfo): void {
    this.run = run;
    this.clear(run);
    this.prepared = true;
    this.writeMarker(
      'the run has not finished',
      `The run started at ${run.startedAt} has not finished. If it is no longer running, it was killed: the ` +
        'results here are the cases it finished, and the cases it did not run are missing.',
    );
  }

  onRunError(message: string): void {
    if (this.prepared) this.writeMarker('the run stopped before its first case', this.redact(message));
  }

  onBegin(run: RunInfo, targets: TargetRun[]): void {
    this.run = run;
    this.targets = targets;
    this.levels = new Map((run.suites ?? []).flatMap((suite) => suite.requirements.map((r) => [r.id, r.severity])));
    if (!this.prepared) this.clear(run);
    this.prepared = false;
    this.writer = this.options.writer ?? new ResultsDirWriter(this.resultsDir);
    this.attachmentsWritten = new Set();
    // Written now as well as at the end, so a killed run still yields a complete-looking results dir.
    this.writeRunFiles();
  }

  onCaseEnd(result: CaseResult): void {
    const writer = this.writer;
    if (!writer) throw new Error('onCaseEnd before onBegin');
    const test = this.toAllure(result, writer);
    // The attempts before the last (`retries`) as results of their own with the same historyId: Allure
    // shows them as the case's retries, the last one as its result.
    for (const attempt of this.earlierAttempts(result, test)) writer.writeResult(attempt);
    writer.writeResult(test);
  }

  private earlierAttempts(original: CaseResult, test: TestResult): TestResult[] {
    const attempts = original.attempts ?? [];
    return attempts.slice(0, -1).map((attempt) => {
      const message = this.redact(attempt.message);
      const category = attempt.category ?? (attempt.verdict === 'broken' ? 'broken-target' : undefined);
      return {
        ...test,
        uuid: randomUUID(),
        status: STATUS[attempt.verdict],
        statusDetails: { message: isBad(attempt.verdict) ? categorised(oneLine(message), category) : message },
        steps: [],
        attachments: [],
        start: attempt.start,
        stop: attempt.stop,
      };
    });
  }

  /** Waits until every result and attachment handed over so far is on disk. */
  async flush(): Promise<void> {
    if (this.writer) await flushWriter(this.writer);
  }

  async onEnd(summary: RunSummary): Promise<void> {
    if (!this.writer) throw new Error('onEnd before onBegin');
    rmSync(join(this.resultsDir, MARKER_FILE), { force: true });
    for (const [target, count] of Object.entries(summary.notRun ?? {})) {
      if (count <= 0) continue;
      const why =
        this.targetErrors.get(target) ??
        (summary.interrupted ? 'the run was interrupted' : (summary.stopped ?? 'they did not run'));
      this.writer.writeResult(
        marker(
          `${this.redact(target)}: ${count} case(s) not run`,
          categorised(`${count} case(s) not run: ${this.redact(why)}`, RUN_CATEGORIES.notRun),
        ),
      );
    }
    // Flushed before and after: the run files written at onBegin must not race their final version.
    await flushWriter(this.writer);
    this.writeRunFiles();
    await flushWriter(this.writer);
    this.written = [this.resultsDir];
    if (this.stale !== null) await rm(this.stale, { recursive: true, force: true });
    this.stale = null;
  }

  /** Builds the Allure TestResult for one case (attachments are written through the writer on the way). */
  toAllure(original: CaseResult, writer: Writer): TestResult {
    const result = redactShared(original, this.redact);
    const fullName = `${result.target}: ${result.id}`;
    const stableId = md5(fullName);
    const labels: Label[] = [
      { name: LabelName.PARENT_SUITE, value: result.specification },
      {
        name: LabelName.SUITE,
        value: result.route ? `${result.route.platform} / ${result.route.method} · ${result.target}` : result.target,
      },
      { name: LabelName.SUB_SUITE, value: result.area },
      { name: LabelName.EPIC, value: result.specification },
      { name: LabelName.FEATURE, value: result.area },
      { name: LabelName.HOST, value: this.host },
      { name: LabelName.FRAMEWORK, value: FRAMEWORK },
    ];
    // A case that checks several requirements is filed under each of them (Behaviors: one story each).
    for (const id of result.requirements) labels.push({ name: LabelName.STORY, value: id });
    labels.push({ name: LabelName.SEVERITY, value: severity(result.requirements.map((id) => this.levels.get(id))) });
    if (result.verdict === 'non-strict' || result.verdict === 'informational') {
      labels.push({ name: LabelName.TAG, value: result.verdict });
    }
    for (const id of result.requirements) labels.push({ name: 'requirement', value: id });
    const links: Link[] = result.requirements.map((id) => ({
      name: id,
      url: `requirements.html#${encodeURIComponent(id)}`,
      type: REQUIREMENT_LINK_TYPE,
    }));

    const test: TestResult = {
      uuid: randomUUID(),
      name: result.title,
      fullName,
      historyId: stableId,
      testCaseId: stableId,
      titlePath: [result.specification, result.target, result.area],
      status: STATUS[result.verdict],
      statusDetails: this.statusDetails(result),
      stage: Stage.FINISHED,
      description: description(result),
      labels,
      links,
      parameters: Object.entries(result.parameters).map(([name, value]) => ({ name, value })),
      steps: result.steps.map((step) => this.step(step, writer)),
      attachments: [
        ...(result.verdict === 'fail' && (result.expected !== undefined || result.observed !== undefined)
          ? [
              this.attach(
                {
                  name: 'expected vs observed (differences first)',
                  contentType: 'text/plain',
                  body: expectedVsObserved(result.expected, result.observed),
                },
                writer,
              ),
            ]
          : []),
        ...result.attachments.map((attachment) => this.attach(attachment, writer)),
      ],
      start: result.start,
      stop: result.stop,
    };
    this.expectation(result, test);
    return test;
  }

  /**
   * What the expectations decided (docs/expectations.md): a known deviation keeps its status, is marked
   * `known` and falls in the category "Known deviations" (a changed one in its own); an unexpected pass
   * that fails the run is failed, in "Unexpected passes".
   */
  private expectation(result: CaseResult, test: TestResult): void {
    const e = result.expectation;
    if (e === undefined || e.status === 'unexpected-verdict') return;
    const because = `${this.redact(e.reason)}${e.link === undefined ? '' : ` (${e.link})`}`;
    test.labels.push({ name: LabelName.TAG, value: e.status });
    if (e.link !== undefined) test.links.push({ name: 'vendor bug', url: e.link, type: 'issue' });
    if (e.status === 'unexpected-pass') {
      if (e.failsRun) test.status = Status.FAILED;
      test.statusDetails = {
        message: categorised(
          `expected ${e.allowed.join(' or ')} (${because}), and it passed: the deviation was fixed: remove the entry ${e.where}`,
          GATE_CATEGORIES.unexpectedPass,
        ),
        trace: `replay: ${result.replay}`,
      };
      return;
    }
    const details = test.statusDetails;
    const prefix = e.status === 'changed' ? GATE_CATEGORIES.changed : GATE_CATEGORIES.known;
    // The failure's own category stays in the message, after the prefix the category rules match.
    const message = details.message ?? oneLine(result.message);
    details.message = categorised(
      `${e.status === 'changed' ? 'failing in a new way: ' : ''}${message} (expected: ${because})`,
      prefix,
    );
    // Allure's own mark of a known issue (its results model has it; allure-js-commons' types do not).
    (details as typeof details & { known?: boolean }).known = true;
    const recorded =
      e.status === 'changed'
        ? `\nrecorded: ${[e.recorded?.category, e.recorded?.message].filter(Boolean).join(' ')}`
        : '';
    details.trace = `known deviation: ${because}; entry ${e.where}${recorded}\n${details.trace ?? ''}`;
  }

  private statusDetails(result: CaseResult): TestResult['statusDetails'] {
    const details: TestResult['statusDetails'] = {};
    switch (result.verdict) {
      case 'fail':
      case 'broken': {
        const category = result.category ?? (result.verdict === 'broken' ? 'broken-target' : undefined);
        // The message is the one-line summary (Allure shows it in lists); the trace has it in full, with
        // the differing fields of expected vs observed before anything else.
        const summary = oneLine(result.message);
        details.message = categorised(summary, category);
        const trace = [result.message];
        const diff = differenceLines(result.expected, result.observed);
        if (diff.length > 0) trace.push(...diff);
        if (result.requirements.length > 0) trace.push(`requirements: ${result.requirements.join(', ')}`);
        if (Object.keys(result.choices).length > 0) trace.push(`choices: ${choiceList(result.choices)}`);
        trace.push(`replay: ${result.replay}`);
        details.trace = trace.join('\n');
        if (result.expected !== undefined) details.expected = pretty(result.expected);
        if (result.observed !== undefined) details.actual = pretty(result.observed);
        break;
      }
      case 'informational':
        details.message = `informational: passed under the implementation-defined choices ${choiceList(result.choices)}. ${result.message}`;
        details.trace = `replay: ${result.replay}`;
        break;
      case 'non-strict':
        details.message = `non-strict: accepted, but deviates from the strict reading of the specification. ${result.message}`;
        details.trace = `replay: ${result.replay}`;
        break;
      case 'not-applicable': {
        const missing = result.missing?.length ? ` (missing capabilities: ${result.missing.join(', ')})` : '';
        details.message = `not applicable${missing}: ${result.message}`;
        break;
      }
      case 'pass':
        if (result.message) details.message = result.message;
        break;
    }
    // Passed only on a retry: Allure's own flaky mark (statusDetails.flaky, which Allure 2 and 3 read;
    // allure-js-commons' type lacks it), the earlier attempts being the case's retries.
    if (result.flaky === true) (details as NonNullable<TestResult['statusDetails']> & { flaky?: boolean }).flaky = true;
    return details;
  }

  private step(step: StepRecord, writer: Writer): StepResult {
    return {
      name: step.name,
      status: STEP_STATUS[step.status],
      statusDetails: step.message !== undefined ? { message: step.message } : {},
      stage: Stage.FINISHED,
      steps: [],
      attachments: (step.attachments ?? []).map((attachment) => this.attach(attachment, writer)),
      parameters: [],
      start: step.start,
      stop: step.stop,
    };
  }

  /**
   * Attachments are content-addressed: many cases carry the same body (the same prediction, the same
   * state), and writing each body once roughly halves the files a run creates, the reporter's main cost.
   * `attachment` comes from an already redacted case.
   */
  private attach(attachment: Attachment, writer: Writer): AllureAttachment {
    const extension = EXTENSIONS[attachment.contentType];
    const source = `${md5(attachment.body)}-attachment.${extension}`;
    if (!this.attachmentsWritten.has(source)) {
      writer.writeAttachment(
        source,
        Buffer.from(attachment.body, attachment.encoding === 'base64' ? 'base64' : 'utf8'),
      );
      this.attachmentsWritten.add(source);
    }
    return { name: attachment.name, type: attachment.contentType, source };
  }

  private writeRunFiles(): void {
    const run = this.run;
    const writer = this.writer;
    if (!run || !writer) return;
    writer.writeCategoriesDefinitions(ALLURE_CATEGORIES);
    const env: EnvironmentInfo = {
      'harness.version': run.harnessVersion,
      node: process.version,
      seed: String(run.seed),
      targets: this.targets.map((t) => t.name).join(', '),
    };
    // A shard's results are its part of the plan only; a merge's say what they joined.
    if (run.shard !== undefined) env['shard'] = `${run.shard.index}/${run.shard.total}`;
    if (run.merge !== undefined) {
      env['merged'] = run.merge.runs
        .map((r) => (r.shard === undefined ? r.dir : `${r.dir} (shard ${r.shard.index}/${r.shard.total})`))
        .join(', ');
      if (run.merge.missing.length > 0) env['missing'] = run.merge.missing.join(', ');
    }
    for (const t of this.targets) {
      if (t.info.platform !== undefined) env[`target.${t.name}.platform`] = t.info.platform;
      env[`target.${t.name}.version`] = t.info.version;
      if (t.info.methods !== undefined) env[`target.${t.name}.methods`] = t.info.methods.join(', ');
      env[`target.${t.name}.capabilities`] = t.info.capabilities.join(', ');
    }
    writer.writeEnvironmentInfo(redactValue(env, this.redact));
    const executor: ExecutorInfo = {
      name: FRAMEWORK,
      type: 'local',
      buildName: `${FRAMEWORK} ${run.merge !== undefined ? 'merge of the runs' : 'run'} ${run.startedAt}${run.shard === undefined ? '' : ` (shard ${run.shard.index}/${run.shard.total})`}`,
      reportName: this.options.reportName ?? reportTitle(run),
    };
    // executor.json is not part of the SDK's Writer interface; it always lives in the results directory.
    writeFileAtomic(
      join(this.resultsDir, 'executor.json'),
      JSON.stringify(redactValue(executor, this.redact), null, 2),
    );
  }
}

/**
 * Allure's severity from the levels of the requirements a case checks: a MUST is critical, a SHOULD minor
 * (the specification permits deviating from it), anything else (a choice point, no requirement) normal.
 */
export function severity(levels: readonly (string | undefined)[]): Severity {
  if (levels.includes('MUST')) return Severity.CRITICAL;
  if (levels.includes('SHOULD')) return Severity.MINOR;
  return Severity.NORMAL;
}

/** The report's title: the specifications of the suites the run tested, in the order of the targets. */
export function reportTitle(run: Pick<RunInfo, 'suites'>): string {
  const specifications = [...new Set((run.suites ?? []).map((s) => s.specification))];
  return specifications.length === 0
    ? 'Provisioning conformance'
    : `Provisioning conformance: ${specifications.join('; ')}`;
}

/** The result file that stands for a run that has not finished (removed at onEnd). */
const MARKER_FILE = 'provisioning-harness-run-result.json';

/** A broken result about the run itself (not finished, cases not run): never a case of the plan. */
function marker(name: string, message: string): TestResult {
  return runLevelResult(`${FRAMEWORK}: ${name}`, name, message);
}

/**
 * A broken result that stands for a run (or a fuzz run) rather than one of its cases: a run that has not
 * finished, cases not run. `suite` files it under a suite of its own (the fuzz results').
 */
export function runLevelResult(fullName: string, name: string, message: string, suite?: string): TestResult {
  const now = Date.now();
  const id = md5(fullName);
  return {
    uuid: randomUUID(),
    name,
    fullName,
    historyId: id,
    testCaseId: id,
    status: Status.BROKEN,
    statusDetails: { message },
    stage: Stage.FINISHED,
    labels: [
      { name: LabelName.PARENT_SUITE, value: FRAMEWORK },
      ...(suite === undefined ? [] : [{ name: LabelName.SUITE, value: suite }]),
      { name: LabelName.FRAMEWORK, value: FRAMEWORK },
    ],
    links: [],
    parameters: [],
    steps: [],
    attachments: [],
    start: now,
    stop: now,
  };
}

async function flushWriter(writer: Writer): Promise<void> {
  const flush = (writer as Partial<{ flush(): Promise<void> }>).flush;
  if (typeof flush === 'function') await flush.call(writer);
}

function choiceList(choices: Record<string, string>): string {
  const entries = Object.entries(choices);
  return entries.length === 0 ? '(none)' : entries.map(([point, option]) => `${point}=${option}`).join(', ');
}

function differenceLines(expected: unknown, observed: unknown): string[] {
  const diff = differences(expected, observed);
  if (diff.length === 0) return [];
  return [
    `differences (${diff.length}):`,
    ...diff
      .slice(0, 10)
      .map((d) => `  ${d.path || '(value)'}: expected ${short(d.expected)}, observed ${short(d.observed)}`),
  ];
}

/** A Markdown code block that no backtick run inside `text` can end early. */
function fenced(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}\n${text}\n${fence}`;
}

function description(result: CaseResult): string {
  const lines = [`**Verdict:** ${result.verdict}`, '', result.message];
  if (result.requirements.length > 0) lines.push('', `**Requirements:** ${result.requirements.join(', ')}`);
  if (Object.keys(result.choices).length > 0) lines.push('', `**Choices:** ${choiceList(result.choices)}`);
  const diff = differences(result.expected, result.observed);
  if (result.verdict !== 'pass' && diff.length > 0) {
    lines.push('', '**Differences:**', '');
    for (const d of diff.slice(0, 10))
      lines.push(`- \`${d.path || '(value)'}\`: expected \`${short(d.expected)}\`, observed \`${short(d.observed)}\``);
  }
  if (result.expected !== undefined) lines.push('', '**Expected:**', '', fenced(pretty(result.expected)));
  if (result.observed !== undefined) lines.push('', '**Observed:**', '', fenced(pretty(result.observed)));
  lines.push('', `**Replay:** \`${result.replay}\``);
  return lines.join('\n');
}
