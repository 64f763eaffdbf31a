/**
 * GitHub Actions output: workflow-command annotations that point at the vector file and line each failing
 * case comes from, and a Markdown job summary (`$GITHUB_STEP_SUMMARY`) with the table of verdicts per
 * target, the implementation-defined choices and the failed cases with their replay commands.
 *
 * GitHub shows at most 10 error, 10 warning and 10 notice annotations per step (and 50 per job), in the
 * order they are printed. One annotation per case would spend them on the first ten cases of one defect
 * (a defect usually fails many cases with one message), so cases are grouped by verdict and message: each
 * group is one annotation at its first case's vector, naming how many cases and which. The job summary
 * lists every group; past the limit, one line says how many annotations were left out.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_FAIL_ON, type FailOn } from '../core/expectations.ts';
import { VERDICTS, emptyCounts, type CaseResult, type Verdict, type VerdictCounts } from '../core/results.ts';
import type { Reporter, RunInfo, RunSummary, TargetRun } from '../core/reporter.ts';
import { formatCount, identity, redactShared, type Redact } from './text.ts';
import { VERDICT_LABEL, verdictLine } from './verdict-line.ts';

export interface GithubOptions {
  /** Where the workflow commands go. Default: process.stdout (the runner reads commands there). */
  stream?: { write(text: string): unknown };
  /** Default: process.env (`GITHUB_STEP_SUMMARY`, `GITHUB_WORKSPACE`, `GITHUB_SERVER_URL`, ...). */
  env?: Record<string, string | undefined>;
  redact?: Redact;
}

/** GitHub's limit per step and kind of annotation (actions/toolkit docs/problem-matchers.md). */
export const ANNOTATIONS_PER_KIND = 10;
/** Cases a summary lists one by one (a step summary may hold 1 MiB). */
const SUMMARY_CASES = 200;

type Kind = 'error' | 'warning' | 'notice';

/**
 * What a case is for the gate (docs/ci.md): its verdict, or what the expectations file made of it. `expected`
 * (a known deviation) needs no one's attention; the others are annotated, as errors when the fail-on policy
 * fails the run on them and as warnings otherwise.
 */
type Status = Exclude<FailOn, 'stale'> | 'expected';

/** The case's status, or null for a case that needs no attention (passed, informational, not applicable). */
export function statusOf(result: CaseResult): Status | null {
  const decided = result.expectation?.status;
  if (decided === 'expected' || decided === 'changed' || decided === 'unexpected-pass') return decided;
  // Failed or broke, then passed on a retry (`--retries`): seen apart, never a plain pass.
  if (result.flaky === true) return 'flaky';
  if (result.verdict === 'fail' || result.verdict === 'broken' || result.verdict === 'non-strict')
    return result.verdict;
  return null;
}

/** What a case says in an annotation and the summary: a flaky case, how its first attempt failed. */
function messageOf(result: CaseResult): string {
  if (result.flaky !== true) return result.message;
  const first = result.attempts?.find((a) => a.verdict === 'fail' || a.verdict === 'broken');
  if (first === undefined) return result.message;
  return `${first.verdict === 'broken' ? 'broke' : 'failed'}, then passed on a retry: ${first.message}`;
}

const STATUS_LABEL: Record<Status, string> = {
  fail: 'fail',
  broken: 'broken',
  'non-strict': 'non-strict',
  'unexpected-pass': 'unexpected pass',
  changed: 'changed',
  flaky: 'flaky',
  expected: 'expected',
};

/** Workflow-command data (the message): `%`, CR and LF escaped, as actions/toolkit's `escapeData`. */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A workflow-command property value (file, title): also `:` and `,`, as actions/toolkit's `escapeProperty`. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** `::kind file=...,line=...,title=...::message`, every part escaped. */
export function workflowCommand(
  kind: Kind,
  properties: { file?: string; line?: number; title?: string },
  message: string,
): string {
  const props = [
    ...(properties.file === undefined ? [] : [`file=${escapeProperty(properties.file)}`]),
    ...(properties.line === undefined ? [] : [`line=${properties.line}`]),
    ...(properties.title === undefined ? [] : [`title=${escapeProperty(properties.title)}`]),
  ];
  return `::${kind}${props.length > 0 ? ` ${props.join(',')}` : ''}::${escapeData(message)}`;
}

/** Cases that failed alike: one status, one message, on any target. */
interface Group {
  kind: Kind;
  status: Status;
  message: string;
  cases: CaseResult[];
}

export class GithubReporter implements Reporter {
  private readonly redact: Redact;
  private readonly env: Record<string, string | undefined>;
  private run: RunInfo | null = null;
  private targets: TargetRun[] = [];
  private perTarget = new Map<string, VerdictCounts>();
  /** Per target: the cases an expectation took out of their verdict's column (as the console counts them). */
  private gateColumns = new Map<string, { expected: number; unexpectedPass: number }>();
  /** Every case that needs attention, in the order they ended (redacted). */
  private problems: CaseResult[] = [];
  /** The known deviations the expectations file accepted (redacted). */
  private expected: CaseResult[] = [];
  private targetErrors = new Map<string, string>();

  constructor(private readonly options: GithubOptions = {}) {
    this.redact = options.redact ?? identity;
    this.env = options.env ?? process.env;
  }

  onBegin(run: RunInfo, targets: TargetRun[]): void {
    this.run = run;
    this.targets = targets;
    this.perTarget = new Map(targets.map((t) => [t.name, emptyCounts()]));
    this.gateColumns = new Map();
    this.problems = [];
    this.expected = [];
    this.targetErrors = new Map();
  }

  onCaseEnd(result: CaseResult): void {
    const counts = this.perTarget.get(result.target) ?? emptyCounts();
    this.perTarget.set(result.target, counts);
    const status = statusOf(result);
    // An expected deviation and an unexpected pass have their own columns; the others, their verdict's.
    if (status === 'expected' || status === 'changed' || status === 'unexpected-pass') {
      const columns = this.gateColumns.get(result.target) ?? { expected: 0, unexpectedPass: 0 };
      if (status === 'unexpected-pass') columns.unexpectedPass++;
      else columns.expected++;
      this.gateColumns.set(result.target, columns);
    } else counts[result.verdict]++;
    if (status === 'expected') this.expected.push(redactShared(result, this.redact));
    else if (status !== null) this.problems.push(redactShared(result, this.redact));
  }

  onTargetError(target: string, message: string): void {
    this.targetErrors.set(target, message);
  }

  onRunError(message: string): void {
    this.write(workflowCommand('error', { title: 'harness run' }, this.redact(message)));
    this.appendSummary(
      `## Conformance run\n\nThe run ended before its first case:\n\n${block(this.redact(message))}\n`,
    );
  }

  onEnd(summary: RunSummary): void {
    const groups = this.groups(summary.gate?.failOn ?? DEFAULT_FAIL_ON);
    const shown: Record<Kind, number> = { error: 0, warning: 0, notice: 0 };
    let left = 0;
    for (const group of groups) {
      if (shown[group.kind] >= ANNOTATIONS_PER_KIND) {
        left++;
        continue;
      }
      shown[group.kind]++;
      this.write(this.annotation(group));
    }
    for (const [target, message] of this.targetErrors)
      this.write(workflowCommand('error', { title: `target ${this.redact(target)}` }, this.redact(message)));
    const gate = summary.gate;
    for (const stale of gate?.stale ?? []) {
      const kind: Kind = gate?.failOn.includes('stale') ? 'error' : 'warning';
      const file = gate?.expectationsFile ?? undefined;
      this.write(
        workflowCommand(
          kind,
          { ...(file === undefined ? {} : this.fileProperty(file)), title: `stale expectation ${stale.where}` },
          this.redact(`${stale.case} on ${stale.target}: ${stale.why}; remove the entry`),
        ),
      );
    }
    if (left > 0) {
      // GitHub drops annotations past its limit without a word: say so in the log.
      this.write(
        `${left} more group${left === 1 ? '' : 's'} of cases not annotated (GitHub shows ${ANNOTATIONS_PER_KIND} of each kind per step): see the job summary or summary.json`,
      );
    }
    this.appendSummary(this.markdown(summary, groups));
  }

  /**
   * Problems grouped by status and message: errors (what fails the run under `failOn`) first, then the larger
   * groups, then by first case id.
   */
  private groups(failOn: readonly FailOn[]): Group[] {
    const byKey = new Map<string, Group>();
    for (const result of this.problems) {
      const status = statusOf(result) as Status;
      const fails = status !== 'expected' && failOn.includes(status);
      const kind: Kind = fails ? 'error' : 'warning';
      const message = messageOf(result);
      const key = `${status}\0${message}`;
      const group = byKey.get(key) ?? { kind, status, message, cases: [] };
      group.cases.push(result);
      byKey.set(key, group);
    }
    const rank: Record<Kind, number> = { error: 0, warning: 1, notice: 2 };
    for (const group of byKey.values()) group.cases.sort((a, b) => compare(caseKey(a), caseKey(b)));
    return [...byKey.values()].sort(
      (a, b) =>
        rank[a.kind] - rank[b.kind] ||
        b.cases.length - a.cases.length ||
        compare(caseKey(a.cases[0] as CaseResult), caseKey(b.cases[0] as CaseResult)),
    );
  }

  private annotation(group: Group): string {
    const first = group.cases[0] as CaseResult;
    const source = this.sourceOf(first);
    const many = group.cases.length > 1 ? ` (and ${group.cases.length - 1} more like it)` : '';
    const title = `${STATUS_LABEL[group.status]}: ${first.id} on ${first.target}${many}`;
    const lines = [group.message];
    const e = first.expectation;
    if (group.status === 'unexpected-pass' && e !== undefined)
      lines.unshift(
        `expected ${e.allowed.join(' or ')} (${e.reason}), and it passed: the deviation was fixed: remove the entry ${e.where}`,
      );
    if (group.status === 'changed' && e !== undefined) {
      const was = [e.recorded?.category ? `[${e.recorded.category}]` : '', e.recorded?.message ?? '']
        .filter(Boolean)
        .join(' ');
      lines.unshift(`an expected deviation failing in a new way (entry ${e.where}); recorded: ${was}`);
    }
    if (first.requirements.length > 0) lines.push(`requirements: ${first.requirements.join(', ')}`);
    lines.push(`replay: ${first.replay}`);
    if (group.cases.length > 1) {
      const others = group.cases.slice(1, 11).map((c) => `${c.id} on ${c.target}`);
      lines.push(`also: ${others.join(', ')}${group.cases.length > 11 ? ', ...' : ''}`);
    }
    return workflowCommand(group.kind, { ...source, title: this.redact(title) }, this.redact(lines.join('\n')));
  }

  /** The case's vector file relative to the repository root (`GITHUB_WORKSPACE`, else the run's directory). */
  private sourceOf(result: CaseResult): { file?: string; line?: number } {
    if (result.source === undefined) return {};
    const file = this.fileProperty(result.source.file);
    return result.source.line === undefined || file.file === undefined ? file : { ...file, line: result.source.line };
  }

  /** A file the run names (relative to its directory) as GitHub wants it: relative to the repository root. */
  private fileProperty(shown: string): { file?: string } {
    const rootDir = this.run?.cwd ?? process.cwd();
    const workspace = this.env['GITHUB_WORKSPACE'];
    const absolute = path.resolve(rootDir, shown);
    const relative = workspace ? path.relative(workspace, absolute) : path.relative(rootDir, absolute);
    // A file outside the repository cannot carry an annotation: GitHub would drop it.
    if (relative.startsWith('..') || path.isAbsolute(relative)) return {};
    return { file: relative.split(path.sep).join('/') };
  }

  /** A link to the vector at the commit being built, where GitHub's variables say where that is. */
  private sourceLink(result: CaseResult): string {
    const source = this.sourceOf(result);
    if (source.file === undefined) return '';
    const text = `${source.file}${source.line === undefined ? '' : `:${source.line}`}`;
    const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_SHA: sha } = this.env;
    if (!server || !repo || !sha) return code(text);
    const anchor = source.line === undefined ? '' : `#L${source.line}`;
    return `[${code(text)}](${server}/${repo}/blob/${sha}/${encodeURI(source.file)}${anchor})`;
  }

  private markdown(summary: RunSummary, groups: Group[]): string {
    const r = this.redact;
    const out: string[] = [];
    const gate = summary.gate;
    const notRun = Object.values(summary.notRun ?? {}).reduce((a, b) => a + b, 0);
    const flaky = this.problems.filter((c) => statusOf(c) === 'flaky').length;
    out.push(`## Conformance: ${cell(r(runLine(summary, notRun, this.run, flaky)))}`, '');
    if (this.run !== null) {
      out.push(
        `${formatCount(summary.total)} cases in ${(summary.durationMs / 1000).toFixed(1)} s · seed ${this.run.seed} · ${code(r(this.run.command))}`,
        '',
      );
    }

    // With expectations, expected deviations and unexpected passes have their own columns (as the console's).
    const gated = gate?.expectationsFile != null || this.gateColumns.size > 0;
    const extra = gated ? ['expected', 'unexp. pass'] : [];
    out.push(`| target | ${[...VERDICTS.map((v) => VERDICT_LABEL[v]), ...extra].join(' | ')} | total |`);
    out.push(`| --- | ${[...VERDICTS, ...extra].map(() => '---:').join(' | ')} | ---: |`);
    const names = new Set([...this.targets.map((t) => t.name), ...this.perTarget.keys()]);
    const totals = { ...emptyCounts(), expected: 0, unexpectedPass: 0 };
    for (const name of names) {
      const c = this.perTarget.get(name) ?? emptyCounts();
      const g = this.gateColumns.get(name) ?? { expected: 0, unexpectedPass: 0 };
      for (const v of VERDICTS) totals[v] += c[v];
      totals.expected += g.expected;
      totals.unexpectedPass += g.unexpectedPass;
      const cells = [...VERDICTS.map((v) => c[v]), ...(gated ? [g.expected, g.unexpectedPass] : [])];
      out.push(
        `| ${cell(r(name))} | ${cells.map(formatCount).join(' | ')} | ${formatCount(total(c) + g.expected + g.unexpectedPass)} |`,
      );
    }
    const totalCells = [...VERDICTS.map((v) => totals[v]), ...(gated ? [totals.expected, totals.unexpectedPass] : [])];
    out.push(
      `| **total** | ${totalCells.map((n) => `**${formatCount(n)}**`).join(' | ')} | **${formatCount(summary.total)}** |`,
      '',
    );

    for (const [target, message] of this.targetErrors)
      out.push(`> **target ${cell(r(target))}**: ${cell(r(message))}`, '');
    for (const [target, count] of Object.entries(summary.notRun ?? {}).filter(([, n]) => n > 0))
      out.push(`- ${formatCount(count)} case(s) not run on ${cell(r(target))}`);
    if (notRun > 0) out.push('');

    if (gate !== undefined && (gate.expectationsFile !== null || gate.failOn.join(',') !== DEFAULT_FAIL_ON.join(','))) {
      const c = gate.counts;
      out.push(`### Gate`, '', `Fail on: ${gate.failOn.map((s) => code(s)).join(', ')}.`);
      if (gate.expectationsFile !== null) {
        out.push(
          '',
          `Expectations (${code(r(gate.expectationsFile))}): ${formatCount(c.expected)} expected, ` +
            `${formatCount(c['unexpected-pass'])} unexpected pass(es), ${formatCount(c.changed)} changed, ${formatCount(c.stale)} stale.`,
        );
        for (const stale of gate.stale)
          out.push(
            `- stale entry ${cell(stale.where)} (${code(r(stale.case))} on ${cell(r(stale.target))}): ${cell(r(stale.why))}`,
          );
        if (gate.placeholders > 0)
          out.push(
            `- ${gate.placeholders} entr${gate.placeholders === 1 ? 'y has' : 'ies have'} no reason yet: say why each deviation is accepted`,
          );
      }
      out.push('');
    }

    const choices = Object.entries(summary.choices).filter(([, c]) => Object.keys(c).length > 0);
    if (choices.length > 0) {
      out.push('### Implementation-defined choices', '', '| target | choice point | option |', '| --- | --- | --- |');
      for (const [target, byPoint] of choices)
        for (const [point, option] of Object.entries(byPoint).sort(([a], [b]) => compare(a, b)))
          out.push(`| ${cell(r(target))} | ${code(r(point))} | ${cell(r(option))} |`);
      out.push('');
    }

    if (groups.length > 0) {
      const count = groups.reduce((n, g) => n + g.cases.length, 0);
      out.push(`### Cases to look at (${formatCount(count)})`, '');
      out.push(
        ...this.caseTable(
          groups.flatMap((g) => g.cases),
          count,
        ),
      );
    }
    if (this.expected.length > 0) {
      const sorted = [...this.expected].sort((a, b) => compare(caseKey(a), caseKey(b)));
      out.push(`<details><summary>Known deviations, expected (${formatCount(sorted.length)})</summary>`, '');
      out.push(...this.caseTable(sorted, sorted.length), '</details>', '');
    }
    return out.join('\n') + '\n';
  }

  /** The cases as table rows (at most {@link SUMMARY_CASES}), each with its vector and replay command. */
  private caseTable(cases: readonly CaseResult[], count: number): string[] {
    const r = this.redact;
    const out = ['| status | case | target | message | vector | replay |', '| --- | --- | --- | --- | --- | --- |'];
    for (const c of cases.slice(0, SUMMARY_CASES)) {
      const status = statusOf(c);
      const label = status === null ? VERDICT_LABEL[c.verdict] : STATUS_LABEL[status];
      const why = status === 'expected' && c.expectation !== undefined ? ` (${c.expectation.reason})` : '';
      out.push(
        `| ${label} | ${code(r(c.id))} | ${cell(r(c.target))} | ${cell(r(messageOf(c) + why))} | ${this.sourceLink(c)} | ${code(r(c.replay))} |`,
      );
    }
    if (count > SUMMARY_CASES)
      out.push('', `${formatCount(count - SUMMARY_CASES)} more: every case is in results.jsonl and summary.json.`);
    out.push('');
    return out;
  }

  private appendSummary(markdown: string): void {
    const file = this.env['GITHUB_STEP_SUMMARY'];
    if (!file) return;
    mkdirSync(path.dirname(file), { recursive: true });
    appendFileSync(file, markdown);
  }

  private write(line: string): void {
    (this.options.stream ?? process.stdout).write(`${line}\n`);
  }
}

/** The run in one line (src/reporters/verdict-line.ts), as the console's last line, without colour. */
function runLine(summary: RunSummary, notRun: number, run: RunInfo | null, flaky: number): string {
  const part =
    run?.shard !== undefined
      ? ` (shard ${run.shard.index}/${run.shard.total} only: not a verdict on the whole plan until the shards are merged)`
      : '';
  const line = verdictLine(summary, notRun, { part, flaky, expectationsFile: false, missingNames: true });
  return line.text + line.note;
}

function caseKey(result: CaseResult): string {
  return `${result.id}\0${result.target}`;
}

/** Code-point order: the same on every machine, whatever its locale. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function total(counts: VerdictCounts): number {
  return VERDICTS.reduce((n, v) => n + counts[v], 0);
}

/** Text in a Markdown table cell: no HTML, no column break, one line. */
function cell(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '&#124;')
    .replace(/[\\`*_[\]]/g, (c) => `\\${c}`)
    .replace(/\s+/g, ' ')
    .trim();
}

/** Code in a Markdown table cell (a backtick span cannot hold a `|` inside a table; <code> with entities can). */
function code(text: string): string {
  const escaped = text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '&#124;')
    .replace(/\s+/g, ' ');
  return `<code>${escaped}</code>`;
}

/** A fenced block that no line of `text` can close. */
function block(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}\n${text}\n${fence}`;
}
