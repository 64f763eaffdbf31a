export { configDefaults, defineConfig } from './defaults.ts';
export { loadConfigFile, resolveConfig } from './resolve.ts';
export type {
  CliOverrides,
  HarnessConfig,
  ReporterSpec,
  ResolvedConfig,
  ResolvedTarget,
  TargetConfig,
} from './types.ts';
