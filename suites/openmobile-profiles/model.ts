/**
 * The oracle of the profile-service suite: what a conformant server answers to each operation, and what
 * its catalog is afterwards. Lookups use the Open Mobile model's own lookup (suites/openmobile/lookup.ts);
 * the portal's rules are written here, apart from the reference server (drivers/emulated/), so a mistake in
 * one is caught by the other.
 *
 * Where one request breaks several rules, a server may name any of them: `rejected` lists every violation
 * and the judge accepts the one the server picked if it is among them.
 */
import type { Catalog, Mode, Platform } from '../../src/core/types.ts';
import { lookupExplained } from '../openmobile/lookup.ts';
import {
  PUBLISHED,
  type ModelEntry,
  type Operation,
  type Prediction,
  type Published,
  type Violation,
} from './types.ts';

/**
 * The seed's forbidden characters. Its extracted text shows the apostrophe and quotation mark as
 * typographic quotes (‘ “); a portal form would reject the ASCII ones a user types as well, and the closing
 * forms of the same quotes.
 */
export const FORBIDDEN_PIN_CHARACTERS = ' $&+%@\',/:;=?"><#\u2018\u2019\u201c\u201d';

const DECIMAL_PATH_ID = /^[0-9]+$/;

/** What `published` is when a catalog leaves it out: an entry served in a mode was published that far. */
export function publishedOf(entry: { mode: Mode; published?: Published | undefined }): Published {
  return entry.published ?? entry.mode;
}

export function toModelCatalog(profiles: readonly ModelEntry[]): Catalog {
  return { profiles: [...profiles] };
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
      return predictReplace(operation.catalog);
    case 'patch':
      return predictPatch(catalog, operation.id, operation.platform, operation.mode, operation.body);
    case 'create':
      return predictCreate(catalog, operation.body);
  }
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

function predictReplace(body: unknown): Prediction {
  const violations: Violation[] = [];
  const profiles = isObject(body) ? body['profiles'] : undefined;
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
  for (const raw of profiles) {
    const { entry, problems } = readEntry(raw, 'catalog');
    violations.push(...problems);
    if (entry !== null) next.push(entry);
  }
  // Rules across entries, on the entries whose own fields are right.
  const seen = new Set<string>();
  for (const [i, e] of next.entries()) {
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
    violations.push(...favoriteViolations(e, next.slice(0, i), 'pin'));
  }
  if (violations.length > 0) return { kind: 'rejected', status: 422, violations, requirement: 'OMP-ADMIN-ATOMIC' };
  return { kind: 'replaced', status: 204, next, requirement: 'OMP-ADMIN-REPLACE' };
}

function predictPatch(
  catalog: readonly ModelEntry[],
  rawId: string,
  platform: Platform | undefined,
  mode: Mode | undefined,
  body: unknown,
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
  if (!isObject(body)) {
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
  const { entry, problems } = readEntry(merged, 'catalog');
  violations.push(...problems);
  if (entry !== null) {
    if (PUBLISHED.indexOf(entry.published) < PUBLISHED.indexOf(current.published)) {
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
    const others = catalog.filter((e) => e !== current);
    // The field named is the one this request set: a PIN added to a favorite, or a favorite with a PIN.
    violations.push(...favoriteViolations(entry, others, 'pin' in body ? 'pin' : 'favorite'));
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

function predictCreate(catalog: readonly ModelEntry[], body: unknown): Prediction {
  if (!isObject(body)) {
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
  const { entry, problems } = readEntry({ ...body, id: 0 }, 'new');
  violations.push(...problems);
  if (entry !== null) violations.push(...favoriteViolations(entry, catalog, 'pin').map((v) => ({ ...v, id: null })));
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

function favoriteViolations(
  entry: ModelEntry,
  others: readonly ModelEntry[],
  pinField: 'pin' | 'favorite',
): Violation[] {
  if (!entry.favorite) return [];
  const out: Violation[] = [];
  if (entry.pin !== null) {
    out.push({
      id: entry.id,
      field: pinField,
      rule: 'a favorite may not include a PIN',
      requirement: 'OMP-FAVORITE-NO-PIN',
    });
  }
  const rival = others.find(
    (o) => o.favorite && o.company === entry.company && o.platform === entry.platform && o.mode === entry.mode,
  );
  if (rival !== undefined) {
    out.push({
      id: entry.id,
      field: 'favorite',
      rule: `${entry.company} already has a ${entry.platform} ${entry.mode} favorite (${rival.id})`,
      requirement: 'OMP-FAVORITE-ONE',
    });
  }
  return out;
}

/**
 * One catalog entry, every field checked (not only the first bad one). Unknown fields are dropped: the
 * protocol says both sides ignore them.
 */
function readEntry(raw: unknown, purpose: 'catalog' | 'new'): { entry: ModelEntry | null; problems: Violation[] } {
  if (!isObject(raw)) {
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
  if (platform !== 'ios' && platform !== 'android') bad('platform', 'platform is ios or android');
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
    !isObject(autologin) ||
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
    platform: platform as Platform,
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
    isObject(value) &&
    typeof value['editable'] === 'boolean' &&
    Array.isArray(value['options']) &&
    (value['options'] as unknown[]).every((o) => typeof o === 'string' && o.length > 0)
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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
