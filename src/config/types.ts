import type { FailOn } from '../core/expectations.ts';

/**
 * `HarnessConfig` is what users write in `harness.config.ts` (everything optional); `ResolvedConfig` is what
 * the engine uses (everything present). `resolveConfig` is the only way from one to the other.
 */

/** A reporter by name, or `[name, options]`. */
export type ReporterSpec = string | [string, Record<string, unknown>];

export interface TargetConfig {
  /** Unique; used by `--target <name>` and in every report. */
  name: string;
  /** `emulated` (in-process clients), `http` (an adapter-protocol URL). */
  driver: string;
  /** Driver options: emulated `{ platform, defects? }`, http `{ url, timeoutMs? }`. */
  options?: Record<string, unknown>;
  /**
   * The order in which the target checks its rules, as result codes, first checked first
   * (e.g. `[10, 11, 23, 32, 30, 31, 33, 20, 21, 22]`). Given, error precedence is checked exactly;
   * absent, the harness accepts any order that explains all answers consistently.
   */
  precedence?: number[];
  /** Per-case timeout for this target, in ms. */
  timeoutMs?: number;
  /**
   * `fewest`: run the cases that provably leave the client as they found it back to back, without a reset
   * in between (a reset of a real app takes seconds); `every-case`: a reset before every case. Default:
   * `fewest` for the `appium` driver, `every-case` otherwise (docs/devices.md, "Fewer resets").
   */
  resets?: 'every-case' | 'fewest';
}

export interface HarnessConfig {
  /** Every target the harness knows. */
  targets?: TargetConfig[];
  /** Targets `harness run` uses without `--target`. Default: every configured target. */
  run?: string[];
  /**
   * The profile catalog the harness's profile service serves, relative to this file's folder. Default: the
   * catalog the harness ships (`vectors/openmobile/profiles.json` of the package).
   */
  profiles?: string;
  /**
   * Directory of the fixed Open Mobile vectors, relative to this file's folder; the other suites' vectors are
   * its siblings (`<parent>/swivel`, ...). Default: the vectors the harness ships.
   */
  vectors?: string;
  /** Only cases whose id or requirement IDs contain one of these. */
  grep?: string[];
  obfuscation?: {
    /** The shared AES-256 key, 64 hex characters. `HARNESS_OBFUSCATION_KEY` overrides it. */
    key?: string;
  };
  reporters?: ReporterSpec[];
  /** Where reports go, relative to this file's folder (`--output` is relative to the working directory). Default `reports`. */
  outputDir?: string;
  /** Per-case timeout in ms (a target may override it). */
  timeoutMs?: number;
  /** Seed for anything random (recorded in every report). */
  seed?: number;
  /** Sessions run at once per target (bounded by what the driver allows). */
  workers?: number;
  /**
   * Per-case attachments in the reports (the derivation, expected vs observed, state before and after,
   * the target's logs): `on-failure` (default) for failing and non-strict cases only, like Playwright's
   * traces; `always` for every case. `npx harness explain <case-id>` shows a passing case's derivation.
   */
  artifacts?: 'on-failure' | 'always';
  /**
   * `harness run`: how many times a failed or broken case is run again, each time on a fresh session (a case
   * that passes on a retry is reported as flaky, with every attempt). Default 0. Useful on real devices;
   * on the emulated, in-process targets a retry can only hide a defect (docs/retries.md).
   */
  retries?: number;
  /**
   * `harness run`: stop scheduling cases after this many failed or broken ones (`--max-failures`, `--bail`
   * for 1); the cases in flight finish, the rest are reported as not run. Default: no limit.
   */
  maxFailures?: number;
  /** Delivery of provisioning links through a real browser: `--target browser+<target>`. */
  browser?: Partial<BrowserSettings>;
  /** `harness fuzz`: budgets and properties (docs/fuzzing.md). CLI flags override them. */
  fuzz?: FuzzConfig;
  /**
   * The known deviations of the targets (docs/expectations.md), relative to this file's folder. Default:
   * `harness.expectations.json` beside this file, when there is one. `--expectations` overrides it.
   */
  expectations?: string;
  /**
   * The implementation conformance statement the targets are judged against (docs/ics.md), relative to
   * this file's folder: a case showing another option than the one it declares fails, and cases needing a
   * capability it does not declare are not applicable. Default: none. `--ics` overrides it.
   */
  ics?: string;
  /**
   * The statuses that fail the run (exit 1): `fail`, `broken`, `unexpected-pass`, `non-strict`, `changed`,
   * `stale`, `flaky`. Default `['fail', 'broken', 'unexpected-pass']`. `--fail-on` overrides it.
   */
  failOn?: FailOn[];
}

export interface FuzzConfig {
  /**
   * Time budget of the whole fuzz run: `'30s'`, `'2m'`, `'500ms'`, shared by every property on every target
   * (the time one leaves goes to the next). Default `'1m'` when no budget is given.
   */
  time?: string;
  /** Time budget for each property on each target, instead of or beside the whole `time`. */
  timePerProperty?: string;
  /** Run budget for each property on each target (whichever budget is spent first ends it). */
  runs?: number;
  /** The properties to run, by id (`sequences`, `precedence`). Default: all of the suite's. */
  properties?: string[];
  /**
   * Stop a property after this many distinct failures (same requirements and category = one). Default 1;
   * in a differential run, no limit (every divergence is reported).
   */
  maxFailures?: number;
  /** Most requests in one generated sequence. Default 4. */
  maxSteps?: number;
  /**
   * Where shrunk failures are kept as vectors, relative to this file's folder (`--corpus`: to the working
   * directory). Default `vectors/regressions`. Meant to be committed beside the config: every later
   * `harness run` runs them first.
   */
  corpus?: string;
  /** The targets `harness fuzz` uses without `--target`. Default: the `run` targets. */
  targets?: string[];
  /** A second target: every sequence also runs there and the two are compared (differential mode). */
  against?: string;
}

export interface ResolvedFuzz {
  /** The whole run's time budget (Infinity: none). */
  timeMs: number;
  /** Each property's time budget on each target (Infinity: none). */
  timePerPropertyMs: number;
  runs: number;
  properties: string[] | null;
  /** null: 1, or unlimited in a differential run (every divergence is reported). */
  maxFailures: number | null;
  maxSteps: number;
  corpus: string;
  /** The fuzz targets when `--target` is not given (config `fuzz.targets`, else the `run` targets). */
  targets: ResolvedTarget[];
  against: ResolvedTarget | null;
}

export interface ResolvedTarget {
  name: string;
  driver: string;
  options: Record<string, unknown>;
  precedence: number[] | null;
  timeoutMs: number;
  resets: 'every-case' | 'fewest';
}

export interface ResolvedConfig {
  /**
   * Directory of the config file (or the working directory without one): every relative path the config
   * file gives (profiles, vectors, outputDir, fuzz.corpus, driver options) resolves against it.
   */
  rootDir: string;
  /** The working directory: paths given on the command line resolve against it, and messages name files from it. */
  cwd: string;
  /** The config file used, or null for the built-in defaults. */
  configFile: string | null;
  targets: ResolvedTarget[];
  /** The targets this run uses. */
  selected: ResolvedTarget[];
  /** The config's `profiles`, absolute; null where not given (the suite's registry entry has the default). */
  profiles: string | null;
  /** The config's `vectors`, absolute; null where not given (each suite's vectors are then the package's). */
  vectors: string | null;
  /** Where every suite's vectors are (`<vectorsRoot>/<suite>/`): the parent of `vectors`, or the package's. */
  vectorsRoot: string;
  grep: string[];
  /** `--tier smoke`: the fewest cases covering every requirement and choice option of the plan; `full`: all. */
  tier: 'smoke' | 'full';
  /** `--shard i/n`: this run runs the i-th (1-based) of n parts of each target's plan; null: the whole plan. */
  shard: Shard | null;
  obfuscationKey: string | null;
  reporters: ReporterSpec[];
  outputDir: string;
  timeoutMs: number;
  seed: number;
  workers: number;
  artifacts: 'on-failure' | 'always';
  /** `retries` (`--retries`): re-runs of a failed or broken case; 0: none. */
  retries: number;
  /** `maxFailures` (`--max-failures`, `--bail`): failed or broken cases after which the run stops; null: no limit. */
  maxFailures: number | null;
  browser: BrowserSettings;
  fuzz: ResolvedFuzz;
  /**
   * The expectations file, absolute: `--expectations`, else the config's `expectations`, else
   * `harness.expectations.json` beside the config when it exists (or, for `--update-expectations`, where it
   * will be written); null: none.
   */
  expectations: string | null;
  /** The conformance statement, absolute: `--ics`, else the config's `ics`; null: none (docs/ics.md). */
  ics: string | null;
  /** The statuses that fail the run (docs/expectations.md, "Policy"). */
  failOn: FailOn[];
}

/** One of n parts of a plan (`--shard i/n`), `index` from 1 to `total`. */
export interface Shard {
  index: number;
  total: number;
}

/** Flags of `harness run` that override the config file. */
export interface CliOverrides {
  config?: string;
  target?: string[];
  grep?: string[];
  tier?: 'smoke' | 'full';
  shard?: Shard;
  seed?: number;
  reporter?: string[];
  outputDir?: string;
  timeoutMs?: number;
  workers?: number;
  artifacts?: 'on-failure' | 'always';
  /** `harness fuzz` flags. */
  fuzzTimeMs?: number;
  fuzzTimePerPropertyMs?: number;
  fuzzRuns?: number;
  fuzzProperties?: string[];
  fuzzMaxFailures?: number;
  fuzzCorpus?: string;
  against?: string;
  /** `run --retries <n>`. */
  retries?: number;
  /** `run --max-failures <n>` (`--bail`: 1). */
  maxFailures?: number;
  /** `--expectations <file>`, relative to the working directory. */
  expectations?: string;
  /** `--fail-on <list>` (each value may be comma-separated). */
  failOn?: string[];
  /** `--update-expectations`: the expectations file need not exist yet (the run writes it). */
  updateExpectations?: boolean;
  /** `run --ics <file>`, relative to the working directory. */
  ics?: string;
}

/**
 * What the resolver checks beyond the config's shape, given by the composition root (src/cli/builtins.ts),
 * since the config layer knows no driver or reporter. Every problem of a config shows in one run.
 */
export interface ConfigChecks {
  /** Driver name -> a check of a target's options; each problem's path is relative to `options`. */
  drivers: Readonly<Record<string, (options: Record<string, unknown>) => { path: string; message: string }[]>>;
  /** Reporter name -> the options a config may give it. */
  reporters: Readonly<Record<string, readonly string[]>>;
}

/**
 * The `browser` section: how provisioning links are delivered through a real browser (`--target
 * browser+<target>`). The config owns its shape; the runner hands it to the browser delivery driver as
 * `DriverContext.sections.browser`.
 */
export interface BrowserSettings {
  /** The Chromium to drive. Default: Debian's `/usr/bin/chromium`. */
  executablePath: string;
  /** Device emulation (a Playwright device name), or `auto`: a Pixel for Android, an iPhone for iOS. */
  device: string;
  /** The page the link is on: an MDM-style HTML page (`mdm`), or a plain email-style message (`email`). */
  page: 'mdm' | 'email';
  /** `navigation`: a real click, the URL the browser navigates to; `script`: the link's href as the page parsed it. */
  capture: 'navigation' | 'script';
  headless: boolean;
}
