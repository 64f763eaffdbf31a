/**
 * An AppiumBrowser that records every command and hands it to a VirtualDeviceDriver in this process (no
 * HTTP), so tests pin the exact commands the harness sends and see the virtual phone answer them.
 */
import { log as appiumLog } from '@appium/logger';
import type { AppiumBrowser } from '../../../drivers/appium/commands.ts';
import { VirtualDeviceDriver } from '../../../drivers/appium/virtual-device/driver.ts';

// Appium's debug chatter about each command is not what these tests look at.
appiumLog.level = 'error';

export interface Recorded {
  command: string;
  args: unknown[];
}

export interface RecordingBrowser extends AppiumBrowser {
  calls: Recorded[];
  driver: VirtualDeviceDriver;
  /** Makes the next `count` commands fail as a dropped Appium session does. */
  loseSession(count?: number): void;
}

export async function virtualBrowser(capabilities: Record<string, unknown>): Promise<RecordingBrowser> {
  const driver = new VirtualDeviceDriver({} as ConstructorParameters<typeof VirtualDeviceDriver>[0]);
  // What the server answers at session creation (WebdriverIO's `browser.capabilities`).
  const [, answered] = (await driver.createSession({ alwaysMatch: capabilities as never, firstMatch: [{}] })) as [
    string,
    unknown,
  ];
  const calls: Recorded[] = [];
  let lost = 0;
  const run = async (command: string, ...args: unknown[]): Promise<unknown> => {
    calls.push({ command, args });
    if (lost > 0) {
      lost--;
      throw new Error('invalid session id: A session is either terminated or not started');
    }
    return await driver.executeCommand(command, ...args);
  };
  return {
    calls,
    driver,
    capabilities: answered,
    loseSession(count = 1) {
      lost = count;
    },
    execute: (script, ...args) => run('execute', script, args),
    getPageSource: () => run('getPageSource') as Promise<string>,
    takeScreenshot: () => run('getScreenshot') as Promise<string>,
    getLogs: (type) => run('getLog', type) as Promise<object[]>,
    acceptAlert: () => run('postAcceptAlert'),
    findElement: (using, value) => run('findElement', using, value),
    elementClick: (id) => run('click', id),
    deleteSession: () => run('deleteSession'),
    executeDriverScript: (script, type, timeout) => run('executeDriverScript', script, type, timeout),
  };
}

/** The `mobile:` commands among the calls, as [script, args]. */
export function mobileCalls(calls: Recorded[]): [string, unknown][] {
  return calls.filter((c) => c.command === 'execute').map((c) => [c.args[0] as string, (c.args[1] as unknown[])[0]]);
}
