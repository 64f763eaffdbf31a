/**
 * The `openmobile-profiles` suite's contract: what a session on a profile server offers, the operations a
 * vector sends, and what the model predicts for them.
 */
import type { CatalogProfile, Mode, Platform, Profile } from '../../protocols/openmobile/types.ts';

export const SUITE_NAME = 'openmobile-profiles';
export const SPECIFICATION = 'Open Mobile profile service (portal profiles, adapter protocol 2)';

// ---------------------------------------------------------------------------------------------------------
// Sessions (the `profile-service` driver opens them; drivers cannot import this file, so the driver's
// session has this shape structurally)

import type { WireExchange, WireRequest, WireResponse } from '../../src/core/types.ts';
export type { WireExchange, WireRequest, WireResponse };

export type HttpMethod = 'GET' | 'PUT' | 'PATCH' | 'POST';

/** A connection to one profile server (with the reference server: its own catalog scope). */
export interface ProfileServerSession {
  /** Sends one request; `path` is relative to the server's base URL (`v1/profiles/12?platform=ios`). */
  exchange(request: { method: HttpMethod; path: string; body?: string }, signal: AbortSignal): Promise<WireExchange>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------
// The catalog as the portal keeps it

export type Published = 'draft' | 'test' | 'production';
export const PUBLISHED: readonly Published[] = ['draft', 'test', 'production'];

/** A catalog entry of the administration API: `published` is optional (absent: as far as its mode). */
export interface PortalProfile extends CatalogProfile {
  published?: Published;
}

export interface PortalCatalog {
  profiles: PortalProfile[];
}

/**
 * The model's catalog: every entry's `published` resolved. `platform` is `ios` or `android`, or another
 * platform a server chose to keep (the portal document describes Windows profiles: choice point
 * `OMP-CHOICE-OTHER-PLATFORM`); a lookup only ever asks for `ios` or `android`.
 */
export type ModelEntry = Omit<CatalogProfile, 'platform'> & { platform: string; published: Published };

// ---------------------------------------------------------------------------------------------------------
// Operations (one request each)

export interface LookupOperation {
  op: 'lookup';
  /** Sent as given (percent-encoded into the path). */
  pid: string;
  platform: Platform;
  mode: Mode;
  /** Absent: no `pin` parameter; `""`: an empty `pin=`. */
  pin?: string;
}

export interface PutCatalogOperation {
  op: 'put-catalog';
  /** Sent as JSON as is: a vector may send a catalog that breaks the portal's rules. */
  catalog: unknown;
}

export interface PatchOperation {
  op: 'patch';
  /** The path's ID, as given. */
  id: string;
  /** Narrow the entries of that ID (query `platform`, `mode`). */
  platform?: string;
  mode?: Mode;
  body: unknown;
}

export interface CreateOperation {
  op: 'create';
  body: unknown;
}

export type Operation = LookupOperation | PutCatalogOperation | PatchOperation | CreateOperation;

// ---------------------------------------------------------------------------------------------------------
// Vectors

export const AREAS = [
  'lookup',
  'profile-finder',
  'pin-rules',
  'favorites',
  'publication',
  'ids',
  'atomicity',
  'stateful-pairs',
  'regressions',
] as const;
export type Area = (typeof AREAS)[number];

/** What a vector states about its request under test (the loader checks the model agrees). */
export interface Then {
  status: number;
  /** A lookup's 200: the entry it selects. */
  selects?: { id: number; platform: Platform; mode: Mode };
  /** A 422: the profile ID (null: none yet) and field the rejection names; one of several when several break. */
  rejects?: { id: number | null; field: string };
}

export interface Vector {
  id: string;
  title: string;
  area: Area;
  requirements: string[];
  /** The catalog loaded (PUT) before the case: a name from the file's `catalogs`, resolved by the loader. */
  catalog: PortalCatalog;
  /** Administration requests that set the case up, in order; each must succeed. */
  given?: Operation[];
  when: Operation;
  then: Then;
  /** Set by the loader: `vectors/openmobile-profiles/<file>.json` or `fuzz:<property>`. */
  source?: string;
  /** The line the vector starts on in `source` (set by the loader). */
  line?: number;
}

// ---------------------------------------------------------------------------------------------------------
// The model's predictions

export interface Violation {
  /** The profile the rejection names (null: it has no valid ID, or it is being created). */
  id: number | null;
  field: string;
  /** The rule, in words. */
  rule: string;
  requirement: string;
  /** The rule is one option of this choice point (a server may choose otherwise and accept the request). */
  choice?: string;
}

/** An implementation-defined choice an answer shows (reported as informational, never a failure). */
export interface Choice {
  point: string;
  option: string;
}

/** What every prediction may carry besides its answer. */
export interface PredictionFrame {
  /** This answer is one option of a choice point (the others are among `alternatives`). */
  choice?: Choice;
  /** This answer breaks a SHOULD requirement (its ID): accepted, but the verdict is non-strict. */
  should?: string;
  /** Other answers the specification permits; the judge accepts the first that matches, and its state. */
  alternatives?: Prediction[];
}

export type Prediction = PredictionFrame &
  (
    | { kind: 'profile'; status: 200; profile: Profile; entry: ModelEntry; reason: string; requirement: string }
    | { kind: 'not-found'; status: 404; reason: string; requirement: string }
    | { kind: 'replaced'; status: 204; next: ModelEntry[]; requirement: string }
    | { kind: 'patched'; status: 200; entry: ModelEntry; next: ModelEntry[]; requirement: string }
    /** The generated ID is only known from the answer: `next` puts it in. */
    | {
        kind: 'created';
        status: 201;
        draft: Omit<ModelEntry, 'id'>;
        next: (id: number) => ModelEntry[];
        requirement: string;
      }
    | { kind: 'rejected'; status: 422; violations: Violation[]; requirement: string }
    /** PATCH of an ID with no entry, or several without a platform and mode to choose one. */
    | { kind: 'no-such-profile'; status: 404 | 400 | 422; reason: string; requirement: string }
  );

export type Severity = 'MUST' | 'SHOULD';

export interface Requirement {
  id: string;
  title: string;
  severity: Severity;
  /** The source sentence(s), verbatim. */
  quote: string;
  source: string;
}
