/**
 * The composition root: the only module of src/ that names concrete suites and drivers (the lint rule
 * allows this file alone). The engine works through what it exports: one typed entry per suite (SUITES),
 * from which the driver registry, the config checks and the suite of each driver are derived (STYLE.md
 * item 6). Adding a suite is one folder under suites/ plus one entry here (docs/architecture.md).
 */
import { checkAppiumDriverOptions } from '../../drivers/appium/options.ts';
import { checkBrowserDriverOptions } from '../../drivers/browser/options.ts';
import { checkEmulatedDriverOptions, createEmulatedDriver } from '../../drivers/emulated/driver.ts';
import { startProfileService } from '../../drivers/emulated/profile-service.ts';
import { checkHttpDriverOptions, createHttpDriver } from '../../drivers/http/driver.ts';
import {
  checkProfileServiceDriverOptions,
  createProfileServiceDriver,
} from '../../drivers/http/openmobile-profiles.ts';
import { checkSurePassIdDriverOptions, createSurePassIdDriver } from '../../drivers/http/surepassid.ts';
import { checkSwivelDriverOptions, createSwivelDriver } from '../../drivers/http/swivel.ts';
import type { OptionProblem } from '../../drivers/options.ts';
import { OpenMobileSuite } from '../../suites/openmobile/index.ts';
import { OpenMobileProfilesSuite } from '../../suites/openmobile-profiles/index.ts';
import { SurePassIdSuite } from '../../suites/surepassid/index.ts';
import { SwivelSuite } from '../../suites/swivel/index.ts';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../config/defaults.ts';
import type { ConfigChecks, ResolvedConfig, ResolvedTarget } from '../config/types.ts';
import { REPORTER_NAMES } from '../reporters/index.ts';
import type { DriverFactory, TargetDriver } from '../core/driver.ts';
import type { ChoicePointInfo, RequirementInfo, Suite } from '../core/suite.ts';
import type { IcsVocabulary } from '../core/ics.ts';
import type { BaseTargetInfo } from '../core/types.ts';
import { suiteLoadContext, unknownDriver, type AnySuite } from '../runner/run.ts';

/** A built-in driver: how to open it, and how to check a target's options for it without opening it. */
export interface DriverEntry<S, I extends BaseTargetInfo> {
  create: DriverFactory<TargetDriver<S, I>>;
  check(options: Record<string, unknown>): OptionProblem[];
}

/** What a suite is created with: the config's paths, and vector files given beside its own (`replay`). */
export interface SuiteSetup {
  /** The resolved config (its `vectors`, `profiles`); absent where only the requirements are wanted. */
  config?: Pick<ResolvedConfig, 'vectors' | 'profiles'>;
  /** The failure corpus (config `fuzz.corpus`). */
  corpusDir?: string;
  /** Vector files to load beside the suite's own: the ones that are this suite's (see `corpus`). */
  extraVectorFiles: string[];
}

/**
 * One suite of the registry: `S` is the session its drivers open, `I` what their `info()` tells, `R` its
 * per-run resources. The drivers are checked against the suite: a driver whose sessions are not the suite's
 * does not compile (test/cli/registry.test.ts).
 */
export interface SuiteEntry<S, I extends BaseTargetInfo, R> {
  /** A new suite, not loaded yet. */
  create(setup: SuiteSetup): Suite<S, I, R>;
  /** The drivers whose targets belong to this suite, by the name a config's `driver` gives. */
  drivers: Readonly<Record<string, DriverEntry<NoInfer<S>, NoInfer<I>>>>;
  /**
   * Where its fuzz failures are kept and found: `shared`, in the corpus folder itself (the suite reads it
   * through `SuiteLoadContext.corpusDir`); `own`, in `<corpus>/<suite name>/`, loaded through the setup's
   * `extraVectorFiles`.
   */
  corpus: 'shared' | 'own';
  /** The Allure report's name for a fuzz run of this suite's targets (`harness run` names its suites). */
  reportName: string;
}

/** An entry whatever its types, for the engine (the entry itself was checked when it was written). */
export type AnySuiteEntry = SuiteEntry<unknown, BaseTargetInfo, unknown>;

/**
 * Checks an entry's drivers against its suite (each opens the suite's sessions), then forgets the session
 * types, which the engine does not need, keeping the drivers' names.
 */
export function suiteEntry<
  S,
  I extends BaseTargetInfo,
  R,
  D extends Record<string, DriverEntry<NoInfer<S>, NoInfer<I>>>,
>(
  entry: SuiteEntry<S, I, R> & { drivers: D },
): Omit<AnySuiteEntry, 'drivers'> & { drivers: Record<keyof D, DriverEntry<unknown, BaseTargetInfo>> } {
  return entry;
}

/**
 * The Open Mobile suite's folder and catalog: the config's `vectors` and `profiles`, else the suite's own
 * (`<vectorsRoot>/openmobile/`, and the catalog this package ships, wherever the vectors are).
 */
function openMobilePaths(config: Pick<ResolvedConfig, 'vectors' | 'profiles'> | undefined) {
  return {
    ...(config?.vectors ? { vectorsDir: config.vectors } : {}),
    catalogFile: config?.profiles ?? path.join(PACKAGE_ROOT, 'vectors/openmobile/profiles.json'),
  };
}

/** Every suite, by name (the name is also its vectors folder, `vectors/<name>/`). */
export const SUITES = {
  openmobile: suiteEntry({
    create: ({ config, extraVectorFiles }) =>
      new OpenMobileSuite(extraVectorFiles, {
        ...openMobilePaths(config),
        startProfileService: (catalog) => startProfileService(catalog),
      }),
    drivers: {
      emulated: { create: createEmulatedDriver, check: checkEmulatedDriverOptions },
      http: { create: createHttpDriver, check: checkHttpDriverOptions },
      // Playwright and WebdriverIO are loaded only when a target uses them (about 80 MB a process otherwise).
      browser: {
        create: async (options, context) =>
          (await import('../../drivers/browser/driver.ts')).createBrowserDriver(options, context),
        check: checkBrowserDriverOptions,
      },
      appium: {
        create: async (options, context) =>
          (await import('../../drivers/appium/driver.ts')).createAppiumDriver(options, context),
        check: checkAppiumDriverOptions,
      },
    },
    corpus: 'shared',
    reportName: 'Open Mobile provisioning conformance',
  }),
  swivel: suiteEntry({
    create: ({ extraVectorFiles }) => new SwivelSuite(extraVectorFiles),
    drivers: { swivel: { create: createSwivelDriver, check: checkSwivelDriverOptions } },
    corpus: 'own',
    reportName: 'Swivel provisioning conformance',
  }),
  surepassid: suiteEntry({
    create: ({ extraVectorFiles }) => new SurePassIdSuite(extraVectorFiles),
    drivers: { surepassid: { create: createSurePassIdDriver, check: checkSurePassIdDriverOptions } },
    corpus: 'own',
    reportName: 'SurePassID provisioning conformance',
  }),
  'openmobile-profiles': suiteEntry({
    create: ({ extraVectorFiles }) => new OpenMobileProfilesSuite(extraVectorFiles),
    drivers: {
      'profile-service': { create: createProfileServiceDriver, check: checkProfileServiceDriverOptions },
    },
    corpus: 'own',
    reportName: 'Open Mobile profile service conformance',
  }),
} as const satisfies Record<string, AnySuiteEntry>;

export type SuiteName = keyof typeof SUITES;

const ENTRIES = Object.entries(SUITES) as [SuiteName, AnySuiteEntry][];

/** The name of every built-in driver. */
export type DriverName = { [K in SuiteName]: keyof (typeof SUITES)[K]['drivers'] }[SuiteName];

/** Every driver, by name: derived from the suites' entries. */
export const DRIVERS = Object.fromEntries(
  ENTRIES.flatMap(([, entry]) => Object.entries(entry.drivers).map(([name, d]) => [name, d.create])),
) as Readonly<Record<DriverName, DriverFactory>>;

/** The suite each driver's targets belong to. */
export const SUITE_OF_DRIVER: Readonly<Record<string, SuiteName>> = Object.fromEntries(
  ENTRIES.flatMap(([suite, entry]) => Object.keys(entry.drivers).map((driver) => [driver, suite])),
);

const REPORTER_FILE_OPTIONS: Record<(typeof REPORTER_NAMES)[number], readonly string[]> = {
  console: ['verbose', 'isTTY'],
  jsonl: ['outputDir', 'fileName'],
  summary: ['outputDir'],
  junit: ['outputDir', 'fileName'],
  allure: ['resultsDir', 'reportName'],
  github: [],
};

/**
 * What the resolver checks before anything starts, so a config shows every problem in one run: each
 * driver's options (without starting it: a typo such as `defect` for `defects` must not give a green run),
 * and the reporters by name and option.
 */
export const CONFIG_CHECKS: ConfigChecks = {
  drivers: Object.fromEntries(
    ENTRIES.flatMap(([, entry]) => Object.entries(entry.drivers).map(([name, d]) => [name, d.check])),
  ),
  // The options a config file can give each built-in reporter (the others are for programmatic use).
  reporters: Object.fromEntries(REPORTER_NAMES.map((name) => [name, REPORTER_FILE_OPTIONS[name]])) as Record<
    string,
    readonly string[]
  >,
};

/** The suite a target belongs to: the one its driver serves. */
export function suiteOf(target: Pick<ResolvedTarget, 'driver' | 'name'>): string {
  const suite = SUITE_OF_DRIVER[target.driver];
  if (suite === undefined) throw unknownDriver(target, Object.keys(DRIVERS));
  return suite;
}

/** The registry entry of a suite by name (a suite's name is its key in SUITES). */
export function suiteEntryOf(name: string): AnySuiteEntry | undefined {
  return (SUITES as Record<string, AnySuiteEntry>)[name];
}

/**
 * Every suite, by name, created with the config's paths. `extraVectorFiles` (`harness replay <file>`) go
 * to the suite with its own corpus folder whose name is their folder's (`regressions/swivel/x.json`), else
 * to the suite that keeps its failures in the corpus itself. Such a suite also loads its kept failures from
 * `<corpusDir>/<suite>/`.
 */
export function createSuites(
  config?: Pick<ResolvedConfig, 'vectors' | 'profiles'> & { fuzz: Pick<ResolvedConfig['fuzz'], 'corpus'> },
  extraVectorFiles: string[] = [],
): Record<string, AnySuite> {
  const corpusDir = config?.fuzz.corpus;
  const ownFolders = ENTRIES.filter(([, e]) => e.corpus === 'own').map(([name]) => name as string);
  const filesOf = (name: string, entry: AnySuiteEntry): string[] => {
    if (entry.corpus === 'shared') {
      return extraVectorFiles.filter((f) => !ownFolders.includes(path.basename(path.dirname(f))));
    }
    const dir = corpusDir === undefined ? null : path.join(corpusDir, name);
    const kept =
      dir !== null && existsSync(dir)
        ? readdirSync(dir)
            .filter((f) => f.endsWith('.json'))
            .sort()
            .map((f) => path.join(dir, f))
        : [];
    const given = extraVectorFiles.filter((f) => path.basename(path.dirname(f)) === name);
    return [...new Set([...kept, ...given].map((f) => path.resolve(f)))];
  };
  return Object.fromEntries(
    ENTRIES.map(([name, entry]) => [
      name,
      entry.create({
        ...(config === undefined ? {} : { config }),
        ...(corpusDir === undefined ? {} : { corpusDir }),
        extraVectorFiles: filesOf(name, entry),
      }),
    ]),
  );
}

/** Every suite's requirement catalogue and choice points (no `load` needed), in registry order. */
export function suiteCatalogs(): {
  name: string;
  specification: string;
  requirements: readonly RequirementInfo[];
  choicePoints: readonly ChoicePointInfo[];
}[] {
  return Object.values(createSuites()).map((suite) => ({
    name: suite.name,
    specification: suite.specification,
    ...suite.catalogue(),
  }));
}

/** Where a fuzz failure found on a target of `suite` is kept: the corpus itself, or its own folder in it. */
export function corpusFolder(suite: string, corpusDir: string): string {
  return suiteEntryOf(suite)?.corpus === 'own' ? path.join(corpusDir, suite) : corpusDir;
}

/** The Allure report's name for a fuzz run of these suites' targets. */
export function fuzzReportName(suites: readonly string[]): string {
  const names = [...new Set(suites)].map((s) => suiteEntryOf(s)?.reportName).filter((n): n is string => !!n);
  return names.length === 0 ? 'Provisioning conformance' : names.join('; ');
}

/**
 * The harness's profile service on a port of its own, for `harness serve profiles`, serving the configured
 * catalog (`catalogFile`: which one).
 */
export async function serveProfiles(config: ResolvedConfig, port: number) {
  const paths = openMobilePaths(config);
  const suite = new OpenMobileSuite([], paths);
  await suite.load(suiteLoadContext(config));
  return { service: await startProfileService(suite.profileCatalog(), { port }), catalogFile: paths.catalogFile };
}

/** What a conformance statement may declare for each suite (src/core/ics.ts), in registry order. */
export function icsVocabularies(): IcsVocabulary[] {
  return Object.values(createSuites()).flatMap((suite) =>
    suite.icsVocabulary === undefined ? [] : [suite.icsVocabulary()],
  );
}
