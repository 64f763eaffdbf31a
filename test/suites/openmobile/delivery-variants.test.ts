/**
 * Result delivery the specification leaves open (docs/spec/verdict-audit.md, VA-OM-NOTIFICATION and
 * VA-OM-FOREGROUND): a client that posts a notification outside silent mode, or that shows the Android URL
 * method's dialog without coming to the foreground, breaks no sentence and must pass. What the text does
 * require (the dialog, and silent mode's notification) is still judged.
 */
import { describe, expect, it } from 'vitest';
import type { ProvisionRequest } from '../../../protocols/openmobile/types.ts';
import { runInProcess } from '../../e2e/helpers.ts';
import { alteringAnswers } from './wrapped-client.ts';

const silent = (request: ProvisionRequest) => /[?&]silentmode=Y(&|$)/.test(request.url);

/** Posts a notification whatever the mode; on the Android URL method without silentmode=Y, stays in the background. */
const notifyingBackgroundClient = alteringAnswers((observed, request) => ({
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
      const drivers = alteringAnswers((observed, request) =>
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
