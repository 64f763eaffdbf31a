import { VERDICTS, emptyCounts, type CaseResult, type Verdict, type VerdictCounts } from '../core/results.ts';
import type { Reporter, RunInfo, RunSummary, TargetRun } from '../core/reporter.ts';
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

const LABEL: Record<Verdict, string> = {
  pass: 'pass',
  fail: 'fail',
  'non-strict': 'non-strict',
  informational: 'informational',
  'not-applicable': 'n/a',
  broken: 'broken',
};

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
  private lastBroken = new Map<string, { message: string; repeats: number }>();
  private suppressed = new Map<string, number>();
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
    this.notCheckable = new Map();
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
  }

  onCaseEnd(result: CaseResult): void {
    this.done++;
    this.counts[result.verdict]++;
    let target = this.perTarget.get(result.target);
    if (!target) {
      target = emptyCounts();
      this.perTarget.set(result.target, target);
    }
    target[result.verdict]++;
    for (const { requirement } of result.notCheckable ?? []) {
      const byRequirement = this.notCheckable.get(result.target) ?? new Map<string, number>();
      byRequirement.set(requirement, (byRequirement.get(requirement) ?? 0) + 1);
      this.notCheckable.set(result.target, byRequirement);
    }

    if (result.verdict === 'fail' || result.verdict === 'broken') this.printProblem(result);
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

    for (const [target, message] of this.targetErrors)
      lines.push(p.red(`target ${this.redact(target)}: ${this.redact(message)}`));

    const notRun = Object.entries(summary.notRun ?? {}).filter(([, n]) => n > 0);
    for (const [target, count] of notRun) {
      const why = this.targetErrors.has(target) ? 'see the target error above' : 'the run was interrupted';
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
    const bad = summary.counts.fail + summary.counts.broken;
    const missing = summary.merge?.missing ?? [];
    // A shard's verdict is on its part of the plan only; the whole plan's is the merge's.
    const part =
      this.part !== null && this.part.startsWith('shard')
        ? ` (${this.part} only: not a verdict on the whole plan until the shards are merged)`
        : '';
    lines.push(
      bad === 0 && notRunTotal === 0 && !summary.interrupted && missing.length === 0
        ? p.green(p.bold(`conformant: no failed and no broken cases${part}`))
        : p.red(
            p.bold(
              `${formatCount(summary.counts.fail)} failed, ${formatCount(summary.counts.broken)} broken` +
                (notRunTotal > 0 ? `, ${formatCount(notRunTotal)} not run` : '') +
                (summary.interrupted ? ' (interrupted: not a verdict on the whole plan)' : '') +
                (missing.length > 0 ? ` (incomplete: ${missing.length} part(s) missing)` : '') +
                part,
            ),
          ),
    );
    const paths = this.options.reportPaths?.() ?? [];
    if (paths.length > 0) {
      lines.push('', 'Reports:');
      for (const path of paths) lines.push(`  ${this.redact(path)}`);
    }
    this.summaryOut.write(lines.join('\n') + '\n');
  }

  /** The summary table: one row per target, one column per verdict, a total row. */
  private table(summary: RunSummary): string[] {
    const header = ['target', ...VERDICTS.map((v) => LABEL[v]), 'total'];
    const rows: string[][] = [];
    const names = new Set([...this.targets.map((t) => t.name), ...this.perTarget.keys()]);
    for (const name of names) {
      const c = this.perTarget.get(name) ?? emptyCounts();
      rows.push([this.redact(name), ...VERDICTS.map((v) => formatCount(c[v])), formatCount(sum(c))]);
    }
    rows.push(['total', ...VERDICTS.map((v) => formatCount(summary.counts[v])), formatCount(summary.total)]);
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
    if (this.verbose) {
      if (result.expected !== undefined) text += `    expected: ${inline(redactValue(result.expected, r))}\n`;
      if (result.observed !== undefined) text += `    observed: ${inline(redactValue(result.observed, r))}\n`;
      if (result.requirements.length > 0) text += `    requirements: ${r(result.requirements.join(', '))}\n`;
    }
    text += `    ${p.dim('replay:')} ${r(result.replay)}\n`;
    this.above(text);
  }

  private printLine(result: CaseResult): void {
    const p = this.paint;
    const colour = result.verdict === 'pass' ? p.green : result.verdict === 'not-applicable' ? p.dim : p.yellow;
    this.above(
      `${colour(LABEL[result.verdict])} ${this.redact(result.id)} ${p.dim('on')} ${this.redact(result.target)}\n`,
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

function sum(counts: VerdictCounts): number {
  let total = 0;
  for (const v of VERDICTS) total += counts[v];
  return total;
}
