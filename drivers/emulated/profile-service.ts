/**
 * The harness's profile service: the Open Mobile provisioning server a client under test fetches its
 * profile from (adapter protocol section 2, lookup rules in docs/profile-service.md), with per-session
 * scopes so that faults injected for one session never reach another session running beside it.
 *
 * The lookup is written here independently of the suite's model on purpose: the model predicts what a
 * client should end up with, this service is what the client actually talks to, and the two must not share
 * code or a bug in one would hide the same bug in the other.
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { ProfileService } from '../../protocols/openmobile/types.ts';
import type {
  Catalog,
  CatalogProfile,
  Mode,
  Platform,
  Profile,
  ProfileServiceFault,
  ProfileServiceHit,
  ProfileServiceScope,
} from '../../protocols/openmobile/types.ts';
import { SCOPE_HITS_KEPT } from '../../protocols/openmobile/types.ts';
import {
  isProfileServiceDefectId,
  PROFILE_SERVICE_DEFECTS,
  type ProfileServiceDefectId,
} from './openmobile-profiles/defects.ts';
import {
  defaultPublished,
  Portal,
  type AdminOutcome,
  type PortalEntry,
  type PortalVariant,
} from './openmobile-profiles/portal.ts';
import { memoTable } from './memo.ts';

export interface ProfileServiceOptions {
  /** Interface to listen on; loopback unless a test needs otherwise. */
  host?: string;
  /** Port to listen on; 0 (the default) picks a free one (`harness serve profiles --port` sets it). */
  port?: number;
  /**
   * Also serve the catalog administration endpoints (`PUT /v1/admin/catalog`, `PATCH` and `POST
   * /v1/admin/profiles`), with the portal's rules: only when the service itself is the target under test
   * (the `profile-service` driver). Off by default, so a client under test can never change the catalog.
   */
  admin?: boolean;
  /** Seeded defects (openmobile-profiles/defects.ts) to switch on; none by default. */
  defects?: readonly string[];
  /** Other conformant portal behaviours (openmobile-profiles/portal.ts, PORTAL_VARIANTS), for tests. */
  variants?: readonly PortalVariant[];
}

/** The lookup's seeded defects, read once so that a clean lookup only tests a few constant flags. */
interface LookupDefects {
  emptyPinNotNone: boolean;
  pinCaseInsensitive: boolean;
  pinOptional: boolean;
  finderNonFavorite: boolean;
  testFallsBack: boolean;
}

const NO_DEFECTS: LookupDefects = {
  emptyPinNotNone: false,
  pinCaseInsensitive: false,
  pinOptional: false,
  finderNonFavorite: false,
  testFallsBack: false,
};

function lookupDefects(defects: ReadonlySet<ProfileServiceDefectId>): LookupDefects {
  return {
    emptyPinNotNone: defects.has('empty-pin-not-none'),
    pinCaseInsensitive: defects.has('pin-case-insensitive'),
    pinOptional: defects.has('pin-optional'),
    finderNonFavorite: defects.has('finder-non-favorite'),
    testFallsBack: defects.has('test-falls-back-to-production'),
  };
}

/** The defect ids, checked: an unknown one is a mistake in the caller's options, named with the valid ids. */
function readDefects(ids: readonly string[] | undefined): Set<ProfileServiceDefectId> {
  const defects = new Set<ProfileServiceDefectId>();
  for (const id of ids ?? []) {
    if (!isProfileServiceDefectId(id)) {
      throw new RangeError(
        `profile service: unknown defect "${id}"; valid: ${PROFILE_SERVICE_DEFECTS.map((d) => d.id).join(', ')}`,
      );
    }
    defects.add(id);
  }
  return defects;
}

/** What a request for a profile asks for, once its query has been read. */
export interface LookupQuery {
  pid: string;
  platform: Platform;
  mode: Mode;
  /** Absent and empty mean the same: no PIN. */
  pin: string | undefined;
}

/**
 * A response ready to send, built once per catalog (or per constant answer) so that answering costs no
 * serialisation, no byte count and no header object per request.
 */
interface Answer {
  status: number;
  /** Sent as a string: Node then writes status line, headers and body in one write instead of two. */
  body: string;
  /** The body's bytes, for the `cut` fault, which sends half of them. */
  bytes: Buffer;
  headers: http.OutgoingHttpHeaders;
}

function answer(status: number, body: string): Answer {
  const bytes = Buffer.from(body, 'utf8');
  return { status, body, bytes, headers: { 'Content-Type': 'application/json', 'Content-Length': bytes.length } };
}

const DECIMAL = /^[0-9]+$/;
const PROFILES = '/v1/profiles/';
const ADMIN = '/v1/admin/';
const ADMIN_CATALOG = '/v1/admin/catalog';
const ADMIN_PROFILES = '/v1/admin/profiles';
/** A catalog of thousands of profiles fits; anything larger is a mistake, not a catalog. */
const MAX_ADMIN_BODY = 8 * 1024 * 1024;

/**
 * The catalog, indexed once per `setCatalog` so that a lookup costs a map access and the JSON of every
 * profile is serialised once, not per request (the service must sustain thousands of requests/s).
 */
class CatalogIndex {
  private readonly byId = new Map<number, CatalogProfile[]>();
  private readonly favorites = new Map<string, CatalogProfile>();
  /** The first profile of each company, platform and mode: what the `finder-non-favorite` defect selects. */
  private readonly firsts = new Map<string, CatalogProfile>();
  private readonly answers = new Map<CatalogProfile, Answer>();
  /** The catalog as the portal keeps it (with `published`), for the administration endpoints. */
  readonly entries: PortalEntry[];

  constructor(
    catalog: Catalog,
    private readonly defects: LookupDefects = NO_DEFECTS,
  ) {
    this.entries = catalog.profiles.map(portalEntry);
    for (const entry of this.entries) {
      const list = this.byId.get(entry.id);
      if (list) list.push(entry);
      else this.byId.set(entry.id, [entry]);
      // The first favorite wins should a catalog name two for one company, platform and mode.
      const key = favoriteKey(entry.company, entry.platform, entry.mode);
      if (entry.favorite && !this.favorites.has(key)) this.favorites.set(key, entry);
      if (!this.firsts.has(key)) this.firsts.set(key, entry);
    }
  }

  /** docs/profile-service.md, "Lookup", rules 1 to 4. */
  lookup(query: LookupQuery): CatalogProfile | null {
    if (!DECIMAL.test(query.pid)) return null;
    const all = this.byId.get(Number(query.pid)) ?? [];
    let candidates = all.filter((p) => p.mode === query.mode);
    if (candidates.length === 0 && this.defects.testFallsBack && query.mode === 'test') {
      candidates = all.filter((p) => p.mode === 'production');
    }
    if (candidates.length === 0) return null;
    const own = candidates.find((p) => p.platform === query.platform);
    if (own) return this.pinMatches(own, query.pin) ? own : null;
    // Profile Finder: the ID names another platform's profile, so the company's favorite for this platform
    // and mode is selected. Favorites have no PIN, so the PIN is not checked.
    const first = candidates[0];
    if (first === undefined) return null;
    const finder = this.defects.finderNonFavorite ? this.firsts : this.favorites;
    return finder.get(favoriteKey(first.company, query.platform, first.mode)) ?? null;
  }

  private pinMatches(entry: CatalogProfile, pin: string | undefined): boolean {
    const d = this.defects;
    const given = pin === undefined || (pin === '' && !d.emptyPinNotNone) ? null : pin;
    if (entry.pin === null) return given === null;
    if (given === null) return d.pinOptional;
    return d.pinCaseInsensitive ? given.toLowerCase() === entry.pin.toLowerCase() : given === entry.pin;
  }

  /**
   * Serialised on first use, then kept: a fuzz run's generated catalog lives for one run and is asked for
   * a profile or two of its dozens.
   */
  answer(entry: CatalogProfile): Answer {
    let found = this.answers.get(entry);
    if (found === undefined) {
      found = answer(200, JSON.stringify(publicProfile(entry)));
      this.answers.set(entry, found);
    }
    return found;
  }
}

function favoriteKey(company: string, platform: Platform, mode: Mode): string {
  return `${company}\u0000${platform}\u0000${mode}`;
}

/** A catalog without `published` (the harness's own) counts as published as far as each entry's mode. */
function portalEntry(profile: CatalogProfile): PortalEntry {
  const published = (profile as Partial<PortalEntry>).published;
  return published === undefined ? { ...profile, published: defaultPublished(profile.mode) } : (profile as PortalEntry);
}

/** The profile as the adapter protocol returns it: everything but what only the portal knows. */
export function publicProfile(entry: CatalogProfile): Profile {
  return {
    id: entry.id,
    company: entry.company,
    platform: entry.platform,
    mode: entry.mode,
    domains: { options: [...entry.domains.options], editable: entry.domains.editable },
    prefixes:
      entry.prefixes === null ? null : { options: [...entry.prefixes.options], editable: entry.prefixes.editable },
    savePassword: entry.savePassword,
    autologin: { userControl: entry.autologin.userControl, default: entry.autologin.default },
  };
}

/**
 * A query string read the way the adapter protocol writes it: percent-encoding only, so a `+` is a `+`
 * (clients encode with encodeURIComponent). The first of a repeated parameter wins.
 */
function parseServiceQuery(raw: string): Readonly<Record<string, string>> | null {
  // Clients send the same few queries (platform, mode, a PIN) again and again: each is read once. The
  // parsed query is frozen, since the hits of every scope that sent it share it.
  let known = parsedQueries.get(raw);
  if (known === undefined) {
    const parsed = readServiceQuery(raw);
    known = parsed === null ? null : Object.freeze(parsed);
    if (parsedQueries.size >= PARSED_QUERIES_KEPT) parsedQueries.clear();
    parsedQueries.set(raw, known);
  }
  return known;
}

const PARSED_QUERIES_KEPT = 512;
const parsedQueries = memoTable<string, Readonly<Record<string, string>> | null>();

function readServiceQuery(raw: string): Record<string, string> | null {
  const query: Record<string, string> = {};
  if (raw === '') return query;
  for (const pair of raw.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    try {
      const name = decodeComponent(eq === -1 ? pair : pair.slice(0, eq));
      const value = eq === -1 ? '' : decodeComponent(pair.slice(eq + 1));
      if (!Object.hasOwn(query, name)) query[name] = value;
    } catch {
      return null;
    }
  }
  return query;
}

/** decodeURIComponent, skipped for the usual component that has nothing to decode. */
function decodeComponent(raw: string): string {
  return raw.includes('%') ? decodeURIComponent(raw) : raw;
}

function json(status: number, value: unknown): Answer {
  return answer(status, JSON.stringify(value));
}

const NOT_FOUND = json(404, { error: 'not-found' });
const UNKNOWN_SCOPE = json(404, { error: 'unknown-scope' });
const UNAVAILABLE_BODY = JSON.stringify({ error: 'unavailable' });
/** The answer of each injected status, built on first use: a scope keeps its fault for many requests. */
const unavailable = memoTable<number, Answer>();

function unavailableAnswer(status: number): Answer {
  let found = unavailable.get(status);
  if (found === undefined) {
    found = answer(status, UNAVAILABLE_BODY);
    unavailable.set(status, found);
  }
  return found;
}

class Scope implements ProfileServiceScope {
  readonly url: string;
  fault: ProfileServiceFault | null = null;
  closed = false;
  readonly hits: ProfileServiceHit[] = [];
  /** This scope's own catalog (null: the service's). */
  index: CatalogIndex | null = null;

  setCatalog(catalog: Catalog | null): void {
    this.index = catalog === null ? null : new CatalogIndex(catalog, this.defects);
  }

  constructor(
    readonly id: string,
    baseUrl: string,
    private readonly onClose: (id: string) => void,
    private readonly defects: LookupDefects = NO_DEFECTS,
  ) {
    this.url = `${baseUrl}s/${id}/`;
  }

  setFault(fault: ProfileServiceFault | null): void {
    if (fault !== null) assertFault(fault);
    this.fault = fault;
  }

  /** Answers waiting for `release`, and how many more arriving requests are to be held. */
  held: (() => void)[] = [];
  holdRemaining = 0;

  hold(count = 1): () => void {
    this.holdRemaining = count;
    return () => this.release();
  }

  private release(): void {
    const waiting = this.held;
    this.held = [];
    this.holdRemaining = 0;
    for (const answer of waiting) answer();
  }

  /** Every request received, of which `hits` keeps the most recent SCOPE_HITS_KEPT. */
  received = 0;

  record(hit: ProfileServiceHit): void {
    this.received++;
    this.hits.push(hit);
    // Drop the oldest in one go now and then, not one at a time: a long-lived scope stays small and cheap.
    if (this.hits.length > 2 * SCOPE_HITS_KEPT) this.hits.splice(0, this.hits.length - SCOPE_HITS_KEPT);
  }

  requestCount(): number {
    return this.received;
  }

  requests(): ProfileServiceHit[] {
    return this.hits
      .slice(-SCOPE_HITS_KEPT)
      .map((hit) => ({ path: hit.path, query: { ...hit.query }, status: hit.status }));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.release();
    this.onClose(this.id);
  }
}

function assertFault(fault: ProfileServiceFault): void {
  switch (fault.kind) {
    case 'status':
      if (!Number.isInteger(fault.status) || fault.status < 100 || fault.status > 599) {
        throw new RangeError(
          `profile service fault: status must be an HTTP status (100-599), got ${String(fault.status)}`,
        );
      }
      return;
    case 'latency':
      if (!Number.isFinite(fault.ms) || fault.ms < 0) {
        throw new RangeError(
          `profile service fault: latency ms must be a non-negative number, got ${String(fault.ms)}`,
        );
      }
      return;
    case 'cut':
    case 'offline':
      return;
    default: {
      const unknown: never = fault;
      throw new RangeError(`profile service fault: unknown kind in ${JSON.stringify(unknown)}`);
    }
  }
}

/**
 * Starts the profile service on `host` (loopback by default) and `port` (default 0, a free one). Resolves once
 * it listens.
 */
export async function startProfileService(
  catalog: Catalog,
  options: ProfileServiceOptions = {},
): Promise<ProfileService> {
  const host = options.host ?? '127.0.0.1';
  const defects = readDefects(options.defects);
  const flags = defects.size === 0 ? NO_DEFECTS : lookupDefects(defects);
  const portal = options.admin === true ? new Portal(defects, options.variants) : null;
  let index = new CatalogIndex(catalog, flags);
  const scopes = new Map<string, Scope>();
  const timers = new Set<NodeJS.Timeout>();
  let scopeCounter = 0;
  // A per-run random part keeps scope URLs of two services (or two runs) from ever being confused.
  const runTag = randomBytes(3).toString('hex');

  function answerLookup(path: string, query: Record<string, string>, index: CatalogIndex): Answer {
    if (!path.startsWith(PROFILES) || path.indexOf('/', PROFILES.length) !== -1) return NOT_FOUND;
    let pid: string;
    try {
      pid = decodeComponent(path.slice(PROFILES.length));
    } catch {
      return json(400, { error: 'bad-request', message: 'the profile ID in the path is not valid percent-encoding' });
    }
    const platform = query['platform'];
    if (platform !== 'ios' && platform !== 'android') {
      return json(400, {
        error: 'bad-request',
        message: `platform must be "ios" or "android", got ${platform === undefined ? 'nothing' : JSON.stringify(platform)}`,
      });
    }
    const mode = query['mode'] ?? 'production';
    if (mode !== 'production' && mode !== 'test') {
      return json(400, {
        error: 'bad-request',
        message: `mode must be "production" or "test", got ${JSON.stringify(mode)}`,
      });
    }
    const found = index.lookup({ pid, platform, mode, pin: query['pin'] });
    return found === null ? NOT_FOUND : index.answer(found);
  }

  function send(res: http.ServerResponse, answer: Answer): void {
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  }

  function cut(res: http.ServerResponse, answer: Answer): void {
    const body = answer.bytes;
    res.writeHead(answer.status, answer.headers);
    // Destroy only once the half body has reached the socket, so the client really sees a truncated body
    // and not just a reset before the status line.
    res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.destroy());
  }

  /**
   * The catalog administration endpoints (adapter protocol section 2). They act on the scope's catalog when
   * called under a scope's URL (a session's own catalog, so sessions testing the service run side by side),
   * else on the service's. Faults and holds are for lookups only.
   */
  function handleAdmin(
    portal: Portal,
    req: http.IncomingMessage,
    res: http.ServerResponse,
    scope: Scope | null,
    path: string,
    query: Record<string, string> | null,
  ): void {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_ADMIN_BODY) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => {
      const outcome = adminOutcome(
        portal,
        req.method ?? '?',
        path,
        query,
        tooLarge ? null : Buffer.concat(chunks),
        scope,
      );
      if (outcome.next !== null) {
        const next = new CatalogIndex({ profiles: outcome.next }, flags);
        if (scope !== null) scope.index = next;
        else index = next;
      }
      scope?.record({ path, query: query ?? {}, status: outcome.status });
      if (outcome.status === 204) {
        res.writeHead(204);
        res.end();
      } else send(res, json(outcome.status, outcome.body));
    });
  }

  function adminOutcome(
    portal: Portal,
    method: string,
    path: string,
    query: Record<string, string> | null,
    body: Buffer | null,
    scope: Scope | null,
  ): AdminOutcome | { status: 400 | 404 | 405 | 413; body: unknown; next: null } {
    const current = (scope?.index ?? index).entries;
    // `/v1/admin/profiles/` is a PATCH of the empty ID (which names no profile: 404), not the collection.
    const isProfiles = path === ADMIN_PROFILES;
    const isOneProfile = path.startsWith(`${ADMIN_PROFILES}/`);
    const allowed = path === ADMIN_CATALOG ? 'PUT' : isProfiles ? 'POST' : isOneProfile ? 'PATCH' : null;
    if (allowed === null) return { status: 404, body: { error: 'not-found' }, next: null };
    if (method !== allowed) {
      return {
        status: 405,
        body: { error: 'method-not-allowed', message: `${path} takes ${allowed}, got ${method}` },
        next: null,
      };
    }
    if (body === null) {
      return {
        status: 413,
        body: { error: 'too-large', message: `the body exceeds ${MAX_ADMIN_BODY} bytes` },
        next: null,
      };
    }
    if (query === null) {
      return {
        status: 400,
        body: { error: 'bad-request', message: 'the query string is not valid percent-encoding' },
        next: null,
      };
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      return { status: 400, body: { error: 'bad-request', message: 'the body is not JSON' }, next: null };
    }
    if (allowed === 'PUT') return portal.replaceCatalog(parsed);
    if (allowed === 'POST') return portal.createProfile(current, parsed);
    let id: string;
    try {
      id = decodeComponent(path.slice(ADMIN_PROFILES.length + 1));
    } catch {
      return {
        status: 400,
        body: { error: 'bad-request', message: 'the profile ID in the path is not valid percent-encoding' },
        next: null,
      };
    }
    return portal.patchProfile(current, id, { platform: query['platform'], mode: query['mode'] }, parsed);
  }

  function handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const target = req.url ?? '/';
    const q = target.indexOf('?');
    const pathname = q === -1 ? target : target.slice(0, q);
    const query = parseServiceQuery(q === -1 ? '' : target.slice(q + 1));

    let scope: Scope | null = null;
    let path = pathname;
    if (pathname.startsWith('/s/')) {
      const end = pathname.indexOf('/', 3);
      const id = end === -1 ? pathname.slice(3) : pathname.slice(3, end);
      const found = scopes.get(id);
      if (!found) {
        send(res, UNKNOWN_SCOPE);
        return;
      }
      scope = found;
      path = end === -1 ? '/' : pathname.slice(end);
    }
    if (portal !== null && path.startsWith(ADMIN)) {
      handleAdmin(portal, req, res, scope, path, query);
      return;
    }

    const answer: Answer =
      req.method !== 'GET'
        ? json(405, { error: 'method-not-allowed', message: `only GET is served, got ${req.method ?? '?'}` })
        : query === null
          ? json(400, { error: 'bad-request', message: 'the query string is not valid percent-encoding' })
          : answerLookup(path, query, scope?.index ?? index);

    const fault = scope?.fault ?? null;
    const hit: ProfileServiceHit = { path, query: query ?? {}, status: answer.status };
    scope?.record(hit);
    if (scope !== null && scope.holdRemaining > 0) {
      scope.holdRemaining--;
      scope.held.push(() => {
        if (!res.destroyed && !res.writableEnded) answerWithFault(fault, hit, res, req, answer);
      });
    } else if (!res.destroyed && !res.writableEnded) {
      answerWithFault(fault, hit, res, req, answer);
    }
  }

  function answerWithFault(
    fault: ProfileServiceFault | null,
    hit: ProfileServiceHit,
    res: http.ServerResponse,
    req: http.IncomingMessage,
    answer: Answer,
  ): void {
    if (fault === null) {
      send(res, answer);
      return;
    }
    switch (fault.kind) {
      case 'offline':
        hit.status = 'offline';
        req.socket.destroy();
        return;
      case 'status':
        hit.status = fault.status;
        send(res, unavailableAnswer(fault.status));
        return;
      case 'cut':
        hit.status = 'cut';
        cut(res, answer);
        return;
      case 'latency': {
        if (fault.ms === 0) {
          // The delayed path without a wait: the next turn of the event loop. A 0 ms timer is Node's 1 ms
          // minimum, during which a process with nothing else to do (the fuzzer on one core) sits idle.
          const later = setImmediate(() => {
            if (!res.destroyed && !res.writableEnded) send(res, answer);
          });
          res.once('close', () => clearImmediate(later));
          return;
        }
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (!res.destroyed && !res.writableEnded) send(res, answer);
        }, fault.ms);
        timers.add(timer);
        res.once('close', () => {
          clearTimeout(timer);
          timers.delete(timer);
        });
        return;
      }
    }
  }

  const server = http.createServer({ keepAlive: true }, handle);
  // Longer than a client's idle keep-alive socket lives (the server announces this timeout in its
  // Keep-Alive header, which Node's agent honours), so a client never reuses a socket being closed.
  server.keepAliveTimeout = 30_000;
  server.headersTimeout = 35_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostInUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const baseUrl = `http://${hostInUrl}:${address.port}/`;
  let closed: Promise<void> | null = null;

  return {
    baseUrl,
    scope(): ProfileServiceScope {
      if (closed) throw new Error('profile service: scope() called after close()');
      const id = `${runTag}${(++scopeCounter).toString(36)}`;
      const scope = new Scope(id, baseUrl, (gone) => scopes.delete(gone), flags);
      scopes.set(id, scope);
      return scope;
    },
    setCatalog(next: Catalog): void {
      index = new CatalogIndex(next, flags);
    },
    close(): Promise<void> {
      closed ??= new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        for (const scope of scopes.values()) scope.closed = true;
        scopes.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
