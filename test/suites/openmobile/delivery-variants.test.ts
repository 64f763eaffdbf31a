/**
 * Result delivery the specification leaves open (docs/spec/verdict-audit.md, VA-OM-NOTIFICATION and
 * VA-OM-FOREGROUND): a client that posts a notification outside silent mode, or that shows the Android URL
 * method's dialog without coming to the foreground, breaks no sentence and must pass. What the text does
 * require (the dialog, and silent mode's notification) is still judged.
 */
import { describe, expect, it } from 'vitest';
import { DRIVERS } from '../../../src/cli/builtins.ts';
import type { DriverFactory } from '../../../src/core/driver.ts';
import type { ClientDriver, ClientSession } from '../../../protocols/openmobile/types.ts';
import type { ProvisionObservation, ProvisionRequest } from '../../../protocols/openmobile/types.ts';
import { runInProcess } from '../../e2e/helpers.ts';

type Alter = (observed: ProvisionObservation, request: ProvisionRequest) => ProvisionObservation;

/** The emulated driver, with every handled answer of its sessions passed through `alter`. */
function variant(alter: Alter): Readonly<Record<string, DriverFactory>> {
  const emulated: DriverFactory = async (options, context) => {
    const inner = (await DRIVERS.emulated(options, context)) as ClientDriver;
    const driver: ClientDriver = {
      maxSessions: inner.maxSessions,
      info: () => inner.info(),
      stop: () => inner.stop(),
      async openSession(): Promise<ClientSession> {
        const session = await inner.openSession();
        return {
          reset: (url, signal) => session.reset(url, signal),
          state: (signal) => session.state(signal),
          logs: (signal) => session.logs(signal),
          network: (online, signal) => session.network(online, signal),
          close: () => session.close(),
          async provision(request, signal) {
            const observed = await session.provision(request, signal);
            return observed.handled ? alter(observed, request) : observed;
          },
        };
      },
    };
    return driver;
  };
  return { ...DRIVERS, emulated };
}

const silent = (request: ProvisionRequest) => /[?&]silentmode=Y(&|$)/.test(request.url);

/** Posts a notification whatever the mode; on the Android URL method without silentmode=Y, stays in the background. */
const notifyingBackgroundClient = variant((observed, request) => ({
  ...observed,
  notification: observed.notification ?? `provisioning ${observed.dialog ?? 'finished'}`,
  foreground:
    request.url.startsWith('clientx://') && request.method === 'url' && !silent(request) ? false : observed.foreground,
}));

describe('delivery the text leaves open', () => {
  it(
    'a notification outside silent mode and no foreground on the Android URL method pass',
    { timeout: 120_000 },
    async () => {
      const { outcome, results } = await runInProcess(
        {},
        { target: ['emulated-ios', 'emulated-android'] },
        notifyingBackgroundClient,
      );
      const bad = results
        .filter((r) => r.verdict === 'fail' || r.verdict === 'broken')
        .map((r) => `${r.id} ${r.message ?? ''}`);
      expect(bad).toEqual([]);
      expect(results.length).toBeGreaterThan(1000);
      expect(outcome.exitCode).toBe(0);
    },
  );

  it(
    'still fails an Android URL method that shows no dialog, and silent mode without a notification',
    { timeout: 120_000 },
    async () => {
      const drivers = variant((observed, request) =>
        request.method === 'url' && request.url.startsWith('clientx://')
          ? silent(request)
            ? { ...observed, notification: null }
            : { ...observed, dialog: null }
          : observed,
      );
      const { results } = await runInProcess({}, { target: ['emulated-android'], grep: ['om:sm-', 'om:rd-'] }, drivers);
      const failedOn = (requirement: string) =>
        results.some((r) => r.verdict === 'fail' && r.requirements.includes(requirement));
      expect(failedOn('OM-DELIVER-URL-DIALOG')).toBe(true);
      expect(failedOn('OM-SILENT-ANDROID')).toBe(true);
    },
  );
});
