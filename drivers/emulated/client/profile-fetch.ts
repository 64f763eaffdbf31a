/**
 * The client's one network exchange: `GET {service}v1/profiles/{pid}?platform=&mode=[&pin=]` over real
 * HTTP. Every emulated client shares one keep-alive agent, as one app process would, so thousands of
 * provisions reuse a handful of sockets instead of opening one each.
 */
import http from 'node:http';
import type { Mode, Platform, Profile } from '../../../src/core/types.ts';

export const sharedAgent = new http.Agent({ keepAlive: true, maxSockets: 256 });

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

/** Rejects only when `signal` aborts (with the signal's reason); every network outcome resolves. */
export function fetchProfile(url: string, signal?: AbortSignal): Promise<FetchOutcome> {
  return new Promise<FetchOutcome>((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    let settled = false;
    const settle = (outcome: FetchOutcome): void => {
      if (settled) return;
      settled = true;
      resolve(outcome);
    };
    let request: http.ClientRequest;
    try {
      request = http.get(url, { agent: sharedAgent, ...(signal ? { signal } : {}) });
    } catch (error) {
      settle({ kind: 'unreachable', reason: describe(error) });
      return;
    }
    request.on('error', (error) => {
      if (signal?.aborted) {
        if (!settled) {
          settled = true;
          reject(abortReason(signal));
        }
        return;
      }
      settle({ kind: 'unreachable', reason: describe(error) });
    });
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', () => {
        /* reported through 'close' with complete === false */
      });
      response.on('close', () => {
        if (signal?.aborted && !settled) {
          settled = true;
          reject(abortReason(signal));
          return;
        }
        if (!response.complete) {
          settle({ kind: 'cut' });
          return;
        }
        settle(interpret(response.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')));
      });
    });
  });
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
