/**
 * The `swivel` driver: reaches a Swivel server through its AgentXML endpoint (`POST {base}/AgentXML`) and
 * the JSON test-hook API of docs/swivel.md (`{base}/harness/v1/...`). With `reference: true` it first starts
 * the reference server (drivers/emulated/swivel/) on loopback, in-process; with `url` (one instance) or
 * `urls` (a cluster) it talks to a real server's test deployment.
 *
 * A session hands the suite raw exchanges (request and answer as sent and received) rather than parsed
 * objects: the suite judges the wire format itself, and attaches exactly what travelled to a failing case.
 */
import type { DriverContext, TargetDriver } from '../../src/core/driver.ts';
import { didYouMean, HarnessError, markNoAnswer, printable } from '../../src/core/errors.ts';
import type { BaseTargetInfo } from '../../src/core/types.ts';
import { isSwivelDefectId, SWIVEL_DEFECTS } from '../emulated/swivel/defects.ts';
import { startSwivelReference, type SwivelReference } from '../emulated/swivel/server.ts';
import { driverOptionsError, isHttpUrl, unknownOptions, type OptionProblem } from '../options.ts';
import { isSilentOutcome, SilenceTracker } from './silence.ts';
import { describeFailure, splitUrl, Wire } from './wire.ts';

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_HOOKS_PATH = '/harness/v1';
const MAX_BODY_BYTES = 1024 * 1024;

/** Options of the `swivel` driver, as written in a target of harness.config.ts. */
export interface SwivelDriverOptions {
  /** Start the reference server in-process instead of reaching a real one. */
  reference?: boolean;
  /** Reference only: seeded defects to switch on (drivers/emulated/swivel/defects.ts). */
  defects?: string[];
  /** Reference only: how many instances form the cluster (default 1). */
  instances?: number;
  /** Reference only: offer the controllable clock (default true). */
  clock?: boolean;
  /** Whether provision codes are valid on every instance (reference: configures it; real: declares it). */
  sessionSharing?: boolean;
  /** A real server: its base URL (AgentXML is `{url}/AgentXML`). */
  url?: string;
  /** A real cluster: every instance's base URL. */
  urls?: string[];
  /** Where the test hooks live under each base URL (default `/harness/v1`). */
  hooksPath?: string;
  /** How long one request may take, connection to last body byte (default 10000). */
  timeoutMs?: number;
}

export interface ResolvedSwivelDriverOptions {
  reference: boolean;
  defects: string[];
  instances: number;
  clock: boolean;
  sessionSharing: boolean;
  urls: string[];
  hooksPath: string;
  timeoutMs: number;
}

import type { WireExchange, WireRequest, WireResponse } from '../../src/core/types.ts';
import { isRecord } from '../../src/core/json.ts';
export type { WireExchange, WireRequest, WireResponse };

const KNOWN_OPTIONS = [
  'reference',
  'defects',
  'instances',
  'clock',
  'sessionSharing',
  'url',
  'urls',
  'hooksPath',
  'timeoutMs',
];

/** Every problem with the options at once (the config resolver runs it before any driver starts). */
export function checkSwivelDriverOptions(options: Record<string, unknown>): OptionProblem[] {
  return readSwivelOptions(options).problems;
}

/** Checks the options and applies defaults; every problem is reported at once, naming the field. */
export function validateSwivelDriverOptions(options: Record<string, unknown>): ResolvedSwivelDriverOptions {
  const { problems, resolved } = readSwivelOptions(options);
  if (problems.length > 0) throw driverOptionsError('swivel', problems);
  return resolved;
}

function readSwivelOptions(options: Record<string, unknown>): {
  problems: OptionProblem[];
  resolved: ResolvedSwivelDriverOptions;
} {
  const problems: OptionProblem[] = unknownOptions(options, KNOWN_OPTIONS);
  const problem = (path: string, message: string) => void problems.push({ path, message });
  const reference = options['reference'] ?? false;
  if (typeof reference !== 'boolean') problem('reference', `must be true or false, got ${describe(reference)}`);
  const isReference = reference === true;

  const defects = options['defects'] ?? [];
  const defectIds = SWIVEL_DEFECTS.map((x) => x.id);
  if (!Array.isArray(defects) || defects.some((d) => typeof d !== 'string')) {
    problem('defects', `must be a list of defect names, got ${describe(defects)}`);
  } else {
    (defects as string[]).forEach((d, i) => {
      if (!isSwivelDefectId(d)) {
        problem(`defects[${i}]`, `unknown defect "${d}": ${didYouMean(d, defectIds)}known: ${defectIds.join(', ')}`);
      }
    });
    if (!isReference && defects.length > 0) problem('defects', 'only apply with reference: true');
  }
  const clock = options['clock'] ?? true;
  if (typeof clock !== 'boolean') problem('clock', `must be true or false, got ${describe(clock)}`);
  else if (!isReference && options['clock'] !== undefined) {
    problem('clock', 'only applies with reference: true (a real server lists "clock" in GET /harness/v1/info)');
  }
  const sessionSharing = options['sessionSharing'] ?? false;
  if (typeof sessionSharing !== 'boolean') {
    problem('sessionSharing', `must be true or false, got ${describe(sessionSharing)}`);
  }

  let urls: string[] = [];
  let instances = 1;
  if (isReference) {
    if (options['url'] !== undefined || options['urls'] !== undefined) {
      problem(
        options['url'] !== undefined ? 'url' : 'urls',
        'cannot be used with reference: true (the reference server picks its own ports)',
      );
    }
    const raw = options['instances'] ?? 1;
    if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 1 || raw > 8) {
      problem('instances', `must be a whole number from 1 to 8, got ${describe(raw)}`);
    } else instances = raw;
  } else {
    if (options['instances'] !== undefined) {
      problem('instances', 'only applies with reference: true; for a real cluster list every instance in urls');
    }
    const url = options['url'];
    const list = options['urls'];
    if (url !== undefined && list !== undefined) problem('urls', 'give url or urls, not both');
    else if (url === undefined && list === undefined) {
      problem(
        'url',
        'is required (the server\'s base URL, e.g. "http://10.0.0.5:8080/pinsafe"), or urls for a cluster, or reference: true',
      );
    } else if (url !== undefined) {
      if (typeof url !== 'string' || !isHttpUrl(url)) problem('url', `must be an http(s) URL, got ${describe(url)}`);
      else urls = [url];
    } else if (!Array.isArray(list) || list.length === 0) {
      problem('urls', `must be a non-empty list of http(s) URLs, got ${describe(list)}`);
    } else {
      list.forEach((u: unknown, i) => {
        if (typeof u !== 'string' || !isHttpUrl(u)) problem(`urls[${i}]`, `must be an http(s) URL, got ${describe(u)}`);
        else urls.push(u);
      });
    }
    instances = Math.max(urls.length, 1);
  }
  const hooksPath = options['hooksPath'] ?? DEFAULT_HOOKS_PATH;
  if (typeof hooksPath !== 'string' || !hooksPath.startsWith('/')) {
    problem('hooksPath', `must be a path starting with "/", got ${describe(hooksPath)}`);
  }
  const timeoutMs = options['timeoutMs'] ?? DEFAULT_TIMEOUT_MS;
  if (typeof timeoutMs !== 'number' || !Number.isInteger(timeoutMs) || timeoutMs <= 0) {
    problem('timeoutMs', `must be a positive whole number of milliseconds, got ${describe(timeoutMs)}`);
  }
  return {
    problems,
    resolved: {
      reference: isReference,
      defects: Array.isArray(defects) ? (defects as string[]) : [],
      instances,
      clock: clock === true,
      sessionSharing: sessionSharing === true,
      urls,
      hooksPath: typeof hooksPath === 'string' ? hooksPath.replace(/\/+$/, '') : DEFAULT_HOOKS_PATH,
      timeoutMs: typeof timeoutMs === 'number' ? timeoutMs : DEFAULT_TIMEOUT_MS,
    },
  };
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? 'a list' : 'an object';
}

/**
 * Creates the driver. It asks `GET {hooks}/info` of the first instance once, so a run against a server that
 * is not there (or has no test hooks) stops with HARNESS_TARGET_UNREACHABLE before any case.
 */
export async function createSwivelDriver(
  options: Record<string, unknown>,
  context: DriverContext,
): Promise<SwivelDriver> {
  void context; // Nothing resolves against the config directory.
  const resolved = validateSwivelDriverOptions(options);
  let reference: SwivelReference | null = null;
  let urls = resolved.urls;
  if (resolved.reference) {
    reference = await startSwivelReference({
      instances: resolved.instances,
      sessionSharing: resolved.sessionSharing,
      defects: resolved.defects,
      clock: resolved.clock,
    });
    urls = [...reference.urls];
  }
  const transport = new SwivelTransport(urls, resolved.hooksPath, resolved.timeoutMs);
  try {
    const info = await fetchInfo(transport, resolved);
    return new SwivelDriver(transport, info, reference);
  } catch (error) {
    await transport.destroy();
    await reference?.close();
    throw error;
  }
}

async function fetchInfo(transport: SwivelTransport, options: ResolvedSwivelDriverOptions): Promise<BaseTargetInfo> {
  const where = `${transport.bases[0] ?? ''}${options.hooksPath}/info`;
  let exchange: WireExchange;
  try {
    // No signal of its own: the transport's deadline words a hang ("no answer within ... ms").
    exchange = await transport.hook(0, 'GET', '/info', undefined, NEVER);
  } catch (error) {
    throw new HarnessError(
      'HARNESS_TARGET_UNREACHABLE',
      `cannot reach the Swivel server at ${where}: ${error instanceof Error ? error.message : String(error)}. ` +
        "Start it or fix the target's url/urls",
    );
  }
  if (exchange.response === null) {
    throw new HarnessError(
      'HARNESS_TARGET_UNREACHABLE',
      `the Swivel server at ${where} accepted the connection but gave no answer: ${exchange.failure ?? 'none'}. ` +
        'Check that the server is up and that url/urls name its HTTP port',
    );
  }
  const body = parseJson(exchange.response.body);
  const ok =
    exchange.response.status === 200 &&
    isRecord(body) &&
    typeof body['name'] === 'string' &&
    typeof body['version'] === 'string' &&
    Array.isArray(body['capabilities']) &&
    body['capabilities'].every((c) => typeof c === 'string');
  if (!ok || !isRecord(body)) {
    throw new HarnessError(
      'HARNESS_TARGET_UNREACHABLE',
      `the Swivel server at ${where} does not offer the test hooks of docs/swivel.md ` +
        `(expected 200 {"name", "version", "capabilities"}, got ${exchange.response.status} ${printable(exchange.response.body)}). ` +
        'Deploy the hooks or fix hooksPath',
    );
  }
  // The cluster shape comes from the configuration, not from what one instance says of itself.
  const capabilities = (body['capabilities'] as string[]).filter((c) => c !== 'cluster' && c !== 'session-sharing');
  if (transport.bases.length > 1) capabilities.push('cluster');
  if (options.sessionSharing) capabilities.push('session-sharing');
  return { name: body['name'] as string, version: body['version'] as string, capabilities };
}

/** A signal for requests that have only the transport's deadline: never aborted. */
const NEVER = new AbortController().signal;

export class SwivelDriver implements TargetDriver<SwivelHttpSession, BaseTargetInfo> {
  readonly maxSessions = 1;
  #session: SwivelHttpSession | null = null;
  #stopped = false;

  constructor(
    private readonly transport: SwivelTransport,
    private readonly targetInfo: BaseTargetInfo,
    private readonly reference: SwivelReference | null,
  ) {}

  /** The instances' base URLs (the reference server's, once started). */
  get urls(): readonly string[] {
    return this.transport.bases;
  }

  async info(): Promise<BaseTargetInfo> {
    return structuredClone(this.targetInfo);
  }

  /**
   * Health probe for the runner's circuit breaker: `GET {hooks}/info` of every instance. Any answer at all
   * means alive (even one outside docs/swivel.md); no answer from an instance rejects, naming it.
   */
  async probe(signal: AbortSignal): Promise<void> {
    await Promise.all(
      this.transport.bases.map(async (base, i) => {
        const url = `${base}${this.transport.hooksPath}/info`;
        let exchange: WireExchange;
        try {
          exchange = await this.transport.hook(i, 'GET', '/info', undefined, signal);
        } catch (error) {
          // Given up by the prober (its deadline): the abort's own words add nothing.
          const text = signal.aborted
            ? `GET ${url} had not answered`
            : error instanceof Error
              ? error.message
              : String(error);
          throw new Error(`the Swivel server at ${base}: ${text}`, { cause: error });
        }
        if (exchange.silent === true) {
          throw new Error(`the Swivel server at ${base}: GET ${url} gave no answer: ${exchange.failure ?? 'none'}`);
        }
      }),
    );
  }

  async openSession(): Promise<SwivelHttpSession> {
    if (this.#stopped) throw new Error('the swivel driver was stopped; no session can be opened');
    if (this.#session !== null && !this.#session.closed) {
      throw new Error(
        'the swivel driver serves one session at a time (the server has one state); close the open one first',
      );
    }
    this.#session = new SwivelHttpSession(this.transport);
    return this.#session;
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#session !== null) await this.#session.close();
    await this.transport.destroy();
    await this.reference?.close();
  }
}

/** What a SASResponse said, for callers that want the answer rather than the bytes (benchmarks, tools). */
export interface AgentAnswer {
  result: string | null;
  error: string | null;
  requestId: string | null;
  id: string | null;
  strings: string[];
}

/** One session: a client bound to the target's instances. Every method may throw (the case is broken). */
export class SwivelHttpSession {
  closed = false;

  constructor(private readonly transport: SwivelTransport) {
    // The driver serves one session at a time: what the transport saw last is this session's.
    void transport.silence.take();
  }

  /** For the runner's circuit breaker (src/core/driver.ts, SilenceReporting). */
  takeSilence(): string | null {
    return this.transport.silence.take();
  }

  get instances(): number {
    return this.transport.bases.length;
  }

  /** Back to an empty server: no users, devices or codes, default policy, real time (every instance). */
  async reset(signal: AbortSignal): Promise<void> {
    this.#assertOpen();
    for (let i = 0; i < this.instances; i++) {
      const exchange = await this.transport.hook(i, 'POST', '/reset', undefined, signal);
      const status = exchange.response?.status;
      if (status !== 204 && status !== 200) {
        // The test hooks are the harness's contract with the deployment, not the protocol under test: an
        // answer outside it leaves the case without a starting state (broken), never a verdict.
        throw new Error(
          exchange.response === null
            ? `test hook POST ${exchange.request.url} gave no answer: ${exchange.failure ?? 'none'}; it must answer 204 (docs/swivel.md)`
            : `test hook POST ${exchange.request.url} answered ${status} ${printable(exchange.response.body)}; it must answer 204 (docs/swivel.md)`,
        );
      }
    }
  }

  /** `POST {base}/AgentXML` with this body, as is. */
  async agentXml(
    body: string,
    options: { signal: AbortSignal; instance?: number; contentType?: string },
  ): Promise<WireExchange> {
    this.#assertOpen();
    return this.transport.agent(options.instance ?? 0, body, options.contentType ?? 'application/xml', options.signal);
  }

  /** A test hook: `method {base}{hooksPath}{path}` with a JSON body (none when undefined). */
  async hook(
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    body: unknown,
    options: { signal: AbortSignal; instance?: number },
  ): Promise<WireExchange> {
    this.#assertOpen();
    return this.transport.hook(options.instance ?? 0, method, path, body, options.signal);
  }

  /** Convenience for tools: a provision request, answered as parsed fields. */
  async provision(
    username: string,
    code: string,
    options: { signal: AbortSignal; instance?: number; requestId?: string },
  ): Promise<AgentAnswer> {
    const body = sasRequest([
      ['Version', '3.6'],
      ['Action', 'provision'],
      ['Username', username],
      ['ProvisionCode', code],
      ...(options.requestId === undefined ? [] : ([['RequestID', options.requestId]] as [string, string][])),
    ]);
    return answerOf(await this.agentXml(body, options));
  }

  /** Convenience for tools: the security strings of a device. */
  async securityStrings(id: string, options: { signal: AbortSignal; instance?: number }): Promise<AgentAnswer> {
    const body = sasRequest([
      ['Version', '3.6'],
      ['Action', 'SecurityStrings'],
      ['Id', id],
    ]);
    return answerOf(await this.agentXml(body, options));
  }

  async close(): Promise<void> {
    // Nothing to tear down: the next session starts with reset().
    this.closed = true;
  }

  #assertOpen(): void {
    if (this.closed) throw new Error('this swivel session is closed');
  }
}

function sasRequest(elements: [string, string][]): string {
  let xml = '<SASRequest>';
  for (const [n, v] of elements) xml += `<${n}>${escapeXml(v)}</${n}>`;
  return `${xml}</SASRequest>`;
}

function escapeXml(s: string): string {
  return /[&<>]/.test(s) ? s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;') : s;
}

/** `<Name>text</Name>` or `<Name/>`, built once per element name rather than per answer. */
const FIELD_PATTERNS = Object.fromEntries(
  (['Result', 'Error', 'RequestID', 'Id'] as const).map((name) => [
    name,
    new RegExp(`<${name}>([^<]*)</${name}>|<${name}\\s*/>`),
  ]),
) as Record<'Result' | 'Error' | 'RequestID' | 'Id', RegExp>;
const STRING_PATTERN = /<String>([^<]*)<\/String>/g;

function answerOf(exchange: WireExchange): AgentAnswer {
  if (exchange.response === null) throw new Error(`AgentXML gave no answer: ${exchange.failure ?? 'none'}`);
  const body = exchange.response.body;
  if (exchange.response.status >= 500) {
    throw new Error(`AgentXML answered ${exchange.response.status} ${printable(body)}`);
  }
  const strings: string[] = [];
  for (const m of body.matchAll(STRING_PATTERN)) strings.push(unescape(m[1] ?? ''));
  return {
    result: field(FIELD_PATTERNS.Result, body),
    error: field(FIELD_PATTERNS.Error, body),
    requestId: field(FIELD_PATTERNS.RequestID, body),
    id: field(FIELD_PATTERNS.Id, body),
    strings,
  };
}

function field(pattern: RegExp, body: string): string | null {
  const m = pattern.exec(body);
  return m === null ? null : unescape(m[1] ?? '');
}

function unescape(s: string): string {
  if (!s.includes('&')) return s;
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

/** HTTP to every instance (drivers/http/wire.ts): keep-alive, a deadline per request, the caller's signal. */
export class SwivelTransport {
  readonly bases: string[];
  /** Whether the last request got no answer at all (the runner's circuit breaker asks the session). */
  readonly silence = new SilenceTracker();
  readonly #wire: Wire;
  /** Per instance: its origin, the base's path (normalised) and the AgentXML target, parsed once. */
  readonly #targets: { base: string; origin: string; agentUrl: string; agentPath: string }[];

  constructor(
    urls: readonly string[],
    readonly hooksPath: string,
    private readonly timeoutMs: number,
  ) {
    this.bases = urls.map((u) => u.replace(/\/+$/, ''));
    this.#targets = this.bases.map((base) => {
      const { origin, path } = splitUrl(`${base}/AgentXML`);
      return { base, origin, agentUrl: `${base}/AgentXML`, agentPath: path };
    });
    this.#wire = new Wire({ timeoutMs, maxBodyBytes: MAX_BODY_BYTES, oversize: 'fail', connections: 16 });
  }

  agent(instance: number, body: string, contentType: string, signal: AbortSignal): Promise<WireExchange> {
    const target = this.target(instance);
    return this.send(
      { method: 'POST', url: target.agentUrl, contentType, body },
      target.origin,
      target.agentPath,
      contentType === 'application/xml' ? XML_HEADERS : { 'content-type': contentType },
      signal,
    );
  }

  hook(instance: number, method: string, path: string, body: unknown, signal: AbortSignal): Promise<WireExchange> {
    const url = `${this.target(instance).base}${this.hooksPath}${path}`;
    const request: WireRequest = {
      method,
      url,
      contentType: body === undefined ? null : 'application/json',
      body: body === undefined ? null : JSON.stringify(body),
    };
    // Hook paths come from the suite's steps (user names, codes): the URL parser normalises them as a
    // browser would, and what it cannot parse is the same kind of failure as an unreachable server.
    let split: { origin: string; path: string };
    try {
      split = splitUrl(url);
    } catch {
      return Promise.reject(new Error(`${method} ${url}: not a valid URL`));
    }
    return this.send(request, split.origin, split.path, body === undefined ? {} : JSON_HEADERS, signal);
  }

  async destroy(): Promise<void> {
    await this.#wire.close();
  }

  private target(instance: number): { base: string; origin: string; agentUrl: string; agentPath: string } {
    const target = this.#targets[instance];
    if (target === undefined)
      throw new Error(`instance ${instance} does not exist (the target has ${this.bases.length})`);
    return target;
  }

  /**
   * Resolves with the exchange; a hang or a connection dropped mid-answer is a `failure` in it (the
   * server misbehaved: a verdict), while a connection that cannot be made at all rejects (no verdict).
   */
  private async send(
    request: WireRequest,
    origin: string,
    path: string,
    headers: Record<string, string>,
    signal: AbortSignal,
  ): Promise<WireExchange> {
    const outcome = await this.#wire.send({
      origin,
      path,
      method: request.method,
      headers,
      body: request.body,
      signal,
    });
    const what = `${request.method} ${request.url}`;
    switch (outcome.kind) {
      case 'answer':
        this.silence.note(what, outcome, '');
        return {
          request,
          response: { status: outcome.status, contentType: outcome.contentType, body: outcome.body.toString('utf8') },
          failure: null,
          ms: outcome.ms,
        };
      case 'aborted':
        // The caller gave up waiting (the case timed out, the target was stopped): say what was still
        // unanswered, so a hang names its endpoint even when the case's deadline came first.
        throw new Error(`${what} had not answered (${reasonText(outcome.reason)})`, { cause: outcome.reason });
      case 'failed': {
        const why = describeFailure(outcome);
        this.silence.note(what, outcome, why);
        // No connection at all (refused, unresolvable, TLS): the target is not there, so no verdict on its
        // behaviour is possible.
        if (!outcome.connected || UNREACHABLE.has(outcome.code ?? '')) {
          const error = new Error(`${what}: ${why}`);
          throw outcome.code?.startsWith('ERR_SSL_') ? error : markNoAnswer(error);
        }
        return { request, response: null, failure: why, ms: outcome.ms, silent: isSilentOutcome(outcome) };
      }
      case 'timeout': {
        const failure =
          outcome.status === null
            ? `no answer within ${this.timeoutMs} ms`
            : `answered ${outcome.status} but did not finish its body within ${this.timeoutMs} ms`;
        this.silence.note(what, outcome, failure);
        return { request, response: null, failure, ms: outcome.ms, silent: outcome.status === null };
      }
      case 'oversize':
        this.silence.note(what, outcome, '');
        return {
          request,
          response: null,
          failure: `the answer exceeded ${MAX_BODY_BYTES} bytes (the limit); reading stopped there`,
          ms: outcome.ms,
        };
      case 'cut':
        this.silence.note(what, outcome, '');
        return {
          request,
          response: null,
          failure: `answered ${outcome.status}, then closed the connection in the middle of the body`,
          ms: outcome.ms,
        };
    }
  }
}

/** Why the caller gave up, in words (an abort reason may be anything). */
function reasonText(reason: unknown): string {
  if (reason instanceof Error) return reason.message;
  return reason === undefined ? 'aborted' : String(reason);
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
const XML_HEADERS: Record<string, string> = { 'content-type': 'application/xml' };
const JSON_HEADERS: Record<string, string> = { 'content-type': 'application/json' };

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
