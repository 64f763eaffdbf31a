/**
 * Every command the harness prints (replay lines after `run` and `fuzz`, hints in messages, `explain`
 * suggestions, the replay line of a kept regression) is built here, so each one runs as printed: from the
 * directory where it was printed, with the same config file and the flags that decide a verdict, every
 * argument quoted for a POSIX shell. test/e2e/printed-commands.test.ts runs them.
 */
import path from 'node:path';

/** Where printed commands will be run from, and the flags every one of them must keep. */
export interface CommandContext {
  /** The directory the command is printed in (and will be pasted in): paths are relative to it. */
  cwd: string;
  /**
   * The config file the command's run loaded, when a bare `npx harness` in `cwd` would load another one
   * (or none): absolute, printed relative to `cwd`. Null: the default lookup finds the same file.
   */
  config: string | null;
  /** Flags given on the command line that change verdicts (`--seed`, `--timeout`), as typed. */
  flags: readonly string[];
}

/** For code that prints no command of its own run (tests, the library API): no config, no flags. */
export function defaultCommandContext(cwd: string = process.cwd()): CommandContext {
  return { cwd, config: null, flags: [] };
}

/** Characters a POSIX shell reads literally outside quotes. */
const SAFE = /^[A-Za-z0-9@%_+=:,./-]+$/;

/** One argument for a POSIX shell (sh, bash, zsh): as is when it needs no quoting, else in single quotes. */
export function shellQuote(arg: string): string {
  if (arg !== '' && SAFE.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** A path as it must be typed in `cwd`: relative when that is shorter to read, `./` never needed. */
export function printedPath(context: CommandContext, file: string): string {
  const absolute = path.resolve(context.cwd, file);
  const relative = path.relative(context.cwd, absolute);
  if (relative === '') return '.';
  // A path outside the directory tree of `cwd` by more than two levels reads better absolute.
  return relative.split(path.sep).filter((part) => part === '..').length > 2 ? absolute : relative;
}

/** `npx harness <command> [args...]` with the run's config file and verdict-deciding flags. */
export function harnessCommand(context: CommandContext, command: string, args: readonly string[] = []): string {
  const config = context.config === null ? [] : ['--config', printedPath(context, context.config)];
  return ['npx', 'harness', command, ...args, ...config, ...context.flags].map(shellQuote).join(' ');
}

/** Re-runs exactly one case on one target. */
export function runCaseCommand(context: CommandContext, target: string, caseId: string): string {
  return harnessCommand(context, 'run', ['--target', target, '--grep', caseId]);
}

/** Re-runs a whole target (what a run-level check over all its cases needs). */
export function runTargetCommand(context: CommandContext, target: string): string {
  return harnessCommand(context, 'run', ['--target', target]);
}

/** Replays a kept failure on the target that found it (named, so a target given by URL replays too). */
export function replayFileCommand(context: CommandContext, file: string, target: string): string {
  return harnessCommand(context, 'replay', [printedPath(context, file), '--target', target]);
}

/** Shows how a case's expectation is derived. */
export function explainCommand(context: CommandContext, caseId: string): string {
  return harnessCommand(context, 'explain', [caseId]);
}

/** Lists the case ids (`--grep <text>`, `--target <name>` to narrow them). */
export function listCommand(context: CommandContext, args: readonly string[] = []): string {
  return harnessCommand(context, 'list', args);
}
