import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SwivelHttpSession } from '../../../drivers/http/swivel.ts';
import { createSwivelDriver, validateSwivelDriverOptions } from '../../../drivers/http/swivel.ts';
import { HarnessError } from '../../../src/core/errors.ts';
import { runSwivelCase, SwivelSuite, type SwivelCase } from '../../../suites/swivel/index.ts';
import type { SwivelSession } from '../../../suites/swivel/types.ts';
import { caseRandom } from '../../../src/core/random.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const context = { rootDir: ROOT, obfuscationKey: null };

// The driver's session must satisfy the suite's session type (structurally: drivers never import suites).
const conforms: (s: SwivelHttpSession) => SwivelSession = (s) => s;
void conforms;

function configError(options: Record<string, unknown>): string {
  try {
    validateSwivelDriverOptions(options);
  } catch (error) {
    expect(error).toBeInstanceOf(HarnessError);
    return (error as HarnessError).message;
  }
  return '';
}

describe('swivel driver options', () => {
  it('names every bad field at once', () => {
    const message = configError({
      reference: true,
      instances: 0,
      defects: ['nope'],
      sessionSharing: 'yes',
      timeoutMs: -1,
      colour: 1,
    });
    expect(message).toMatch(/unknown option "colour"/);
    expect(message).toMatch(/instances must be a whole number from 1 to 8, got 0/);
    expect(message).toMatch(/defects\[0\] unknown defect "nope"/);
    expect(message).toMatch(/sessionSharing must be true or false, got "yes"/);
    expect(message).toMatch(/timeoutMs must be a positive whole number/);
  });
  it('needs url or urls for a real server, and rejects reference-only options there', () => {
    expect(configError({})).toMatch(/url is required/);
    expect(configError({ url: 'ftp://x' })).toMatch(/url must be an http\(s\) URL, got "ftp:\/\/x"/);
    expect(configError({ urls: ['http://a:1', 'nope'] })).toMatch(/urls\[1\] must be an http\(s\) URL/);
    const mixed = configError({ url: 'http://a:1', instances: 2, defects: ['code-reusable'] });
    expect(mixed).toMatch(/instances only applies with reference: true/);
    expect(mixed).toMatch(/defects only apply with reference: true/);
    expect(validateSwivelDriverOptions({ urls: ['http://a:1/', 'http://b:2'], sessionSharing: true })).toMatchObject({
      instances: 2,
      urls: ['http://a:1/', 'http://b:2'],
      sessionSharing: true,
    });
  });
});

describe('swivel driver', () => {
  it('stops with HARNESS_TARGET_UNREACHABLE when nothing listens', async () => {
    const server = http.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((r) => server.close(() => r()));
    await expect(createSwivelDriver({ url: `http://127.0.0.1:${port}` }, context)).rejects.toMatchObject({
      code: 'HARNESS_TARGET_UNREACHABLE',
    });
  });

  it('stops with HARNESS_TARGET_UNREACHABLE when the server has no test hooks', async () => {
    const server = http.createServer((_req, res) => res.writeHead(404).end('no'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      await expect(createSwivelDriver({ url }, context)).rejects.toThrow(/does not offer the test hooks/);
    } finally {
      server.close();
    }
  });

  it('reports the cluster shape in its capabilities and reaches a real server by url', async () => {
    const reference = await createSwivelDriver({ reference: true, instances: 2, sessionSharing: true }, context);
    try {
      expect((await reference.info()).capabilities).toEqual(['clock', 'cluster', 'session-sharing']);
      // The same servers, reached as a "real" cluster through their URLs.
      const real = await createSwivelDriver({ urls: [...reference.urls], sessionSharing: true }, context);
      const session = await real.openSession();
      await session.reset(AbortSignal.timeout(2000));
      const missing = await session.provision('nobody', '1', {
        signal: AbortSignal.timeout(2000),
        requestId: 'q1',
        instance: 1,
      });
      expect(missing).toMatchObject({ result: 'FAIL', error: 'AGENT_ERROR_NO_USER_FOUND', requestId: 'q1' });
      await expect(real.openSession()).rejects.toThrow(/one session at a time/);
      await real.stop();
      await real.stop();
    } finally {
      await reference.stop();
    }
  });
});

describe('a Swivel case through the engine contract', () => {
  it('fails with the wire exchange attached and the provision codes redacted', async () => {
    const suite = new SwivelSuite();
    await suite.load({
      rootDir: ROOT,
      vectorsRoot: path.join(ROOT, 'vectors'),
      obfuscationKey: null,
    });
    const driver = await createSwivelDriver({ reference: true, defects: ['code-reusable'] }, context);
    try {
      const info = await driver.info();
      const plan = suite.plan(info, { name: 'swivel-reference', precedence: null });
      const planned = plan.cases.find((c) => c.id === 'sw:code-once') as SwivelCase;
      const result = await runSwivelCase(planned, {
        session: await driver.openSession(),
        scope: null,
        signal: AbortSignal.timeout(5000),
        info,
        targetName: 'swivel-reference',
        replay: 'npx harness run --target swivel-reference --case sw:code-once',
        artifacts: 'on-failure',
        random: caseRandom(1, 'swivel-reference', 'sw:code-once'),
      });
      expect(result).toMatchObject({
        verdict: 'fail',
        category: 'wrong-result-code',
        specification: 'Swivel Mobile Provision Code',
        area: 'code-use',
      });
      expect(result.message).toMatch(/step 4: expected FAIL AGENT_ERROR_INVALID_PROVISION_CODE .*got PASS/);
      const bodies = result.steps
        .flatMap((s) => s.attachments ?? [])
        .map((a) => a.body)
        .join('\n');
      expect(bodies).toMatch(/POST http:\/\/127\.0\.0\.1:\d+\/AgentXML/);
      expect(bodies).toMatch(/<SASResponse>/);
      expect(bodies).toMatch(/«redacted»/);
      expect(bodies).not.toMatch(/"code":"\d+"/);
      expect(bodies).not.toMatch(/<ProvisionCode>\d+<\/ProvisionCode>/);
    } finally {
      await driver.stop();
    }
  });

  it('a passing case keeps no attachments unless asked', async () => {
    const suite = new SwivelSuite();
    await suite.load({
      rootDir: ROOT,
      vectorsRoot: path.join(ROOT, 'vectors'),
      obfuscationKey: null,
    });
    const driver = await createSwivelDriver({ reference: true }, context);
    try {
      const info = await driver.info();
      const planned = suite.list().find((c) => c.id === 'sw:code-once') as SwivelCase;
      const env = {
        session: await driver.openSession(),
        scope: null,
        signal: AbortSignal.timeout(5000),
        info,
        targetName: 't',
        replay: '',
        random: caseRandom(1, 't', planned.id),
      };
      const quiet = await runSwivelCase(planned, { ...env, artifacts: 'on-failure' });
      expect(quiet.verdict).toBe('pass');
      expect(quiet.steps.every((s) => s.attachments === undefined)).toBe(true);
      const loud = await runSwivelCase(planned, { ...env, artifacts: 'always' });
      expect(loud.steps.some((s) => (s.attachments ?? []).length > 0)).toBe(true);
    } finally {
      await driver.stop();
    }
  });
});
