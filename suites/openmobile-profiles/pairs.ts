/**
 * Stateful pairs: every ordered pair of the administration operations that change a profile server's
 * catalog (a PIN set or removed, a favorite set or unset, a profile published further, a profile created,
 * a favorite created), on the portal catalog (`catalogs.json`, `portal`): the first as a setup request, so it
 * must succeed, the second as the request under test. Every admin request is followed by the suite's state
 * probes (a lookup of every entry, judge.ts), so what the first left behind is checked twice: by the probes
 * and by the second request's answer, which depends on it (a PIN frozen by a publication, a favorite that
 * takes the place of the only one allowed, a favorite whose PIN was removed first). A server whose rules
 * read a stale catalog, or that applies part of a request, fails one of these without any fuzzing.
 *
 * The expectations come from this file's own small oracle ({@link Portal}), written from the portal rules
 * the suite reads (docs/profile-service.md), not from the suite's model; the loader checks every generated
 * vector against the model as it checks a vector file, so the two must agree. A first operation the portal
 * rejects changes nothing (OMP-ADMIN-ATOMIC), so only the accepted ones start a pair; every operation is a
 * second one.
 */
import type { Operation, PortalCatalog, PortalProfile, Then, Vector } from './types.ts';

/** The operations paired, by the name their case ids use. */
export const PAIR_OPERATIONS = [
  'pin-303',
  'unpin-300',
  'fav-303',
  'fav-300',
  'publish-300',
  'publish-303',
  'unfav-310',
  'fav-311',
  'create-android-fav',
  'create-ios-fav',
] as const;
export type PairOperation = (typeof PAIR_OPERATIONS)[number];

/** The catalog of catalogs.json the pairs start from. */
export const PAIRS_CATALOG = 'portal';

interface Entry {
  id: number | null;
  company: string;
  platform: string;
  mode: string;
  pin: string | null;
  favorite: boolean;
  published: 'draft' | 'test' | 'production';
}

const ORDER = ['draft', 'test', 'production'];

/**
 * The pairs' own oracle: a PIN may change only while the profile is a draft; a favorite has no PIN; one
 * favorite per company, platform and mode; publication only goes forward; a rejected request changes
 * nothing; a created profile gets a new ID.
 */
class Portal {
  readonly entries: Entry[];
  readonly requirements = new Set<string>();

  constructor(catalog: PortalCatalog) {
    this.entries = catalog.profiles.map((p: PortalProfile) => ({
      id: p.id,
      company: p.company,
      platform: p.platform,
      mode: p.mode,
      pin: p.pin,
      favorite: p.favorite,
      published: p.published ?? p.mode,
    }));
  }

  private entry(id: number): Entry {
    const found = this.entries.find((e) => e.id === id);
    if (found === undefined) throw new Error(`stateful pairs: the portal catalog has no profile ${id}`);
    return found;
  }

  /** Why `next` (replacing `current`, or new) breaks a rule: the first (id, field) a server may name. */
  private violation(next: Entry, current: Entry | null): { id: number | null; field: string } | null {
    if (current !== null && current.published !== 'draft' && next.pin !== current.pin) {
      this.requirements.add('OMP-PIN-FROZEN');
      return { id: next.id, field: 'pin' };
    }
    if (next.favorite && next.pin !== null) {
      this.requirements.add('OMP-FAVORITE-NO-PIN');
      return { id: next.id, field: 'pin' };
    }
    const rival = this.entries.find(
      (e) =>
        e !== current &&
        e.favorite &&
        e.company === next.company &&
        e.platform === next.platform &&
        e.mode === next.mode,
    );
    if (next.favorite && rival !== undefined) {
      this.requirements.add('OMP-FAVORITE-ONE');
      return { id: next.id, field: 'favorite' };
    }
    return null;
  }

  /** The operation and what it must get, the catalog changed where it is accepted. */
  apply(op: PairOperation): { operation: Operation; then: Then } {
    const patch = (id: number, body: Partial<Entry>): { operation: Operation; then: Then } => {
      this.requirements.add('OMP-ADMIN-PATCH');
      const current = this.entry(id);
      const next = { ...current, ...body };
      if (body.favorite === true) this.requirements.add('OMP-FAVORITE-ONE');
      if (body.published !== undefined) this.requirements.add('OMP-PUBLISH-FORWARD');
      const operation: Operation = { op: 'patch', id: String(id), body };
      const rejected = this.violation(next, current);
      if (rejected !== null) {
        this.requirements.add('OMP-ADMIN-ATOMIC');
        return { operation, then: { status: 422, rejects: rejected } };
      }
      Object.assign(current, body);
      return { operation, then: { status: 200 } };
    };
    const create = (platform: 'android' | 'ios'): { operation: Operation; then: Then } => {
      this.requirements.add('OMP-ID-GENERATED').add('OMP-FAVORITE-ONE');
      const body = {
        company: 'acme',
        platform,
        mode: 'production',
        pin: null,
        favorite: true,
        domains: { options: ['acme.example'], editable: false },
        prefixes: null,
        savePassword: true,
        autologin: { userControl: true, default: false },
      };
      const entry: Entry = { ...body, id: null, published: 'production' };
      const operation: Operation = { op: 'create', body };
      const rejected = this.violation(entry, null);
      if (rejected !== null) {
        this.requirements.add('OMP-ADMIN-ATOMIC');
        return { operation, then: { status: 422, rejects: rejected } };
      }
      this.entries.push({ ...entry, id: Math.max(...this.entries.map((e) => e.id ?? 0)) + 1 });
      return { operation, then: { status: 201 } };
    };
    switch (op) {
      case 'pin-303':
        return patch(303, { pin: 'Pin303' });
      case 'unpin-300':
        return patch(300, { pin: null });
      case 'fav-303':
        return patch(303, { favorite: true });
      case 'fav-300':
        return patch(300, { favorite: true });
      case 'publish-300':
        return patch(300, { published: next(this.entry(300).published) });
      case 'publish-303':
        return patch(303, { published: 'production' });
      case 'unfav-310':
        return patch(310, { favorite: false });
      case 'fav-311':
        return patch(311, { pin: null, favorite: true });
      case 'create-android-fav':
        return create('android');
      case 'create-ios-fav':
        return create('ios');
    }
  }
}

/** The next step of publication (production stays). */
function next(published: Entry['published']): Entry['published'] {
  return (ORDER[Math.min(ORDER.indexOf(published) + 1, ORDER.length - 1)] ?? 'production') as Entry['published'];
}

const TITLES: Record<PairOperation, string> = {
  'pin-303': 'a PIN set on draft 303',
  'unpin-300': "draft 300's PIN removed",
  'fav-303': '303 made the Android favorite',
  'fav-300': '300 (with a PIN) made the Android favorite',
  'publish-300': '300 published further',
  'publish-303': '303 published to production',
  'unfav-310': "310 no longer acme's iOS favorite",
  'fav-311': '311 made the iOS favorite, its PIN removed',
  'create-android-fav': 'a new Android favorite created',
  'create-ios-fav': 'a new iOS favorite created',
};

/** The vector of one ordered pair, or null where the first operation is rejected (it would change nothing). */
export function pairVector(catalog: PortalCatalog, first: PairOperation, second: PairOperation): Vector | null {
  const portal = new Portal(catalog);
  const setup = portal.apply(first);
  if (setup.then.status >= 400) return null;
  const when = portal.apply(second);
  return {
    id: `omp:gen-pair-${first}-then-${second}`,
    title: `On the portal catalog: ${TITLES[first]}, then ${TITLES[second]}`,
    area: 'stateful-pairs',
    requirements: [...portal.requirements].sort(),
    catalog,
    given: [setup.operation],
    when: when.operation,
    then: when.then,
  };
}

/** Every ordered pair of {@link PAIR_OPERATIONS} whose first operation the portal accepts. */
export function buildPairVectors(catalogs: Readonly<Record<string, PortalCatalog>>): Vector[] {
  const catalog = catalogs[PAIRS_CATALOG];
  if (catalog === undefined) throw new Error(`stateful pairs: catalogs.json has no "${PAIRS_CATALOG}" catalog`);
  const vectors: Vector[] = [];
  for (const first of PAIR_OPERATIONS)
    for (const second of PAIR_OPERATIONS) {
      const vector = pairVector(catalog, first, second);
      if (vector !== null) vectors.push(vector);
    }
  return vectors;
}
