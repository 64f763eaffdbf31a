import { printable } from '../../src/core/errors.ts';

/**
 * An adapter answered outside the adapter protocol (docs/spec/adapter-protocol.md): a wrong status, a body that
 * is not JSON or does not match the schema, a connection refused or cut, or no answer in time. The runner
 * reports it as a *broken* case (the harness could not observe the client), never as a failed one.
 */
export class AdapterProtocolError extends Error {
  /** `POST /v1/provision`: the method and the protocol path, independent of the adapter's base URL. */
  readonly endpoint: string;
  /** The HTTP status the adapter answered, or null when no status line arrived. */
  readonly status: number | null;
  /** The first 512 bytes of the body (decoded as UTF-8), or null when no body arrived. */
  readonly bodyExcerpt: string | null;

  constructor(
    endpoint: string,
    status: number | null,
    bodyExcerpt: string | null,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AdapterProtocolError';
    this.endpoint = endpoint;
    this.status = status;
    this.bodyExcerpt = bodyExcerpt;
  }
}

export function isAdapterProtocolError(error: unknown): error is AdapterProtocolError {
  return error instanceof AdapterProtocolError;
}

/** How many bytes of a body an error quotes (the protocol fixes 512). */
export const BODY_EXCERPT_BYTES = 512;

export function bodyExcerpt(body: Buffer): string {
  return body.subarray(0, BODY_EXCERPT_BYTES).toString('utf8');
}

/** The excerpt as it appears in a message: quoted, so an empty or whitespace body is still visible. */
export function quoteExcerpt(excerpt: string | null, totalBytes: number): string {
  if (excerpt === null) return '(no body)';
  if (totalBytes === 0) return '(empty body)';
  const more = totalBytes > BODY_EXCERPT_BYTES ? ` (first ${BODY_EXCERPT_BYTES} of ${totalBytes} bytes)` : '';
  // Escaped (controls, bytes that were not UTF-8, bidi overrides): a hostile body must not drive the terminal.
  return `${printable(excerpt, BODY_EXCERPT_BYTES)}${more}`;
}
