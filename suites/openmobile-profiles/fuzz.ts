/**
 * fast-check properties of the profile-service suite. Every generated value is a sequence of operations
 * (load a generated catalog, then lookups or administration requests) run through the same judge as the
 * fixed vectors, so a failure shrinks to a short sequence and is kept as an ordinary vector.
 *
 * - `lookups`: generated catalogs (the Open Mobile suite's `catalogArbitrary`) and lookups built against
 *   them: right, missing, empty, wrong and case-flipped PINs, other platforms and modes, unknown IDs.
 * - `admin`: generated catalogs with publication states, then PIN changes (allowed and forbidden
 *   characters), favorites, publication steps, rejected catalogs; the catalog is probed after each.
 * - `robustness`: the fuzz property: arbitrary IDs, PINs and JSON bodies; never a 5xx, a hang or garbage,
 *   and every answer still the model's (a rejected request changes nothing).
 */
import fc from 'fast-check';
import type { FuzzFailure, FuzzProperty } from '../../src/core/fuzz.ts';
import type { Mode, Platform } from '../../protocols/openmobile/types.ts';
import { catalogArbitrary } from '../openmobile/arbitraries.ts';
import { describeOperation, runSequence } from './judge.ts';
import { FORBIDDEN_PIN_CHARACTERS, predict } from './model.ts';
import { requirement } from './requirements.ts';
import {
  PUBLISHED,
  type ModelEntry,
  type Operation,
  type PortalProfile,
  type ProfileServerSession,
  type Then,
  type Vector,
} from './types.ts';

export const PROPERTY_IDS = ['lookups', 'admin', 'robustness'] as const;
export type ProfilesPropertyId = (typeof PROPERTY_IDS)[number];

export interface ProfilesFuzzValue {
  catalog: PortalProfile[];
  operations: Operation[];
}

const OTHER_PLATFORM: Record<Platform, Platform> = { ios: 'android', android: 'ios' };
const OTHER_MODE: Record<Mode, Mode> = { production: 'test', test: 'production' };

/** A generated catalog with a publication state on each entry (a draft only where its PIN may change). */
const portalCatalogArbitrary: fc.Arbitrary<PortalProfile[]> = catalogArbitrary().chain((catalog) =>
  fc
    .array(fc.constantFrom(undefined, ...PUBLISHED), {
      minLength: catalog.profiles.length,
      maxLength: catalog.profiles.length,
    })
    .map((states) =>
      catalog.profiles.map((p, i) => {
        const published = states[i];
        return published === undefined ? { ...p } : { ...p, published };
      }),
    ),
);

const lookupChoice = fc.record({
  entry: fc.nat(),
  pid: fc.constantFrom('entry', 'entry', 'entry', 'unknown', 'non-decimal'),
  platform: fc.constantFrom('same', 'same', 'other'),
  mode: fc.constantFrom('same', 'same', 'other'),
  pin: fc.constantFrom('right', 'none', 'empty', 'wrong', 'case-flipped', 'extended'),
});

function renderLookup(catalog: readonly PortalProfile[], c: LookupChoice): Operation {
  const entry = catalog[c.entry % catalog.length] as PortalProfile;
  const pid =
    c.pid === 'entry' ? String(entry.id) : c.pid === 'unknown' ? String(1_000_000 + entry.id) : `${entry.id}x`;
  const platform = c.platform === 'same' ? entry.platform : OTHER_PLATFORM[entry.platform];
  const mode = c.mode === 'same' ? entry.mode : OTHER_MODE[entry.mode];
  const real = entry.pin ?? 'Pin9';
  const pin =
    c.pin === 'right'
      ? (entry.pin ?? undefined)
      : c.pin === 'none'
        ? undefined
        : c.pin === 'empty'
          ? ''
          : c.pin === 'wrong'
            ? `${real}0`
            : c.pin === 'case-flipped'
              ? flipCase(real)
              : `${real}${real}`;
  return { op: 'lookup', pid, platform, mode, ...(pin === undefined ? {} : { pin }) };
}

type LookupChoice = { entry: number; pid: string; platform: string; mode: string; pin: string };

function flipCase(text: string): string {
  const flipped = [...text].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('');
  // A PIN of digits only has no case to flip: change one letter in, so the lookup still differs by case.
  return flipped === text ? `${text}a` : flipped;
}

const adminChoice = fc.record({
  kind: fc.constantFrom('pin', 'forbidden-pin', 'favorite', 'publish', 'put-bad', 'put-good', 'lookup'),
  entry: fc.nat(),
  character: fc.nat({ max: FORBIDDEN_PIN_CHARACTERS.length - 1 }),
  state: fc.constantFrom(...PUBLISHED),
  flag: fc.boolean(),
  lookup: lookupChoice,
});
type AdminChoice = {
  kind: string;
  entry: number;
  character: number;
  state: string;
  flag: boolean;
  lookup: LookupChoice;
};

function renderAdmin(catalog: readonly PortalProfile[], c: AdminChoice): Operation {
  const entry = catalog[c.entry % catalog.length] as PortalProfile;
  const select = { id: String(entry.id), platform: entry.platform, mode: entry.mode };
  const bad = [...FORBIDDEN_PIN_CHARACTERS][c.character] ?? '@';
  switch (c.kind) {
    case 'pin':
      return { op: 'patch', ...select, body: { pin: c.flag ? null : `New${entry.id % 97}` } };
    case 'forbidden-pin':
      return { op: 'patch', ...select, body: { pin: `ab${bad}1` } };
    case 'favorite':
      return { op: 'patch', ...select, body: { favorite: c.flag } };
    case 'publish':
      return { op: 'patch', ...select, body: { published: c.state } };
    case 'put-bad': {
      // The catalog again with one entry broken: rejected whole, so the catalog stays as it is.
      const profiles = catalog.map((p) => (p === entry ? { ...p, pin: `x${bad}` } : p));
      return { op: 'put-catalog', catalog: { profiles } };
    }
    case 'put-good':
      return { op: 'put-catalog', catalog: { profiles: catalog.filter((p) => p !== entry) } };
    default:
      return renderLookup(catalog, c.lookup);
  }
}

/** Requests of any shape: the fuzz property. */
const anyJson = fc.jsonValue({ maxDepth: 3 });
const roughProfile = fc.record(
  {
    id: fc.oneof(
      fc.nat(),
      fc.integer({ min: -5, max: -1 }),
      fc.string({ maxLength: 4 }),
      fc.double(),
      fc.constant(null),
    ),
    company: fc.oneof(fc.constant('acme'), fc.string({ maxLength: 3 })),
    platform: fc.constantFrom('ios', 'android', 'windows', ''),
    mode: fc.constantFrom('production', 'test', 'staging'),
    pin: fc.oneof(fc.constant(null), fc.string({ maxLength: 6 }), fc.string({ unit: 'grapheme', maxLength: 4 })),
    favorite: fc.oneof(fc.boolean(), anyJson),
    domains: fc.oneof(fc.constant({ options: ['d.example'], editable: false }), anyJson),
    prefixes: fc.oneof(fc.constant(null), anyJson),
    savePassword: fc.oneof(fc.boolean(), anyJson),
    autologin: fc.oneof(fc.constant({ userControl: true, default: false }), anyJson),
    published: fc.constantFrom('draft', 'test', 'production', 'live'),
  },
  { requiredKeys: ['id', 'company', 'platform', 'mode', 'pin', 'favorite'] },
);
const roughOperation = (catalog: readonly PortalProfile[]): fc.Arbitrary<Operation> => {
  const ids = catalog.map((p) => String(p.id));
  const someId = fc.oneof(fc.constantFrom(...ids), fc.string({ unit: 'grapheme', maxLength: 8 }));
  return fc.oneof(
    fc.record({
      op: fc.constant('lookup' as const),
      pid: someId,
      platform: fc.constantFrom<Platform>('ios', 'android'),
      mode: fc.constantFrom<Mode>('production', 'test'),
      pin: fc.string({ unit: 'grapheme', maxLength: 8 }),
    }),
    fc.record({ op: fc.constant('patch' as const), id: someId, body: fc.oneof(roughProfile, anyJson) }),
    fc.record({ op: fc.constant('create' as const), body: fc.oneof(roughProfile, anyJson) }),
    fc.record({
      op: fc.constant('put-catalog' as const),
      catalog: fc.oneof(fc.record({ profiles: fc.array(roughProfile, { maxLength: 3 }) }), anyJson),
    }),
  );
};

export function valueArbitrary(
  id: ProfilesPropertyId,
  maxSteps: number,
  create: boolean,
): fc.Arbitrary<ProfilesFuzzValue> {
  const steps = Math.max(1, maxSteps);
  switch (id) {
    case 'lookups':
      return catalogArbitrary().chain((catalog) =>
        fc.array(lookupChoice, { minLength: 1, maxLength: steps * 2 }).map((choices) => ({
          catalog: catalog.profiles,
          operations: choices.map((c) => renderLookup(catalog.profiles, c)),
        })),
      );
    case 'admin':
      return portalCatalogArbitrary.chain((catalog) =>
        fc
          .array(adminChoice, { minLength: 1, maxLength: steps })
          .map((choices) => ({ catalog, operations: choices.map((c) => renderAdmin(catalog, c)) })),
      );
    case 'robustness':
      return portalCatalogArbitrary.chain((catalog) =>
        fc
          .array(roughOperation(catalog), { minLength: 1, maxLength: steps })
          .map((operations) => ({
            catalog,
            operations: create ? operations : operations.filter((o) => o.op !== 'create'),
          }))
          .filter((v) => v.operations.length > 0),
      );
  }
}

const NAMES: Record<ProfilesPropertyId, string> = {
  lookups: 'generated catalogs and lookups agree with the model',
  admin: "generated administration sequences keep the portal's rules and change nothing when rejected",
  robustness: "arbitrary IDs, PINs and bodies: never a 5xx, a hang or garbage, always the model's answer",
};

export function profilesProperty(
  id: ProfilesPropertyId,
  session: ProfileServerSession,
  options: { maxSteps: number; create: boolean },
): FuzzProperty<ProfilesFuzzValue> {
  let cases = 0;
  const statuses: Record<string, number> = {};
  /** Choices and SHOULD deviations seen, once each: informational, never a failure. */
  const informational = new Set<string>();
  return {
    id,
    name: NAMES[id],
    arbitrary: valueArbitrary(id, options.maxSteps, options.create),
    async check(value, signal): Promise<FuzzFailure | null> {
      const operations: Operation[] = [
        { op: 'put-catalog', catalog: { profiles: value.catalog } },
        ...value.operations,
      ];
      const outcome = await runSequence(session, { operations, probe: id !== 'lookups' }, signal);
      cases += outcome.steps.length;
      for (const s of outcome.steps) {
        const key = s.exchange.response === null ? 'none' : String(s.exchange.response.status);
        statuses[key] = (statuses[key] ?? 0) + 1;
      }
      for (const [point, option] of Object.entries(outcome.choices)) informational.add(`${point}: ${option}`);
      for (const d of outcome.deviations) informational.add(`${d.requirement} (non-strict): ${d.message}`);
      if (outcome.failure === null) return null;
      const step = outcome.steps[outcome.failure.step];
      return {
        message: `${step?.name ?? '?'}: ${outcome.failure.message}`,
        requirements: [outcome.failure.requirement],
        category: outcome.failure.category,
      };
    },
    describe(value): string {
      return [
        `catalog: ${JSON.stringify({ profiles: value.catalog })}`,
        ...value.operations.map(describeOperation),
      ].join('\n');
    },
    statistics: () => ({
      cases,
      tables: { 'HTTP status': { ...statuses } },
      attachments: [],
      informational: [...informational].slice(0, 50),
    }),
    regression(value, failure, origin) {
      return {
        $comment: `openmobile-profiles regression, ${origin.property} on ${origin.target}, seed ${origin.seed} path ${origin.path}`,
        vectors: [regressionVector(value, failure, origin)],
      };
    },
  };
}

/** A shrunk failure as a vector: the catalog, the operations before the last as setup, the last under test. */
export function regressionVector(
  value: ProfilesFuzzValue,
  failure: FuzzFailure,
  origin: { seed: number; path: string; property: string },
): Vector {
  let state: ModelEntry[] = [];
  const given: Operation[] = [];
  const all = [{ op: 'put-catalog', catalog: { profiles: value.catalog } } as Operation, ...value.operations];
  for (const op of all.slice(0, -1)) {
    const p = predict(state, op);
    if (p.kind === 'replaced' || p.kind === 'patched') state = p.next;
    if (p.kind === 'created') state = p.next(Math.max(0, ...state.map((e) => e.id)) + 1);
    given.push(op);
  }
  const when = all[all.length - 1] as Operation;
  const prediction = predict(state, when);
  const then: Then = { status: prediction.status };
  if (prediction.kind === 'profile')
    then.selects = { id: prediction.profile.id, platform: prediction.profile.platform, mode: prediction.profile.mode };
  if (prediction.kind === 'rejected' && prediction.violations[0] !== undefined) {
    then.rejects = { id: prediction.violations[0].id, field: prediction.violations[0].field };
  }
  const known = failure.requirements.filter((r) => {
    try {
      requirement(r);
      return true;
    } catch {
      return false;
    }
  });
  return {
    id: `omp:reg-${origin.property}-${origin.seed}-${origin.path.replace(/[^0-9]+/g, '-')}`
      .toLowerCase()
      .replace(/-+$/, ''),
    title: failure.message.split('\n')[0]?.slice(0, 200) ?? 'fuzz regression',
    area: 'regressions',
    requirements: known.length > 0 ? known : ['OMP-WIRE'],
    catalog: { profiles: value.catalog },
    // The first request loaded the catalog: the vector's `catalog` does that.
    given: given.slice(1),
    when,
    then,
  };
}
