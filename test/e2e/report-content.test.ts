/**
 * What a QA engineer reads in the reports for real failures: seeded defects of every suite, run through the
 * real runner and the Allure reporter.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestResult } from 'allure-js-commons';
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import type { HarnessConfig } from '../../src/config/types.ts';
import type { CaseResult } from '../../src/core/results.ts';
import { AllureReporter } from '../../src/reporters/allure.ts';
import { generateAllureReport } from '../../src/reporters/allure-report.ts';
import { runInfo, summaryOf, tempDir } from '../reporters/fixtures.ts';
import { runInProcess } from './helpers.ts';

/** One defective target per suite, each with defects that fail in different categories. */
const DEFECTIVE: HarnessConfig = {
  targets: [
    {
      name: 'om-defective',
      driver: 'emulated',
      options: { platform: 'android', defects: ['partial-write-on-failure', 'password-in-logs', 'transient-as-cut'] },
    },
    {
      name: 'swivel-defective',
      driver: 'swivel',
      options: { reference: true, defects: ['code-reusable', 'malformed-xml-500'] },
    },
    {
      name: 'surepassid-defective',
      driver: 'surepassid',
      options: { reference: true, defects: ['missing-physical-device-500', 'secret-hex'] },
    },
    {
      name: 'profiles-defective',
      driver: 'profile-service',
      options: { reference: true, defects: ['pin-optional'] },
    },
  ],
  run: ['om-defective', 'swivel-defective', 'surepassid-defective', 'profiles-defective'],
};

let cases: CaseResult[] = [];
let allure: TestResult[] = [];
let resultsDir = '';

beforeAll(async () => {
  const { results } = await runInProcess(DEFECTIVE);
  cases = results;
  const dir = tempDir('report-content-');
  const reporter = new AllureReporter();
  reporter.onBegin(runInfo(dir), []);
  for (const r of results) reporter.onCaseEnd(r);
  await reporter.onEnd(summaryOf(results));
  const out = join(dir, 'allure-results');
  resultsDir = out;
  allure = readdirSync(out)
    .filter((f) => f.endsWith('-result.json'))
    .map((f) => JSON.parse(readFileSync(join(out, f), 'utf8')) as TestResult);
}, 240_000);

const hasJava = spawnSync('java', ['-version']).status === 0;

const bad = (r: { status?: string }) => r.status === 'failed' || r.status === 'broken';

describe('reports of real failures', () => {
  it('every suite produced failures', () => {
    const failedTargets = new Set(cases.filter((c) => c.verdict === 'fail').map((c) => c.target));
    expect([...failedTargets].sort()).toEqual([
      'om-defective',
      'profiles-defective',
      'surepassid-defective',
      'swivel-defective',
    ]);
  });

  it('a case message carries no [category] prefix; the Allure message carries it exactly once', () => {
    const failing = cases.filter((c) => c.verdict === 'fail' || c.verdict === 'broken');
    expect(failing.length).toBeGreaterThan(0);
    for (const c of failing) expect(c.message, c.id).not.toMatch(/^\s*\[[a-z-]+\]/);
    const messages = allure.filter(bad).map((r) => r.statusDetails.message ?? '');
    const categorised = messages.filter((m) => /^\[[a-z-]+\] /.test(m));
    expect(categorised.length).toBeGreaterThan(0);
    for (const m of categorised) expect(m.slice(m.indexOf(']') + 1), m).not.toMatch(/^\s*\[[a-z-]+\]/);
  });

  it.skipIf(!hasJava)(
    "Allure's own rules file every failure of every suite under a category of ours, none under its catch-alls",
    async () => {
      const reportDir = join(resultsDir, '..', 'allure-report');
      await generateAllureReport({ resultsDir, reportDir });
      const tree = JSON.parse(readFileSync(join(reportDir, 'data', 'categories.json'), 'utf8')) as {
        children: { name: string; children: unknown[] }[];
      };
      const names = tree.children.map((c) => c.name);
      expect(names).not.toContain('Product defects');
      expect(names).not.toContain('Test defects');
      // Category -> message -> test: count the tests.
      type Node = { children?: Node[] };
      const leaves = (node: Node): number =>
        node.children === undefined ? 1 : node.children.reduce((n, c) => n + leaves(c), 0);
      const filed = leaves(tree as Node);
      expect(filed).toBe(allure.filter(bad).length);
      expect(names).toEqual(expect.arrayContaining(['Server error (HTTP 5xx, stack trace)', 'Password leak']));
    },
    180_000,
  );
});
