/**
 * The model's own profile lookup (docs/profile-service.md). Written independently of the emulated profile
 * service in drivers/, so the oracle does not share a bug with the thing it judges.
 */
import type { Catalog, CatalogProfile, Mode, Platform, Profile } from '../../protocols/openmobile/types.ts';

const DECIMAL = /^[0-9]+$/;

export interface LookupQuery {
  /** The `pid` exactly as the request carried it (decoded). */
  pid: string;
  platform: Platform;
  mode: Mode;
  /** The request's PIN; null or empty means none. */
  pin: string | null;
}

/** Why the lookup selected what it did, for `harness explain`. */
export type LookupHow = 'direct' | 'profile-finder' | 'none';

export interface LookupResult {
  profile: Profile | null;
  how: LookupHow;
  /** One sentence for the derivation. */
  reason: string;
}

// The same catalog entry always yields the same Profile object, so predictions stay cheap and states compare by value.
const stripped = new WeakMap<CatalogProfile, Profile>();

/** The profile as the service returns it: every field except pin, favorite and note. */
export function publicProfile(entry: CatalogProfile): Profile {
  let profile = stripped.get(entry);
  if (profile === undefined) {
    profile = {
      id: entry.id,
      company: entry.company,
      platform: entry.platform,
      mode: entry.mode,
      domains: entry.domains,
      prefixes: entry.prefixes,
      savePassword: entry.savePassword,
      autologin: entry.autologin,
    };
    stripped.set(entry, profile);
  }
  return profile;
}

/** Applies the lookup rules of docs/profile-service.md, explaining the outcome. */
export function lookupExplained(catalog: Catalog, query: LookupQuery): LookupResult {
  if (!DECIMAL.test(query.pid)) {
    return { profile: null, how: 'none', reason: `pid "${query.pid}" is not a decimal number: nothing is selected` };
  }
  const id = Number(query.pid);
  const pin = query.pin === null || query.pin === '' ? null : query.pin;
  let otherPlatform: CatalogProfile | null = null;
  for (const entry of catalog.profiles) {
    if (entry.id !== id || entry.mode !== query.mode) continue;
    if (entry.platform !== query.platform) {
      otherPlatform ??= entry;
      continue;
    }
    if (entry.pin === null) {
      return pin === null
        ? {
            profile: publicProfile(entry),
            how: 'direct',
            reason: `profile ${id} (${query.mode}, ${query.platform}) has no PIN and none was given`,
          }
        : { profile: null, how: 'none', reason: `profile ${id} has no PIN but a PIN was given: nothing is selected` };
    }
    return entry.pin === pin
      ? {
          profile: publicProfile(entry),
          how: 'direct',
          reason: `profile ${id} (${query.mode}, ${query.platform}): the PIN matches`,
        }
      : {
          profile: null,
          how: 'none',
          reason:
            pin === null ? `profile ${id} requires a PIN and none was given` : `profile ${id}: the PIN does not match`,
        };
  }
  if (otherPlatform === null) {
    return { profile: null, how: 'none', reason: `no ${query.mode} profile ${id} exists for any platform` };
  }
  const company = otherPlatform.company;
  for (const entry of catalog.profiles) {
    if (entry.favorite && entry.company === company && entry.platform === query.platform && entry.mode === query.mode) {
      return {
        profile: publicProfile(entry),
        how: 'profile-finder',
        reason: `profile ${id} is not a ${query.platform} profile: the Profile Finder selects ${company}'s favorite ${entry.id}`,
      };
    }
  }
  return {
    profile: null,
    how: 'none',
    reason: `profile ${id} is not a ${query.platform} profile and ${company} has no ${query.platform} favorite (${query.mode})`,
  };
}

/** The profile the lookup selects, or null (the service's 404). */
export function lookupProfile(catalog: Catalog, query: LookupQuery): Profile | null {
  return lookupExplained(catalog, query).profile;
}
