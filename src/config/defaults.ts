import type { BrowserSettings } from '../core/driver.ts';
import type { HarnessConfig, ReporterSpec, TargetConfig } from './types.ts';

/** Every default in one place (STYLE.md item 3). */
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
    profiles: 'vectors/openmobile/profiles.json',
    vectors: 'vectors/openmobile',
    grep: [] as string[],
    reporters: ['console', 'jsonl', 'summary', 'junit', 'allure'] satisfies ReporterSpec[],
    outputDir: 'reports',
    timeoutMs: 10_000,
    seed: 1,
    workers: 32,
    artifacts: 'on-failure' as 'on-failure' | 'always',
    browser: {
      executablePath: '/usr/bin/chromium',
      device: 'auto',
      page: 'mdm',
      capture: 'script',
      headless: true,
    } satisfies BrowserSettings,
    fuzz: { time: '15s', maxSteps: 4 },
    configFileNames: ['harness.config.ts', 'harness.config.mts', 'harness.config.js', 'harness.config.mjs'],
  };
}

/** Only helps the type checker: the config file's default export is checked against `HarnessConfig`. */
export function defineConfig(config: HarnessConfig): HarnessConfig {
  return config;
}
