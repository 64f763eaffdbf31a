/**
 * The client's one network exchange: `GET {service}v1/profiles/{pid}?platform=&mode=[&pin=]` over real
 * HTTP. Every emulated client shares one keep-alive agent, as one app process would, so thousands of
 * provisions reuse a handful of sockets instead of opening one each.
 */
import http from 'node:http';
import type { Mode, Platform, Profile } from '../../../src/core/types.ts';

// LIFO hands a request the socket that went idle last, which is the one most likely still warm in the
// caches; the pool is large enough that sessions running side by side never queue for a socket.
export const sharedAgent = new http.Agent({ keepAlive: true, maxSockets: 256, scheduling: 'lifo' });

export type FetchOutcome =
  | { kind: 'profile'; profile: Profile }
  | { kind: 'not-found' }
  /** The service answered a 5xx: a transient error on its side. */
  | { kind: 'transient'; status: number }
  /** The answer started (status line received) but the connection broke before the whole body. */
  | { kind: 'cut' }
  /** No answer at all: the connection was refused or dropped before a byte of response. */
  | { kind: 'unreachable'; reason: string }
  /** An answer the protocol does not describe (another status, a body that is not a profile). */
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
 * A profile service URL read once, so that each fetch hands Node a ready request target instead of a URL
 * string it would parse again per request. `direct` is null when the URL is one whose requests the
 * hand-built target could not reproduce byte for byte (not plain http, credentials, a query, a fragment,
 * or a spelling the URL parser would normalise); those fetches go through `profileUrl` as a string.
 */
export interface ProfileEndpoint {
  readonly serviceUrl: string;
  readonly direct: { readonly hostname: string; readonly port: number; readonly basePath: string } | null;
}

export function profileEndpoint(serviceUrl: string): ProfileEndpoint {
  const base = serviceUrl.endsWith('/') ? serviceUrl : `${serviceUrl}/`;
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
  // As urlToHttpOptions does for a URL string: no brackets around an IPv6 address, the scheme's port when
  // none is written.
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return { serviceUrl, direct: { hostname, port: url.port === '' ? 80 : Number(url.port), basePath: url.pathname } };
}

/**
 * What `fetchProfile` requests for `query`: the same request line and Host header `profileUrl` would give.
 * A URL string's path goes through the WHATWG parser, which resolves a `.` or `..` segment and
 * percent-encodes `'` in a query; encodeURIComponent leaves everything else in the form that parser keeps.
 */
export function profileTarget(endpoint: ProfileEndpoint, query: ProfileQuery): string | http.RequestOptions {
  const direct = endpoint.direct;
  if (direct === null || query.pid === '.' || query.pid === '..') return profileUrl(endpoint.serviceUrl, query);
  let pin = '';
  if (query.pin !== '') {
    pin = encodeURIComponent(query.pin);
    if (pin.includes("'")) pin = pin.replaceAll("'", '%27');
    pin = `&pin=${pin}`;
  }
  return {
    hostname: direct.hostname,
    port: direct.port,
    path: `${direct.basePath}v1/profiles/${encodeURIComponent(query.pid)}?platform=${query.platform}&mode=${query.mode}${pin}`,
    agent: sharedAgent,
  };
}

/**
 * Rejects only when `signal` aborts (with the signal's reason); every network outcome resolves. `target`
 * is a URL string or the options `profileTarget` prepared.
 */
export function fetchProfile(target: string | http.RequestOptions, signal?: AbortSignal): Promise<FetchOutcome> {
  return new Promise<FetchOutcome>((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    new ProfileFetch(target, signal, resolve, reject);
  });
}

/**
 * One exchange in flight. A class rather than closures: each fetch allocates one object, and the object is
 * itself the abort listener (`handleEvent`), added and removed per fetch. That is cheaper than handing
 * `signal` to http, which wires an abort listener and an end-of-stream watcher into every request.
 */
class ProfileFetch {
  private settled = false;
  private readonly request: http.ClientRequest | null = null;

  constructor(
    target: string | http.RequestOptions,
    private readonly signal: AbortSignal | undefined,
    private readonly resolve: (outcome: FetchOutcome) => void,
    private readonly reject: (reason: unknown) => void,
  ) {
    let request: http.ClientRequest;
    try {
      request = typeof target === 'string' ? http.get(target, { agent: sharedAgent }) : http.get(target);
    } catch (error) {
      this.settle({ kind: 'unreachable', reason: describe(error) });
      return;
    }
    this.request = request;
    signal?.addEventListener('abort', this);
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

  /** The signal aborted: reject at once and drop the exchange; whatever it still reports is ignored. */
  handleEvent(): void {
    if (this.settled || this.signal === undefined) return;
    this.settled = true;
    this.reject(abortReason(this.signal));
    this.request?.destroy();
  }

  private settle(outcome: FetchOutcome): void {
    if (this.settled) return;
    this.settled = true;
    this.signal?.removeEventListener('abort', this);
    this.resolve(outcome);
  }
}

function interpret(status: number, body: string): FetchOutcome {
  if (status === 404) return { kind: 'not-found' };
  if (status >= 500 && status <= 599) return { kind: 'transient', status };
  if (status !== 200) return { kind: 'unexpected', reason: `HTTP ${status}` };
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { kind: 'unexpected', reason: 'the profile is not JSON' };
  }
  const problem = profileProblem(value);
  return problem === null ? { kind: 'profile', profile: value as Profile } : { kind: 'unexpected', reason: problem };
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
