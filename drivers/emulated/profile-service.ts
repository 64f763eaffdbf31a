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
import type { ProfileService } from '../../src/core/driver.ts';
import type {
  Catalog,
  CatalogProfile,
  Mode,
  Platform,
  Profile,
  ProfileServiceFault,
  ProfileServiceHit,
  ProfileServiceScope,
} from '../../src/core/types.ts';

export interface ProfileServiceOptions {
  /** Interface to listen on; loopback unless a test needs otherwise. */
  host?: string;
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

/**
 * The catalog, indexed once per `setCatalog` so that a lookup costs a map access and the JSON of every
 * profile is serialised once, not per request (the service must sustain thousands of requests/s).
 */
class CatalogIndex {
  private readonly byId = new Map<number, CatalogProfile[]>();
  private readonly favorites = new Map<string, CatalogProfile>();
  private readonly answers = new Map<CatalogProfile, Answer>();

  constructor(catalog: Catalog) {
    for (const entry of catalog.profiles) {
      const list = this.byId.get(entry.id);
      if (list) list.push(entry);
      else this.byId.set(entry.id, [entry]);
      // The first favorite wins should a catalog name two for one company, platform and mode.
      const key = favoriteKey(entry.company, entry.platform, entry.mode);
      if (entry.favorite && !this.favorites.has(key)) this.favorites.set(key, entry);
      this.answers.set(entry, answer(200, JSON.stringify(publicProfile(entry))));
    }
  }

  /** docs/profile-service.md, "Lookup", rules 1 to 4. */
  lookup(query: LookupQuery): CatalogProfile | null {
    if (!DECIMAL.test(query.pid)) return null;
    const candidates = (this.byId.get(Number(query.pid)) ?? []).filter((p) => p.mode === query.mode);
    if (candidates.length === 0) return null;
    const own = candidates.find((p) => p.platform === query.platform);
    if (own) return pinMatches(own, query.pin) ? own : null;
    // Profile Finder: the ID names another platform's profile, so the company's favorite for this platform
    // and mode is selected. Favorites have no PIN, so the PIN is not checked.
    const company = candidates[0]?.company;
    if (company === undefined) return null;
    return this.favorites.get(favoriteKey(company, query.platform, query.mode)) ?? null;
  }

  answer(entry: CatalogProfile): Answer {
    return this.answers.get(entry) ?? answer(200, JSON.stringify(publicProfile(entry)));
  }
}

function favoriteKey(company: string, platform: Platform, mode: Mode): string {
  return `${company}\u0000${platform}\u0000${mode}`;
}

function pinMatches(entry: CatalogProfile, pin: string | undefined): boolean {
  const given = pin === undefined || pin === '' ? null : pin;
  return entry.pin === null ? given === null : given === entry.pin;
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
function parseServiceQuery(raw: string): Record<string, string> | null {
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
const unavailable = new Map<number, Answer>();

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
    this.index = catalog === null ? null : new CatalogIndex(catalog);
  }

  constructor(
    readonly id: string,
    baseUrl: string,
    private readonly onClose: (id: string) => void,
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

  requests(): ProfileServiceHit[] {
    return this.hits.map((hit) => ({ path: hit.path, query: { ...hit.query }, status: hit.status }));
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
 * Starts the profile service on `host` (loopback by default), port 0. Resolves once it listens.
 */
export async function startProfileService(
  catalog: Catalog,
  options: ProfileServiceOptions = {},
): Promise<ProfileService> {
  const host = options.host ?? '127.0.0.1';
  let index = new CatalogIndex(catalog);
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

    const answer: Answer =
      req.method !== 'GET'
        ? json(405, { error: 'method-not-allowed', message: `only GET is served, got ${req.method ?? '?'}` })
        : query === null
          ? json(400, { error: 'bad-request', message: 'the query string is not valid percent-encoding' })
          : answerLookup(path, query, scope?.index ?? index);

    const fault = scope?.fault ?? null;
    const hit: ProfileServiceHit = { path, query: query ?? {}, status: answer.status };
    scope?.hits.push(hit);
    const respond = () => {
      if (!res.destroyed && !res.writableEnded) answerWithFault(fault, hit, res, req, answer);
    };
    if (scope !== null && scope.holdRemaining > 0) {
      scope.holdRemaining--;
      scope.held.push(respond);
    } else {
      respond();
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
    server.listen(0, host, () => {
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
      const scope = new Scope(id, baseUrl, (gone) => scopes.delete(gone));
      scopes.set(id, scope);
      return scope;
    },
    setCatalog(next: Catalog): void {
      index = new CatalogIndex(next);
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
