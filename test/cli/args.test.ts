/**
 * src/cli/args.ts: which flags each command takes. A flag of another command is refused (exit 2 through
 * main), never silently ignored (`run --time 30s` would run the whole plan and look like a fuzz run); USAGE
 * says the same as the table, and README's usage lists the flags of `run`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMAND_FLAGS, COMMANDS, parseCli, USAGE, type Command } from '../../src/cli/args.ts';
import { isHarnessError } from '../../src/core/errors.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** A value for a flag that takes one, valid for its check. */
const VALUES: Record<string, string> = {
  config: 'harness.config.ts',
  target: 'emulated-android',
  grep: 'x',
  tier: 'smoke',
  seed: '1',
  reporter: 'console',
  output: 'reports',
  timeout: '1000',
  workers: '2',
  artifacts: 'always',
  shard: '1/2',
  retries: '1',
  'max-failures': '2',
  out: 'site',
  time: '1s',
  'time-per-property': '1s',
  runs: '5',
  property: 'sequences',
  against: 'emulated-ios',
  corpus: 'vectors/regressions',
  port: '0',
  expectations: 'harness.expectations.json',
  'fail-on': 'fail',
  ics: 'harness.ics.json',
  'fuzz-time': '30s',
  key: 'harness-signing.key',
  bundle: 'certification',
};
const argsOf = (flag: string): string[] => (flag in VALUES ? [`--${flag}`, VALUES[flag] as string] : [`--${flag}`]);
const ALL_FLAGS = [...new Set(Object.values(COMMAND_FLAGS).flat())];

function usageError(argv: string[]): string {
  try {
    parseCli(argv);
  } catch (error) {
    if (isHarnessError(error) && error.code === 'HARNESS_USAGE') return error.format();
    throw error;
  }
  throw new Error(`accepted: ${argv.join(' ')}`);
}

describe('each command takes its own flags', () => {
  const pairs = COMMANDS.flatMap((command) => COMMAND_FLAGS[command].map((flag) => [command, flag] as const));
  it.each(pairs)('%s --%s', (command, flag) => {
    expect(parseCli([command, ...argsOf(flag)]).command).toBe(command);
  });
});

describe('a flag of another command is refused, naming the command it belongs to', () => {
  // Every command, with every flag that is not its own.
  const pairs = COMMANDS.filter((c) => c !== 'help' && c !== 'version').flatMap((command) =>
    ALL_FLAGS.filter((flag) => !COMMAND_FLAGS[command].includes(flag)).map((flag) => [command, flag] as const),
  );
  it.each(pairs)('%s --%s', (command, flag) => {
    const owners = COMMANDS.filter((c) => COMMAND_FLAGS[c].includes(flag));
    const message = usageError([command, ...argsOf(flag)]);
    expect(message).toMatch(new RegExp(`^HARNESS_USAGE: --${flag} is a flag of \`harness ${owners[0]}\``));
    for (const owner of owners) expect(message).toContain(`\`harness ${owner}\``);
    expect(message).toContain(`not of \`harness ${command}\``);
    expect(message).toContain(`the flags of \`harness ${command}\`: `);
  });

  it('reads as the issue asks, and points a near flag of the command out', () => {
    expect(usageError(['run', '--time', '30s'])).toBe(
      'HARNESS_USAGE: --time is a flag of `harness fuzz`, not of `harness run`: remove it (the flags of `harness run`: ' +
        '--config, --target, --grep, --tier, --seed, --reporter, --output, --timeout, --workers, --artifacts, --shard, --retries, ' +
        '--max-failures, --bail, --last-failed, --expectations, --update-expectations, --fail-on, --ics)',
    );
    expect(usageError(['run', '--out', 'x'])).toContain('--output');
  });

  it('--help and --version are every command’s', () => {
    for (const command of COMMANDS) {
      expect(parseCli([command, '--help']).command).toBe('help');
      expect(parseCli([command, '--version']).command).toBe('version');
    }
  });
});

describe('an unknown flag', () => {
  it('is refused with the nearest flag of any command', () => {
    expect(usageError(['run', '--sed', '1'])).toBe(
      "HARNESS_USAGE: unknown flag --sed: did you mean --seed? run `npx harness --help` for every command's flags",
    );
    expect(usageError(['run', '--zzzzzz'])).toBe(
      "HARNESS_USAGE: unknown flag --zzzzzz: run `npx harness --help` for every command's flags",
    );
  });
});

describe('--max-failures, --bail, --retries, --last-failed', () => {
  it('mean on run what run does with them, and --max-failures on fuzz what fuzz does', () => {
    expect(parseCli(['run', '--max-failures', '3']).overrides).toEqual({ maxFailures: 3 });
    expect(parseCli(['run', '--bail']).overrides).toEqual({ maxFailures: 1 });
    expect(parseCli(['run', '--bail', '--max-failures', '1']).overrides).toEqual({ maxFailures: 1 });
    expect(parseCli(['fuzz', '--max-failures', '3']).overrides).toEqual({ fuzzMaxFailures: 3 });
    expect(parseCli(['run', '--retries', '0']).overrides).toEqual({ retries: 0 });
    expect(parseCli(['run', '--last-failed']).lastFailed).toBe(true);
    expect(parseCli(['run']).lastFailed).toBe(false);
  });

  it('refuse a bad value, and --bail with another --max-failures', () => {
    expect(usageError(['run', '--retries', '-1'])).toBe(
      'HARNESS_USAGE: --retries must be a whole number >= 0, got "-1": for example --retries 2',
    );
    expect(usageError(['run', '--max-failures', '0'])).toContain('--max-failures must be a whole number >= 1');
    expect(usageError(['run', '--bail', '--max-failures', '3'])).toBe(
      'HARNESS_USAGE: --bail is --max-failures 1, and --max-failures 3 was given too: keep one of them',
    );
  });
});

describe('USAGE and README say what the table says', () => {
  it('every flag in USAGE names the commands that take it', () => {
    const commandsOf = (flag: string): string[] => {
      // The flag's line and the lines continuing it (indented further, no flag of their own).
      const lines = USAGE.split('\n');
      const at = lines.findIndex((line) => new RegExp(`^  --${flag}[ ,]`).test(line));
      expect(at, `--${flag} in USAGE`).toBeGreaterThanOrEqual(0);
      const text = [
        lines[at],
        ...lines.slice(at + 1).filter((_, i, rest) => rest.slice(0, i + 1).every((l) => /^ {6,}/.test(l ?? ''))),
      ].join(' ');
      const named = [...text.matchAll(/\(([a-z ,-]+?)(?: --[a-z-]+)?\)/g)].flatMap((m) => (m[1] ?? '').split(/, /));
      if (named.includes('every command')) return COMMANDS.filter((c) => c !== 'help' && c !== 'version');
      return named.filter((c) => (COMMANDS as readonly string[]).includes(c));
    };
    for (const flag of ALL_FLAGS) {
      const owners = COMMANDS.filter((c) => COMMAND_FLAGS[c].includes(flag));
      expect(new Set(commandsOf(flag)), `--${flag}`).toEqual(new Set<Command>(owners));
    }
  });

  it("README's usage names every flag of run", () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    for (const flag of COMMAND_FLAGS.run) expect(readme, `--${flag}`).toContain(`--${flag}`);
  });
});
