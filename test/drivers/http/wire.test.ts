import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  parseBase,
  resolveUnder,
  Wire,
  type WireCall,
  type WireOptions,
  type WireOutcome,
} from '../../../drivers/http/wire.ts';
import { createSwivelDriver } from '../../../drivers/http/swivel.ts';
import { createSurePassIdDriver } from '../../../drivers/http/surepassid.ts';
import { createProfileServiceDriver } from '../../../drivers/http/openmobile-profiles.ts';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;

interface TestServer {
  origin: string;
  /** Every request as it arrived: method, url, headers, body, and which connection carried it. */
  seen: { method: string; url: string; headers: http.IncomingHttpHeaders; body: string; connection: number }[];
  /** Connections closed so far. */
  closed: () => number;
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function server(handler: Handler): Promise<TestServer> {
  const seen: TestServer['seen'] = [];
  let connections = 0;
  let closed = 0;
  const ids = new WeakMap<object, number>();
  const s = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body,
        connection: ids.get(req.socket) ?? -1,
      });
      handler(req, res, body);
    });
  });
  s.on('connection', (socket) => {
    ids.set(socket, connections++);
    socket.on('close', () => closed++);
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  cleanup.push(
    () =>
      new Promise<void>((resolve) => {
        s.closeAllConnections();
        s.close(() => resolve());
      }),
  );
  return { origin: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, seen, closed: () => closed };
}

function wire(options: Partial<WireOptions> = {}): Wire {
  const w = new Wire({ timeoutMs: 2000, maxBodyBytes: 1024, oversize: 'fail', connections: 4, ...options });
  cleanup.push(() => w.close());
  return w;
}

const call = (origin: string, extra: Partial<WireCall> = {}): WireCall => ({
  origin,
  path: '/x?y=1',
  method: 'GET',
  headers: {},
  body: null,
  signal: new AbortController().signal,
  ...extra,
});

const waitFor = async (check: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
};

describe('Wire: answers', () => {
  it('sends method, path, headers and body as given, and returns status, content type, location and bytes', async () => {
    const s = await server((_req, res) => {
      res.writeHead(201, { 'Content-Type': 'text/plain; charset=utf-8', Location: '/there' });
      res.end('héllo');
    });
    const outcome = await wire().send(
      call(s.origin, {
        method: 'POST',
        path: '/a/b?c=d',
        headers: { 'content-type': 'application/xml', accept: 'application/json' },
        body: '<x>é</x>',
      }),
    );
    expect(outcome).toMatchObject({ kind: 'answer', status: 201, contentType: 'text/plain; charset=utf-8' });
    if (outcome.kind !== 'answer') return;
    expect(outcome.location).toBe('/there');
    expect(outcome.body.toString('utf8')).toBe('héllo');
    expect(s.seen[0]).toMatchObject({
      method: 'POST',
      url: '/a/b?c=d',
      body: '<x>é</x>',
      headers: { 'content-type': 'application/xml', accept: 'application/json', 'content-length': '9' },
    });
  });

  it('keeps connections alive between requests', async () => {
    const s = await server((_req, res) => res.end('ok'));
    const w = wire();
    for (let i = 0; i < 6; i++) expect((await w.send(call(s.origin))).kind).toBe('answer');
    // undici checks an idle connection for a close before reusing it, and a request sent at once in the
    // meantime takes a second connection: sequential requests alternate between two.
    expect(new Set(s.seen.map((r) => r.connection)).size).toBeLessThanOrEqual(2);
  });

  it('reports an answer without a body or content type as such', async () => {
    const s = await server((_req, res) => {
      res.writeHead(204);
      res.end();
    });
    const outcome = await wire().send(call(s.origin));
    expect(outcome).toMatchObject({ kind: 'answer', status: 204, contentType: null, location: null });
    if (outcome.kind === 'answer') expect(outcome.body.length).toBe(0);
  });
});

describe('Wire: a misbehaving server', () => {
  it('times out a hang at the deadline and drops its connection', async () => {
    const s = await server(() => {});
    const outcome = await wire({ timeoutMs: 200 }).send(call(s.origin));
    expect(outcome.kind).toBe('timeout');
    expect(outcome.ms).toBeGreaterThanOrEqual(190);
    expect(outcome.ms).toBeLessThan(1500);
    await waitFor(() => s.closed() === 1);
  });

  it('holds a body that keeps dripping to one deadline for the whole request, not per chunk', async () => {
    const s = await server((req, res) => {
      res.writeHead(200);
      const timer = setInterval(() => res.write('.'), 40);
      req.socket.on('close', () => clearInterval(timer));
    });
    const outcome = await wire({ timeoutMs: 300 }).send(call(s.origin));
    expect(outcome.kind).toBe('timeout');
    expect(outcome.ms).toBeLessThan(1500);
  });

  it('expires a shorter deadline on time behind a longer one', async () => {
    const s = await server(() => {});
    const w = wire({ timeoutMs: 5000 });
    const long = w.send(call(s.origin));
    const short = await w.send(call(s.origin, { timeoutMs: 150 }));
    expect(short.kind).toBe('timeout');
    expect(short.ms).toBeLessThan(1500);
    await w.close();
    expect((await long).kind).not.toBe('answer');
  });

  it('reports an answer cut after its head', async () => {
    const s = await server((req, res) => {
      res.writeHead(200, { 'Content-Length': 100 });
      res.write('partial');
      setTimeout(() => req.socket.destroy(), 20);
    });
    expect(await wire().send(call(s.origin))).toMatchObject({ kind: 'cut' });
  });

  it.each(['lean', 'undici'] as const)(
    'tells a timeout, a cut and an oversize answer with the status and the body received so far (%s)',
    async (client) => {
      const s = await server((req, res) => {
        res.writeHead(200, { 'Content-Length': 100 });
        res.write(req.url === '/big' ? 'x'.repeat(64) : 'partial');
        if (req.url === '/cut') setTimeout(() => req.socket.destroy(), 20);
      });
      const w = wire({ client, timeoutMs: 300, maxBodyBytes: 32 });
      const text = (o: WireOutcome) => ('partial' in o ? o.partial.toString() : null);
      const hung = await w.send(call(s.origin, { path: '/hang' }));
      expect(hung).toMatchObject({ kind: 'timeout', status: 200 });
      expect(text(hung)).toBe('partial');
      const cut = await w.send(call(s.origin, { path: '/cut' }));
      expect(cut).toMatchObject({ kind: 'cut', status: 200 });
      expect(text(cut)).toBe('partial');
      expect(await w.send(call(s.origin, { path: '/big' }))).toMatchObject({ kind: 'oversize', status: 200 });
      const silent = await server(() => {});
      expect(await w.send(call(silent.origin))).toMatchObject({ kind: 'timeout', status: null });
    },
  );

  it("words a connection closed before any answer as Node's client does", async () => {
    const s = await server((req) => req.socket.end());
    expect(await wire().send(call(s.origin))).toMatchObject({
      kind: 'failed',
      connected: true,
      code: 'ECONNRESET',
      message: 'socket hang up',
    });
  });

  it('words bytes that are not HTTP as a parse error with llhttp’s code', async () => {
    const garbage = await server((req) => req.socket.end('garbage garbage\r\n\r\n'));
    expect(await wire().send(call(garbage.origin))).toMatchObject({
      kind: 'failed',
      connected: true,
      code: 'HPE_INVALID_CONSTANT',
      message: 'Parse Error: Expected HTTP/, RTSP/ or ICE/',
    });
    const badStatus = await server((req) => req.socket.write('HTTP/1.1 abc OK\r\ncontent-length: 2\r\n\r\nhi'));
    expect(await wire().send(call(badStatus.origin))).toMatchObject({
      kind: 'failed',
      code: 'HPE_INVALID_STATUS',
      message: 'Parse Error: Invalid status code',
    });
  });

  it('fails an answer larger than the limit, or keeps what fits when truncating', async () => {
    const s = await server((req, res) =>
      res.end('x'.repeat(Number(new URL(req.url ?? '', 'http://h').searchParams.get('n')))),
    );
    const failing = wire({ maxBodyBytes: 4096 });
    expect(await failing.send(call(s.origin, { path: '/?n=4096' }))).toMatchObject({ kind: 'answer' });
    expect(await failing.send(call(s.origin, { path: '/?n=200000' }))).toMatchObject({ kind: 'oversize' });
    const truncating = wire({ maxBodyBytes: 4096, oversize: 'truncate' });
    const cut = await truncating.send(call(s.origin, { path: '/?n=200000' }));
    expect(cut.kind).toBe('answer');
    if (cut.kind !== 'answer') return;
    expect(cut.body.length).toBeLessThanOrEqual(4096);
    expect(cut.body.toString()).toBe('x'.repeat(cut.body.length));
    // Read to its end, so the connection is still good for the next request.
    expect(await truncating.send(call(s.origin, { path: '/?n=3' }))).toMatchObject({ kind: 'answer', status: 200 });
  });

  it('tells a server that is not there (not connected) from one that misbehaves', async () => {
    const s = await server(() => {});
    const origin = s.origin;
    await cleanup.pop()?.();
    expect(await wire().send(call(origin))).toMatchObject({
      kind: 'failed',
      connected: false,
      code: 'ECONNREFUSED',
      message: expect.stringContaining('ECONNREFUSED'),
    });
  });
});

describe('Wire: aborts', () => {
  it('ends every request under a signal when it aborts, with its reason', async () => {
    const s = await server(() => {});
    const w = wire({ timeoutMs: 5000 });
    const controller = new AbortController();
    const pending = [
      w.send(call(s.origin, { signal: controller.signal })),
      w.send(call(s.origin, { signal: controller.signal })),
    ];
    await waitFor(() => s.seen.length === 2);
    const reason = new Error('case timeout');
    controller.abort(reason);
    for (const outcome of await Promise.all(pending)) expect(outcome).toMatchObject({ kind: 'aborted', reason });
    await waitFor(() => s.closed() === 2);
  });

  it('sends nothing under a signal that has already aborted', async () => {
    const s = await server((_req, res) => res.end('ok'));
    const controller = new AbortController();
    controller.abort(new Error('already'));
    expect(await wire().send(call(s.origin, { signal: controller.signal }))).toMatchObject({ kind: 'aborted' });
    await new Promise((r) => setTimeout(r, 50));
    expect(s.seen).toHaveLength(0);
  });

  it('leaves no timer behind once nothing is in flight', async () => {
    const s = await server((_req, res) => res.end('ok'));
    const w = wire();
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    await Promise.all([w.send(call(s.origin)), w.send(call(s.origin)), w.send(call(s.origin))]);
    expect(timers()).toBeLessThanOrEqual(before);
  });
});

describe('Wire: a kept-alive connection the server closed while idle', () => {
  /** Answers the first request on each connection; closes the connection on the second, unanswered. */
  const closesOnReuse = () => {
    const answered = new WeakSet<object>();
    return server((req, res) => {
      if (answered.has(req.socket)) {
        req.socket.end();
        return;
      }
      answered.add(req.socket);
      res.end('ok');
    });
  };

  it('sends the request once more on a fresh connection when asked to', async () => {
    const s = await closesOnReuse();
    const w = wire({ retryStaleConnection: true, connections: 1 });
    expect(await w.send(call(s.origin))).toMatchObject({ kind: 'answer' });
    expect(await w.send(call(s.origin))).toMatchObject({ kind: 'answer' });
    expect(s.seen.map((r) => r.connection)).toEqual([0, 0, 1]);
  });

  it('does not by default, and never for a connection that carried no earlier answer', async () => {
    const s = await closesOnReuse();
    const w = wire({ connections: 1 });
    await w.send(call(s.origin));
    expect(await w.send(call(s.origin))).toMatchObject({ kind: 'failed', code: 'ECONNRESET' });
    const fresh = await server((req) => req.socket.end());
    expect(await wire({ retryStaleConnection: true }).send(call(fresh.origin))).toMatchObject({ kind: 'failed' });
    expect(fresh.seen).toHaveLength(1);
  });
});

describe('resolveUnder', () => {
  it('gives what new URL(path, base) gives, for any path', () => {
    const chars = 'az09/._-~!$&\'()*+,;=:@?#%[] \\"<>^`{|}é'.split('');
    for (const baseUrl of ['http://127.0.0.1:8080/scope/abc/', 'https://example.com/', 'http://h/a/b']) {
      const base = parseBase(baseUrl);
      fc.assert(
        fc.property(fc.array(fc.constantFrom(...chars), { maxLength: 24 }), (parts) => {
          const path = parts.join('');
          let expected: URL | null = null;
          try {
            expected = new URL(path, base.href);
          } catch {
            expect(() => resolveUnder(base, path)).toThrow();
            return;
          }
          expect(resolveUnder(base, path)).toEqual({
            href: expected.href,
            origin: expected.origin,
            path: `${expected.pathname}${expected.search}`,
          });
        }),
        { numRuns: 2000 },
      );
    }
  });
});

describe('the server drivers over the wire: how a misbehaving server is worded', () => {
  const context = { rootDir: '/', obfuscationKey: null };
  const signal = () => new AbortController().signal;

  it('keeps each driver’s words for a closed connection, garbage and an oversize answer', async () => {
    let mode = 'close';
    const s = await server((req, res) => {
      if (req.url?.endsWith('/info')) {
        res.setHeader('content-type', 'application/json');
        res.end('{"name":"w","version":"1","capabilities":["test-hooks"]}');
      } else if (mode === 'close') req.socket.end();
      else if (mode === 'garbage') req.socket.end('garbage garbage\r\n\r\n');
      else res.end('x'.repeat(5 * 1024 * 1024));
    });
    const swivel = await createSwivelDriver({ url: s.origin }, context);
    cleanup.push(() => swivel.stop());
    const surepassid = await createSurePassIdDriver({ url: s.origin }, context);
    cleanup.push(() => surepassid.stop());
    const profiles = await createProfileServiceDriver({ url: s.origin }, context);
    cleanup.push(() => profiles.stop());
    const [sw, sp, ps] = [await swivel.openSession(), await surepassid.openSession(), await profiles.openSession()];
    const observe = async () => [
      (await sw.agentXml('<x/>', { signal: signal() })).failure,
      (await sp.send('{}', signal())).failure,
      (await ps.exchange({ method: 'GET', path: 'v1/x' }, signal())).failure,
    ];
    const closed = 'the server closed the connection without answering (ECONNRESET)';
    // Closed before any answer: no answer at all, for the circuit breaker (`silent`); garbage is an answer.
    expect(await observe()).toEqual([closed, { kind: 'connection', message: closed, silent: true }, closed]);
    mode = 'garbage';
    const garbage =
      'the answer is not HTTP/1.1 (HPE_INVALID_CONSTANT: Expected HTTP/, RTSP/ or ICE/); it began "garbage garbage\\r\\n\\r\\n"';
    expect(await observe()).toEqual([garbage, { kind: 'connection', message: garbage }, garbage]);
    mode = 'big';
    // SurePassID keeps the first 4 MiB of an answer; the others fail past 1 MiB.
    expect(await observe()).toEqual([
      'the answer exceeded 1048576 bytes (the limit); reading stopped there',
      null,
      'the answer is larger than 1048576 bytes',
    ]);
  });

  it('rejects a Swivel request whose signal already aborted (it used to crash the process)', async () => {
    const s = await server((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end('{"name":"w","version":"1","capabilities":[]}');
    });
    const swivel = await createSwivelDriver({ url: s.origin }, context);
    cleanup.push(() => swivel.stop());
    const controller = new AbortController();
    controller.abort(new Error('case ended'));
    await expect((await swivel.openSession()).agentXml('<x/>', { signal: controller.signal })).rejects.toThrow(
      'case ended',
    );
  });
});

/**
 * A server that answers each request (a head without body) with raw bytes: `answer` writes them to the
 * socket, so a test controls framing, splits and closes exactly. Counts connections in `connections`.
 */
async function rawServer(
  answer: (socket: net.Socket, request: { index: number; connection: number; head: string }) => void,
): Promise<{ origin: string; connections: () => number; requests: { connection: number; head: string }[] }> {
  let connections = 0;
  const requests: { connection: number; head: string }[] = [];
  const sockets = new Set<net.Socket>();
  const s = net.createServer((socket) => {
    const connection = connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let pending = '';
    socket.on('data', (chunk: Buffer) => {
      pending += chunk.toString('latin1');
      for (let end = pending.indexOf('\r\n\r\n'); end !== -1; end = pending.indexOf('\r\n\r\n')) {
        const head = pending.slice(0, end);
        pending = pending.slice(end + 4);
        requests.push({ connection, head });
        answer(socket, { index: requests.length - 1, connection, head });
      }
    });
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  cleanup.push(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        s.close(() => resolve());
      }),
  );
  return {
    origin: `http://127.0.0.1:${(s.address() as AddressInfo).port}`,
    connections: () => connections,
    requests,
  };
}

/** Writes `bytes` one at a time, a millisecond apart (each its own TCP segment, as far as Nagle allows). */
function drip(socket: net.Socket, bytes: string, then: () => void = () => {}): void {
  socket.setNoDelay(true);
  let at = 0;
  const next = () => {
    if (socket.destroyed) return;
    if (at === bytes.length) {
      then();
      return;
    }
    socket.write(bytes[at++] as string, 'latin1');
    setTimeout(next, 1);
  };
  next();
}

describe('Wire: the lean HTTP/1.1 client (http: origins)', () => {
  const answerOf = async (w: Wire, origin: string) => {
    const outcome = await w.send(call(origin));
    return outcome.kind === 'answer'
      ? { kind: outcome.kind, status: outcome.status, contentType: outcome.contentType, body: outcome.body.toString() }
      : outcome;
  };

  it('reads chunked bodies and keeps the connection for the next request', async () => {
    const s = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first,');
      setTimeout(() => res.end('second'), 5);
    });
    const w = wire();
    for (let i = 0; i < 3; i++) {
      expect(await answerOf(w, s.origin)).toEqual({
        kind: 'answer',
        status: 200,
        contentType: 'text/plain',
        body: 'first,second',
      });
    }
    expect(new Set(s.seen.map((r) => r.connection))).toEqual(new Set([0]));
  });

  it('skips 1xx answers and reads the final one', async () => {
    const s = await rawServer((socket) =>
      socket.write(
        'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n' +
          'HTTP/1.1 201 Created\r\nLocation: /new\r\nContent-Length: 4\r\n\r\ndone',
      ),
    );
    const outcome = await wire().send(call(s.origin));
    expect(outcome).toMatchObject({ kind: 'answer', status: 201, location: '/new' });
    if (outcome.kind === 'answer') expect(outcome.body.toString()).toBe('done');
  });

  it('reads a body with neither length nor chunking to the close, then uses a new connection', async () => {
    const s = await rawServer((socket, { index }) => {
      socket.write(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the close ${index}`);
      setTimeout(() => socket.end(), 10);
    });
    const w = wire();
    expect(await answerOf(w, s.origin)).toMatchObject({ kind: 'answer', body: 'until the close 0' });
    expect(await answerOf(w, s.origin)).toMatchObject({ kind: 'answer', body: 'until the close 1' });
    expect(s.requests.map((r) => r.connection)).toEqual([0, 1]);
  });

  it('does not reuse a connection the answer says is closing, nor one past its Keep-Alive timeout', async () => {
    const s = await rawServer((socket, { index }) =>
      socket.write(
        index === 0
          ? 'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok'
          : // timeout=2 less the margin kept for a close in flight (2 s, as undici): not reused at all.
            'HTTP/1.1 200 OK\r\nKeep-Alive: timeout=2\r\nContent-Length: 2\r\n\r\nok',
      ),
    );
    const w = wire();
    for (let i = 0; i < 3; i++) expect(await answerOf(w, s.origin)).toMatchObject({ kind: 'answer', body: 'ok' });
    expect(s.requests.map((r) => r.connection)).toEqual([0, 1, 2]);
  });

  it('reads an answer arriving one byte at a time, chunked and by length', async () => {
    const answers = [
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n3\r\n{"a\r\n5;x=y\r\n":1}\n\r\n0\r\n\r\n',
      'HTTP/1.1 200 OK\r\ncontent-length: 8\r\ncontent-type: application/json\r\n\r\n{"a":1}\n',
    ];
    const s = await rawServer((socket, { index }) => drip(socket, answers[index % 2] as string));
    const w = wire();
    for (let i = 0; i < 2; i++) {
      expect(await answerOf(w, s.origin)).toEqual({
        kind: 'answer',
        status: 200,
        contentType: 'application/json',
        body: '{"a":1}\n',
      });
    }
    expect(s.requests.map((r) => r.connection)).toEqual([0, 0]);
  });

  it('sends Host and Content-Length, and sends nothing for a header that could split the request', async () => {
    const s = await rawServer((socket) => socket.write('HTTP/1.1 204 No Content\r\n\r\n'));
    const w = wire();
    expect(await w.send(call(s.origin, { method: 'POST', body: 'abc', headers: { 'x-a': 'b' } }))).toMatchObject({
      kind: 'answer',
      status: 204,
    });
    expect(s.requests[0]?.head).toBe(
      `POST /x?y=1 HTTP/1.1\r\nhost: ${new URL(s.origin).host}\r\nx-a: b\r\ncontent-length: 3`,
    );
    expect(await w.send(call(s.origin, { headers: { 'x-a': 'b\r\nx-injected: 1' } }))).toMatchObject({
      kind: 'failed',
      connected: false,
      code: 'ERR_INVALID_CHAR',
    });
    expect(s.requests).toHaveLength(1);
  });

  it('fails an answer whose framing breaks after the head as cut, and one cut mid-head as a hang-up', async () => {
    const s = await rawServer((socket, { index }) => {
      if (index === 0) socket.end('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab');
      else socket.end('HTTP/1.1 200 OK\r\nContent-Le');
    });
    const w = wire();
    expect(await w.send(call(s.origin))).toMatchObject({ kind: 'cut' });
    expect(await w.send(call(s.origin))).toMatchObject({
      kind: 'failed',
      code: 'ECONNRESET',
      message: 'socket hang up',
    });
  });

  // Not among them: a 1xx answer, which undici (7.x) fails as a hang-up when its connection then closes.
  it('words each misbehaviour as undici (Node) does', async () => {
    const cases = [
      'HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello',
      'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
      'HTTP/1.1 200 OK\r\n\r\nto the close',
      'garbage garbage\r\n\r\n',
      'HTTP/1.1 abc OK\r\ncontent-length: 2\r\n\r\nhi',
      'HTTP/1.1 200 OK\r\ncontent-length: x\r\n\r\n',
      'HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\ncut',
      '',
    ];
    const s = await rawServer((socket, { head }) => {
      const index = Number(/GET \/(\d+)/.exec(head)?.[1]);
      socket.end(cases[index] as string);
    });
    // A client each, so that no answer meets a connection the previous one closed.
    const outcomes = async (client: 'lean' | 'undici') => {
      const all = [];
      for (let i = 0; i < cases.length; i++) {
        const outcome = await wire({ client }).send(call(s.origin, { path: `/${i}` }));
        all.push(
          outcome.kind === 'answer'
            ? { kind: outcome.kind, status: outcome.status, body: outcome.body.toString() }
            : // h1.ts also keeps the first bytes that were not HTTP, for messages; undici has none to give.
              { ...outcome, ms: 0, received: undefined },
        );
      }
      return all;
    };
    const lean = await outcomes('lean');
    expect(lean).toEqual(await outcomes('undici'));
    expect(lean.map((o) => o.kind)).toEqual([
      'answer',
      'answer',
      'answer',
      'failed',
      'failed',
      'failed',
      'cut',
      'failed',
    ]);
  });
});
