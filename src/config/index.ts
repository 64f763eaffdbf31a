export { configDefaults, defineConfig } from './defaults.ts';
export { loadConfigFile, resolveConfig } from './resolve.ts';
export type {
  CliOverrides,
  ConfigChecks,
  HarnessConfig,
  ReporterSpec,
  ResolvedConfig,
  ResolvedTarget,
  TargetConfig,
} from './types.ts';
