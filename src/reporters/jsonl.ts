import { join } from 'node:path';
import type { CaseResult } from '../core/results.ts';
import type { Reporter, RunInfo, RunSummary, TargetRun } from '../core/reporter.ts';
import { RUN_RECORD_FILE, RUN_RECORD_FORMAT, type RunRecord } from '../core/run-record.ts';
import { AppendFile, identity, redactShared, redactValue, writeFileAtomic, type Redact } from './text.ts';

export interface JsonlOptions {
  /** Default: the run's outputDir. */
  outputDir?: string;
  /** File name inside outputDir (default `results.jsonl`). */
  fileName?: string;
  redact?: Redact;
}

/**
 * One CaseResult per line in `<outputDir>/results.jsonl`, appended the moment the case ends with a
 * synchronous write: a run that is killed keeps every case it finished, one JSON object a line, for `jq`
 * or a CI step to read. Beside it, `run.json` (src/core/run-record.ts): the run's plan, shard and targets,
 * what `harness merge` needs to join several runs' results.
 */
export class JsonlReporter implements Reporter {
  private file: AppendFile | null = null;
  /** onPrepare opened this run's file already: onBegin keeps it. */
  private prepared = false;
  private readonly redact: Redact;
  private record: RunRecord | null = null;
  private dir: string | null = null;

  constructor(private readonly options: JsonlOptions = {}) {
    this.redact = options.redact ?? identity;
  }

  get path(): string | null {
    return this.file?.path ?? null;
  }

  /** The files this reporter wrote (for the console's list of reports). */
  writtenFiles(): string[] {
    return this.file ? [this.file.path] : [];
  }

  /** Empties an earlier run's file at once, so a run killed before its first case leaves none of its lines. */
  onPrepare(run: RunInfo): void {
    this.open(run);
    this.prepared = true;
    this.startRecord(run, []);
  }

  onBegin(run: RunInfo, targets: TargetRun[] = []): void {
    if (!this.prepared) this.open(run);
    this.prepared = false;
    this.startRecord(run, targets);
  }

  private open(run: RunInfo): void {
    this.file?.close();
    this.dir = this.options.outputDir ?? run.outputDir;
    this.file = new AppendFile(join(this.dir, this.options.fileName ?? 'results.jsonl'));
  }

  onCaseEnd(result: CaseResult): void {
    if (!this.file) throw new Error('onCaseEnd before onBegin');
    this.file.write(JSON.stringify(redactShared(result, this.redact)) + '\n');
  }

  onTargetError(target: string, message: string): void {
    if (this.record === null) return;
    this.record.targetErrors[this.redact(target)] = this.redact(message);
    this.writeRecord();
  }

  onRunError(): void {
    if (this.record !== null) {
      this.record.status = 'error';
      this.writeRecord();
    }
    this.file?.close();
  }

  onEnd(summary?: RunSummary): void {
    this.file?.close();
    if (this.record === null || summary === undefined) return;
    this.record.status = summary.interrupted ? 'interrupted' : 'complete';
    this.record.end = {
      counts: summary.counts,
      total: summary.total,
      durationMs: summary.durationMs,
      interrupted: summary.interrupted,
      notRun: summary.notRun ?? {},
      checks: summary.checks ?? {},
      exitCode: summary.exitCode ?? (summary.counts.fail + summary.counts.broken > 0 ? 1 : 0),
    };
    if (summary.merge !== undefined) this.record.merge = summary.merge;
    this.writeRecord();
  }

  /** run.json as the run starts: `in-progress`, replacing an earlier run's at once. */
  private startRecord(run: RunInfo, targets: TargetRun[]): void {
    this.record = {
      format: RUN_RECORD_FORMAT,
      status: 'in-progress',
      results: this.options.fileName ?? 'results.jsonl',
      harnessVersion: run.harnessVersion,
      startedAt: run.startedAt,
      seed: run.seed,
      command: run.command,
      configDigest: run.configDigest ?? null,
      shard: run.shard ?? null,
      targets,
      targetErrors: {},
      end: null,
      ...(run.merge === undefined ? {} : { merge: run.merge }),
    };
    this.writeRecord();
  }

  private writeRecord(): void {
    if (this.record === null || this.dir === null) return;
    writeFileAtomic(join(this.dir, RUN_RECORD_FILE), JSON.stringify(redactValue(this.record, this.redact)) + '\n');
  }
}
