import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HarnessError } from '../../src/core/errors.ts';
import type { CaseResult } from '../../src/core/results.ts';
import { AllureReporter } from '../../src/reporters/allure.ts';
import { generateAllureReport } from '../../src/reporters/allure-report.ts';
import { TARGETS, makeCase, runInfo, summaryOf, tempDir } from './fixtures.ts';

const hasJava = spawnSync('java', ['-version']).status === 0;

async function writeRun(dir: string, startedAt: string, cases: CaseResult[]): Promise<string> {
  const reporter = new AllureReporter();
  reporter.onBegin(runInfo(dir, { startedAt }), TARGETS);
  for (const c of cases) reporter.onCaseEnd(c);
  await reporter.onEnd(summaryOf(cases));
  return join(dir, 'allure-results');
}

async function expectReportError(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HarnessError);
  expect((error as HarnessError).code).toBe('HARNESS_REPORT_FAILED');
  expect((error as HarnessError).message).toMatch(pattern);
}

describe('generateAllureReport', () => {
  it('says to run the harness first when there are no results', async () => {
    const dir = tempDir();
    await expectReportError(
      generateAllureReport({ resultsDir: join(dir, 'missing'), reportDir: join(dir, 'report') }),
      /run `npx harness run` first/,
    );
    mkdirSync(join(dir, 'empty'));
    await expectReportError(
      generateAllureReport({ resultsDir: join(dir, 'empty'), reportDir: join(dir, 'report') }),
      /holds no test results: run `npx harness run` first/,
    );
  });

  it('says how to install Java when java is missing', async () => {
    const dir = tempDir();
    const resultsDir = await writeRun(dir, '2025-01-01T00:00:00.000Z', [makeCase()]);
    const saved = { path: process.env['PATH'], javaHome: process.env['JAVA_HOME'] };
    process.env['PATH'] = join(dir, 'no-bin');
    delete process.env['JAVA_HOME'];
    try {
      await expectReportError(
        generateAllureReport({ resultsDir, reportDir: join(dir, 'report') }),
        /java not found\. Java 8\+ is needed for the HTML report: apt-get install default-jre-headless/,
      );
    } finally {
      process.env['PATH'] = saved.path;
      if (saved.javaHome !== undefined) process.env['JAVA_HOME'] = saved.javaHome;
    }
  });

  it.skipIf(!hasJava)(
    'generates index.html and carries the history over so the trend has one point per run',
    async () => {
      const dir = tempDir();
      const reportDir = join(dir, 'allure-report');
      const first = [
        makeCase({ id: 'a@ios-url' }),
        makeCase({ id: 'b@ios-url', verdict: 'fail', category: 'precedence' }),
      ];
      const resultsDir = await writeRun(dir, '2025-01-01T00:00:00.000Z', first);
      const { indexHtml } = await generateAllureReport({ resultsDir, reportDir });
      expect(indexHtml).toBe(join(reportDir, 'index.html'));
      expect(existsSync(indexHtml)).toBe(true);
      const trend1 = JSON.parse(readFileSync(join(reportDir, 'history', 'history-trend.json'), 'utf8')) as unknown[];
      expect(trend1).toHaveLength(1);
      // Allure's own (Java) regex engine put the failure under our category, not "Product defects".
      const categories = JSON.parse(readFileSync(join(reportDir, 'data', 'categories.json'), 'utf8')) as {
        children: { name: string; children: unknown[] }[];
      };
      expect(categories.children.map((c) => [c.name, c.children.length])).toEqual([['Error precedence', 1]]);

      // A second run: the reporter empties allure-results, generateAllureReport brings the history back.
      const second = [makeCase({ id: 'a@ios-url' }), makeCase({ id: 'b@ios-url' })];
      await writeRun(dir, '2025-01-02T00:00:00.000Z', second);
      expect(existsSync(join(resultsDir, 'history'))).toBe(false);
      await generateAllureReport({ resultsDir, reportDir });
      const trend2 = JSON.parse(readFileSync(join(reportDir, 'history', 'history-trend.json'), 'utf8')) as {
        data: Record<string, number>;
      }[];
      expect(trend2).toHaveLength(2);
      // Newest first: the second run passed both cases, the first failed one.
      expect(trend2[0]?.data).toMatchObject({ passed: 2, failed: 0 });
      expect(trend2[1]?.data).toMatchObject({ passed: 1, failed: 1 });
    },
    180_000,
  );
});
