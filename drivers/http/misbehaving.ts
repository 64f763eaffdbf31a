import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';
import type { ClientState, TargetInfo } from '../../protocols/openmobile/types.ts';

/**
 * Adapters that break the protocol on purpose, for the harness's own tests: a misbehaving target must yield
 * a *broken* case, never a crashed or hung run. Each answers `GET /v1/info` (so the run starts) and the
 * other endpoints correctly, and misbehaves on `POST /v1/provision` only:
 * - `hang`: never answers.
 * - `garbage`: 200 with `<html>oops`.
 * - `drop`: sends the status line, headers and part of the JSON body, then destroys the socket.
 * - `wrong-status`: 500.
 * - `schema`: 200 with JSON that lacks `handled`.
 */
export type MisbehaviourKind = 'hang' | 'garbage' | 'drop' | 'wrong-status' | 'schema';

export const MISBEHAVIOUR_KINDS: readonly MisbehaviourKind[] = ['hang', 'garbage', 'drop', 'wrong-status', 'schema'];

export interface MisbehavingAdapterOptions {
  info?: TargetInfo;
  host?: string;
  port?: number;
}

export interface MisbehavingAdapter {
  url: string;
  /** How many `POST /v1/provision` requests arrived (so a test can tell the request was actually sent). */
  provisionRequests(): number;
  close(): Promise<void>;
}

const DEFAULT_INFO: TargetInfo = {
  name: 'misbehaving-adapter',
  version: '1.0.0',
  platform: 'android',
  methods: ['url', 'intent'],
  capabilities: ['state', 'logs', 'network', 'concurrency'],
};

const FRESH_STATE: ClientState = {
  activated: false,
  profile: null,
  settings: { username: null, password: null, domain: null, prefix: null, autologin: null },
};

/** What `drop` sends before cutting the connection: the start of a valid observation. */
export const DROPPED_BODY_PREFIX = '{"handled":true,"result":0,"callb';

export async function startMisbehavingAdapter(
  kind: MisbehaviourKind,
  options: MisbehavingAdapterOptions = {},
): Promise<MisbehavingAdapter> {
  const info = options.info ?? DEFAULT_INFO;
  let provisions = 0;
  const sockets = new Set<Socket>();

  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://adapter').pathname;
    const route = `${req.method ?? ''} ${path}`;
    req.resume();
    req.on('end', () => {
      switch (route) {
        case 'GET /v1/info':
          return json(res, 200, info);
        case 'POST /v1/reset':
        case 'POST /v1/network':
          return void res.writeHead(204).end();
        case 'GET /v1/state':
          return json(res, 200, FRESH_STATE);
        case 'GET /v1/logs':
          return json(res, 200, { lines: [] });
        case 'POST /v1/provision':
          provisions += 1;
          return misbehave(kind, res);
        default:
          return json(res, 404, { error: 'not-found' });
      }
    });
  });
  // `close()` must not wait for a hung request: remember every socket to destroy it.
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port, address } = server.address() as AddressInfo;

  let closing: Promise<void> | null = null;
  return {
    url: `http://${address}:${port}`,
    provisionRequests: () => provisions,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}

function misbehave(kind: MisbehaviourKind, res: http.ServerResponse): void {
  switch (kind) {
    case 'hang':
      // Leave the response open; only the harness's timeout (or close()) ends it.
      return;
    case 'garbage': {
      const body = '<html>oops';
      res.writeHead(200, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    case 'drop': {
      // Promise a full body, send part of it, and cut only once that part is on the wire, so the harness
      // sees a status and a truncated body rather than a plain refused connection.
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': 200 });
      res.write(DROPPED_BODY_PREFIX, () => res.socket?.destroy());
      return;
    }
    case 'wrong-status':
      return json(res, 500, { error: 'internal', message: 'the adapter crashed' });
    case 'schema':
      return json(res, 200, { result: 0, callbackUrl: null, dialog: 'success', foreground: true, notification: null });
  }
}

function json(res: http.ServerResponse, status: number, value: unknown): void {
  const payload = Buffer.from(JSON.stringify(value), 'utf8');
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': payload.length });
  res.end(payload);
}
