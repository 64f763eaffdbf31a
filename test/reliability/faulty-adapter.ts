/**
 * An adapter on loopback that behaves as a real client's adapter does when it goes wrong mid-run: it passes
 * every request to a good adapter (the bundled example, in this process) until its fault starts, then
 * - `slow`: answers every request, each `POST /v1/provision` after `delayMs` (a slow device, never dead);
 * - `hang-after-reset`: after the first `POST /v1/reset`, answers nothing at all, `/v1/info` included (the
 *   adapter process froze);
 * - `refuse-after-reset`: after the first `POST /v1/reset`, stops accepting connections (the adapter
 *   process died).
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { startExampleAdapter, type RunningExampleAdapter } from '../../drivers/http/adapter-example.ts';

export type Fault = 'slow' | 'hang-after-reset' | 'refuse-after-reset';

export interface FaultyAdapter {
  url: string;
  /** Requests received after the fault started (a dead adapter that is still asked things). */
  requestsAfterFault(): number;
  /** When the fault started (Date.now()), or null. */
  faultStartedAt(): number | null;
  /** `slow`: how long each `POST /v1/provision` waits from now on. */
  setDelay(ms: number): void;
  close(): Promise<void>;
}

export async function startFaultyAdapter(
  fault: Fault,
  options: { platform?: 'android' | 'ios'; obfuscationKey: string; delayMs?: number },
): Promise<FaultyAdapter> {
  const upstream: RunningExampleAdapter = await startExampleAdapter({
    platform: options.platform ?? 'android',
    obfuscationKey: options.obfuscationKey,
  });
  const target = new URL(upstream.url);
  const sockets = new Set<Socket>();
  let faultAt: number | null = null;
  let afterFault = 0;
  let delayMs = options.delayMs ?? 100;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const route = `${req.method ?? ''} ${new URL(req.url ?? '/', 'http://adapter').pathname}`;
      if (faultAt !== null) {
        afterFault++;
        if (fault === 'hang-after-reset') return; // never answered; close() ends the socket
      }
      const delay = fault === 'slow' && route === 'POST /v1/provision' ? delayMs : 0;
      setTimeout(() => forward(req, Buffer.concat(chunks), res), delay);
      if (route === 'POST /v1/reset' && fault !== 'slow' && faultAt === null) startFault();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  function forward(req: http.IncomingMessage, body: Buffer, res: http.ServerResponse): void {
    const out = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    out.end(body);
  }

  function startFault(): void {
    faultAt = Date.now();
    if (fault === 'refuse-after-reset') {
      // This reset is still answered (the process dies just after); then nothing listens any more.
      setTimeout(() => {
        server.close();
        for (const socket of sockets) socket.destroy();
      }, 50);
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requestsAfterFault: () => afterFault,
    faultStartedAt: () => faultAt,
    setDelay: (ms) => void (delayMs = ms),
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      await upstream.close();
    },
  };
}
