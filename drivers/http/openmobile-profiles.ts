/**
 * The `profile-service` driver: reaches an Open Mobile profile server through the profile-service half of
 * the adapter protocol (`GET /v1/profiles/{pid}`, `PUT /v1/admin/catalog`, `PATCH` and `POST
 * /v1/admin/profiles`). With `reference: true` it starts the harness's own profile service
 * (drivers/emulated/profile-service.ts) in-process on loopback with its administration endpoints on and the
 * seeded defects asked for; with `url` it talks to a real server.
 *
 * A session hands the suite raw exchanges (the request and the answer as they travelled), not parsed
 * objects: the suite judges status, body and schema itself and attaches exactly what travelled to a
 * failing case. A transport failure (reset, hang past the timeout) comes back as `failure`, not a throw:
 * for a server under test it is a finding. A connection that cannot be made at all throws (nothing there
 * to judge: the case is broken).
 */
import type { DriverContext, TargetDriver } from '../../src/core/driver.ts';
import type { ProfileService } from '../../protocols/openmobile/types.ts';
import { didYouMean, HarnessError, markNoAnswer, type Problem } from '../../src/core/errors.ts';
import { unknownOptions, type OptionProblem } from '../options.ts';
import type { BaseTargetInfo } from '../../src/core/types.ts';
import { isProfileServiceDefectId, PROFILE_SERVICE_DEFECTS } from '../emulated/openmobile-profiles/defects.ts';
import { startProfileService } from '../emulated/profile-service.ts';
import { isSilentOutcome, SilenceTracker } from './silence.ts';
import { describeFailure, parseBase, resolveUnder, Wire, type ParsedBase, type WireOutcome } from './wire.ts';

export const PROFILE_SERVICE_DRIVER = 'profile-service';
const DEFAULT_TIMEOUT_MS = 10_000;
const MAX_BODY_BYTES = 1024 * 1024;
/** Sessions of the reference server each get their own catalog scope, so they run side by side. */
const REFERENCE_SESSIONS = 16;

export interface ProfileServiceDriverOptions {
  /** Start the reference server in-process. */
  reference?: boolean;
  /** Reference only: seeded defects to switch on (drivers/emulated/openmobile-profiles/defects.ts). */
  defects?: string[];
  /** A real server's base URL (lookups are `{url}/v1/profiles/...`). */
  url?: string;
  /**
   * A real server: what it offers. `admin`: PUT /v1/admin/catalog and PATCH /v1/admin/profiles (every case
   * loads its catalog, so without it nothing runs); `create`: POST /v1/admin/profiles. Default `['admin']`.
   */
  capabilities?: string[];
  /** How long one request may take, connection to last body byte (default 10000). */
  timeoutMs?: number;
  name?: string;
  version?: string;
}

export interface ResolvedProfileServiceDriverOptions {
  reference: boolean;
  defects: string[];
  url: string | null;
  capabilities: string[];
  timeoutMs: number;
  name: string;
  version: string;
}

import type { WireExchange } from '../../src/core/types.ts';
export type { WireExchange };

export type ProfileServiceRequest = { method: 'GET' | 'PUT' | 'PATCH' | 'POST'; path: string; body?: string };

/** One connection to the server (with the reference server: one catalog scope of its own). */
export interface ProfileServiceSession {
  readonly baseUrl: string;
  exchange(request: ProfileServiceRequest, signal: AbortSignal): Promise<WireExchange>;
  /** For the runner's circuit breaker (src/core/driver.ts, SilenceReporting). */
  takeSilence(): string | null;
  close(): Promise<void>;
}

export const PROFILE_SERVICE_CAPABILITIES = ['admin', 'create'] as const;
const KNOWN_OPTIONS = ['reference', 'defects', 'url', 'capabilities', 'timeoutMs', 'name', 'version'];

/** Every problem with the options at once (the config resolver runs it before any driver starts). */
export function checkProfileServiceDriverOptions(options: Record<string, unknown>): OptionProblem[] {
  try {
    validateProfileServiceDriverOptions(options);
    return [];
  } catch (error) {
    if (error instanceof HarnessError) return error.problems.map(({ path, message }) => ({ path, message }));
    throw error;
  }
}

/** Checks the options and applies defaults; every problem at once, each naming its field. */
export function validateProfileServiceDriverOptions(
  options: Record<string, unknown>,
  where = 'profile-service driver options',
): ResolvedProfileServiceDriverOptions {
  const problems: Problem[] = unknownOptions(options, KNOWN_OPTIONS).map((p) => ({ file: where, ...p }));
  const bad = (path: string, message: string) => problems.push({ file: where, path, message });
  const { reference, defects, url, capabilities, timeoutMs, name, version } = options;
  if (reference !== undefined && typeof reference !== 'boolean') bad('reference', 'must be true or false');
  const isReference = reference === true;
  if (isReference === (url !== undefined)) {
    bad(
      isReference ? 'url' : 'reference',
      'give exactly one of `reference: true` (the in-process reference server) and `url` (a real server)',
    );
  }
  let baseUrl: string | null = null;
  if (url !== undefined) {
    if (typeof url !== 'string' || !/^https?:\/\/[^/]+/i.test(url))
      bad('url', `must be an http(s) URL, got ${JSON.stringify(url)}`);
    else baseUrl = url.endsWith('/') ? url : `${url}/`;
  }
  const defectIds: string[] = [];
  if (defects !== undefined) {
    if (!isReference)
      bad('defects', 'only the reference server has seeded defects: drop `defects` or set `reference: true`');
    if (!Array.isArray(defects)) bad('defects', 'must be an array of defect ids');
    else {
      const valid = PROFILE_SERVICE_DEFECTS.map((x) => x.id);
      defects.forEach((d: unknown, i) => {
        if (typeof d === 'string' && isProfileServiceDefectId(d)) defectIds.push(d);
        else
          bad(
            `defects[${i}]`,
            `unknown defect ${JSON.stringify(d)}; ${typeof d === 'string' ? didYouMean(d, valid) : ''}valid: ${valid.join(', ')}`,
          );
      });
    }
  }
  let caps: string[] = isReference ? [...PROFILE_SERVICE_CAPABILITIES] : ['admin'];
  if (capabilities !== undefined) {
    if (isReference) bad('capabilities', 'the reference server offers every capability: drop `capabilities`');
    else if (
      !Array.isArray(capabilities) ||
      !capabilities.every((c) => (PROFILE_SERVICE_CAPABILITIES as readonly unknown[]).includes(c))
    ) {
      bad('capabilities', `must be an array of ${PROFILE_SERVICE_CAPABILITIES.join(', ')}`);
    } else caps = capabilities as string[];
  }
  if (timeoutMs !== undefined && (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0)) {
    bad('timeoutMs', `must be a positive number of milliseconds, got ${JSON.stringify(timeoutMs)}`);
  }
  if (name !== undefined && (typeof name !== 'string' || name === '')) bad('name', 'must be a non-empty string');
  if (version !== undefined && (typeof version !== 'string' || version === ''))
    bad('version', 'must be a non-empty string');
  if (problems.length > 0) {
    throw new HarnessError('HARNESS_CONFIG_INVALID', `${problems.length} problem(s) in the ${where}`, problems);
  }
  return {
    reference: isReference,
    defects: defectIds,
    url: baseUrl,
    capabilities: caps,
    timeoutMs: (timeoutMs as number | undefined) ?? DEFAULT_TIMEOUT_MS,
    name:
      (name as string | undefined) ?? (isReference ? 'profile-service-reference' : `profile-service ${baseUrl ?? ''}`),
    version: (version as string | undefined) ?? (isReference ? 'reference' : 'unknown'),
  };
}

/** The `profile-service` driver factory (registered in src/cli/builtins.ts). */
export async function createProfileServiceDriver(
  options: Record<string, unknown>,
  _context: DriverContext,
): Promise<TargetDriver<ProfileServiceSession, BaseTargetInfo>> {
  const resolved = validateProfileServiceDriverOptions(options);
  const wire = profileServiceWire(resolved.timeoutMs);
  let service: ProfileService | null = null;
  if (resolved.reference) {
    service = await startProfileService({ profiles: [] }, { admin: true, defects: resolved.defects });
  }
  const info: BaseTargetInfo = {
    name: resolved.name,
    version:
      resolved.defects.length > 0 ? `${resolved.version} (defects: ${resolved.defects.join(', ')})` : resolved.version,
    capabilities: resolved.capabilities,
  };
  let stopped: Promise<void> | null = null;
  const root = service?.baseUrl ?? (resolved.url as string);
  return {
    maxSessions: resolved.reference ? REFERENCE_SESSIONS : 1,
    info: async () => info,
    /**
     * Health probe for the runner's circuit breaker: a lookup (`GET v1/profiles/0`); any answer at all means
     * alive, whatever its status; no answer rejects, naming the server and the request.
     */
    async probe(signal: AbortSignal): Promise<void> {
      const request: ProfileServiceRequest = { method: 'GET', path: 'v1/profiles/0?platform=android&mode=production' };
      const where = `the profile server at ${root}`;
      let answer: WireExchange;
      try {
        answer = await exchange(wire, parseBase(root), request, resolved.timeoutMs, signal, null);
      } catch (error) {
        // Given up by the prober (its deadline): the abort's own words add nothing.
        const text = signal.aborted
          ? `GET ${new URL(request.path, root).href} had not answered`
          : error instanceof Error
            ? error.message
            : String(error);
        throw new Error(`${where}: ${text}`, { cause: error });
      }
      if (answer.silent === true) {
        throw new Error(`${where}: GET ${answer.request.url} gave no answer: ${answer.failure ?? 'none'}`);
      }
    },
    async openSession(): Promise<ProfileServiceSession> {
      if (stopped !== null) throw new Error('profile-service driver: openSession() after stop()');
      if (service !== null) {
        const scope = service.scope();
        return profileServiceSession(scope.url, resolved.timeoutMs, wire, () => scope.close());
      }
      return profileServiceSession(resolved.url as string, resolved.timeoutMs, wire, () => {});
    },
    stop(): Promise<void> {
      stopped ??= (async () => {
        await wire.close();
        await service?.close();
      })();
      return stopped;
    },
  };
}

/** The client a driver's sessions share (drivers/http/wire.ts): answers over the limit are failures. */
export function profileServiceWire(timeoutMs: number): Wire {
  return new Wire({ timeoutMs, maxBodyBytes: MAX_BODY_BYTES, oversize: 'fail', connections: 64 });
}

/**
 * A session on the server at `baseUrl` (ends with `/`), sending through `wire` (its own when not given; the
 * caller then closes it with the session). Exported for tests and other tools.
 */
export function profileServiceSession(
  baseUrl: string,
  timeoutMs: number,
  wire?: Wire,
  onClose: () => void = () => {},
): ProfileServiceSession {
  let closed = false;
  const own = wire === undefined;
  const client = wire ?? profileServiceWire(timeoutMs);
  // Parsed once: each request's path is resolved against it as text where that gives the same URL.
  const base = parseBase(baseUrl);
  const silence = new SilenceTracker();
  return {
    baseUrl,
    exchange: (request, signal) => exchange(client, base, request, timeoutMs, signal, silence),
    takeSilence: () => silence.take(),
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      onClose();
      if (own) await client.close();
    },
  };
}

const GET_HEADERS: Record<string, string> = { accept: 'application/json' };
const BODY_HEADERS: Record<string, string> = { accept: 'application/json', 'content-type': 'application/json' };

async function exchange(
  wire: Wire,
  base: ParsedBase,
  request: ProfileServiceRequest,
  timeoutMs: number,
  signal: AbortSignal,
  silence: SilenceTracker | null,
): Promise<WireExchange> {
  const body = request.body ?? null;
  const target = resolveUnder(base, request.path);
  const wireRequest = { method: request.method, url: target.href, body };
  const what = `${request.method} ${target.href}`;
  const outcome = await wire.send({
    origin: target.origin,
    path: target.path,
    method: request.method,
    headers: body === null ? GET_HEADERS : BODY_HEADERS,
    body,
    signal,
  });
  if (outcome.kind === 'aborted') {
    // The caller gave up waiting (the case timed out, the target was stopped): say what was still
    // unanswered, so a hang names its endpoint even when the case's deadline came first.
    const reason = outcome.reason instanceof Error ? outcome.reason.message : String(outcome.reason ?? 'aborted');
    throw new Error(`${what} had not answered (${reason})`, { cause: outcome.reason });
  }
  const failure = outcome.kind === 'answer' ? null : failureOf(outcome, timeoutMs);
  silence?.note(what, outcome, failure ?? '');
  if (outcome.kind === 'failed' && !outcome.connected) {
    // No connection at all (refused, unknown host, TLS): nothing is there to judge, so no verdict is
    // possible (the case is broken), as with the other server drivers.
    const error = new Error(`${what}: ${failure ?? ''}`);
    throw outcome.code?.startsWith('ERR_SSL_') ? error : markNoAnswer(error);
  }
  return outcome.kind === 'answer'
    ? {
        request: wireRequest,
        response: { status: outcome.status, contentType: outcome.contentType, body: outcome.body.toString('utf8') },
        failure: null,
        ms: outcome.ms,
      }
    : {
        request: wireRequest,
        response: null,
        failure,
        ms: outcome.ms,
        ...(isSilentOutcome(outcome) ? { silent: true } : {}),
      };
}

/** How this driver has always worded a request that brought no answer. */
function failureOf(outcome: Exclude<WireOutcome, { kind: 'answer' | 'aborted' }>, timeoutMs: number): string {
  switch (outcome.kind) {
    case 'timeout':
      return `no complete answer within ${timeoutMs} ms`;
    case 'oversize':
      return `the answer is larger than ${MAX_BODY_BYTES} bytes`;
    case 'cut':
      return `answered ${outcome.status}, then closed the connection in the middle of the body`;
    case 'failed':
      return describeFailure(outcome);
  }
}
