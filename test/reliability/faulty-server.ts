/**
 * A provisioning server on loopback that dies mid-run, as a lab server does: a proxy in front of a reference
 * server (Swivel, SurePassID, the profile service) that passes every request through until the `after`th,
 * then
 * - `hang`: answers nothing at all any more (the process froze: connections are accepted, never answered);
 * - `refuse`: stops accepting connections (the process died);
 * - `reset`: resets every connection as soon as a request arrives (a broken load balancer).
 * It records every request and answer body that passed (`exchanges`), for tests that must know what the
 * server handed out (the secrets it generated), and can answer something else instead (`rewrite`: a
 * hostile server).
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type ServerFault = 'hang' | 'refuse' | 'reset' | 'none';

export interface Exchange {
  method: string;
  url: string;
  request: Buffer;
  status: number;
  response: Buffer;
}

export interface FaultyServer {
  url: string;
  /** When the first request went unanswered (Date.now()), or null. */
  faultStartedAt(): number | null;
  /** Requests that arrived after the fault started. */
  requestsAfterFault(): number;
  /** Every request passed through, with its answer (bytes as they travelled). */
  exchanges: Exchange[];
  close(): Promise<void>;
}

/** `upstream` is the real server's origin (`http://127.0.0.1:port`); paths are passed on as they are. */
/** What a hostile proxy answers instead of the real answer (null: the real one). */
export type Rewrite = (exchange: Exchange) => { status: number; body: Buffer; contentType?: string } | null;

export async function startFaultyServer(
  upstream: string,
  fault: ServerFault,
  after = Number.POSITIVE_INFINITY,
  rewrite: Rewrite = () => null,
): Promise<FaultyServer> {
  const target = new URL(upstream);
  const sockets = new Set<Socket>();
  const exchanges: Exchange[] = [];
  let passed = 0;
  let faultAt: number | null = null;
  let afterFault = 0;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (fault !== 'none' && passed >= after) {
        afterFault++;
        faultAt ??= Date.now();
        if (fault === 'hang') return; // never answered; close() ends the socket
        if (fault === 'reset') return void req.socket.resetAndDestroy();
        if (fault === 'refuse') {
          server.close();
          for (const socket of sockets) socket.destroy();
          return;
        }
      }
      passed++;
      const body = Buffer.concat(chunks);
      const out = http.request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (c: Buffer) => parts.push(c));
          answer.on('end', () => {
            const exchange: Exchange = {
              method: req.method ?? '',
              url: req.url ?? '',
              request: body,
              status: answer.statusCode ?? 0,
              response: Buffer.concat(parts),
            };
            const hostile = rewrite(exchange);
            if (hostile !== null) {
              exchange.status = hostile.status;
              exchange.response = hostile.body;
            }
            exchanges.push(exchange);
            const headers = { ...answer.headers };
            delete headers['transfer-encoding'];
            headers['content-length'] = String(exchange.response.length);
            if (hostile?.contentType !== undefined) headers['content-type'] = hostile.contentType;
            res.writeHead(exchange.status, headers);
            res.end(exchange.response);
          });
        },
      );
      out.on('error', () => res.destroy());
      out.end(body);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    faultStartedAt: () => faultAt,
    requestsAfterFault: () => afterFault,
    exchanges,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        if (!server.listening) return resolve();
        server.close(() => resolve());
      }),
  };
}
