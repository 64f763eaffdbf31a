/**
 * SLOW (minutes; `npm run test:e2e`). The ```sh blocks of docs/ run as written (test/docs/doc-commands.ts);
 * README.md's run in commands-readme.test.ts, those of the pages that start servers in
 * commands-servers.test.ts, beside this file.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  budgetOf,
  checkBlockKinds,
  LOCK_DIR,
  lockPorts,
  NAMED_PAGES,
  pages,
  portsOf,
  runPages,
} from './doc-commands.ts';

describe('the pages and their groups', () => {
  it('every page has only blocks of a known kind, and a reason on every no-run block', () => checkBlockKinds());

  it('the pages named in a group exist and have blocks that run', () => {
    expect(NAMED_PAGES.filter((p) => !pages().includes(p))).toEqual([]);
  });

  it('reads the fixed ports a command needs', () => {
    expect(portsOf('node --import tsx drivers/http/adapter-example.ts --platform android --port 9400')).toEqual([9400]);
    expect(portsOf('npx harness run --target browser+http://127.0.0.1:9400')).toEqual([9400]);
    expect(portsOf('npx harness fuzz --target emulated-android --against adapter-android')).toEqual([9400]);
    expect(portsOf('npx harness serve profiles')).toEqual([9401]);
    expect(portsOf('npx harness report --open --port 9402')).toEqual([9402]);
    expect(portsOf('npx harness report --open')).toEqual([]);
  });

  it('lets a command run to its end unless it runs long by design', () => {
    const budget = (text: string, output: string[] = [], expectedExit = 0) => budgetOf({ text, output, expectedExit });
    // A later command may read what these write.
    expect(budget('npx harness ics --target swivel-reference --output reports/swivel.ics.json')).toBe(60_000);
    expect(budget('npx harness run --target emulated-android --tier smoke --shard 1/2 --output reports/shard-1')).toBe(
      60_000,
    );
    expect(budget('npx harness run --grep om:ll-username-10 --update-expectations')).toBe(60_000);
    // What the page promises is checked on a command that ends.
    expect(budget('npx harness fuzz --target emulated-android-defective --time 10s   # exit 1', [], 1)).toBe(60_000);
    expect(budget('npx harness run', ['...'])).toBe(60_000);
    // Long by design: shown to start, then ended.
    expect(budget('npx harness run                                   # the whole plan')).toBe(20_000);
    expect(budget('node bin/harness.js run')).toBe(20_000);
    expect(budget('npx harness run --target browser+http://127.0.0.1:9400')).toBe(20_000);
    expect(budget('npx harness fuzz --time 30s')).toBe(10_000);
    expect(budget('npx harness report --open --port 9402')).toBe(10_000);
  });

  it('a port lock waits for the page that holds it, and takes one whose holder died', async () => {
    // Ports no page uses, so the pages running beside this file never wait on them.
    const first = await lockPorts([1, 2], 'first');
    let second = false;
    const waiting = lockPorts([2], 'second').then((release) => {
      second = true;
      return release;
    });
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(second).toBe(false);
    first();
    (await waiting)();
    expect(second).toBe(true);
    mkdirSync(LOCK_DIR, { recursive: true });
    writeFileSync(path.join(LOCK_DIR, '3.lock'), '2147483646 a test process that died');
    (await lockPorts([3], 'third'))();
  });
});

runPages('docs');
