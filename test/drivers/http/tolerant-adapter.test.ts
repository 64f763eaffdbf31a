/**
 * Issue 12: the adapter protocol says unknown fields are ignored, and that when `handled` is false "nothing
 * else is then observed: the other fields may be null or absent, and the harness does not judge them". A
 * small independent adapter (real HTTP on loopback, in front of an emulated client) answers that way:
 * unhandled requests with nulls or absent fields, and unknown extra fields in every answer, nested ones
 * included. The default plan through the http driver must pass on it exactly as on a strict adapter.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { createEmulatedDriver } from '../../../drivers/emulated/driver.ts';
import type { Platform } from '../../../protocols/openmobile/types.ts';
import { KEY, ROOT, runInProcess } from '../../e2e/helpers.ts';

interface TolerantAdapter {
  url: string;
  /** Unhandled answers sent, per shape. */
  unhandled: { nulls: number; absent: number };
  close(): Promise<void>;
}

async function startTolerantAdapter(platform: Platform): Promise<TolerantAdapter> {
  const driver = await createEmulatedDriver({ platform }, { rootDir: ROOT, obfuscationKey: KEY });
  const info = await driver.info();
  const session = await driver.openSession();
  const unhandled = { nulls: 0, absent: 0 };
  const signal = new AbortController().signal;
  const answer = async (method: string, path: string, body: Record<string, unknown>): Promise<unknown> => {
    switch (`${method} ${path}`) {
      case 'GET /v1/info':
        return {
          ...info,
          methods: [...info.methods, 'nfc'],
          capabilities: [...info.capabilities, 'screenshots'],
          vendor: { name: 'acme', build: 42 },
        };
      case 'POST /v1/reset':
        await session.reset(String(body['profileService']), signal);
        return null;
      case 'POST /v1/network':
        await session.network(body['online'] === true, signal);
        return null;
      case 'POST /v1/provision': {
        const seen = await session.provision({ url: String(body['url']), method: body['method'] as 'url' }, signal);
        if (seen.handled) return { ...seen, vendorTrace: 'handled', timings: { ms: 3 } };
        // Alternately every other field null, and every other field absent (plus an unknown one).
        if (unhandled.nulls <= unhandled.absent) {
          unhandled.nulls++;
          return {
            handled: false,
            result: null,
            callbackUrl: null,
            dialog: null,
            foreground: null,
            notification: null,
          };
        }
        unhandled.absent++;
        return { handled: false, reason: 'no intent filter matched' };
      }
      case 'GET /v1/state': {
        const state = await session.state(signal);
        return {
          ...state,
          profile: state.profile === null ? null : { ...state.profile, company: 'unknown to the protocol' },
          settings: { ...state.settings, theme: 'dark' },
          screen: 'settings',
        };
      }
      case 'GET /v1/logs':
        return { lines: await session.logs(signal), truncated: false };
      default:
        throw new Error(`no such endpoint: ${method} ${path}`);
    }
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const body = (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>;
      answer(req.method ?? '', new URL(req.url ?? '/', 'http://adapter').pathname, body).then(
        (value) => {
          if (value === null) res.writeHead(204).end();
          else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(value));
        },
        (error: unknown) => res.writeHead(500).end(JSON.stringify({ error: String(error) })),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    unhandled,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await session.close();
      await driver.stop();
    },
  };
}

const running: TolerantAdapter[] = [];
afterAll(async () => {
  await Promise.all(running.map((a) => a.close()));
});

describe('an adapter that answers tolerantly (nulls or absent fields when unhandled, unknown fields everywhere)', () => {
  it.each(['android', 'ios'] as Platform[])(
    'passes the default plan through the http driver on %s, with no broken case',
    async (platform) => {
      const adapter = await startTolerantAdapter(platform);
      running.push(adapter);
      const { outcome, results } = await runInProcess({}, { target: [adapter.url] });
      const bad = results.filter((r) => r.verdict === 'fail' || r.verdict === 'broken');
      expect(bad.map((r) => `${r.id}: ${r.message}`)).toEqual([]);
      expect(outcome.exitCode).toBe(0);
      expect(results.length).toBeGreaterThan(300);
      // The plan did reach the shapes this test is about.
      expect(adapter.unhandled.nulls).toBeGreaterThan(5);
      expect(adapter.unhandled.absent).toBeGreaterThan(5);
    },
    300_000,
  );
});
