import { markNoAnswer, printable } from '../../src/core/errors.ts';
import { AdapterProtocolError, BODY_EXCERPT_BYTES, bodyExcerpt, quoteExcerpt } from './errors.ts';
import { describeSchemaErrors, schemaValidator, type SchemaName } from './schemas.ts';
import { describeFailure, parseBase, resolveUnder, Wire, type ParsedBase } from './wire.ts';

/**
 * The client half of the adapter protocol's wire: the HTTP client the server drivers share (wire.ts: keep-alive
 * connections, a deadline per request, the caller's AbortSignal, a size limit), and every deviation from the
 * protocol turned into an {@link AdapterProtocolError}. It knows HTTP and JSON, not what the endpoints mean.
 */

export type HttpMethod = 'GET' | 'POST';

export interface Exchange {
  method: HttpMethod;
  /** A protocol path (`/v1/provision`); resolved against the adapter's base URL. */
  path: string;
  /** Serialised as JSON when present. */
  body?: unknown;
  /** The only status the protocol allows for this endpoint. */
  expectStatus: 200 | 204;
  signal?: AbortSignal | undefined;
}

/**
 * Bodies larger than this are not a protocol answer but a runaway adapter; stop reading instead of
 * buffering without bound. Logs of a long session stay far below it.
 */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

/**
 * Two provisions are in flight at once for the concurrency cases, plus a state or logs read; more sockets
 * than that are never needed by one session but cost nothing when idle.
 */
const MAX_SOCKETS = 8;

interface RawAnswer {
  status: number;
  body: Buffer;
}

export class AdapterTransport {
  readonly baseUrl: URL;
  readonly timeoutMs: number;
  readonly #base: ParsedBase;
  readonly #wire: Wire;

  constructor(baseUrl: URL, timeoutMs: number) {
    // A base URL with a path (`http://lab/adapters/7`) keeps it: protocol paths are appended, not replaced.
    const base = new URL(baseUrl.href);
    if (!base.pathname.endsWith('/')) base.pathname += '/';
    base.search = '';
    base.hash = '';
    this.baseUrl = base;
    this.timeoutMs = timeoutMs;
    this.#base = parseBase(base.href);
    this.#wire = new Wire({ timeoutMs, maxBodyBytes: MAX_BODY_BYTES, oversize: 'fail', connections: MAX_SOCKETS });
  }

  /** Sends the exchange and returns the parsed body, checked against `schema` (undefined for a 204). */
  async json(exchange: Exchange, schema: SchemaName | null): Promise<unknown> {
    const endpoint = `${exchange.method} ${exchange.path}`;
    const answer = await this.#send(endpoint, exchange);
    const excerpt = bodyExcerpt(answer.body);
    const quoted = quoteExcerpt(excerpt, answer.body.length);
    if (answer.status !== exchange.expectStatus) {
      throw new AdapterProtocolError(
        endpoint,
        answer.status,
        excerpt,
        `${endpoint} answered ${answer.status}, expected ${exchange.expectStatus}: ${quoted}`,
      );
    }
    if (schema === null) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(answer.body.toString('utf8'));
    } catch (cause) {
      throw new AdapterProtocolError(
        endpoint,
        answer.status,
        excerpt,
        `${endpoint} answered ${answer.status} with a body that is not valid JSON: ${quoted}`,
        { cause },
      );
    }
    const validate = schemaValidator(schema);
    if (!validate(parsed)) {
      throw new AdapterProtocolError(
        endpoint,
        answer.status,
        excerpt,
        `${endpoint} answered ${answer.status} with a body that does not match the protocol ` +
          `(${describeSchemaErrors(validate.errors)}): ${quoted}`,
      );
    }
    return parsed;
  }

  /** Closes the connections and ends any request still in flight. */
  destroy(): void {
    void this.#wire.close();
  }

  async #send(endpoint: string, exchange: Exchange): Promise<RawAnswer> {
    const body = exchange.body === undefined ? null : JSON.stringify(exchange.body);
    const { origin, path } = resolveUnder(this.#base, exchange.path.replace(/^\//, ''));
    const outcome = await this.#wire.send({
      origin,
      path,
      method: exchange.method,
      headers: body === null ? ACCEPT_JSON : SEND_JSON,
      body,
      signal: exchange.signal ?? NEVER,
    });
    switch (outcome.kind) {
      case 'answer':
        return { status: outcome.status, body: outcome.body };
      case 'aborted':
        // The caller gave up waiting (the case timed out, the target was stopped): say what was still
        // unanswered, so a hang names its endpoint even when the case's deadline came first.
        throw new AdapterProtocolError(
          endpoint,
          null,
          null,
          `${endpoint} had not answered (${reasonText(outcome.reason)})`,
          {
            cause: outcome.reason,
          },
        );
      case 'timeout': {
        const error = partialError(
          endpoint,
          outcome.status,
          outcome.partial,
          outcome.status === null
            ? `${endpoint} did not answer within ${this.timeoutMs} ms`
            : `${endpoint} answered ${outcome.status} but did not finish its body within ${this.timeoutMs} ms`,
        );
        throw outcome.status === null ? markNoAnswer(error) : error;
      }
      case 'oversize':
        throw partialError(
          endpoint,
          outcome.status,
          outcome.partial,
          `${endpoint} answered ${outcome.status} with a body larger than ${MAX_BODY_BYTES} bytes (the limit); reading stopped there`,
          true,
        );
      case 'cut':
        throw partialError(
          endpoint,
          outcome.status,
          outcome.partial,
          `${endpoint} answered ${outcome.status} but the connection closed before the body was complete`,
        );
      case 'failed': {
        const cause: NodeJS.ErrnoException = new Error(outcome.message);
        if (outcome.code !== null) cause.code = outcome.code;
        const why = outcome.code?.startsWith('HPE_') ? describeFailure(outcome) : describeSocketError(cause);
        const message = `${endpoint} failed before any answer: ${why}`;
        const error = new AdapterProtocolError(endpoint, null, null, message, { cause });
        // Bytes that are not HTTP are an answer (a hostile one), not silence.
        throw outcome.code?.startsWith('HPE_') ? error : markNoAnswer(error);
      }
    }
  }
}

const ACCEPT_JSON: Record<string, string> = { accept: 'application/json' };
const SEND_JSON: Record<string, string> = { accept: 'application/json', 'content-type': 'application/json' };
/** A signal for calls that give none: never aborted. */
const NEVER = new AbortController().signal;

/** Why the caller gave up, in words (an abort reason may be anything). */
function reasonText(reason: unknown): string {
  if (reason instanceof Error) return reason.message;
  return reason === undefined ? 'aborted' : String(reason);
}

/** An error for an answer that started but was not usable, quoting the body received so far. */
function partialError(
  endpoint: string,
  status: number | null,
  partial: Buffer,
  message: string,
  oversize = false,
): AdapterProtocolError {
  if (status === null) return new AdapterProtocolError(endpoint, null, null, message);
  const excerpt = bodyExcerpt(partial);
  // Past the limit the bytes kept are fewer than those sent: "first 512 of <kept> bytes" would quote a size
  // below the limit the message names.
  const quoted = !oversize
    ? quoteExcerpt(excerpt, partial.length)
    : partial.length === 0
      ? 'it began with more than the limit in one piece'
      : `it began ${printable(excerpt, BODY_EXCERPT_BYTES)}`;
  return new AdapterProtocolError(endpoint, status, excerpt, `${message}: ${quoted}`);
}

const SOCKET_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'the connection was reset',
  EPIPE: 'the connection was closed while sending',
  ETIMEDOUT: 'the connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
};

export function describeSocketError(error: NodeJS.ErrnoException): string {
  const code = error.code;
  if (code !== undefined && code in SOCKET_ERRORS) {
    // Node reports a server that closes without answering as ECONNRESET "socket hang up".
    if (code === 'ECONNRESET' && error.message === 'socket hang up') {
      return 'the adapter closed the connection without answering (ECONNRESET)';
    }
    return `${SOCKET_ERRORS[code]} (${code})`;
  }
  return code !== undefined ? `${error.message} (${code})` : error.message;
}
