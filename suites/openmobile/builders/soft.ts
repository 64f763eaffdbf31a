/**
 * Soft configuration across the catalog: activation of each shared profile (bare and one-shot), and
 * reactivation from each to each (from a bare activation, from a full configuration, and from a full
 * configuration while resetting domain and prefix). The expected state comes from the builders' own soft
 * rules and validation (rules.ts): domain default, password and prefix removal, auto-login per platform,
 * and 20/21 when saved settings do not fit the new profile.
 */
import type { CatalogProfile, Platform } from '../../../protocols/openmobile/types.ts';
import type { Vector } from '../types.ts';
import { type BuildOptions, generatedId, queryOf, sharedProfiles, splitByPlatform } from './common.ts';
import { expectProvision, expectSetup, fullSetup, outcomeOf, type SettingsRequest } from './rules.ts';

export const SOURCE = 'builder:soft';

/** What a reader needs to know of a profile to follow a soft-configuration title. */
export function profileTraits(profile: CatalogProfile): string {
  const domains =
    profile.domains.options.length === 0
      ? 'no domain option'
      : `${profile.domains.editable ? 'editable' : 'fixed'} domain ${profile.domains.options.join('|')}`;
  const prefixes =
    profile.prefixes === null
      ? 'no prefix option'
      : profile.prefixes.options.length === 0
        ? 'free prefix'
        : `${profile.prefixes.editable ? 'editable' : 'fixed'} prefix ${profile.prefixes.options.join('|')}`;
  return [
    domains,
    prefixes,
    profile.savePassword ? 'saves passwords' : 'forbids saved passwords',
    profile.autologin.userControl ? 'user controls auto-login' : 'forbids user control of auto-login',
  ].join(', ');
}

export function buildSoftVectors(options: BuildOptions): Vector[] {
  const { catalog } = options;
  const profiles = sharedProfiles(catalog);
  const vectors: Vector[] = [];

  const push = (
    id: string,
    title: string,
    setup: SettingsRequest[],
    request: SettingsRequest,
    requirements: string[],
  ): void => {
    const expect = (platform: Platform) =>
      outcomeOf(expectProvision(catalog, platform, expectSetup(catalog, platform, setup), request));
    vectors.push(
      ...splitByPlatform(
        {
          id,
          title,
          area: 'soft-configuration',
          requirements,
          source: SOURCE,
          given: setup.map((step) => queryOf(step)),
          when: { query: queryOf(request) },
        },
        expect,
      ),
    );
  };

  for (const target of profiles) {
    const pid = String(target.id);
    push(
      generatedId(`SOFT-ACTIVATE-${pid}-BARE`),
      `Soft configuration: bare activation of profile ${pid} (${profileTraits(target)}) on a fresh client`,
      [],
      { pid },
      ['OM-ACT-ACTIVATE'],
    );
    push(
      generatedId(`SOFT-ACTIVATE-${pid}-FULL`),
      `Soft configuration: one-shot activation of profile ${pid} with a full configuration on a fresh client`,
      [],
      fullSetup(target),
      ['OM-ACT-ACTIVATE'],
    );
  }

  for (const from of profiles) {
    const fromPid = String(from.id);
    for (const to of profiles) {
      const toPid = String(to.id);
      const traits = `profile ${toPid} (${profileTraits(to)})`;
      push(
        generatedId(`SOFT-REACTIVATE-${fromPid}-BARE-TO-${toPid}`),
        `Soft configuration: reactivation to ${traits} after a bare activation of ${fromPid}`,
        [{ pid: fromPid }],
        { pid: toPid },
        ['OM-REACT-KEEPS-SETTINGS'],
      );
      push(
        generatedId(`SOFT-REACTIVATE-${fromPid}-FULL-TO-${toPid}`),
        `Soft configuration: reactivation to ${traits} after a full configuration on ${fromPid}`,
        [fullSetup(from)],
        { pid: toPid },
        ['OM-REACT-KEEPS-SETTINGS'],
      );
      push(
        generatedId(`SOFT-REACTIVATE-${fromPid}-FULL-TO-${toPid}-RESET`),
        `Soft configuration: reactivation to ${traits} with domain= and prefix= after a full configuration on ${fromPid}`,
        [fullSetup(from)],
        { pid: toPid, domain: '', prefix: '' },
        ['OM-REACT-KEEPS-SETTINGS', 'OM-OMIT-EMPTY-ERASES'],
      );
    }
  }
  return vectors;
}
