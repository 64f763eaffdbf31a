import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ClientSession } from '../../protocols/openmobile/types.ts';
import type { ProvisionRequest, TargetInfo } from '../../protocols/openmobile/types.ts';
import { describeSchemaErrors, schemaValidator, type SchemaName } from './schemas.ts';

/**
 * The adapter half of the adapter protocol (docs/spec/adapter-protocol.md, section 1) in front of one
 * {@link ClientSession}. Vendors with a Node client can use it as is; everyone else can read it as the
 * reference of what the harness expects on the wire.
 */
export interface AdapterServerOptions {
  session: ClientSession;
  info: TargetInfo;
  /** Default 127.0.0.1: an adapter drives a test build and has no business on other interfaces. */
  host?: string;
  /** Default 0 (any free port; read it back from `url`). */
  port?: number;
}

export interface RunningAdapterServer {
  /** `http://127.0.0.1:PORT` (no trailing slash). */
  url: string;
  close(): Promise<void>;
}

/** Request bodies are a few hundred bytes; anything near this is not a protocol request. */
const MAX_REQUEST_BYTES = 1024 * 1024;

type Handler = (body: unknown, signal: AbortSignal) => Promise<Reply>;
type Reply = { status: 200; json: unknown } | { status: 204 };

interface Route {
  method: 'GET' | 'POST';
  /** The schema the request body must match (POST only). */
  requestSchema: SchemaName | null;
  handle: Handler;
}

export async function startAdapterServer(options: AdapterServerOptions): Promise<RunningAdapterServer> {
  const { session, info } = options;
  const routes = new Map<string, Route>([
    ['/v1/info', { method: 'GET', requestSchema: null, handle: async () => ({ status: 200, json: info }) }],
    [
      '/v1/reset',
      {
        method: 'POST',
        requestSchema: 'reset-request',
        handle: async (body, signal) => {
          await session.reset((body as { profileService: string }).profileService, signal);
          return { status: 204 };
        },
      },
    ],
    [
      '/v1/network',
      {
        method: 'POST',
        requestSchema: 'network-request',
        handle: async (body, signal) => {
          await session.network((body as { online: boolean }).online, signal);
          return { status: 204 };
        },
      },
    ],
    [
      '/v1/provision',
      {
        method: 'POST',
        requestSchema: 'provision-request',
        handle: async (body, signal) => {
          const { url, method } = body as ProvisionRequest;
          return { status: 200, json: await session.provision({ url, method }, signal) };
        },
      },
    ],
    [
      '/v1/state',
      {
        method: 'GET',
        requestSchema: null,
        handle: async (_b, signal) => ({ status: 200, json: await session.state(signal) }),
      },
    ],
    [
      '/v1/logs',
      {
        method: 'GET',
        requestSchema: null,
        handle: async (_b, signal) => ({ status: 200, json: { lines: await session.logs(signal) } }),
      },
    ],
  ]);

  const server = http.createServer((req, res) => {
    // Each request runs on its own: two provisions in flight reach the session at once, which is what the
    // `concurrency` capability (result code 1) needs.
    serve(routes, req, res).catch((error: unknown) => {
      // serve() answers every failure itself; reaching here means the socket died while answering.
      res.destroy(error instanceof Error ? error : undefined);
    });
  });
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  let closing: Promise<void> | null = null;
  return {
    url: `http://${host}:${address.port}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // In-flight requests see their AbortSignal fire when their socket goes.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

async function serve(routes: Map<string, Route>, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://adapter').pathname;
  const route = routes.get(path);
  if (route === undefined) {
    req.resume();
    return sendError(res, 404, 'not-found', `no such endpoint: ${req.method ?? ''} ${path}`);
  }
  if (req.method !== route.method) {
    req.resume();
    res.setHeader('allow', route.method);
    return sendError(res, 405, 'method-not-allowed', `${path} answers ${route.method} only`);
  }

  const abort = new AbortController();
  // The harness gave up (timeout or its own abort): tell the session so it can stop waiting on the client.
  res.on('close', () => {
    if (!res.writableFinished) abort.abort(new Error('the harness closed the connection before the answer'));
  });

  let body: unknown;
  if (route.requestSchema !== null) {
    const raw = await readBody(req);
    if (raw === null) return sendError(res, 413, 'too-large', `request body exceeds ${MAX_REQUEST_BYTES} bytes`);
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      return sendError(res, 400, 'bad-request', `${req.method} ${path}: the body is not valid JSON`);
    }
    const validate = schemaValidator(route.requestSchema);
    if (!validate(body)) {
      return sendError(res, 400, 'bad-request', `${req.method} ${path}: ${describeSchemaErrors(validate.errors)}`);
    }
  } else {
    req.resume();
  }

  let reply: Reply;
  try {
    reply = await route.handle(body, abort.signal);
  } catch (error) {
    if (abort.signal.aborted) return;
    const message = error instanceof Error ? error.message : String(error);
    return sendError(res, 500, 'internal', `${req.method} ${path}: the client session failed: ${message}`);
  }
  if (res.destroyed) return;
  if (reply.status === 204) {
    res.writeHead(204).end();
  } else {
    sendJson(res, 200, reply.json);
  }
}

function readBody(req: http.IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  const payload = Buffer.from(JSON.stringify(value), 'utf8');
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': payload.length });
  res.end(payload);
}

function sendError(res: http.ServerResponse, status: number, error: string, message: string): void {
  if (res.destroyed || res.headersSent) return;
  sendJson(res, status, { error, message });
}
