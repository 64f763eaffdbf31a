/**
 * The virtual device's latency profiles (issue 17): the waits are real, on the Appium server's side, and
 * they change nothing but the time: the same commands are sent and every case gets the same verdict. A
 * wrong latency option is a configuration error (exit 2) naming the field and the nearest valid name.
 */
import { describe, expect, it } from 'vitest';
import { useLocalAppium } from './local-appium.ts';
import { LATENCY_PROFILES } from '../../drivers/appium/latency.ts';
import { BENCH_KEY, runProfiled, waitByKind } from '../../bench/latency.ts';
import { KEY, repoPaths, runCli, tempProject } from './helpers.ts';

const GREP = ['om:rc-1'];
const SCALE = 0.05;

describe('a scaled latency profile on the virtual device', () => {
  const appium = useLocalAppium({ HARNESS_OBFUSCATION_KEY: BENCH_KEY });

  it(
    'slows every command by its figure, and changes neither the commands nor the verdicts',
    { timeout: 240_000 },
    async () => {
      const base = { appium: appium.url, platform: 'android' as const, devices: 1, grep: GREP };
      const instant = await runProfiled({ ...base, latency: undefined });
      const slow = await runProfiled({ ...base, latency: 'usb-android', latencyScale: SCALE });
      expect(slow.cases).toBe(instant.cases);
      expect(slow.cases).toBeGreaterThan(10);
      expect(slow.counts).toEqual(instant.counts);
      expect(slow.counts.reset).toBeGreaterThan(0);
      expect(slow.counts.deepLink).toBeGreaterThan(0);
      const verdicts = (r: typeof slow) => r.results.map((c) => `${c.id} ${c.verdict}`).sort();
      expect(verdicts(slow)).toEqual(verdicts(instant));
      // One device: its waits add up. Each wait is at least (1 - jitter) of its figure, scaled; the bound is
      // looser still (0.8 of that), and a busy machine only makes the run longer.
      const wait = waitByKind(slow.counts, LATENCY_PROFILES['usb-android']);
      const total = wait.command + wait.deepLink + wait.reset + wait.pageSource + wait.script;
      const lower = total * SCALE * (1 - LATENCY_PROFILES['usb-android'].jitter) * 0.8;
      expect(slow.wallMs).toBeGreaterThan(lower);
      expect(lower).toBeGreaterThan(1000);
    },
  );
});

describe('a wrong latency option', () => {
  it('stops the run with exit 2, naming the field and the nearest name', async () => {
    const dir = tempProject(
      `export default { ${repoPaths()} obfuscation: { key: '${KEY}' }, targets: [{ name: 'v', driver: 'appium', options: { platform: 'android', devices: [{ udid: 'v1' }], capabilities: { 'appium:automationName': 'HarnessVirtual' }, latency: { perCommand: 100, deepLink: 1000, reset: 3000, pageSource: 200, jiter: 0.2 } } }] };\n`,
    );
    const run = await runCli(['run'], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('HARNESS_CONFIG_INVALID');
    expect(run.stderr).toContain(
      'targets[0].options.latency.jiter: target "v" (appium driver): unknown option "jiter": did you mean "jitter"?',
    );
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
