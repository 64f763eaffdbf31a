import type { DriverContext } from '../../src/core/driver.ts';
import type { ClientDriver, ClientSession } from '../../protocols/openmobile/types.ts';
import { HarnessError } from '../../src/core/errors.ts';
import {
  CAPABILITIES,
  METHODS,
  NOT_HANDLED,
  type ClientState,
  type Platform,
  type ProvisionObservation,
  type ProvisionRequest,
  type TargetInfo,
} from '../../protocols/openmobile/types.ts';
import { AdapterProtocolError } from './errors.ts';
import { AdapterTransport, describeSocketError } from './transport.ts';
import { describeValue, driverOptionsError, isHttpUrl, unknownOptions, type OptionProblem } from '../options.ts';

/** Options of the `http` driver, as written in a target of the config. */
export interface HttpDriverOptions {
  /** Base URL of the client adapter (`http://127.0.0.1:9400`). */
  url: string;
  /** How long one adapter request may take, connection to last body byte. Default 10000. */
  timeoutMs?: number;
}

export const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * The `http` driver: reaches a client through its adapter (docs/spec/adapter-protocol.md, section 1). It asks
 * `GET /v1/info` once at start, so a run against an adapter that is not there stops before any case with
 * HARNESS_TARGET_UNREACHABLE instead of reporting every case broken.
 */
export async function createHttpDriver(
  options: Record<string, unknown>,
  context: DriverContext,
): Promise<ClientDriver> {
  void context; // The adapter hosts the client; nothing resolves against the config directory here.
  const resolved = validateHttpDriverOptions(options);
  const transport = new AdapterTransport(new URL(resolved.url), resolved.timeoutMs);
  let info: TargetInfo;
  try {
    info = await fetchInfo(transport);
  } catch (error) {
    transport.destroy();
    throw startError(resolved, error);
  }
  return new HttpDriver(transport, info);
}

const KNOWN_OPTIONS = ['url', 'timeoutMs'];

/** Every problem with the options at once (the config resolver runs it before any driver starts). */
export function checkHttpDriverOptions(options: Record<string, unknown>): OptionProblem[] {
  const problems: OptionProblem[] = unknownOptions(options, KNOWN_OPTIONS);
  const url = options['url'];
  if (typeof url !== 'string') {
    problems.push(
      url === undefined
        ? {
            path: 'url',
            message: 'is required: the base URL of the client adapter, for example "http://127.0.0.1:9400"',
          }
        : { path: 'url', message: `must be a string holding an http(s) URL, got ${describeValue(url)}` },
    );
  } else if (!isHttpUrl(url)) {
    problems.push({
      path: 'url',
      message: `must be an http(s) URL, for example "http://127.0.0.1:9400", got ${JSON.stringify(url)}`,
    });
  }
  const timeoutMs = options['timeoutMs'] ?? DEFAULT_TIMEOUT_MS;
  if (typeof timeoutMs !== 'number' || !Number.isInteger(timeoutMs) || timeoutMs <= 0) {
    problems.push({
      path: 'timeoutMs',
      message: `must be a positive whole number of milliseconds, got ${describeValue(timeoutMs)}`,
    });
  }
  return problems;
}

/** Checks the options and applies defaults; every problem is reported at once. */
export function validateHttpDriverOptions(options: Record<string, unknown>): Required<HttpDriverOptions> {
  const problems = checkHttpDriverOptions(options);
  if (problems.length > 0) throw driverOptionsError('http', problems);
  return {
    url: options['url'] as string,
    timeoutMs: (options['timeoutMs'] as number | undefined) ?? DEFAULT_TIMEOUT_MS,
  };
}

function startError({ url, timeoutMs }: Required<HttpDriverOptions>, error: unknown): HarnessError {
  const fix = 'Start the adapter or fix targets[..].url';
  if (error instanceof AdapterProtocolError && error.status === null) {
    const cause = error.cause as NodeJS.ErrnoException | undefined;
    const reason = cause instanceof Error ? describeSocketError(cause) : `no answer within ${timeoutMs} ms`;
    return new HarnessError('HARNESS_TARGET_UNREACHABLE', `cannot reach the adapter at ${url}: ${reason}. ${fix}`);
  }
  // It answered, but not with a usable info: no case can run against it either.
  const reason = error instanceof Error ? error.message : String(error);
  return new HarnessError(
    'HARNESS_TARGET_UNREACHABLE',
    `the adapter at ${url} does not speak the adapter protocol: ${reason}. ` +
      'Fix its GET /v1/info (see drivers/http/README.md) or fix targets[..].url',
  );
}

async function fetchInfo(transport: AdapterTransport): Promise<TargetInfo> {
  const body = (await transport.json({ method: 'GET', path: '/v1/info', expectStatus: 200 }, 'info')) as {
    name: string;
    version: string;
    platform: Platform;
    methods: string[];
    capabilities: string[];
  };
  // Names this harness does not know come from a newer adapter; ignoring them keeps it usable.
  return {
    name: body.name,
    version: body.version,
    platform: body.platform,
    methods: known(body.methods, METHODS),
    capabilities: known(body.capabilities, CAPABILITIES),
  };
}

function known<T extends string>(values: string[], vocabulary: readonly T[]): T[] {
  return vocabulary.filter((v) => values.includes(v));
}

class HttpDriver implements ClientDriver {
  readonly maxSessions = 1;
  readonly #transport: AdapterTransport;
  readonly #info: TargetInfo;
  #session: HttpSession | null = null;
  #stopped = false;

  constructor(transport: AdapterTransport, info: TargetInfo) {
    this.#transport = transport;
    this.#info = info;
  }

  async info(): Promise<TargetInfo> {
    return structuredClone(this.#info);
  }

  /**
   * Health probe (`GET /v1/info`): any answer means the adapter is alive, even one outside the protocol;
   * only no answer at all (nothing in time, a connection refused or reset) rejects, naming the adapter.
   */
  async probe(signal: AbortSignal): Promise<void> {
    try {
      await this.#transport.json({ method: 'GET', path: '/v1/info', expectStatus: 200, signal }, null);
    } catch (error) {
      if (error instanceof AdapterProtocolError && error.status !== null) return;
      // Given up by the prober (its deadline): the abort's own words add nothing.
      const text = signal.aborted
        ? 'GET /v1/info had not answered'
        : error instanceof Error
          ? error.message
          : String(error);
      throw new Error(`the adapter at ${this.#transport.baseUrl.href}: ${text}`, { cause: error });
    }
  }

  async openSession(): Promise<ClientSession> {
    if (this.#stopped) throw new Error('the http driver was stopped; no session can be opened');
    if (this.#session !== null && !this.#session.closed) {
      throw new Error('the http driver serves one session at a time (maxSessions is 1); close the open one first');
    }
    const session = new HttpSession(this.#transport);
    this.#session = session;
    return session;
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#session !== null) await this.#session.close();
    this.#transport.destroy();
  }
}

class HttpSession implements ClientSession {
  closed = false;
  readonly #transport: AdapterTransport;

  constructor(transport: AdapterTransport) {
    this.#transport = transport;
  }

  async reset(profileServiceUrl: string, signal: AbortSignal): Promise<void> {
    this.#assertOpen();
    await this.#transport.json(
      { method: 'POST', path: '/v1/reset', body: { profileService: profileServiceUrl }, expectStatus: 204, signal },
      null,
    );
  }

  async network(online: boolean, signal: AbortSignal): Promise<void> {
    this.#assertOpen();
    await this.#transport.json(
      { method: 'POST', path: '/v1/network', body: { online }, expectStatus: 204, signal },
      null,
    );
  }

  async provision(request: ProvisionRequest, signal: AbortSignal): Promise<ProvisionObservation> {
    this.#assertOpen();
    const body = (await this.#transport.json(
      {
        method: 'POST',
        path: '/v1/provision',
        body: { url: request.url, method: request.method },
        expectStatus: 200,
        signal,
      },
      'provision',
    )) as ProvisionObservation;
    // Not handled: nothing else is observed (adapter protocol), whatever the other fields say or lack.
    if (!body.handled) return { ...NOT_HANDLED };
    // Copy field by field: unknown fields are ignored, so they must not leak into comparisons or reports.
    return {
      handled: body.handled,
      result: body.result,
      callbackUrl: body.callbackUrl,
      dialog: body.dialog,
      foreground: body.foreground,
      notification: body.notification,
    };
  }

  async state(signal: AbortSignal): Promise<ClientState> {
    this.#assertOpen();
    const body = (await this.#transport.json(
      { method: 'GET', path: '/v1/state', expectStatus: 200, signal },
      'state',
    )) as ClientState;
    const { settings } = body;
    return {
      activated: body.activated,
      profile: body.profile === null ? null : { id: body.profile.id, mode: body.profile.mode },
      settings: {
        username: settings.username,
        password: settings.password,
        domain: settings.domain,
        prefix: settings.prefix,
        autologin: settings.autologin,
      },
    };
  }

  async logs(signal: AbortSignal): Promise<string[]> {
    this.#assertOpen();
    const body = (await this.#transport.json(
      { method: 'GET', path: '/v1/logs', expectStatus: 200, signal },
      'logs',
    )) as { lines: string[] };
    return body.lines;
  }

  async close(): Promise<void> {
    // The protocol has no session teardown: the next session starts with POST /v1/reset.
    this.closed = true;
  }

  #assertOpen(): void {
    if (this.closed) throw new Error('this http driver session is closed');
  }
}
