import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserSettings, HarnessConfig, ReporterSpec, TargetConfig } from './types.ts';

/** The folder of this package: its bundled vectors and catalog are the defaults wherever the config lives. */
export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Every default in one place (STYLE.md item 3), but the suites' data: the default `vectors` and `profiles`
 * are the built-in suites' (their registry entries, src/cli/builtins.ts, via `ConfigChecks.paths`).
 * `outputDir` and `corpus` are relative to the config file's folder.
 */
export function configDefaults() {
  return {
    targets: [
      { name: 'emulated-ios', driver: 'emulated', options: { platform: 'ios' } },
      { name: 'emulated-android', driver: 'emulated', options: { platform: 'android' } },
      { name: 'swivel-reference', driver: 'swivel', options: { reference: true } },
      { name: 'swivel-cluster', driver: 'swivel', options: { reference: true, instances: 2, sessionSharing: false } },
      {
        name: 'swivel-cluster-shared',
        driver: 'swivel',
        options: { reference: true, instances: 2, sessionSharing: true },
      },
      { name: 'surepassid-reference', driver: 'surepassid', options: { reference: true } },
      { name: 'profile-service-reference', driver: 'profile-service', options: { reference: true } },
    ] as TargetConfig[],
    grep: [] as string[],
    reporters: ['console', 'jsonl', 'summary', 'junit', 'allure'] satisfies ReporterSpec[],
    outputDir: 'reports',
    timeoutMs: 10_000,
    seed: 1,
    workers: 8,
    artifacts: 'on-failure' as 'on-failure' | 'always',
    retries: 0,
    browser: {
      executablePath: '/usr/bin/chromium',
      device: 'auto',
      page: 'mdm',
      capture: 'script',
      headless: true,
    } satisfies BrowserSettings,
    fuzz: { time: '1m', maxSteps: 4, corpus: 'vectors/regressions' },
    configFileNames: ['harness.config.ts', 'harness.config.mts', 'harness.config.js', 'harness.config.mjs'],
  };
}

/** Only helps the type checker: the config file's default export is checked against `HarnessConfig`. */
export function defineConfig(config: HarnessConfig): HarnessConfig {
  return config;
}
