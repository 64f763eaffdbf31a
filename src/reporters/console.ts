import { VERDICTS, emptyCounts, type CaseResult, type Verdict, type VerdictCounts } from '../core/results.ts';
import type { Reporter, RunInfo, RunSummary, TargetRun } from '../core/reporter.ts';
import { oneLine } from './diff.ts';
import { VERDICT_LABEL, verdictLine } from './verdict-line.ts';
import { casesPerSecond, formatCount, identity, inline, redactValue, type Redact } from './text.ts';

/** What the console writes to: a process stream or anything with `write` (tests). */
export interface ConsoleStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface ConsoleOptions {
  /** Where everything goes. Default: progress and failures to process.stderr, the summary to process.stdout. */
  stream?: ConsoleStream;
  /** Default: the stream's own isTTY. A TTY gets one live progress line and colours. */
  isTTY?: boolean;
  /** Print every case as it ends, and expected/observed for failures. */
  verbose?: boolean;
  redact?: Redact;
  /** The report files to list at the end; read at onEnd, after the other reporters have written them. */
  reportPaths?: () => string[];
  /** Clock, for tests. Default Date.now. */
  now?: () => number;
  /** Default: process.env. NO_COLOR (non-empty) disables colours. */
  env?: Record<string, string | undefined>;
}

const TTY_INTERVAL_MS = 100;
const PLAIN_INTERVAL_MS = 5000;
/** Identical broken messages from one target (a lost adapter) are printed this many times, then counted. */
const REPEAT_LIMIT = 3;

type Paint = (text: string) => string;
interface Palette {
  red: Paint;
  green: Paint;
  yellow: Paint;
  magenta: Paint;
  dim: Paint;
  bold: Paint;
}

const ansi =
  (open: number, close: number): Paint =>
  (text) =>
    `\u001b[${open}m${text}\u001b[${close}m`;
const COLOURS: Palette = {
  red: ansi(31, 39),
  green: ansi(32, 39),
  yellow: ansi(33, 39),
  magenta: ansi(35, 39),
  dim: ansi(2, 22),
  bold: ansi(1, 22),
};
const PLAIN: Palette = {
  red: identity,
  green: identity,
  yellow: identity,
  magenta: identity,
  dim: identity,
  bold: identity,
};

/**
 * Progress, failures as they happen and a closing summary, in the manner of Playwright's and Vitest's
 * default reporters. Progress is throttled (10/s on a TTY, every 5 s in a CI log) and driven by case
 * arrivals rather than a timer, so the reporter never keeps the process alive.
 */
export class ConsoleReporter implements Reporter {
  private readonly out: ConsoleStream;
  private readonly summaryOut: ConsoleStream;
  private readonly tty: boolean;
  private readonly verbose: boolean;
  private readonly redact: Redact;
  private readonly now: () => number;
  private readonly paint: Palette;

  private targets: TargetRun[] = [];
  /** `--shard i/n` (its reports are not the whole plan's), or a merge: said in the header and the verdict. */
  private part: string | null = null;
  private planned = 0;
  private done = 0;
  private counts: VerdictCounts = emptyCounts();
  private perTarget = new Map<string, VerdictCounts>();
  private targetErrors = new Map<string, string>();
  /** Per target, then per requirement: how many cases could not check it (never passed, never failed). */
  private notCheckable = new Map<string, Map<string, number>>();
  /** Per target: cases an expectation moved out of their verdict's column (docs/expectations.md). */
  private gateColumns = new Map<string, { expected: number; unexpectedPass: number }>();
  /** Cases that passed where an entry expected a deviation: repeated in the summary. */
  private unexpectedPasses: CaseResult[] = [];
  /** Expected deviations failing in a new way: repeated in the summary. */
  private changed: CaseResult[] = [];
  private lastBroken = new Map<string, { message: string; repeats: number }>();
  private suppressed = new Map<string, number>();
  /** Cases that failed or broke, then passed on a retry: listed again at the end. */
  private flaky: CaseResult[] = [];
  private startedMs = 0;
  private lastProgress = 0;
  private progressShown = false;

  constructor(private readonly options: ConsoleOptions = {}) {
    this.out = options.stream ?? process.stderr;
    this.summaryOut = options.stream ?? process.stdout;
    this.tty = options.isTTY ?? this.out.isTTY === true;
    this.verbose = options.verbose ?? false;
    this.redact = options.redact ?? identity;
    this.now = options.now ?? Date.now;
    const env = options.env ?? process.env;
    this.paint = this.tty && !env['NO_COLOR'] ? COLOURS : PLAIN;
  }

  onBegin(run: RunInfo, targets: TargetRun[]): void {
    this.targets = targets;
    this.planned = targets.reduce((sum, t) => sum + t.planned, 0);
    this.done = 0;
    this.counts = emptyCounts();
    this.perTarget = new Map(targets.map((t) => [t.name, emptyCounts()]));
    this.gateColumns = new Map();
    this.unexpectedPasses = [];
    this.changed = [];
    this.notCheckable = new Map();
    this.flaky = [];
    this.startedMs = this.now();
    this.lastProgress = this.startedMs;
    const names = targets
      .map((t) => `${t.name} (${[t.info.platform, t.info.version].filter(Boolean).join(' ')})`)
      .join(', ');
    const whole = targets.reduce((sum, t) => sum + (t.order?.length ?? 0) + (t.checks ?? 0), 0);
    const merged = run.merge;
    this.part =
      run.shard !== undefined
        ? `shard ${run.shard.index}/${run.shard.total}`
        : merged !== undefined
          ? `merged from ${merged.runs.length} run${merged.runs.length === 1 ? '' : 's'}`
          : null;
    const verb = merged === undefined ? 'Running' : 'Merging';
    this.write(
      this.paint.bold(`${verb} ${formatCount(this.planned)} cases`) +
        ` on ${targets.length} target${targets.length === 1 ? '' : 's'}: ${this.redact(names)} · seed ${run.seed}` +
        (run.shard === undefined
          ? ''
          : ` · shard ${run.shard.index}/${run.shard.total}: this run's part of the ${formatCount(whole)} of the whole plan (\`harness merge\` joins the shards' reports)`) +
        '\n',
    );
    if (merged !== undefined) {
      for (const r of merged.runs) {
        this.write(
          `  ${this.redact(r.dir)}${r.shard === undefined ? '' : ` (shard ${r.shard.index}/${r.shard.total})`}: ${r.status}\n`,
        );
      }
      for (const m of merged.missing) this.write(this.paint.yellow(`  missing: ${this.redact(m)}\n`));
    }
    for (const t of targets) {
      const c = t.concurrency;
      if (c === undefined) continue;
      const limit =
        c.driverLimit < c.workers
          ? ` (its driver serves ${c.driverLimit} at a time; workers is ${c.workers})`
          : c.sessions < c.workers
            ? ` (it has ${c.sessions} chain${c.sessions === 1 ? '' : 's'} of cases; workers is ${c.workers})`
            : '';
      this.write(`  ${this.redact(t.name)}: ${c.sessions} session${c.sessions === 1 ? '' : 's'} at a time${limit}\n`);
    }
    for (const t of targets) for (const note of t.notes ?? []) this.write(`  note: ${this.redact(t.name)}: ${note}\n`);
  }

  onCaseEnd(result: CaseResult): void {
    this.done++;
    let target = this.perTarget.get(result.target);
    if (!target) {
      target = emptyCounts();
      this.perTarget.set(result.target, target);
    }
    // An expected deviation and an unexpected pass have their own columns; the others, their verdict's.
    const status = result.expectation?.status;
    if (status === 'expected' || status === 'changed' || status === 'unexpected-pass') {
      const columns = this.gateColumns.get(result.target) ?? { expected: 0, unexpectedPass: 0 };
      if (status === 'unexpected-pass') columns.unexpectedPass++;
      else columns.expected++;
      this.gateColumns.set(result.target, columns);
    } else {
      this.counts[result.verdict]++;
      target[result.verdict]++;
    }
    for (const { requirement } of result.notCheckable ?? []) {
      const byRequirement = this.notCheckable.get(result.target) ?? new Map<string, number>();
      byRequirement.set(requirement, (byRequirement.get(requirement) ?? 0) + 1);
      this.notCheckable.set(result.target, byRequirement);
    }

    if (result.flaky === true) this.flaky.push(result);
    if (status === 'expected') {
      if (this.verbose) this.printLine(result);
    } else if (status === 'changed' || status === 'unexpected-pass') this.printGate(result);
    else if (result.verdict === 'fail' || result.verdict === 'broken') this.printProblem(result);
    else if (result.flaky === true) this.printFlaky(result);
    else if (this.verbose) this.printLine(result);

    const now = this.now();
    const interval = this.tty ? TTY_INTERVAL_MS : PLAIN_INTERVAL_MS;
    if (now - this.lastProgress >= interval) {
      this.lastProgress = now;
      this.showProgress();
    }
  }

  onTargetError(target: string, message: string): void {
    this.targetErrors.set(target, message);
    this.above(`${this.paint.red('target error')} ${this.redact(target)}: ${this.redact(message)}\n`);
  }

  onTargetNote(target: string, message: string): void {
    this.above(`  note: ${this.redact(target)}: ${this.redact(message)}\n`);
  }

  onEnd(summary: RunSummary): void {
    this.clearProgress();
    const p = this.paint;
    const lines: string[] = [''];
    for (const [target, count] of this.suppressed) {
      lines.push(
        p.dim(
          `(${formatCount(count)} more broken cases on ${this.redact(target)} with the same message; see summary.json)`,
        ),
      );
    }
    lines.push(...this.table(summary));
    lines.push('');

    const choiceLines: string[] = [];
    for (const [target, choices] of Object.entries(summary.choices)) {
      const entries = Object.entries(choices).sort(([a], [b]) => a.localeCompare(b));
      if (entries.length === 0) continue;
      choiceLines.push(`  ${p.bold(this.redact(target))}`);
      const width = Math.max(...entries.map(([point]) => point.length));
      for (const [point, option] of entries)
        choiceLines.push(`    ${this.redact(point).padEnd(width)} = ${this.redact(option)}`);
    }
    if (choiceLines.length > 0)
      lines.push('Implementation-defined choices (choice point = option):', ...choiceLines, '');

    lines.push(...this.gateLines(summary));

    for (const [target, message] of this.targetErrors)
      lines.push(p.red(`target ${this.redact(target)}: ${this.redact(message)}`));

    // Passed only on a retry: counted under their last verdict in the table, named here with every attempt.
    if (this.flaky.length > 0) {
      lines.push(p.yellow(`${formatCount(this.flaky.length)} flaky case(s): failed or broke, then passed on a retry`));
      for (const result of this.flaky)
        lines.push(
          `  ${this.redact(result.id)} ${p.dim('on')} ${this.redact(result.target)}: ${attemptStory(result, this.redact)}`,
        );
      lines.push('');
    }

    const notRun = Object.entries(summary.notRun ?? {}).filter(([, n]) => n > 0);
    for (const [target, count] of notRun) {
      const why = this.targetErrors.has(target)
        ? 'see the target error above'
        : summary.interrupted
          ? 'the run was interrupted'
          : (summary.stopped ?? 'the run was interrupted');
      lines.push(p.yellow(`${formatCount(count)} case(s) not run on ${this.redact(target)}: ${why}`));
    }
    const notRunTotal = notRun.reduce((sum, [, n]) => sum + n, 0);

    // Requirements some cases could not check: neither a pass nor a failure, so said apart from both.
    for (const [target, byRequirement] of this.notCheckable) {
      for (const [requirement, count] of byRequirement) {
        lines.push(
          p.yellow(
            `${formatCount(count)} case(s) on ${this.redact(target)}: ${requirement} not checkable ` +
              '(not counted as passed; each case and why in summary.json "notCheckable")',
          ),
        );
      }
    }

    const rate = casesPerSecond(summary.total, summary.durationMs);
    lines.push(
      `${formatCount(summary.total)} cases in ${(summary.durationMs / 1000).toFixed(2)} s (${formatCount(rate)} cases/s)` +
        (summary.interrupted
          ? p.yellow(` · interrupted after ${formatCount(summary.total)} of ${formatCount(this.planned)}`)
          : ''),
    );
    lines.push(this.verdictLine(summary, notRunTotal));
    const paths = this.options.reportPaths?.() ?? [];
    if (paths.length > 0) {
      lines.push('', 'Reports:');
      for (const path of paths) lines.push(`  ${this.redact(path)}`);
    }
    this.summaryOut.write(lines.join('\n') + '\n');
  }

  /**
   * The last line: green when nothing the fail-on policy names counted anything (and nothing was left not
   * run); "conformant" only when, besides, no case failed or broke at all, expected or not.
   */
  private verdictLine(summary: RunSummary, notRunTotal: number): string {
    const p = this.paint;
    // A shard's verdict is on its part of the plan only; the whole plan's is the merge's.
    const part =
      this.part !== null && this.part.startsWith('shard')
        ? ` (${this.part} only: not a verdict on the whole plan until the shards are merged)`
        : '';
    const line = verdictLine(summary, notRunTotal, {
      part,
      flaky: this.flaky.length,
      expectationsFile: true,
      missingNames: false,
    });
    return p[line.tone](p.bold(line.text)) + (line.note === '' ? '' : p.yellow(line.note));
  }

  /** The expectations and the policy: what was expected, unexpected passes, stale entries (docs/expectations.md). */
  private gateLines(summary: RunSummary): string[] {
    const gate = summary.gate;
    if (gate === undefined) return [];
    const p = this.paint;
    const r = this.redact;
    const lines: string[] = [];
    const c = gate.counts;
    const policy = gate.failOn.join(', ');
    if (gate.expectationsFile !== null) {
      lines.push(
        `Expectations (${gate.expectationsFile}; fail on: ${policy}): ${formatCount(c.expected)} expected, ` +
          `${formatCount(c['unexpected-pass'])} unexpected pass(es), ${formatCount(c.changed)} changed, ${formatCount(c.stale)} stale`,
      );
      const fails = (s: string) => (gate.failOn.includes(s as never) ? p.red : p.yellow);
      const byId = (a: CaseResult, b: CaseResult) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
      for (const u of [...this.unexpectedPasses].sort(byId)) {
        lines.push(
          fails('unexpected-pass')(
            `  unexpected pass ${r(u.id)} on ${r(u.target)}: the deviation was fixed: remove the entry ${u.expectation?.where ?? ''}`,
          ),
        );
      }
      for (const c of [...this.changed].sort(byId)) {
        const e = c.expectation;
        lines.push(
          fails('changed')(
            `  changed ${r(c.id)} on ${r(c.target)}: now ${c.category ? `[${c.category}] ` : ''}${r(oneLine(c.message))}; recorded ${e?.recorded?.category ? `[${e.recorded.category}] ` : ''}${r(oneLine(e?.recorded?.message ?? ''))} (${e?.where ?? ''})`,
          ),
        );
      }
      for (const s of gate.stale)
        lines.push(fails('stale')(`  stale entry ${s.where} (${r(s.case)} on ${r(s.target)}): ${r(s.why)}`));
      if (gate.placeholders > 0)
        lines.push(
          p.yellow(
            `  ${gate.placeholders} entr${gate.placeholders === 1 ? 'y has' : 'ies have'} no reason yet (the placeholder "TODO: ..."): say why each deviation is accepted`,
          ),
        );
      lines.push('');
    } else if (gate.failOn.join(',') !== 'fail,broken,unexpected-pass') {
      lines.push(`Fail on: ${policy}`, '');
    }
    return lines;
  }

  /** A case an expectation entry decided in a way to see: failing in a new way, or passing when a deviation was expected. */
  private printGate(result: CaseResult): void {
    const p = this.paint;
    const r = this.redact;
    const e = result.expectation;
    if (e === undefined) return;
    if (e.status === 'unexpected-pass') {
      this.unexpectedPasses.push(result);
      const badge = e.failsRun ? p.red(p.bold('UNEXPECTED PASS')) : p.yellow(p.bold('UNEXPECTED PASS'));
      this.above(
        `${badge} ${r(result.id)} ${p.dim('on')} ${r(result.target)}\n` +
          `    expected ${e.allowed.join(' or ')} (${r(e.reason)}), and it passed: the deviation was fixed: remove the entry ${e.where}\n`,
      );
      return;
    }
    this.changed.push(result);
    const badge = e.failsRun ? p.red(p.bold('CHANGED')) : p.yellow(p.bold('CHANGED'));
    const was = [e.recorded?.category ? `[${e.recorded.category}]` : '', e.recorded?.message ?? '']
      .filter(Boolean)
      .join(' ');
    const now = [result.category ? `[${result.category}]` : '', result.message].filter(Boolean).join(' ');
    this.above(
      `${badge} ${r(result.id)} ${p.dim('on')} ${r(result.target)} ${p.dim('(an expected deviation failing in a new way)')}\n` +
        `    recorded: ${r(was)}\n    now:      ${r(now)}\n    ${p.dim('entry:')} ${e.where}; \`--update-expectations\` records the new failure\n` +
        `    ${p.dim('replay:')} ${r(result.replay)}\n`,
    );
  }

  /** The summary table: one row per target, one column per verdict, a total row. */
  private table(summary: RunSummary): string[] {
    // With expectations, expected deviations and unexpected passes have their own columns (each case in one).
    const gated = summary.gate?.expectationsFile != null || this.gateColumns.size > 0;
    const header = [
      'target',
      ...VERDICTS.map((v) => VERDICT_LABEL[v]),
      ...(gated ? ['expected', 'unexp. pass'] : []),
      'total',
    ];
    const rows: string[][] = [];
    const names = new Set([...this.targets.map((t) => t.name), ...this.perTarget.keys()]);
    const totals = emptyCounts();
    const gateTotals = { expected: 0, unexpectedPass: 0 };
    for (const name of names) {
      const c = this.perTarget.get(name) ?? emptyCounts();
      const g = this.gateColumns.get(name) ?? { expected: 0, unexpectedPass: 0 };
      for (const v of VERDICTS) totals[v] += c[v];
      gateTotals.expected += g.expected;
      gateTotals.unexpectedPass += g.unexpectedPass;
      rows.push([
        this.redact(name),
        ...VERDICTS.map((v) => formatCount(c[v])),
        ...(gated ? [formatCount(g.expected), formatCount(g.unexpectedPass)] : []),
        formatCount(sum(c) + g.expected + g.unexpectedPass),
      ]);
    }
    rows.push(
      gated
        ? [
            'total',
            ...VERDICTS.map((v) => formatCount(totals[v])),
            formatCount(gateTotals.expected),
            formatCount(gateTotals.unexpectedPass),
            formatCount(summary.total),
          ]
        : ['total', ...VERDICTS.map((v) => formatCount(summary.counts[v])), formatCount(summary.total)],
    );
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
    const format = (row: string[]): string =>
      row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');
    const rule = widths.map((w) => '-'.repeat(w)).join('  ');
    const body = rows.map(format);
    const totalRow = body.pop() ?? '';
    return [this.paint.bold(format(header)), rule, ...body, rule, this.paint.bold(totalRow)];
  }

  private printProblem(result: CaseResult): void {
    const p = this.paint;
    if (result.verdict === 'broken') {
      const last = this.lastBroken.get(result.target);
      if (last && last.message === result.message) {
        last.repeats++;
        if (last.repeats >= REPEAT_LIMIT) {
          this.suppressed.set(result.target, (this.suppressed.get(result.target) ?? 0) + 1);
          return;
        }
      } else {
        this.lastBroken.set(result.target, { message: result.message, repeats: 0 });
      }
    }
    const r = this.redact;
    const badge = result.verdict === 'fail' ? p.red(p.bold('FAIL')) : p.magenta(p.bold('BROKEN'));
    const category = result.category ? p.dim(` [${result.category}]`) : '';
    let text = `${badge} ${r(result.id)} ${p.dim('on')} ${r(result.target)}${category}\n    ${r(result.message)}\n`;
    const e = result.expectation;
    if (e?.status === 'unexpected-verdict')
      text += `    ${p.dim('expected:')} ${e.allowed.join(' or ')} by the entry ${e.where}, not ${result.verdict}\n`;
    if (this.verbose) {
      if (result.expected !== undefined) text += `    expected: ${inline(redactValue(result.expected, r))}\n`;
      if (result.observed !== undefined) text += `    observed: ${inline(redactValue(result.observed, r))}\n`;
      if (result.requirements.length > 0) text += `    requirements: ${r(result.requirements.join(', '))}\n`;
    }
    if (result.attempts !== undefined) text += `    ${p.dim('attempts:')} ${attemptStory(result, r)}\n`;
    text += `    ${p.dim('replay:')} ${r(result.replay)}\n`;
    this.above(text);
  }

  private printFlaky(result: CaseResult): void {
    const p = this.paint;
    this.above(
      `${p.yellow(p.bold('FLAKY'))} ${this.redact(result.id)} ${p.dim('on')} ${this.redact(result.target)}\n    ${attemptStory(result, this.redact)}\n`,
    );
  }

  private printLine(result: CaseResult): void {
    const p = this.paint;
    const colour = result.verdict === 'pass' ? p.green : result.verdict === 'not-applicable' ? p.dim : p.yellow;
    this.above(
      `${colour(VERDICT_LABEL[result.verdict])} ${this.redact(result.id)} ${p.dim('on')} ${this.redact(result.target)}\n`,
    );
  }

  private progressText(): string {
    const c = this.counts;
    // "pass" counts every accepted verdict (pass, non-strict, informational) so the parts add up to the
    // running total; the summary table shows them apart.
    const accepted = c.pass + c['non-strict'] + c.informational;
    const rate = casesPerSecond(this.done, this.now() - this.startedMs);
    return `running ${formatCount(this.done)}/${formatCount(this.planned)} · pass ${formatCount(accepted)} · fail ${formatCount(c.fail)} · broken ${formatCount(c.broken)} · n/a ${formatCount(c['not-applicable'])} · ${formatCount(rate)} cases/s`;
  }

  private showProgress(): void {
    if (this.tty) {
      this.out.write(`\r\u001b[2K${this.progressText()}`);
      this.progressShown = true;
    } else {
      this.out.write(this.progressText() + '\n');
    }
  }

  /** Writes text above the live progress line (clears it, writes, redraws it). */
  private above(text: string): void {
    if (this.tty && this.progressShown) {
      this.out.write(`\r\u001b[2K${text}${this.progressText()}`);
    } else {
      this.out.write(text);
    }
  }

  private clearProgress(): void {
    if (this.tty && this.progressShown) this.out.write('\r\u001b[2K');
    this.progressShown = false;
  }

  private write(text: string): void {
    this.out.write(text);
  }
}

/** `attempt 1 fail (<message>), attempt 2 pass`: every attempt of a case that ran more than once. */
function attemptStory(result: CaseResult, redact: Redact = identity): string {
  return (result.attempts ?? [])
    .map((a, i) => {
      // A message is shown once: an attempt that failed the way the case did says only its verdict.
      const said = isBadVerdict(a.verdict) && (a.message !== result.message || !isBadVerdict(result.verdict));
      return `attempt ${i + 1} ${VERDICT_LABEL[a.verdict]}${said ? ` (${redact(oneLine(a.message))})` : ''}`;
    })
    .join(', ');
}

function isBadVerdict(verdict: Verdict): boolean {
  return verdict === 'fail' || verdict === 'broken';
}

function sum(counts: VerdictCounts): number {
  let total = 0;
  for (const v of VERDICTS) total += counts[v];
  return total;
}
