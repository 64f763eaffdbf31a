import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HarnessError } from '../../src/core/errors.ts';
import type { CaseResult } from '../../src/core/results.ts';
import {
  DEFAULT_REPORTERS,
  JunitReporter,
  createReporter,
  createReporters,
  type ReporterSpec,
} from '../../src/reporters/index.ts';
import { MemoryStream, TARGETS, makeCase, readTree, runInfo, summaryOf, tempDir } from './fixtures.ts';
import { parseXml } from './xml.ts';

describe('reporter registry', () => {
  it('builds a built-in reporter from a name or a [name, options] pair', () => {
    const context = { outputDir: tempDir(), redact: (s: string) => s };
    expect(createReporter('junit', context)).toBeInstanceOf(JunitReporter);
    expect(createReporter(['junit', { fileName: 'conformance.xml' }], context)).toBeInstanceOf(JunitReporter);
  });

  it('rejects an unknown name with HARNESS_CONFIG_INVALID listing the valid ones', () => {
    const context = { outputDir: tempDir(), redact: (s: string) => s };
    let error: unknown;
    try {
      createReporter('html' as ReporterSpec, context);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HarnessError);
    expect((error as HarnessError).code).toBe('HARNESS_CONFIG_INVALID');
    expect((error as HarnessError).message).toBe(
      'unknown reporter "html": the built-in reporters are console, jsonl, summary, junit, allure, github',
    );
  });

  it('the default set writes every report, lists them on the console and never writes the secret', async () => {
    const dir = tempDir();
    const secret = 'S3cr3t<&"Pw';
    const console = new MemoryStream(false);
    const stderr = new MemoryStream(false);
    const redact = (s: string): string => s.replaceAll(secret, '[redacted]');
    expect(DEFAULT_REPORTERS).toEqual(['console', 'jsonl', 'summary', 'junit', 'allure']);
    const specs: ReporterSpec[] = DEFAULT_REPORTERS.map((name) =>
      name === 'console' ? (['console', { stream: console, verbose: true }] as const) : name,
    );
    const reporters = createReporters(specs, { outputDir: dir, redact }, { stderr });

    // The CaseResults are supposed to arrive redacted; these deliberately are not, to prove the second line
    // of defence holds in every output.
    const cases: CaseResult[] = [
      makeCase({ parameters: { password: secret } }),
      makeCase({
        verdict: 'fail',
        category: 'password-leak',
        message: `client log contains ${secret}`,
        observed: { logs: [`password=${secret}`] },
        requirements: ['OM-LOG-NO-PASSWORD'],
        replay: `npx harness replay leak@ios-url --password '${secret}'`,
        attachments: [{ name: 'log', contentType: 'text/plain', body: `login ${secret}` }],
        steps: [{ name: 'provision', status: 'failed', start: 1, stop: 2, message: secret }],
      }),
      makeCase({ target: 'emulated-android', verdict: 'broken', message: `adapter echoed ${secret}` }),
      makeCase({ target: 'emulated-android', verdict: 'informational', choices: { 'OM-CHOICE-PLUS': secret } }),
    ];
    await reporters.onBegin(runInfo(dir, { command: `harness run --password ${secret}` }), TARGETS);
    for (const c of cases) reporters.onCaseEnd(c);
    reporters.onTargetError('emulated-android', `lost after ${secret}`);
    await reporters.onEnd(summaryOf(cases));

    expect(stderr.text).toBe('');
    for (const file of ['results.jsonl', 'summary.json', 'junit.xml', 'allure-results/categories.json']) {
      expect(existsSync(join(dir, file)), file).toBe(true);
    }
    parseXml(readFileSync(join(dir, 'junit.xml'), 'utf8'));
    const files = readTree(dir);
    expect(files.size).toBeGreaterThan(8);
    for (const [path, text] of files) expect(text, path).not.toContain('S3cr3t');
    expect(console.text).not.toContain('S3cr3t');
    expect(console.text).toContain('[redacted]');
    expect(console.text).toContain(
      `Reports:\n  ${join(dir, 'results.jsonl')}\n  ${join(dir, 'summary.json')}\n  ${join(dir, 'junit.xml')}\n  ${join(dir, 'allure-results')}\n`,
    );
  });

  // Their speed is a benchmark's business (`npm run bench -- plan`), not a timed test's: this checks that a
  // long run's every case reaches every file.
  it('writes every case of a long run to every file reporter', async () => {
    const dir = tempDir();
    const reporters = createReporters(
      [['console', { stream: new MemoryStream(false) }], 'jsonl', 'summary', 'junit', 'allure'],
      { outputDir: dir, redact: (s) => s.replaceAll('never-present-secret', '***') },
    );
    const n = 5_000;
    const verdicts = ['pass', 'pass', 'pass', 'fail', 'informational', 'not-applicable', 'non-strict'] as const;
    const cases = Array.from({ length: n }, (_, i) =>
      makeCase({
        id: `CASE-${i}@android-url`,
        target: i % 2 ? 'emulated-ios' : 'emulated-android',
        verdict: verdicts[i % verdicts.length] ?? 'pass',
      }),
    );
    await reporters.onBegin(runInfo(dir), TARGETS);
    for (const c of cases) reporters.onCaseEnd(c);
    await reporters.onEnd(summaryOf(cases));
    expect(readFileSync(join(dir, 'results.jsonl'), 'utf8').split('\n')).toHaveLength(n + 1);
    expect(readdirSync(join(dir, 'allure-results')).filter((f) => f.endsWith('-result.json'))).toHaveLength(n);
    expect(readFileSync(join(dir, 'junit.xml'), 'utf8').match(/<testcase /g)).toHaveLength(n);
  }, 60_000);
});
