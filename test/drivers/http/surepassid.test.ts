import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HarnessError } from '../../../src/core/errors.ts';
import {
  createSurePassIdDriver,
  validateSurePassIdDriverOptions,
  type SurePassIdDriver,
} from '../../../drivers/http/surepassid.ts';
import { startSurePassIdReference, type SurePassIdReference } from '../../../drivers/emulated/surepassid/server.ts';

const CONTEXT = { rootDir: process.cwd(), obfuscationKey: null };
const signal = () => new AbortController().signal;
const open: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.stop();
});

async function driver(options: Record<string, unknown>): Promise<SurePassIdDriver> {
  const d = await createSurePassIdDriver(options, CONTEXT);
  open.push(d);
  return d;
}

describe('surepassid driver options', () => {
  it('names every bad field at once', () => {
    let error: unknown;
    try {
      validateSurePassIdDriverOptions({
        url: 'localhost:1',
        path: 'x',
        timeoutMs: -1,
        defects: ['nope'],
        colour: 1,
        maxSessions: 0,
        qr: 'svg',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HarnessError);
    const message = (error as HarnessError).message;
    for (const field of [
      'unknown option "colour"',
      'url must be an http(s) URL',
      'path must start with "/"',
      'timeoutMs',
      'unknown defect "nope"',
      'defects only apply with reference: true',
      'maxSessions',
      'qr must be one of "chart", "image", "data-url", got "svg"',
      'qr only applies with reference: true',
    ]) {
      expect(message).toContain(field);
    }
  });

  it('needs url or reference, not both', () => {
    expect(() => validateSurePassIdDriverOptions({})).toThrow(/url is required/);
    expect(() => validateSurePassIdDriverOptions({ reference: true, url: 'http://x' })).toThrow(/exclude each other/);
    expect(validateSurePassIdDriverOptions({ reference: true })).toMatchObject({
      path: '/AuthServer/REST/OATH/OATHServer.aspx',
      hooks: '/__harness',
      timeoutMs: 10_000,
      qr: null,
    });
    expect(validateSurePassIdDriverOptions({ reference: true, qr: 'data-url' })).toMatchObject({ qr: 'data-url' });
  });
});

describe('surepassid driver', () => {
  it('starts the reference server, reports its test hooks and drives the OATH endpoint', async () => {
    const d = await driver({ reference: true });
    expect(await d.info()).toMatchObject({ name: 'surepassid-reference', capabilities: ['test-hooks'] });
    const session = await d.openSession();
    await session.hooks.createAccount({ loginName: 'acme', loginKey: 'k-123456', issuer: 'Acme' }, signal());
    await session.hooks.createUser({ account: 'acme', username: 'mandy' }, signal());
    const added = await session.send(
      JSON.stringify({
        type: 'add_oath_device',
        username: 'mandy',
        spAccountLoginName: 'acme',
        spAccountLoginKey: 'k-123456',
      }),
      signal(),
    );
    const body = JSON.parse(added.response!.body) as { errorCode: number; deviceId: string };
    expect(body.errorCode).toBe(0);
    await session.hooks.deleteDevice({ account: 'acme', deviceId: body.deviceId }, signal());
    await expect(session.hooks.deleteDevice({ account: 'acme', deviceId: body.deviceId }, signal())).rejects.toThrow(
      /answered 404/,
    );
    await session.close();
    await expect(session.send('{}', signal())).rejects.toThrow(/closed/);
  });

  it('talks to a server at url with a configured path, and without hooks offers no test-hooks capability', async () => {
    const server = await startSurePassIdReference({ path: '/custom/OATH.aspx' });
    open.push({ stop: () => server.close() });
    const d = await driver({ url: server.url, path: '/custom/OATH.aspx', hooks: false });
    expect((await d.info()).capabilities).toEqual([]);
    const session = await d.openSession();
    expect(session.endpoint).toBe(`${server.url}/custom/OATH.aspx`);
    const answer = await session.send(
      '{"type":"find_device","spAccountLoginName":"x","spAccountLoginKey":"y","deviceId":"z"}',
      signal(),
    );
    expect(JSON.parse(answer.response!.body)).toMatchObject({ errorCode: 9000 });
    await expect(session.hooks.reset(signal())).rejects.toThrow(/no test hooks/);
  });

  it('reports a hang as a timeout failure (not a throw) and a 500 as an answer', async () => {
    const d = await driver({
      reference: true,
      defects: ['non-json-hang', 'missing-physical-device-500'],
      timeoutMs: 300,
    });
    const session = await d.openSession();
    const hung = await session.send('not json', signal(), 'text/plain');
    expect(hung.response).toBeNull();
    expect(hung.failure).toMatchObject({ kind: 'timeout' });
    expect(hung.ms).toBeGreaterThanOrEqual(290);
    await session.hooks.createAccount({ loginName: 'a', loginKey: 'k-123456' }, signal());
    await session.hooks.createUser({ account: 'a', username: 'u' }, signal());
    const crashed = await session.send(
      JSON.stringify({
        type: 'provision_oath_device',
        username: 'u',
        deviceId: 'x',
        spAccountLoginName: 'a',
        spAccountLoginKey: 'k-123456',
      }),
      signal(),
    );
    expect(crashed.response?.status).toBe(500);
    // The connection is still usable after both.
    const next = await session.send('{}', signal());
    expect(next.response?.status).toBe(200);
  });

  it('reports a server that cuts its answer as a connection failure', async () => {
    const server = http.createServer((req, res) => {
      if (req.url?.startsWith('/__harness/info')) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end('{"name":"cutter","version":"1","capabilities":["test-hooks"]}');
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': 100 });
      res.write('{"errorCode":');
      setTimeout(() => res.destroy(), 20);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    open.push({ stop: () => new Promise<void>((resolve) => server.close(() => resolve())) });
    const d = await driver({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
    expect((await d.info()).name).toBe('cutter');
    const answer = await (await d.openSession()).send('{}', signal());
    expect(answer.failure?.kind).toBe('connection');
  });

  it('stops with HARNESS_TARGET_UNREACHABLE when nothing listens', async () => {
    const server: SurePassIdReference = await startSurePassIdReference();
    const url = server.url;
    await server.close();
    await expect(createSurePassIdDriver({ url, timeoutMs: 1000 }, CONTEXT)).rejects.toMatchObject({
      code: 'HARNESS_TARGET_UNREACHABLE',
      message: expect.stringMatching(/connection refused/),
    });
  });

  it('rejects a send when its signal aborts', async () => {
    const d = await driver({ reference: true, defects: ['non-json-hang'], timeoutMs: 5000 });
    const session = await d.openSession();
    const controller = new AbortController();
    const pending = session.send('nope', controller.signal);
    setTimeout(() => controller.abort(new Error('case timeout')), 50);
    await expect(pending).rejects.toThrow(/case timeout/);
  });
});

/** A loopback server answering each path with a handler; records the paths asked. */
async function imageServer(
  routes: Record<string, (req: http.IncomingMessage, res: http.ServerResponse) => void>,
): Promise<{ url: string; asked: string[] }> {
  const asked: string[] = [];
  const server = http.createServer((req, res) => {
    asked.push(req.url ?? '');
    const route = routes[new URL(req.url ?? '/', 'http://x').pathname];
    if (route !== undefined) return route(req, res);
    if (req.url === '/__harness/info') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      return res.end('{"name":"images","version":"1","capabilities":[]}');
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  open.push({
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, asked };
}

const PNG_BYTES = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 1, 2, 255]);
const redirect = (to: string) => (_req: http.IncomingMessage, res: http.ServerResponse) => {
  res.writeHead(302, { Location: to });
  res.end();
};

describe('surepassid driver: fetching QR images', () => {
  it('serves real PNG QR codes from the reference server in qr: image, and inline ones in qr: data-url', async () => {
    for (const qr of ['image', 'data-url'] as const) {
      const d = await driver({ reference: true, qr });
      const session = await d.openSession();
      await session.hooks.createAccount({ loginName: 'acme', loginKey: 'k-123456' }, signal());
      await session.hooks.createUser({ account: 'acme', username: 'mandy' }, signal());
      const credentials = { spAccountLoginName: 'acme', spAccountLoginKey: 'k-123456', username: 'mandy' };
      const added = await session.send(JSON.stringify({ type: 'add_oath_device', ...credentials }), signal());
      const { deviceId } = JSON.parse(added.response!.body) as { deviceId: string };
      const provisioned = await session.send(
        JSON.stringify({ type: 'provision_oath_device', ...credentials, deviceId, physicalDeviceId: 'p1' }),
        signal(),
      );
      const { QRCodeURL } = JSON.parse(provisioned.response!.body) as { QRCodeURL: string };
      expect(QRCodeURL).not.toMatch(/otpauth|secret/i);
      if (qr === 'data-url') {
        expect(QRCodeURL).toMatch(/^data:image\/png;base64,iVBOR/);
        continue;
      }
      expect(QRCodeURL.startsWith(`${session.endpoint.replace(/\/AuthServer\/.*$/, '')}/`)).toBe(true);
      const image = await session.fetchImage(QRCodeURL, signal());
      expect(image).toMatchObject({
        urls: [QRCodeURL],
        failure: null,
        response: { status: 200, contentType: 'image/png' },
      });
      expect(image.response!.body.subarray(0, 4)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    }
  });

  it('follows redirects on the target, keeping the bytes intact', async () => {
    const target = await imageServer({
      '/qr': redirect('/img/qr.png'),
      '/img/qr.png': (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'image/png' });
        res.end(PNG_BYTES);
      },
    });
    const session = await (await driver({ url: target.url, hooks: false })).openSession();
    const image = await session.fetchImage(`${target.url}/qr`, signal());
    expect(image.urls).toEqual([`${target.url}/qr`, `${target.url}/img/qr.png`]);
    expect(image.failure).toBeNull();
    expect(image.response?.body).toEqual(PNG_BYTES);
  });

  it('never leaves the target: an off-origin URL or redirect is not fetched', async () => {
    const elsewhere = await imageServer({});
    const target = await imageServer({ '/away': redirect(`${elsewhere.url}/steal.png`) });
    const session = await (await driver({ url: target.url, hooks: false })).openSession();
    const direct = await session.fetchImage(`${elsewhere.url}/qr.png`, signal());
    expect(direct.failure).toMatchObject({ kind: 'off-origin', message: expect.stringMatching(/^QRCodeURL is on /) });
    const redirected = await session.fetchImage(`${target.url}/away`, signal());
    expect(redirected.failure).toMatchObject({
      kind: 'off-origin',
      message: `the QR image redirects on ${elsewhere.url}, not on the target ${target.url}`,
    });
    expect(redirected.response?.status).toBe(302);
    expect(elsewhere.asked).toEqual([]);
  });

  it('stops a redirect loop, and holds the whole fetch to the driver timeout', async () => {
    const target = await imageServer({
      '/loop': redirect('/loop'),
      '/slow': (_req, res) => {
        // Answers the headers, never the body.
        res.writeHead(200, { 'Content-Type': 'image/png' });
        res.write(PNG_BYTES.subarray(0, 4));
      },
    });
    const session = await (await driver({ url: target.url, hooks: false, timeoutMs: 300 })).openSession();
    const loop = await session.fetchImage(`${target.url}/loop`, signal());
    expect(loop.failure).toMatchObject({ kind: 'redirects' });
    expect(loop.urls).toHaveLength(6);
    const slow = await session.fetchImage(`${target.url}/slow`, signal());
    expect(slow.failure).toEqual({ kind: 'timeout', message: 'no complete answer within 300 ms' });
    expect(slow.ms).toBeGreaterThanOrEqual(290);
    expect(slow.ms).toBeLessThan(2000);
  });
});
