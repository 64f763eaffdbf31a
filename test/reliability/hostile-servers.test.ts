/**
 * Hostile servers on loopback (issue 13, "Bad input"): a test hook answering HTML with 200, garbage that is
 * not HTTP, binary bytes, resets, hangs, TLS spoken to a plain-HTTP port, an endless body. Each must give a
 * *broken* case or a HARNESS_TARGET_UNREACHABLE stop with a readable reason (the endpoint, what came back,
 * escaped and bounded, and why), never a failure charged to the server, never a crash. Every server answers
 * within the test; every timeout is short.
 */
import http from 'node:http';
import net from 'node:net';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpDriver } from '../../drivers/http/driver.ts';
import { createSurePassIdDriver } from '../../drivers/http/surepassid.ts';
import { createSwivelDriver } from '../../drivers/http/swivel.ts';
import { HarnessError } from '../../src/core/errors.ts';
import { repoPaths, runCli, runInProcess, tempProject } from '../e2e/helpers.ts';

const CONTEXT = { rootDir: '/', obfuscationKey: null };
const cleanup: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

/** A loopback server; every socket is destroyed at cleanup (a hang must not hold the test open). */
async function listen(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  const sockets = new Set<net.Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}

/** A raw TCP server: `answer` gets each connection's socket once a request head arrived. */
async function listenRaw(answer: (socket: net.Socket) => void): Promise<string> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let head = '';
    socket.on('data', (d: Buffer) => {
      head += d.toString('latin1');
      if (head.includes('\r\n\r\n')) {
        head = '';
        answer(socket);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}

/** A port nothing listens on (bound, then closed). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** No control character, escape sequence or replacement character reaches a message raw. */
function expectPrintable(text: string): void {
  expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u0080-\u009f\ufffd]/);
}

async function unreachable(start: Promise<unknown>): Promise<HarnessError> {
  const error = await start.then(
    () => new Error('expected the driver to refuse to start'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HarnessError);
  expect((error as HarnessError).code).toBe('HARNESS_TARGET_UNREACHABLE');
  return error as HarnessError;
}

const LOGIN_PAGE = '<!doctype html><html><body><form action="/login">Sign in</form></body></html>';

/** A Swivel test deployment whose hooks answer correctly except where `policyAnswer` says otherwise. */
async function swivelWithPolicyHook(policyAnswer: (res: http.ServerResponse) => void): Promise<string> {
  return listen((req, res) => {
    const url = req.url ?? '';
    if (url.endsWith('/harness/v1/info')) return json(res, 200, { name: 'hostile', version: '1', capabilities: [] });
    if (url.endsWith('/harness/v1/reset')) return void res.writeHead(204).end();
    if (req.method === 'GET' && url.endsWith('/harness/v1/policy')) {
      return json(res, 200, { validitySeconds: 600, selfProvisioning: false, logDeviceInformation: false });
    }
    if (req.method === 'PUT' && url.endsWith('/harness/v1/policy')) return policyAnswer(res);
    if (url.endsWith('/harness/v1/state')) return json(res, 200, { users: {} });
    res.writeHead(404).end();
  });
}

describe('Swivel: a test hook that answers outside docs/swivel.md breaks the case', () => {
  it('an HTML page with 200 from PUT /policy is broken (it used to be "accepted, expected rejected")', async () => {
    const url = await swivelWithPolicyHook((res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(LOGIN_PAGE);
    });
    const { results } = await runInProcess(
      { targets: [{ name: 'hostile-swivel', driver: 'swivel', options: { url, timeoutMs: 2000 } }] },
      { target: ['hostile-swivel'], grep: ['sw:pol-below-range'] },
    );
    expect(results.length).toBeGreaterThan(0);
    for (const result of results) {
      expect(result.verdict).toBe('broken');
      expect(result.message).toContain(`test hook PUT ${url}/harness/v1/policy answered 200`);
      expect(result.message).toContain('not the JSON object docs/swivel.md specifies');
      expect(result.message).toContain('"<!doctype html>');
    }
  });

  it('binary bytes in a hook answer are escaped and bounded in the message', async () => {
    const url = await swivelWithPolicyHook((res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(Buffer.concat([Buffer.from([0x00, 0xff, 0x1b]), Buffer.from('[31mred'), Buffer.alloc(5000, 0x41)]));
    });
    const { results } = await runInProcess(
      { targets: [{ name: 'hostile-swivel', driver: 'swivel', options: { url, timeoutMs: 2000 } }] },
      { target: ['hostile-swivel'], grep: ['sw:pol-below-range'] },
    );
    const [result] = results;
    expect(result?.verdict).toBe('broken');
    const message = result?.message ?? '';
    expect(message).toContain('\\x00\\u{fffd}\\x1b[31mred');
    expect(message).toMatch(/more characters\)/);
    expect(message.length).toBeLessThan(1000);
    expectPrintable(message);
  });

  it('a hook status the contract does not list (a redirect to a login page) is broken too', async () => {
    const url = await swivelWithPolicyHook((res) => {
      res.writeHead(302, { location: '/login' });
      res.end();
    });
    const { results } = await runInProcess(
      { targets: [{ name: 'hostile-swivel', driver: 'swivel', options: { url, timeoutMs: 2000 } }] },
      { target: ['hostile-swivel'], grep: ['sw:pol-below-range'] },
    );
    expect(results.map((r) => r.verdict)).toEqual(['broken']);
    expect(results[0]?.message).toMatch(
      /answered 302 \(empty body\); docs\/swivel\.md has it answer 200 or 400 or 422/,
    );
  });

  it('a reset of POST /reset reads as what happened, not "answered the connection failed"', async () => {
    let resets = 0;
    const url = await listen((req, res) => {
      if (req.url?.endsWith('/info')) return json(res, 200, { name: 'hostile', version: '1', capabilities: [] });
      resets++;
      req.socket.destroy();
    });
    const driver = await createSwivelDriver({ url, timeoutMs: 2000 }, CONTEXT);
    cleanup.push(() => driver.stop());
    const session = await driver.openSession();
    const error = await session.reset(new AbortController().signal).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(resets).toBe(1);
    expect(error?.message).toBe(
      `test hook POST ${url}/harness/v1/reset gave no answer: the server closed the connection without answering (ECONNRESET); it must answer 204 (docs/swivel.md)`,
    );
  });

  it('a hang of GET /info stops the target with "no answer within", not "aborted due to timeout"', async () => {
    const url = await listen(() => undefined);
    const started = Date.now();
    const error = await unreachable(createSwivelDriver({ url, timeoutMs: 300 }, CONTEXT));
    expect(Date.now() - started).toBeLessThan(3000);
    expect(error.message).toBe(
      `the Swivel server at ${url}/harness/v1/info accepted the connection but gave no answer: no answer within 300 ms. Check that the server is up and that url/urls name its HTTP port`,
    );
  });

  it('garbage that is not HTTP is quoted, escaped, as the answer it began with', async () => {
    const url = await listenRaw((socket) => socket.end(Buffer.from([0x00, 0xff, 0x01, 0x41, 0x0d, 0x0a])));
    const error = await unreachable(createSwivelDriver({ url, timeoutMs: 1000 }, CONTEXT));
    expect(error.message).toContain('the answer is not HTTP/1.1 (HPE_INVALID_CONSTANT');
    expect(error.message).toContain('it began "\\x00\\xff\\x01A\\r\\n"');
    expectPrintable(error.message);
  });
});

describe('SurePassID: a server that answered is never "cannot reach"', () => {
  it('an HTML page for GET /info is named as such', async () => {
    const url = await listen((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(LOGIN_PAGE);
    });
    const error = await unreachable(createSurePassIdDriver({ url, timeoutMs: 1000 }, CONTEXT));
    expect(error.message).not.toMatch(/cannot reach/);
    expect(error.message).toContain(`the SurePassID server at ${url} answered, but not as docs/surepassid.md allows`);
    expect(error.message).toContain(`GET ${url}/__harness/info answered 200 with "<!doctype html>`);
  });

  it('a hang is "gave no answer: no answer within", a refused connection "cannot reach"', async () => {
    const hanging = await listen(() => undefined);
    const hang = await unreachable(createSurePassIdDriver({ url: hanging, timeoutMs: 300 }, CONTEXT));
    expect(hang.message).toContain('gave no answer: no answer within 300 ms');
    expect(hang.message).not.toMatch(/cannot reach|aborted/);

    const port = await freePort();
    const refused = await unreachable(createSurePassIdDriver({ url: `http://127.0.0.1:${port}` }, CONTEXT));
    expect(refused.message).toMatch(/^cannot reach the SurePassID server at .*connection refused/);
  });

  it('binary bytes from a test hook are escaped in the broken reason', async () => {
    const url = await listen((req, res) => {
      if (req.url?.endsWith('/info')) return json(res, 200, { name: 'x', version: '1', capabilities: ['test-hooks'] });
      res.writeHead(500);
      res.end(Buffer.from([0x00, 0xff, 0x1b, 0x5b, 0x32, 0x4a]));
    });
    const driver = await createSurePassIdDriver({ url, timeoutMs: 1000 }, CONTEXT);
    cleanup.push(() => driver.stop());
    const session = await driver.openSession();
    const error = await session.hooks.reset(new AbortController().signal).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toBe(
      `test hook POST ${url}/__harness/reset answered 500 "\\x00\\u{fffd}\\x1b[2J"; docs/surepassid.md has it answer 204`,
    );
  });
});

describe('the adapter (http driver)', () => {
  it('https:// against a plain-HTTP adapter says so instead of an OpenSSL string', async () => {
    const url = await listen((_req, res) => json(res, 200, {}));
    const error = await unreachable(
      createHttpDriver({ url: url.replace('http:', 'https:'), timeoutMs: 1000 }, CONTEXT),
    );
    expect(error.message).toContain('it most likely speaks plain HTTP on this port, so use an http:// URL');
    expect(error.message).not.toMatch(/SSL routines|openssl/i);
  });

  it('a body past the limit is not described with a size below the limit', async () => {
    const url = await listen((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      let sent = 0;
      const more = (): void => {
        while (sent < 20 && res.write(chunk)) sent++;
        if (sent < 20) res.once('drain', more);
        else res.end();
      };
      more();
    });
    const error = await unreachable(createHttpDriver({ url, timeoutMs: 5000 }, CONTEXT));
    expect(error.message).toContain('with a body larger than 16777216 bytes (the limit); reading stopped there');
    expect(error.message).not.toMatch(/of \d+ bytes/);
  });
});

describe('the CLI against a hostile Swivel deployment', () => {
  it('exits 1 with the case broken and its reason escaped on the console, no stack trace', async () => {
    const url = await swivelWithPolicyHook((res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`${LOGIN_PAGE}\u0000\u001b[2J`);
    });
    const dir = tempProject(
      `export default { ${repoPaths()} targets: [{ name: 'lab', driver: 'swivel', options: { url: ${JSON.stringify(url)}, timeoutMs: 2000 } }], reporters: ['console', 'jsonl'] };\n`,
    );
    const out = mkdtempSync(path.join(os.tmpdir(), 'harness-hostile-'));
    const run = await runCli(['run', '--grep', 'sw:pol-below-range', '--output', out], dir);
    expect(run.stderr).not.toContain('HARNESS_');
    expect(run.code).toBe(1);
    const console = `${run.stdout}${run.stderr}`;
    expect(console).not.toMatch(/\n\s+at .*\.ts:\d+/);
    expectPrintable(console.replace(/\u001b\[[0-9;]*m/g, ''));
    const results = readFileSync(path.join(out, 'results.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { verdict: string; message: string });
    expect(results.map((r) => r.verdict)).toEqual(['broken']);
    expect(results[0]?.message).toContain('answered 200 with "<!doctype html>');
    expect(results[0]?.message).toContain('\\x00\\x1b[2J');
    expectPrintable(results[0]?.message ?? '');
  });
});
