import { getEventListeners } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fetchProfile,
  profileEndpoint,
  profileTarget,
  profileUrl,
} from '../../../drivers/emulated/client/profile-fetch.ts';
import type { DirectTarget, ProfileQuery } from '../../../drivers/emulated/client/profile-fetch.ts';

/** A loopback server that records the request line and Host header of every request and answers 404. */
let server: http.Server;
let base: string;
const seen: { url: string; host: string | undefined }[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push({ url: req.url ?? '', host: req.headers.host });
    res.writeHead(404, { 'Content-Type': 'application/json' });
    res.end('{"error":"not-found"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** What the server saw for one fetch of `target`. */
async function requestSeen(target: string | DirectTarget): Promise<{ url: string; host: string | undefined }> {
  seen.length = 0;
  expect(await fetchProfile(target)).toEqual({ kind: 'not-found' });
  expect(seen).toHaveLength(1);
  return seen[0] ?? { url: '', host: undefined };
}

const queries: ProfileQuery[] = [
  { pid: '9945', platform: 'ios', mode: 'production', pin: '' },
  { pid: '12345', platform: 'android', mode: 'test', pin: 'abc1234' },
  { pid: 'a b/c?d#e%', platform: 'android', mode: 'production', pin: "it's +&=é😀" },
  { pid: '.', platform: 'android', mode: 'production', pin: '' },
  { pid: '..', platform: 'android', mode: 'production', pin: '' },
  { pid: '%2e', platform: 'android', mode: 'production', pin: "'" },
  { pid: "(*)!~'", platform: 'ios', mode: 'test', pin: '(*)!~' },
];

describe('profileTarget: the prepared request is the one the URL string gives', () => {
  for (const serviceUrl of ['/s/abc123/', '/s/abc123', '/']) {
    for (const query of queries) {
      it(`${serviceUrl} ${JSON.stringify(query)}`, async () => {
        const url = `${base}${serviceUrl}`;
        const viaString = await requestSeen(profileUrl(url, query));
        const viaTarget = await requestSeen(profileTarget(profileEndpoint(url), query));
        expect(viaTarget).toEqual(viaString);
      });
    }
  }

  it('prepares options only for a plain, already-normalised http URL; anything else stays a URL string', () => {
    const query = queries[0] as ProfileQuery;
    expect(typeof profileTarget(profileEndpoint(`${base}/s/x/`), query)).toBe('object');
    for (const url of [
      'https://127.0.0.1:1/s/x/',
      'http://user:pw@127.0.0.1:1/s/x/',
      'http://127.0.0.1:1/s/x/?a=b',
      'http://127.0.0.1:1/s/x/#f',
      'http://127.0.0.1:1/s/./x/',
      'HTTP://127.0.0.1:1/s/x/',
      'not a url',
    ]) {
      expect(profileTarget(profileEndpoint(url), query)).toBe(profileUrl(url, query));
    }
  });

  it('reads a URL of an origin already seen exactly as the URL parser reads it', () => {
    // The reference: every URL through the WHATWG parser, as the fast path must agree with.
    const parsed = (serviceUrl: string) => {
      const base = serviceUrl.endsWith('/') ? serviceUrl : `${serviceUrl}/`;
      const url = new URL(base);
      const plain = url.protocol === 'http:' && url.username === '' && url.search === '' && url.href === base;
      return plain ? { origin: url.origin, basePath: url.pathname } : null;
    };
    const urls = [
      'http://127.0.0.1:1/s/abc123/',
      'http://127.0.0.1:1/s/abc123',
      'http://127.0.0.1:1/s/a.b/',
      'http://127.0.0.1:1/s/x_y-z~/deeper/',
      'http://127.0.0.1:80/s/x/',
      'http://LOCALHOST:1/s/x/',
      'http://[::1]:2/s/x/',
      'http://[::1]:2/s/%41/',
    ];
    // Twice: the first reads each origin in full, the second takes the origin from what the first read.
    for (let round = 0; round < 2; round++) {
      for (const url of urls) expect(profileEndpoint(url).direct, url).toEqual(parsed(url));
    }
  });

  it('takes the port and an IPv6 host from the URL as a URL string would (the Host header comes from the origin)', () => {
    const query = queries[0] as ProfileQuery;
    expect(profileTarget(profileEndpoint('http://[::1]:8080/s/x/'), query)).toEqual({
      origin: 'http://[::1]:8080',
      path: '/s/x/v1/profiles/9945?platform=ios&mode=production',
    });
    expect(profileTarget(profileEndpoint('http://localhost/'), query)).toEqual({
      origin: 'http://localhost',
      path: '/v1/profiles/9945?platform=ios&mode=production',
    });
  });
});

describe('fetchProfile: the abort listener', () => {
  it('is removed when the fetch settles, so one signal serves many fetches without piling up listeners', async () => {
    const signal = new AbortController().signal;
    const target = profileTarget(profileEndpoint(`${base}/s/x/`), queries[0] as ProfileQuery);
    for (let i = 0; i < 20; i++) expect(await fetchProfile(target, signal)).toEqual({ kind: 'not-found' });
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });

  it('rejects with the signal reason, and a signal already aborted sends nothing', async () => {
    const controller = new AbortController();
    const reason = new Error('case timed out');
    controller.abort(reason);
    seen.length = 0;
    await expect(
      fetchProfile(`${base}/s/x/v1/profiles/1?platform=ios&mode=production`, controller.signal),
    ).rejects.toBe(reason);
    expect(seen).toHaveLength(0);
  });

  it('an unreachable service resolves as unreachable', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const outcome = await fetchProfile(
      profileTarget(profileEndpoint(`http://127.0.0.1:${port}/`), queries[0] as ProfileQuery),
    );
    expect(outcome).toMatchObject({ kind: 'unreachable', reason: expect.stringMatching(/ECONNREFUSED/) });
  });
});
