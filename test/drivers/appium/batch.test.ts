/**
 * The driver script of a batch (drivers/appium/batch.ts): it sends its commands in order, stops at an error
 * where asked, and accepts a dialog exactly where the harness's own page-source reading finds one.
 */
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import {
  batched,
  batchScript,
  batchSteps,
  isBatchRefused,
  sentCommands,
  type BatchStep,
} from '../../../drivers/appium/batch.ts';
import * as cmd from '../../../drivers/appium/commands.ts';
import { findFirst, parseSource, type Selector } from '../../../drivers/appium/page-source.ts';
import { ANDROID_DEFAULTS } from '../../../drivers/appium/options.ts';

/** Runs a batch script as a server would, against a driver whose answers the test gives. */
async function runScript(script: string, answers: Record<string, (...args: unknown[]) => unknown>) {
  const sent: string[] = [];
  const driver = new Proxy(
    {},
    {
      get:
        (_, method: string) =>
        async (...args: unknown[]) => {
          sent.push(method === 'execute' ? String(args[0]) : method);
          const answer = answers[method === 'execute' ? String(args[0]) : method];
          return answer === undefined ? null : answer(...args);
        },
    },
  );
  const result = (await vm.runInNewContext(`(async () => {${script}})();`, { driver })) as unknown[];
  return { sent, result };
}

const dialogs: Selector[] = [ANDROID_DEFAULTS.dialogs.failure, ANDROID_DEFAULTS.dialogs.success];
const tv = (attrs: string) => `<android.widget.TextView ${attrs} class="android.widget.TextView"/>`;
const SOURCES = [
  `<hierarchy>${tv('text="Oops!" package="p"')}</hierarchy>`,
  `<hierarchy>${tv("text='Success' package='p'")}</hierarchy>`,
  `<hierarchy>${tv('text="Oops!&#33;" package="p"')}</hierarchy>`,
  `<hierarchy><android.view.View text="Oops!" class="android.view.View"/></hierarchy>`,
  `<hierarchy>${tv('text="Succ&#x65;ss"')}</hierarchy>`,
  `<hierarchy>${tv('text="Oops"')}${tv('text="&lt;Success&gt;"')}</hierarchy>`,
  '<hierarchy/>',
];

describe('a batch driver script', () => {
  it('accepts the dialog exactly where the harness finds one in the page source', async () => {
    for (const xml of SOURCES) {
      const steps: BatchStep[] = [
        { call: batched((b) => b.getPageSource()), stopOnError: true },
        { call: batched((b) => b.acceptAlert()), ifShown: { source: 0, selectors: dialogs } },
      ];
      const { sent } = await runScript(batchScript(steps), { getPageSource: () => xml });
      const shown = dialogs.some((d) => findFirst(parseSource(xml), d) !== null);
      expect(sent.includes('acceptAlert'), xml).toBe(shown);
    }
    expect(SOURCES.filter((x) => dialogs.some((d) => findFirst(parseSource(x), d) !== null))).toHaveLength(3);
  });

  it('sends the commands of commands.ts in order and stops at an error where asked', async () => {
    const steps: BatchStep[] = [
      { call: batched((b) => cmd.androidPressHome(b)), stopOnError: true },
      { call: batched((b) => cmd.androidDeepLink(b, 'clientx://provision.com?a=1', 'pkg')), stopOnError: true },
      { call: batched((b) => cmd.readLog(b, 'logcat')), stopOnError: true },
    ];
    expect(steps[1]?.call).toEqual({
      method: 'execute',
      args: ['mobile: deepLink', { url: 'clientx://provision.com?a=1', package: 'pkg', waitForLaunch: true }],
    });
    const script = batchScript(steps);
    expect(batchSteps(script)).toEqual(steps);
    const ok = await runScript(script, { getLogs: () => [{ message: 'x' }] });
    expect(ok.sent).toEqual(['mobile: pressKey', 'mobile: deepLink', 'getLogs']);
    expect(ok.result).toEqual([{ value: null }, { value: null }, { value: [{ message: 'x' }] }]);
    const refused = await runScript(script, {
      'mobile: deepLink': () => {
        throw new Error('Activity not started, unable to resolve Intent');
      },
    });
    expect(refused.sent).toEqual(['mobile: pressKey', 'mobile: deepLink']);
    expect(refused.result).toEqual([
      { value: null },
      { error: 'Activity not started, unable to resolve Intent' },
      null,
    ]);
    expect(sentCommands(steps, refused.result as never).map((c) => c.args[0])).toEqual([
      'mobile: pressKey',
      'mobile: deepLink',
    ]);
  });

  it("tells a server's refusal from a failing command", () => {
    expect(
      isBatchRefused(
        new Error(
          "Execute driver script functionality is not available unless server is started with --allow-insecure including the 'execute_driver_script' flag",
        ),
      ),
    ).toBe(true);
    expect(isBatchRefused(new Error('unknown command: The requested resource could not be found'))).toBe(true);
    expect(isBatchRefused(new Error('An unknown server-side error occurred: Activity not started'))).toBe(false);
  });
});
