/**
 * The HTTP client every driver that speaks HTTP shares (the adapter protocol's transport.ts; swivel,
 * surepassid, profile-service): keep-alive connection pools, one deadline per request from sending to the
 * last body byte, the caller's AbortSignal, a limit on the answer's size. It reports what happened in
 * neutral terms (`WireOutcome`); each driver words that in its own records, so moving the drivers here
 * changed no message a suite or a report sees.
 *
 * `http:` origins go through drivers/http/h1.ts, a lean HTTP/1.1 client on `net` sockets; `https:` ones (and
 * every origin with `client: 'undici'`) through undici. Why not `node:http`: its client costs about three
 * times autocannon's CPU per request (a ClientRequest, an IncomingMessage and their streams, a timer and two
 * listeners each time). undici hands body chunks to a plain handler object, but its dispatcher still costs
 * more than all of autocannon's per-request work; h1.ts writes one pre-built string per request and reads a
 * whole head with one search (bench/servers.ts). The rest of the per-request work is kept flat as well: one
 * deadline queue per client instead of a timer per request, and one abort listener per signal instead of one
 * per request (the runner gives a case one signal for all its requests).
 */
import { Pool, type Dispatcher } from 'undici';
import { printable } from '../../src/core/errors.ts';
import { H1Pool, type H1Controller, type H1Failure, type H1Handler } from './h1.ts';

/** What became of one request. `ms` counts from `send` to the outcome. */
export type WireOutcome =
  | {
      kind: 'answer';
      status: number;
      contentType: string | null;
      location: string | null;
      /** The body's bytes; with `oversize: 'truncate'`, only the chunks that fit the limit. */
      body: Buffer;
      ms: number;
    }
  /**
   * No complete answer before the deadline (a hang, or a body dripping too slowly). `status` is null when
   * not even the answer's head had arrived; `partial` is the body received by then (for error messages).
   */
  | { kind: 'timeout'; status: number | null; partial: Buffer; ms: number }
  /** With `oversize: 'fail'`: the body grew past the limit; the connection was dropped. */
  | { kind: 'oversize'; status: number; partial: Buffer; ms: number }
  /** The answer's head arrived, then the connection closed or broke before its end. */
  | { kind: 'cut'; status: number; partial: Buffer; ms: number }
  /**
   * No answer: the connection could not be made (`connected: false`: refused, unknown host, TLS) or broke
   * before an answer's head (closed, reset, bytes that are not HTTP). `code` and `message` as Node's own
   * http client words them (`ECONNRESET` "socket hang up", `HPE_INVALID_CONSTANT` "Parse Error: ...").
   */
  | {
      kind: 'failed';
      connected: boolean;
      code: string | null;
      message: string;
      ms: number;
      /** Bytes that are not HTTP (h1.ts only): how the server's answer began, at most 64 bytes. */
      received?: Buffer;
    }
  /** The caller's signal aborted (before sending or while waiting); `reason` is the signal's. */
  | { kind: 'aborted'; reason: unknown; ms: number };

export interface WireOptions {
  /** The deadline of a request, sending to last body byte, unless a call gives its own. */
  timeoutMs: number;
  maxBodyBytes: number;
  /** Past `maxBodyBytes`: `fail` the request, or `truncate` (keep reading, keep only what fits). */
  oversize: 'fail' | 'truncate';
  /** Connections per origin. */
  connections: number;
  /**
   * Send a request once more, on a fresh connection, when a kept-alive connection that had already carried
   * an answer closes before any byte of this one's: the server closed it while idle and the request crossed
   * that close (the request never reached the application). Off by default: a second send is not free for
   * a server under test that acts on every request.
   */
  retryStaleConnection?: boolean;
  /**
   * The client for `http:` origins: `lean` (h1.ts, the default) or `undici`. `https:` always goes through
   * undici. Both keep every behaviour above; `undici` is there to compare against.
   */
  client?: 'lean' | 'undici';
}

export interface WireCall {
  /** `http(s)://host[:port]`, as `new URL(..).origin` gives it. */
  origin: string;
  /** The path and query, already in the form `new URL(..)` gives them (see `splitUrl`). */
  path: string;
  method: string;
  /** Sent as given (no copy is made: callers may share one object between requests). */
  headers: Record<string, string>;
  body: string | null;
  signal: AbortSignal;
  /** This request's deadline instead of the client's `timeoutMs`. */
  timeoutMs?: number;
}

/** `origin` and `path` of an absolute URL, normalised by the WHATWG parser; throws on a malformed one. */
export function splitUrl(url: string | URL): { origin: string; path: string } {
  const parsed = typeof url === 'string' ? new URL(url) : url;
  return { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
}

/**
 * Paths a relative reference can be appended to a base as plain text, giving what `new URL(path, base)`
 * would: no scheme, no `.`/`..` segment, no backslash, fragment, space or character the parser escapes.
 * Anything else goes through `new URL`. Its only use is sparing a parse per request on the hot path.
 */
const PLAIN_PATH = /^[A-Za-z0-9\-._~!$*+,;=@/]*(\?[A-Za-z0-9\-._~!$*+,;=@/?:&%]+)?$/;
const DOT_SEGMENT = /(^|\/)\.{1,2}(\/|\?|$)/;

/** A base URL parsed once, for `resolveUnder`. */
export interface ParsedBase {
  /** Its href; for plain-text resolution it must end in `/` (a directory). */
  href: string;
  origin: string;
  /** Its pathname (ends in `/` too). */
  pathname: string;
}

export function parseBase(url: string): ParsedBase {
  const parsed = new URL(url);
  return { href: parsed.href, origin: parsed.origin, pathname: parsed.pathname };
}

/**
 * `new URL(path, base)` as `{ href, origin, path }`, without parsing when the path is plain (PLAIN_PATH) and
 * the base a directory. Throws as `new URL` does on what cannot be resolved.
 */
export function resolveUnder(base: ParsedBase, path: string): { href: string; origin: string; path: string } {
  if (base.href.endsWith('/') && PLAIN_PATH.test(path) && !DOT_SEGMENT.test(path) && !path.startsWith('//')) {
    return path.startsWith('/')
      ? { href: `${base.origin}${path}`, origin: base.origin, path }
      : { href: `${base.href}${path}`, origin: base.origin, path: `${base.pathname}${path}` };
  }
  const parsed = new URL(path, base.href);
  return { href: parsed.href, origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
}

/** A client for any number of origins: one connection pool each (h1.ts's or undici's), made on first use. */
export class Wire {
  readonly #options: WireOptions;
  readonly #pools = new Map<string, Pool | H1Pool>();
  readonly deadlines = new Deadlines();
  #closed = false;

  constructor(options: WireOptions) {
    this.#options = options;
  }

  get timeoutMs(): number {
    return this.#options.timeoutMs;
  }

  get maxBodyBytes(): number {
    return this.#options.maxBodyBytes;
  }

  get truncates(): boolean {
    return this.#options.oversize === 'truncate';
  }

  get retriesStale(): boolean {
    return this.#options.retryStaleConnection === true;
  }

  /** Never rejects: every way a request can end is a `WireOutcome`. */
  send(call: WireCall): Promise<WireOutcome> {
    if (call.signal.aborted) return Promise.resolve({ kind: 'aborted', reason: call.signal.reason, ms: 0 });
    if (this.#closed) {
      return Promise.resolve({
        kind: 'failed',
        connected: false,
        code: 'ERR_CLIENT_CLOSED',
        message: 'the client was closed',
        ms: 0,
      });
    }
    return new Promise<WireOutcome>((resolve) => {
      const pending = new Pending(this, call, resolve);
      this.deadlines.add(pending);
      watchSignal(call.signal, pending);
      pending.dispatch();
    });
  }

  pool(origin: string): Pool | H1Pool {
    let pool = this.#pools.get(origin);
    if (pool === undefined) {
      const { timeoutMs, connections } = this.#options;
      if (origin.startsWith('http:') && this.#options.client !== 'undici') {
        pool = new H1Pool(origin, { connections, connectTimeoutMs: timeoutMs + 1000 });
        this.#pools.set(origin, pool);
        return pool;
      }
      // undici's own phase timeouts back up the deadline (which always comes first) rather than replace
      // it: they restart per phase, so a server dripping its body would never trip them.
      pool = new Pool(origin, {
        connections,
        pipelining: 1,
        headersTimeout: timeoutMs + 1000,
        bodyTimeout: timeoutMs + 1000,
        connect: { timeout: timeoutMs + 1000 },
      });
      this.#pools.set(origin, pool);
    }
    return pool;
  }

  /** Drops every connection; requests still in flight end as `failed`. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(pools.map((p) => (p instanceof H1Pool ? p.close() : p.destroy().catch(() => {}))));
    this.deadlines.clear();
  }
}

/**
 * Node's words for undici's errors, so a failure reads as it did when the drivers used `node:http`: a
 * connection closed before any answer is "socket hang up" (ECONNRESET), bytes that are not HTTP are
 * "Parse Error: <llhttp's reason>" with llhttp's `HPE_*` code.
 */
function nodeWording(error: Error & { code?: unknown }): { code: string | null; message: string } {
  const code = typeof error.code === 'string' ? error.code : null;
  if (code === 'UND_ERR_SOCKET' || code === 'UND_ERR_CLOSED') return { code: 'ECONNRESET', message: 'socket hang up' };
  if (error.name === 'HTTPParserError') {
    // undici words it "Response does not match the HTTP/1.1 protocol (<reason>)" and, as of 7.x, loses the
    // errno on the way (its `code` is undefined), so the code is found again from the reason.
    const reason = /\((.*)\)$/.exec(error.message)?.[1] ?? error.message;
    return { code: code ?? parserCode(reason), message: `Parse Error: ${reason}` };
  }
  if (code !== null) {
    const tls = tlsWording(code);
    if (tls !== null) return { code, message: tls };
  }
  return { code, message: error.message };
}

/**
 * Why no answer came, in words a user can act on, for every driver's messages: a close or a reset before any
 * answer, bytes that are not HTTP (quoted, escaped and bounded), a TLS failure, a refused connection.
 */
export function describeFailure(failure: { code: string | null; message: string; received?: Buffer }): string {
  const { code, message } = failure;
  if (code === 'ECONNRESET' && message === 'socket hang up') {
    return 'the server closed the connection without answering (ECONNRESET)';
  }
  if (code !== null && code.startsWith('HPE_')) {
    const began = failure.received === undefined ? '' : `; it began ${printable(failure.received, 60)}`;
    return `the answer is not HTTP/1.1 (${code}: ${message.replace(/^Parse Error: /, '')})${began}`;
  }
  const words = code === null ? undefined : SOCKET_WORDS[code];
  if (words !== undefined) return `${words} (${code})`;
  if (code !== null && tlsWording(code) !== null) return `${tlsWording(code)}`;
  return code === null ? message : `${message} (${code})`;
}

const SOCKET_WORDS: Record<string, string> = {
  ECONNREFUSED: 'connection refused: nothing listens there',
  ECONNRESET: 'the connection was reset before an answer',
  EPIPE: 'the server closed the connection while the request was being sent',
  ETIMEDOUT: 'the connection could not be made in time',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'unknown host',
  EAI_AGAIN: 'the host name could not be looked up',
  ERR_CLIENT_CLOSED: 'the driver was stopped',
};

/**
 * A TLS failure in words a user can act on, instead of OpenSSL's `802C...:error:0A00010B:SSL
 * routines:ssl3_get_record:wrong version number:../deps/openssl/...`; null for an error that is not TLS's.
 */
export function tlsWording(code: string): string | null {
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG') {
    return 'the server did not answer the TLS handshake: it most likely speaks plain HTTP on this port, so use an http:// URL instead of https://';
  }
  if (CERTIFICATE_ERRORS.has(code) || code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return `the server's TLS certificate was not accepted (${code}): use a certificate the system trusts for this host name, or set NODE_EXTRA_CA_CERTS to the CA that signed it`;
  }
  if (code.startsWith('ERR_SSL_')) return `the TLS handshake failed (${code})`;
  return null;
}

const CERTIFICATE_ERRORS = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
]);

/** llhttp's error code for the reasons it gives while reading an answer; null for any other. */
function parserCode(reason: string): string | null {
  for (const [pattern, code] of PARSER_CODES) if (pattern.test(reason)) return code;
  return null;
}

const PARSER_CODES: [RegExp, string][] = [
  [/^Expected HTTP\//, 'HPE_INVALID_CONSTANT'],
  [/^(Expected dot|Invalid (HTTP|major|minor) version|Expected CRLF after version)$/, 'HPE_INVALID_VERSION'],
  [/^Invalid (status code|response status)$/, 'HPE_INVALID_STATUS'],
  [/^Invalid header (value char|field char|token)$/, 'HPE_INVALID_HEADER_TOKEN'],
  [
    /^(Invalid character in Content-Length|Content-Length overflow|Empty Content-Length)$/,
    'HPE_INVALID_CONTENT_LENGTH',
  ],
  [
    /^(Duplicate Content-Length|Content-Length can't be present|Transfer-Encoding can't be present)/,
    'HPE_UNEXPECTED_CONTENT_LENGTH',
  ],
  [/^(Invalid character in chunk size|Chunk size overflow)$/, 'HPE_INVALID_CHUNK_SIZE'],
  [/^Missing expected CR/, 'HPE_CR_EXPECTED'],
  [/^(Missing expected LF|Expected LF)/, 'HPE_LF_EXPECTED'],
  [/^Invalid EOF state$/, 'HPE_INVALID_EOF_STATE'],
  [/^Data after `Connection: close`$/, 'HPE_CLOSED_CONNECTION'],
];

const UNDICI_TIMEOUTS = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

const EMPTY = Buffer.alloc(0);

/** One request in flight: the pool's handler for it (h1.ts's or undici's), its deadline and its abort. */
class Pending implements Dispatcher.DispatchHandler, H1Handler {
  readonly deadline: number;
  readonly #started: number;
  settled = false;
  #controller: { abort(reason: Error): void } | null = null;
  #connected = false;
  #status = 0;
  #contentType: string | null = null;
  #location: string | null = null;
  #chunks: Buffer[] = [];
  #size = 0;
  #retried = false;

  constructor(
    private readonly wire: Wire,
    private readonly call: WireCall,
    private readonly resolve: (outcome: WireOutcome) => void,
  ) {
    this.#started = performance.now();
    this.deadline = this.#started + (call.timeoutMs ?? wire.timeoutMs);
  }

  dispatch(): void {
    const { call } = this;
    const pool = this.wire.pool(call.origin);
    if (pool instanceof H1Pool) {
      pool.dispatch(call, this);
      return;
    }
    pool.dispatch(
      {
        origin: call.origin,
        path: call.path,
        method: call.method as Dispatcher.HttpMethod,
        headers: call.headers,
        body: call.body,
      },
      this,
    );
  }

  /** The deadline passed (called by Deadlines). */
  expire(): void {
    this.#finish({
      kind: 'timeout',
      status: this.#status === 0 ? null : this.#status,
      partial: this.#body(),
      ms: this.#ms(),
    });
  }

  abort(reason: unknown): void {
    this.#finish({ kind: 'aborted', reason, ms: this.#ms() });
  }

  // h1.ts's handler: the same steps as undici's below, with failures already in Node's words.

  onSent(controller: H1Controller): void {
    this.#controller = controller;
    this.#connected = true;
  }

  onAnswerHead(status: number, contentType: string | null, location: string | null): void {
    this.#status = status;
    this.#contentType = contentType;
    this.#location = location;
  }

  onAnswerData(chunk: Buffer): void {
    this.#take(chunk);
  }

  onAnswerEnd(): void {
    this.onResponseEnd();
  }

  onAnswerFail(failure: H1Failure): void {
    if (this.settled) return;
    if (this.#status !== 0) {
      this.#finish({ kind: 'cut', status: this.#status, partial: this.#body(), ms: this.#ms() });
      return;
    }
    if (failure.stale && !this.#retried && this.wire.retriesStale) {
      this.#retried = true;
      this.#controller = null;
      this.dispatch();
      return;
    }
    const { code, message, received } = failure;
    this.#finish({
      kind: 'failed',
      connected: this.#connected || failure.connected,
      code,
      message,
      ms: this.#ms(),
      ...(received === undefined ? {} : { received }),
    });
  }

  // undici's handler.

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    this.#connected = true;
    // Ended already (deadline or abort while waiting for a connection): send nothing.
    if (this.settled) controller.abort(new Error('ended before it was sent'));
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    if (statusCode < 200) return; // 1xx: the answer is still to come.
    this.#status = statusCode;
    this.#contentType = firstValue(headers['content-type']);
    this.#location = firstValue(headers['location']);
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#take(chunk);
  }

  /** A piece of the body: kept while it fits; past the limit, the request fails (dropping its connection). */
  #take(chunk: Buffer): void {
    if (this.settled) return;
    this.#size += chunk.length;
    if (this.#size <= this.wire.maxBodyBytes) this.#chunks.push(chunk);
    else if (!this.wire.truncates) {
      const controller = this.#controller;
      this.#finish({ kind: 'oversize', status: this.#status, partial: this.#body(), ms: this.#ms() });
      controller?.abort(new Error('the answer exceeded the size limit'));
    }
  }

  onResponseEnd(): void {
    this.#finish({
      kind: 'answer',
      status: this.#status,
      contentType: this.#contentType,
      location: this.#location,
      body: this.#body(),
      ms: this.#ms(),
    });
  }

  /** The body's bytes kept so far. */
  #body(): Buffer {
    const chunks = this.#chunks;
    return chunks.length === 0 ? EMPTY : chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error & { code?: unknown }): void {
    if (this.settled) return;
    const code = typeof error.code === 'string' ? error.code : '';
    if (UNDICI_TIMEOUTS.has(code)) {
      this.expire();
      return;
    }
    if (this.#status !== 0) {
      this.#finish({ kind: 'cut', status: this.#status, partial: this.#body(), ms: this.#ms() });
      return;
    }
    if (this.#connected && !this.#retried && this.wire.retriesStale && isStaleClose(error)) {
      this.#retried = true;
      this.#controller = null;
      this.dispatch();
      return;
    }
    this.#finish({ kind: 'failed', connected: this.#connected, ...nodeWording(error), ms: this.#ms() });
  }

  #ms(): number {
    return Math.round(performance.now() - this.#started);
  }

  #finish(outcome: WireOutcome): void {
    if (this.settled) return;
    this.settled = true;
    this.#chunks = [];
    unwatchSignal(this.call.signal, this);
    this.wire.deadlines.release(this);
    // A request still on the wire (timeout, abort) is dropped with its connection, as a hung server's must be.
    if (outcome.kind === 'timeout' || outcome.kind === 'aborted') this.#controller?.abort(new Error(outcome.kind));
    this.resolve(outcome);
  }
}

/** A close of a connection that had carried an earlier answer, before any byte of this one's (see retryStaleConnection). */
function isStaleClose(error: Error & { code?: unknown; socket?: { bytesRead?: number } }): boolean {
  return error.code === 'UND_ERR_SOCKET' && (error.socket?.bytesRead ?? 0) > 0;
}

function firstValue(value: string | string[] | undefined): string | null {
  if (typeof value === 'string') return value;
  return value?.[0] ?? null;
}

/**
 * Every request's deadline in one queue, ordered by deadline, with one timer armed for the earliest. With
 * one timeout per client, requests join at the tail and mostly end in the order they started, so the queue
 * stays about as long as the requests in flight and the timer is re-armed once per timeout, not per request.
 */
class Deadlines {
  #queue: (Pending | undefined)[] = [];
  #head = 0;
  #timer: NodeJS.Timeout | null = null;
  #armedFor = Infinity;
  #sweeping = false;

  add(pending: Pending): void {
    const queue = this.#queue;
    let at = queue.length;
    while (at > this.#head && (queue[at - 1] as Pending).deadline > pending.deadline) at--;
    if (at === queue.length) queue.push(pending);
    else queue.splice(at, 0, pending);
    if (pending.deadline < this.#armedFor) this.#arm(pending.deadline);
  }

  /** A request ended: drop the ended ones from the front, and the timer once none is left. */
  release(pending: Pending): void {
    if (this.#sweeping || this.#queue[this.#head] !== pending) return;
    this.#dropSettled();
    if (this.#head === this.#queue.length) this.clear();
  }

  clear(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#armedFor = Infinity;
    this.#queue = [];
    this.#head = 0;
  }

  #dropSettled(): void {
    const queue = this.#queue;
    while (this.#head < queue.length && (queue[this.#head] as Pending).settled) queue[this.#head++] = undefined;
    // Now and then, not on every request: shifting the array costs its length.
    if (this.#head > 1024 && this.#head * 2 > queue.length) {
      queue.splice(0, this.#head);
      this.#head = 0;
    }
  }

  #arm(deadline: number): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#armedFor = deadline;
    this.#timer = setTimeout(this.#sweep, Math.max(0, Math.ceil(deadline - performance.now())));
  }

  readonly #sweep = (): void => {
    this.#timer = null;
    this.#armedFor = Infinity;
    const now = performance.now();
    const queue = this.#queue;
    this.#sweeping = true;
    try {
      while (this.#head < queue.length) {
        const pending = queue[this.#head] as Pending;
        if (!pending.settled && pending.deadline > now) break;
        queue[this.#head++] = undefined;
        if (!pending.settled) pending.expire();
      }
    } finally {
      this.#sweeping = false;
    }
    this.#dropSettled();
    const next = queue[this.#head];
    if (next === undefined) this.clear();
    else this.#arm(next.deadline);
  };
}

/**
 * One abort listener per signal for every request under it (a case's requests share its signal; the
 * benchmark's workers keep one each), instead of adding and removing a listener per request.
 */
const watched = new WeakMap<AbortSignal, Set<Pending>>();

function watchSignal(signal: AbortSignal, pending: Pending): void {
  let set = watched.get(signal);
  if (set === undefined) {
    const requests = new Set<Pending>();
    set = requests;
    watched.set(signal, requests);
    signal.addEventListener(
      'abort',
      () => {
        for (const p of [...requests]) p.abort(signal.reason);
      },
      { once: true },
    );
  }
  set.add(pending);
}

function unwatchSignal(signal: AbortSignal, pending: Pending): void {
  watched.get(signal)?.delete(pending);
}
