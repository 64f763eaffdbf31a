/**
 * A SurePassID server that takes other permitted ways (docs/spec/verdict-audit.md, VA-SP-WRONG-CODE and
 * VA-SP-U-STATUS): it names an unknown user with another documented code than 9001, and answers every failure
 * with HTTP 400 instead of 200. The sources say only that an unknown user is an error and say nothing of the
 * status, so every case passes (the status recorded as informational). Built as a loopback proxy in front of
 * the reference server; a seeded defect behind it is still caught.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CaseResult } from '../../../src/core/results.ts';
import { createSurePassIdDriver } from '../../../drivers/http/surepassid.ts';
import { startSurePassIdReference } from '../../../drivers/emulated/surepassid/server.ts';
import { SurePassIdSuite } from '../../../suites/surepassid/index.ts';
import { caseRandom } from '../../../src/core/random.ts';

const ROOT = process.cwd();
const CONTEXT = { rootDir: ROOT, obfuscationKey: null };
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** Unknown users answered 9007 PartnerUserLoginDisabled; every non-zero errorCode with HTTP 400. */
async function startVariant(target: string): Promise<string> {
  const server = http.createServer((req, res) => {
    const upstream = http.request(`${target}${req.url ?? '/'}`, { method: req.method, headers: req.headers }, (up) => {
      const chunks: Buffer[] = [];
      up.on('data', (c: Buffer) => chunks.push(c));
      up.on('end', () => {
        let body = Buffer.concat(chunks);
        let status = up.statusCode ?? 502;
        const headers = { ...up.headers };
        if ((headers['content-type'] ?? '').includes('json')) {
          const answer = JSON.parse(body.toString('utf8')) as { errorCode?: unknown; errorMessage?: unknown };
          if (answer.errorCode === 9001) Object.assign(answer, { errorCode: 9007, errorMessage: 'user unknown' });
          if (typeof answer.errorCode === 'number' && answer.errorCode !== 0) status = 400;
          body = Buffer.from(JSON.stringify(answer));
          headers['content-length'] = String(body.length);
        }
        res.writeHead(status, headers);
        res.end(body);
      });
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
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

async function runAll(defects: string[]): Promise<CaseResult[]> {
  const suite = new SurePassIdSuite();
  await suite.load({
    rootDir: ROOT,
    vectorsRoot: path.join(ROOT, 'vectors'),
    obfuscationKey: null,
  });
  const reference = await startSurePassIdReference({ defects });
  closers.push(() => reference.close());
  const driver = await createSurePassIdDriver({ url: await startVariant(reference.url), timeoutMs: 5000 }, CONTEXT);
  closers.push(() => driver.stop());
  const info = await driver.info();
  const plan = suite.plan(info, { name: 'variant', precedence: null });
  const session = await driver.openSession();
  return Promise.all(
    plan.cases.map((planned) =>
      plan.run(planned, {
        session,
        scope: null,
        signal: new AbortController().signal,
        info,
        targetName: 'variant',
        replay: `npx harness run --case ${planned.id}`,
        artifacts: 'on-failure',
        random: caseRandom(1, 'variant', planned.id),
      }),
    ),
  );
}

describe('a SurePassID server taking other permitted ways', () => {
  it('passes every vector: another code for an unknown user, HTTP 400 on failures', { timeout: 60_000 }, async () => {
    const results = await runAll([]);
    expect(
      results.filter((r) => r.verdict === 'fail' || r.verdict === 'broken').map((r) => `${r.id}: ${r.message}`),
    ).toEqual([]);
    const unknownUser = results.filter((r) => r.requirements.includes('SP-USER-UNKNOWN'));
    expect(unknownUser.length).toBeGreaterThan(0);
    expect(results.filter((r) => r.verdict === 'informational').length).toBeGreaterThan(10);
  });

  it('still catches a defect behind it: bad account credentials answered 9001', { timeout: 60_000 }, async () => {
    const results = await runAll(['qrcode-bad-key-9001']);
    expect(results.some((r) => r.verdict === 'fail' && r.requirements.includes('SP-CRED-9000'))).toBe(true);
  });
});
