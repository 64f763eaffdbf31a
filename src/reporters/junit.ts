import { closeSync, mkdirSync, mkdtempSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { CaseResult } from '../core/results.ts';
import type { Reporter, RunInfo, RunSummary, TargetRun } from '../core/reporter.ts';
import { expectedVsObserved, oneLine } from './diff.ts';
import { AppendFile, formatCount, identity, redactShared, writeFileAtomic, type Redact } from './text.ts';

export interface JunitOptions {
  /** Default: the run's outputDir. */
  outputDir?: string;
  /** File name inside outputDir (default `junit.xml`). */
  fileName?: string;
  redact?: Redact;
}

// XML 1.0 allows #x9 #xA #xD [#x20-#xD7FF] [#xE000-#xFFFD] [#x10000-#x10FFFF]; anything else (C0 controls,
// U+FFFE/U+FFFF, unpaired surrogates) makes the whole document unparseable, and no escape exists for it.
const XML_FORBIDDEN =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// A literal CR in text would be normalised to LF by every parser; a character reference keeps it.
const TEXT_SPECIAL = /[&<>\r]/g;
const ATTR_SPECIAL = /[&<>"'\t\n\r]/g;
const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  // Attribute-value normalisation would turn these into spaces; character references keep them.
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};
const entity = (c: string): string => ENTITIES[c] ?? c;

/** Escapes text content and strips what XML 1.0 forbids. */
export function xmlText(text: string): string {
  return text.replace(XML_FORBIDDEN, '').replace(TEXT_SPECIAL, entity);
}

/** Escapes an attribute value (double-quoted) and strips what XML 1.0 forbids. */
export function xmlAttr(text: string): string {
  return text.replace(XML_FORBIDDEN, '').replace(ATTR_SPECIAL, entity);
}

interface SuiteState {
  name: string;
  /** Testcases are streamed to this part file and spliced into junit.xml at the end. */
  part: AppendFile;
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
  /** Wall time of the target's share of the run: its first case's start to its last case's stop. */
  firstStart: number;
  lastStop: number;
  error: string | null;
}

/**
 * `<outputDir>/junit.xml`: one <testsuite> per target, one <testcase> per case. A testsuite's counts come
 * before its testcases in the file, so each testcase is written to a per-target part file as it arrives
 * (memory stays flat over a long run) and the document is assembled once the counts are known.
 */
export class JunitReporter implements Reporter {
  private readonly redact: Redact;
  private run: RunInfo | null = null;
  private partsDir = '';
  private suites = new Map<string, SuiteState>();
  private written: string[] = [];

  constructor(private readonly options: JunitOptions = {}) {
    this.redact = options.redact ?? identity;
  }

  writtenFiles(): string[] {
    return this.written;
  }

  /** Replaces an earlier run's junit.xml with a failing one saying this run has not finished. */
  onPrepare(run: RunInfo): void {
    this.run = run;
    this.writePlaceholder(
      'run-in-progress',
      `the run started at ${run.startedAt} has not finished. If it is no longer running, it was killed before ` +
        'writing its reports: results.jsonl holds the cases it finished',
    );
  }

  onRunError(message: string): void {
    this.writePlaceholder('run-error', `the run stopped before its first case: ${this.redact(message)}`);
  }

  onBegin(run: RunInfo, targets: TargetRun[]): void {
    this.closeParts();
    if (this.partsDir) rmSync(this.partsDir, { recursive: true, force: true });
    this.run = run;
    this.written = [];
    // Outside the reports directory, so a killed run leaves no debris next to the reports.
    this.partsDir = mkdtempSync(join(tmpdir(), 'harness-junit-'));
    this.suites = new Map();
    for (const target of targets) this.suite(target.name);
  }

  onCaseEnd(original: CaseResult): void {
    const suite = this.suite(original.target);
    const result = redactShared(original, this.redact);
    const ms = Math.max(0, result.stop - result.start);
    suite.tests++;
    // Cases run in parallel: the suite's time is the wall time they spanned, never the sum of theirs.
    if (result.start > 0 && (suite.firstStart === 0 || result.start < suite.firstStart))
      suite.firstStart = result.start;
    if (result.stop > suite.lastStop) suite.lastStop = result.stop;

    let xml = `  <testcase name="${xmlAttr(result.id)}" classname="${xmlAttr(`${result.specification}.${result.area}`)}" time="${seconds(ms)}">\n`;
    const attempts = result.attempts ?? [];
    const e = original.expectation;
    const gated = e !== undefined && e.status !== 'unexpected-verdict';
    if (result.requirements.length > 0 || gated || attempts.length > 0) {
      xml += '   <properties>\n';
      for (const id of result.requirements) xml += `    <property name="requirement" value="${xmlAttr(id)}"/>\n`;
      if (attempts.length > 0) xml += `    <property name="attempts" value="${attempts.length}"/>\n`;
      if (result.flaky === true) xml += '    <property name="flaky" value="true"/>\n';
      if (gated) {
        xml += `    <property name="expectation" value="${xmlAttr(e.status)}"/>\n`;
        xml += `    <property name="expectation-entry" value="${xmlAttr(e.where)}"/>\n`;
        xml += `    <property name="expectation-reason" value="${xmlAttr(this.redact(e.reason))}"/>\n`;
        if (e.link !== undefined) xml += `    <property name="expectation-link" value="${xmlAttr(e.link)}"/>\n`;
      }
      xml += '   </properties>\n';
    }
    // The attribute is the one-line summary a CI page lists; the element's text has everything.
    const message = oneLine(result.message);
    if (gated) {
      // The expectations decided it (docs/expectations.md): a known deviation is skipped with its reason, an
      // unexpected pass or a changed failure fails when the policy says so.
      const because = `${this.redact(e.reason)}${e.link === undefined ? '' : ` (${e.link})`}`;
      if (e.status === 'unexpected-pass') {
        const text = `expected ${e.allowed.join(' or ')} (${because}), and it passed: the deviation was fixed: remove the entry ${e.where}`;
        if (e.failsRun) {
          suite.failures++;
          xml += `   <failure message="${xmlAttr(text)}" type="unexpected-pass">${xmlText(`${text}\nreplay: ${result.replay}`)}</failure>\n`;
        } else xml += `   <system-out>${xmlText(text)}</system-out>\n`;
      } else if (e.status === 'changed' && e.failsRun) {
        suite.failures++;
        xml += `   <failure message="${xmlAttr(`expected ${result.verdict}, failing in a new way: ${message}`)}" type="changed">${xmlText(this.details(result))}</failure>\n`;
      } else {
        suite.skipped++;
        const how = e.status === 'changed' ? ', failing in a new way' : '';
        xml += `   <skipped message="${xmlAttr(`expected ${result.verdict}${how} (known deviation: ${because}): ${message}`)}"/>\n`;
      }
      xml += this.earlierAttempts(result);
      xml += '  </testcase>\n';
      suite.part.write(xml);
      return;
    }
    switch (result.verdict) {
      case 'fail':
        suite.failures++;
        xml += `   <failure message="${xmlAttr(message)}" type="${xmlAttr(result.category ?? 'fail')}">${xmlText(this.details(result))}</failure>\n`;
        break;
      case 'broken':
        suite.errors++;
        xml += `   <error message="${xmlAttr(message)}" type="${xmlAttr(result.category ?? 'broken-target')}">${xmlText(this.details(result))}</error>\n`;
        break;
      case 'not-applicable': {
        suite.skipped++;
        const missing = result.missing?.length ? ` (missing capabilities: ${result.missing.join(', ')})` : '';
        xml += `   <skipped message="${xmlAttr(`not applicable${missing}: ${message}`)}"/>\n`;
        break;
      }
      case 'informational':
        xml += `   <system-out>${xmlText(`informational: passed under implementation-defined choices ${choiceList(result.choices)}. ${message}`)}</system-out>\n`;
        break;
      case 'non-strict':
        xml += `   <system-out>${xmlText(`non-strict: accepted, but deviates from the strict reading of the specification. ${message}`)}</system-out>\n`;
        break;
      case 'pass':
        break;
    }
    xml += this.earlierAttempts(result);
    xml += '  </testcase>\n';
    suite.part.write(xml);
  }

  onTargetError(target: string, message: string): void {
    this.suite(target).error = this.redact(message);
  }

  onEnd(summary: RunSummary): void {
    const run = this.run;
    if (!run) throw new Error('onEnd before onBegin');
    // Cases that never ran make a run red: one error per target says how many and why (never one per case).
    for (const [target, count] of Object.entries(summary.notRun ?? {})) {
      if (count <= 0) continue;
      const suite = this.suite(target);
      const why =
        suite.error ?? (summary.interrupted ? 'the run was interrupted' : (summary.stopped ?? 'they did not run'));
      const message = `${formatCount(count)} case(s) not run: ${why}`;
      suite.tests++;
      suite.errors++;
      suite.part.write(
        `  <testcase name="not-run" classname="provisioning-harness.not-run" time="0.000">\n   <error message="${xmlAttr(message)}" type="not-run">${xmlText(message)}</error>\n  </testcase>\n`,
      );
    }
    const path = join(this.options.outputDir ?? run.outputDir, this.options.fileName ?? 'junit.xml');
    const temp = `${path}.${process.pid}.tmp`;
    mkdirSync(dirname(path), { recursive: true });
    const fd = openSync(temp, 'w');
    try {
      let tests = 0;
      let failures = 0;
      let errors = 0;
      let skipped = 0;
      for (const s of this.suites.values()) {
        tests += s.tests;
        failures += s.failures;
        errors += s.errors;
        skipped += s.skipped;
      }
      writeSync(fd, '<?xml version="1.0" encoding="UTF-8"?>\n');
      writeSync(
        fd,
        `<testsuites name="provisioning-harness" tests="${tests}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${seconds(summary.durationMs)}" timestamp="${xmlAttr(run.startedAt)}">\n`,
      );
      const host = xmlAttr(hostname());
      for (const s of this.suites.values()) {
        s.part.close();
        const timestamp = s.firstStart > 0 ? new Date(s.firstStart).toISOString() : run.startedAt;
        writeSync(
          fd,
          ` <testsuite name="${xmlAttr(s.name)}" tests="${s.tests}" failures="${s.failures}" errors="${s.errors}" skipped="${s.skipped}" time="${seconds(s.firstStart > 0 ? Math.max(0, s.lastStop - s.firstStart) : 0)}" timestamp="${xmlAttr(timestamp)}" hostname="${host}">\n`,
        );
        writeSync(
          fd,
          `  <properties>\n   <property name="seed" value="${run.seed}"/>\n   <property name="command" value="${xmlAttr(this.redact(run.command))}"/>\n${shardProperty(run)}  </properties>\n`,
        );
        copyInto(fd, s.part.path);
        if (s.error !== null) writeSync(fd, `  <system-err>${xmlText(`target error: ${s.error}`)}</system-err>\n`);
        writeSync(fd, ' </testsuite>\n');
      }
      writeSync(fd, '</testsuites>\n');
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
    rmSync(this.partsDir, { recursive: true, force: true });
    this.written = [path];
  }

  private writePlaceholder(name: string, message: string): void {
    const run = this.run;
    if (!run) return;
    const path = join(this.options.outputDir ?? run.outputDir, this.options.fileName ?? 'junit.xml');
    writeFileAtomic(
      path,
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
        `<testsuites name="provisioning-harness" tests="1" failures="0" errors="1" skipped="0" time="0.000" timestamp="${xmlAttr(run.startedAt)}">\n` +
        ` <testsuite name="provisioning-harness" tests="1" failures="0" errors="1" skipped="0" time="0.000" timestamp="${xmlAttr(run.startedAt)}" hostname="${xmlAttr(hostname())}">\n` +
        `  <testcase name="${name}" classname="provisioning-harness" time="0.000">\n` +
        `   <error message="${xmlAttr(message)}" type="${name}">${xmlText(message)}</error>\n` +
        '  </testcase>\n </testsuite>\n</testsuites>\n',
    );
    this.written = [path];
  }

  /**
   * The attempts before the last of a case that ran more than once (`retries`), as Maven Surefire writes
   * reruns (which Jenkins and other JUnit readers know): `<flakyFailure>`/`<flakyError>` in a case that
   * passed on a retry, `<rerunFailure>`/`<rerunError>` in one that failed on every attempt; and a
   * `<system-out>` line saying the same for readers that skip those elements.
   */
  private earlierAttempts(result: CaseResult): string {
    const attempts = result.attempts ?? [];
    if (attempts.length < 2) return '';
    const prefix = result.flaky === true ? 'flaky' : 'rerun';
    let xml = '';
    attempts.slice(0, -1).forEach((attempt, i) => {
      const element = `${prefix}${attempt.verdict === 'broken' ? 'Error' : 'Failure'}`;
      const message = `attempt ${i + 1} of ${attempts.length}: ${attempt.verdict}: ${oneLine(attempt.message)}`;
      const type = attempt.category ?? attempt.verdict;
      xml += `   <${element} message="${xmlAttr(message)}" type="${xmlAttr(type)}">${xmlText(attempt.message)}</${element}>\n`;
    });
    const story = attempts.map((a, i) => `attempt ${i + 1}: ${a.verdict}`).join(', ');
    const what =
      result.flaky === true
        ? `flaky: failed or broke, then passed on a retry (${story})`
        : `failed on every one of ${attempts.length} attempts (${story})`;
    xml += `   <system-out>${xmlText(what)}</system-out>\n`;
    return xml;
  }

  /** The failure text; `result` is already redacted. */
  private details(result: CaseResult): string {
    const lines = [result.message];
    const compared = expectedVsObserved(result.expected, result.observed);
    if (compared !== '') lines.push('', compared, '');
    if (result.requirements.length > 0) lines.push(`requirements: ${result.requirements.join(', ')}`);
    if (Object.keys(result.choices).length > 0) lines.push(`choices: ${choiceList(result.choices)}`);
    lines.push(`replay: ${result.replay}`);
    return lines.join('\n');
  }

  private suite(target: string): SuiteState {
    let suite = this.suites.get(target);
    if (!suite) {
      if (!this.run) throw new Error('onCaseEnd before onBegin');
      const name = this.redact(target);
      suite = {
        name,
        part: new AppendFile(join(this.partsDir, `${this.suites.size}.xml`)),
        tests: 0,
        failures: 0,
        errors: 0,
        skipped: 0,
        firstStart: 0,
        lastStop: 0,
        error: null,
      };
      this.suites.set(target, suite);
    }
    return suite;
  }

  private closeParts(): void {
    for (const s of this.suites.values()) s.part.close();
  }
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function choiceList(choices: Record<string, string>): string {
  return Object.entries(choices)
    .map(([point, option]) => `${point}=${option}`)
    .join(', ');
}

function copyInto(fd: number, from: string): void {
  const source = openSync(from, 'r');
  try {
    const buffer = Buffer.allocUnsafe(64 * 1024);
    let read: number;
    while ((read = readSync(source, buffer, 0, buffer.length, null)) > 0) writeSync(fd, buffer, 0, read);
  } finally {
    closeSync(source);
  }
}

/** A shard's report says it is one (`--shard i/n`), a merged one what it joined: never taken for the whole plan. */
function shardProperty(run: RunInfo): string {
  if (run.shard !== undefined) return `   <property name="shard" value="${run.shard.index}/${run.shard.total}"/>\n`;
  if (run.merge !== undefined) {
    const missing = run.merge.missing.length > 0 ? `; missing ${run.merge.missing.join(', ')}` : '';
    return `   <property name="merged" value="${xmlAttr(`${run.merge.runs.length} run(s)${missing}`)}"/>\n`;
  }
  return '';
}
