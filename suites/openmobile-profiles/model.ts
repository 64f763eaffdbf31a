/**
 * The oracle of the profile-service suite: what a conformant server answers to each operation, and what
 * its catalog is afterwards. Lookups use the Open Mobile model's own lookup (suites/openmobile/lookup.ts);
 * the portal's rules are written here, apart from the reference server (drivers/emulated/), so a mistake in
 * one is caught by the other.
 *
 * Where one request breaks several rules, a server may name any of them: `rejected` lists every violation
 * and the judge accepts the one the server picked if it is among them. A rule that involves two entries
 * (two favorites, a favorite with a PIN) is broken by either entry and either field, so each is listed.
 *
 * Where the sources permit more than one answer, the prediction carries `alternatives`: a server that keeps
 * profiles of another platform (the portal document describes Windows profiles; choice point
 * `OMP-CHOICE-OTHER-PLATFORM`), another status for a PATCH that names no single entry
 * (`OMP-CHOICE-PATCH-UNMATCHED`), or a SHOULD it breaks (publication going back: `should`, non-strict).
 */
import type { Catalog, Mode, Platform } from '../../protocols/openmobile/types.ts';
import { lookupExplained } from '../openmobile/lookup.ts';
import type { ChoicePointInfo } from '../../src/core/suite.ts';
import {
  PUBLISHED,
  type Choice,
  type ModelEntry,
  type Operation,
  type Prediction,
  type Published,
  type Violation,
} from './types.ts';
import { isRecord } from '../../src/core/json.ts';

/**
 * The seed's forbidden characters. Its extracted text shows the apostrophe and quotation mark as
 * typographic quotes (‘ “); a portal form would reject the ASCII ones a user types as well, and the closing
 * forms of the same quotes.
 */
export const FORBIDDEN_PIN_CHARACTERS = ' $&+%@\',/:;=?"><#\u2018\u2019\u201c\u201d';

const DECIMAL_PATH_ID = /^[0-9]+$/;

/** The platforms a lookup asks for (adapter protocol: `platform=android|ios`). */
const LOOKUP_PLATFORMS: readonly string[] = ['ios', 'android'];

export const OTHER_PLATFORM_CHOICE = 'OMP-CHOICE-OTHER-PLATFORM';
export const PATCH_UNMATCHED_CHOICE = 'OMP-CHOICE-PATCH-UNMATCHED';

/** The suite's choice points: where the sources permit more than one answer, each option is accepted. */
export const CHOICE_POINTS: readonly ChoicePointInfo[] = [
  {
    id: OTHER_PLATFORM_CHOICE,
    title: 'A catalog entry for a platform other than ios and android (windows, ...)',
    options: ['rejected', 'accepted'],
    reading:
      'The portal document describes Windows profiles ("The Windows installation includes a profile ID") and the Profile Finder from their IDs; the adapter protocol only looks up ios and android. A server may keep such entries (their IDs then reach the Profile Finder) or reject them (422, field platform). The harness\'s own service rejects them.',
  },
  {
    id: PATCH_UNMATCHED_CHOICE,
    title: 'A PATCH whose ID names no entry, or several without ?platform=&mode=',
    options: ['404', '400', '422'],
    reading:
      "The adapter protocol gives a PATCH only 200 and 422; the harness's service answers 404 (no entry) and 400 (ambiguous). Any of 400, 404 and 422 is accepted, provided nothing changes.",
  },
];

/** What `published` is when a catalog leaves it out: an entry served in a mode was published that far. */
export function publishedOf(entry: { mode: Mode; published?: Published | undefined }): Published {
  return entry.published ?? entry.mode;
}

export function toModelCatalog(profiles: readonly ModelEntry[]): Catalog {
  // Entries of another platform are never asked for by platform: the lookup only compares them.
  return { profiles: [...profiles] as Catalog['profiles'] };
}

/** Predicts the answer to `operation` on a server whose catalog is `catalog`. */
export function predict(catalog: readonly ModelEntry[], operation: Operation): Prediction {
  switch (operation.op) {
    case 'lookup': {
      const pin = operation.pin === undefined ? null : operation.pin;
      const result = lookupExplained(toModelCatalog(catalog), {
        pid: operation.pid,
        platform: operation.platform,
        mode: operation.mode,
        pin,
      });
      const requirement = lookupRequirement(catalog, operation, result.how);
      if (result.profile === null) return { kind: 'not-found', status: 404, reason: result.reason, requirement };
      const selected = result.profile;
      const entry = catalog.find(
        (e) => e.id === selected.id && e.platform === selected.platform && e.mode === selected.mode,
      ) as ModelEntry;
      return { kind: 'profile', status: 200, profile: selected, entry, reason: result.reason, requirement };
    }
    case 'put-catalog':
      return withOtherPlatforms((accept) => predictReplace(operation.catalog, accept));
    case 'patch':
      return withUnmatchedStatuses(
        withBackwardPublication((backward) =>
          predictPatch(catalog, operation.id, operation.platform, operation.mode, operation.body, backward),
        ),
      );
    case 'create':
      return withOtherPlatforms((accept) => predictCreate(catalog, operation.body, accept));
  }
}

/**
 * The harness's reading first (other platforms rejected); where keeping them turns a rejection into an
 * acceptance, that answer is an alternative, recorded as the choice `accepted`.
 */
function withOtherPlatforms(predictWith: (acceptOtherPlatforms: boolean) => Prediction): Prediction {
  const strict = predictWith(false);
  if (strict.kind !== 'rejected' || !strict.violations.some((v) => v.choice === OTHER_PLATFORM_CHOICE)) {
    return strict;
  }
  const lenient = predictWith(true);
  // With other rules broken too, the answer is a 422 either way, naming one of them (or the platform).
  if (lenient.kind === 'rejected') return strict;
  return {
    ...strict,
    alternatives: [...(strict.alternatives ?? []), choose(lenient, OTHER_PLATFORM_CHOICE, 'accepted')],
  };
}

/** A PATCH that only breaks SHOULD rules (publication going back) may be accepted: non-strict. */
function withBackwardPublication(predictWith: (allowBackward: boolean) => Prediction): Prediction {
  const strict = predictWith(false);
  if (strict.kind !== 'rejected' || !strict.violations.some((v) => v.requirement === 'OMP-PUBLISH-FORWARD')) {
    return strict;
  }
  const lenient = predictWith(true);
  if (lenient.kind === 'rejected') return strict;
  return { ...strict, alternatives: [...(strict.alternatives ?? []), { ...lenient, should: 'OMP-PUBLISH-FORWARD' }] };
}

/** A PATCH that names no single entry: 404 or 400 as the harness reads it, or any other of 400, 404, 422. */
function withUnmatchedStatuses(prediction: Prediction): Prediction {
  if (prediction.kind !== 'no-such-profile') return prediction;
  const others = ([404, 400, 422] as const).filter((status) => status !== prediction.status);
  return {
    ...prediction,
    alternatives: others.map((status) => choose({ ...prediction, status }, PATCH_UNMATCHED_CHOICE, String(status))),
  };
}

function choose(prediction: Prediction, point: string, option: string): Prediction {
  const choice: Choice = { point, option };
  return { ...prediction, choice };
}

/** The requirement a lookup's outcome rests on, for the report. */
function lookupRequirement(
  catalog: readonly ModelEntry[],
  op: Extract<Operation, { op: 'lookup' }>,
  how: string,
): string {
  if (how === 'profile-finder') return 'OMP-FINDER-FAVORITE';
  const sameId = DECIMAL_PATH_ID.test(op.pid) ? catalog.filter((e) => e.id === Number(op.pid)) : [];
  const inMode = sameId.filter((e) => e.mode === op.mode);
  if (sameId.length > 0 && inMode.length === 0) return 'OMP-LOOKUP-MODE';
  const own = inMode.find((e) => e.platform === op.platform);
  if (inMode.length > 0 && own === undefined) return 'OMP-FINDER-NO-FAVORITE';
  if (own !== undefined && (own.pin !== null || (op.pin !== undefined && op.pin !== ''))) {
    return op.pin === '' ? 'OMP-LOOKUP-EMPTY-PIN' : 'OMP-LOOKUP-PIN';
  }
  if (own !== undefined && op.pin === '') return 'OMP-LOOKUP-EMPTY-PIN';
  return how === 'direct' ? 'OMP-LOOKUP-SELECT' : 'OMP-LOOKUP-NOT-FOUND';
}

// ---------------------------------------------------------------------------------------------------------
// Administration

function predictReplace(body: unknown, acceptOtherPlatforms = false): Prediction {
  const violations: Violation[] = [];
  const profiles = isRecord(body) ? body['profiles'] : undefined;
  if (!Array.isArray(profiles)) {
    return {
      kind: 'rejected',
      status: 422,
      violations: [
        {
          id: null,
          field: 'profiles',
          rule: 'the catalog is an object with a profiles array',
          requirement: 'OMP-WIRE',
        },
      ],
      requirement: 'OMP-ADMIN-ATOMIC',
    };
  }
  const next: ModelEntry[] = [];
  const identities: Identity[] = [];
  for (const raw of profiles) {
    const { entry, problems } = readEntry(raw, 'catalog', acceptOtherPlatforms);
    violations.push(...problems);
    if (entry !== null) next.push(entry);
    const identity = identityOf(raw, acceptOtherPlatforms);
    if (identity !== null) identities.push(identity);
  }
  // Rules across entries, on every entry whose fields those rules read are right (a server may check them
  // before or after the entries' other fields).
  const seen = new Set<string>();
  for (const [i, e] of identities.entries()) {
    const key = `${e.id}|${e.platform}|${e.mode}`;
    if (seen.has(key)) {
      violations.push({
        id: e.id,
        field: 'id',
        rule: `${e.id} ${e.platform} ${e.mode} is listed twice`,
        requirement: 'OMP-ADMIN-REPLACE',
      });
    }
    seen.add(key);
    violations.push(...favoriteViolations(e, identities.slice(0, i), e.id));
  }
  if (violations.length > 0) return { kind: 'rejected', status: 422, violations, requirement: 'OMP-ADMIN-ATOMIC' };
  return { kind: 'replaced', status: 204, next, requirement: 'OMP-ADMIN-REPLACE' };
}

function predictPatch(
  catalog: readonly ModelEntry[],
  rawId: string,
  platform: string | undefined,
  mode: Mode | undefined,
  body: unknown,
  allowBackward = false,
): Prediction {
  const candidates = DECIMAL_PATH_ID.test(rawId)
    ? catalog.filter(
        (e) =>
          e.id === Number(rawId) &&
          (platform === undefined || e.platform === platform) &&
          (mode === undefined || e.mode === mode),
      )
    : [];
  if (candidates.length !== 1) {
    return {
      kind: 'no-such-profile',
      status: candidates.length === 0 ? 404 : 400,
      reason:
        candidates.length === 0
          ? `no entry of profile ${rawId} matches`
          : `profile ${rawId} has ${candidates.length} entries: the PATCH must name platform and mode`,
      requirement: 'OMP-ADMIN-PATCH',
    };
  }
  const current = candidates[0] as ModelEntry;
  if (!isRecord(body)) {
    return {
      kind: 'rejected',
      status: 422,
      violations: [
        { id: current.id, field: 'body', rule: 'a PATCH body is an object of profile fields', requirement: 'OMP-WIRE' },
      ],
      requirement: 'OMP-ADMIN-ATOMIC',
    };
  }
  const violations: Violation[] = [];
  if ('id' in body && body['id'] !== current.id) {
    violations.push({
      id: current.id,
      field: 'id',
      rule: 'a generated profile ID cannot change',
      requirement: 'OMP-ID-GENERATED',
    });
  }
  for (const field of ['platform', 'mode'] as const) {
    if (field in body && body[field] !== current[field]) {
      violations.push({
        id: current.id,
        field,
        rule: `the ${field} of a profile cannot change`,
        requirement: 'OMP-ADMIN-PATCH',
      });
    }
  }
  const merged: Record<string, unknown> = {
    ...current,
    ...body,
    id: current.id,
    platform: current.platform,
    mode: current.mode,
  };
  // The entry exists: whatever its platform, the server kept it.
  const { entry, problems } = readEntry(merged, 'catalog', true);
  violations.push(...problems);
  const identity = identityOf(merged, true);
  const others = catalog.filter((e) => e !== current);
  if (identity !== null) violations.push(...favoriteViolations(identity, others, current.id));
  if (entry !== null) {
    if (!allowBackward && PUBLISHED.indexOf(entry.published) < PUBLISHED.indexOf(current.published)) {
      violations.push({
        id: current.id,
        field: 'published',
        rule: `published to ${current.published}, it cannot go back to ${entry.published}`,
        requirement: 'OMP-PUBLISH-FORWARD',
      });
    }
    if (current.published !== 'draft' && entry.pin !== current.pin) {
      violations.push({
        id: current.id,
        field: 'pin',
        rule: `published to ${current.published}: the PIN cannot change`,
        requirement: 'OMP-PIN-FROZEN',
      });
    }
  }
  if (violations.length > 0 || entry === null) {
    return { kind: 'rejected', status: 422, violations, requirement: 'OMP-ADMIN-ATOMIC' };
  }
  return {
    kind: 'patched',
    status: 200,
    entry,
    next: catalog.map((e) => (e === current ? entry : e)),
    requirement: 'OMP-ADMIN-PATCH',
  };
}

function predictCreate(catalog: readonly ModelEntry[], body: unknown, acceptOtherPlatforms = false): Prediction {
  if (!isRecord(body)) {
    return {
      kind: 'rejected',
      status: 422,
      violations: [
        { id: null, field: 'body', rule: 'a POST body is an object of profile fields', requirement: 'OMP-WIRE' },
      ],
      requirement: 'OMP-ADMIN-ATOMIC',
    };
  }
  const violations: Violation[] = [];
  if ('id' in body) {
    violations.push({
      id: null,
      field: 'id',
      rule: 'the portal generates the ID: a new profile has none',
      requirement: 'OMP-ID-GENERATED',
    });
  }
  const { entry, problems } = readEntry({ ...body, id: 0 }, 'new', acceptOtherPlatforms);
  violations.push(...problems);
  // The new profile has no ID yet: its own violations name none (null); a rival favorite names its own.
  const identity = identityOf({ ...body, id: 0 }, acceptOtherPlatforms);
  if (identity !== null) violations.push(...favoriteViolations(identity, catalog, null));
  if (violations.length > 0 || entry === null) {
    return { kind: 'rejected', status: 422, violations, requirement: 'OMP-ADMIN-ATOMIC' };
  }
  const { id: _placeholder, ...draft } = entry;
  return {
    kind: 'created',
    status: 201,
    draft,
    next: (id) => [...catalog, { ...draft, id }],
    requirement: 'OMP-ID-GENERATED',
  };
}

/**
 * The favorite rules for `entry` (named `ownId`: null while it is being created) among `others`. Each rule
 * involves two things, and a server may name either: a favorite with a PIN names the field `pin` or
 * `favorite`; a second favorite names either favorite (field `favorite`).
 */
function favoriteViolations(entry: Identity, others: readonly Identity[], ownId: number | null): Violation[] {
  if (!entry.favorite) return [];
  const out: Violation[] = [];
  if (entry.pin !== null) {
    for (const field of ['pin', 'favorite']) {
      out.push({ id: ownId, field, rule: 'a favorite may not include a PIN', requirement: 'OMP-FAVORITE-NO-PIN' });
    }
  }
  const rival = others.find(
    (o) => o.favorite && o.company === entry.company && o.platform === entry.platform && o.mode === entry.mode,
  );
  if (rival !== undefined) {
    const rule = `${entry.company} has two ${entry.platform} ${entry.mode} favorites (${rival.id} and ${ownId ?? 'the new profile'})`;
    out.push({ id: ownId, field: 'favorite', rule, requirement: 'OMP-FAVORITE-ONE' });
    if (rival.id !== ownId) out.push({ id: rival.id, field: 'favorite', rule, requirement: 'OMP-FAVORITE-ONE' });
  }
  return out;
}

/** What the rules across entries read of an entry: who it is, and whether it is a favorite with a PIN. */
type Identity = Pick<ModelEntry, 'id' | 'company' | 'platform' | 'mode' | 'favorite' | 'pin'>;

/** The entry's identity where those fields are right, whatever its other fields (null otherwise). */
function identityOf(raw: unknown, acceptOtherPlatforms: boolean): Identity | null {
  if (!isRecord(raw)) return null;
  const { id, company, platform, mode, favorite, pin } = raw;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) return null;
  if (typeof company !== 'string' || company.length === 0) return null;
  if (typeof platform !== 'string' || (!LOOKUP_PLATFORMS.includes(platform) && !acceptOtherPlatforms)) return null;
  if (mode !== 'production' && mode !== 'test') return null;
  if (typeof favorite !== 'boolean' || (pin !== null && typeof pin !== 'string')) return null;
  return { id, company, platform, mode, favorite, pin };
}

/**
 * One catalog entry, every field checked (not only the first bad one). Unknown fields are dropped: the
 * protocol says both sides ignore them.
 */
function readEntry(
  raw: unknown,
  purpose: 'catalog' | 'new',
  acceptOtherPlatforms: boolean,
): { entry: ModelEntry | null; problems: Violation[] } {
  if (!isRecord(raw)) {
    return {
      entry: null,
      problems: [{ id: null, field: 'profile', rule: 'a profile is an object', requirement: 'OMP-WIRE' }],
    };
  }
  const rawId = raw['id'];
  const idOk = typeof rawId === 'number' && Number.isSafeInteger(rawId) && rawId >= 0;
  const id = idOk && purpose === 'catalog' ? (rawId as number) : null;
  const problems: Violation[] = [];
  const bad = (field: string, rule: string, requirement = 'OMP-WIRE') =>
    problems.push({ id, field, rule, requirement });
  if (!idOk) bad('id', `a profile ID is a decimal number, got ${JSON.stringify(rawId) ?? 'nothing'}`, 'OMP-ID-DECIMAL');
  const { company, platform, mode, pin, favorite, savePassword, published, note } = raw;
  if (typeof company !== 'string' || company.length === 0) bad('company', 'company is a non-empty string');
  if (typeof platform !== 'string' || platform.length === 0) bad('platform', 'platform is the name of a platform');
  else if (!LOOKUP_PLATFORMS.includes(platform) && !acceptOtherPlatforms) {
    problems.push({
      id,
      field: 'platform',
      rule: `platform ${JSON.stringify(platform)} is neither ios nor android`,
      requirement: 'OMP-WIRE',
      choice: OTHER_PLATFORM_CHOICE,
    });
  }
  if (mode !== 'production' && mode !== 'test') bad('mode', 'mode is production or test');
  if (pin !== null) {
    if (typeof pin !== 'string' || pin.length === 0) bad('pin', 'pin is null or a non-empty string');
    else {
      const forbidden = [...pin].filter((c) => FORBIDDEN_PIN_CHARACTERS.includes(c));
      if (forbidden.length > 0)
        bad('pin', `the PIN contains ${forbidden.map((c) => JSON.stringify(c)).join(' ')}`, 'OMP-PIN-FORBIDDEN-CHARS');
    }
  }
  if (typeof favorite !== 'boolean') bad('favorite', 'favorite is a boolean');
  if (!isOptions(raw['domains'])) bad('domains', 'domains is { options, editable }');
  if (raw['prefixes'] !== null && !isOptions(raw['prefixes']))
    bad('prefixes', 'prefixes is null or { options, editable }');
  if (typeof savePassword !== 'boolean') bad('savePassword', 'savePassword is a boolean');
  const autologin = raw['autologin'];
  if (
    !isRecord(autologin) ||
    typeof autologin['userControl'] !== 'boolean' ||
    typeof autologin['default'] !== 'boolean'
  ) {
    bad('autologin', 'autologin is { userControl, default } booleans');
  }
  if (published !== undefined && published !== null && !PUBLISHED.includes(published as Published)) {
    bad('published', 'published is draft, test or production');
  }
  if (note !== undefined && typeof note !== 'string') bad('note', 'note is a string');
  if (problems.length > 0) return { entry: null, problems };
  const domains = raw['domains'] as ModelEntry['domains'];
  const prefixes = raw['prefixes'] as ModelEntry['prefixes'];
  const al = autologin as { userControl: boolean; default: boolean };
  const entry: ModelEntry = {
    id: rawId as number,
    company: company as string,
    platform: platform as string,
    mode: mode as Mode,
    pin: pin as string | null,
    favorite: favorite as boolean,
    domains: { options: [...domains.options], editable: domains.editable },
    prefixes: prefixes === null ? null : { options: [...prefixes.options], editable: prefixes.editable },
    savePassword: savePassword as boolean,
    autologin: { userControl: al.userControl, default: al.default },
    published: publishedOf({ mode: mode as Mode, published: (published ?? undefined) as Published | undefined }),
  };
  if (typeof note === 'string') entry.note = note;
  return { entry, problems };
}

function isOptions(value: unknown): boolean {
  return (
    isRecord(value) &&
    typeof value['editable'] === 'boolean' &&
    Array.isArray(value['options']) &&
    (value['options'] as unknown[]).every((o) => typeof o === 'string' && o.length > 0)
  );
}

/** The catalog a valid PUT of `profiles` leaves: the model's entries, `published` resolved. */
export function modelCatalog(profiles: readonly unknown[]): ModelEntry[] {
  const prediction = predictReplace({ profiles });
  if (prediction.kind !== 'replaced') {
    const first = prediction.kind === 'rejected' ? prediction.violations[0] : undefined;
    throw new Error(
      `not a valid catalog: ${first ? `profile ${String(first.id)} ${first.field}: ${first.rule}` : prediction.kind}`,
    );
  }
  return prediction.next;
}
