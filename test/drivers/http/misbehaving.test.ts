import { afterAll, describe, expect, it } from 'vitest';
import { createHttpDriver } from '../../../drivers/http/driver.ts';
import { AdapterProtocolError } from '../../../drivers/http/errors.ts';
import {
  DROPPED_BODY_PREFIX,
  MISBEHAVIOUR_KINDS,
  startMisbehavingAdapter,
  type MisbehaviourKind,
} from '../../../drivers/http/misbehaving.ts';
import { CONTEXT, watchUnhandledRejections } from './fixtures.ts';

const rejections = watchUnhandledRejections();
afterAll(() => {
  rejections.stop();
  expect(rejections.reasons).toEqual([]);
});

const never = new AbortController().signal;

const EXPECTED: Record<MisbehaviourKind, { status: number | null; excerpt: string | null; message: RegExp }> = {
  hang: { status: null, excerpt: null, message: /^POST \/v1\/provision did not answer within 300 ms$/ },
  garbage: {
    status: 200,
    excerpt: '<html>oops',
    message: /^POST \/v1\/provision answered 200 with a body that is not valid JSON: "<html>oops"$/,
  },
  drop: {
    status: 200,
    excerpt: DROPPED_BODY_PREFIX,
    message: /^POST \/v1\/provision answered 200 but the connection (closed|failed) before the body was complete/,
  },
  'wrong-status': {
    status: 500,
    excerpt: '{"error":"internal","message":"the adapter crashed"}',
    message: /^POST \/v1\/provision answered 500, expected 200: "\{\\"error\\":\\"internal\\"/,
  },
  schema: {
    status: 200,
    excerpt: '{"result":0,"callbackUrl":null,"dialog":"success","foreground":true,"notification":null}',
    message:
      /^POST \/v1\/provision answered 200 with a body that does not match the protocol \(\(root\) must have required property 'handled'\)/,
  },
};

describe.each(MISBEHAVIOUR_KINDS)('a %s adapter', (kind) => {
  it('starts, then yields an AdapterProtocolError on provision, and the driver stays usable', async () => {
    const adapter = await startMisbehavingAdapter(kind);
    const driver = await createHttpDriver({ url: adapter.url, timeoutMs: 300 }, CONTEXT);
    try {
      expect((await driver.info()).name).toBe('misbehaving-adapter');
      const session = await driver.openSession();
      await session.reset('http://127.0.0.1:1/', never);

      const error = await session
        .provision({ url: 'clientx://provision?pid=1', method: 'intent' }, never)
        .catch((e: unknown) => e);
      expect(adapter.provisionRequests()).toBe(1);
      expect(error).toBeInstanceOf(AdapterProtocolError);
      const protocolError = error as AdapterProtocolError;
      const expected = EXPECTED[kind];
      expect(protocolError.endpoint).toBe('POST /v1/provision');
      expect(protocolError.status).toBe(expected.status);
      expect(protocolError.bodyExcerpt).toBe(expected.excerpt);
      expect(protocolError.message).toMatch(expected.message);

      // The broken request poisoned nothing: the same driver still talks to the adapter.
      expect((await session.state(never)).activated).toBe(false);
      expect(await session.logs(never)).toEqual([]);
      await session.close();
    } finally {
      await driver.stop();
      await adapter.close();
    }
  });
});

describe('body excerpts', () => {
  it('quote at most the first 512 bytes', async () => {
    const { startRawServer } = await import('./fixtures.ts');
    const big = `<html>${'x'.repeat(2000)}`;
    const raw = await startRawServer({
      'GET /v1/info': {
        status: 200,
        body: JSON.stringify({ name: 'n', version: '1', platform: 'android', methods: [], capabilities: [] }),
      },
      'POST /v1/provision': { status: 502, body: big, contentType: 'text/html' },
    });
    const driver = await createHttpDriver({ url: raw.url }, CONTEXT);
    try {
      const session = await driver.openSession();
      const error = (await session
        .provision({ url: 'clientx://provision?pid=1', method: 'intent' }, never)
        .catch((e: unknown) => e)) as AdapterProtocolError;
      expect(error.status).toBe(502);
      expect(error.bodyExcerpt).toBe(big.slice(0, 512));
      expect(error.message).toContain('(first 512 of 2006 bytes)');
      expect(error.message).not.toContain(big.slice(0, 513));
    } finally {
      await driver.stop();
      await raw.close();
    }
  });
});
