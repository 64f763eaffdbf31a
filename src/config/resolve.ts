import { existsSync, readFileSync } from 'node:fs';
import Module, { register } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import { didYouMean, HarnessError, type Problem } from '../core/errors.ts';
import { configDefaults, PACKAGE_ROOT } from './defaults.ts';
import type {
  CliOverrides,
  ConfigChecks,
  HarnessConfig,
  ResolvedConfig,
  ResolvedTarget,
  TargetConfig,
} from './types.ts';
import { validateConfigShape } from './validate.ts';
import {
  DEFAULT_FAIL_ON,
  EXPECTATIONS_FILE_NAME,
  failOnProblems,
  splitFailOn,
  type FailOn,
} from '../core/expectations.ts';
import { parseDuration } from './duration.ts';

const KEY_PATTERN = /^[0-9a-fA-F]{64}$/;

/** This package's public entry, what `import ... from 'provisioning-harness'` means in a config file. */
const SELF_NAME = 'provisioning-harness';
const SELF_ENTRY = new URL('../index.ts', import.meta.url);
let selfAliased = false;

/**
 * A config file kept outside this package (a lab's own folder, without the harness installed there) still
 * imports `defineConfig` from 'provisioning-harness': the name then resolves to the running harness. Where
 * the package is installed beside the config, that copy is used, as Node would. Both loaders need it: a
 * `.ts` config in a folder without `"type": "module"` is compiled to CommonJS and `require`s the name.
 */
function aliasSelf(): void {
  if (selfAliased) return;
  selfAliased = true;
  register('./self-alias.mjs', { parentURL: import.meta.url, data: { entry: SELF_ENTRY.href } });
  const cjs = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
  const resolveFilename = cjs._resolveFilename;
  cjs._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]): string {
    try {
      return resolveFilename.call(this, request, ...rest);
    } catch (error) {
      if (request !== SELF_NAME || (error as { code?: unknown }).code !== 'MODULE_NOT_FOUND') throw error;
      return fileURLToPath(SELF_ENTRY);
    }
  };
}

/** Finds and imports the config file; null when there is none (the built-in defaults apply). */
export async function loadConfigFile(
  cwd: string,
  explicit: string | undefined,
): Promise<{ file: string; config: HarnessConfig } | null> {
  let file: string | undefined;
  if (explicit !== undefined) {
    file = path.resolve(cwd, explicit);
    if (!existsSync(file)) {
      throw new HarnessError('HARNESS_CONFIG_NOT_FOUND', `--config ${explicit}: no such file (looked at ${file})`);
    }
  } else {
    file = configDefaults()
      .configFileNames.map((name) => path.join(cwd, name))
      .find((candidate) => existsSync(candidate));
    if (file === undefined) return null;
  }
  const shown = path.relative(cwd, file) || file;
  let loaded: unknown;
  aliasSelf();
  try {
    // tsImport loads the file as an ES module whatever the nearest package.json says, so a config in a
    // CommonJS project (no "type": "module") works the same.
    loaded = await tsImport(pathToFileURL(file).href, import.meta.url);
  } catch (error) {
    throw loadError(error, file, shown, cwd);
  }
  let config = (loaded as { default?: unknown }).default;
  // In a project without "type": "module" the file is compiled to CommonJS: its exports arrive as the
  // default export, marked __esModule, with the real default export inside.
  if (config !== null && typeof config === 'object' && (config as { __esModule?: unknown }).__esModule === true) {
    config = (config as { default?: unknown }).default;
  }
  if (config === undefined) {
    throw new HarnessError(
      'HARNESS_CONFIG_INVALID',
      `${shown} must have a default export: export default defineConfig({ ... })`,
    );
  }
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    const what =
      config === null ? 'null' : Array.isArray(config) ? 'an array' : `${describeExport(config)} (a ${typeof config})`;
    throw new HarnessError(
      'HARNESS_CONFIG_INVALID',
      `${shown}: the default export is ${what}, not a configuration object: export default defineConfig({ targets: [...], ... })`,
    );
  }
  return { file, config: config as HarnessConfig };
}

function describeExport(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/**
 * Why a config file could not be loaded, located: esbuild's `file:line:column: ERROR: message` for a syntax
 * error (with the line and a caret under the column), the module a failed import names, or what the file
 * threw while it ran. Never esbuild's bare "Transform failed with 1 error:".
 */
function loadError(error: unknown, file: string, shown: string, cwd: string): HarnessError {
  const message = error instanceof Error ? error.message : String(error);
  const isTransform = /^Transform failed/.test(message) || (error instanceof Error && error.name === 'TransformError');
  const located = !isTransform ? [] : [...message.matchAll(/^(.+?):(\d+):(\d+): (?:ERROR: )?(.+)$/gm)];
  if (located.length > 0) {
    const problems: Problem[] = located.map((m) => {
      const where = m[1] ?? file;
      const line = Number(m[2]);
      const column = Number(m[3]);
      const whereShown = path.relative(cwd, where) || where;
      return {
        // esbuild counts columns from 0; editors (and `file:line:column` links) from 1.
        file: `${whereShown}:${line}:${column + 1}`,
        path: '',
        message: `${m[4] ?? ''}${sourceExcerpt(where, line, column)}`,
      };
    });
    return new HarnessError(
      'HARNESS_CONFIG_INVALID',
      `${shown} could not be loaded: ${located.length} syntax error(s). Fix the file at the place shown`,
      problems,
    );
  }
  const first = (message.split('\n')[0] ?? '').replace(/\?namespace=[0-9a-f-]+/g, '');
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
    return new HarnessError(
      'HARNESS_CONFIG_INVALID',
      `${shown} could not be loaded: ${first}. Fix the import, or install the package it names`,
    );
  }
  return new HarnessError(
    'HARNESS_CONFIG_INVALID',
    `${shown} could not be loaded: it threw ${error instanceof Error ? `${error.name}: ` : ''}${first}. Fix the code that throws`,
  );
}

/** The line of the config at `line` (1-based) and a caret under `column` (0-based, as esbuild counts). */
function sourceExcerpt(file: string, line: number, column: number): string {
  let text: string | undefined;
  try {
    text = readFileSync(file, 'utf8').split(/\r?\n/)[line - 1];
  } catch {
    return '';
  }
  if (text === undefined || text.length > 300) return '';
  return `\n      ${text}\n      ${' '.repeat(Math.min(column, text.length))}^`;
}

/** A `--target` that is a URL becomes an ad-hoc http target; its platform comes from `/v1/info`. */
function adHocTarget(value: string): TargetConfig | null {
  if (!/^https?:\/\//i.test(value)) return null;
  return { name: value, driver: 'http', options: { url: value } };
}

/**
 * HarnessConfig + CLI flags -> ResolvedConfig. One line per field: flag, then file, then default
 * (STYLE.md item 2). Collects every problem before throwing.
 */
export function resolveConfig(
  file: { file: string; config: HarnessConfig } | null,
  cli: CliOverrides,
  env: NodeJS.ProcessEnv,
  cwd: string,
  checks?: ConfigChecks,
): ResolvedConfig {
  const d = configDefaults();
  const config = file?.config ?? {};
  const configFile = file?.file ?? null;
  const rootDir = configFile ? path.dirname(configFile) : cwd;
  const shown = configFile ? path.relative(cwd, configFile) || configFile : 'built-in defaults';

  // Every problem in one pass (schema, targets, driver options, reporters, key): what the schema rejected is
  // left out of the later checks, so each mistake is reported once.
  const problems: Problem[] = configFile ? validateConfigShape(config, shown) : [];
  const shapeBroken = new Set(problems.map((p) => p.path));

  const configuredTargets = Array.isArray(config.targets) ? config.targets : d.targets;
  const usable = configuredTargets.filter(
    (t): t is TargetConfig =>
      t !== null && typeof t === 'object' && typeof t.name === 'string' && typeof t.driver === 'string',
  );
  const targets: ResolvedTarget[] = usable.map((t) => ({
    name: t.name,
    driver: t.driver,
    options: t.options !== null && typeof t.options === 'object' ? t.options : {},
    precedence: t.precedence ?? null,
    timeoutMs: t.timeoutMs ?? cli.timeoutMs ?? config.timeoutMs ?? d.timeoutMs,
    // A device's reset (clear the app, relaunch it) takes seconds; an in-process client's, microseconds.
    resets: t.resets ?? (t.driver === 'appium' ? 'fewest' : 'every-case'),
  }));
  const names = new Set<string>();
  targets.forEach((t, i) => {
    if (names.has(t.name))
      problems.push({
        file: shown,
        path: `targets[${i}].name`,
        message: `"${t.name}" is used twice: target names must be unique`,
      });
    names.add(t.name);
  });

  if (checks !== undefined) {
    configuredTargets.forEach((t, i) => problems.push(...targetProblems(t, i, shown, checks, shapeBroken)));
  }

  const wanted = cli.target ?? (Array.isArray(config.run) ? config.run : undefined) ?? targets.map((t) => t.name);
  const selected: ResolvedTarget[] = [];
  const lookup = (name: string): ResolvedTarget | null => {
    const found = targets.find((t) => t.name === name);
    if (found) return found;
    const adHoc = adHocTarget(name);
    if (adHoc) {
      return {
        name: adHoc.name,
        driver: adHoc.driver,
        options: adHoc.options ?? {},
        precedence: null,
        timeoutMs: cli.timeoutMs ?? config.timeoutMs ?? d.timeoutMs,
        resets: 'every-case',
      };
    }
    // `browser+<target>`: the target's links delivered through a real browser (drivers/browser/).
    if (name.startsWith('browser+')) {
      const inner = lookup(name.slice('browser+'.length));
      if (inner === null) return null;
      return {
        ...inner,
        name,
        driver: 'browser',
        options: { target: { driver: inner.driver, options: inner.options } },
      };
    }
    return null;
  };
  wanted.forEach((name, i) => {
    if (typeof name !== 'string') return; // the schema said so already
    const found = lookup(name);
    if (found) return void selected.push(found);
    const where = cli.target ? { file: 'command line', path: '--target' } : { file: shown, path: `run[${i}]` };
    problems.push({
      ...where,
      message: `unknown target "${name}": use one of ${[...names].map((n) => `"${n}"`).join(', ')}, an adapter URL like http://127.0.0.1:9400, or browser+<target> to deliver its links through a browser`,
    });
  });

  // `harness fuzz`: its targets (without --target) and the second target of a differential run.
  const fuzzTargets: ResolvedTarget[] = [];
  (Array.isArray(config.fuzz?.targets) ? config.fuzz.targets : []).forEach((name, i) => {
    if (typeof name !== 'string') return;
    const found = lookup(name);
    if (found) return void fuzzTargets.push(found);
    problems.push({
      file: shown,
      path: `fuzz.targets[${i}]`,
      message: `unknown target "${name}": use one of ${[...names].map((n) => `"${n}"`).join(', ')}`,
    });
  });
  const againstName = cli.against ?? (typeof config.fuzz?.against === 'string' ? config.fuzz.against : undefined);
  let against: ResolvedTarget | null = null;
  if (againstName !== undefined) {
    against = lookup(againstName);
    if (against === null) {
      problems.push({
        ...(cli.against ? { file: 'command line', path: '--against' } : { file: shown, path: 'fuzz.against' }),
        message: `unknown target "${againstName}": use one of ${[...names].map((n) => `"${n}"`).join(', ')} or an adapter URL`,
      });
    }
  }
  // A flag budget replaces the file's: `--runs 500` alone is not cut short by a configured time. `time` is
  // the whole run's budget; `timePerProperty` (and `runs`) bound each property on each target.
  const flagBudget =
    cli.fuzzTimeMs !== undefined || cli.fuzzTimePerPropertyMs !== undefined || cli.fuzzRuns !== undefined;
  const duration = (text: unknown): number =>
    typeof text === 'string' ? (parseDuration(text) ?? Number.POSITIVE_INFINITY) : Number.POSITIVE_INFINITY;
  const fileBudgeted =
    config.fuzz?.time !== undefined || config.fuzz?.timePerProperty !== undefined || config.fuzz?.runs !== undefined;
  const fuzzTimeMs = flagBudget
    ? (cli.fuzzTimeMs ?? Number.POSITIVE_INFINITY)
    : duration(fileBudgeted ? config.fuzz?.time : d.fuzz.time);
  const fuzzTimePerPropertyMs = flagBudget
    ? (cli.fuzzTimePerPropertyMs ?? Number.POSITIVE_INFINITY)
    : duration(config.fuzz?.timePerProperty);
  const fuzzRuns = flagBudget
    ? (cli.fuzzRuns ?? Number.POSITIVE_INFINITY)
    : (config.fuzz?.runs ?? Number.POSITIVE_INFINITY);
  // One rule for paths (README.md, "Configuration"): what the config file gives is relative to its folder; a flag,
  // to the working directory; a field left out is the harness's own data (vectors, catalog) or `reports/`
  // and `vectors/regressions/` beside the config.
  // Left out, the suites' own data applies: each suite's registry entry knows where it is.
  const vectorsDir = typeof config.vectors === 'string' ? path.resolve(rootDir, config.vectors) : null;
  const profilesFile = typeof config.profiles === 'string' ? path.resolve(rootDir, config.profiles) : null;
  if (checks !== undefined) {
    const missing = (field: string, given: unknown, at: string | null, what: string) => {
      if (typeof given !== 'string' || at === null || shapeBroken.has(field) || existsSync(at)) return;
      const shownAt = path.relative(cwd, at) || at;
      problems.push({
        file: shown,
        path: field,
        message: `"${given}" is ${shownAt}, which does not exist: ${what} (paths in a config file are relative to its folder, ${path.relative(cwd, rootDir) || '.'}/; leave the field out for the harness's own)`,
      });
    };
    missing('profiles', config.profiles, profilesFile, 'give the profile catalog file');
    missing('vectors', config.vectors, vectorsDir, 'give the Open Mobile vectors directory');
  }

  const envKey = env['HARNESS_OBFUSCATION_KEY'];
  const obfuscationKey = envKey !== undefined && envKey !== '' ? envKey : (config.obfuscation?.key ?? null);
  if (typeof obfuscationKey === 'string' && !KEY_PATTERN.test(obfuscationKey)) {
    problems.push({
      file: envKey ? 'environment' : shown,
      path: envKey ? 'HARNESS_OBFUSCATION_KEY' : 'obfuscation.key',
      message: keyProblem(obfuscationKey),
    });
  }

  const reporters = cli.reporter ?? config.reporters ?? d.reporters;
  if (checks !== undefined && Array.isArray(reporters)) {
    problems.push(
      ...reporterProblems(
        reporters,
        checks,
        cli.reporter ? 'command line' : shown,
        cli.reporter !== undefined,
        shapeBroken,
      ),
    );
  }

  // The fail-on policy and the expectations file (docs/expectations.md).
  const failOnGiven = cli.failOn !== undefined ? splitFailOn(cli.failOn) : config.failOn;
  if (Array.isArray(failOnGiven)) {
    problems.push(
      ...(cli.failOn !== undefined
        ? failOnProblems(failOnGiven, 'command line', () => '--fail-on')
        : shapeBroken.has('failOn')
          ? []
          : failOnProblems(failOnGiven, shown, (i) => `failOn[${i}]`)),
    );
  }
  // A file named on the command line (relative to the working directory) or in the config (relative to its
  // folder); one that does not exist is a problem naming where it was named, with the fix.
  const namedFile = (
    fromCli: string | undefined,
    fromConfig: unknown,
    flag: string,
    field: string,
    mustExist: boolean,
    fix: string,
  ): string | null => {
    const file =
      fromCli !== undefined
        ? path.resolve(cwd, fromCli)
        : typeof fromConfig === 'string'
          ? path.resolve(rootDir, fromConfig)
          : null;
    if (file !== null && mustExist && !existsSync(file)) {
      problems.push({
        ...(fromCli !== undefined ? { file: 'command line', path: flag } : { file: shown, path: field }),
        message: `${path.relative(cwd, file) || file} does not exist: ${fix}`,
      });
    }
    return file;
  };
  const expectationsFile = namedFile(
    cli.expectations,
    config.expectations,
    '--expectations',
    'expectations',
    cli.updateExpectations !== true,
    'fix the path, or write the file from a run with `--update-expectations`',
  );
  const defaultExpectations = path.join(rootDir, EXPECTATIONS_FILE_NAME);
  // The conformance statement (docs/ics.md): read and checked against the suites by the command using it.
  const icsFile = namedFile(
    cli.ics,
    config.ics,
    '--ics',
    'ics',
    true,
    'fix the path, or write the statement a run observes with `npx harness ics --target <name>`',
  );

  if (problems.length > 0) {
    const where = configFile ? ` (config file ${shown})` : '';
    throw new HarnessError(
      'HARNESS_CONFIG_INVALID',
      `${problems.length} configuration problem(s)${where}: fix them all, then run again`,
      problems,
    );
  }

  return {
    rootDir,
    cwd,
    configFile,
    targets,
    selected,
    profiles: profilesFile,
    vectors: vectorsDir,
    vectorsRoot: vectorsDir === null ? path.join(PACKAGE_ROOT, 'vectors') : path.dirname(vectorsDir),
    grep: cli.grep ?? config.grep ?? d.grep,
    tier: cli.tier ?? 'full',
    shard: cli.shard ?? null,
    obfuscationKey: obfuscationKey === null ? null : obfuscationKey.toUpperCase(),
    reporters,
    outputDir: cli.outputDir
      ? path.resolve(cwd, cli.outputDir)
      : path.resolve(rootDir, config.outputDir ?? d.outputDir),
    timeoutMs: cli.timeoutMs ?? config.timeoutMs ?? d.timeoutMs,
    seed: cli.seed ?? config.seed ?? d.seed,
    workers: cli.workers ?? config.workers ?? d.workers,
    artifacts: cli.artifacts ?? config.artifacts ?? d.artifacts,
    retries: cli.retries ?? config.retries ?? d.retries,
    maxFailures: cli.maxFailures ?? config.maxFailures ?? null,
    browser: { ...d.browser, ...config.browser },
    fuzz: {
      timeMs: fuzzTimeMs,
      timePerPropertyMs: fuzzTimePerPropertyMs,
      runs: fuzzRuns,
      properties: cli.fuzzProperties ?? config.fuzz?.properties ?? null,
      maxFailures: cli.fuzzMaxFailures ?? config.fuzz?.maxFailures ?? null,
      maxSteps: config.fuzz?.maxSteps ?? d.fuzz.maxSteps,
      corpus: cli.fuzzCorpus
        ? path.resolve(cwd, cli.fuzzCorpus)
        : config.fuzz?.corpus
          ? path.resolve(rootDir, config.fuzz.corpus)
          : path.resolve(rootDir, d.fuzz.corpus),
      targets: config.fuzz?.targets ? fuzzTargets : selected,
      against,
    },
    expectations:
      expectationsFile ??
      (existsSync(defaultExpectations) || cli.updateExpectations === true ? defaultExpectations : null),
    failOn: Array.isArray(failOnGiven) ? [...new Set(failOnGiven as FailOn[])] : [...DEFAULT_FAIL_ON],
    ics: icsFile,
  };
}

/** Why a key is not an AES-256 key, without quoting any of it (it is a secret). */
function keyProblem(key: string): string {
  const base = 'must be 64 hex characters (0-9, A-F: an AES-256 key)';
  const bad = [...key].findIndex((c) => !/[0-9a-fA-F]/.test(c));
  if (key.length !== 64 && bad === -1) return `${base}, got ${key.length} characters`;
  if (key.length !== 64) return `${base}, got ${key.length} characters, and character ${bad + 1} is not a hex digit`;
  return `${base}: it has 64 characters, but character ${bad + 1} is not a hex digit`;
}

/** A configured target's driver and options, checked by the driver's own check (names the target). */
function targetProblems(
  t: unknown,
  i: number,
  file: string,
  checks: ConfigChecks,
  shapeBroken: ReadonlySet<string>,
): Problem[] {
  if (t === null || typeof t !== 'object') return [];
  const { name, driver, options } = t as Record<string, unknown>;
  if (typeof driver !== 'string' || shapeBroken.has(`targets[${i}].driver`)) return [];
  const label = typeof name === 'string' ? `target "${name}"` : `targets[${i}]`;
  const drivers = Object.keys(checks.drivers);
  const check = checks.drivers[driver];
  if (check === undefined) {
    return [
      {
        file,
        path: `targets[${i}].driver`,
        message: `${label}: unknown driver "${driver}": ${didYouMean(driver, drivers)}use one of ${drivers.join(', ')}`,
      },
    ];
  }
  if (shapeBroken.has(`targets[${i}].options`)) return [];
  // A target with a misspelt key (`optoins`) is reported for that; its options are not judged missing too.
  if (options === undefined && shapeBroken.has(`targets[${i}]`)) return [];
  const given = options === undefined ? {} : options;
  if (given === null || typeof given !== 'object' || Array.isArray(given)) return [];
  return check(given as Record<string, unknown>).map((p) => ({
    file,
    path: `targets[${i}].options.${p.path}`,
    message: `${label} (${driver} driver): ${p.message}`,
  }));
}

/** Each reporter's name and the options a config may give it. */
function reporterProblems(
  specs: readonly unknown[],
  checks: ConfigChecks,
  file: string,
  fromFlags: boolean,
  shapeBroken: ReadonlySet<string>,
): Problem[] {
  const names = Object.keys(checks.reporters);
  const problems: Problem[] = [];
  specs.forEach((spec, i) => {
    const at = fromFlags ? '--reporter' : `reporters[${i}]`;
    if (!fromFlags && [...shapeBroken].some((p) => p === at || p.startsWith(`${at}[`))) return;
    const name = typeof spec === 'string' ? spec : Array.isArray(spec) ? spec[0] : undefined;
    if (typeof name !== 'string') return;
    const known = checks.reporters[name];
    if (known === undefined) {
      problems.push({
        file,
        path: fromFlags ? at : typeof spec === 'string' ? at : `${at}[0]`,
        message: `unknown reporter "${name}": ${didYouMean(name, names)}the reporters are ${names.join(', ')}`,
      });
      return;
    }
    const options: unknown = Array.isArray(spec) ? spec[1] : undefined;
    if (options === null || typeof options !== 'object') return;
    for (const key of Object.keys(options)) {
      if (known.includes(key)) continue;
      problems.push({
        file,
        path: `${at}[1].${key}`,
        message: `unknown option "${key}" of the ${name} reporter: ${didYouMean(key, known)}its options are ${known.length > 0 ? known.join(', ') : 'none'}`,
      });
    }
  });
  return problems;
}
