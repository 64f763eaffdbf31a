/**
 * Profile servers that behave otherwise than the reference where the sources permit it (the portal's
 * variants: drivers/emulated/openmobile-profiles/portal.ts). Each must get no `fail` and no `broken` from
 * the fixed vectors or the fuzz properties, and the case that shows the variant says what it chose:
 * informational for a choice, non-strict for a broken SHOULD. The reference and its seeded defects keep
 * their verdicts (reference.test.ts).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProfileService } from '../../../protocols/openmobile/types.ts';
import type { CaseResult } from '../../../src/core/results.ts';
import type { BaseTargetInfo } from '../../../src/core/types.ts';
import { startProfileService } from '../../../drivers/emulated/profile-service.ts';
import type { PortalVariant } from '../../../drivers/emulated/openmobile-profiles/portal.ts';
import { profileServiceSession } from '../../../drivers/http/openmobile-profiles.ts';
import { profilesProperty, type ProfilesPropertyId } from '../../../suites/openmobile-profiles/fuzz.ts';
import type { OpenMobileProfilesSuite } from '../../../suites/openmobile-profiles/index.ts';
import { caseEnv, loadedSuite } from './support.ts';

const INFO: BaseTargetInfo = { name: 'variant', version: 'test', capabilities: ['admin', 'create'] };

let suite: OpenMobileProfilesSuite;
beforeAll(async () => {
  suite = await loadedSuite();
});

async function withVariant<T>(variants: PortalVariant[], work: (baseUrl: string) => Promise<T>): Promise<T> {
  const service: ProfileService = await startProfileService({ profiles: [] }, { admin: true, variants });
  const scope = service.scope();
  try {
    return await work(scope.url);
  } finally {
    scope.close();
    await service.close();
  }
}

async function runAll(variants: PortalVariant[]): Promise<Map<string, CaseResult>> {
  return withVariant(variants, async (url) => {
    const session = profileServiceSession(url, 10_000);
    const plan = suite.plan(INFO, { name: 'variant', precedence: null });
    const results = new Map<string, CaseResult>();
    try {
      for (const c of plan.cases) results.set(c.id, await plan.run(c, caseEnv(session, INFO)));
    } finally {
      await session.close();
    }
    return results;
  });
}

function noFailure(results: Map<string, CaseResult>): string[] {
  return [...results.values()]
    .filter((r) => r.verdict === 'fail' || r.verdict === 'broken')
    .map((r) => `${r.id}: ${r.verdict} ${r.message}`);
}

describe('conformant profile servers other than the reference', () => {
  it('a server that names the first of two favorites passes', async () => {
    const results = await runAll(['names-first-favorite']);
    expect(noFailure(results)).toEqual([]);
    const second = results.get('omp:favorite-second-one');
    expect(second?.verdict).toBe('pass');
  });

  it('a server that names the field favorite for a favorite with a PIN passes', async () => {
    const results = await runAll(['favorite-pin-names-favorite']);
    expect(noFailure(results)).toEqual([]);
    expect(results.get('omp:favorite-with-pin-put')?.verdict).toBe('pass');
    expect(results.get('omp:favorite-add-pin-patch')?.verdict).toBe('pass');
  });

  it('a server that lets publication go back to draft is non-strict (a SHOULD), never failed', async () => {
    const results = await runAll(['publication-reversible']);
    expect(noFailure(results)).toEqual([]);
    const back = results.get('omp:publish-back-rejected');
    expect(back?.verdict).toBe('non-strict');
    expect(back?.message).toMatch(/^OMP-PUBLISH-FORWARD: /);
    expect(back?.requirements).toContain('OMP-PUBLISH-FORWARD');
  });

  it('a server that keeps Windows profiles is informational, its choice recorded, and its Profile Finder judged', async () => {
    const results = await runAll(['other-platforms']);
    expect(noFailure(results)).toEqual([]);
    for (const id of ['omp:platform-windows-put', 'omp:platform-windows-create']) {
      const r = results.get(id);
      expect(r?.verdict, `${id}: ${r?.message}`).toBe('informational');
      expect(r?.choices).toEqual({ 'OMP-CHOICE-OTHER-PLATFORM': 'accepted' });
      // The Windows profile's ID was looked up on Android and iOS (the Profile Finder) after it was kept.
      expect(
        r?.steps.map((s) => s.name).filter((n) => /state probe: GET \/v1\/profiles\/(500|201)\?/.test(n)),
      ).toHaveLength(2);
    }
  });

  it('a server that answers 422 to a PATCH of no entry is informational', async () => {
    const results = await runAll(['patch-unmatched-422']);
    expect(noFailure(results)).toEqual([]);
    expect(results.get('omp:id-patch-unknown')?.verdict).toBe('informational');
    expect(results.get('omp:id-patch-unknown')?.choices).toEqual({ 'OMP-CHOICE-PATCH-UNMATCHED': '422' });
  });

  it.each([
    ['admin', ['publication-reversible', 'names-first-favorite', 'favorite-pin-names-favorite']],
    ['robustness', ['other-platforms', 'names-first-favorite', 'patch-unmatched-422']],
  ] as const)(
    'the %s fuzz property finds nothing on %j',
    async (id: ProfilesPropertyId, variants: readonly PortalVariant[]) => {
      const failure = await withVariant([...variants], async (url) => {
        const session = profileServiceSession(url, 10_000);
        const property = profilesProperty(id, session, { maxSteps: 4, create: true });
        let found: string | null = null;
        try {
          await fc.assert(
            fc.asyncProperty(property.arbitrary, async (value) => {
              const f = await property.check(value, new AbortController().signal);
              if (f !== null) found ??= `${f.message}\n${property.describe(value)}`;
              return f === null;
            }),
            { seed: 7, numRuns: 80, endOnFailure: true },
          );
        } catch {
          // the failure is in `found`
        } finally {
          await session.close();
        }
        return { found, informational: property.statistics?.().informational ?? [] };
      });
      expect(failure.found).toBeNull();
      // The run did meet the variant's behaviour (else it would prove nothing).
      expect(failure.informational.length).toBeGreaterThan(0);
    },
    60_000,
  );
});

afterAll(() => {});
