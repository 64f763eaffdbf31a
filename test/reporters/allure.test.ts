import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TestResult } from 'allure-js-commons';
import { md5 as sdkMd5, parseEnvInfo } from 'allure-js-commons/sdk/reporter';
import { describe, expect, it } from 'vitest';
import type { CaseResult } from '../../src/core/results.ts';
import { AllureReporter, md5 } from '../../src/reporters/allure.ts';
import { TARGETS, makeCase, readTree, runInfo, summaryOf, tempDir } from './fixtures.ts';

function results(dir: string): TestResult[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('-result.json'))
    .map((name) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as TestResult);
}

function labels(result: TestResult, name: string): string[] {
  return result.labels.filter((l) => l.name === name).map((l) => l.value);
}

async function runOne(c: CaseResult, dir = tempDir()): Promise<{ dir: string; result: TestResult }> {
  const reporter = new AllureReporter();
  reporter.onBegin(runInfo(dir), TARGETS);
  reporter.onCaseEnd(c);
  await reporter.onEnd(summaryOf([c]));
  const [result] = results(join(dir, 'allure-results'));
  if (!result) throw new Error('no result written');
  return { dir, result };
}

describe('AllureReporter', () => {
  it("hashes ids and attachments exactly as the Allure SDK's md5 does, multi-byte text included", () => {
    for (const text of ['', 'emulated-ios: len-username-101@ios-url', 'é中😀 ÿ\u0000', 'x'.repeat(10_000)]) {
      expect(md5(text)).toBe(sdkMd5(text));
    }
  });

  it('writes a result per case with names, ids, labels, links, parameters, steps and attachments', async () => {
    const dir = tempDir();
    const out = join(dir, 'allure-results');
    const reporter = new AllureReporter();
    reporter.onBegin(runInfo(dir), TARGETS);
    const c = makeCase({
      id: 'len-username-101@ios-url',
      title: 'username of 101 characters is rejected with 23',
      area: 'length-limits',
      requirements: ['OM-LEN-USERNAME', 'OM-ATOMIC'],
      verdict: 'informational',
      choices: { 'OM-CHOICE-ASTRAL-LENGTH': 'utf16' },
      parameters: { pid: '9945', username: 'u'.repeat(101) },
    });
    reporter.onCaseEnd(c);
    // Written as the case ends, not held back until onEnd.
    await reporter.flush();
    expect(results(out)).toHaveLength(1);
    await reporter.onEnd(summaryOf([c]));

    const [r] = results(out);
    expect(r).toBeDefined();
    const result = r!;
    const stableId = createHash('md5').update('emulated-ios: len-username-101@ios-url').digest('hex');
    expect(result.name).toBe('username of 101 characters is rejected with 23');
    expect(result.fullName).toBe('emulated-ios: len-username-101@ios-url');
    expect(result.historyId).toBe(stableId);
    expect(result.testCaseId).toBe(stableId);
    expect(result.status).toBe('passed');
    expect(result.stage).toBe('finished');
    expect(result.start).toBe(c.start);
    expect(result.stop).toBe(c.stop);
    expect(result.statusDetails.message).toContain('OM-CHOICE-ASTRAL-LENGTH=utf16');
    expect(labels(result, 'parentSuite')).toEqual(['Open Mobile Provisioning API 3.2']);
    expect(labels(result, 'suite')).toEqual(['ios / url · emulated-ios']);
    expect(labels(result, 'subSuite')).toEqual(['length-limits']);
    expect(labels(result, 'epic')).toEqual(['Open Mobile Provisioning API 3.2']);
    expect(labels(result, 'feature')).toEqual(['length-limits']);
    // Filed under every requirement it checks, not only the first.
    expect(labels(result, 'story')).toEqual(['OM-LEN-USERNAME', 'OM-ATOMIC']);
    expect(labels(result, 'tag')).toEqual(['informational']);
    expect(labels(result, 'requirement')).toEqual(['OM-LEN-USERNAME', 'OM-ATOMIC']);
    expect(labels(result, 'framework')).toEqual(['provisioning-harness']);
    expect(labels(result, 'host')).toHaveLength(1);
    expect(result.links).toEqual([
      { name: 'OM-LEN-USERNAME', url: 'requirements.html#OM-LEN-USERNAME', type: 'requirement' },
      { name: 'OM-ATOMIC', url: 'requirements.html#OM-ATOMIC', type: 'requirement' },
    ]);
    expect(result.parameters).toEqual([
      { name: 'pid', value: '9945' },
      { name: 'username', value: 'u'.repeat(101) },
    ]);
    expect(result.steps.map((s) => [s.name, s.status])).toEqual([
      ['reset', 'passed'],
      ['provision', 'passed'],
    ]);
    const stepAttachment = result.steps[1]?.attachments[0];
    expect(stepAttachment).toMatchObject({ name: 'observation', type: 'application/json' });
    expect(readFileSync(join(out, stepAttachment!.source), 'utf8')).toBe('{"handled":true,"result":0}');
    const attachment = result.attachments[0];
    expect(attachment).toMatchObject({ name: 'client log', type: 'text/plain' });
    expect(attachment!.source).toMatch(/-attachment\.txt$/);
    expect(readFileSync(join(out, attachment!.source), 'utf8')).toBe('provisioning started\nprovisioning done');
  });

  it('maps verdicts to statuses and prefixes failure messages with their category', async () => {
    const status = async (c: CaseResult): Promise<TestResult> => (await runOne(c)).result;
    expect((await status(makeCase({ verdict: 'pass' }))).status).toBe('passed');
    const nonStrict = await status(makeCase({ verdict: 'non-strict' }));
    expect(nonStrict.status).toBe('passed');
    expect(labels(nonStrict, 'tag')).toEqual(['non-strict']);
    expect((await status(makeCase({ verdict: 'not-applicable', missing: ['network'] }))).statusDetails.message).toMatch(
      /^not applicable \(missing capabilities: network\)/,
    );
    expect((await status(makeCase({ verdict: 'not-applicable' }))).status).toBe('skipped');

    const failed = makeCase({
      verdict: 'fail',
      category: 'state-changed-by-failing-request',
      message: 'result 23 but the username changed',
      expected: { state: 'unchanged' },
      observed: { username: 'x' },
    });
    const f = await status(failed);
    expect(f.status).toBe('failed');
    expect(f.statusDetails.message).toBe('[state-changed-by-failing-request] result 23 but the username changed');
    expect(f.statusDetails.trace).toContain(`replay: ${failed.replay}`);
    expect(f.statusDetails.expected).toBe(JSON.stringify({ state: 'unchanged' }, null, 2));
    expect(f.statusDetails.actual).toBe(JSON.stringify({ username: 'x' }, null, 2));

    const broken = await status(makeCase({ verdict: 'broken', message: 'adapter timed out' }));
    expect(broken.status).toBe('broken');
    expect(broken.statusDetails.message).toBe('[broken-target] adapter timed out');
  });

  it('files a case under every requirement it checks, with the severity of the highest level among them', async () => {
    const dir = tempDir();
    const reporter = new AllureReporter();
    const requirement = (id: string, severity: string) => ({ id, severity, title: id, quote: '', source: '' });
    reporter.onBegin(
      runInfo(dir, {
        suites: [
          {
            name: 'x',
            specification: 'X 1.0',
            requirements: [
              requirement('X-MUST', 'MUST'),
              requirement('X-SHOULD', 'SHOULD'),
              requirement('X-CHOICE', 'CHOICE'),
            ],
          },
        ],
      }),
      TARGETS,
    );
    const both = makeCase({ id: 'both', verdict: 'fail', requirements: ['X-SHOULD', 'X-MUST'] });
    const should = makeCase({ id: 'should', verdict: 'non-strict', requirements: ['X-SHOULD'] });
    const choice = makeCase({ id: 'choice', requirements: ['X-CHOICE'] });
    const unknown = makeCase({ id: 'unknown', requirements: ['Y-ELSEWHERE'] });
    for (const c of [both, should, choice, unknown]) reporter.onCaseEnd(c);
    await reporter.onEnd(summaryOf([both, should, choice, unknown]));
    const byName = new Map(results(join(dir, 'allure-results')).map((r) => [r.fullName?.split(': ')[1], r]));
    expect(labels(byName.get('both')!, 'story')).toEqual(['X-SHOULD', 'X-MUST']);
    expect(labels(byName.get('both')!, 'severity')).toEqual(['critical']);
    expect(labels(byName.get('should')!, 'severity')).toEqual(['minor']);
    expect(labels(byName.get('choice')!, 'severity')).toEqual(['normal']);
    expect(labels(byName.get('unknown')!, 'severity')).toEqual(['normal']);
  });

  it('writes categories.json, environment.properties and executor.json', async () => {
    const { dir } = await runOne(makeCase());
    const results = join(dir, 'allure-results');
    const categories = JSON.parse(readFileSync(join(results, 'categories.json'), 'utf8')) as { name: string }[];
    expect(categories.map((c) => c.name)).toContain('Error precedence');
    const env = parseEnvInfo(readFileSync(join(results, 'environment.properties'), 'utf8'));
    expect(env).toMatchObject({
      targets: 'emulated-ios, emulated-android',
      'target.emulated-ios.platform': 'ios',
      'target.emulated-android.version': '4.1.0',
      node: process.version,
      seed: '42',
    });
    const executor = JSON.parse(readFileSync(join(results, 'executor.json'), 'utf8')) as Record<string, unknown>;
    expect(executor).toMatchObject({ name: 'provisioning-harness', type: 'local' });
    expect(executor['buildName']).toContain('2025-01-02T03:04:05.000Z');
    expect(executor['reportName']).toEqual(expect.any(String));
  });

  it('empties the results directory at onBegin', async () => {
    const dir = tempDir();
    await runOne(makeCase(), dir);
    await runOne(makeCase(), dir);
    expect(results(join(dir, 'allure-results'))).toHaveLength(1);
    expect(existsSync(join(dir, 'allure-results', 'categories.json'))).toBe(true);
  });

  it('writes an attachment body shared by several cases once', async () => {
    const dir = tempDir();
    const reporter = new AllureReporter();
    reporter.onBegin(runInfo(dir), TARGETS);
    const shared = {
      name: 'state before / after',
      contentType: 'application/json' as const,
      body: '{"activated":false}',
    };
    reporter.onCaseEnd(makeCase({ steps: [], attachments: [shared, { ...shared, name: 'again' }] }));
    reporter.onCaseEnd(makeCase({ steps: [], attachments: [shared] }));
    await reporter.onEnd(summaryOf([]));
    const out = join(dir, 'allure-results');
    const sources = results(out).flatMap((r) => r.attachments.map((a) => a.source));
    expect(sources).toHaveLength(3);
    expect(new Set(sources).size).toBe(1);
    expect(readdirSync(out).filter((name) => name.includes('-attachment.'))).toEqual([sources[0]]);
    expect(readFileSync(join(out, sources[0]!), 'utf8')).toBe('{"activated":false}');
  });

  it('redacts results and attachment files', async () => {
    const dir = tempDir();
    const secret = 'Tr0ub4dor&3';
    const reporter = new AllureReporter({ redact: (s) => s.replaceAll(secret, '[redacted]') });
    reporter.onBegin(runInfo(dir, { command: `harness run --password=${secret}` }), TARGETS);
    const c = makeCase({
      verdict: 'fail',
      category: 'password-leak',
      message: `log contains ${secret}`,
      parameters: { password: secret },
      attachments: [{ name: 'log', contentType: 'text/plain', body: `password=${secret}` }],
      steps: [{ name: `type ${secret}`, status: 'failed', start: 1, stop: 2, message: secret }],
    });
    reporter.onCaseEnd(c);
    await reporter.onEnd(summaryOf([c]));
    const files = readTree(join(dir, 'allure-results'));
    expect(files.size).toBeGreaterThan(4);
    for (const [path, text] of files) expect(text, path).not.toContain(secret);
    const [result] = results(join(dir, 'allure-results'));
    expect(result?.parameters).toEqual([{ name: 'password', value: '[redacted]' }]);
  });
});
