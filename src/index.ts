/**
 * The public API: what a `harness.config.ts` or a program embedding the harness imports.
 */
export { configDefaults, defineConfig } from './config/index.ts';
export type { HarnessConfig, ReporterSpec, TargetConfig } from './config/index.ts';
export type { DriverContext, DriverFactory, TargetDriver } from './core/driver.ts';
// The Open Mobile adapter protocol, for a program that writes its own driver of an Open Mobile client.
export type * from '../protocols/openmobile/types.ts';
export { HarnessError, type Problem } from './core/errors.ts';
export type { CaseResult, Verdict } from './core/results.ts';
export type { Reporter } from './core/reporter.ts';
export type * from './core/types.ts';
