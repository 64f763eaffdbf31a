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
    });
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
