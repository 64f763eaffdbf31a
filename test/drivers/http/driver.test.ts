import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ClientDriver } from '../../../protocols/openmobile/types.ts';
import { HarnessError } from '../../../src/core/errors.ts';
import { NOT_HANDLED, type ProvisionObservation } from '../../../protocols/openmobile/types.ts';
import { startAdapterServer } from '../../../drivers/http/adapter-server.ts';
import { createHttpDriver, validateHttpDriverOptions } from '../../../drivers/http/driver.ts';
import { AdapterProtocolError } from '../../../drivers/http/errors.ts';
import {
  CONTEXT,
  INFO,
  RecordingSession,
  SUCCESS,
  deferred,
  freePort,
  startRawServer,
  watchUnhandledRejections,
} from './fixtures.ts';

const rejections = watchUnhandledRejections();
afterAll(() => {
  rejections.stop();
  expect(rejections.reasons).toEqual([]);
});

const never = new AbortController().signal;

describe('http driver against the generic adapter server', () => {
  let session: RecordingSession;
  let adapter: { url: string; close(): Promise<void> };
  let driver: ClientDriver;

  beforeAll(async () => {
    session = new RecordingSession();
    adapter = await startAdapterServer({ session, info: INFO });
    driver = await createHttpDriver({ url: adapter.url }, CONTEXT);
  });
  afterAll(async () => {
    await driver.stop();
    await adapter.close();
  });
  afterEach(() => {
    session.onProvision = async () => SUCCESS;
  });

  it('reads GET /v1/info once at start and keeps it', async () => {
    expect(driver.maxSessions).toBe(1);
    expect(await driver.info()).toEqual(INFO);
  });

  it('carries every endpoint to the session and back', async () => {
    const s = await driver.openSession();
    await s.reset('http://127.0.0.1:53111/', never);
    expect(session.profileService).toBe('http://127.0.0.1:53111/');

    await s.network(false, never);
    expect(session.online).toBe(false);
    await s.network(true, never);
    expect(session.online).toBe(true);

    const observation = await s.provision({ url: 'ipass://provision?pid=9945&username=j%20s', method: 'url' }, never);
    expect(observation).toEqual(SUCCESS);
    expect(session.provisions.at(-1)).toEqual({ url: 'ipass://provision?pid=9945&username=j%20s', method: 'url' });

    session.state_ = {
      activated: true,
      profile: { id: 9945, mode: 'production' },
      settings: { username: 'jsmalley', password: 'doggylove2', domain: 'mycorp.com', prefix: null, autologin: false },
    };
    expect(await s.state(never)).toEqual(session.state_);

    session.lines = ['12:00:01 provisioning started', '12:00:02 done'];
    expect(await s.logs(never)).toEqual(session.lines);

    expect(session.calls).toEqual(['reset', 'network', 'network', 'provision', 'state', 'logs']);
    await s.close();
  });

  it('passes a not-handled observation through unchanged', async () => {
    const ignored: ProvisionObservation = { ...NOT_HANDLED };
    session.onProvision = async () => ignored;
    const s = await driver.openSession();
    expect(await s.provision({ url: 'clientx://provision?pid=1', method: 'url' }, never)).toEqual(ignored);
    await s.close();
  });

  it('reads an unhandled answer whatever its other fields hold: nothing else is observed', async () => {
    const s = await driver.openSession();
    const answers = [
      { handled: false },
      { handled: false, result: null, callbackUrl: null, dialog: null, foreground: null, notification: null },
      { handled: false, foreground: 'n/a', result: 'none', vendorTrace: { id: 7 } },
    ];
    for (const answer of answers) {
      session.onProvision = async () => answer as unknown as ProvisionObservation;
      expect(await s.provision({ url: 'clientx://provision?pid=1', method: 'url' }, never)).toEqual(NOT_HANDLED);
    }
    // Handled, every field is judged: a null foreground is a protocol error naming the field.
    session.onProvision = async () => ({ ...SUCCESS, foreground: null }) as unknown as ProvisionObservation;
    await expect(s.provision({ url: 'clientx://provision?pid=1', method: 'url' }, never)).rejects.toThrow(
      /POST \/v1\/provision answered 200 with a body that does not match the protocol \(\/foreground must be boolean\)/,
    );
    await s.close();
  });

  it('serves one session at a time', async () => {
    const first = await driver.openSession();
    await expect(driver.openSession()).rejects.toThrow(/one session at a time/);
    await first.close();
    const second = await driver.openSession();
    await expect(first.state(never)).rejects.toThrow(/closed/);
    await second.close();
  });

  it('has two provisions in flight at once reach the session at once', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const bothArrived = deferred();
    session.onProvision = async (request) => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      if (inFlight === 2) bothArrived.resolve();
      // If the requests were serialised anywhere, the first would wait here alone until the fallback.
      await Promise.race([bothArrived.promise, new Promise((r) => setTimeout(r, 2000))]);
      inFlight -= 1;
      return { ...SUCCESS, result: request.url.endsWith('a') ? 0 : 1 };
    };
    const s = await driver.openSession();
    try {
      const [a, b] = await Promise.all([
        s.provision({ url: 'ipass://provision?pid=a', method: 'url' }, never),
        s.provision({ url: 'ipass://provision?pid=b', method: 'url' }, never),
      ]);
      expect(maxInFlight).toBe(2);
      expect([a.result, b.result]).toEqual([0, 1]);
    } finally {
      await s.close();
    }
  });

  it('gives up on the caller abort, and the session sees its signal fire', async () => {
    const arrived = deferred();
    const sessionAborted = deferred();
    session.onProvision = (_request, signal) =>
      new Promise((_resolve, reject) => {
        arrived.resolve();
        signal.addEventListener('abort', () => {
          sessionAborted.resolve();
          reject(new Error('aborted'));
        });
      });
    const s = await driver.openSession();
    const controller = new AbortController();
    const pending = s.provision({ url: 'ipass://provision?pid=1', method: 'url' }, controller.signal);
    await arrived.promise;
    controller.abort(new Error('case deadline'));
    await expect(pending).rejects.toThrow('case deadline');
    await sessionAborted.promise;
    // The driver still works after an aborted request.
    session.onProvision = async () => SUCCESS;
    expect(await s.provision({ url: 'ipass://provision?pid=2', method: 'url' }, never)).toEqual(SUCCESS);
    await s.close();
  });

  it('rejects at once when the signal is already aborted', async () => {
    const s = await driver.openSession();
    const before = session.calls.length;
    const controller = new AbortController();
    controller.abort(new Error('already over'));
    await expect(s.state(controller.signal)).rejects.toThrow('already over');
    expect(session.calls.length).toBe(before);
    await s.close();
  });

  it('turns a session failure (500) into an AdapterProtocolError naming the endpoint', async () => {
    session.onProvision = async () => {
      throw new Error('simulator crashed');
    };
    const s = await driver.openSession();
    const error = await s.provision({ url: 'ipass://provision?pid=1', method: 'url' }, never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdapterProtocolError);
    const protocolError = error as AdapterProtocolError;
    expect(protocolError.endpoint).toBe('POST /v1/provision');
    expect(protocolError.status).toBe(500);
    expect(protocolError.bodyExcerpt).toContain('simulator crashed');
    expect(protocolError.message).toMatch(/^POST \/v1\/provision answered 500, expected 200: ".*simulator crashed/);
    await s.close();
  });
});

describe('http driver timeouts', () => {
  it('gives up after timeoutMs, destroys the socket, and the session sees its signal fire', async () => {
    const session = new RecordingSession();
    const sessionAborted = deferred();
    session.onProvision = (_request, signal) =>
      new Promise((_resolve, reject) => {
        signal.addEventListener('abort', () => {
          sessionAborted.resolve();
          reject(new Error('aborted'));
        });
      });
    const adapter = await startAdapterServer({ session, info: INFO });
    const driver = await createHttpDriver({ url: adapter.url, timeoutMs: 300 }, CONTEXT);
    try {
      const s = await driver.openSession();
      const started = Date.now();
      const error = await s
        .provision({ url: 'ipass://provision?pid=1', method: 'url' }, never)
        .catch((e: unknown) => e);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(error).toBeInstanceOf(AdapterProtocolError);
      expect((error as AdapterProtocolError).message).toBe('POST /v1/provision did not answer within 300 ms');
      expect((error as AdapterProtocolError).status).toBeNull();
      // The server only notices because the client destroyed the socket.
      await sessionAborted.promise;
    } finally {
      await driver.stop();
      await adapter.close();
    }
  });
});

describe('http driver at start', () => {
  it('reports an adapter that is not there as HARNESS_TARGET_UNREACHABLE with the fix', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const error = await createHttpDriver({ url }, CONTEXT).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HarnessError);
    expect((error as HarnessError).code).toBe('HARNESS_TARGET_UNREACHABLE');
    expect((error as HarnessError).message).toBe(
      `cannot reach the adapter at ${url}: connection refused (ECONNREFUSED). Start the adapter or fix targets[..].url`,
    );
  });

  it('reports an info that breaks the protocol as a HarnessError naming the field', async () => {
    const raw = await startRawServer({
      'GET /v1/info': { status: 200, body: JSON.stringify({ ...INFO, platform: 'windows' }) },
    });
    try {
      const error = await createHttpDriver({ url: raw.url }, CONTEXT).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(HarnessError);
      expect((error as HarnessError).code).toBe('HARNESS_TARGET_UNREACHABLE');
      expect((error as HarnessError).message).toContain('does not speak the adapter protocol');
      expect((error as HarnessError).message).toContain('/platform must be equal to one of the allowed values');
    } finally {
      await raw.close();
    }
  });

  it('ignores unknown fields and unknown names, and keeps a base path', async () => {
    const raw = await startRawServer({
      'GET /lab/7/v1/info': {
        status: 200,
        body: JSON.stringify({
          ...INFO,
          methods: ['url', 'carrier-pigeon'],
          capabilities: ['logs', 'x-video'],
          extra: 1,
        }),
      },
      'POST /lab/7/v1/provision': { status: 200, body: JSON.stringify({ ...SUCCESS, vendorTrace: 'abc' }) },
      'GET /lab/7/v1/state': {
        status: 200,
        body: JSON.stringify({
          activated: true,
          profile: { id: 5, mode: 'test', company: 'x' },
          settings: { username: 'u', password: null, domain: null, prefix: null, autologin: null, theme: 'dark' },
          screen: 'settings',
        }),
      },
      'POST /lab/7/v1/reset': { status: 204, body: '' },
    });
    const driver = await createHttpDriver({ url: `${raw.url}/lab/7` }, CONTEXT);
    try {
      expect(await driver.info()).toEqual({ ...INFO, methods: ['url'], capabilities: ['logs'] });
      const s = await driver.openSession();
      await s.reset('http://127.0.0.1:1/', never);
      expect(await s.provision({ url: 'ipass://provision?pid=1', method: 'url' }, never)).toEqual(SUCCESS);
      expect(await s.state(never)).toEqual({
        activated: true,
        profile: { id: 5, mode: 'test' },
        settings: { username: 'u', password: null, domain: null, prefix: null, autologin: null },
      });
      expect(raw.hits).toEqual([
        'GET /lab/7/v1/info',
        'POST /lab/7/v1/reset',
        'POST /lab/7/v1/provision',
        'GET /lab/7/v1/state',
      ]);
    } finally {
      await driver.stop();
      await driver.stop();
      await raw.close();
    }
  });

  it('expects 204 exactly where the protocol says so', async () => {
    const raw = await startRawServer({
      'GET /v1/info': { status: 200, body: JSON.stringify(INFO) },
      'POST /v1/reset': { status: 200, body: '{"ok":true}' },
      'GET /v1/logs': { status: 200, body: '{"lines":["a",2]}' },
    });
    const driver = await createHttpDriver({ url: raw.url }, CONTEXT);
    try {
      const s = await driver.openSession();
      await expect(s.reset('http://127.0.0.1:1/', never)).rejects.toThrow(
        'POST /v1/reset answered 200, expected 204: "{\\"ok\\":true}"',
      );
      await expect(s.logs(never)).rejects.toThrow(
        'GET /v1/logs answered 200 with a body that does not match the protocol (/lines/1 must be string)',
      );
      await expect(s.network(true, never)).rejects.toMatchObject({ endpoint: 'POST /v1/network', status: 404 });
    } finally {
      await driver.stop();
      await raw.close();
    }
  });
});

describe('http driver options', () => {
  it.each([
    [{}, /url is required/],
    [{ url: 42 }, /url must be a string holding an http\(s\) URL, got 42/],
    [
      { url: '127.0.0.1:9400' },
      /url must be an http\(s\) URL, for example "http:\/\/127.0.0.1:9400", got "127.0.0.1:9400"/,
    ],
    [{ url: 'ftp://127.0.0.1:9400' }, /url must be an http\(s\) URL/],
    [
      { url: 'http://127.0.0.1:9400', timeoutMs: 0 },
      /timeoutMs must be a positive whole number of milliseconds, got 0/,
    ],
    [{ url: 'http://127.0.0.1:9400', timeoutMs: '300' }, /timeoutMs must be .* got "300"/],
    [{ url: 'http://127.0.0.1:9400', timeoutMs: 1.5 }, /timeoutMs must be/],
  ])('rejects %j with HARNESS_CONFIG_INVALID', async (options, message) => {
    const error = await createHttpDriver(options, CONTEXT).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HarnessError);
    expect((error as HarnessError).code).toBe('HARNESS_CONFIG_INVALID');
    expect((error as HarnessError).message).toMatch(message);
  });

  it('reports every problem at once and applies the default timeout', () => {
    expect(() => validateHttpDriverOptions({ url: 'nope', timeoutMs: -1 })).toThrow(
      /url must be an http\(s\) URL.*; timeoutMs must be/,
    );
    expect(validateHttpDriverOptions({ url: 'https://lab.example/adapter' })).toEqual({
      url: 'https://lab.example/adapter',
      timeoutMs: 10000,
    });
  });
});
