import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CaseResult } from '../../src/core/results.ts';
import { JsonlReporter } from '../../src/reporters/jsonl.ts';
import { makeCase, runInfo, tempDir } from './fixtures.ts';

function lines(path: string): CaseResult[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as CaseResult);
}

describe('JsonlReporter', () => {
  it('truncates at onBegin and appends each case as it arrives', () => {
    const dir = tempDir();
    const path = join(dir, 'results.jsonl');
    writeFileSync(path, '{"stale":true}\n');
    const reporter = new JsonlReporter();
    reporter.onBegin(runInfo(dir));
    expect(readFileSync(path, 'utf8')).toBe('');

    const first = makeCase({ verdict: 'fail', message: 'expected 0, got 23', category: 'wrong-result-code' });
    reporter.onCaseEnd(first);
    // Visible on disk before the run ends: a killed run keeps it.
    expect(lines(path)).toEqual([first]);

    const second = makeCase({ target: 'emulated-android' });
    reporter.onCaseEnd(second);
    expect(lines(path)).toEqual([first, second]);

    reporter.onEnd();
    expect(reporter.writtenFiles()).toEqual([path]);
    expect(lines(path)).toHaveLength(2);
  });

  it('redacts every string, including ones JSON would escape', () => {
    const dir = tempDir();
    const secret = 'p"a<ss\\word';
    const reporter = new JsonlReporter({ redact: (s) => s.replaceAll(secret, '[redacted]') });
    reporter.onBegin(runInfo(dir));
    reporter.onCaseEnd(
      makeCase({
        message: `password ${secret} leaked`,
        parameters: { password: secret },
        attachments: [{ name: 'log', contentType: 'text/plain', body: `login with ${secret}` }],
      }),
    );
    reporter.onEnd();
    const text = readFileSync(join(dir, 'results.jsonl'), 'utf8');
    const [line] = lines(join(dir, 'results.jsonl'));
    expect(text).not.toContain('a<ss');
    expect(line?.message).toBe('password [redacted] leaked');
    expect(line?.parameters['password']).toBe('[redacted]');
    expect(line?.attachments[0]?.body).toBe('login with [redacted]');
  });
});
