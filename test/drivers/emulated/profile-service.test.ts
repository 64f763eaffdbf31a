import { SCOPE_HITS_KEPT } from '../../../protocols/openmobile/types.ts';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProfileService } from '../../../protocols/openmobile/types.ts';
import type { Catalog } from '../../../protocols/openmobile/types.ts';
import { startProfileService } from '../../../drivers/emulated/profile-service.ts';
import { get, loadCatalog } from './support.ts';

let service: ProfileService;
let catalog: Catalog;

beforeAll(async () => {
  catalog = loadCatalog();
  service = await startProfileService(catalog);
});
afterAll(async () => {
  await service.close();
});

async function lookup(path: string, scopeUrl = service.scope().url) {
  const answer = await get(`${scopeUrl}${path}`);
  return { status: answer.status, json: JSON.parse(answer.body) as Record<string, unknown> };
}

/** Raw bytes of one request's answer and whether the server closed the connection. */
function rawExchange(url: string): Promise<{ bytes: Buffer; closed: boolean }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(target.port), target.hostname, () => {
      socket.write(`GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\n\r\n`);
    });
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => resolve({ bytes: Buffer.concat(chunks), closed: true }));
  });
}

describe('profile service: lookup', () => {
  it('listens on loopback and hands out scope URLs under /s/<scope>/', () => {
    expect(service.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const scope = service.scope();
    expect(scope.url.startsWith(`${service.baseUrl}s/`)).toBe(true);
    expect(scope.url.endsWith('/')).toBe(true);
    expect(service.scope().url).not.toBe(scope.url);
  });

  it('returns the profile without pin, favorite and note', async () => {
    const { status, json } = await lookup('v1/profiles/9945?platform=android&mode=production');
    expect(status).toBe(200);
    expect(json).toEqual({
      id: 9945,
      company: 'mycorp',
      platform: 'android',
      mode: 'production',
      domains: { options: ['mycorp.com'], editable: false },
      prefixes: null,
      savePassword: true,
      autologin: { userControl: true, default: false },
    });
  });

  it('a PIN profile matches its PIN exactly, and nothing else', async () => {
    expect((await lookup('v1/profiles/20005?platform=ios&mode=production&pin=Zx9k')).status).toBe(200);
    expect((await lookup('v1/profiles/20005?platform=ios&mode=production&pin=zx9k')).json).toEqual({
      error: 'not-found',
    });
    expect((await lookup('v1/profiles/20005?platform=ios&mode=production')).status).toBe(404);
    expect((await lookup('v1/profiles/20005?platform=ios&mode=production&pin=')).status).toBe(404);
    expect((await lookup('v1/profiles/12345?platform=android&mode=production&pin=abc1234')).status).toBe(200);
  });

  it('a profile without PIN matches an absent or empty PIN, and no other PIN', async () => {
    expect((await lookup('v1/profiles/13144?platform=ios&mode=production')).status).toBe(200);
    expect((await lookup('v1/profiles/13144?platform=ios&mode=production&pin=')).status).toBe(200);
    expect((await lookup('v1/profiles/13144?platform=ios&mode=production&pin=1111')).status).toBe(404);
  });

  it('selects by mode: test and production revisions differ, a test-only profile is absent in production', async () => {
    const production = await lookup('v1/profiles/20005?platform=android&mode=production&pin=Zx9k');
    const test = await lookup('v1/profiles/20005?platform=android&mode=test&pin=Zx9k');
    expect(production.json['mode']).toBe('production');
    expect(test.json['mode']).toBe('test');
    expect(test.json['domains']).toEqual({ options: ['test.acme.example'], editable: false });
    expect((await lookup('v1/profiles/112665?platform=android&mode=production&pin=1111')).status).toBe(404);
    expect((await lookup('v1/profiles/112665?platform=android&mode=test&pin=1111')).status).toBe(200);
  });

  it('mode defaults to production when the query omits it', async () => {
    expect((await lookup('v1/profiles/112665?platform=ios&pin=1111')).status).toBe(404);
    expect((await lookup('v1/profiles/9945?platform=ios')).json['mode']).toBe('production');
  });

  it("Profile Finder: another platform's ID selects the company favorite, both ways", async () => {
    const ios = await lookup('v1/profiles/30101?platform=ios&mode=production');
    expect(ios.status).toBe(200);
    expect(ios.json['id']).toBe(30002);
    const android = await lookup('v1/profiles/30102?platform=android&mode=production');
    expect(android.json['id']).toBe(30001);
    // The PIN is not checked for the favorite.
    expect((await lookup('v1/profiles/30101?platform=ios&mode=production&pin=whatever')).json['id']).toBe(30002);
  });

  it('Profile Finder: no favorite for the company (globex) selects nothing', async () => {
    expect((await lookup('v1/profiles/30201?platform=ios&mode=production')).status).toBe(404);
    expect((await lookup('v1/profiles/30202?platform=android&mode=production')).status).toBe(404);
  });

  it('Profile Finder: no favorite in the requested mode selects nothing', async () => {
    expect((await lookup('v1/profiles/30101?platform=ios&mode=test')).status).toBe(404);
  });

  it('a pid that is not a decimal number selects nothing', async () => {
    for (const pid of ['99x5', '%2B9945', '-9945', '9945.0', 'abc', '']) {
      expect((await lookup(`v1/profiles/${pid}?platform=ios&mode=production`)).status, pid).toBe(404);
    }
    expect((await lookup('v1/profiles/424242?platform=ios&mode=production')).status).toBe(404);
  });

  it('bad platform or mode: 400 bad-request with a message', async () => {
    const platform = await lookup('v1/profiles/9945?platform=windows&mode=production');
    expect(platform.status).toBe(400);
    expect(platform.json['error']).toBe('bad-request');
    expect(String(platform.json['message'])).toMatch(/platform/);
    expect((await lookup('v1/profiles/9945?mode=production')).status).toBe(400);
    const mode = await lookup('v1/profiles/9945?platform=ios&mode=staging');
    expect(mode.status).toBe(400);
    expect(String(mode.json['message'])).toMatch(/mode/);
  });

  it('setCatalog replaces the catalog', async () => {
    const local = await startProfileService(catalog);
    try {
      const scope = local.scope();
      expect((await get(`${scope.url}v1/profiles/9945?platform=ios&mode=production`)).status).toBe(200);
      local.setCatalog({ profiles: catalog.profiles.filter((p) => p.id !== 9945) });
      expect((await get(`${scope.url}v1/profiles/9945?platform=ios&mode=production`)).status).toBe(404);
      expect((await get(`${scope.url}v1/profiles/13144?platform=ios&mode=production`)).status).toBe(200);
    } finally {
      await local.close();
    }
  });

  it('a long-lived scope counts every request but keeps only the most recent ones', async () => {
    const scope = service.scope();
    const total = SCOPE_HITS_KEPT * 2 + 5;
    for (let i = 0; i < total; i++) await get(`${scope.url}v1/profiles/${i}?platform=ios&mode=production`);
    expect(scope.requestCount()).toBe(total);
    const kept = scope.requests();
    expect(kept).toHaveLength(SCOPE_HITS_KEPT);
    expect(kept.at(-1)?.path).toBe(`/v1/profiles/${total - 1}`);
  });

  it("a scope's own catalog is served to that scope only, until set back to null", async () => {
    const local = await startProfileService(catalog);
    try {
      const own = local.scope();
      const other = local.scope();
      const only = catalog.profiles.find((p) => p.id === 13144 && p.platform === 'ios');
      own.setCatalog({ profiles: only ? [only] : [] });
      expect((await get(`${own.url}v1/profiles/9945?platform=ios&mode=production`)).status).toBe(404);
      expect((await get(`${own.url}v1/profiles/13144?platform=ios&mode=production`)).status).toBe(200);
      expect((await get(`${other.url}v1/profiles/9945?platform=ios&mode=production`)).status).toBe(200);
      own.setCatalog(null);
      expect((await get(`${own.url}v1/profiles/9945?platform=ios&mode=production`)).status).toBe(200);
    } finally {
      await local.close();
    }
  });
});

describe('profile service: faults', () => {
  it('status: that status with {"error":"unavailable"}, until cleared', async () => {
    const scope = service.scope();
    scope.setFault({ kind: 'status', status: 503 });
    for (let i = 0; i < 2; i++) {
      const answer = await get(`${scope.url}v1/profiles/9945?platform=ios&mode=production`);
      expect(answer.status).toBe(503);
      expect(JSON.parse(answer.body)).toEqual({ error: 'unavailable' });
    }
    scope.setFault(null);
    expect((await get(`${scope.url}v1/profiles/9945?platform=ios&mode=production`)).status).toBe(200);
    expect(scope.requests().map((r) => r.status)).toEqual([503, 503, 200]);
  });

  it('cut: headers with the full Content-Length, about half the body, then the connection closes', async () => {
    const scope = service.scope();
    scope.setFault({ kind: 'cut' });
    const { bytes, closed } = await rawExchange(`${scope.url}v1/profiles/9945?platform=ios&mode=production`);
    expect(closed).toBe(true);
    const text = bytes.toString('latin1');
    const split = text.indexOf('\r\n\r\n');
    expect(text.startsWith('HTTP/1.1 200')).toBe(true);
    const length = Number(/content-length: (\d+)/i.exec(text)?.[1]);
    const received = bytes.length - (split + 4);
    expect(received).toBeGreaterThan(0);
    expect(received).toBe(Math.floor(length / 2));
    expect(scope.requests()[0]?.status).toBe('cut');
  });

  it('offline: the connection is dropped before a single byte is answered', async () => {
    const scope = service.scope();
    scope.setFault({ kind: 'offline' });
    for (let i = 0; i < 2; i++) {
      const { bytes, closed } = await rawExchange(`${scope.url}v1/profiles/9945?platform=ios&mode=production`);
      expect(closed).toBe(true);
      expect(bytes.length).toBe(0);
    }
    expect(scope.requests().map((r) => r.status)).toEqual(['offline', 'offline']);
  });

  it('latency: the normal answer, no earlier than the delay', async () => {
    const scope = service.scope();
    scope.setFault({ kind: 'latency', ms: 120 });
    const started = Date.now();
    const answer = await get(`${scope.url}v1/profiles/9945?platform=ios&mode=production`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(115);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)['id']).toBe(9945);
  });

  it('latency 0: the normal answer, on a later turn of the event loop, recorded as a hit', async () => {
    const scope = service.scope();
    scope.setFault({ kind: 'latency', ms: 0 });
    const answers = await Promise.all(
      [0, 1, 2].map(() => get(`${scope.url}v1/profiles/9945?platform=ios&mode=production`)),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(answers.map((a) => JSON.parse(a.body)['id'])).toEqual([9945, 9945, 9945]);
    expect(scope.requests()).toHaveLength(3);
  });

  it('rejects a malformed fault', () => {
    const scope = service.scope();
    expect(() => scope.setFault({ kind: 'status', status: 42 })).toThrow(/status/);
    expect(() => scope.setFault({ kind: 'latency', ms: -1 })).toThrow(/latency/);
  });
});

describe('profile service: scopes', () => {
  it('faults and request logs are per scope', async () => {
    const a = service.scope();
    const b = service.scope();
    a.setFault({ kind: 'status', status: 500 });
    expect((await get(`${a.url}v1/profiles/9945?platform=ios&mode=production`)).status).toBe(500);
    expect((await get(`${b.url}v1/profiles/9945?platform=ios&mode=production&pin=x`)).status).toBe(404);
    expect(a.requests()).toEqual([
      { path: '/v1/profiles/9945', query: { platform: 'ios', mode: 'production' }, status: 500 },
    ]);
    expect(b.requests()).toEqual([
      { path: '/v1/profiles/9945', query: { platform: 'ios', mode: 'production', pin: 'x' }, status: 404 },
    ]);
  });

  it('a closed scope answers 404 unknown-scope', async () => {
    const scope = service.scope();
    expect((await get(`${scope.url}v1/profiles/9945?platform=ios&mode=production`)).status).toBe(200);
    scope.close();
    const answer = await get(`${scope.url}v1/profiles/9945?platform=ios&mode=production`);
    expect(answer.status).toBe(404);
    expect(JSON.parse(answer.body)).toEqual({ error: 'unknown-scope' });
  });

  it('close() ends the server even with keep-alive connections open', async () => {
    const local = await startProfileService(catalog);
    const scope = local.scope();
    const { Agent, get: httpGet } = await import('node:http');
    const agent = new Agent({ keepAlive: true });
    await new Promise<void>((resolve, reject) => {
      httpGet(`${scope.url}v1/profiles/9945?platform=ios`, { agent }, (res) => {
        res.resume();
        res.on('end', resolve);
      }).on('error', reject);
    });
    await local.close();
    await expect(get(`${scope.url}v1/profiles/9945?platform=ios`)).rejects.toThrow(/ECONNREFUSED/);
    agent.destroy();
  });
});

describe('hold', () => {
  it('holds the answer to the next request until released, and answers later ones at once', async () => {
    const catalog = JSON.parse(
      readFileSync(new URL('../../../vectors/openmobile/profiles.json', import.meta.url), 'utf8'),
    ) as Catalog;
    const service = await startProfileService(catalog);
    try {
      const scope = service.scope();
      const release = scope.hold();
      const url = `${scope.url}v1/profiles/9945?platform=android&mode=production`;
      let firstDone = false;
      const first = fetch(url).then((r) => {
        firstDone = true;
        return r.status;
      });
      while (scope.requests().length === 0) await new Promise((r) => setTimeout(r, 2));
      // The second request is not held: a client that wrongly fetches again still gets its answer.
      expect((await fetch(url)).status).toBe(200);
      expect(firstDone).toBe(false);
      release();
      expect(await first).toBe(200);
      scope.close();
    } finally {
      await service.close();
    }
  });
});
