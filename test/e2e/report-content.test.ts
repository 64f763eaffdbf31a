/**
 * What a QA engineer reads in the reports for real failures: seeded defects of every suite, run through the
 * real runner and the Allure reporter.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestResult } from 'allure-js-commons';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CaseResult } from '../../src/core/results.ts';
import { createSuites } from '../../src/cli/builtins.ts';
import { KEY, repoPaths, runCli, tempProject, type CliRun } from './helpers.ts';

/** One defective target per suite, each with defects that fail in different categories. */
const CONFIG = `export default {
  ${repoPaths()}
  obfuscation: { key: '${KEY}' },
  targets: [
    { name: 'om-defective', driver: 'emulated',
      options: { platform: 'android', defects: ['partial-write-on-failure', 'password-in-logs', 'transient-as-cut'] } },
    { name: 'swivel-defective', driver: 'swivel', options: { reference: true, defects: ['code-reusable', 'malformed-xml-500'] } },
    { name: 'surepassid-defective', driver: 'surepassid',
      options: { reference: true, defects: ['missing-physical-device-500', 'secret-hex'] } },
    { name: 'profiles-defective', driver: 'profile-service', options: { reference: true, defects: ['pin-optional'] } },
  ],
  run: ['om-defective', 'swivel-defective', 'surepassid-defective', 'profiles-defective'],
  reporters: ['allure', 'junit', 'jsonl'],
};
`;

let dir = '';
let run: CliRun;
let cases: CaseResult[] = [];
let allure: TestResult[] = [];
let resultsDir = '';

beforeAll(async () => {
  dir = tempProject(CONFIG);
  // A generous timeout: this machine may be busy, and a case timed out is broken, not the failure looked for.
  run = await runCli(['run', '--timeout', '60000', '--workers', '4'], dir);
  cases = readFileSync(join(dir, 'reports', 'results.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as CaseResult);
  resultsDir = join(dir, 'reports', 'allure-results');
  allure = readdirSync(resultsDir)
    .filter((f) => f.endsWith('-result.json'))
    .map((f) => JSON.parse(readFileSync(join(resultsDir, f), 'utf8')) as TestResult);
}, 240_000);

const hasJava = spawnSync('java', ['-version']).status === 0;

const bad = (r: { status?: string }) => r.status === 'failed' || r.status === 'broken';

describe('reports of real failures', () => {
  it('every suite produced failures', () => {
    expect(run.code, run.stderr).toBe(1);
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

  it('files each case under every requirement it checks, MUST as critical and SHOULD as minor', () => {
    const levels = new Map(
      Object.values(createSuites()).flatMap((suite) => suite.catalogue().requirements.map((r) => [r.id, r.severity])),
    );
    const label = (r: TestResult, name: string) => r.labels.filter((l) => l.name === name).map((l) => l.value);
    const ofCases = allure.filter((r) => label(r, 'requirement').length > 0);
    expect(ofCases.length).toBeGreaterThan(1000);
    const severities = new Set<string>();
    for (const r of ofCases) {
      const requirements = label(r, 'requirement');
      expect(label(r, 'story'), r.fullName).toEqual(requirements);
      const found = requirements.map((id) => levels.get(id));
      const expected = found.includes('MUST') ? 'critical' : found.includes('SHOULD') ? 'minor' : 'normal';
      expect(label(r, 'severity'), r.fullName).toEqual([expected]);
      severities.add(expected);
    }
    expect(severities).toContain('critical');
    expect(severities).toContain('minor');
    // A failure of a MUST of each suite is critical.
    const critical = allure.filter((r) => r.status === 'failed' && label(r, 'severity')[0] === 'critical');
    expect(new Set(critical.map((r) => r.fullName?.split(':')[0])).size).toBe(4);
  });

  it('shows the differing fields first and keeps the one-line summary short', () => {
    const failed = allure.filter((r) => r.status === 'failed');
    for (const r of failed) {
      const summary = (r.statusDetails.message ?? '').replace(/^\[[a-z-]+\] /, '');
      expect(summary.length, r.fullName).toBeLessThanOrEqual(200);
    }
    const lookup = failed.find((r) => r.fullName === 'profiles-defective: omp:lookup-pin-missing');
    expect(lookup?.statusDetails.trace).toContain('differences (1):\n  status: expected 404, observed 200');
    const long = cases.find((c) => c.id === 'omp:lookup-pin-missing');
    expect(long?.message.length).toBeGreaterThan(230);
  });

  it("junit.xml: no testsuite's time exceeds the run's wall time", () => {
    const xml = readFileSync(join(dir, 'reports', 'junit.xml'), 'utf8');
    const total = Number(/<testsuites [^>]*time="([\d.]+)"/.exec(xml)?.[1]);
    const suites = [...xml.matchAll(/<testsuite [^>]*time="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(suites).toHaveLength(4);
    expect(total).toBeGreaterThan(0);
    for (const time of suites) expect(time).toBeLessThanOrEqual(total);
  });

  it.skipIf(!hasJava)(
    "Allure's own rules file every failure of every suite under a category of ours, none under its catch-alls",
    async () => {
      const reportDir = join(dir, 'reports', 'allure-report');
      const report = await runCli(['report'], dir);
      expect(report.code, report.stderr).toBe(0);
      const tree = JSON.parse(readFileSync(join(reportDir, 'data', 'categories.json'), 'utf8')) as {
        children: { name: string; children: unknown[] }[];
      };
      const names = tree.children.map((c) => c.name);
      // The title names the four suites run.
      const summary = JSON.parse(readFileSync(join(reportDir, 'widgets', 'summary.json'), 'utf8')) as {
        reportName: string;
      };
      for (const specification of Object.values(createSuites()).map((s) => s.specification))
        expect(summary.reportName).toContain(specification);
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
