import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestResult } from 'allure-js-commons';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve.ts';
import type { HarnessConfig, ResolvedConfig } from '../../src/config/types.ts';
import type { FuzzFailureReport, FuzzReportEntry } from '../../src/core/fuzz.ts';
import { AllureReporter } from '../../src/reporters/allure.ts';
import { generateAllureReport } from '../../src/reporters/allure-report.ts';
import { writeFuzzReports } from '../../src/reporters/index.ts';
import { SummaryReporter, type SummaryFile } from '../../src/reporters/summary.ts';
import { TARGETS, makeCase, readTree, runInfo, summaryOf, tempDir } from './fixtures.ts';

const hasJava = spawnSync('java', ['-version']).status === 0;
const SPEC = 'Open Mobile Provisioning API 3.2';
const RUN = { startedAt: '2025-02-03T04:05:06.000Z', command: 'harness fuzz --seed 7', harnessVersion: '0.1.0' };
const KEY = '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';

function config(dir: string, overrides: HarnessConfig = {}): ResolvedConfig {
  return resolveConfig(
    { file: join(dir, 'harness.config.ts'), config: { outputDir: 'reports', ...overrides } },
    {},
    {},
    dir,
  );
}

function failure(overrides: Partial<FuzzFailureReport> = {}): FuzzFailureReport {
  return {
    message: 'expected result 23, observed 0: the password was saved although the profile forbids it',
    requirements: ['OM-CODE-23-PASSWORD-NOT-SAVED', 'OM-ATOMIC'],
    category: 'wrong-result-code',
    counterexample: '1 request(s) on ios url:\n  1. ipass://provision?pid=9945&password=«redacted 3 chars #ab12»',
    seed: 7,
    path: '5:0:1',
    flaky: false,
    shrinks: 11,
    foundAfterRuns: 6,
    foundAfterMs: 40,
    file: 'vectors/regressions/om-reg-emulated-ios-7.json',
    replay: 'npx harness replay vectors/regressions/om-reg-emulated-ios-7.json',
    ...overrides,
  };
}

function entry(overrides: Partial<FuzzReportEntry> = {}): FuzzReportEntry {
  return {
    target: 'emulated-ios',
    against: null,
    specification: SPEC,
    property: 'provisioning sequences',
    seed: 7,
    start: 1_738_555_506_000,
    stop: 1_738_555_508_000,
    runs: 300,
    interrupted: false,
    failures: [],
    inconsistency: null,
    broken: null,
    statistics: {
      cases: 1000,
      tables: { 'result code': { '0': 800, '33': 200 } },
      attachments: [{ name: 'precedence matrix', body: '10 > 11 > 23' }],
      informational: [],
    },
    ...overrides,
  };
}

function results(dir: string): Map<string, TestResult> {
  return new Map(
    readdirSync(dir)
      .filter((name) => name.endsWith('-result.json'))
      .map((name) => [name, JSON.parse(readFileSync(join(dir, name), 'utf8')) as TestResult]),
  );
}

function byName(dir: string): Map<string, TestResult> {
  return new Map([...results(dir).values()].map((r) => [`${r.name} @ ${r.parameters[0]?.value ?? ''}`, r]));
}

function labels(result: TestResult, name: string): string[] {
  return result.labels.filter((l) => l.name === name).map((l) => l.value);
}

function attachment(dir: string, result: TestResult, name: string): string {
  const found = result.attachments.find((a) => a.name === name);
  if (!found)
    throw new Error(`no attachment ${name} on ${result.name}: ${result.attachments.map((a) => a.name).join(', ')}`);
  return readFileSync(join(dir, found.source), 'utf8');
}

async function normalRun(outputDir: string): Promise<void> {
  const cases = [makeCase({ id: 'a@ios-url' }), makeCase({ id: 'b@ios-url', verdict: 'fail', category: 'precedence' })];
  const allure = new AllureReporter();
  const summary = new SummaryReporter();
  for (const r of [allure, summary]) r.onBegin(runInfo(outputDir), TARGETS);
  for (const c of cases) for (const r of [allure, summary]) r.onCaseEnd(c);
  await allure.onEnd(summaryOf(cases));
  summary.onEnd(summaryOf(cases));
}

describe('writeFuzzReports', () => {
  it('writes one Allure result per property with status, labels, parameters, steps and attachments', () => {
    const dir = tempDir('fuzz-reports-');
    const cfg = config(dir);
    const failing = entry({
      target: 'emulated-android',
      against: 'emulated-ios',
      failures: [failure()],
      statistics: { ...entry().statistics, informational: ['OM-CHOICE-SILENT-IOS: ignored vs honoured'] },
    });
    const paths = writeFuzzReports(cfg, [entry(), failing], RUN);
    const resultsDir = join(dir, 'reports', 'allure-results');
    expect(paths).toEqual({ allureResults: resultsDir, summary: join(dir, 'reports', 'summary.json') });

    const all = byName(resultsDir);
    expect([...all.keys()].sort()).toEqual([
      'fuzz: provisioning sequences @ emulated-android',
      'fuzz: provisioning sequences @ emulated-ios',
    ]);
    const passed = all.get('fuzz: provisioning sequences @ emulated-ios')!;
    const failed = all.get('fuzz: provisioning sequences @ emulated-android')!;

    expect(passed.status).toBe('passed');
    expect(passed.steps).toEqual([]);
    expect(labels(passed, 'parentSuite')).toEqual([SPEC]);
    expect(labels(passed, 'suite')).toEqual(['fuzz']);
    expect(labels(passed, 'subSuite')).toEqual(['emulated-ios']);
    expect(labels(passed, 'tag')).toEqual(['fuzz']);
    expect(labels(passed, 'host')).toHaveLength(1);
    expect(passed.parameters).toEqual([
      { name: 'target', value: 'emulated-ios' },
      { name: 'seed', value: '7' },
      { name: 'runs', value: '300' },
    ]);
    expect(passed.attachments.map((a) => a.name)).toEqual(['statistics.json', 'precedence matrix']);
    expect(JSON.parse(attachment(resultsDir, passed, 'statistics.json'))).toEqual({
      runs: 300,
      cases: 1000,
      durationMs: 2000,
      casesPerSecond: 500,
      interrupted: false,
      tables: { 'result code': { '0': 800, '33': 200 } },
    });
    expect(attachment(resultsDir, passed, 'precedence matrix')).toBe('10 > 11 > 23');

    expect(failed.status).toBe('failed');
    expect(failed.statusDetails.message).toBe(`[wrong-result-code] ${failure().message}`);
    expect(failed.statusDetails.trace).toContain('seed 7, path 5:0:1');
    expect(labels(failed, 'subSuite')).toEqual(['emulated-android vs emulated-ios']);
    expect(labels(failed, 'requirement')).toEqual(['OM-CODE-23-PASSWORD-NOT-SAVED', 'OM-ATOMIC']);
    expect(failed.parameters.map((p) => p.name)).toEqual(['target', 'against', 'seed', 'runs']);
    expect(failed.steps).toHaveLength(1);
    expect(failed.steps[0]?.status).toBe('failed');
    expect(attachment(resultsDir, failed, 'failure 1: counterexample')).toContain('pid=9945');
    const reproduce = attachment(resultsDir, failed, 'failure 1: seed and path');
    expect(reproduce).toContain('seed 7, path 5:0:1');
    expect(reproduce).toContain('replay: npx harness replay vectors/regressions/om-reg-emulated-ios-7.json');
    expect(reproduce).toContain('kept as vectors/regressions/om-reg-emulated-ios-7.json');
    expect(attachment(resultsDir, failed, 'informational.txt')).toBe('OM-CHOICE-SILENT-IOS: ignored vs honoured\n');

    // Stable across fuzz runs (Allure's history), distinct per target + against + property.
    expect(failed.historyId).not.toBe(passed.historyId);
    const again = tempDir('fuzz-reports-');
    writeFuzzReports(config(again), [entry()], RUN);
    const [rerun] = results(join(again, 'reports', 'allure-results')).values();
    expect(rerun?.historyId).toBe(passed.historyId);
    expect(rerun?.testCaseId).toBe(passed.testCaseId);
    // Categories are there even without a `harness run`, so the `[category]` prefix is matched.
    expect(existsSync(join(resultsDir, 'categories.json'))).toBe(true);
  });

  it('files a misbehaving target under broken-target, without the ANSI colours of its error', () => {
    const dir = tempDir('fuzz-reports-');
    writeFuzzReports(
      config(dir),
      [entry({ property: 'lost', broken: "page.tap: closed\n\u001b[2m  - waiting for locator('#link')\u001b[22m" })],
      RUN,
    );
    const all = new Map([...results(join(dir, 'reports', 'allure-results')).values()].map((r) => [r.name, r]));
    expect(all.get('fuzz: lost')?.statusDetails.message).toBe(
      "[broken-target] the target misbehaved: page.tap: closed\n  - waiting for locator('#link')",
    );
  });

  it('reports only flaky failures as broken, an inconsistency as failed, an interrupted pass as passed', () => {
    const dir = tempDir('fuzz-reports-');
    writeFuzzReports(
      config(dir),
      [
        entry({ property: 'flaky', failures: [failure({ flaky: true, file: null })] }),
        entry({
          property: 'inconsistent',
          inconsistency: {
            message: 'no single order explains 10 over 11 and 11 over 10',
            requirements: ['OM-PRECEDENCE'],
            category: 'precedence',
          },
        }),
        entry({ property: 'interrupted', interrupted: true }),
      ],
      RUN,
    );
    const resultsDir = join(dir, 'reports', 'allure-results');
    const all = new Map([...results(resultsDir).values()].map((r) => [r.name, r]));
    expect(all.get('fuzz: flaky')?.status).toBe('broken');
    expect(all.get('fuzz: flaky')?.statusDetails).toMatchObject({ flaky: true });
    expect(all.get('fuzz: inconsistent')?.status).toBe('failed');
    expect(all.get('fuzz: inconsistent')?.statusDetails.message).toBe(
      '[precedence] no single order explains 10 over 11 and 11 over 10',
    );
    expect(all.get('fuzz: interrupted')?.status).toBe('passed');
    expect(all.get('fuzz: interrupted')?.statusDetails.message).toMatch(/^interrupted: /);
    expect(all.get('fuzz: interrupted')?.description).toContain('Interrupted');

    const summary = JSON.parse(readFileSync(join(dir, 'reports', 'summary.json'), 'utf8')) as SummaryFile;
    expect(summary.fuzz?.properties.map((p) => [p.property, p.status])).toEqual([
      ['flaky', 'flaky'],
      ['inconsistent', 'failed'],
      ['interrupted', 'interrupted'],
    ]);
  });

  it("replaces the same property's earlier fuzz result and leaves a normal run's results alone", async () => {
    const dir = tempDir('fuzz-reports-');
    const outputDir = join(dir, 'reports');
    await normalRun(outputDir);
    const resultsDir = join(outputDir, 'allure-results');
    const runFiles = new Map([...readTree(resultsDir)].filter(([path]) => !path.endsWith('.properties')));
    expect([...runFiles.keys()].filter((p) => p.endsWith('-result.json'))).toHaveLength(2);

    const cfg = config(dir);
    writeFuzzReports(cfg, [entry({ failures: [failure()] }), entry({ target: 'emulated-android' })], RUN);
    const firstFiles = readdirSync(resultsDir).filter((name) => name.startsWith('fuzz-'));
    expect(results(resultsDir).size).toBe(4);

    // The iOS property passes now; the Android one is not part of this fuzz run and stays.
    writeFuzzReports(cfg, [entry({ runs: 500 })], RUN);
    const after = results(resultsDir);
    expect(after.size).toBe(4);
    const ios = [...after.values()].filter(
      (r) => r.name === 'fuzz: provisioning sequences' && r.parameters[0]?.value === 'emulated-ios',
    );
    expect(ios).toHaveLength(1);
    expect(ios[0]?.status).toBe('passed');
    expect(ios[0]?.parameters.find((p) => p.name === 'runs')?.value).toBe('500');
    // The first iOS result and its attachments are gone, nothing else of the first fuzz run is.
    const now = new Set(readdirSync(resultsDir));
    const removed = firstFiles.filter((name) => !now.has(name));
    expect(removed.some((name) => name.endsWith('-result.json'))).toBe(true);
    // counterexample, seed and path, statistics.json, precedence matrix
    expect(removed.filter((name) => name.includes('-attachment.'))).toHaveLength(4);
    const android = [...after.values()].find((r) => r.parameters[0]?.value === 'emulated-android');
    for (const a of android?.attachments ?? []) expect(now.has(a.source)).toBe(true);
    for (const r of after.values()) for (const a of r.attachments) expect(now.has(a.source)).toBe(true);

    // The normal run's files are byte for byte as it wrote them.
    for (const [path, text] of runFiles) expect(readFileSync(path, 'utf8')).toBe(text);
  });

  it('adds `fuzz` to an existing summary.json and keeps the run fields', async () => {
    const dir = tempDir('fuzz-reports-');
    const outputDir = join(dir, 'reports');
    await normalRun(outputDir);
    const file = join(outputDir, 'summary.json');
    const before = JSON.parse(readFileSync(file, 'utf8')) as SummaryFile;
    expect(before.failures).toHaveLength(1);

    writeFuzzReports(config(dir), [entry({ failures: [failure()] })], RUN);
    const after = JSON.parse(readFileSync(file, 'utf8')) as SummaryFile;
    const { fuzz, ...rest } = after;
    expect(rest).toEqual(before);
    expect(fuzz).toEqual({
      status: 'complete',
      exitCode: 1,
      startedAt: RUN.startedAt,
      command: RUN.command,
      seed: 7,
      properties: [
        {
          target: 'emulated-ios',
          against: null,
          property: 'provisioning sequences',
          status: 'failed',
          interrupted: false,
          runs: 300,
          cases: 1000,
          durationMs: 2000,
          casesPerSecond: 500,
          failures: [
            {
              message: failure().message,
              requirements: failure().requirements,
              category: 'wrong-result-code',
              counterexample: failure().counterexample,
              seed: 7,
              path: '5:0:1',
              flaky: false,
              replay: failure().replay,
              file: failure().file,
            },
          ],
          inconsistency: null,
          informational: [],
          broken: null,
        },
      ],
    });

    // A later `harness run` rewrites summary.json without the fuzz field.
    await normalRun(outputDir);
    const rerun = JSON.parse(readFileSync(file, 'utf8')) as SummaryFile;
    expect(rerun.fuzz).toBeUndefined();
    expect(rerun.total).toBe(2);
  });

  it('writes a summary.json with only `fuzz` when there is none', () => {
    const dir = tempDir('fuzz-reports-');
    const { summary } = writeFuzzReports(config(dir), [entry()], RUN);
    const written = JSON.parse(readFileSync(summary!, 'utf8')) as Record<string, unknown>;
    expect(Object.keys(written)).toEqual(['fuzz']);
    expect((written['fuzz'] as SummaryFile['fuzz'])?.properties[0]?.status).toBe('passed');
  });

  it('writes only what the configured reporters ask for, where their options say', () => {
    const dir = tempDir('fuzz-reports-');
    const none = writeFuzzReports(config(dir, { reporters: ['console', 'junit'] }), [entry()], RUN);
    expect(none).toEqual({ allureResults: null, summary: null });
    expect(existsSync(join(dir, 'reports'))).toBe(false);

    const custom = writeFuzzReports(
      config(dir, {
        reporters: [
          ['allure', { resultsDir: join(dir, 'elsewhere', 'results') }],
          ['summary', { outputDir: join(dir, 'gate') }],
        ],
      }),
      [entry()],
      RUN,
    );
    expect(custom).toEqual({
      allureResults: join(dir, 'elsewhere', 'results'),
      summary: join(dir, 'gate', 'summary.json'),
    });
    expect(results(join(dir, 'elsewhere', 'results')).size).toBe(1);
    expect(existsSync(join(dir, 'gate', 'summary.json'))).toBe(true);
  });

  it("keeps the config's secrets out of every file it writes", () => {
    const dir = tempDir('fuzz-reports-');
    const password = 'hunter2-correct-horse';
    const redact = (text: string) => text.replaceAll(password, '«pw»');
    const cfg = config(dir, {
      obfuscation: { key: KEY },
      reporters: [
        ['allure', { redact }],
        ['summary', { redact }],
      ],
    });
    const leaky = entry({
      property: `leaks ${password}`,
      failures: [
        failure({
          message: `the client logged password=${password} with key ${KEY}`,
          counterexample: `ipass://provision?pid=9945&password=${password}`,
          replay: `npx harness replay x.json # ${KEY.toUpperCase()}`,
        }),
      ],
      statistics: {
        ...entry().statistics,
        attachments: [{ name: `matrix ${password}`, body: password }],
        informational: [password],
      },
    });
    const paths = writeFuzzReports(cfg, [leaky], { ...RUN, command: `harness fuzz ${password}` });
    const files = [...readTree(paths.allureResults!), [paths.summary!, readFileSync(paths.summary!, 'utf8')] as const];
    expect(files.length).toBeGreaterThan(5);
    for (const [path, text] of files) {
      expect(text, path).not.toContain(password);
      expect(text.toLowerCase(), path).not.toContain(KEY);
    }
    // Redacted, not dropped.
    expect(readFileSync(paths.summary!, 'utf8')).toContain('password=«pw»');
  });

  it.skipIf(!hasJava)(
    'shows up in the report `allure generate` builds, next to the normal run',
    async () => {
      const dir = tempDir('fuzz-reports-');
      const outputDir = join(dir, 'reports');
      await normalRun(outputDir);
      writeFuzzReports(config(dir), [entry({ failures: [failure()] })], RUN);
      const reportDir = join(outputDir, 'allure-report');
      await generateAllureReport({ resultsDir: join(outputDir, 'allure-results'), reportDir });
      const cases = readdirSync(join(reportDir, 'data', 'test-cases')).map(
        (name) =>
          JSON.parse(readFileSync(join(reportDir, 'data', 'test-cases', name), 'utf8')) as {
            name: string;
            status: string;
            labels: { name: string; value: string }[];
          },
      );
      const fuzz = cases.filter((c) => c.name === 'fuzz: provisioning sequences');
      expect(fuzz).toHaveLength(1);
      expect(fuzz[0]?.status).toBe('failed');
      expect(fuzz[0]?.labels).toContainEqual({ name: 'suite', value: 'fuzz' });
      expect(cases).toHaveLength(3);
      // Allure's Java regex put the fuzz failure in our category too.
      const categories = JSON.parse(readFileSync(join(reportDir, 'data', 'categories.json'), 'utf8')) as {
        children: { name: string }[];
      };
      expect(categories.children.map((c) => c.name).sort()).toEqual(['Error precedence', 'Wrong result code']);
    },
    180_000,
  );
});

// A summary.json that cannot be merged into is replaced: losing the fuzz results would be worse.
describe('writeFuzzReports with a damaged summary.json', () => {
  it('replaces it with one holding only `fuzz`', () => {
    const dir = tempDir('fuzz-reports-');
    const cfg = config(dir);
    writeFuzzReports(cfg, [entry()], RUN);
    writeFileSync(join(dir, 'reports', 'summary.json'), '{ not json');
    writeFuzzReports(cfg, [entry()], RUN);
    const written = JSON.parse(readFileSync(join(dir, 'reports', 'summary.json'), 'utf8')) as Record<string, unknown>;
    expect(Object.keys(written)).toEqual(['fuzz']);
  });
});
