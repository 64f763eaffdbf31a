/**
 * The github reporter: workflow commands GitHub Actions turns into annotations on the vector file and line
 * a failing case comes from (escaped as actions/toolkit escapes them), grouped so that GitHub's 10
 * annotations per kind and step are not spent on one defect, and a Markdown job summary appended to
 * `$GITHUB_STEP_SUMMARY`. Nothing it writes holds a secret.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { emptyGateCounts, type CaseExpectation, type GateSummary } from '../../src/core/expectations.ts';
import type { CaseResult } from '../../src/core/results.ts';
import {
  ANNOTATIONS_PER_KIND,
  escapeData,
  escapeProperty,
  GithubReporter,
  workflowCommand,
} from '../../src/reporters/github.ts';
import { ROOT } from '../e2e/helpers.ts';
import { MemoryStream, TARGETS, makeCase, runInfo, summaryOf, tempDir } from './fixtures.ts';

/** The workflow command a line holds: kind, properties (unescaped) and message (unescaped). */
function parseCommand(line: string): { kind: string; props: Record<string, string>; message: string } {
  const m = /^::(\w+)(?: ([^:]*))?::(.*)$/.exec(line);
  if (m === null) throw new Error(`not a workflow command: ${line}`);
  const unescape = (s: string) =>
    s.replace(/%(25|0D|0A|3A|2C)/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  const props: Record<string, string> = {};
  for (const pair of (m[2] ?? '').split(',').filter(Boolean)) {
    const eq = pair.indexOf('=');
    props[pair.slice(0, eq)] = unescape(pair.slice(eq + 1));
  }
  return { kind: m[1] as string, props, message: unescape(m[3] as string) };
}

function commands(text: string): ReturnType<typeof parseCommand>[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('::'))
    .map(parseCommand);
}

function reporterRun(
  cases: CaseResult[],
  env: Record<string, string | undefined> = {},
  cwd = '/repo',
): { out: string; reporter: GithubReporter } {
  const stream = new MemoryStream();
  const reporter = new GithubReporter({ stream, env });
  reporter.onBegin(runInfo('/repo/reports', { cwd }), TARGETS);
  for (const c of cases) reporter.onCaseEnd(c);
  reporter.onEnd(summaryOf(cases));
  return { out: stream.text, reporter };
}

describe('workflow-command escaping', () => {
  it('escapes %, CR and LF in the message, and also : and , in properties, as actions/toolkit does', () => {
    expect(escapeData('100% done\r\nnext: a, b')).toBe('100%25 done%0D%0Anext: a, b');
    expect(escapeProperty('100% done\r\nnext: a, b')).toBe('100%25 done%0D%0Anext%3A a%2C b');
    // % first: an escape sequence already in the text is not read back as a character.
    expect(escapeData('%0A')).toBe('%250A');
    expect(
      workflowCommand('error', { file: 'vectors/a,b.json', line: 12, title: 'fail: x, y' }, 'line 1\nline 2: 50%'),
    ).toBe('::error file=vectors/a%2Cb.json,line=12,title=fail%3A x%2C y::line 1%0Aline 2: 50%25');
    expect(workflowCommand('warning', {}, 'm')).toBe('::warning::m');
  });
});

describe('GithubReporter annotations', () => {
  it('annotates a failed case at its vector file and line, with its requirements and replay command', () => {
    const failed = makeCase({
      id: 'sw:code-once',
      target: 'swivel-reference',
      verdict: 'fail',
      message: 'step 2: expected FAIL, got PASS',
      requirements: ['SW-CODE-ONCE'],
      source: { file: 'vectors/swivel/code-use.json', line: 5 },
      replay: 'npx harness run --target swivel-reference --grep sw:code-once',
    });
    const { out } = reporterRun([makeCase(), failed]);
    expect(out.split('\n').filter((l) => l.startsWith('::'))).toEqual([
      '::error file=vectors/swivel/code-use.json,line=5,title=fail%3A sw%3Acode-once on swivel-reference::' +
        'step 2: expected FAIL, got PASS%0Arequirements: SW-CODE-ONCE%0A' +
        'replay: npx harness run --target swivel-reference --grep sw:code-once',
    ]);
  });

  it('gives broken cases errors, non-strict ones warnings, and passing or informational ones nothing', () => {
    const { out } = reporterRun([
      makeCase({ verdict: 'broken', message: 'target gone' }),
      makeCase({ verdict: 'non-strict', message: 'a SHOULD broken' }),
      makeCase({ verdict: 'informational', message: 'a choice' }),
      makeCase({ verdict: 'not-applicable', message: 'needs state' }),
    ]);
    expect(commands(out).map((c) => [c.kind, c.message.split('\n')[0]])).toEqual([
      ['error', 'target gone'],
      ['warning', 'a SHOULD broken'],
    ]);
  });

  it('groups the cases of one defect (one verdict, one message) into one annotation naming the others', () => {
    const alike = ['b', 'a', 'c'].map((name) =>
      makeCase({
        id: `sp:${name}`,
        verdict: 'fail',
        message: 'the secret is not Base32',
        source: { file: `v/${name}.json`, line: 3 },
      }),
    );
    const { out } = reporterRun([...alike, makeCase({ id: 'sp:z', verdict: 'fail', message: 'other' })]);
    const [group, single] = commands(out);
    // The larger group first; it points at its first case by id.
    expect(group?.props).toEqual({
      file: 'v/a.json',
      line: '3',
      title: 'fail: sp:a on emulated-ios (and 2 more like it)',
    });
    expect(group?.message).toContain('also: sp:b on emulated-ios, sp:c on emulated-ios');
    expect(single?.props['title']).toBe('fail: sp:z on emulated-ios');
  });

  it(`prints at most ${ANNOTATIONS_PER_KIND} of each kind (GitHub drops the rest) and says how many it left out`, () => {
    const many = Array.from({ length: 13 }, (_, i) => makeCase({ verdict: 'fail', message: `defect ${i}` }));
    const warnings = Array.from({ length: 2 }, (_, i) => makeCase({ verdict: 'non-strict', message: `soft ${i}` }));
    const { out } = reporterRun([...many, ...warnings]);
    const found = commands(out);
    expect(found.filter((c) => c.kind === 'error')).toHaveLength(ANNOTATIONS_PER_KIND);
    expect(found.filter((c) => c.kind === 'warning')).toHaveLength(2);
    expect(out).toContain('3 more groups of cases not annotated (GitHub shows 10 of each kind per step)');
  });

  it('gives the file relative to GITHUB_WORKSPACE, and no file for one outside it or a case without a vector', () => {
    const inside = makeCase({ verdict: 'fail', message: 'a', source: { file: 'vectors/x.json', line: 7 } });
    const outside = makeCase({ verdict: 'fail', message: 'b', source: { file: '../../elsewhere/y.json', line: 1 } });
    const checks = makeCase({ verdict: 'fail', message: 'c' });
    const { out } = reporterRun([inside, outside, checks], { GITHUB_WORKSPACE: '/work' }, '/work/lab');
    const byMessage = new Map(commands(out).map((c) => [c.message.split('\n')[0], c.props]));
    expect(byMessage.get('a')).toMatchObject({ file: 'lab/vectors/x.json', line: '7' });
    expect(byMessage.get('b')?.['file']).toBeUndefined();
    expect(byMessage.get('c')?.['file']).toBeUndefined();
  });
});

describe('GithubReporter with expectations and a fail-on policy', () => {
  const entry = (status: CaseExpectation['status'], failsRun: boolean): CaseExpectation => ({
    status,
    where: 'harness.expectations.json /expectations/0',
    case: 'sw:*',
    target: '*',
    allowed: ['fail'],
    reason: 'vendor bug 123',
    recorded: { message: 'old message' },
    failsRun,
  });

  it('annotates an unexpected pass and a changed failure, not an expected deviation; errors only for what fails the run', () => {
    const dir = tempDir('github-');
    const file = path.join(dir, 'summary.md');
    const cases = [
      makeCase({ id: 'sw:fixed', verdict: 'pass', message: 'ok', expectation: entry('unexpected-pass', true) }),
      makeCase({ id: 'sw:known', verdict: 'fail', message: 'known', expectation: entry('expected', false) }),
      makeCase({ id: 'sw:moved', verdict: 'fail', message: 'new message', expectation: entry('changed', false) }),
      makeCase({ id: 'sw:plain', verdict: 'fail', message: 'plain failure' }),
    ];
    const counts = { ...emptyGateCounts(), 'unexpected-pass': 1, expected: 1, changed: 1, fail: 1, stale: 1 };
    const gate: GateSummary = {
      failOn: ['broken', 'unexpected-pass', 'stale'],
      expectationsFile: 'harness.expectations.json',
      counts,
      failing: ['unexpected-pass', 'stale'],
      passed: false,
      stale: [
        {
          where: 'harness.expectations.json /expectations/4',
          case: 'sw:gone',
          target: '*',
          why: 'no case has this id',
        },
      ],
      placeholders: 0,
    };
    const stream = new MemoryStream();
    const reporter = new GithubReporter({ stream, env: { GITHUB_STEP_SUMMARY: file } });
    reporter.onBegin(runInfo('/repo/reports', { cwd: '/repo' }), TARGETS);
    for (const c of cases) reporter.onCaseEnd(c);
    reporter.onEnd({ ...summaryOf(cases), gate });
    const found = commands(stream.text).map((c) => [c.kind, c.props['title'], c.message.split('\n')[0]]);
    expect(found).toEqual([
      [
        'error',
        'unexpected pass: sw:fixed on emulated-ios',
        'expected fail (vendor bug 123), and it passed: the deviation was fixed: remove the entry harness.expectations.json /expectations/0',
      ],
      // --fail-on without fail or changed: seen, but not what failed the run.
      [
        'warning',
        'changed: sw:moved on emulated-ios',
        'an expected deviation failing in a new way (entry harness.expectations.json /expectations/0); recorded: old message',
      ],
      ['warning', 'fail: sw:plain on emulated-ios', 'plain failure'],
      [
        'error',
        'stale expectation harness.expectations.json /expectations/4',
        'sw:gone on *: no case has this id; remove the entry',
      ],
    ]);
    expect(commands(stream.text).at(-1)?.props['file']).toBe('harness.expectations.json');
    const md = readFileSync(file, 'utf8');
    expect(md).toContain('## Conformance: 1 failed, 0 broken, 1 unexpected pass(es), 1 stale (and 2 expected)');
    expect(md).toContain(
      '| target | pass | fail | non-strict | informational | n/a | broken | expected | unexp. pass | total |',
    );
    expect(md).toContain('| emulated-ios | 0 | 1 | 0 | 0 | 0 | 0 | 2 | 1 | 4 |');
    expect(md).toContain(
      'Expectations (<code>harness.expectations.json</code>): 1 expected, 1 unexpected pass(es), 1 changed, 1 stale.',
    );
    expect(md).toContain('<details><summary>Known deviations, expected (1)</summary>');
    expect(md).toMatch(/\| expected \| <code>sw:known<\/code> \| emulated-ios \| known \(vendor bug 123\) \|/);
  });
});

describe('GithubReporter with retries', () => {
  const flaky = (): CaseResult =>
    makeCase({
      id: 'om:slow',
      verdict: 'pass',
      message: 'result 0 as expected',
      flaky: true,
      attempts: [
        { verdict: 'broken', message: 'no answer in 10000 ms', start: 1, stop: 2 },
        { verdict: 'pass', message: 'result 0 as expected', start: 3, stop: 4 },
      ],
    });

  it('annotates a flaky case with how it first failed, a warning unless --fail-on flaky, and says so beside a green line', () => {
    const dir = tempDir('github-');
    const file = path.join(dir, 'summary.md');
    const cases = [flaky(), makeCase()];
    const { out } = reporterRun(cases, { GITHUB_STEP_SUMMARY: file });
    expect(commands(out).map((c) => [c.kind, c.props['title'], c.message.split('\n')[0]])).toEqual([
      ['warning', 'flaky: om:slow on emulated-ios', 'broke, then passed on a retry: no answer in 10000 ms'],
    ]);
    const md = readFileSync(file, 'utf8');
    expect(md).toContain('## Conformance: conformant: no failed and no broken cases (1 flaky: passed on a retry)');
    // Counted as passed in the table, as on the console; listed among the cases to look at.
    expect(md).toContain('| emulated-ios | 2 | 0 | 0 | 0 | 0 | 0 | 2 |');
    expect(md).toMatch(/\| flaky \| <code>om:slow<\/code> \|/);

    const stream = new MemoryStream();
    const strict = new GithubReporter({ stream, env: {} });
    strict.onBegin(runInfo('/out', { cwd: '/out' }), TARGETS);
    const again = flaky();
    strict.onCaseEnd(again);
    const gate: GateSummary = {
      failOn: ['fail', 'broken', 'unexpected-pass', 'flaky'],
      expectationsFile: null,
      counts: { ...emptyGateCounts(), flaky: 1 },
      failing: ['flaky'],
      passed: false,
      stale: [],
      placeholders: 0,
    };
    strict.onEnd({ ...summaryOf([again]), gate });
    expect(commands(stream.text).map((c) => c.kind)).toEqual(['error']);
  });
});

describe('GithubReporter job summary', () => {
  it('appends to $GITHUB_STEP_SUMMARY the table per target, the choices and the cases with their replay commands', () => {
    const dir = tempDir('github-');
    const file = path.join(dir, 'step-summary.md');
    writeFileSync(file, '# earlier step\n');
    const cases = [
      makeCase({ target: 'emulated-ios', choices: { 'OM-CHOICE-PLUS': 'space' } }),
      makeCase({
        id: 'om:x|y',
        target: 'emulated-android',
        verdict: 'fail',
        message: 'got <20> | expected 0',
        source: { file: 'vectors/openmobile/routing.json', line: 40 },
        replay: "npx harness run --grep 'om:x|y'",
      }),
    ];
    reporterRun(cases, {
      GITHUB_STEP_SUMMARY: file,
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_REPOSITORY: 'lab/client',
      GITHUB_SHA: 'abc123',
    });
    const md = readFileSync(file, 'utf8');
    expect(md.startsWith('# earlier step\n## Conformance: 1 failed, 0 broken\n')).toBe(true);
    expect(md).toContain('| target | pass | fail | non-strict | informational | n/a | broken | total |');
    expect(md).toContain('| emulated-ios | 1 | 0 | 0 | 0 | 0 | 0 | 1 |');
    expect(md).toContain('| emulated-android | 0 | 1 | 0 | 0 | 0 | 0 | 1 |');
    expect(md).toContain('| emulated-ios | <code>OM-CHOICE-PLUS</code> | space |');
    // A | or < in a message or command neither breaks the table nor becomes HTML.
    expect(md).toContain(
      '| fail | <code>om:x&#124;y</code> | emulated-android | got &lt;20&gt; &#124; expected 0 | ' +
        '[<code>vectors/openmobile/routing.json:40</code>](https://github.com/lab/client/blob/abc123/vectors/openmobile/routing.json#L40) | ' +
        "<code>npx harness run --grep 'om:x&#124;y'</code> |",
    );
  });

  it('writes no summary file where GITHUB_STEP_SUMMARY is not set', () => {
    const dir = tempDir('github-');
    const { out } = reporterRun([makeCase({ verdict: 'fail', message: 'x' })], { HOME: dir });
    expect(out).toContain('::error');
  });

  it('writes no secret, in the annotations or the summary', () => {
    const dir = tempDir('github-');
    const file = path.join(dir, 'summary.md');
    const secret = 'hunter2-secret-password';
    const redact = (t: string) => t.split(secret).join('«redacted»');
    const stream = new MemoryStream();
    const reporter = new GithubReporter({ stream, env: { GITHUB_STEP_SUMMARY: file }, redact });
    reporter.onBegin(runInfo('/out', { cwd: '/out', command: `harness run --grep ${secret}` }), TARGETS);
    const leaky = makeCase({
      id: `om:${secret}`,
      verdict: 'fail',
      message: `password ${secret} in the log`,
      replay: `npx harness run --grep ${secret}`,
      requirements: [secret],
      choices: { [secret]: secret },
    });
    reporter.onCaseEnd(leaky);
    reporter.onTargetError('emulated-ios', `lost with ${secret}`);
    reporter.onEnd(summaryOf([leaky]));
    const md = readFileSync(file, 'utf8');
    expect(stream.text).toContain('«redacted»');
    expect(md).toContain('«redacted»');
    expect(stream.text).not.toContain(secret);
    expect(md).not.toContain(secret);
  });
});

describe('--reporter github on a real run', () => {
  it('points each annotation at the line of the vector file where the failing case is written', async () => {
    const dir = tempDir('github-run-');
    mkdirSync(dir, { recursive: true });
    const summaryFile = path.join(dir, 'summary.md');
    writeFileSync(
      path.join(dir, 'harness.config.ts'),
      `export default { targets: [{ name: 'swivel-defective', driver: 'swivel', options: { reference: true, defects: ['code-reusable'] } }], run: ['swivel-defective'] };\n`,
    );
    let stdout = '';
    const code = await main(
      [
        'run',
        '--config',
        path.join(dir, 'harness.config.ts'),
        '--reporter',
        'github',
        '--output',
        path.join(dir, 'reports'),
      ],
      {
        cwd: ROOT,
        env: { ...process.env, GITHUB_STEP_SUMMARY: summaryFile, GITHUB_WORKSPACE: ROOT },
        stdout: (t) => void (stdout += t),
        stderr: () => undefined,
      },
    );
    expect(code).toBe(1);
    const errors = commands(stdout).filter((c) => c.kind === 'error');
    expect(errors.length).toBeGreaterThan(0);
    let inFiles = 0;
    for (const { props } of errors) {
      const id = /^fail: (\S+) on swivel-defective/.exec(props['title'] ?? '')?.[1];
      expect(id, props['title']).toBeDefined();
      // A generated case (the stateful pairs) is written in no file: no file, rather than a wrong one.
      if (id?.startsWith('sw:gen-')) {
        expect(props['file'], id).toBeUndefined();
        continue;
      }
      inFiles += 1;
      expect(props['file']).toMatch(/^vectors\/swivel\/[\w-]+\.json$/);
      // The vector's object opens on that line, and its id follows on the next.
      const lines = readFileSync(path.join(ROOT, props['file'] as string), 'utf8').split('\n');
      const line = Number(props['line']);
      expect(lines[line - 1]?.trim()).toBe('{');
      expect(lines[line]).toContain(`"id": "${id}"`);
    }
    expect(inFiles).toBeGreaterThan(0);
    expect(readFileSync(summaryFile, 'utf8')).toMatch(/^## Conformance: \d+ failed, 0 broken/);
  });
});
