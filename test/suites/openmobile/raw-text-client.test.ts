/**
 * Issue 12: an Open Mobile client that keeps a value it cannot percent-decode exactly as written (`caf%E9`
 * stays `caf%E9`), as `removingPercentEncoding ?? value` or a caught `decodeURIComponent` do. The
 * specification is silent on such text, so the fixed plan and the fuzzer must pass it, knock-on effects
 * included (a length counted on the text as written; `resulturlscheme=harnessprobe%C3`, which is no URL
 * scheme), while still catching a seeded defect on the same client.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulatedDriver } from '../../../drivers/emulated/driver.ts';
import { startProfileService } from '../../../drivers/emulated/profile-service.ts';
import type { Catalog, Platform } from '../../../protocols/openmobile/types.ts';
import { fuzzProperty } from '../../../src/fuzz/run.ts';
import { openMobileProperty, type OpenMobilePropertyId } from '../../../suites/openmobile/fuzz.ts';
import { loadCatalog } from '../../../suites/openmobile/vectors.ts';
import { KEY, ROOT, runInProcess } from '../../e2e/helpers.ts';

const RAW = { 'OM-CHOICE-MALFORMED-ENCODING': 'raw' };

describe('a client that keeps undecodable text as written', () => {
  it('passes the default plan on both platforms, the raw choice recorded as informational', async () => {
    const { outcome, results } = await runInProcess({
      targets: [
        { name: 'raw-ios', driver: 'emulated', options: { platform: 'ios', choices: RAW } },
        { name: 'raw-android', driver: 'emulated', options: { platform: 'android', choices: RAW } },
      ],
      run: ['raw-ios', 'raw-android'],
    });
    const bad = results.filter((r) => r.verdict === 'fail' || r.verdict === 'broken');
    expect(bad.map((r) => `${r.target} ${r.id}: ${r.message}`)).toEqual([]);
    expect(outcome.exitCode).toBe(0);
    // The malformed-encoding vectors ran and revealed the pick; the run-level check found it made one way.
    const malformed = results.filter((r) => r.id.startsWith('om:pa-malformed-utf8'));
    expect(malformed.length).toBeGreaterThanOrEqual(2);
    for (const r of malformed) expect(r.choices['OM-CHOICE-MALFORMED-ENCODING']).toBe('raw');
    const consistency = results.filter((r) => r.id === 'om:run-choice-consistency');
    expect(consistency.map((r) => [r.target, r.verdict, r.choices['OM-CHOICE-MALFORMED-ENCODING']])).toEqual(
      expect.arrayContaining([
        ['raw-ios', 'pass', 'raw'],
        ['raw-android', 'pass', 'raw'],
      ]),
    );
  }, 300_000);

  it('still fails on a seeded defect', async () => {
    const { outcome, results } = await runInProcess({
      targets: [
        {
          name: 'raw-buggy',
          driver: 'emulated',
          options: { platform: 'ios', choices: RAW, defects: ['double-decoding'] },
        },
      ],
      run: ['raw-buggy'],
    });
    const failed = results.filter((r) => r.verdict === 'fail');
    expect(failed.map((r) => r.id)).toContain('om:pa-decode-once@ios-url');
    expect(results.filter((r) => r.verdict === 'broken')).toEqual([]);
    expect(outcome.exitCode).toBe(1);
  }, 300_000);

  describe('fuzzed with a fixed seed', () => {
    let catalog: Catalog;
    let service: Awaited<ReturnType<typeof startProfileService>>;
    beforeAll(async () => {
      catalog = await loadCatalog(path.join(ROOT, 'vectors/openmobile/profiles.json'), { rootDir: ROOT });
      service = await startProfileService(catalog);
    });
    afterAll(async () => {
      await service.close();
    });

    it.each(['ios', 'android'] as Platform[])(
      'finds nothing on the %s client',
      async (platform) => {
        const driver = await createEmulatedDriver({ platform, choices: RAW }, { rootDir: ROOT, obfuscationKey: KEY });
        const session = await driver.openSession();
        const scope = service.scope();
        try {
          const ctx = {
            name: `raw-${platform}`,
            session,
            scope,
            info: await driver.info(),
            catalog,
            obfuscationKey: KEY,
            declaredPrecedence: null,
          };
          for (const id of ['sequences', 'precedence'] as OpenMobilePropertyId[]) {
            const property = openMobileProperty(id, ctx, { concurrency: true, generatedCatalogs: true, maxSteps: 4 });
            const outcome = await fuzzProperty(property, { timeMs: 60_000, runs: 800, seed: 7 });
            expect(outcome.failures.map((f) => f.failure.message)).toEqual([]);
            expect(outcome.end).toEqual({ how: 'budget' });
            expect(outcome.runs).toBe(800);
          }
        } finally {
          await session.close();
          scope.close();
          await driver.stop();
        }
      },
      120_000,
    );
  });
});
