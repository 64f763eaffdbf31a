import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdapterServer } from '../../../drivers/http/adapter-server.ts';
import { INFO, RecordingSession } from './fixtures.ts';

/** Raw HTTP against the generic server: what a harness (or curl) sees on the wire. */
describe('generic adapter server', () => {
  const session = new RecordingSession();
  let adapter: { url: string; close(): Promise<void> };

  beforeAll(async () => {
    adapter = await startAdapterServer({ session, info: INFO });
  });
  afterAll(async () => {
    await adapter.close();
  });

  const post = (path: string, body: string): Promise<Response> =>
    fetch(`${adapter.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  it('listens on loopback and answers GET /v1/info with JSON', async () => {
    expect(adapter.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${adapter.url}/v1/info`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual(INFO);
  });

  it('answers reset and network with 204 and no body', async () => {
    const reset = await post('/v1/reset', '{"profileService":"http://127.0.0.1:53111/","future":1}');
    expect(reset.status).toBe(204);
    expect(await reset.text()).toBe('');
    expect(session.profileService).toBe('http://127.0.0.1:53111/');
    const network = await post('/v1/network', '{"online":false}');
    expect(network.status).toBe(204);
    expect(await network.text()).toBe('');
    expect(session.online).toBe(false);
  });

  it('answers provision, state and logs with 200 JSON', async () => {
    const provision = await post('/v1/provision', '{"url":"ipass://provision?pid=1","method":"url"}');
    expect(provision.status).toBe(200);
    expect(await provision.json()).toMatchObject({ handled: true, result: 0 });
    session.lines = ['one'];
    expect(await (await fetch(`${adapter.url}/v1/logs`)).json()).toEqual({ lines: ['one'] });
    expect(await (await fetch(`${adapter.url}/v1/state`)).json()).toEqual(session.state_);
  });

  it.each([
    ['/v1/provision', 'not json', /the body is not valid JSON/],
    ['/v1/provision', '{"url":"ipass://provision?pid=1","method":"carrier"}', /\/method must be equal to one of/],
    ['/v1/provision', '{"method":"url"}', /must have required property 'url'/],
    ['/v1/reset', '{"profileService":"ftp://x/"}', /\/profileService must match pattern/],
    ['/v1/network', '{"online":"no"}', /\/online must be boolean/],
    ['/v1/network', '[]', /must be object/],
  ])('answers 400 with a JSON error for POST %s %s', async (path, body, message) => {
    const before = session.calls.length;
    const res = await post(path, body);
    expect(res.status).toBe(400);
    const json = (await res.json()) as { error: string; message: string };
    expect(json.error).toBe('bad-request');
    expect(json.message).toMatch(message);
    expect(session.calls.length).toBe(before);
  });

  it('answers 404 for an unknown path and 405 for a wrong method', async () => {
    const unknown = await fetch(`${adapter.url}/v2/info`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: 'not-found' });
    const wrong = await fetch(`${adapter.url}/v1/provision`);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
  });

  it('answers 500 with the session error when the client fails', async () => {
    session.onProvision = async () => {
      throw new Error('bridge lost the device');
    };
    const res = await post('/v1/provision', '{"url":"ipass://provision?pid=1","method":"url"}');
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({
      error: 'internal',
      message: expect.stringContaining('bridge lost the device'),
    });
  });

  it('closes even with a request in flight', async () => {
    const session2 = new RecordingSession();
    session2.onProvision = (_r, signal) =>
      new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('x'))));
    const second = await startAdapterServer({ session: session2, info: INFO, port: 0 });
    const pending = fetch(`${second.url}/v1/provision`, {
      method: 'POST',
      body: '{"url":"ipass://provision?pid=1","method":"url"}',
    }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    await second.close();
    await second.close();
    expect(await pending).toBeInstanceOf(Error);
  });
});
