/**
 * The composition root: the only module of src/ that names concrete suites and drivers. The engine itself
 * works through the registries below (STYLE.md item 6); the layer lint rule allows this file alone.
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
import { OpenMobileSuite } from '../../suites/openmobile/index.ts';
import { OpenMobileProfilesSuite } from '../../suites/openmobile-profiles/index.ts';
import { SurePassIdSuite } from '../../suites/surepassid/index.ts';
import { SwivelSuite } from '../../suites/swivel/index.ts';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { ConfigChecks, ResolvedConfig, ResolvedTarget } from '../config/types.ts';
import { REPORTER_NAMES } from '../reporters/index.ts';
import type { DriverFactory } from '../core/driver.ts';
import type { Suite } from '../core/suite.ts';
import { suiteLoadContext, type AnySuite } from '../runner/run.ts';

const REPORTER_FILE_OPTIONS: Record<(typeof REPORTER_NAMES)[number], readonly string[]> = {
  console: ['verbose', 'isTTY'],
  jsonl: ['outputDir', 'fileName'],
  summary: ['outputDir'],
  junit: ['outputDir', 'fileName'],
  allure: ['resultsDir', 'reportName'],
};

export const DRIVERS = {
  emulated: createEmulatedDriver,
  http: createHttpDriver,
  // Playwright and WebdriverIO are loaded only when a target uses them (about 80 MB a process otherwise).
  browser: async (options, context) =>
    (await import('../../drivers/browser/driver.ts')).createBrowserDriver(options, context),
  appium: async (options, context) =>
    (await import('../../drivers/appium/driver.ts')).createAppiumDriver(options, context),
  swivel: createSwivelDriver,
  surepassid: createSurePassIdDriver,
  'profile-service': createProfileServiceDriver,
} as const satisfies Record<string, DriverFactory>;

export type DriverName = keyof typeof DRIVERS;

/**
 * What the resolver checks before anything starts, so a config shows every problem in one run: each
 * driver's options (without starting it: a typo such as `defect` for `defects` must not give a green run),
 * and the reporters by name and option. The same keys as DRIVERS: the compiler keeps them in step.
 */
export const CONFIG_CHECKS: ConfigChecks = {
  drivers: {
    emulated: checkEmulatedDriverOptions,
    http: checkHttpDriverOptions,
    browser: checkBrowserDriverOptions,
    appium: checkAppiumDriverOptions,
    swivel: checkSwivelDriverOptions,
    surepassid: checkSurePassIdDriverOptions,
    'profile-service': checkProfileServiceDriverOptions,
  } satisfies Record<DriverName, ConfigChecks['drivers'][string]>,
  // The options a config file can give each built-in reporter (the others are for programmatic use).
  reporters: Object.fromEntries(REPORTER_NAMES.map((name) => [name, REPORTER_FILE_OPTIONS[name]])) as Record<
    string,
    readonly string[]
  >,
};

/** The suite each driver's targets belong to; a driver not listed reaches Open Mobile clients. */
export const SUITE_OF_DRIVER: Readonly<Record<string, string>> = {
  swivel: 'swivel',
  surepassid: 'surepassid',
  'profile-service': 'openmobile-profiles',
};

export function suiteOf(target: Pick<ResolvedTarget, 'driver'>): string {
  return SUITE_OF_DRIVER[target.driver] ?? 'openmobile';
}

/**
 * Every suite, by name. `extraVectorFiles` (`harness replay <file>`) go to the suite whose name is their
 * folder's (`regressions/swivel/x.json`), else to Open Mobile. A suite other than Open Mobile keeps its
 * failure corpus in `<corpusDir>/<suite>/`, loaded with it (Open Mobile loads `regressions/` itself).
 */
export function createSuites(extraVectorFiles: string[] = [], corpusDir?: string): Record<string, AnySuite> {
  const own = (name: string): string[] => {
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
  const others = ['swivel', 'surepassid', 'openmobile-profiles'];
  return {
    openmobile: createSuite(
      extraVectorFiles.filter((f) => !others.includes(path.basename(path.dirname(f)))),
    ) as unknown as AnySuite,
    swivel: new SwivelSuite(own('swivel')) as unknown as AnySuite,
    surepassid: new SurePassIdSuite(own('surepassid')) as unknown as AnySuite,
    'openmobile-profiles': new OpenMobileProfilesSuite(own('openmobile-profiles')) as unknown as AnySuite,
  };
}

/** The suite, loaded with the configuration's vectors, catalog and key. */
export async function loadSuite(config: ResolvedConfig, extraVectorFiles: string[] = []): Promise<Suite> {
  const suite = createSuite(extraVectorFiles);
  await suite.load(suiteLoadContext(config));
  return suite;
}

/** The suite; `extraVectorFiles` are loaded beside the configured vectors (`harness replay <file>`). */
export function createSuite(extraVectorFiles: string[] = []): Suite {
  return new OpenMobileSuite(extraVectorFiles);
}

export { startProfileService };
