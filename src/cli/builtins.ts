/**
 * The composition root: the only module of src/ that names concrete suites and drivers. The engine itself
 * works through the registries below (STYLE.md item 6); the layer lint rule allows this file alone.
 */
import { createAppiumDriver } from '../../drivers/appium/driver.ts';
import { createBrowserDriver } from '../../drivers/browser/driver.ts';
import { createEmulatedDriver } from '../../drivers/emulated/driver.ts';
import { startProfileService } from '../../drivers/emulated/profile-service.ts';
import { createHttpDriver } from '../../drivers/http/driver.ts';
import { OpenMobileSuite } from '../../suites/openmobile/index.ts';
import path from 'node:path';
import type { ResolvedConfig, ResolvedTarget } from '../config/types.ts';
import type { DriverFactory } from '../core/driver.ts';
import type { Suite } from '../core/suite.ts';
import type { AnySuite } from '../runner/run.ts';

export const DRIVERS = {
  emulated: createEmulatedDriver,
  http: createHttpDriver,
  browser: createBrowserDriver,
  appium: createAppiumDriver,
} as const satisfies Record<string, DriverFactory>;

export type DriverName = keyof typeof DRIVERS;

/** The suite each driver's targets belong to; a driver not listed reaches Open Mobile clients. */
export const SUITE_OF_DRIVER: Readonly<Record<string, string>> = {};

export function suiteOf(target: Pick<ResolvedTarget, 'driver'>): string {
  return SUITE_OF_DRIVER[target.driver] ?? 'openmobile';
}

/** Every suite, by name; `extraVectorFiles` go to Open Mobile (`harness replay <file>`). */
export function createSuites(extraVectorFiles: string[] = []): Record<string, AnySuite> {
  return { openmobile: createSuite(extraVectorFiles) as unknown as AnySuite };
}

/** The suite, loaded with the configuration's vectors, catalog and key. */
export async function loadSuite(config: ResolvedConfig, extraVectorFiles: string[] = []): Promise<Suite> {
  const suite = createSuite(extraVectorFiles);
  await suite.load({
    rootDir: config.rootDir,
    vectorsDir: config.vectors,
    vectorsRoot: path.dirname(config.vectors),
    catalogFile: config.profiles,
    obfuscationKey: config.obfuscationKey,
  });
  return suite;
}

/** The suite; `extraVectorFiles` are loaded beside the configured vectors (`harness replay <file>`). */
export function createSuite(extraVectorFiles: string[] = []): Suite {
  return new OpenMobileSuite(extraVectorFiles);
}

export { startProfileService };
