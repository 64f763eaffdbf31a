import type { CaseResult } from '../core/results.ts';
import type { Reporter, RunInfo, RunSummary, TargetRun } from '../core/reporter.ts';
import { errorMessage, identity, type Redact } from './text.ts';

export interface NamedReporter {
  name: string;
  reporter: Reporter;
}

export interface MultiplexerOptions {
  /** Where a reporter's failure is printed (default process.stderr). */
  stderr?: { write(text: string): unknown };
  /** Error messages can quote the data being written, so they are redacted like any report text. */
  redact?: Redact;
}

type Hook = keyof Reporter;

/**
 * Fans every hook out to several reporters, in the order given. One reporter's exception must not cost
 * the user the other reports (a full disk for JUnit should still leave the console summary), so each call
 * is isolated. The failure is printed once per reporter and hook: a reporter that throws on every case
 * would otherwise bury the run's output under thousands of identical lines.
 */
export class ReporterMultiplexer implements Reporter {
  private readonly reported = new Set<string>();
  private readonly failureCounts = new Map<string, number>();

  private readonly stderr: { write(text: string): unknown };
  private readonly redact: Redact;

  constructor(
    private readonly reporters: readonly NamedReporter[],
    options: MultiplexerOptions = {},
  ) {
    this.stderr = options.stderr ?? process.stderr;
    this.redact = options.redact ?? identity;
  }

  onPrepare(run: RunInfo): void {
    for (const entry of this.reporters) {
      if (!entry.reporter.onPrepare) continue;
      try {
        entry.reporter.onPrepare(run);
      } catch (error) {
        this.fail(entry.name, 'onPrepare', error);
      }
    }
  }

  onRunError(message: string): void {
    for (const entry of this.reporters) {
      if (!entry.reporter.onRunError) continue;
      try {
        entry.reporter.onRunError(message);
      } catch (error) {
        this.fail(entry.name, 'onRunError', error);
      }
    }
  }

  async onBegin(run: RunInfo, targets: TargetRun[]): Promise<void> {
    for (const entry of this.reporters) {
      if (!entry.reporter.onBegin) continue;
      try {
        await entry.reporter.onBegin(run, targets);
      } catch (error) {
        this.fail(entry.name, 'onBegin', error);
      }
    }
  }

  onCaseEnd(result: CaseResult): void {
    for (const entry of this.reporters) {
      if (!entry.reporter.onCaseEnd) continue;
      try {
        entry.reporter.onCaseEnd(result);
      } catch (error) {
        this.fail(entry.name, 'onCaseEnd', error);
      }
    }
  }

  onTargetError(target: string, message: string): void {
    for (const entry of this.reporters) {
      if (!entry.reporter.onTargetError) continue;
      try {
        entry.reporter.onTargetError(target, message);
      } catch (error) {
        this.fail(entry.name, 'onTargetError', error);
      }
    }
  }

  onTargetNote(target: string, message: string): void {
    for (const entry of this.reporters) {
      if (!entry.reporter.onTargetNote) continue;
      try {
        entry.reporter.onTargetNote(target, message);
      } catch (error) {
        this.fail(entry.name, 'onTargetNote', error);
      }
    }
  }

  /**
   * Awaits every reporter's onEnd, one after the other in order, so a reporter listed last (the console)
   * can name the files the others have finished writing.
   */
  async onEnd(summary: RunSummary): Promise<void> {
    for (const entry of this.reporters) {
      if (!entry.reporter.onEnd) continue;
      try {
        await entry.reporter.onEnd(summary);
      } catch (error) {
        this.fail(entry.name, 'onEnd', error);
      }
    }
  }

  /** How many times each `<reporter>.<hook>` threw (for tests and for a caller deciding the exit code). */
  failures(): ReadonlyMap<string, number> {
    return this.failureCounts;
  }

  private fail(name: string, hook: Hook, error: unknown): void {
    const key = `${name}.${hook}`;
    this.failureCounts.set(key, (this.failureCounts.get(key) ?? 0) + 1);
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.stderr.write(this.redact(`reporter ${name} failed in ${hook}: ${errorMessage(error)}`) + '\n');
  }
}
