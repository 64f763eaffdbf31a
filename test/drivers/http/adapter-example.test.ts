import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientDriver, ProfileService } from '../../../protocols/openmobile/types.ts';
import { HarnessError } from '../../../src/core/errors.ts';
import type { Catalog } from '../../../protocols/openmobile/types.ts';
import { startProfileService } from '../../../drivers/emulated/profile-service.ts';
import {
  parseExampleArgs,
  startExampleAdapter,
  type RunningExampleAdapter,
} from '../../../drivers/http/adapter-example.ts';
import { createHttpDriver } from '../../../drivers/http/driver.ts';
import { CONTEXT, watchUnhandledRejections } from './fixtures.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const catalog = JSON.parse(
  readFileSync(new URL('../../../vectors/openmobile/profiles.json', import.meta.url), 'utf8'),
) as Catalog;
const never = new AbortController().signal;

const rejections = watchUnhandledRejections();
afterAll(() => {
  rejections.stop();
  expect(rejections.reasons).toEqual([]);
});

let profiles: ProfileService;
beforeAll(async () => {
  profiles = await startProfileService(catalog);
});
afterAll(async () => {
  await profiles.close();
});

/** The emulated client behind the example adapter, reached only through the http driver. */
async function throughHttp(
  options: Parameters<typeof startExampleAdapter>[0],
  body: (driver: ClientDriver, adapter: RunningExampleAdapter) => Promise<void>,
): Promise<void> {
  const adapter = await startExampleAdapter(options);
  const driver = await createHttpDriver({ url: adapter.url }, CONTEXT);
  try {
    await body(driver, adapter);
  } finally {
    await driver.stop();
    await adapter.close();
  }
}

describe('example adapter with the emulated client', () => {
  it('provisions an Android client over the intent method, end to end', async () => {
    await throughHttp({ platform: 'android' }, async (driver) => {
      const info = await driver.info();
      expect(info.platform).toBe('android');
      expect(info.methods).toEqual(['url', 'intent']);
      expect(info.capabilities).toEqual(['state', 'logs', 'network', 'concurrency']);

      const scope = profiles.scope();
      const session = await driver.openSession();
      await session.reset(scope.url, never);
      const observation = await session.provision(
        { url: 'clientx://provision?pid=9945&username=jsmalley&password=doggylove2', method: 'intent' },
        never,
      );
      expect(observation).toMatchObject({ handled: true, result: 0 });
      const state = await session.state(never);
      expect(state.activated).toBe(true);
      expect(state.profile).toEqual({ id: 9945, mode: 'production' });
      expect(state.settings).toMatchObject({ username: 'jsmalley', password: 'doggylove2', domain: 'mycorp.com' });
      const logs = await session.logs(never);
      expect(logs.length).toBeGreaterThan(0);
      expect(logs.join('\n')).not.toContain('doggylove2');
      expect(scope.requests().map((hit) => hit.path)).toEqual(['/v1/profiles/9945']);

      // Android URL method without `.com` never reaches the provisioning facility.
      const ignored = await session.provision({ url: 'clientx://provision?pid=9945', method: 'url' }, never);
      expect(ignored.handled).toBe(false);

      // Offline: result 32, and reset brings the network back.
      await session.network(false, never);
      expect((await session.provision({ url: 'clientx://provision?pid=9945', method: 'intent' }, never)).result).toBe(
        32,
      );
      await session.reset(scope.url, never);
      expect((await session.state(never)).activated).toBe(false);
      expect((await session.provision({ url: 'clientx://provision?pid=9945', method: 'intent' }, never)).result).toBe(
        0,
      );
      await session.close();
      scope.close();
    });
  });

  it('lets two provisions overlap in the client, so the second is refused with result 1', async () => {
    await throughHttp({ platform: 'android' }, async (driver) => {
      const scope = profiles.scope();
      scope.setFault({ kind: 'latency', ms: 300 });
      const session = await driver.openSession();
      await session.reset(scope.url, never);
      const results = await Promise.all([
        session.provision({ url: 'clientx://provision?pid=9945', method: 'intent' }, never),
        session.provision({ url: 'clientx://provision?pid=9945', method: 'intent' }, never),
      ]);
      expect(results.map((r) => r.result).sort()).toEqual([0, 1]);
      await session.close();
      scope.close();
    });
  });

  it('switches on seeded defects, visible through the adapter', async () => {
    const longUsername = 'u'.repeat(101);
    const request = { url: `clientx://provision?pid=9945&username=${longUsername}`, method: 'intent' as const };
    for (const [defects, expected] of [
      [[], 23],
      [['username-limit-off-by-one'], 0],
    ] as const) {
      await throughHttp({ platform: 'android', defects: [...defects] }, async (driver) => {
        const scope = profiles.scope();
        const session = await driver.openSession();
        await session.reset(scope.url, never);
        expect((await session.provision(request, never)).result).toBe(expected);
        await session.close();
        scope.close();
      });
    }
  });

  it('serves iOS with the url method only and a callback URL', async () => {
    await throughHttp({ platform: 'ios' }, async (driver) => {
      expect((await driver.info()).methods).toEqual(['url']);
      const scope = profiles.scope();
      const session = await driver.openSession();
      await session.reset(scope.url, never);
      const observation = await session.provision(
        { url: 'ipass://provision?pid=9945&resulturlscheme=acme', method: 'url' },
        never,
      );
      expect(observation).toMatchObject({ handled: true, result: 0, callbackUrl: 'acme://provision?result=0' });
      await session.close();
      scope.close();
    });
  });

  it('rejects an unknown defect before listening', async () => {
    await expect(startExampleAdapter({ platform: 'ios', defects: ['no-such-defect'] })).rejects.toMatchObject({
      code: 'HARNESS_CONFIG_INVALID',
    });
  });
});

describe('example adapter command line', () => {
  it('parses flags, takes the key from the flag over the environment, and says the fix', () => {
    const key = 'ab'.repeat(32);
    expect(parseExampleArgs(['--platform', 'android', '--defect', 'a', '--defect', 'b'], {})).toEqual({
      platform: 'android',
      defects: ['a', 'b'],
      host: '127.0.0.1',
      port: 9400,
      obfuscationKey: null,
    });
    expect(
      parseExampleArgs(['--platform', 'ios', '--port', '0'], { HARNESS_OBFUSCATION_KEY: key }).obfuscationKey,
    ).toBe(key);
    expect(
      parseExampleArgs(['--platform', 'ios', '--obfuscation-key', 'cd'.repeat(32)], { HARNESS_OBFUSCATION_KEY: key })
        .obfuscationKey,
    ).toBe('cd'.repeat(32));
    expect(() => parseExampleArgs([], {})).toThrow(/--platform must be one of ios, android, got nothing/);
    expect(() => parseExampleArgs(['--platform', 'ios', '--port', '9x'], {})).toThrow(/--port must be a whole number/);
    expect(() => parseExampleArgs(['--platform', 'ios', '--bogus'], {})).toThrow(HarnessError);
    const secret = 'not-a-key-secret';
    let message = '';
    try {
      parseExampleArgs(['--platform', 'ios', '--obfuscation-key', secret], {});
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/must be 64 hex characters, got 16 characters/);
    expect(message).not.toContain(secret);
  });

  it('runs as a process, prints where it listens, and answers the protocol', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'drivers/http/adapter-example.ts', '--platform', 'android', '--port', '0'],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        let err = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString('utf8');
          const match = /^adapter listening on (http:\/\/127\.0\.0\.1:\d+)\n/m.exec(out);
          if (match?.[1] !== undefined) resolve(match[1]);
        });
        child.stderr.on('data', (chunk: Buffer) => {
          err += chunk.toString('utf8');
        });
        child.on('exit', (code) => reject(new Error(`adapter exited with ${code}: ${err}`)));
      });
      const info = (await (await fetch(`${url}/v1/info`)).json()) as { platform: string };
      expect(info.platform).toBe('android');
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }, 20_000);

  it('exits 2 with the fix on a bad command line', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'drivers/http/adapter-example.ts', '--platform', 'windows'],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString('utf8');
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(2);
    expect(err).toContain('HARNESS_USAGE: --platform must be one of ios, android, got "windows"');
  }, 20_000);
});
