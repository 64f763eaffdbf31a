/**
 * The Open Mobile Portal's rules for the catalog administration endpoints of the reference profile service
 * (adapter protocol section 2, "Catalog administration"; docs/profile-service.md, "Catalog administration").
 * Written from the portal document (docs/spec/open-mobile-portal-profiles.txt) alone: the suite's model
 * implements the same rules separately, so neither can hide a mistake of the other.
 *
 * Every operation is all-or-nothing: it returns the next catalog, or a rejection and no catalog at all
 * (the `partial-catalog-on-422` defect is the one exception, on purpose).
 */
import type { CatalogProfile, Mode, Platform } from '../../../protocols/openmobile/types.ts';
import type { ProfileServiceDefectId } from './defects.ts';
import { isRecord } from '../../../src/core/json.ts';

export type Published = 'draft' | 'test' | 'production';

/** A catalog entry as the portal keeps it: the profile plus how far it has been published. */
export interface PortalEntry extends CatalogProfile {
  published: Published;
}

/** The body of a 422: the first profile and field that break a portal rule. */
export interface Rejection {
  error: 'invalid-profile';
  id: number | null;
  field: string;
  message: string;
}

export type AdminOutcome =
  | { status: 200 | 201 | 204; body: unknown; next: PortalEntry[] }
  | { status: 422; body: Rejection; next: PortalEntry[] | null }
  | { status: 400 | 404; body: { error: string; message?: string }; next: null };

const PUBLISHED_ORDER: readonly Published[] = ['draft', 'test', 'production'];

/**
 * Every character the portal forbids in a PIN: the seed's list, with both the ASCII apostrophe and quotation
 * mark and the typographic ones the extracted text actually shows (‘ “), plus their closing forms.
 */
export const FORBIDDEN_PIN_CHARACTERS: readonly string[] = [
  ' ',
  '$',
  '&',
  '+',
  '%',
  '@',
  "'",
  ',',
  '/',
  ':',
  ';',
  '=',
  '?',
  '"',
  '>',
  '<',
  '#',
  '\u2018',
  '\u2019',
  '\u201C',
  '\u201D',
];
/** What the `forbidden-chars-partial` defect still rejects: only what would break a URL query apart. */
const URL_DELIMITERS: readonly string[] = [' ', '&', '=', '?', '#'];

/** A catalog entry whose `published` is absent has been published as far as the mode it is served in. */
export function defaultPublished(mode: Mode): Published {
  return mode;
}

/**
 * Conformant behaviours other than the reference's, where the sources permit several (for tests: a variant
 * must pass, never fail). Not seeded defects.
 * - `names-first-favorite`: two favorites for one platform and mode name the first one, not the second.
 * - `favorite-pin-names-favorite`: a favorite with a PIN names the field `favorite`, never `pin`.
 * - `publication-reversible`: publication may go back (a SHOULD the reference keeps).
 * - `other-platforms`: entries of another platform than ios and android (windows) are kept.
 * - `patch-unmatched-422`: a PATCH that names no single entry is 422, not 404 or 400.
 */
export const PORTAL_VARIANTS = [
  'names-first-favorite',
  'favorite-pin-names-favorite',
  'publication-reversible',
  'other-platforms',
  'patch-unmatched-422',
] as const;
export type PortalVariant = (typeof PORTAL_VARIANTS)[number];

export class Portal {
  private readonly variants: ReadonlySet<string>;

  constructor(
    private readonly defects: ReadonlySet<ProfileServiceDefectId>,
    variants: readonly PortalVariant[] = [],
  ) {
    this.variants = new Set(variants);
  }

  private has(id: ProfileServiceDefectId): boolean {
    return this.defects.has(id);
  }

  /** `PUT /v1/admin/catalog`. */
  replaceCatalog(body: unknown): AdminOutcome {
    if (!isRecord(body) || !Array.isArray(body['profiles'])) {
      return reject(null, 'profiles', 'the body must be an object with a "profiles" array', null);
    }
    const raw = body['profiles'] as unknown[];
    const accepted: PortalEntry[] = [];
    const keys = new Set<string>();
    for (const item of raw) {
      const parsed = this.readProfile(item);
      if (!parsed.ok) return this.rejectCatalog(idOf(item), parsed, accepted);
      const entry = parsed.entry;
      const key = `${entry.id}/${entry.platform}/${entry.mode}`;
      const problem = keys.has(key)
        ? { field: 'id', message: `profile ${entry.id} for ${entry.platform} in ${entry.mode} mode is listed twice` }
        : this.favoriteProblem(entry, accepted, 'pin');
      if (problem !== null) return this.rejectCatalog(problem.id ?? entry.id, problem, accepted);
      keys.add(key);
      accepted.push(entry);
    }
    return { status: 204, body: null, next: accepted };
  }

  /** A rejected catalog changes nothing, unless the seeded defect keeps what was read before the bad entry. */
  private rejectCatalog(
    id: number | null,
    problem: { field: string; message: string },
    accepted: PortalEntry[],
  ): AdminOutcome {
    return reject(id, problem.field, problem.message, this.has('partial-catalog-on-422') ? accepted : null);
  }

  /** `PATCH /v1/admin/profiles/{id}?platform=&mode=`. */
  patchProfile(
    current: readonly PortalEntry[],
    rawId: string,
    selector: { platform?: string | undefined; mode?: string | undefined },
    body: unknown,
  ): AdminOutcome {
    const matching = /^[0-9]+$/.test(rawId)
      ? current.filter(
          (e) =>
            e.id === Number(rawId) &&
            (selector.platform === undefined || e.platform === selector.platform) &&
            (selector.mode === undefined || e.mode === selector.mode),
        )
      : [];
    if (matching.length !== 1 && this.variants.has('patch-unmatched-422')) {
      return reject(null, 'id', `profile ${rawId} names ${matching.length} entries, not one`, null);
    }
    if (matching.length === 0) {
      return { status: 404, body: { error: 'not-found', message: `no profile ${rawId} matches` }, next: null };
    }
    if (matching.length > 1) {
      return {
        status: 400,
        body: {
          error: 'ambiguous-profile',
          message: `profile ${rawId} has ${matching.length} entries (${matching.map((e) => `${e.platform} ${e.mode}`).join(', ')}): add ?platform=&mode= to choose one`,
        },
        next: null,
      };
    }
    const target = matching[0] as PortalEntry;
    if (!isRecord(body)) return reject(target.id, 'body', 'the body must be an object of profile fields', null);

    // Identity first: the portal generates IDs and a profile's platform and mode are what it was created for.
    if (body['id'] !== undefined && body['id'] !== target.id) {
      return reject(target.id, 'id', 'profile IDs are generated by the portal and cannot be changed', null);
    }
    for (const field of ['platform', 'mode'] as const) {
      if (body[field] !== undefined && body[field] !== target[field]) {
        return reject(target.id, field, `the ${field} of a profile cannot be changed`, null);
      }
    }
    const merged = this.readProfile({ ...target, ...body, id: target.id });
    if (!merged.ok) return reject(target.id, merged.field, merged.message, null);
    const next = merged.entry;

    if (
      !this.variants.has('publication-reversible') &&
      PUBLISHED_ORDER.indexOf(next.published) < PUBLISHED_ORDER.indexOf(target.published)
    ) {
      return reject(
        target.id,
        'published',
        `profile ${target.id} is published to ${target.published} and cannot go back to ${next.published}`,
        null,
      );
    }
    if (next.pin !== target.pin && target.published !== 'draft' && !this.has('pin-change-after-publish')) {
      return reject(
        target.id,
        'pin',
        `profile ${target.id} is published to ${target.published}: its PIN can no longer change`,
        null,
      );
    }
    const others = current.filter((e) => e !== target);
    const favorite = this.favoriteProblem(next, others, body['pin'] !== undefined ? 'pin' : 'favorite');
    if (favorite !== null) return reject(favorite.id ?? target.id, favorite.field, favorite.message, null);
    return { status: 200, body: next, next: current.map((e) => (e === target ? next : e)) };
  }

  /** `POST /v1/admin/profiles`: a new profile; the portal generates its ID. */
  createProfile(current: readonly PortalEntry[], body: unknown): AdminOutcome {
    if (!isRecord(body)) return reject(null, 'body', 'the body must be an object of profile fields', null);
    if (body['id'] !== undefined) {
      return reject(null, 'id', 'profile IDs are generated by the portal: leave "id" out', null);
    }
    const highest = current.reduce((max, e) => Math.max(max, e.id), 0);
    const id = this.has('create-id-reused') && current.length > 0 ? highest : highest + 1;
    const parsed = this.readProfile({ ...body, id });
    if (!parsed.ok) return reject(null, parsed.field, parsed.message, null);
    const favorite = this.favoriteProblem(parsed.entry, current, 'pin');
    if (favorite !== null) return reject(favorite.id ?? null, favorite.field, favorite.message, null);
    return { status: 201, body: parsed.entry, next: [...current, parsed.entry] };
  }

  /** A favorite has no PIN, and a company has at most one favorite per platform and mode. */
  private favoriteProblem(
    entry: PortalEntry,
    others: readonly PortalEntry[],
    pinField: 'pin' | 'favorite',
  ): { field: string; message: string; id?: number } | null {
    if (!entry.favorite) return null;
    if (entry.pin !== null && !this.has('favorite-with-pin-accepted')) {
      return {
        field: this.variants.has('favorite-pin-names-favorite') ? 'favorite' : pinField,
        message: `profile ${entry.id} is a favorite: favorite profiles may not include a PIN`,
      };
    }
    const rival = others.find(
      (o) => o.favorite && o.company === entry.company && o.platform === entry.platform && o.mode === entry.mode,
    );
    if (rival !== undefined) {
      return {
        field: 'favorite',
        message: `${entry.company} already has a ${entry.platform} ${entry.mode} favorite (profile ${rival.id})`,
        ...(this.variants.has('names-first-favorite') ? { id: rival.id } : {}),
      };
    }
    return null;
  }

  /** One profile's fields, checked one by one; unknown fields are dropped (the protocol ignores them). */
  private readProfile(raw: unknown): { ok: true; entry: PortalEntry } | { ok: false; field: string; message: string } {
    const fail = (field: string, message: string) => ({ ok: false as const, field, message });
    if (!isRecord(raw)) return fail('profile', 'each profile must be an object');
    const id = raw['id'];
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) {
      return fail('id', `a profile ID is a generated decimal number (a non-negative integer), got ${show(id)}`);
    }
    const company = raw['company'];
    if (typeof company !== 'string' || company === '') return fail('company', 'company must be a non-empty string');
    const platform = raw['platform'];
    const otherPlatform = this.variants.has('other-platforms') && typeof platform === 'string' && platform !== '';
    if (platform !== 'ios' && platform !== 'android' && !otherPlatform) {
      return fail('platform', 'platform must be "ios" or "android"');
    }
    const mode = raw['mode'];
    if (mode !== 'production' && mode !== 'test') return fail('mode', 'mode must be "production" or "test"');
    const pin = raw['pin'];
    if (pin !== null && (typeof pin !== 'string' || pin === '')) {
      return fail('pin', 'pin must be a non-empty string, or null for none');
    }
    if (pin !== null) {
      const forbidden = this.has('forbidden-chars-partial') ? URL_DELIMITERS : FORBIDDEN_PIN_CHARACTERS;
      const bad = [...pin].find((c) => forbidden.includes(c));
      if (bad !== undefined) return fail('pin', `a PIN may not contain ${JSON.stringify(bad)}`);
    }
    const favorite = raw['favorite'];
    if (typeof favorite !== 'boolean') return fail('favorite', 'favorite must be true or false');
    const domains = readOptions(raw['domains']);
    if (domains === null) return fail('domains', 'domains must be { options: [non-empty strings], editable: boolean }');
    const prefixes = raw['prefixes'] === null ? null : readOptions(raw['prefixes']);
    if (raw['prefixes'] !== null && prefixes === null) {
      return fail('prefixes', 'prefixes must be null or { options: [non-empty strings], editable: boolean }');
    }
    const savePassword = raw['savePassword'];
    if (typeof savePassword !== 'boolean') return fail('savePassword', 'savePassword must be true or false');
    const autologin = raw['autologin'];
    if (
      !isRecord(autologin) ||
      typeof autologin['userControl'] !== 'boolean' ||
      typeof autologin['default'] !== 'boolean'
    ) {
      return fail('autologin', 'autologin must be { userControl: boolean, default: boolean }');
    }
    const published = raw['published'] ?? defaultPublished(mode);
    if (published !== 'draft' && published !== 'test' && published !== 'production') {
      return fail('published', 'published must be "draft", "test" or "production"');
    }
    const note = raw['note'];
    if (note !== undefined && typeof note !== 'string') return fail('note', 'note must be a string');
    const entry: PortalEntry = {
      id,
      company,
      // A kept platform other than ios and android (the `other-platforms` variant) is never looked up by name.
      platform: platform as Platform,
      mode,
      pin: pin as string | null,
      favorite,
      domains,
      prefixes,
      savePassword,
      autologin: { userControl: autologin['userControl'], default: autologin['default'] },
      published,
    };
    if (note !== undefined) entry.note = note;
    return { ok: true, entry };
  }
}

function readOptions(raw: unknown): { options: string[]; editable: boolean } | null {
  if (!isRecord(raw) || typeof raw['editable'] !== 'boolean' || !Array.isArray(raw['options'])) return null;
  const options = raw['options'] as unknown[];
  if (!options.every((o): o is string => typeof o === 'string' && o !== '')) return null;
  return { options: [...options], editable: raw['editable'] };
}

function reject(id: number | null, field: string, message: string, next: PortalEntry[] | null): AdminOutcome {
  return { status: 422, body: { error: 'invalid-profile', id, field, message }, next };
}

function idOf(raw: unknown): number | null {
  const id = isRecord(raw) ? raw['id'] : undefined;
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? id : null;
}

function show(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}
