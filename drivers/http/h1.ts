/**
 * A lean HTTP/1.1 keep-alive client for `http:` origins, on plain `net` sockets: what drivers/http/wire.ts
 * uses instead of undici where no TLS is involved. undici's dispatcher (its request objects, handler
 * wrappers and the wasm parser's per-header callbacks) costs more client CPU per request than autocannon
 * spends in all (bench/servers.ts); this client does what autocannon does: one socket write per request,
 * and a small parser that reads a whole answer's head with one search and one string.
 *
 * Scope: one request per connection at a time (no pipelining), up to `connections` sockets per origin,
 * Content-Length, chunked and read-to-close bodies, 1xx answers skipped, `Connection: close` honoured.
 * Deadlines, aborts and size limits are the caller's (wire.ts `Pending`): it ends a request through its
 * controller, which drops the connection the request is on.
 */
import net from 'node:net';

/** How the caller stops the request it was handed this for: the connection it is on is dropped. */
export interface H1Controller {
  abort(): void;
}

/** Why a request brought no (complete) answer, already worded as Node's own http client words it. */
export interface H1Failure {
  /** False when no connection could be made (refused, unknown host), or the request was refused unsent. */
  connected: boolean;
  code: string | null;
  message: string;
  /**
   * The connection had carried an earlier answer and closed or was reset before any byte of this one's:
   * the server most likely closed it while idle and the request crossed that close.
   */
  stale: boolean;
  /** Bytes that are not HTTP: the start of what the server sent (for the message; at most 64 bytes). */
  received?: Buffer;
}

/** The receiving end of one request. Every request ends with exactly one `onAnswerEnd` or `onAnswerFail`. */
export interface H1Handler {
  /** An ended request still waiting for a connection is dropped, not sent. */
  readonly settled: boolean;
  /** The request is on a connected socket and being written. */
  onSent(controller: H1Controller): void;
  /** The final (non-1xx) answer's head. */
  onAnswerHead(status: number, contentType: string | null, location: string | null): void;
  /** A piece of the body, a view into the socket's buffer (not copied). */
  onAnswerData(chunk: Buffer): void;
  onAnswerEnd(): void;
  onAnswerFail(failure: H1Failure): void;
}

export interface H1Request {
  method: string;
  /** Path and query, as `new URL(..)` gives them. */
  path: string;
  headers: Record<string, string>;
  body: string | null;
}

export interface H1PoolOptions {
  connections: number;
  /** Gives up on a connection attempt after this long (the caller's deadline normally comes first). */
  connectTimeoutMs: number;
}

/**
 * How long an idle connection is reused (undici's rules): its server's `Keep-Alive: timeout` less a margin
 * for a close already on its way as the request is sent, or 4 s when the server gave none.
 */
const DEFAULT_KEEP_ALIVE_MS = 4000;
const KEEP_ALIVE_MARGIN_MS = 2000;
/** Node's (and undici's) limit on the size of an answer's head. */
export const MAX_HEAD_BYTES = 16 * 1024;

/** One origin's connections and the requests waiting for one. */
export class H1Pool {
  readonly #host: string;
  readonly #port: number;
  readonly #hostHeader: string;
  readonly #options: H1PoolOptions;
  readonly #all = new Set<Connection>();
  /** Idle connections, the most recently used last (it is taken first: its server has not closed it). */
  readonly #idle: Connection[] = [];
  #queue: Waiting[] = [];
  #queueHead = 0;
  #connecting = 0;
  #closed = false;

  constructor(origin: string, options: H1PoolOptions) {
    const url = new URL(origin);
    if (url.protocol !== 'http:') throw new Error(`H1Pool: only http: origins, not ${url.protocol}`);
    // net.connect wants an IPv6 address without its brackets.
    this.#host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    this.#port = url.port === '' ? 80 : Number(url.port);
    this.#hostHeader = url.host;
    this.#options = options;
  }

  dispatch(request: H1Request, handler: H1Handler): void {
    if (this.#closed) {
      handler.onAnswerFail(CLIENT_CLOSED);
      return;
    }
    const head = requestHead(request, this.#hostHeader);
    if (typeof head !== 'string') {
      handler.onAnswerFail({ connected: false, ...head, stale: false });
      return;
    }
    const connection = this.#takeIdle();
    if (connection !== null) {
      connection.send(head, request.method, handler);
      return;
    }
    this.#queue.push({ head, method: request.method, handler });
    const waiting = this.#queue.length - this.#queueHead;
    if (this.#connecting < waiting && this.#all.size < this.#options.connections) this.#open();
  }

  /** Drops every connection; requests in flight or waiting end as failed. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const connection of [...this.#all]) connection.destroy(CLIENT_CLOSED);
    this.#all.clear();
    this.#idle.length = 0;
    for (const { handler } of this.#queue.splice(this.#queueHead))
      if (!handler.settled) handler.onAnswerFail(CLIENT_CLOSED);
    this.#queue = [];
    this.#queueHead = 0;
  }

  /** A connection is free (just connected, or its answer ended and it may carry another). */
  release(connection: Connection): void {
    const next = this.#next();
    if (next !== null) {
      connection.send(next.head, next.method, next.handler);
      return;
    }
    this.#idle.push(connection);
  }

  connected(connection: Connection): void {
    this.#connecting--;
    this.release(connection);
  }

  /** A connection attempt failed: the oldest waiting request fails with its error, the others try anew. */
  connectFailed(connection: Connection, failure: H1Failure): void {
    this.#connecting--;
    this.#all.delete(connection);
    this.#next()?.handler.onAnswerFail(failure);
    const waiting = this.#queue.length - this.#queueHead;
    if (!this.#closed && this.#connecting < waiting && this.#all.size < this.#options.connections) this.#open();
  }

  /** A connection closed (any way): it is no longer offered, and requests waiting for one get a new one. */
  closed(connection: Connection): void {
    if (!this.#all.delete(connection)) return;
    const at = this.#idle.lastIndexOf(connection);
    if (at !== -1) this.#idle.splice(at, 1);
    const waiting = this.#queue.length - this.#queueHead;
    if (!this.#closed && this.#connecting < waiting && this.#all.size < this.#options.connections) this.#open();
  }

  #open(): void {
    this.#connecting++;
    const connection = new Connection(this, this.#host, this.#port, this.#options.connectTimeoutMs);
    this.#all.add(connection);
  }

  #takeIdle(): Connection | null {
    const idle = this.#idle;
    if (idle.length === 0) return null;
    const now = performance.now();
    while (idle.length > 0) {
      const connection = idle.pop() as Connection;
      if (connection.reusableUntil > now) return connection;
      connection.destroy(null);
    }
    return null;
  }

  #next(): Waiting | null {
    const queue = this.#queue;
    while (this.#queueHead < queue.length) {
      const entry = queue[this.#queueHead] as Waiting;
      queue[this.#queueHead++] = undefined as never;
      if (this.#queueHead === queue.length) {
        this.#queue = [];
        this.#queueHead = 0;
      }
      // An ended request (deadline or abort while it waited) is not sent.
      if (!entry.handler.settled) return entry;
    }
    return null;
  }
}

/** A request waiting for a connection, its bytes ready. */
interface Waiting {
  head: string;
  method: string;
  handler: H1Handler;
}

const CLIENT_CLOSED: H1Failure = {
  connected: false,
  code: 'ERR_CLIENT_CLOSED',
  message: 'the client was closed',
  stale: false,
};

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const BAD_VALUE = /[^\t\x20-\x7e\x80-\xff]/;
const BAD_PATH = /[^\u0021-\u00ff]/;
/** Methods whose requests carry a body: without one they say `content-length: 0` (as undici and Node do). */
const PAYLOAD_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/**
 * The request's bytes: request line, Host, the call's headers, Content-Length, body. Or why it cannot be
 * sent, worded as Node's http client refuses it (a header or path a request could be split with).
 */
export function requestHead(request: H1Request, hostHeader: string): string | { code: string; message: string } {
  const { method, path, headers, body } = request;
  if (!TOKEN.test(method))
    return { code: 'ERR_INVALID_HTTP_TOKEN', message: `Method must be a valid HTTP token ["${method}"]` };
  if (BAD_PATH.test(path))
    return { code: 'ERR_UNESCAPED_CHARACTERS', message: 'Request path contains unescaped characters' };
  let host = true;
  let length = true;
  let head = '';
  for (const name in headers) {
    const value = headers[name] as string;
    if (!TOKEN.test(name))
      return { code: 'ERR_INVALID_HTTP_TOKEN', message: `Header name must be a valid HTTP token ["${name}"]` };
    if (BAD_VALUE.test(value))
      return { code: 'ERR_INVALID_CHAR', message: `Invalid character in header content ["${name}"]` };
    if (name.length === 4 && name.toLowerCase() === 'host') host = false;
    else if (name.length === 14 && name.toLowerCase() === 'content-length') length = false;
    head += `${name}: ${value}\r\n`;
  }
  const start = host ? `${method} ${path} HTTP/1.1\r\nhost: ${hostHeader}\r\n` : `${method} ${path} HTTP/1.1\r\n`;
  if (body !== null)
    return `${start}${head}${length ? `content-length: ${Buffer.byteLength(body)}\r\n` : ''}\r\n${body}`;
  if (length && PAYLOAD_METHODS.has(method)) return `${start}${head}content-length: 0\r\n\r\n`;
  return `${start}${head}\r\n`;
}

/** One socket and the request on it. */
class Connection implements H1Controller, ParserSink {
  readonly #pool: H1Pool;
  readonly #socket: net.Socket;
  readonly #parser: ResponseParser;
  #handler: H1Handler | null = null;
  #connected = false;
  #dead = false;
  /** Answers this connection carried (a close before any byte of a later one's is a stale close). */
  #answers = 0;
  /** Bytes of the current request's answer arrived. */
  #answering = false;
  reusableUntil = 0;

  constructor(pool: H1Pool, host: string, port: number, connectTimeoutMs: number) {
    this.#pool = pool;
    this.#parser = new ResponseParser(this);
    const socket = net.connect({ host, port, noDelay: true, keepAlive: true, keepAliveInitialDelay: 60_000 });
    this.#socket = socket;
    // Never keeps the process alive by itself: while a request is in flight, wire.ts's deadline timer does.
    // So there is no ref/unref per request, and an idle pool never holds the process open.
    socket.unref();
    socket.setTimeout(connectTimeoutMs);
    socket.on('timeout', this.#onConnectTimeout);
    socket.once('connect', this.#onConnect);
    socket.on('data', this.#onData);
    socket.on('end', this.#onEnd);
    socket.on('error', this.#onError);
    socket.on('close', this.#onClose);
  }

  send(head: string, method: string, handler: H1Handler): void {
    this.#handler = handler;
    this.#answering = false;
    this.#parser.reset(method === 'HEAD');
    handler.onSent(this);
    this.#socket.write(head);
  }

  /** The caller ended its request (deadline, abort, oversize): the answer still coming is not read. */
  abort(): void {
    this.#handler = null;
    this.destroy(null);
  }

  /** Drops the socket; a request still on it fails with `failure` (or as a hang-up). */
  destroy(failure: H1Failure | null): void {
    if (this.#dead) return;
    this.#dead = true;
    this.#parser.halt();
    this.#socket.destroy();
    this.#pool.closed(this);
    this.#fail(failure ?? HANG_UP);
  }

  // ParserSink
  onHead(status: number, contentType: string | null, location: string | null): void {
    this.#handler?.onAnswerHead(status, contentType, location);
  }

  onBody(chunk: Buffer): void {
    this.#handler?.onAnswerData(chunk);
  }

  onComplete(reuse: boolean, keepAliveMs: number | null): void {
    const handler = this.#handler;
    this.#handler = null;
    this.#answers++;
    if (reuse && !this.#dead) {
      const reuseMs = keepAliveMs === null ? DEFAULT_KEEP_ALIVE_MS : keepAliveMs - KEEP_ALIVE_MARGIN_MS;
      this.reusableUntil = performance.now() + reuseMs;
      this.#pool.release(this);
    } else this.destroy(null);
    handler?.onAnswerEnd();
  }

  #fail(failure: H1Failure): void {
    const handler = this.#handler;
    if (handler === null) return;
    this.#handler = null;
    handler.onAnswerFail(failure);
  }

  /** Fails the request on it as a broken connection, then drops it. */
  #broke(code: string | null, message: string, resetOrClose: boolean, received?: Buffer): void {
    const stale = resetOrClose && this.#answers > 0 && !this.#answering;
    // Dropped from the pool first: a request sent again (stale) must not find this connection.
    this.destroy({ connected: true, code, message, stale, ...(received === undefined ? {} : { received }) });
  }

  readonly #onConnect = (): void => {
    this.#connected = true;
    this.#socket.setTimeout(0);
    this.#socket.off('timeout', this.#onConnectTimeout);
    this.#pool.connected(this);
  };

  readonly #onConnectTimeout = (): void => {
    const error = Object.assign(new Error(`connect ETIMEDOUT ${this.#socket.remoteAddress ?? ''}`), {
      code: 'ETIMEDOUT',
    });
    this.#socket.destroy(error);
  };

  readonly #onData = (chunk: Buffer): void => {
    if (this.#handler === null) {
      // Bytes no request asked for: the connection is out of step with the server.
      this.destroy(null);
      return;
    }
    this.#answering = true;
    const error = this.#parser.feed(chunk);
    if (error !== null) {
      this.#broke(error.code, `Parse Error: ${error.reason}`, false, Buffer.from(chunk.subarray(0, 64)));
    }
  };

  readonly #onEnd = (): void => {
    if (this.#handler !== null && this.#parser.eof()) return;
    this.#broke('ECONNRESET', 'socket hang up', true);
  };

  readonly #onError = (error: Error & { code?: unknown }): void => {
    const code = typeof error.code === 'string' ? error.code : null;
    if (!this.#connected) {
      this.#dead = true;
      this.#pool.connectFailed(this, { connected: false, code, message: error.message, stale: false });
      return;
    }
    // A reset ends an answer read to the close as a close would (undici and Node do the same).
    if (code === 'ECONNRESET' && this.#handler !== null && this.#parser.readsToClose && this.#parser.eof()) return;
    this.#broke(code, error.message, code === 'ECONNRESET' || code === 'EPIPE');
  };

  readonly #onClose = (): void => {
    if (!this.#connected && !this.#dead) {
      // Closed while connecting, with no error reported: a failed attempt all the same.
      this.#dead = true;
      this.#pool.connectFailed(this, CLIENT_CLOSED);
      return;
    }
    this.destroy(null);
  };
}

const HANG_UP: H1Failure = { connected: true, code: 'ECONNRESET', message: 'socket hang up', stale: false };

/** What the parser reports as it reads one answer. */
export interface ParserSink {
  onHead(status: number, contentType: string | null, location: string | null): void;
  onBody(chunk: Buffer): void;
  /**
   * The answer ended. `reuse`: the connection may carry another request (keep-alive, framed body, no bytes
   * past the answer). `keepAliveMs`: the server's `Keep-Alive: timeout`, if it gave one.
   */
  onComplete(reuse: boolean, keepAliveMs: number | null): void;
}

/** Bytes that are not an HTTP/1.x answer: llhttp's code and reason for the same fault. */
export interface ParseError {
  code: string;
  reason: string;
}

/** Where the parser is in an answer (plain numbers: a switch over them stays a jump table). */
const State = {
  Head: 0,
  Length: 1,
  ToClose: 2,
  ChunkSize: 3,
  ChunkExtension: 4,
  ChunkSizeLf: 5,
  ChunkData: 6,
  ChunkDataCr: 7,
  ChunkDataLf: 8,
  TrailerStart: 9,
  Trailer: 10,
  TrailerLf: 11,
  TrailersEndLf: 12,
  Done: 13,
} as const;
type State = (typeof State)[keyof typeof State];

const CR = 13;
const LF = 10;
const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');
const STATUS_LINE = /^HTTP\/(\d)\.(\d) (\d{3})(?: [^\0-\x08\n-\x1f\x7f]*)?$/;
const HEADER_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+):[\t ]*([^\0-\x08\n-\x1f\x7f]*?)[\t ]*$/;
const DIGITS = /^\d+$/;
const CLOSE_TOKEN = /(?:^|,)[\t ]*close[\t ]*(?:,|$)/i;
const KEEP_ALIVE_TOKEN = /(?:^|,)[\t ]*keep-alive[\t ]*(?:,|$)/i;
const CHUNKED_LAST = /(?:^|,)[\t ]*chunked[\t ]*$/i;
const HEADER_OVERFLOW: ParseError = { code: 'HPE_HEADER_OVERFLOW', reason: 'Header overflow' };
const KEEP_ALIVE_TIMEOUT = /(?:^|[,;\s])timeout=(\d+)/i;
const HEX: Int8Array = (() => {
  const table = new Int8Array(256).fill(-1);
  for (let i = 0; i < 16; i++) {
    table['0123456789abcdef'.charCodeAt(i)] = i;
    table['0123456789ABCDEF'.charCodeAt(i)] = i;
  }
  return table;
})();

/**
 * An HTTP/1.x answer parser for a client that sends one request at a time: fed the socket's chunks as they
 * come (split anywhere), it reports the final head, the body's pieces and the end, or the first fault.
 * Faults carry llhttp's code and reason, so a misbehaving server reads the same as through Node or undici.
 */
export class ResponseParser {
  readonly #sink: ParserSink;
  #state: State = State.Done;
  #noBody = false;
  /** Head bytes so far, while the head spans chunks. */
  #partial: Buffer | null = null;
  #remaining = 0;
  #keepAlive = false;
  #keepAliveMs: number | null = null;
  #halted = false;
  /** Hex digits of the chunk size read so far. */
  #sizeDigits = 0;

  constructor(sink: ParserSink) {
    this.#sink = sink;
  }

  /** Before each request: `noBody` for a HEAD request (its answer has a head only). */
  reset(noBody: boolean): void {
    this.#state = State.Head;
    this.#noBody = noBody;
    this.#partial = null;
    this.#halted = false;
    this.#keepAliveMs = null;
  }

  /** Stops reading: the caller gave up on the answer (nothing more is reported). */
  halt(): void {
    this.#halted = true;
  }

  /** The body runs until the connection closes (no length, not chunked). */
  get readsToClose(): boolean {
    return this.#state === State.ToClose;
  }

  /** Reads a chunk; returns the fault that ends the answer, if any. Reports nothing after `halt`. */
  feed(chunk: Buffer): ParseError | null {
    let at = 0;
    const end = chunk.length;
    while (at < end && !this.#halted) {
      switch (this.#state) {
        case State.Head: {
          const result = this.#head(chunk, at);
          if (typeof result !== 'number') return result;
          if (result === -1 || this.#halted) return null;
          at = result;
          if ((this.#state as State) === State.Length && this.#remaining === 0) {
            // No body: done with the head (whether more bytes follow decides on reuse).
            this.#complete(at === end);
            return null;
          }
          break;
        }
        case State.Length: {
          const take = Math.min(this.#remaining, end - at);
          this.#remaining -= take;
          const piece = at === 0 && take === end ? chunk : chunk.subarray(at, at + take);
          at += take;
          this.#sink.onBody(piece);
          if (this.#remaining === 0 && !this.#halted) {
            this.#complete(at === end);
            return null;
          }
          break;
        }
        case State.ToClose:
          this.#sink.onBody(at === 0 ? chunk : chunk.subarray(at));
          return null;
        case State.ChunkData: {
          const take = Math.min(this.#remaining, end - at);
          this.#remaining -= take;
          const piece = chunk.subarray(at, at + take);
          at += take;
          if (this.#remaining === 0) this.#state = State.ChunkDataCr;
          this.#sink.onBody(piece);
          break;
        }
        case State.Done:
          // Past the end of the answer: reported by onComplete's `reuse`, never read.
          return null;
        default: {
          const result = this.#chunked(chunk, at);
          if (typeof result !== 'number') return result;
          at = result;
          if ((this.#state as State) === State.Done) {
            this.#complete(at === end);
            return null;
          }
        }
      }
    }
    return null;
  }

  /**
   * The connection closed (no error). True when that ended the answer (a body read to the close, reported
   * as complete); false when the answer was not complete (or not begun).
   */
  eof(): boolean {
    if (this.#state !== State.ToClose || this.#halted) return false;
    this.#state = State.Done;
    this.#sink.onComplete(false, null);
    return true;
  }

  #complete(atEnd: boolean): void {
    this.#state = State.Done;
    this.#sink.onComplete(this.#keepAlive && atEnd, this.#keepAliveMs);
  }

  /** Reads head bytes from `at`: the offset after the head, -1 for more bytes needed, or a fault. */
  #head(chunk: Buffer, at: number): number | ParseError {
    let buffer = chunk;
    let from = at;
    let searchFrom = at;
    const before = this.#partial?.length ?? 0;
    if (this.#partial !== null) {
      buffer = Buffer.concat([this.#partial, at === 0 ? chunk : chunk.subarray(at)]);
      from = 0;
      // The blank line may have begun in the bytes kept so far.
      searchFrom = Math.max(0, before - 3);
    } else {
      // llhttp skips line ends before an answer's first line.
      while (from < buffer.length && (buffer[from] === CR || buffer[from] === LF)) from++;
      if (from === buffer.length) return -1;
      searchFrom = from;
    }
    const stop = buffer.indexOf(HEAD_END, searchFrom);
    if (stop === -1) {
      if (buffer.length - from > MAX_HEAD_BYTES) return HEADER_OVERFLOW;
      // Not all there yet; what is there may already not be HTTP (a fault is not held back for a close).
      const lineEnd = buffer.indexOf(CR, from);
      const fault = statusLineFault(
        buffer.toString('latin1', from, lineEnd === -1 ? buffer.length : lineEnd),
        lineEnd !== -1,
      );
      if (fault !== null) return fault;
      this.#partial = from === 0 ? buffer : buffer.subarray(from);
      return -1;
    }
    if (stop - from > MAX_HEAD_BYTES) return HEADER_OVERFLOW;
    this.#partial = null;
    const fault = this.#parseHead(buffer.toString('latin1', from, stop));
    if (fault !== null) return fault;
    // Past the blank line, as an offset in `chunk` (the kept bytes came before it).
    return buffer === chunk ? stop + 4 : at + stop + 4 - before;
  }

  /** One head (status line and header lines, without the blank line): sets the body's framing. */
  #parseHead(text: string): ParseError | null {
    const lineEnd = text.indexOf('\r\n');
    const statusLine = lineEnd === -1 ? text : text.slice(0, lineEnd);
    const match = STATUS_LINE.exec(statusLine);
    if (match === null)
      return statusLineFault(statusLine, true) ?? { code: 'HPE_INVALID_STATUS', reason: 'Invalid response status' };
    const major = Number(match[1]);
    const minor = Number(match[2]);
    if (!((major === 1 && minor <= 1) || (major === 0 && minor === 9) || (major === 2 && minor === 0))) {
      return { code: 'HPE_INVALID_VERSION', reason: 'Invalid HTTP version' };
    }
    const status = Number(match[3]);
    let contentType: string | null = null;
    let location: string | null = null;
    let length = -1;
    let chunked = false;
    let transferEncoding = false;
    let close = false;
    let keepAlive = false;
    let keepAliveMs: number | null = null;
    let at = lineEnd === -1 ? text.length : lineEnd + 2;
    while (at < text.length) {
      let next = text.indexOf('\r\n', at);
      if (next === -1) next = text.length;
      const line = text.slice(at, next);
      at = next + 2;
      const header = HEADER_LINE.exec(line);
      if (header === null) return headerLineFault(line);
      const name = header[1] as string;
      const value = header[2] as string;
      switch (name.length) {
        case 8:
          if (name.toLowerCase() === 'location') location ??= value;
          break;
        case 10: {
          const lower = name.toLowerCase();
          if (lower === 'connection') {
            if (CLOSE_TOKEN.test(value)) close = true;
            if (KEEP_ALIVE_TOKEN.test(value)) keepAlive = true;
          } else if (lower === 'keep-alive') {
            const timeout = KEEP_ALIVE_TIMEOUT.exec(value);
            if (timeout !== null) keepAliveMs = Number(timeout[1]) * 1000;
          }
          break;
        }
        case 12:
          if (name.toLowerCase() === 'content-type') contentType ??= value;
          break;
        case 14:
          if (name.toLowerCase() === 'content-length') {
            if (length !== -1) return { code: 'HPE_UNEXPECTED_CONTENT_LENGTH', reason: 'Duplicate Content-Length' };
            if (value === '') return { code: 'HPE_INVALID_CONTENT_LENGTH', reason: 'Empty Content-Length' };
            if (!DIGITS.test(value)) {
              return { code: 'HPE_INVALID_CONTENT_LENGTH', reason: 'Invalid character in Content-Length' };
            }
            length = Number(value);
            if (!Number.isSafeInteger(length))
              return { code: 'HPE_INVALID_CONTENT_LENGTH', reason: 'Content-Length overflow' };
          }
          break;
        case 17:
          if (name.toLowerCase() === 'transfer-encoding') {
            transferEncoding = true;
            // Only a final `chunked` frames the body; any other coding is read to the close.
            chunked = CHUNKED_LAST.test(value);
          }
          break;
      }
    }
    if (status < 200) {
      // 1xx: an interim answer; the final one follows.
      this.#state = State.Head;
      return null;
    }
    if (transferEncoding && length !== -1) {
      return {
        code: 'HPE_UNEXPECTED_CONTENT_LENGTH',
        reason: "Content-Length can't be present with Transfer-Encoding",
      };
    }
    this.#keepAlive = !close && (keepAlive || (major > 0 && minor > 0));
    this.#keepAliveMs = keepAliveMs;
    this.#sink.onHead(status, contentType, location);
    if (this.#halted) return null;
    if (this.#noBody || status === 204 || status === 304) {
      // No body whatever the headers say (feed completes it).
      this.#state = State.Length;
      this.#remaining = 0;
    } else if (chunked) {
      this.#state = State.ChunkSize;
      this.#remaining = 0;
      this.#sizeDigits = 0;
    } else if (length !== -1) {
      this.#state = State.Length;
      this.#remaining = length;
    } else {
      this.#state = State.ToClose;
      this.#keepAlive = false;
    }
    return null;
  }

  /** The chunked framing's bytes (sizes, extensions, line ends, trailers) from `at`: where it stopped, or a fault. */
  #chunked(chunk: Buffer, at: number): number | ParseError {
    const end = chunk.length;
    while (at < end) {
      const byte = chunk[at] as number;
      switch (this.#state) {
        case State.ChunkSize: {
          const digit = HEX[byte] as number;
          if (digit !== -1) {
            if (this.#remaining > 0x1fffffffffff)
              return { code: 'HPE_INVALID_CHUNK_SIZE', reason: 'Chunk size overflow' };
            this.#remaining = this.#remaining * 16 + digit;
            this.#sizeDigits++;
          } else if (this.#sizeDigits === 0) {
            return { code: 'HPE_INVALID_CHUNK_SIZE', reason: 'Invalid character in chunk size' };
          } else if (byte === CR) this.#state = State.ChunkSizeLf;
          else if (byte === 0x3b /* ; */) this.#state = State.ChunkExtension;
          else return { code: 'HPE_INVALID_CHUNK_SIZE', reason: 'Invalid character in chunk size' };
          break;
        }
        case State.ChunkExtension:
          if (byte === CR) this.#state = State.ChunkSizeLf;
          else if (byte === LF || byte === 0)
            return { code: 'HPE_CR_EXPECTED', reason: 'Missing expected CR after chunk extension value' };
          break;
        case State.ChunkSizeLf:
          if (byte !== LF) return { code: 'HPE_LF_EXPECTED', reason: 'Missing expected LF after chunk size' };
          this.#sizeDigits = 0;
          if (this.#remaining === 0) this.#state = State.TrailerStart;
          else {
            this.#state = State.ChunkData;
            return at + 1;
          }
          break;
        case State.ChunkDataCr:
          if (byte !== CR) return { code: 'HPE_CR_EXPECTED', reason: 'Missing expected CR after chunk data' };
          this.#state = State.ChunkDataLf;
          break;
        case State.ChunkDataLf:
          if (byte !== LF) return { code: 'HPE_LF_EXPECTED', reason: 'Missing expected LF after chunk data' };
          this.#state = State.ChunkSize;
          break;
        case State.TrailerStart:
          this.#state = byte === CR ? State.TrailersEndLf : State.Trailer;
          break;
        case State.Trailer:
          if (byte === CR) this.#state = State.TrailerLf;
          break;
        case State.TrailerLf:
          if (byte !== LF) return { code: 'HPE_LF_EXPECTED', reason: 'Missing expected LF after header value' };
          this.#state = State.TrailerStart;
          break;
        case State.TrailersEndLf:
          if (byte !== LF) return { code: 'HPE_LF_EXPECTED', reason: 'Missing expected LF after headers' };
          this.#state = State.Done;
          return at + 1;
        default:
          return at;
      }
      at++;
    }
    return at;
  }
}

/**
 * What llhttp says of a status line that is not `HTTP/<d>.<d> <ddd>[ <reason>]`; null when it cannot tell
 * yet (`complete` false: the line may still grow) or finds nothing wrong.
 */
export function statusLineFault(line: string, complete: boolean): ParseError | null {
  const prefix = 'HTTP/';
  for (let i = 0; i < prefix.length; i++) {
    if (i >= line.length) return null;
    if (line[i] !== prefix[i]) return { code: 'HPE_INVALID_CONSTANT', reason: 'Expected HTTP/, RTSP/ or ICE/' };
  }
  const steps: [test: (c: string) => boolean, code: string, reason: string][] = [
    [isDigit, 'HPE_INVALID_VERSION', 'Invalid major version'],
    [(c) => c === '.', 'HPE_INVALID_VERSION', 'Expected dot'],
    [isDigit, 'HPE_INVALID_VERSION', 'Invalid minor version'],
    [(c) => c === ' ', 'HPE_INVALID_VERSION', 'Expected space after version'],
    [isDigit, 'HPE_INVALID_STATUS', 'Invalid status code'],
    [isDigit, 'HPE_INVALID_STATUS', 'Invalid status code'],
    [isDigit, 'HPE_INVALID_STATUS', 'Invalid status code'],
  ];
  for (let i = 0; i < steps.length; i++) {
    const c = line[prefix.length + i];
    const [test, code, reason] = steps[i] as (typeof steps)[number];
    if (c === undefined) return complete ? { code, reason } : null;
    if (!test(c)) return { code, reason };
  }
  const after = line[prefix.length + steps.length];
  if (after !== undefined && after !== ' ') return { code: 'HPE_INVALID_STATUS', reason: 'Invalid response status' };
  if (/[\0-\x08\n-\x1f\x7f]/.test(line)) return { code: 'HPE_INVALID_STATUS', reason: 'Invalid response status' };
  return null;
}

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

/** What llhttp says of a header line that is not `name: value`. */
function headerLineFault(line: string): ParseError {
  const colon = line.indexOf(':');
  const name = colon === -1 ? line : line.slice(0, colon);
  if (colon <= 0 || !TOKEN.test(name)) return { code: 'HPE_INVALID_HEADER_TOKEN', reason: 'Invalid header field char' };
  return { code: 'HPE_INVALID_HEADER_TOKEN', reason: 'Invalid header value char' };
}
