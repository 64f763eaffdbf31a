import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { DriverContext } from '../../../src/core/driver.ts';
import type { ClientSession } from '../../../protocols/openmobile/types.ts';
import type {
  ClientState,
  ProvisionObservation,
  ProvisionRequest,
  TargetInfo,
} from '../../../protocols/openmobile/types.ts';

export const CONTEXT: DriverContext = { rootDir: process.cwd(), obfuscationKey: null };

export const INFO: TargetInfo = {
  name: 'recording-client',
  version: '0.0.1',
  platform: 'ios',
  methods: ['url'],
  capabilities: ['state', 'logs', 'network', 'concurrency'],
};

export const SUCCESS: ProvisionObservation = {
  handled: true,
  result: 0,
  callbackUrl: 'acme://provision?result=0',
  dialog: 'success',
  foreground: true,
  notification: null,
};

/**
 * A small client that remembers what reached it. Its provision behaviour is replaceable per test so a test
 * can hold a request open (concurrency, abort, timeout).
 */
export class RecordingSession implements ClientSession {
  readonly calls: string[] = [];
  readonly provisions: ProvisionRequest[] = [];
  profileService: string | null = null;
  online = true;
  closed = false;
  state_: ClientState = {
    activated: false,
    profile: null,
    settings: { username: null, password: null, domain: null, prefix: null, autologin: null },
  };
  lines: string[] = [];
  onProvision: (request: ProvisionRequest, signal: AbortSignal) => Promise<ProvisionObservation> = async () => SUCCESS;

  async reset(profileServiceUrl: string): Promise<void> {
    this.calls.push('reset');
    this.profileService = profileServiceUrl;
    this.online = true;
    this.lines = [];
  }

  async provision(request: ProvisionRequest, signal: AbortSignal): Promise<ProvisionObservation> {
    this.calls.push('provision');
    this.provisions.push(request);
    return this.onProvision(request, signal);
  }

  async state(): Promise<ClientState> {
    this.calls.push('state');
    return this.state_;
  }

  async logs(): Promise<string[]> {
    this.calls.push('logs');
    return this.lines;
  }

  async network(online: boolean): Promise<void> {
    this.calls.push('network');
    this.online = online;
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

/** A loopback server answering fixed raw responses per `METHOD /path`, for bodies no real adapter sends. */
export async function startRawServer(
  answers: Record<string, { status: number; body: string; contentType?: string }>,
): Promise<{ url: string; hits: string[]; close(): Promise<void> }> {
  const hits: string[] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const key = `${req.method ?? ''} ${req.url ?? ''}`;
    hits.push(key);
    req.resume();
    const answer = answers[key] ?? { status: 404, body: '{"error":"not-found"}' };
    res.writeHead(answer.status, { 'content-type': answer.contentType ?? 'application/json' });
    res.end(answer.status === 204 ? undefined : answer.body);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}

/** A port nothing listens on: bind, read the port, release it. */
export async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Collects unhandled rejections so a test can assert the process stayed healthy. */
export function watchUnhandledRejections(): { reasons: unknown[]; stop(): void } {
  const reasons: unknown[] = [];
  const listener = (reason: unknown): void => {
    reasons.push(reason);
  };
  process.on('unhandledRejection', listener);
  return { reasons, stop: () => process.off('unhandledRejection', listener) };
}

export function deferred<T = void>(): { promise: Promise<T>; resolve(value: T): void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
