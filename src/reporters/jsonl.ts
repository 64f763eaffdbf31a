import { join } from 'node:path';
import type { CaseResult } from '../core/results.ts';
import type { Reporter, RunInfo } from '../core/reporter.ts';
import { AppendFile, identity, redactShared, type Redact } from './text.ts';

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
 * or a CI step to read.
 */
export class JsonlReporter implements Reporter {
  private file: AppendFile | null = null;
  /** onPrepare opened this run's file already: onBegin keeps it. */
  private prepared = false;
  private readonly redact: Redact;

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
  }

  onBegin(run: RunInfo): void {
    if (!this.prepared) this.open(run);
    this.prepared = false;
  }

  private open(run: RunInfo): void {
    this.file?.close();
    this.file = new AppendFile(join(this.options.outputDir ?? run.outputDir, this.options.fileName ?? 'results.jsonl'));
  }

  onCaseEnd(result: CaseResult): void {
    if (!this.file) throw new Error('onCaseEnd before onBegin');
    this.file.write(JSON.stringify(redactShared(result, this.redact)) + '\n');
  }

  onRunError(): void {
    this.onEnd();
  }

  onEnd(): void {
    this.file?.close();
  }
}
