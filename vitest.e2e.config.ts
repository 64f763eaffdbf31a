import { defineConfig } from 'vitest/config';

/**
 * The slow tests: real devices through Appium, real Chromium, the real CLI end to end, faults and kills, a
 * real install and a real Stryker run, and the fuzz engine's long runs (whole plans, thousands of sequences). `npm run test:e2e` runs exactly these; `npm test` runs the rest
 * (vitest.config.ts excludes this list). CI runs both. Every file is named: a new slow test is added here
 * on purpose (test/tooling/test-split.test.ts checks that every file under test/e2e/ and test/reliability/
 * is); a name whose file does not exist yet matches nothing.
 */
export const E2E_TESTS = [
  'test/config/paths.test.ts',
  'test/docs/commands-readme.test.ts',
  'test/docs/commands-servers.test.ts',
  'test/docs/commands.test.ts',
  'test/drivers/appium/commands.test.ts',
  'test/drivers/appium/device-shell.test.ts',
  'test/drivers/appium/driver.test.ts',
  'test/drivers/browser/driver.test.ts',
  'test/drivers/http/tolerant-adapter.test.ts',
  'test/e2e/appium.test.ts',
  'test/e2e/browser-interrupt.test.ts',
  'test/e2e/browser.test.ts',
  'test/e2e/certificate-page.test.ts',
  'test/e2e/certify.test.ts',
  'test/e2e/cli-basics.test.ts',
  'test/e2e/cli.test.ts',
  'test/e2e/defects.test.ts',
  'test/e2e/device-drop.test.ts',
  'test/e2e/fewer-resets.test.ts',
  'test/e2e/former-ids.test.ts',
  'test/e2e/gating.test.ts',
  'test/e2e/fuzz-budget.test.ts',
  'test/e2e/fuzz-corpus-keys.test.ts',
  'test/e2e/fuzz.test.ts',
  'test/e2e/http-parity.test.ts',
  'test/e2e/ics.test.ts',
  'test/e2e/install.test.ts',
  'test/e2e/latency.test.ts',
  'test/e2e/plan-method.test.ts',
  'test/e2e/printed-commands.test.ts',
  'test/e2e/report-content.test.ts',
  'test/e2e/report-open.test.ts',
  'test/e2e/reports.test.ts',
  'test/e2e/retries.test.ts',
  'test/e2e/round-trips.test.ts',
  'test/e2e/secrets.test.ts',
  'test/e2e/swivel-clockless.test.ts',
  'test/golden/golden.test.ts',
  'test/mutation/mutation.test.ts',
  'test/reliability/bad-config.test.ts',
  'test/reliability/concurrency.test.ts',
  'test/reliability/dead-server.test.ts',
  'test/reliability/dead-target.test.ts',
  'test/reliability/fuzz-kill.test.ts',
  'test/reliability/hostile-output.test.ts',
  'test/reliability/hostile-servers.test.ts',
  'test/reliability/hostile.test.ts',
  'test/reliability/kill.test.ts',
  'test/reliability/not-checkable.test.ts',
  'test/reliability/reports-in-progress.test.ts',
  'test/reliability/server-secrets.test.ts',
  'test/reporters/allure-report.test.ts',
  'test/suites/openmobile/arbitraries.test.ts',
  'test/suites/openmobile/fuzz.test.ts',
  'test/suites/openmobile/parameter-names.test.ts',
  'test/suites/openmobile/raw-text-client.test.ts',
  'test/suites/surepassid/fuzz.test.ts',
  'test/suites/swivel/real-time.test.ts',
  'test/suites/swivel/reference.test.ts',
];

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
  },
});
