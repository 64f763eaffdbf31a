import path from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The slow tests: real devices through Appium, real Chromium, the real CLI end to end, faults and kills, a
 * real install and a real Stryker run, and the fuzz engine's long runs (whole plans, thousands of sequences).
 * `npm run test:e2e` runs exactly these; `npm test` runs the rest (vitest.config.ts excludes this list). CI
 * runs both. Every file is named: a new slow test is added here on purpose (test/tooling/test-split.test.ts
 * checks that every file under test/e2e/ and test/reliability/ is); a name whose file does not exist yet
 * matches nothing.
 *
 * Each with about how many seconds it took in a whole `npm run test:e2e` on the 2-core CI machine (each
 * file's end minus its start in reports/vitest-e2e.json, which CI writes): the run starts the longest files
 * first (SlowestFirst), so that its last minutes are not one long file alone. Vitest's own order on a fresh
 * clone is by file size, which once left the 7-minute defects.test.ts to start last. A new file without a
 * measurement yet: give it an estimate.
 */
export const E2E_SECONDS: Readonly<Record<string, number>> = {
  'test/config/paths.test.ts': 24,
  'test/docs/commands-readme.test.ts': 360,
  'test/docs/commands-servers.test.ts': 138,
  'test/docs/commands.test.ts': 431,
  'test/drivers/appium/commands.test.ts': 1,
  'test/drivers/appium/device-shell.test.ts': 1,
  'test/drivers/appium/driver.test.ts': 1,
  'test/drivers/browser/driver.test.ts': 7,
  'test/drivers/http/tolerant-adapter.test.ts': 19,
  'test/e2e/appium.test.ts': 121,
  'test/e2e/browser-interrupt.test.ts': 7,
  'test/e2e/browser.test.ts': 89,
  'test/e2e/certificate-page.test.ts': 4,
  'test/e2e/certify.test.ts': 312,
  'test/e2e/cli-basics.test.ts': 29,
  'test/e2e/cli.test.ts': 57,
  'test/e2e/defects.test.ts': 531,
  'test/e2e/device-drop.test.ts': 17,
  'test/e2e/fewer-resets.test.ts': 45,
  'test/e2e/former-ids.test.ts': 18,
  'test/e2e/gating.test.ts': 29,
  'test/e2e/fuzz-budget.test.ts': 13,
  'test/e2e/fuzz-corpus-keys.test.ts': 20,
  'test/e2e/fuzz.test.ts': 114,
  'test/e2e/http-parity.test.ts': 17,
  'test/e2e/ics.test.ts': 63,
  'test/e2e/install.test.ts': 7,
  'test/e2e/latency.test.ts': 8,
  'test/e2e/plan-method.test.ts': 40,
  'test/e2e/printed-commands.test.ts': 41,
  'test/e2e/report-content.test.ts': 21,
  'test/e2e/report-open.test.ts': 28,
  'test/e2e/reports.test.ts': 132,
  'test/e2e/retries.test.ts': 26,
  'test/e2e/round-trips.test.ts': 90,
  'test/e2e/secrets.test.ts': 112,
  'test/e2e/swivel-clockless.test.ts': 22,
  'test/golden/golden.test.ts': 48,
  'test/mutation/mutation.test.ts': 33,
  'test/reliability/bad-config.test.ts': 25,
  'test/reliability/concurrency.test.ts': 3,
  'test/reliability/dead-server.test.ts': 36,
  'test/reliability/dead-target.test.ts': 30,
  'test/reliability/fuzz-kill.test.ts': 19,
  'test/reliability/hostile-output.test.ts': 10,
  'test/reliability/hostile-servers.test.ts': 7,
  'test/reliability/hostile.test.ts': 24,
  'test/reliability/kill.test.ts': 68,
  'test/reliability/not-checkable.test.ts': 8,
  'test/reliability/reports-in-progress.test.ts': 1,
  'test/reliability/server-secrets.test.ts': 56,
  'test/reporters/allure-report.test.ts': 10,
  'test/suites/openmobile/arbitraries.test.ts': 20,
  'test/suites/openmobile/fuzz.test.ts': 45,
  'test/suites/openmobile/parameter-names.test.ts': 11,
  'test/suites/openmobile/raw-text-client.test.ts': 22,
  'test/suites/surepassid/fuzz.test.ts': 16,
  'test/suites/swivel/real-time.test.ts': 11,
  'test/suites/swivel/reference.test.ts': 82,
};
export const E2E_TESTS = Object.keys(E2E_SECONDS);

/** Vitest's sequencer, longest file first (E2E_SECONDS); shards as Vitest shards. */
export class SlowestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const seconds = (file: TestSpecification) =>
      E2E_SECONDS[
        path
          .relative(import.meta.dirname, file.moduleId)
          .split(path.sep)
          .join('/')
      ] ?? 0;
    return [...files].sort((a, b) => seconds(b) - seconds(a));
  }
}

export default defineConfig({
  test: {
    include: E2E_TESTS,
    // Loopback servers, child processes, Appium and Chromium: give slow CI machines room, but never hide a hang.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Four files at once: most of these wait on child processes, servers, Appium, Chromium and sleeps. On the
    // 2-core CI machine the set took 26 min at three at a time and 22 min at four (before the fuzzer's defect
    // sweep moved to the bench); whole-plan tests declare the room they need beside the others.
    maxWorkers: 4,
    sequence: { sequencer: SlowestFirst },
  },
});
