import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import { HarnessError, type Problem } from '../core/errors.ts';
import { configDefaults } from './defaults.ts';
import type { CliOverrides, HarnessConfig, ResolvedConfig, ResolvedTarget, TargetConfig } from './types.ts';
import { validateConfigShape } from './validate.ts';
import { parseDuration } from './duration.ts';

const KEY_PATTERN = /^[0-9a-fA-F]{64}$/;

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
  let loaded: unknown;
  try {
    // tsImport loads the file as an ES module whatever the nearest package.json says, so a config in a
    // CommonJS project (no "type": "module") works the same.
    loaded = await tsImport(pathToFileURL(file).href, import.meta.url);
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new HarnessError(
      'HARNESS_CONFIG_INVALID',
      `${path.relative(cwd, file) || file} could not be loaded: ${reason}. Fix the syntax error or the import it names.`,
    );
  }
  let config = (loaded as { default?: unknown }).default;
  // In a project without "type": "module" the file is compiled to CommonJS: its exports arrive as the
  // default export, marked __esModule, with the real default export inside.
  if (config !== null && typeof config === 'object' && (config as { __esModule?: unknown }).__esModule === true) {
    config = (config as { default?: unknown }).default;
  }
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new HarnessError(
      'HARNESS_CONFIG_INVALID',
      `${path.relative(cwd, file) || file} must have a default export: export default defineConfig({ ... })`,
    );
  }
  return { file, config: config as HarnessConfig };
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
): ResolvedConfig {
  const d = configDefaults();
  const config = file?.config ?? {};
  const configFile = file?.file ?? null;
  const rootDir = configFile ? path.dirname(configFile) : cwd;
  const shown = configFile ? path.relative(cwd, configFile) || configFile : 'built-in defaults';

  const problems: Problem[] = configFile ? validateConfigShape(config, shown) : [];
  if (problems.length > 0) {
    throw new HarnessError('HARNESS_CONFIG_INVALID', `${shown} has ${problems.length} problem(s)`, problems);
  }

  const targets: ResolvedTarget[] = (config.targets ?? d.targets).map((t) => ({
    name: t.name,
    driver: t.driver,
    options: t.options ?? {},
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

  const wanted = cli.target ?? config.run ?? targets.map((t) => t.name);
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
  (config.fuzz?.targets ?? []).forEach((name, i) => {
    const found = lookup(name);
    if (found) return void fuzzTargets.push(found);
    problems.push({
      file: shown,
      path: `fuzz.targets[${i}]`,
      message: `unknown target "${name}": use one of ${[...names].map((n) => `"${n}"`).join(', ')}`,
    });
  });
  const againstName = cli.against ?? config.fuzz?.against;
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
  // A flag budget replaces the file's: `--runs 500` alone is not cut short by a configured time.
  const flagBudget = cli.fuzzTimeMs !== undefined || cli.fuzzRuns !== undefined;
  const fileTime = config.fuzz?.time ?? (config.fuzz?.runs !== undefined ? undefined : d.fuzz.time);
  const fuzzTimeMs = flagBudget
    ? (cli.fuzzTimeMs ?? Number.POSITIVE_INFINITY)
    : fileTime === undefined
      ? Number.POSITIVE_INFINITY
      : (parseDuration(fileTime) ?? 15_000);
  const fuzzRuns = flagBudget
    ? (cli.fuzzRuns ?? Number.POSITIVE_INFINITY)
    : (config.fuzz?.runs ?? Number.POSITIVE_INFINITY);
  const vectorsDir = path.resolve(rootDir, config.vectors ?? d.vectors);

  const envKey = env['HARNESS_OBFUSCATION_KEY'];
  const obfuscationKey = envKey !== undefined && envKey !== '' ? envKey : (config.obfuscation?.key ?? null);
  if (obfuscationKey !== null && !KEY_PATTERN.test(obfuscationKey)) {
    problems.push({
      file: envKey ? 'environment' : shown,
      path: envKey ? 'HARNESS_OBFUSCATION_KEY' : 'obfuscation.key',
      message: `must be 64 hex characters (an AES-256 key), got ${obfuscationKey.length} characters`,
    });
  }

  if (problems.length > 0) {
    throw new HarnessError('HARNESS_CONFIG_INVALID', `${problems.length} configuration problem(s)`, problems);
  }

  const reporters = cli.reporter ?? config.reporters ?? d.reporters;
  return {
    rootDir,
    configFile,
    targets,
    selected,
    profiles: path.resolve(rootDir, config.profiles ?? d.profiles),
    vectors: vectorsDir,
    grep: cli.grep ?? config.grep ?? d.grep,
    obfuscationKey: obfuscationKey === null ? null : obfuscationKey.toUpperCase(),
    reporters,
    outputDir: cli.outputDir
      ? path.resolve(cwd, cli.outputDir)
      : path.resolve(rootDir, config.outputDir ?? d.outputDir),
    timeoutMs: cli.timeoutMs ?? config.timeoutMs ?? d.timeoutMs,
    seed: cli.seed ?? config.seed ?? d.seed,
    workers: cli.workers ?? config.workers ?? d.workers,
    artifacts: cli.artifacts ?? config.artifacts ?? d.artifacts,
    browser: { ...d.browser, ...config.browser },
    fuzz: {
      timeMs: fuzzTimeMs,
      runs: fuzzRuns,
      properties: cli.fuzzProperties ?? config.fuzz?.properties ?? null,
      maxFailures: cli.fuzzMaxFailures ?? config.fuzz?.maxFailures ?? null,
      maxSteps: config.fuzz?.maxSteps ?? d.fuzz.maxSteps,
      corpus: cli.fuzzCorpus
        ? path.resolve(cwd, cli.fuzzCorpus)
        : config.fuzz?.corpus
          ? path.resolve(rootDir, config.fuzz.corpus)
          : path.join(path.dirname(vectorsDir), 'regressions'),
      targets: config.fuzz?.targets ? fuzzTargets : selected,
      against,
    },
  };
}
