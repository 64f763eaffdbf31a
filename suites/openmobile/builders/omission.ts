/**
 * Omission: each setting omitted / empty / set, on a fresh client (activation), on an activated client
 * by reconfiguration (no pid), and by reactivation of the same profile. Omitted keeps the saved value,
 * empty erases it, and the soft rules then fire (domain default, auto-login per platform); a password set
 * on a fresh activation without username is 23.
 */
import type { Catalog, CatalogProfile, Platform } from '../../../protocols/openmobile/types.ts';
import type { Vector } from '../types.ts';
import { type BuildOptions, generatedId, queryOf, sharedProfiles, splitByPlatform } from './common.ts';
import { expectProvision, expectSetup, FRESH, fullSetup, outcomeOf, type SettingsRequest } from './rules.ts';

export const SOURCE = 'builder:omission';

type Setting = 'username' | 'password' | 'domain' | 'prefix' | 'autologin';

interface Group {
  setting: Setting;
  profile: CatalogProfile;
  /** Why this profile makes the cells meaningful (for titles). */
  about: string;
  /** Values for the `set` cells (the first is `SET`, then `SET2`, ...). */
  values: string[];
}

/** Picks the profiles that make each cell meaningful from the catalog, by trait. */
function groups(catalog: Catalog): Group[] {
  const shared = sharedProfiles(catalog);
  // Editable domains with options and fixed prefix options (20001 in the shipped catalog).
  const rich = shared.find(
    (p) =>
      p.domains.editable &&
      p.domains.options.length >= 2 &&
      p.prefixes !== null &&
      !p.prefixes.editable &&
      p.prefixes.options.length >= 2 &&
      p.savePassword &&
      p.autologin.userControl,
  );
  // No domain option, free prefix (20003).
  const free = shared.find(
    (p) => p.domains.editable && p.domains.options.length === 0 && p.prefixes !== null && p.prefixes.editable,
  );
  // No prefix option (9945).
  const noPrefix = shared.find((p) => p.prefixes === null && p.savePassword && p.autologin.userControl);

  const result: Group[] = [];
  if (rich !== undefined) {
    const about = `profile ${rich.id} (editable domains, fixed prefixes)`;
    const secondDomain = rich.domains.options[1]!;
    const lastPrefix = rich.prefixes!.options[rich.prefixes!.options.length - 1]!;
    result.push(
      { setting: 'username', profile: rich, about, values: ['bob'] },
      { setting: 'password', profile: rich, about, values: ['NewPass9'] },
      { setting: 'domain', profile: rich, about, values: [secondDomain, 'other.example'] },
      { setting: 'prefix', profile: rich, about, values: [lastPrefix, 'BAD/'] },
      { setting: 'autologin', profile: rich, about, values: ['Y', 'N'] },
    );
  }
  if (free !== undefined) {
    const about = `profile ${free.id} (no domain option, free prefix)`;
    result.push(
      { setting: 'domain', profile: free, about, values: ['corp2.example'] },
      { setting: 'prefix', profile: free, about, values: ['NEW/'] },
    );
  }
  if (noPrefix !== undefined) {
    result.push({
      setting: 'prefix',
      profile: noPrefix,
      about: `profile ${noPrefix.id} (no prefix option)`,
      values: ['NEW/'],
    });
  }
  return result;
}

type Client = 'FRESH' | 'RECONFIGURE' | 'REACTIVATE';

const CLIENT_TEXT: Record<Client, string> = {
  FRESH: 'activation of a fresh client',
  RECONFIGURE: 'reconfiguration (no pid) of an activated client',
  REACTIVATE: 'reactivation of the same profile',
};

function cellText(setting: Setting, value: string | undefined): string {
  if (value === undefined) return `${setting} omitted`;
  if (value === '') return `${setting} empty`;
  return setting === 'password' ? 'password set' : `${setting}=${value}`;
}

function cellRequirements(setting: Setting, client: Client, value: string | undefined): string[] {
  if (value === undefined) return client === 'FRESH' ? [] : ['OM-OMIT-KEEP'];
  // An empty autologin is not an erasure but an invalid boolean (11).
  if (value === '') return setting === 'autologin' ? ['OM-PARAM-BOOL'] : ['OM-OMIT-EMPTY-ERASES'];
  return [];
}

export function buildOmissionVectors(options: BuildOptions): Vector[] {
  const { catalog } = options;
  const vectors: Vector[] = [];
  for (const group of groups(catalog)) {
    const setup = fullSetup(group.profile);
    const pid = String(group.profile.id);
    const cells: { name: string; value: string | undefined }[] = [
      { name: 'OMITTED', value: undefined },
      { name: 'EMPTY', value: '' },
      ...group.values.map((value, index) => ({ name: index === 0 ? 'SET' : `SET${index + 1}`, value })),
    ];
    for (const client of ['FRESH', 'RECONFIGURE', 'REACTIVATE'] as const) {
      for (const cell of cells) {
        const request: SettingsRequest = { [group.setting]: cell.value };
        let anchor = '';
        if (client !== 'RECONFIGURE') request.pid = pid;
        else if (cell.value === undefined) {
          // A reconfiguration with nothing in it would be an empty query, whose handling the seed does not
          // describe; resend a saved setting unchanged instead, so only the omission is under test.
          const other = group.setting === 'username' ? 'domain' : 'username';
          request[other] = setup[other];
          anchor = ` (${other} resent unchanged)`;
        }
        const given = client === 'FRESH' ? [] : [queryOf(setup)];
        const expect = (platform: Platform) => {
          const start = client === 'FRESH' ? FRESH : expectSetup(catalog, platform, [setup]);
          return outcomeOf(expectProvision(catalog, platform, start, request));
        };
        const base = client === 'FRESH' ? '' : ' after a full configuration';
        vectors.push(
          ...splitByPlatform(
            {
              id: generatedId(`OMISSION-${group.setting.toUpperCase()}-${pid}-${client}-${cell.name}`),
              title: `Omission: ${cellText(group.setting, cell.value)}${anchor}, ${CLIENT_TEXT[client]}${base}, ${group.about}`,
              area: 'omission',
              requirements: cellRequirements(group.setting, client, cell.value),
              source: SOURCE,
              given,
              when: { query: queryOf({ ...request }) },
            },
            expect,
          ),
        );
      }
    }
  }
  return vectors;
}
