/**
 * The client's one network exchange: `GET {service}v1/profiles/{pid}?platform=&mode=[&pin=]` over real
 * HTTP. Every emulated client shares one keep-alive connection pool per profile service, as one app process
 * would, so thousands of provisions reuse a handful of sockets instead of opening one each.
 *
 * The exchange goes through undici's dispatcher rather than Node's http client: the fuzzer sends thousands
 * of these a second on one core, and undici spends about a third less CPU per request on loopback. A
 * service URL the prepared request could not reproduce byte for byte (see `profileEndpoint`) still goes
 * through Node's http client as a URL string, so such a URL behaves exactly as it always did.
 */
import http from 'node:http';
import { Agent, type Dispatcher } from 'undici';
import type { Mode, Platform, Profile } from '../../../protocols/openmobile/types.ts';
import { memoTable } from '../memo.ts';

/**
 * One pool per profile service origin, shared by every emulated client of the process. Enough connections
 * per origin that sessions running side by side never queue (a request held by the service for an
 * overlapping-request case must not block the request delivered while it is in progress); one request per
 * connection at a time, as an app's HTTP stack does. Idle sockets do not keep the process alive.
 */
const sharedDispatcher = new Agent({
  connections: 256,
  pipelining: 1,
  // No timeouts of its own, as with Node's http client: a request held by the service (latency, an
  // overlapping-request case) waits as long as the case lets it, and the caller's signal ends it.
  headersTimeout: 0,
  bodyTimeout: 0,
});

/** The agent Node's http client uses for the URL-string fallback, with the same sharing. */
const fallbackAgent = new http.Agent({ keepAlive: true, maxSockets: 256, scheduling: 'lifo' });

export type FetchOutcome =
  | { kind: 'profile'; profile: Profile }
  | { kind: 'not-found' }
  /** The service answered a 5xx: a transient error on its side. */
  | { kind: 'transient'; status: number }
  /** The answer started (status line received) but the connection broke before the whole body. */
  | { kind: 'cut' }
  /** No answer at all: the connection was refused or dropped before a byte of response. */
  | { kind: 'unreachable'; reason: string }
  /** A status the protocol gives no meaning (not 200, 404 or 5xx). */
  | { kind: 'status'; status: number }
  /** A 200 whose body is not a profile. */
  | { kind: 'unexpected'; reason: string };

export interface ProfileQuery {
  pid: string;
  platform: Platform;
  mode: Mode;
  /** Sent only when non-empty. */
  pin: string;
}

export function profileUrl(serviceUrl: string, query: ProfileQuery): string {
  const base = serviceUrl.endsWith('/') ? serviceUrl : `${serviceUrl}/`;
  const pin = query.pin === '' ? '' : `&pin=${encodeURIComponent(query.pin)}`;
  return `${base}v1/profiles/${encodeURIComponent(query.pid)}?platform=${query.platform}&mode=${query.mode}${pin}`;
}

/**
 * A profile service URL read once, so that each fetch hands the dispatcher a ready origin and path instead
 * of a URL string it would parse again per request. `direct` is null when the URL is one whose requests the
 * hand-built target could not reproduce byte for byte (not plain http, credentials, a query, a fragment,
 * or a spelling the URL parser would normalise); those fetches go through `profileUrl` as a string.
 */
export interface ProfileEndpoint {
  readonly serviceUrl: string;
  readonly direct: { readonly origin: string; readonly basePath: string } | null;
}

/** A request prepared by `profileTarget`: sent as `GET {path}` to `origin`, with `Host` from the origin. */
export interface DirectTarget {
  readonly origin: string;
  readonly path: string;
}

/**
 * A path the URL parser keeps exactly as written: segments of unreserved characters other than `.`, each
 * ending in `/` (the profile service's scope paths, `/s/<id>/`). Other paths are left to the parser.
 */
const PLAIN_PATH = /^\/(?:[A-Za-z0-9_~-]+\/)*$/;

/** `http://host[:port]` prefixes already read: the service's scope URLs differ only in their path. */
const origins = memoTable<string, ProfileEndpoint['direct']>();
const ORIGINS_KEPT = 256;

/** Every reset makes a new client for its scope's URL: only the first URL of each origin is parsed in full. */
export function profileEndpoint(serviceUrl: string): ProfileEndpoint {
  const base = serviceUrl.endsWith('/') ? serviceUrl : `${serviceUrl}/`;
  const slash = base.startsWith('http://') ? base.indexOf('/', 'http://'.length) : -1;
  if (slash !== -1 && PLAIN_PATH.test(base.slice(slash))) {
    const prefix = base.slice(0, slash);
    let origin = origins.get(prefix);
    if (origin === undefined) {
      origin = parseEndpoint(`${prefix}/`, `${prefix}/`).direct;
      if (origins.size >= ORIGINS_KEPT) origins.clear();
      origins.set(prefix, origin);
    }
    return { serviceUrl, direct: origin === null ? null : { origin: origin.origin, basePath: base.slice(slash) } };
  }
  return parseEndpoint(serviceUrl, base);
}

function parseEndpoint(serviceUrl: string, base: string): ProfileEndpoint {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    return { serviceUrl, direct: null };
  }
  const plain =
    url.protocol === 'http:' &&
    url.username === '' &&
    url.password === '' &&
    url.search === '' &&
    url.hash === '' &&
    url.href === base;
  if (!plain) return { serviceUrl, direct: null };
  // The origin as the URL parser writes it (brackets around an IPv6 address, no port when it is 80): the
  // Host header is made from it, as Node's http client makes it from a URL string.
  return { serviceUrl, direct: { origin: url.origin, basePath: url.pathname } };
}

/**
 * What `fetchProfile` requests for `query`: the same request line and Host header `profileUrl` would give.
 * A URL string's path goes through the WHATWG parser, which resolves a `.` or `..` segment and
 * percent-encodes `'` in a query; encodeURIComponent leaves everything else in the form that parser keeps.
 */
export function profileTarget(endpoint: ProfileEndpoint, query: ProfileQuery): string | DirectTarget {
  const direct = endpoint.direct;
  if (direct === null || query.pid === '.' || query.pid === '..') return profileUrl(endpoint.serviceUrl, query);
  let pin = '';
  if (query.pin !== '') {
    pin = encodeURIComponent(query.pin);
    if (pin.includes("'")) pin = pin.replaceAll("'", '%27');
    pin = `&pin=${pin}`;
  }
  return {
    origin: direct.origin,
    path: `${direct.basePath}v1/profiles/${encodeURIComponent(query.pid)}?platform=${query.platform}&mode=${query.mode}${pin}`,
  };
}

/**
 * Rejects only when `signal` aborts (with the signal's reason); every network outcome resolves. `target`
 * is a URL string or what `profileTarget` prepared.
 */
export function fetchProfile(target: string | DirectTarget, signal?: AbortSignal): Promise<FetchOutcome> {
  return new Promise<FetchOutcome>((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    if (typeof target === 'string') new UrlFetch(target, signal, resolve, reject);
    else new DirectFetch(target, signal, resolve, reject);
  });
}

/**
 * What both kinds of exchange share: settling once, and the abort listener. The object is itself the
 * listener (`handleEvent`), added and removed per fetch, which is cheaper than a closure per fetch.
 */
abstract class Exchange {
  private settled = false;

  constructor(
    private readonly signal: AbortSignal | undefined,
    private readonly resolve: (outcome: FetchOutcome) => void,
    private readonly reject: (reason: unknown) => void,
  ) {}

  /** Drops the exchange in flight (whatever it still reports is ignored). */
  protected abstract drop(reason: unknown): void;

  protected listen(): void {
    this.signal?.addEventListener('abort', this);
  }

  /** The signal aborted: reject at once and drop the exchange. */
  handleEvent(): void {
    if (this.settled || this.signal === undefined) return;
    this.settled = true;
    const reason = abortReason(this.signal);
    this.reject(reason);
    this.drop(reason);
  }

  protected get done(): boolean {
    return this.settled;
  }

  protected settle(outcome: FetchOutcome): void {
    if (this.settled) return;
    this.settled = true;
    this.signal?.removeEventListener('abort', this);
    this.resolve(outcome);
  }
}

/**
 * One exchange through the shared undici dispatcher, as its handler. The outcome is told apart by whether
 * the status line had arrived when the exchange failed: after it, the answer was cut; before it, the
 * service was unreachable (refused, or the connection dropped before a byte of response).
 */
class DirectFetch extends Exchange implements Dispatcher.DispatchHandler {
  private status = 0;
  private chunks: Buffer[] = [];
  /** undici's abort for this request, once it is being sent; `aborted` is set if the signal came first. */
  private abort: ((error?: Error) => void) | null = null;
  private aborted: unknown = null;

  constructor(
    target: DirectTarget,
    signal: AbortSignal | undefined,
    resolve: (outcome: FetchOutcome) => void,
    reject: (reason: unknown) => void,
  ) {
    super(signal, resolve, reject);
    this.listen();
    sharedDispatcher.dispatch({ origin: target.origin, path: target.path, method: 'GET' }, this);
  }

  protected drop(reason: unknown): void {
    this.aborted = reason;
    this.abort?.(reason instanceof Error ? reason : undefined);
  }

  onConnect(abort: (error?: Error) => void): void {
    if (this.aborted !== null) abort(this.aborted instanceof Error ? this.aborted : undefined);
    else this.abort = abort;
  }

  onHeaders(statusCode: number): boolean {
    this.status = statusCode;
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.chunks.push(chunk);
    return true;
  }

  onComplete(): void {
    if (this.done) return;
    const chunks = this.chunks;
    // One chunk is the usual answer; decoding only at the end keeps a character split across chunks whole.
    const body = chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks).toString('utf8');
    this.settle(interpret(this.status, body));
  }

  onError(error: Error): void {
    this.settle(this.status === 0 ? { kind: 'unreachable', reason: describe(error) } : { kind: 'cut' });
  }
}

/** One exchange through Node's http client, for a service URL `profileEndpoint` would not prepare. */
class UrlFetch extends Exchange {
  private readonly request: http.ClientRequest | null = null;

  constructor(
    url: string,
    signal: AbortSignal | undefined,
    resolve: (outcome: FetchOutcome) => void,
    reject: (reason: unknown) => void,
  ) {
    super(signal, resolve, reject);
    let request: http.ClientRequest;
    try {
      request = http.get(url, { agent: fallbackAgent });
    } catch (error) {
      this.settle({ kind: 'unreachable', reason: describe(error) });
      return;
    }
    this.request = request;
    this.listen();
    request.on('error', (error) => this.settle({ kind: 'unreachable', reason: describe(error) }));
    request.on('response', (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('error', () => {
        /* reported through 'close' with complete === false */
      });
      response.on('close', () =>
        this.settle(response.complete ? interpret(response.statusCode ?? 0, body) : { kind: 'cut' }),
      );
    });
  }

  protected drop(): void {
    this.request?.destroy();
  }
}

function interpret(status: number, body: string): FetchOutcome {
  if (status === 404) return { kind: 'not-found' };
  if (status >= 500 && status <= 599) return { kind: 'transient', status };
  if (status !== 200) return { kind: 'status', status };
  // A service answers the same few profiles over and over: each body is read and checked once. The profile
  // is frozen, since every client that fetched that body shares it (clients only read their profile).
  let outcome = readBodies.get(body);
  if (outcome === undefined) {
    outcome = readBody(body);
    if (readBodies.size >= BODIES_KEPT) readBodies.clear();
    readBodies.set(body, outcome);
  }
  return outcome;
}

const BODIES_KEPT = 512;
const readBodies = memoTable<string, FetchOutcome>();

function readBody(body: string): FetchOutcome {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { kind: 'unexpected', reason: 'the profile is not JSON' };
  }
  const problem = profileProblem(value);
  return problem === null
    ? { kind: 'profile', profile: deepFreeze(value as Profile) }
    : { kind: 'unexpected', reason: problem };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}

function isOptionList(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    Array.isArray(v['options']) &&
    v['options'].every((o) => typeof o === 'string') &&
    typeof v['editable'] === 'boolean'
  );
}

/** Null when `value` is a usable profile, else what is wrong with it (a client must not trust the wire). */
function profileProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return 'the profile is not an object';
  const p = value as Record<string, unknown>;
  if (typeof p['id'] !== 'number') return 'profile.id is not a number';
  if (p['mode'] !== 'production' && p['mode'] !== 'test') return 'profile.mode is not production or test';
  if (!isOptionList(p['domains'])) return 'profile.domains is malformed';
  if (p['prefixes'] !== null && !isOptionList(p['prefixes'])) return 'profile.prefixes is malformed';
  if (typeof p['savePassword'] !== 'boolean') return 'profile.savePassword is not a boolean';
  const autologin = p['autologin'] as Record<string, unknown> | null | undefined;
  if (typeof autologin !== 'object' || autologin === null || typeof autologin['userControl'] !== 'boolean') {
    return 'profile.autologin is malformed';
  }
  return null;
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted', 'AbortError');
}
