/**
 * One owner of the `[category]` prefix: the suites write a failure's message without it, the Allure writers
 * (src/reporters/allure.ts for cases, src/reporters/fuzz.ts for fuzz properties) put it in front once, for
 * Allure's categories to match. A failing case or fuzz property of a seeded defect, through the real CLI,
 * reads `[category] message`, never `[category] [category] message`.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { ROOT } from '../e2e/helpers.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function allureMessages(args: string[]): Promise<string[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'harness-prefix-'));
  dirs.push(dir);
  const quiet = { cwd: dir, env: { ...process.env, NO_COLOR: '1' }, stdout: () => undefined, stderr: () => undefined };
  const code = await main(
    ['--config', path.join(ROOT, 'harness.config.ts'), ...args, '--reporter', 'allure', '--output', 'reports'],
    quiet,
  );
  expect(code).toBe(1);
  const results = path.join(dir, 'reports/allure-results');
  const messages: string[] = [];
  type Node = { statusDetails?: { message?: string }; steps?: Node[] };
  const walk = (node: Node) => {
    if (node.statusDetails?.message !== undefined) messages.push(node.statusDetails.message);
    for (const step of node.steps ?? []) walk(step);
  };
  for (const file of readdirSync(results).filter((f) => f.endsWith('-result.json'))) {
    walk(JSON.parse(readFileSync(path.join(results, file), 'utf8')) as Node);
  }
  return messages;
}

const DOUBLED = /\[[a-z-]+\] \[[a-z-]+\]/;

describe('the [category] prefix in the Allure results', () => {
  it('a failing case reads [category] once', { timeout: 120_000 }, async () => {
    const messages = await allureMessages(['run', '--target', 'emulated-android-defective', '--seed', '1']);
    const categorised = messages.filter((m) => /^\[[a-z-]+\] /.test(m));
    expect(categorised.length).toBeGreaterThan(0);
    expect(messages.filter((m) => DOUBLED.test(m))).toEqual([]);
  });

  it('a failing fuzz property reads [category] once', { timeout: 120_000 }, async () => {
    const messages = await allureMessages([
      'fuzz',
      '--target',
      'emulated-android-defective',
      '--property',
      'sequences',
      '--runs',
      '100',
      '--seed',
      '1',
      '--corpus',
      'corpus',
    ]);
    expect(messages.filter((m) => /^\[[a-z-]+\] /.test(m)).length).toBeGreaterThan(0);
    expect(messages.filter((m) => DOUBLED.test(m))).toEqual([]);
  });
});
