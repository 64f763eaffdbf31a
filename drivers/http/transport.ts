import http from 'node:http';
import https from 'node:https';
import { AdapterProtocolError, bodyExcerpt, quoteExcerpt } from './errors.ts';
import { describeSchemaErrors, schemaValidator, type SchemaName } from './schemas.ts';

/**
 * The client half of the adapter protocol's wire: one keep-alive agent, a deadline per request, the caller's
 * AbortSignal, and every deviation from the protocol turned into an {@link AdapterProtocolError}. It knows
 * HTTP and JSON, not what the endpoints mean.
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
  readonly #agent: http.Agent;
  readonly #request: typeof http.request;

  constructor(baseUrl: URL, timeoutMs: number) {
    // A base URL with a path (`http://lab/adapters/7`) keeps it: protocol paths are appended, not replaced.
    const base = new URL(baseUrl.href);
    if (!base.pathname.endsWith('/')) base.pathname += '/';
    base.search = '';
    base.hash = '';
    this.baseUrl = base;
    this.timeoutMs = timeoutMs;
    const secure = base.protocol === 'https:';
    this.#agent = secure
      ? new https.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS })
      : new http.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS });
    this.#request = secure ? https.request : http.request;
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

  /** Closes idle keep-alive sockets and any request still in flight. */
  destroy(): void {
    this.#agent.destroy();
  }

  #send(endpoint: string, exchange: Exchange): Promise<RawAnswer> {
    const { signal } = exchange;
    return new Promise<RawAnswer>((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortReason(signal));
        return;
      }
      const payload = exchange.body === undefined ? undefined : Buffer.from(JSON.stringify(exchange.body), 'utf8');
      const headers: http.OutgoingHttpHeaders = { accept: 'application/json' };
      if (payload !== undefined) {
        headers['content-type'] = 'application/json';
        headers['content-length'] = payload.length;
      }

      let settled = false;
      let status: number | null = null;
      const chunks: Buffer[] = [];
      let received = 0;
      const partial = (): { excerpt: string | null; quoted: string } => {
        if (status === null) return { excerpt: null, quoted: '' };
        const body = Buffer.concat(chunks);
        const excerpt = bodyExcerpt(body);
        return { excerpt, quoted: `: ${quoteExcerpt(excerpt, body.length)}` };
      };

      const req = this.#request(new URL(exchange.path.replace(/^\//, ''), this.baseUrl), {
        method: exchange.method,
        agent: this.#agent,
        headers,
      });

      const settle = (outcome: { error: unknown } | { answer: RawAnswer }): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if ('error' in outcome) {
          // A socket left half-read would be handed to the next request by the agent; destroy it instead.
          req.destroy();
          reject(outcome.error);
        } else {
          resolve(outcome.answer);
        }
      };

      const timer = setTimeout(() => {
        const { excerpt, quoted } = partial();
        const message =
          status === null
            ? `${endpoint} did not answer within ${this.timeoutMs} ms`
            : `${endpoint} answered ${status} but did not finish its body within ${this.timeoutMs} ms${quoted}`;
        settle({ error: new AdapterProtocolError(endpoint, status, excerpt, message) });
      }, this.timeoutMs);

      const onAbort = (): void => settle({ error: abortReason(signal) });
      signal?.addEventListener('abort', onAbort, { once: true });

      req.on('error', (cause: NodeJS.ErrnoException) => {
        const { excerpt, quoted } = partial();
        const message =
          status === null
            ? `${endpoint} failed before any answer: ${describeSocketError(cause)}`
            : `${endpoint} answered ${status} but the connection failed before the body was complete ` +
              `(${describeSocketError(cause)})${quoted}`;
        settle({ error: new AdapterProtocolError(endpoint, status, excerpt, message, { cause }) });
      });

      req.on('response', (res) => {
        status = res.statusCode ?? null;
        res.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > MAX_BODY_BYTES) {
            const { excerpt, quoted } = partial();
            settle({
              error: new AdapterProtocolError(
                endpoint,
                status,
                excerpt,
                `${endpoint} answered ${status} with a body larger than ${MAX_BODY_BYTES} bytes${quoted}`,
              ),
            });
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => settle({ answer: { status: res.statusCode ?? 0, body: Buffer.concat(chunks) } }));
        // A connection cut mid-body surfaces as 'error' on some Node versions and only as an incomplete
        // 'close' on others; both mean the same thing here.
        const cut = (cause?: unknown): void => {
          const { excerpt, quoted } = partial();
          settle({
            error: new AdapterProtocolError(
              endpoint,
              status,
              excerpt,
              `${endpoint} answered ${status} but the connection closed before the body was complete${quoted}`,
              cause === undefined ? undefined : { cause },
            ),
          });
        };
        res.on('error', cut);
        res.on('close', () => {
          if (!res.complete) cut();
        });
      });

      req.end(payload);
    });
  }
}

function abortReason(signal: AbortSignal | undefined): unknown {
  return signal?.reason ?? new DOMException('The operation was aborted', 'AbortError');
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
