/**
 * `harness list --tier smoke` lists exactly the cases `harness run --tier smoke` runs on that target, so a QA
 * engineer can see the smoke plan before giving it a device.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { ROOT } from '../e2e/helpers.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'harness-list-tier-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await main(['--config', path.join(ROOT, 'harness.config.ts'), ...args], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1' },
    stdout: (s: string) => void (out += s),
    stderr: () => undefined,
  });
  return { code, out };
}

describe('list --tier smoke', () => {
  it('lists the cases run --tier smoke runs on the target, fewer than its whole plan', async () => {
    const listed = await cli(['list', '--target', 'emulated-ios', '--tier', 'smoke', '--json']);
    expect(listed.code).toBe(0);
    const ids = (JSON.parse(listed.out) as { id: string }[]).map((c) => c.id).sort();
    const full = await cli(['list', '--target', 'emulated-ios', '--json']);
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.length).toBeLessThan((JSON.parse(full.out) as unknown[]).length);

    const ran = await cli([
      'run',
      '--target',
      'emulated-ios',
      '--tier',
      'smoke',
      '--reporter',
      'jsonl',
      '--output',
      'r',
    ]);
    expect(ran.code).toBe(0);
    // Every case result, without the run-level checks (`om:run-...`), which are not cases of the plan.
    const runIds = readFileSync(path.join(dir, 'r/results.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => (JSON.parse(l) as { id: string }).id)
      .filter((id) => !id.startsWith('om:run-'));
    expect(runIds.sort()).toEqual(ids);
  });
});
