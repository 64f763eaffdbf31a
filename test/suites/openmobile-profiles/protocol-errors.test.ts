/**
 * A profile server under test that answers outside the adapter protocol: a 5xx, or a body that is not JSON.
 * docs/spec/adapter-protocol.md, introduction: "Any status or body not described here is a protocol error:
 * the harness reports it as a broken (not failed) case, naming the endpoint, the status and the first 512
 * bytes of the body." Built as a loopback proxy in front of the reference profile service.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startProfileService } from '../../../drivers/emulated/profile-service.ts';
import { createProfileServiceDriver } from '../../../drivers/http/openmobile-profiles.ts';
import type { CaseResult } from '../../../src/core/results.ts';
import type { OpenMobileProfilesSuite } from '../../../suites/openmobile-profiles/index.ts';
import { caseEnv, loadedSuite, ROOT } from './support.ts';

let suite: OpenMobileProfilesSuite;
beforeAll(async () => {
  suite = await loadedSuite();
});
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

type Answer = { status: number; contentType: string; body: string };

/** Lookups get `answer`; everything else goes to the reference. */
async function startVariant(upstream: string, answer: Answer): Promise<string> {
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && (req.url ?? '').startsWith('/v1/profiles/')) {
      req.resume();
      res.writeHead(answer.status, { 'content-type': answer.contentType });
      res.end(answer.body);
      return;
    }
    const forward = http.request(`${upstream}${req.url ?? '/'}`, { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function runAll(answer: Answer): Promise<CaseResult[]> {
  const service = await startProfileService({ profiles: [] }, { admin: true });
  closers.push(() => service.close());
  const scope = service.scope();
  const url = await startVariant(scope.url.replace(/\/$/, ''), answer);
  const driver = await createProfileServiceDriver({ url, timeoutMs: 2000 }, { rootDir: ROOT, obfuscationKey: null });
  closers.push(() => driver.stop());
  const info = await driver.info();
  const plan = suite.plan(info, { name: 'variant', precedence: null });
  const session = await driver.openSession();
  const results: CaseResult[] = [];
  for (const c of plan.cases) results.push(await plan.run(c, caseEnv(session, info)));
  return results;
}

describe('a profile server answering outside the protocol', () => {
  const body = `upstream unavailable ${'x'.repeat(600)}`;
  for (const [what, answer] of [
    ['a 503', { status: 503, contentType: 'text/plain', body }],
    ['a 200 that is not JSON', { status: 200, contentType: 'text/html', body: `<html>${body}` }],
  ] as const) {
    it(`is reported broken, not failed, on ${what}: the endpoint, the status and the first 512 bytes`, async () => {
      const results = await runAll(answer);
      expect(results.filter((r) => r.verdict === 'fail').map((r) => `${r.id}: ${r.message}`)).toEqual([]);
      const broken = results.filter((r) => r.verdict === 'broken');
      expect(broken.length).toBeGreaterThan(20);
      for (const r of broken) {
        expect(r.category).toBe('broken-target');
        expect(r.message).toMatch(
          new RegExp(`GET http://127\\.0\\.0\\.1:\\d+/v1/profiles/\\S+ answered HTTP ${answer.status}`),
        );
        // Quoted and escaped (printable), cut after 512 characters with the count of the rest.
        expect(r.message).toContain(`"${answer.body.slice(0, 512)}"… (${answer.body.length - 512} more characters)`);
        expect(r.message).not.toContain(answer.body.slice(0, 513));
      }
    });
  }
});
