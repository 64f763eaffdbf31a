/**
 * A StrykerJS test runner that runs the harness's plan in the test runner's own process: `harness run` with
 * the arguments of the config's `harness.args`, judged by its exit code (0: every case passed; anything else,
 * or an uncaught error in the targets: the mutant is killed). It is what the command runner does with
 * `node bin/harness.js run ...`, without paying a Node.js start, the TypeScript compile and the 1 s that
 * keep-alive sockets hold a finished process open for every mutant (docs/mutation.md: about 0.2 s a mutant
 * instead of 2 s). `npm run mutation -- --command-runner` runs the same plan through the command runner.
 *
 * The mutated modules (the config's `mutate` entries) are imported before the plan runs, so the mutants in
 * their top-level code are known as static: Stryker restarts this process for each of those and the mutant
 * is active while the module loads. Every run starts with the emulated implementations' memo tables empty
 * (drivers/emulated/memo.ts): a table filled under one mutant would hide the next. After an uncaught error
 * the process may hold broken state, so it is ended before the next run and Stryker starts a fresh one.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { commonTokens, declareClassPlugin, PluginKind, tokens } from '@stryker-mutator/api/plugin';
import {
  determineHitLimitReached,
  DryRunStatus,
  TestStatus,
  toMutantRunResult,
} from '@stryker-mutator/api/test-runner';

const TEST_ID = 'harness-plan';

/** The instrumenter's namespace (INSTRUMENTER_CONSTANTS of @stryker-mutator/api/core). */
function namespace() {
  globalThis.__stryker__ ??= {};
  return globalThis.__stryker__;
}

class HarnessTestRunner {
  static inject = tokens(commonTokens.options, commonTokens.logger);

  constructor(options, log) {
    this.log = log;
    const args = options.harness?.args;
    if (!Array.isArray(args) || args.length === 0 || args[0] !== 'run') {
      throw new Error(
        'stryker config: "harness.args" must be the arguments of `harness run`, e.g. ["run", "--target", "swivel-reference"]',
      );
    }
    this.args = args;
    // `mutate` entries without glob characters, each without a `:line:column-line:column` range.
    this.preload = options.mutate
      .filter((pattern) => !pattern.startsWith('!') && !/[*?{}[\]]/.test(pattern))
      .map((pattern) => pattern.replace(/:\d+(?::\d+)?-\d+(?::\d+)?$/, ''));
    this.main = undefined;
    this.dirty = false;
  }

  capabilities() {
    return { reloadEnvironment: false };
  }

  async load() {
    if (this.main !== undefined) return;
    const { register } = await import('tsx/esm/api');
    register();
    ({ main: this.main } = await import(pathToFileURL(path.resolve('src/cli/main.ts')).href));
    ({ clearMemoTables: this.clearMemoTables } = await import(
      pathToFileURL(path.resolve('drivers/emulated/memo.ts')).href
    ));
    // Top-level code of the mutated modules runs now, outside any test: Stryker's "static" coverage.
    for (const file of this.preload) await import(pathToFileURL(path.resolve(file)).href);
  }

  async runPlan() {
    if (this.dirty) {
      // Broken state from an uncaught error: let Stryker start a fresh process (it retries the run there).
      process.exit(3);
    }
    await this.load();
    // The emulated implementations' memo tables, filled by an earlier run under another mutant (or none),
    // would answer without running the mutated code: each run starts cold.
    this.clearMemoTables();
    const started = Date.now();
    let uncaught;
    const onError = (error) => {
      uncaught ??= error;
    };
    process.on('uncaughtException', onError);
    process.on('unhandledRejection', onError);
    let code;
    try {
      code = await this.main(this.args);
    } catch (error) {
      uncaught ??= error;
    } finally {
      process.off('uncaughtException', onError);
      process.off('unhandledRejection', onError);
    }
    const timeSpentMs = Date.now() - started;
    if (uncaught !== undefined) {
      this.dirty = true;
      const message = uncaught instanceof Error ? (uncaught.stack ?? uncaught.message) : String(uncaught);
      return {
        id: TEST_ID,
        name: 'harness run',
        status: TestStatus.Failed,
        timeSpentMs,
        failureMessage: `uncaught: ${message}`,
      };
    }
    if (code !== 0) {
      return {
        id: TEST_ID,
        name: 'harness run',
        status: TestStatus.Failed,
        timeSpentMs,
        failureMessage: `harness run exited ${code}`,
      };
    }
    return { id: TEST_ID, name: 'harness run', status: TestStatus.Success, timeSpentMs };
  }

  async dryRun(options) {
    const ns = namespace();
    ns.activeMutant = undefined;
    ns.currentTestId = undefined;
    await this.load();
    ns.currentTestId = options.coverageAnalysis === 'off' ? undefined : TEST_ID;
    const result = await this.runPlan();
    ns.currentTestId = undefined;
    const run = { status: DryRunStatus.Complete, tests: [result] };
    if (options.coverageAnalysis !== 'off') run.mutantCoverage = ns.mutantCoverage ?? { static: {}, perTest: {} };
    return run;
  }

  async mutantRun(options) {
    const ns = namespace();
    ns.currentTestId = undefined;
    ns.activeMutant = options.activeMutant.id;
    ns.hitLimit = options.hitLimit;
    ns.hitCount = options.hitLimit === undefined ? undefined : 0;
    try {
      const result = await this.runPlan();
      const timeout = determineHitLimitReached(ns.hitCount, ns.hitLimit);
      if (timeout) return toMutantRunResult(timeout);
      return toMutantRunResult({ status: DryRunStatus.Complete, tests: [result] });
    } finally {
      ns.activeMutant = undefined;
      ns.hitLimit = undefined;
      ns.hitCount = undefined;
    }
  }
}

export const strykerPlugins = [declareClassPlugin(PluginKind.TestRunner, 'harness', HarnessTestRunner)];

/** Lets Stryker validate the `harness` option instead of warning that it is unknown. */
export const strykerValidationSchema = {
  $schema: 'http://json-schema.org/draft-07/schema',
  type: 'object',
  properties: {
    harness: {
      description: 'Options of the harness test runner (stryker/harness-runner.mjs).',
      type: 'object',
      properties: {
        args: {
          description: 'The arguments of `harness run` that run the suite plan on its reference target(s).',
          type: 'array',
          items: { type: 'string' },
        },
        untestable: {
          description:
            'Code no plan can observe, ignored with its reason (stryker/ignorers.mjs): a function or class, an object property, the arguments of calls to a function or constructor (or only the `argument`-th), or the lines between two texts, in a file.',
          type: 'array',
          items: {
            type: 'object',
            required: ['file', 'reason'],
            additionalProperties: false,
            properties: {
              file: { type: 'string' },
              function: { type: 'string' },
              property: { type: 'string' },
              argumentsOf: { type: 'string' },
              argument: { type: 'integer', minimum: 0 },
              between: { type: 'array', items: { type: 'string' }, minItems: 2, maxItems: 2 },
              reason: { type: 'string' },
            },
          },
        },
      },
      required: ['args'],
      additionalProperties: false,
    },
  },
};
