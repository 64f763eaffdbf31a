/**
 * `--workers 8` on a target whose driver serves fewer sessions (the http driver drives one adapter, one
 * client) says what it really does: the console states the effective concurrency at the start, and
 * summary.json records it. The real CLI against the bundled example adapter on loopback.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startExampleAdapter, type RunningExampleAdapter } from '../../drivers/http/adapter-example.ts';
import type { SummaryFile } from '../../src/reporters/summary.ts';
import { KEY, repoPaths, runCli, tempProject } from '../e2e/helpers.ts';

const open: RunningExampleAdapter[] = [];
afterEach(async () => {
  for (const a of open.splice(0)) await a.close();
});

describe('the effective concurrency', () => {
  it('--workers 8 on an http target: "1 session at a time", and why, on the console and in summary.json', async () => {
    const adapter = await startExampleAdapter({ platform: 'android', obfuscationKey: KEY });
    open.push(adapter);
    const dir = tempProject(`export default { ${repoPaths()} obfuscation: { key: '${KEY}' } };\n`);
    const target = adapter.url.replace(/\/+$/, '');
    const run = await runCli(['run', '--target', target, '--workers', '8', '--grep', 'om:ex-complete-android'], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`${target}: 1 session at a time (its driver serves 1 at a time; workers is 8)`);
    const summary = JSON.parse(readFileSync(path.join(dir, 'reports/summary.json'), 'utf8')) as SummaryFile;
    expect(summary.targets[target]?.concurrency).toEqual({ sessions: 1, workers: 8, driverLimit: 1 });
  });
});
