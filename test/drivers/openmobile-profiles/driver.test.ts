import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createProfileServiceDriver,
  validateProfileServiceDriverOptions,
} from '../../../drivers/http/openmobile-profiles.ts';
import { startProfileService } from '../../../drivers/emulated/profile-service.ts';
import type { ProfileService } from '../../../protocols/openmobile/types.ts';
import { HarnessError } from '../../../src/core/errors.ts';

const context = { rootDir: '/', obfuscationKey: null };
const signal = new AbortController().signal;
const profile = {
  id: 5,
  company: 'acme',
  platform: 'android',
  mode: 'production',
  pin: 'Pin5',
  favorite: false,
  domains: { options: ['acme.example'], editable: false },
  prefixes: null,
  savePassword: true,
  autologin: { userControl: true, default: false },
  published: 'draft',
};

describe('profile-service driver options', () => {
  it('names every bad field at once', () => {
    let error: unknown;
    try {
      validateProfileServiceDriverOptions({ url: 'localhost:9', defects: ['nope'], timeoutMs: -1, colour: 1 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HarnessError);
    const text = (error as HarnessError).format();
    expect(text).toMatch(/colour: unknown option/);
    expect(text).toMatch(/url: must be an http\(s\) URL, got "localhost:9"/);
    expect(text).toMatch(/defects: only the reference server has seeded defects/);
    expect(text).toMatch(/defects\[0\]: unknown defect "nope"; valid: empty-pin-not-none/);
    expect(text).toMatch(/timeoutMs: must be a positive number/);
  });

  it('needs exactly one of reference and url', () => {
    expect(() => validateProfileServiceDriverOptions({})).toThrow(HarnessError);
    expect(() => validateProfileServiceDriverOptions({ reference: true, url: 'http://x' })).toThrow(HarnessError);
    expect(validateProfileServiceDriverOptions({ url: 'http://127.0.0.1:1' }).url).toBe('http://127.0.0.1:1/');
  });
});

describe('profile-service driver', () => {
  it('gives each reference session its own catalog', async () => {
    const driver = await createProfileServiceDriver({ reference: true }, context);
    try {
      expect((await driver.info()).capabilities).toEqual(['admin', 'create']);
      const [a, b] = [await driver.openSession(), await driver.openSession()];
      const put = await a.exchange(
        { method: 'PUT', path: 'v1/admin/catalog', body: JSON.stringify({ profiles: [profile] }) },
        signal,
      );
      expect(put.response?.status).toBe(204);
      const lookup = 'v1/profiles/5?platform=android&mode=production&pin=Pin5';
      expect((await a.exchange({ method: 'GET', path: lookup }, signal)).response?.status).toBe(200);
      expect((await b.exchange({ method: 'GET', path: lookup }, signal)).response?.status).toBe(404);
    } finally {
      await driver.stop();
      await driver.stop();
    }
  });

  it('reports a hang as a failure of the exchange, not a throw', async () => {
    const server = http.createServer(() => {});
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const driver = await createProfileServiceDriver({ url: `http://127.0.0.1:${port}`, timeoutMs: 200 }, context);
    try {
      expect(driver.maxSessions).toBe(1);
      const exchange = await (
        await driver.openSession()
      ).exchange({ method: 'GET', path: 'v1/profiles/1?platform=ios&mode=test' }, signal);
      expect(exchange.response).toBeNull();
      expect(exchange.failure).toMatch(/no complete answer within 200 ms/);
    } finally {
      await driver.stop();
      server.closeAllConnections();
      server.close();
    }
  });
});

describe('reference profile service: catalog administration', () => {
  let service: ProfileService;
  beforeAll(async () => {
    service = await startProfileService({ profiles: [] }, { admin: true });
  });
  afterAll(() => service.close());

  async function call(method: string, path: string, body?: unknown) {
    const res = await fetch(new URL(path, service.baseUrl), {
      method,
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, json: text === '' ? null : (JSON.parse(text) as Record<string, unknown>) };
  }

  it('replaces, patches, creates and rejects as documented', async () => {
    expect((await call('PUT', 'v1/admin/catalog', { profiles: [profile] })).status).toBe(204);
    const patched = await call('PATCH', 'v1/admin/profiles/5', { pin: 'Pin6', published: 'test' });
    expect(patched).toMatchObject({ status: 200, json: { id: 5, pin: 'Pin6', published: 'test' } });
    expect(await call('PATCH', 'v1/admin/profiles/5', { pin: 'Pin7' })).toMatchObject({
      status: 422,
      json: { error: 'invalid-profile', id: 5, field: 'pin' },
    });
    const { id: _id, ...body } = profile;
    expect(await call('POST', 'v1/admin/profiles', { ...body, pin: null })).toMatchObject({
      status: 201,
      json: { id: 6 },
    });
    expect((await call('PUT', 'v1/admin/catalog', '{oops')).status).toBe(400);
    expect((await call('DELETE', 'v1/admin/catalog')).status).toBe(405);
    expect((await call('PATCH', 'v1/admin/profiles/abc', {})).status).toBe(404);
  });

  it('stays GET-only without the admin option', async () => {
    const plain = await startProfileService({ profiles: [] });
    try {
      const res = await fetch(new URL('v1/admin/catalog', plain.baseUrl), { method: 'PUT', body: '{"profiles":[]}' });
      expect(res.status).toBe(405);
    } finally {
      await plain.close();
    }
  });

  it('rejects an unknown defect id', async () => {
    await expect(startProfileService({ profiles: [] }, { defects: ['nope'] })).rejects.toThrow(
      /unknown defect "nope"; valid:/,
    );
  });
});
