/**
 * A failure the fuzzer keeps is filed under the implementation, not its address: found on an adapter given
 * as a URL (a random port), it is named by the adapter's `/v1/info` name, replays on the same
 * implementation at another port, and a second find at another port is the same file. On stop the fuzzer
 * says where the failures went and that they are meant to be committed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startExampleAdapter, type RunningExampleAdapter } from '../../drivers/http/adapter-example.ts';
import { KEY, repoPaths, runCli, tempProject } from './helpers.ts';

const running: RunningExampleAdapter[] = [];
afterAll(async () => {
  await Promise.all(running.map((a) => a.close()));
});

async function adapter(defects: string[]): Promise<string> {
  const started = await startExampleAdapter({ platform: 'android', obfuscationKey: KEY, defects });
  running.push(started);
  return started.url;
}

describe('kept failures are keyed by implementation, not address', () => {
  it(
    'names the file by /v1/info, replays it at another port, and finds it again as the same file',
    { timeout: 180_000 },
    async () => {
      // No configured target is named like the adapter's implementation ("emulated-android").
      const dir = tempProject(
        `export default { ${repoPaths()} obfuscation: { key: '${KEY}' },\n  targets: [{ name: 'lab-ios', driver: 'emulated', options: { platform: 'ios' } }] };\n`,
      );
      const first = await adapter(['missed-soft-domain-default']);
      const fuzz = (url: string) =>
        runCli(['fuzz', '--target', url, '--property', 'sequences', '--runs', '2000', '--seed', '7'], dir);

      const found = await fuzz(first);
      expect(found.code, found.stderr).toBe(1);
      const port = new URL(first).port;
      const files = readdirSync(path.join(dir, 'vectors/regressions'));
      // The adapter says it is "emulated-android" (GET /v1/info): no address, no port in the name.
      expect(files).toEqual(['om-reg-emulated-android-sequences-7.json']);
      expect(found.stdout).not.toContain(`-${port}-`);
      const kept = JSON.parse(readFileSync(path.join(dir, 'vectors/regressions', files[0] as string), 'utf8')) as {
        vectors: { id: string; origin: { target: string; address?: string } }[];
      };
      expect(kept.vectors[0]?.id).toBe('om:reg-emulated-android-sequences-7');
      expect(kept.vectors[0]?.origin).toMatchObject({ target: 'emulated-android', address: first });
      // The printed replay names the address, so it runs as printed.
      expect(found.stdout).toContain(
        `replay: npx harness replay vectors/regressions/om-reg-emulated-android-sequences-7.json --target ${first}`,
      );
      expect(found.stdout).toMatch(
        /^kept 1 failure\(s\) in vectors\/regressions\/, named by target \(not by address\): they are meant to be committed beside your config; every later `npx harness run` runs them first, on every target of their suite$/m,
      );

      // The same implementation at another address: the failure replays there.
      const second = await adapter(['missed-soft-domain-default']);
      const file = 'vectors/regressions/om-reg-emulated-android-sequences-7.json';
      const again = await runCli(['replay', file, '--target', second], dir);
      expect(again.stdout).toMatch(/^STILL FAILING +om:reg-emulated-android-sequences-7@android-\w+ on http/m);
      expect(again.code).toBe(1);
      // Fixed there: FIXED.
      const fixed = await adapter([]);
      const ok = await runCli(['replay', file, '--target', fixed], dir);
      expect(ok.stdout).toMatch(/^FIXED +om:reg-emulated-android-sequences-7@android-\w+ on http/m);
      expect(ok.code).toBe(0);
      // Without --target, the message says which address to give.
      const bare = await runCli(['replay', file], dir);
      expect(bare.code).toBe(2);
      expect(bare.stderr).toContain(`was found on "emulated-android" (then at ${first})`);
      expect(bare.stderr).toContain(`npx harness replay ${file} --target ${first}`);

      // Found again at the other port: the same file, not a second one.
      const refound = await fuzz(second);
      expect(refound.code).toBe(1);
      expect(readdirSync(path.join(dir, 'vectors/regressions'))).toEqual(files);
    },
  );
});
