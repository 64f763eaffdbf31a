/**
 * Profile lookup: every catalog ID on each platform, with the PIN right / wrong / wrong letter case /
 * omitted / empty and test=Y / test=N, activating a fresh client. The expectation follows
 * docs/profile-service.md, restated here independently of the suite's model and of the profile service.
 */
import type { Catalog, CatalogProfile, Mode, Platform } from '../../../protocols/openmobile/types.ts';
import type { Vector } from '../types.ts';
import {
  type BuildOptions,
  generatedId,
  type PlatformExpectation,
  queryOf,
  splitByPlatform,
  toExpectedState,
} from './common.ts';

export const SOURCE = 'builder:lookup';

export interface Selection {
  profile: CatalogProfile | null;
  /** True when the Profile Finder was consulted (the ID exists only for another platform in that mode). */
  finder: boolean;
}

/** docs/profile-service.md, "Lookup", steps 1 to 5. */
export function selectProfile(
  catalog: Catalog,
  pid: string,
  platform: Platform,
  mode: Mode,
  pin: string | undefined,
): Selection {
  if (!/^[0-9]+$/.test(pid)) return { profile: null, finder: false };
  const candidates = catalog.profiles.filter((p) => String(p.id) === pid && p.mode === mode);
  const own = candidates.find((p) => p.platform === platform);
  const pinGiven = pin !== undefined && pin !== '';
  if (own !== undefined) {
    if (own.pin === null) return { profile: pinGiven ? null : own, finder: false };
    return { profile: pin === own.pin ? own : null, finder: false };
  }
  const other = candidates[0];
  if (other === undefined) return { profile: null, finder: false };
  const favorite = catalog.profiles.find(
    (p) => p.favorite && p.company === other.company && p.platform === platform && p.mode === mode,
  );
  return { profile: favorite ?? null, finder: true };
}

interface PinVariant {
  key: string;
  text: string;
  pin: string | undefined;
}

function swapCase(value: string): string {
  return [...value].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('');
}

function pinVariants(catalog: Catalog, id: number): PinVariant[] {
  const pins = [...new Set(catalog.profiles.filter((p) => p.id === id && p.pin !== null).map((p) => p.pin!))].sort();
  const variants: PinVariant[] = [
    { key: 'OMITTED', text: 'PIN omitted', pin: undefined },
    { key: 'EMPTY', text: 'empty PIN', pin: '' },
    { key: 'WRONG', text: 'a wrong PIN', pin: 'wrong9' },
  ];
  const right = pins[0];
  if (right !== undefined) {
    variants.push({ key: 'RIGHT', text: 'the right PIN', pin: right });
    const swapped = swapCase(right);
    if (swapped !== right) variants.push({ key: 'CASE', text: 'the right PIN in another letter case', pin: swapped });
  }
  return variants;
}

/** What a fresh client holds after activating `profile`: only the soft-configured settings. */
function activated(profile: CatalogProfile, platform: Platform): PlatformExpectation {
  const firstDomain = profile.domains.options[0] ?? null;
  const requirements = ['OM-CODE-0-SUCCESS', 'OM-ACT-ACTIVATE'];
  if (firstDomain !== null) requirements.push('OM-SOFT-DOMAIN-DEFAULT');
  requirements.push(platform === 'ios' ? 'OM-SOFT-AUTOLOGIN-IOS-INITIAL' : 'OM-SOFT-AUTOLOGIN-ANDROID-INITIAL');
  return {
    then: {
      handled: true,
      result: [0],
      state: toExpectedState(profile, {
        username: null,
        password: null,
        domain: firstDomain,
        prefix: null,
        // iOS: Y when the profile lets the user control it; Android: N on the initial activation.
        autologin: platform === 'ios' ? profile.autologin.userControl : false,
      }),
    },
    requirements,
  };
}

export function buildLookupVectors(options: BuildOptions): Vector[] {
  const { catalog } = options;
  const ids = [...new Set(catalog.profiles.map((p) => p.id))].sort((a, b) => a - b);
  const vectors: Vector[] = [];
  for (const id of ids) {
    const pid = String(id);
    for (const variant of pinVariants(catalog, id)) {
      for (const test of ['N', 'Y'] as const) {
        const mode: Mode = test === 'Y' ? 'test' : 'production';
        const outcomes = new Map<Platform, Selection>();
        const expect = (platform: Platform): PlatformExpectation => {
          const selection = selectProfile(catalog, pid, platform, mode, variant.pin);
          outcomes.set(platform, selection);
          const common = [
            'OM-PARAM-PIN',
            'OM-PARAM-TEST-MODE',
            ...(selection.finder ? ['OM-LOOKUP-PROFILE-FINDER'] : []),
          ];
          if (selection.profile === null) {
            return {
              then: { handled: true, result: [33], state: 'unchanged' },
              requirements: ['OM-ATOMIC', 'OM-CODE-33-NO-PROFILE', ...common],
            };
          }
          const success = activated(selection.profile, platform);
          return { then: success.then, requirements: [...success.requirements, ...common] };
        };
        const built = splitByPlatform(
          {
            id: generatedId(`LOOKUP-${pid}-PIN${variant.key}-TEST${test}`),
            title: `Profile lookup: pid ${pid} with ${variant.text}, test=${test}`,
            area: 'lookup',
            requirements: [],
            source: SOURCE,
            when: { query: queryOf({ pid, pin: variant.pin, test }) },
          },
          expect,
        );
        // Titles say what the reader should see happen, per platform.
        for (const vector of built) {
          const platform: Platform = vector.platforms?.[0] ?? 'ios';
          const selection = outcomes.get(platform);
          const profile = selection?.profile ?? null;
          const what =
            profile === null
              ? 'selects nothing (33)'
              : selection?.finder === true
                ? `Profile Finder selects favorite ${profile.id}`
                : `selects profile ${profile.id} (${profile.mode})`;
          vector.title = `${vector.title}: ${what}`;
        }
        vectors.push(...built);
      }
    }
  }
  return vectors;
}
