/**
 * The `surepassid` driver: reaches a SurePassID OATH server over its native REST/JSON API
 * (`POST {url}{path}`, default path `/AuthServer/REST/OATH/OATHServer.aspx`), and its test hooks
 * (docs/surepassid.md) where the target has them. With `reference: true` it starts the in-process
 * reference server (drivers/emulated/surepassid/) on loopback, seeded defects and all, and talks HTTP to it.
 *
 * A session hands the suite the raw exchange: a 500, a body that is not JSON or a hang are observations to
 * judge (the server under test misbehaved), not errors. Only a target that cannot be reached at all (a
 * connection refused) makes a method throw, so the case is reported broken.
 */
import type { DriverContext, TargetDriver } from '../../src/core/driver.ts';
import { didYouMean, HarnessError, markNoAnswer, printable } from '../../src/core/errors.ts';
import type { BaseTargetInfo } from '../../src/core/types.ts';
import { SUREPASSID_DEFECT_IDS } from '../emulated/surepassid/defects.ts';
import {
  DEFAULT_HOOKS_PATH,
  DEFAULT_OATH_PATH,
  QR_MODES,
  startSurePassIdReference,
  type QrMode,
  type SurePassIdReference,
} from '../emulated/surepassid/server.ts';
import { describeValue, driverOptionsError, isHttpUrl, unknownOptions, type OptionProblem } from '../options.ts';
import { SilenceTracker } from './silence.ts';
import { describeFailure, splitUrl, Wire } from './wire.ts';

/** Options of the `surepassid` driver, as written in a target of harness.config.ts. */
export interface SurePassIdDriverOptions {
  /** Start the in-process reference server instead of talking to `url`. */
  reference?: boolean;
  /** Seeded defects of the reference server (only with `reference`). */
  defects?: string[];
  /** How the reference server delivers QR codes: `chart` (default), `image` or `data-url` (only with `reference`). */
  qr?: QrMode;
  /** Base URL of a real server (`https://sandbox.example.com`); required without `reference`. */
  url?: string;
  /** The OATH endpoint path. Default `/AuthServer/REST/OATH/OATHServer.aspx`. */
  path?: string;
  /** Prefix of the test hooks; `false`: the target has none (cases needing `test-hooks` are not applicable). */
  hooks?: string | false;
  /** How long one request may take before it counts as a hang. Default 10000. */
  timeoutMs?: number;
  /** Sessions run at once. Default 8 (cases create their own uniquely named accounts). */
  maxSessions?: number;
}

export const DEFAULT_SUREPASSID_TIMEOUT_MS = 10_000;
const MAX_BODY_BYTES = 4 * 1024 * 1024;
/** Redirects followed when fetching a QR image (each must stay on the target's origin). */
const MAX_IMAGE_REDIRECTS = 5;

/** One request to the OATH endpoint and what came back, exactly as on the wire. */
export interface OathExchange {
  request: { method: 'GET' | 'POST'; url: string; contentType: string; body: string };
  /** Null when no complete answer arrived (see `failure`). */
  response: { status: number; contentType: string | null; body: string } | null;
  /**
   * `timeout`: no complete answer in time (a hang); `connection`: the connection broke mid-answer. `silent`:
   * nothing came back at all (no answer's head in time, a connection reset or closed before one).
   */
  failure: { kind: 'timeout' | 'connection'; message: string; silent?: true } | null;
  ms: number;
}

export interface SurePassIdAccountSpec {
  loginName: string;
  loginKey: string;
  issuer?: string;
}

/** The test-hook half of a session (needs the `test-hooks` capability). Every method throws on failure. */
export interface SurePassIdHooks {
  reset(signal: AbortSignal): Promise<void>;
  /** `exists`: the login name is taken (409), as on a server that keeps its accounts between runs. */
  createAccount(account: SurePassIdAccountSpec, signal: AbortSignal): Promise<'created' | 'exists'>;
  createUser(user: { account: string; username: string }, signal: AbortSignal): Promise<void>;
  deleteDevice(device: { account: string; deviceId: string }, signal: AbortSignal): Promise<void>;
}

/** A QR image fetched from `QRCodeURL` (suites/surepassid/qr.ts reads it; matched structurally). */
export interface QrImageFetch {
  /** The URL asked for, then each redirect followed. */
  urls: string[];
  /** The last answer, bytes as sent; null when none arrived (see `failure`). */
  response: { status: number; contentType: string | null; body: Buffer } | null;
  /**
   * `timeout`/`connection` as for an exchange; `off-origin`: the URL or a redirect leads away from the
   * target's origin and was not followed; `redirects`: more than five.
   */
  failure: { kind: 'timeout' | 'connection' | 'off-origin' | 'redirects'; message: string } | null;
  ms: number;
}

/** A session on one SurePassID target. */
export interface SurePassIdSession {
  /** The OATH endpoint's full URL. */
  readonly endpoint: string;
  /** Posts `body` as written (JSON or not) to the OATH endpoint. */
  send(body: string, signal: AbortSignal, contentType?: string): Promise<OathExchange>;
  /**
   * GETs a QR image URL with the driver's timeout (one deadline for the whole fetch, redirects included).
   * Only URLs on the target's origin are fetched, and only redirects that stay on it are followed: the
   * harness talks to nothing but the target.
   */
  fetchImage(url: string, signal: AbortSignal): Promise<QrImageFetch>;
  readonly hooks: SurePassIdHooks;
  close(): Promise<void>;
}

export type SurePassIdDriver = TargetDriver<SurePassIdSession, BaseTargetInfo>;

interface ResolvedOptions {
  reference: boolean;
  defects: string[];
  qr: QrMode | null;
  url: string | null;
  path: string;
  hooks: string | false;
  timeoutMs: number;
  maxSessions: number;
}

/** The factory registered as `surepassid` in src/cli/builtins.ts. */
export async function createSurePassIdDriver(
  options: Record<string, unknown>,
  context: DriverContext,
): Promise<SurePassIdDriver> {
  void context; // Nothing resolves against the config directory; the server hosts its own keys.
  const resolved = validateSurePassIdDriverOptions(options);
  let reference: SurePassIdReference | null = null;
  let base: string;
  if (resolved.reference) {
    reference = await startSurePassIdReference({
      defects: resolved.defects,
      ...(resolved.qr === null ? {} : { qr: resolved.qr }),
      path: resolved.path,
      hooksPath: resolved.hooks === false ? DEFAULT_HOOKS_PATH : resolved.hooks,
    });
    base = reference.url;
  } else {
    base = (resolved.url as string).replace(/\/+$/, '');
  }
  const client = new SurePassIdClient(base, resolved.path, resolved.hooks, resolved.timeoutMs);
  let info: BaseTargetInfo;
  try {
    info = await client.probe(resolved.reference);
  } catch (error) {
    await client.destroy();
    await reference?.close();
    const reason = error instanceof Error ? error.message : String(error);
    // A server that answered (wrongly, or not in time) is there: "cannot reach" would send the user looking
    // at the network instead of at the server.
    throw new HarnessError(
      'HARNESS_TARGET_UNREACHABLE',
      error instanceof ProbeAnswerError
        ? `the SurePassID server at ${base} answered, but not as docs/surepassid.md allows: ${reason}. ` +
            "Fix the server, or the target's path or hooks option"
        : `cannot reach the SurePassID server at ${base}: ${reason}. Start the server or fix targets[..].options.url`,
    );
  }
  return new Driver(client, info, resolved.maxSessions, reference);
}

const KNOWN_OPTIONS = ['reference', 'defects', 'qr', 'url', 'path', 'hooks', 'timeoutMs', 'maxSessions'];

/** Every problem with the options at once (the config resolver runs it before any driver starts). */
export function checkSurePassIdDriverOptions(options: Record<string, unknown>): OptionProblem[] {
  return readSurePassIdOptions(options).problems;
}

/** Checks the options and applies defaults; every problem is reported at once, each naming its field. */
export function validateSurePassIdDriverOptions(options: Record<string, unknown>): ResolvedOptions {
  const { problems, resolved } = readSurePassIdOptions(options);
  if (problems.length > 0) throw driverOptionsError('surepassid', problems);
  return resolved;
}

function readSurePassIdOptions(options: Record<string, unknown>): {
  problems: OptionProblem[];
  resolved: ResolvedOptions;
} {
  const problems: OptionProblem[] = unknownOptions(options, KNOWN_OPTIONS);
  const problem = (path: string, message: string) => void problems.push({ path, message });
  const reference = options['reference'] ?? false;
  if (typeof reference !== 'boolean') problem('reference', `must be true or false, got ${describeValue(reference)}`);
  const defects = options['defects'] ?? [];
  if (!Array.isArray(defects) || defects.some((d) => typeof d !== 'string')) {
    problem('defects', `must be an array of defect ids, got ${describeValue(defects)}`);
  } else {
    (defects as string[]).forEach((d, i) => {
      if (!SUREPASSID_DEFECT_IDS.includes(d)) {
        problem(
          `defects[${i}]`,
          `unknown defect ${JSON.stringify(d)}: ${didYouMean(d, SUREPASSID_DEFECT_IDS)}known: ${SUREPASSID_DEFECT_IDS.join(', ')}`,
        );
      }
    });
    if (defects.length > 0 && reference !== true) problem('defects', 'only apply with reference: true');
  }
  const qr = options['qr'];
  if (qr !== undefined) {
    if (typeof qr !== 'string' || !(QR_MODES as readonly string[]).includes(qr)) {
      problem('qr', `must be one of ${QR_MODES.map((m) => JSON.stringify(m)).join(', ')}, got ${describeValue(qr)}`);
    }
    if (reference !== true)
      problem('qr', 'only applies with reference: true (it sets how the reference server delivers QR codes)');
  }
  const url = options['url'];
  if (reference === true) {
    if (url !== undefined)
      problem('url', 'and reference: true exclude each other: the reference server has its own URL');
  } else if (url === undefined) {
    problem(
      'url',
      'is required (the base URL of the SurePassID server, e.g. "https://sandbox.example.com"), or set reference: true',
    );
  } else if (typeof url !== 'string' || !isHttpUrl(url)) {
    problem('url', `must be an http(s) URL, got ${describeValue(url)}`);
  }
  const path = options['path'] ?? DEFAULT_OATH_PATH;
  if (typeof path !== 'string' || !path.startsWith('/'))
    problem('path', `must start with "/", got ${describeValue(path)}`);
  const hooks = options['hooks'] ?? DEFAULT_HOOKS_PATH;
  if (hooks !== false && (typeof hooks !== 'string' || !hooks.startsWith('/'))) {
    problem('hooks', `must be a path starting with "/" or false, got ${describeValue(hooks)}`);
  }
  const timeoutMs = options['timeoutMs'] ?? DEFAULT_SUREPASSID_TIMEOUT_MS;
  if (typeof timeoutMs !== 'number' || !Number.isInteger(timeoutMs) || timeoutMs <= 0) {
    problem('timeoutMs', `must be a positive whole number of milliseconds, got ${describeValue(timeoutMs)}`);
  }
  const maxSessions = options['maxSessions'] ?? 8;
  if (typeof maxSessions !== 'number' || !Number.isInteger(maxSessions) || maxSessions < 1) {
    problem('maxSessions', `must be a whole number of at least 1, got ${describeValue(maxSessions)}`);
  }
  return {
    problems,
    resolved: {
      reference: reference === true,
      defects: Array.isArray(defects) ? (defects as string[]) : [],
      qr: qr === undefined ? null : (qr as QrMode),
      url: typeof url === 'string' ? url : null,
      path: typeof path === 'string' ? path : DEFAULT_OATH_PATH,
      hooks: hooks === false ? false : typeof hooks === 'string' ? hooks.replace(/\/+$/, '') : DEFAULT_HOOKS_PATH,
      timeoutMs: typeof timeoutMs === 'number' ? timeoutMs : DEFAULT_SUREPASSID_TIMEOUT_MS,
      maxSessions: typeof maxSessions === 'number' ? maxSessions : 8,
    },
  };
}

class Driver implements SurePassIdDriver {
  readonly maxSessions: number;
  #stopped = false;

  constructor(
    private readonly client: SurePassIdClient,
    private readonly target: BaseTargetInfo,
    maxSessions: number,
    private readonly reference: SurePassIdReference | null,
  ) {
    this.maxSessions = maxSessions;
  }

  async info(): Promise<BaseTargetInfo> {
    return structuredClone(this.target);
  }

  /** Health probe for the runner's circuit breaker (see {@link SurePassIdClient.alive}). */
  async probe(signal: AbortSignal): Promise<void> {
    await this.client.alive(signal);
  }

  async openSession(): Promise<SurePassIdSession> {
    if (this.#stopped) throw new Error('the surepassid driver was stopped; no session can be opened');
    return new Session(this.client, this.target.capabilities.includes('test-hooks'));
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    await this.client.destroy();
    await this.reference?.close();
  }
}

class Session implements SurePassIdSession {
  readonly endpoint: string;
  readonly hooks: SurePassIdHooks;
  #closed = false;
  /** Whether this session's last request got no answer at all (for the runner's circuit breaker). */
  readonly #silence = new SilenceTracker();

  constructor(
    private readonly client: SurePassIdClient,
    hasHooks: boolean,
  ) {
    this.endpoint = client.endpoint;
    const hook = async (route: string, body: unknown, signal: AbortSignal, expect: number[]): Promise<number> => {
      this.#assertOpen();
      if (!hasHooks) throw new Error(`this target has no test hooks (driver option hooks: false); ${route} needs them`);
      return client.hook(route, body, signal, expect, this.#silence);
    };
    this.hooks = {
      reset: async (signal) => void (await hook('/reset', {}, signal, [204])),
      // 409: the login name exists (a server that keeps its accounts between runs); the suite picks another.
      createAccount: async (account, signal) =>
        (await hook('/accounts', account, signal, [201, 409])) === 409 ? 'exists' : 'created',
      createUser: async (user, signal) => void (await hook('/users', user, signal, [201])),
      deleteDevice: async (device, signal) => void (await hook('/devices/delete', device, signal, [204])),
    };
  }

  async send(body: string, signal: AbortSignal, contentType = 'application/json'): Promise<OathExchange> {
    this.#assertOpen();
    return this.client.post(body, contentType, signal, this.#silence);
  }

  async fetchImage(url: string, signal: AbortSignal): Promise<QrImageFetch> {
    this.#assertOpen();
    return this.client.getImage(url, signal, this.#silence);
  }

  /** For the runner's circuit breaker (src/core/driver.ts, SilenceReporting). */
  takeSilence(): string | null {
    return this.#silence.take();
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('this surepassid session is closed');
  }
}

/** The wire (drivers/http/wire.ts): keep-alive connections, a deadline per request, the caller's AbortSignal. */
export class SurePassIdClient {
  readonly endpoint: string;
  readonly #origin: string;
  readonly #hooksBase: string | null;
  readonly #wire: Wire;
  readonly #timeoutMs: number;
  /** The OATH endpoint as sent, parsed once: every case's requests go there. */
  readonly #endpointTarget: { origin: string; path: string };

  constructor(base: string, path: string, hooks: string | false, timeoutMs: number) {
    this.endpoint = `${base}${path}`;
    this.#origin = new URL(base).origin;
    this.#endpointTarget = splitUrl(this.endpoint);
    this.#hooksBase = hooks === false ? null : `${base}${hooks}`;
    this.#timeoutMs = timeoutMs;
    // Answers beyond the limit are cut to it rather than failed: a QR image or an error page that large
    // is still judged on what fits.
    this.#wire = new Wire({
      timeoutMs,
      maxBodyBytes: MAX_BODY_BYTES,
      oversize: 'truncate',
      connections: 64,
      retryStaleConnection: true,
    });
  }

  /**
   * What the target is: the hooks' `GET /info` where there are hooks, else a POST proving the endpoint
   * answers. Throws a {@link ProbeAnswerError} when the server answered, but not usably; any other error when
   * it could not be reached.
   */
  async probe(reference: boolean): Promise<BaseTargetInfo> {
    const controller = new AbortController();
    if (this.#hooksBase !== null) {
      const url = `${this.#hooksBase}/info`;
      const answer = await this.#raw('GET', url, null, null, controller.signal);
      if (answer.response === null) {
        throw new ProbeAnswerError(`GET ${url} gave no answer: ${answer.failure?.message ?? 'none'}`);
      }
      if (answer.response.status === 200) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(answer.response.body);
        } catch {
          parsed = undefined;
        }
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
          throw new ProbeAnswerError(
            `GET ${url} answered 200 with ${printable(answer.response.body)}, not the JSON object {"name", "version", "capabilities"} of the test hooks`,
          );
        }
        const info = parsed as Partial<BaseTargetInfo>;
        return {
          name: typeof info.name === 'string' ? info.name : 'surepassid',
          version: typeof info.version === 'string' ? info.version : 'unknown',
          capabilities: Array.isArray(info.capabilities)
            ? info.capabilities.filter((c) => typeof c === 'string')
            : ['test-hooks'],
        };
      }
      if (reference) {
        throw new ProbeAnswerError(
          `the reference server's test hooks answered ${answer.response.status} ${printable(answer.response.body)}`,
        );
      }
    }
    // No hooks: an empty JSON object must get some answer (any status) for the endpoint to count as reachable.
    const answer = await this.post('{}', 'application/json', controller.signal);
    if (answer.response === null) {
      throw new ProbeAnswerError(`POST ${this.endpoint} gave no answer: ${answer.failure?.message ?? 'none'}`);
    }
    return { name: 'surepassid', version: 'unknown', capabilities: [] };
  }

  /**
   * Health probe: any answer at all from the hooks' `GET /info` (or, without hooks, to an empty JSON object
   * at the OATH endpoint) means alive, whatever it says; no answer rejects, naming the server and the request.
   */
  async alive(signal: AbortSignal): Promise<void> {
    const url = this.#hooksBase === null ? this.endpoint : `${this.#hooksBase}/info`;
    const where = `the SurePassID server at ${this.#origin}`;
    let exchange: OathExchange;
    try {
      exchange =
        this.#hooksBase === null
          ? await this.post('{}', 'application/json', signal)
          : await this.#raw('GET', url, null, null, signal);
    } catch (error) {
      // Given up by the prober (its deadline): the abort's own words add nothing.
      const method = this.#hooksBase === null ? 'POST' : 'GET';
      const text = signal.aborted
        ? `${method} ${url} had not answered`
        : error instanceof Error
          ? error.message
          : String(error);
      throw new Error(`${where}: ${text}`, { cause: error });
    }
    if (exchange.response === null && exchange.failure?.silent === true) {
      throw new Error(`${where}: ${exchange.request.method} ${url} gave no answer: ${exchange.failure.message}`);
    }
  }

  post(body: string, contentType: string, signal: AbortSignal, silence?: SilenceTracker): Promise<OathExchange> {
    return this.#raw('POST', this.endpoint, body, contentType, signal, silence);
  }

  /** GETs an image on the target's origin, following same-origin redirects, within one timeout. */
  async getImage(url: string, signal: AbortSignal, silence?: SilenceTracker): Promise<QrImageFetch> {
    const start = performance.now();
    const fetch: QrImageFetch = { urls: [], response: null, failure: null, ms: 0 };
    const done = (failure: QrImageFetch['failure']): QrImageFetch => {
      fetch.failure = failure;
      fetch.ms = Math.round(performance.now() - start);
      return fetch;
    };
    let next: URL;
    try {
      next = new URL(url);
    } catch {
      return done({ kind: 'connection', message: `${JSON.stringify(url.slice(0, 80))} is not a URL` });
    }
    for (;;) {
      if (next.origin !== this.#origin) {
        const what = fetch.urls.length === 0 ? 'QRCodeURL is' : 'the QR image redirects';
        return done({ kind: 'off-origin', message: `${what} on ${next.origin}, not on the target ${this.#origin}` });
      }
      fetch.urls.push(next.href);
      const left = this.#timeoutMs - (performance.now() - start);
      if (left <= 0) return done({ kind: 'timeout', message: `no complete answer within ${this.#timeoutMs} ms` });
      const { exchange, bytes, location } = await this.#exchange(
        'GET',
        next.href,
        null,
        null,
        signal,
        'image/png, image/*;q=0.8, */*;q=0.1',
        left,
        silence,
      );
      if (exchange.response === null) {
        if (exchange.failure?.kind === 'timeout') {
          return done({ kind: 'timeout', message: `no complete answer within ${this.#timeoutMs} ms` });
        }
        return done(exchange.failure ?? { kind: 'connection', message: 'no answer' });
      }
      fetch.response = { status: exchange.response.status, contentType: exchange.response.contentType, body: bytes };
      const status = exchange.response.status;
      if (![301, 302, 303, 307, 308].includes(status) || location === null) return done(null);
      if (fetch.urls.length > MAX_IMAGE_REDIRECTS) {
        return done({ kind: 'redirects', message: `more than ${MAX_IMAGE_REDIRECTS} redirects` });
      }
      try {
        next = new URL(location, next);
      } catch {
        return done({ kind: 'connection', message: `HTTP ${status} with a Location that is not a URL` });
      }
    }
  }

  async hook(
    route: string,
    body: unknown,
    signal: AbortSignal,
    expect: number[],
    silence?: SilenceTracker,
  ): Promise<number> {
    if (this.#hooksBase === null) throw new Error('this target has no test hooks');
    const answer = await this.#raw(
      'POST',
      `${this.#hooksBase}${route}`,
      JSON.stringify(body),
      'application/json',
      signal,
      silence,
    );
    // The test hooks are the harness's contract with the deployment: an answer outside it leaves the case
    // without its starting state, so it is broken (the caller's throw), never a verdict on the server.
    const where = `test hook POST ${this.#hooksBase}${route}`;
    if (answer.response === null) throw new Error(`${where} gave no answer: ${answer.failure?.message ?? 'none'}`);
    if (!expect.includes(answer.response.status)) {
      throw new Error(
        `${where} answered ${answer.response.status} ${printable(answer.response.body)}; docs/surepassid.md has it answer ${expect.join(' or ')}`,
      );
    }
    return answer.response.status;
  }

  async destroy(): Promise<void> {
    await this.#wire.close();
  }

  /** Resolves with the exchange; rejects only when the connection could not be made at all, or on abort. */
  async #raw(
    method: 'GET' | 'POST',
    url: string,
    body: string | null,
    contentType: string | null,
    signal: AbortSignal,
    silence?: SilenceTracker,
  ): Promise<OathExchange> {
    return (await this.#exchange(method, url, body, contentType, signal, 'application/json', this.#timeoutMs, silence))
      .exchange;
  }

  /** The exchange, the answer's bytes as sent, and its Location header. */
  async #exchange(
    method: 'GET' | 'POST',
    url: string,
    body: string | null,
    contentType: string | null,
    signal: AbortSignal,
    accept: string,
    timeoutMs: number,
    silence?: SilenceTracker,
  ): Promise<{ exchange: OathExchange; bytes: Buffer; location: string | null }> {
    const exchange: OathExchange = {
      request: { method, url, contentType: contentType ?? '', body: body ?? '' },
      response: null,
      failure: null,
      ms: 0,
    };
    const target = url === this.endpoint ? this.#endpointTarget : splitUrl(url);
    const headers =
      accept === 'application/json' && (body === null || contentType === 'application/json' || contentType === null)
        ? body === null
          ? ACCEPT_JSON
          : POST_JSON
        : { accept, ...(body === null ? {} : { 'content-type': contentType ?? 'application/json' }) };
    const outcome = await this.#wire.send({ ...target, method, headers, body, signal, timeoutMs });
    exchange.ms = outcome.ms;
    const what = `${method} ${url}`;
    switch (outcome.kind) {
      case 'answer': {
        silence?.note(what, outcome, '');
        const bytes = outcome.body;
        exchange.response = { status: outcome.status, contentType: outcome.contentType, body: bytes.toString('utf8') };
        return { exchange, bytes, location: outcome.location };
      }
      case 'timeout':
        exchange.failure = {
          kind: 'timeout',
          message:
            outcome.status === null
              ? `no answer within ${this.#timeoutMs} ms`
              : `answered ${outcome.status} but did not finish its body within ${this.#timeoutMs} ms`,
          ...(outcome.status === null ? { silent: true } : {}),
        };
        break;
      case 'cut':
      case 'oversize':
        exchange.failure = {
          kind: 'connection',
          message: `answered ${outcome.status}, then closed the connection in the middle of the body`,
        };
        break;
      case 'aborted':
        // The caller gave up waiting (the case timed out, the target was stopped): say what was still
        // unanswered, so a hang names its endpoint even when the case's deadline came first.
        throw new Error(`${what} had not answered (${reasonText(outcome.reason)})`, { cause: outcome.reason });
      case 'failed': {
        const why = describeFailure(outcome);
        silence?.note(what, outcome, why);
        if (!outcome.connected) {
          const error = new Error(`${what}: ${why}`);
          throw outcome.code?.startsWith('ERR_SSL_') ? error : markNoAnswer(error);
        }
        exchange.failure = {
          kind: 'connection',
          message: why,
          ...(outcome.code?.startsWith('HPE_') ? {} : { silent: true }),
        };
        break;
      }
    }
    if (outcome.kind !== 'failed') silence?.note(what, outcome, exchange.failure?.message ?? '');
    return { exchange, bytes: EMPTY, location: null };
  }
}

const ACCEPT_JSON: Record<string, string> = { accept: 'application/json' };
const POST_JSON: Record<string, string> = { accept: 'application/json', 'content-type': 'application/json' };
const EMPTY = Buffer.alloc(0);

/** Why the caller gave up, in words (an abort reason may be anything). */
function reasonText(reason: unknown): string {
  if (reason instanceof Error) return reason.message;
  return reason === undefined ? 'aborted' : String(reason);
}

/** The server answered the probe, but not usably: it is there, so "cannot reach" would mislead. */
class ProbeAnswerError extends Error {}
