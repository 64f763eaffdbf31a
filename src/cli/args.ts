import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { CliOverrides, Shard } from '../config/types.ts';
import { didYouMean, HarnessError } from '../core/errors.ts';
import { parseDuration } from '../config/duration.ts';

export const USAGE = `Usage: harness <command> [options]

Commands:
  run                 run the plan (default: every configured target)
  list                list the cases of the plan
  explain <case-id>   show how a case's expectation is derived, rule by rule
  report              turn reports/allure-results into the HTML report (needs Java); --open serves it,
                      --single-file writes one file that opens from disk
  links               write the provisioning-links page for a phone (--out <dir>, default site/)
  fuzz                the suite's fuzz properties on each target until the budget is spent; a failure is
                      shrunk, kept in vectors/regressions/ and printed with its replay command
  replay <file>       re-run a failure the fuzzer kept: FIXED, STILL FAILING or BROKEN
  merge <dir>...      join the reports of several runs (the shards of --shard, or machines) into one:
                      results.jsonl, summary.json, junit.xml, Allure results and the console summary, with
                      the run-level checks recomputed over every shard's cases; takes --config, --reporter,
                      --output (default reports), --expectations and --fail-on, as run does
  ics                 run a target's plan and write the implementation conformance statement it showed
                      (--output <file>, default harness.ics.json); judge against it with run --ics (docs/ics.md)
  serve profiles      the harness's profile service alone, on loopback (--port, default 9401), with the
                      configured catalog, for trying an adapter by hand; Ctrl-C stops it
  keygen              an Ed25519 key pair for signing bundles (harness-signing.key, mode 0600, and
                      harness-signing.pub, in --out <dir>, default .); prints the public key's fingerprint
  certify             the certification plan (every case of the targets' suites) and --fuzz-time of fuzzing,
                      written as a signed bundle (--bundle <dir>, default certification) and its .tar.gz
                      (docs/certification.md)
  verify <bundle>     check a bundle (directory or .tar.gz): its signature, every file's digest, the harness
                      and vectors it was made with, and every recorded verdict judged again

Options (the commands in parentheses take the flag; a flag of another command is refused):
  --config <file>     (run, list, explain, report, links, fuzz, replay, merge, ics, serve, certify, verify)
                      config file (default: ./harness.config.ts)
  --target <name|url> (run, list, explain, links, fuzz, replay, ics, certify) a configured target, or an adapter URL
                      (repeatable)
  --grep <text>       (run, list, links, certify) only cases whose id (or former id) or requirement IDs contain <text>
                      (repeatable)
  --tier <tier>       (run, list, certify) smoke: the fewest cases covering every requirement and choice option; full (default)
  --seed <n>          (run, list, explain, fuzz, replay, ics, certify) the order cases run in (shuffled by this seed;
                      recorded in the reports)
  --shard <i/n>       (run) run the i-th of n parts of each target's plan (1-based), split by estimated cost,
                      chains kept whole; join the n runs' reports with \`harness merge\` (docs/shards.md)
  --reporter <name>   (run, fuzz, merge) console, jsonl, summary, junit, allure, github (repeatable;
                      replaces the configured list)
  --output <dir>      (run, report, fuzz, merge, ics) reports directory (default: reports; merge: where the
                      merged reports go; ics: the statement's file, default harness.ics.json)
  --timeout <ms>      (run, list, explain, fuzz, replay, ics, certify) per-case timeout
  --workers <n>       (run, ics, certify) sessions at once per target
  --artifacts <when>  (run) attach each case's details: on-failure (default) or always
  --retries <n>       (run, certify) re-run a failed or broken case up to n times on a fresh session; one that passes
                      on a retry is flaky (default 0; docs/retries.md)
  --max-failures <n>  (run) stop scheduling cases after n failed or broken ones; the rest are not run
                      (fuzz) distinct failures to find before stopping a property (default 1)
  --bail              (run) the same as --max-failures 1
  --last-failed       (run) only the cases that failed or broke in the previous run (<output>/results.jsonl)
  --expectations <file>  (run, merge, certify) the known deviations (default: harness.expectations.json beside the config,
                      when there is one; docs/expectations.md)
  --update-expectations  (run) write the expectations file from this run and print what changed
  --ics <file>        (run, certify) judge against this implementation conformance statement: a case showing
                      another option than it declares fails (docs/ics.md)
  --fail-on <list>    (run, merge, certify) the statuses that fail the run: fail, broken, unexpected-pass, non-strict,
                      changed, stale, flaky (comma-separated or repeated; default fail,broken,unexpected-pass)
  --json              (list) print JSON
  --open              (report) serve the report on 127.0.0.1 and print its URL, until Ctrl-C
  --single-file       (report) one self-contained index.html that opens from file://
  --out <dir>         (links) where to write index.html (default: site); (keygen) where to write the key
                      pair (default: .)
  --time <t>          (fuzz) time budget of the whole run, shared by every property and target: 30s, 2m,
                      500ms (default 1m)
  --time-per-property <t>  (fuzz) time budget of each property on each target
  --runs <n>          (fuzz) run budget per property and target (default: none, the time decides)
  --property <id>     (fuzz) only this property: sequences, precedence (repeatable; default: all)
  --against <target>  (fuzz) differential: run the same sequences on this target too and compare
  --corpus <dir>      (fuzz) where shrunk failures are kept (default: vectors/regressions)
  --fuzz-time <t>     (certify) the fuzz budget after the plan: 3m (default), 30s; 0 for none
  --key <file>        (certify) the private key that signs the bundle (default: $HARNESS_SIGNING_KEY, the
                      key's PEM text or file); (verify) the signer's public key to check the signature with
                      (default: the key embedded in the bundle, which proves nothing about who signed)
  --bundle <dir>      (certify) where to write the bundle (default: certification; <dir>.tar.gz beside it)
  --port <n>          (report, serve) the port to listen on (report --open: any free one; serve: 9401;
                      0 picks a free one)
  -h, --help          this help (any command)
  -v, --version       the harness's version

Exit codes:
  0    nothing failed or broke (beyond the expected deviations; --fail-on decides what fails)
  1    a case failed or broke, or cases were not run (interrupted, a target stopped answering, or
       --max-failures reached)
  2    a usage or configuration error (a bad flag, config field or vector file; the message says the fix)
  3    an internal error of the harness (a bug: please report it)
       (verify: the bundle is invalid; certify: the run failed or the bundle is not certifiable)
  130  quit at once by a second Ctrl-C (143: a second SIGTERM)`;

export const COMMANDS = [
  'run',
  'list',
  'explain',
  'report',
  'links',
  'fuzz',
  'replay',
  'merge',
  'ics',
  'serve',
  'keygen',
  'certify',
  'verify',
  'help',
  'version',
] as const;

export type Command = (typeof COMMANDS)[number];

/**
 * The flags each command takes (`--help` and `--version` aside, which every command takes). A flag given to
 * a command that does not take it is refused (exit 2), never silently ignored: `run --time 30s` would
 * otherwise run the whole plan and look like a fuzz run that found nothing. `--seed` and `--timeout` are
 * taken by every command that prints or re-runs cases, since the commands a run prints keep them
 * (src/core/commands.ts). USAGE says the same in parentheses (test/cli/args.test.ts compares them).
 */
export const COMMAND_FLAGS: Readonly<Record<Command, readonly string[]>> = {
  run: [
    'config',
    'target',
    'grep',
    'tier',
    'seed',
    'reporter',
    'output',
    'timeout',
    'workers',
    'artifacts',
    'shard',
    'retries',
    'max-failures',
    'bail',
    'last-failed',
    'expectations',
    'update-expectations',
    'fail-on',
    'ics',
  ],
  list: ['config', 'target', 'grep', 'tier', 'seed', 'timeout', 'json'],
  explain: ['config', 'target', 'seed', 'timeout'],
  report: ['config', 'output', 'open', 'single-file', 'port'],
  links: ['config', 'target', 'grep', 'out'],
  fuzz: [
    'config',
    'target',
    'seed',
    'reporter',
    'output',
    'timeout',
    'max-failures',
    'time',
    'time-per-property',
    'runs',
    'property',
    'against',
    'corpus',
  ],
  replay: ['config', 'target', 'seed', 'timeout'],
  merge: ['config', 'reporter', 'output', 'expectations', 'fail-on'],
  ics: ['config', 'target', 'seed', 'timeout', 'workers', 'output'],
  serve: ['config', 'port'],
  keygen: ['out'],
  certify: [
    'config',
    'target',
    'grep',
    'tier',
    'seed',
    'timeout',
    'workers',
    'retries',
    'expectations',
    'fail-on',
    'ics',
    'fuzz-time',
    'key',
    'bundle',
  ],
  verify: ['config', 'key'],
  help: [],
  version: [],
};

export interface ParsedArgs {
  command: Command;
  /** `links --out <dir>`. */
  out: string;
  positionals: string[];
  overrides: CliOverrides;
  json: boolean;
  /** `report --open`, `--single-file`; `report --open` and `serve` take `--port`. */
  report: { open: boolean; singleFile: boolean; port: number };
  /** `serve --port <n>`. */
  port: number | undefined;
  /** `run --last-failed`: only the cases that failed or broke in the previous run. */
  lastFailed: boolean;
  /** `keygen --out <dir>`; absent: the working directory. */
  keyOut?: string;
  /** `certify --key` (private key) and `verify --key` (public key). */
  key?: string;
  /** `certify --bundle <dir>`. */
  bundle?: string;
  /** `certify --fuzz-time <t>` in ms (0: none). */
  fuzzTimeMs?: number;
  /** The flags given on the command line, by name (certify says where a setting came from). */
  given: readonly string[];
  /** `ics --output <file>`: where the observed statement is written (default harness.ics.json). */
  icsOutput?: string;
}

/** What each numeric flag counts and an example, for the message that rejects a bad value. */
const NUMBER_FLAGS: Record<string, { what: string; example: string }> = {
  seed: { what: 'a whole number >= 0', example: '--seed 42' },
  timeout: { what: 'a whole number of milliseconds >= 1', example: '--timeout 5000' },
  workers: { what: 'a whole number >= 1', example: '--workers 4' },
  runs: { what: 'a whole number >= 1', example: '--runs 500' },
  'max-failures': { what: 'a whole number >= 1', example: '--max-failures 3' },
  retries: { what: 'a whole number >= 0', example: '--retries 2' },
  port: { what: 'a port number from 0 to 65535', example: '--port 9401' },
};

function integer(flag: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min || !Number.isSafeInteger(Number(value))) {
    const hint = NUMBER_FLAGS[flag];
    throw new HarnessError(
      'HARNESS_USAGE',
      `--${flag} must be ${hint?.what ?? `an integer >= ${min}`}, got "${value}"${hint ? `: for example ${hint.example}` : ''}`,
    );
  }
  return Number(value);
}

/** Every flag parseArgs knows; which command takes which is {@link COMMAND_FLAGS}. */
const OPTIONS = {
  config: { type: 'string' },
  target: { type: 'string', multiple: true },
  grep: { type: 'string', multiple: true },
  tier: { type: 'string' },
  shard: { type: 'string' },
  seed: { type: 'string' },
  reporter: { type: 'string', multiple: true },
  output: { type: 'string' },
  timeout: { type: 'string' },
  workers: { type: 'string' },
  artifacts: { type: 'string' },
  out: { type: 'string' },
  time: { type: 'string' },
  'time-per-property': { type: 'string' },
  runs: { type: 'string' },
  corpus: { type: 'string' },
  property: { type: 'string', multiple: true },
  against: { type: 'string' },
  'max-failures': { type: 'string' },
  retries: { type: 'string' },
  bail: { type: 'boolean' },
  'last-failed': { type: 'boolean' },
  port: { type: 'string' },
  expectations: { type: 'string' },
  ics: { type: 'string' },
  'fail-on': { type: 'string', multiple: true },
  'update-expectations': { type: 'boolean' },
  json: { type: 'boolean' },
  open: { type: 'boolean' },
  'single-file': { type: 'boolean' },
  'fuzz-time': { type: 'string' },
  key: { type: 'string' },
  bundle: { type: 'string' },
  version: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

/** The flags that take a value (parseArgs' string options). */
const VALUE_FLAGS = new Set(
  Object.entries(OPTIONS)
    .filter(([, option]) => option.type === 'string')
    .map(([name]) => name),
);

/**
 * `--timeout -5` as `--timeout=-5`: parseArgs takes a value that starts with a dash for another flag and
 * answers "argument is ambiguous"; joined, the value reaches the flag's own check, which names the flag and
 * what it accepts.
 */
function joinDashValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const next = argv[i + 1];
    if (arg.startsWith('--') && VALUE_FLAGS.has(arg.slice(2)) && next !== undefined && /^-[\d.]/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

export function parseCli(argv: string[]): ParsedArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: joinDashValues(argv),
      allowPositionals: true,
      strict: true,
      tokens: true,
      options: OPTIONS,
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const unknown = /^Unknown option '--([^']+)'/.exec(reason)?.[1];
    if (unknown !== undefined) {
      // A typo of a flag: the nearest one, whichever command takes it.
      const flags = [...new Set(Object.values(COMMAND_FLAGS).flat())];
      const near = didYouMean(unknown, flags).replace(/"([^"]+)"/, '--$1');
      throw new HarnessError(
        'HARNESS_USAGE',
        `unknown flag --${unknown}: ${near}run \`npx harness --help\` for every command's flags`,
      );
    }
    throw new HarnessError('HARNESS_USAGE', `${reason}. Run \`npx harness --help\` for the options.`);
  }
  const { values, positionals } = parsed;
  const [command = 'help', ...rest] = positionals;
  const report = { open: values.open ?? false, singleFile: values['single-file'] ?? false, port: 0 };
  const bare = {
    positionals: [],
    overrides: {},
    json: false,
    out: 'site',
    port: undefined,
    report,
    lastFailed: false,
    given: [],
  };
  if (values.help) return { command: 'help', ...bare };
  if (values.version) return { command: 'version', ...bare };
  if (!(COMMANDS as readonly string[]).includes(command)) {
    throw new HarnessError(
      'HARNESS_USAGE',
      `unknown command "${command}": ${didYouMean(command, COMMANDS)}use ${COMMANDS.slice(0, -2).join(', ')}, help or --version`,
    );
  }
  const given = new Set<string>();
  for (const token of parsed.tokens ?? []) if (token.kind === 'option') given.add(token.name);
  refuseForeignFlags(command as Command, given);
  const port = integer('port', values.port, 0);
  if (port !== undefined && port > 65_535) {
    throw new HarnessError('HARNESS_USAGE', `--port must be a port number from 0 to 65535, got "${values.port}"`);
  }
  const overrides: CliOverrides = {};
  let fuzzTimeMs: number | undefined;
  if (values['fuzz-time'] !== undefined) {
    const parsed = values['fuzz-time'].trim() === '0' ? 0 : parseDuration(values['fuzz-time']);
    if (parsed === null)
      throw new HarnessError(
        'HARNESS_USAGE',
        `--fuzz-time must be a duration like 3m, 30s or 500ms, or 0 for no fuzzing, got "${values['fuzz-time']}"`,
      );
    fuzzTimeMs = parsed;
  }
  for (const flag of ['time', 'time-per-property'] as const) {
    const value = values[flag];
    if (value === undefined) continue;
    const parsed = parseDuration(value);
    if (parsed === null || parsed <= 0)
      throw new HarnessError('HARNESS_USAGE', `--${flag} must be a duration like 30s, 2m or 500ms, got "${value}"`);
    if (flag === 'time') overrides.fuzzTimeMs = parsed;
    else overrides.fuzzTimePerPropertyMs = parsed;
  }
  const runs = integer('runs', values.runs, 1);
  if (runs !== undefined) overrides.fuzzRuns = runs;
  const maxFailures = integer('max-failures', values['max-failures'], 1);
  if (command === 'fuzz') {
    if (maxFailures !== undefined) overrides.fuzzMaxFailures = maxFailures;
  } else if (values.bail === true) {
    if (maxFailures !== undefined && maxFailures !== 1)
      throw new HarnessError(
        'HARNESS_USAGE',
        `--bail is --max-failures 1, and --max-failures ${maxFailures} was given too: keep one of them`,
      );
    overrides.maxFailures = 1;
  } else if (maxFailures !== undefined) overrides.maxFailures = maxFailures;
  const retries = integer('retries', values.retries, 0);
  if (retries !== undefined) overrides.retries = retries;
  if (values.property !== undefined) overrides.fuzzProperties = values.property;
  if (values.corpus !== undefined) overrides.fuzzCorpus = values.corpus;
  if (values.against !== undefined) overrides.against = values.against;
  if (values.config !== undefined) overrides.config = values.config;
  if (values.target !== undefined) overrides.target = values.target;
  if (values.grep !== undefined) overrides.grep = values.grep;
  if (values.tier !== undefined) {
    if (values.tier !== 'smoke' && values.tier !== 'full')
      throw new HarnessError(
        'HARNESS_USAGE',
        `--tier must be smoke or full, got "${values.tier}": for example --tier smoke`,
      );
    overrides.tier = values.tier;
  }
  if (values.shard !== undefined) overrides.shard = parseShard(values.shard);
  if (values.reporter !== undefined) overrides.reporter = values.reporter;
  // `ics --output` names the statement's file, not a reports directory.
  if (values.output !== undefined && command !== 'ics') overrides.outputDir = values.output;
  if (values.ics !== undefined) overrides.ics = values.ics;
  const seed = integer('seed', values.seed, 0);
  if (seed !== undefined) overrides.seed = seed;
  const timeout = integer('timeout', values.timeout, 1);
  if (timeout !== undefined) overrides.timeoutMs = timeout;
  if (values.artifacts !== undefined) {
    if (values.artifacts !== 'on-failure' && values.artifacts !== 'always') {
      throw new HarnessError('HARNESS_USAGE', `--artifacts must be on-failure or always, got "${values.artifacts}"`);
    }
    overrides.artifacts = values.artifacts;
  }
  if (port !== undefined) report.port = port;
  const workers = integer('workers', values.workers, 1);
  if (workers !== undefined) overrides.workers = workers;
  // Checked with the config (src/config/resolve.ts), which names the flag and the allowed statuses.
  if (values.expectations !== undefined) overrides.expectations = values.expectations;
  if (values['fail-on'] !== undefined) overrides.failOn = values['fail-on'];
  if (values['update-expectations'] === true) overrides.updateExpectations = true;
  return {
    command: command as ParsedArgs['command'],
    positionals: rest,
    overrides,
    json: values.json ?? false,
    out: values.out ?? 'site',
    report,
    port,
    lastFailed: values['last-failed'] ?? false,
    ...(command === 'keygen' && values.out !== undefined ? { keyOut: values.out } : {}),
    ...(values.key === undefined ? {} : { key: values.key }),
    ...(values.bundle === undefined ? {} : { bundle: values.bundle }),
    ...(fuzzTimeMs === undefined ? {} : { fuzzTimeMs }),
    given: [...given],
    ...(command === 'ics' && values.output !== undefined ? { icsOutput: values.output } : {}),
  };
}

/**
 * Refuses a flag the command does not take: the command(s) it belongs to, and the flags this one takes
 * (`run --out` lists `--output`).
 */
function refuseForeignFlags(command: Command, given: ReadonlySet<string>): void {
  const own = COMMAND_FLAGS[command];
  for (const flag of given) {
    if (flag === 'help' || flag === 'version' || own.includes(flag)) continue;
    const owners = COMMANDS.filter((c) => COMMAND_FLAGS[c].includes(flag)).map((c) => `\`harness ${c}\``);
    const theirs = owners.length === 1 ? owners[0] : `${owners.slice(0, -1).join(', ')} and ${owners.at(-1)}`;
    throw new HarnessError(
      'HARNESS_USAGE',
      `--${flag} is a flag of ${theirs}, not of \`harness ${command}\`: remove it ` +
        `(the flags of \`harness ${command}\`: ${own.length === 0 ? 'none' : own.map((f) => `--${f}`).join(', ')})`,
    );
  }
}

/** `--shard i/n`: the i-th (1-based, as in Playwright) of n parts. */
export function parseShard(value: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(value.trim());
  if (match === null) {
    throw new HarnessError(
      'HARNESS_USAGE',
      `--shard must be i/n, the shard to run (1 to n) of n shards, got "${value}": for example --shard 1/4`,
    );
  }
  const index = Number(match[1]);
  const total = Number(match[2]);
  if (!Number.isSafeInteger(total) || total < 1) {
    throw new HarnessError('HARNESS_USAGE', `--shard ${value}: n must be 1 or more: for example --shard 1/4`);
  }
  if (!Number.isSafeInteger(index) || index < 1 || index > total) {
    throw new HarnessError(
      'HARNESS_USAGE',
      `--shard ${value}: there is no shard ${index} of ${total}: shards are numbered 1 to ${total} (for example --shard 1/${total} ... --shard ${total}/${total})`,
    );
  }
  return { index, total };
}
