import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProfileService } from '../../../protocols/openmobile/types.ts';
import { HarnessError } from '../../../src/core/errors.ts';
import { createEmulatedDriver } from '../../../drivers/emulated/driver.ts';
import { obfuscate } from '../../../drivers/emulated/client/obfuscation.ts';
import { startProfileService } from '../../../drivers/emulated/profile-service.ts';
import { TEST_KEY, loadCatalog, signal } from './support.ts';

const context = { rootDir: process.cwd(), obfuscationKey: TEST_KEY };

let service: ProfileService;
beforeAll(async () => {
  service = await startProfileService(loadCatalog());
});
afterAll(async () => {
  await service.close();
});

async function configError(options: Record<string, unknown>, ctx = context): Promise<HarnessError> {
  try {
    await createEmulatedDriver(options, ctx);
  } catch (error) {
    if (error instanceof HarnessError) return error;
    throw error;
  }
  throw new Error('expected a HarnessError');
}

describe('emulated driver: options', () => {
  it('rejects an unknown platform, naming the option and the values', async () => {
    const error = await configError({ platform: 'windows' });
    expect(error.code).toBe('HARNESS_CONFIG_INVALID');
    expect(error.message).toMatch(/platform must be "ios" or "android", got "windows"/);
    expect((await configError({})).message).toMatch(/platform/);
  });

  it('rejects an unknown defect, listing the valid ones', async () => {
    const error = await configError({ platform: 'ios', defects: ['no-such-bug'] });
    expect(error.code).toBe('HARNESS_CONFIG_INVALID');
    expect(error.message).toMatch(/defects\[0\]/);
    expect(error.message).toMatch(/username-limit-off-by-one/);
    expect(error.message).not.toMatch(/silentmode-ignored/); // Android only
  });

  it('rejects a defect of the other platform', async () => {
    const error = await configError({ platform: 'ios', defects: ['silentmode-ignored'] });
    expect(error.message).toMatch(/does not exist on ios/);
  });

  it('rejects a malformed obfuscation key and bad name/version/defects types', async () => {
    expect((await configError({ platform: 'ios' }, { rootDir: '.', obfuscationKey: 'abc' })).message).toMatch(/64 hex/);
    expect((await configError({ platform: 'ios', defects: 'password-in-logs' })).message).toMatch(
      /defects must be an array/,
    );
    expect((await configError({ platform: 'ios', name: 3 })).message).toMatch(/name/);
    expect((await configError({ platform: 'ios', version: '' })).message).toMatch(/version/);
  });

  it('rejects an unknown choice point or option, naming choices.<id> and the valid ones', async () => {
    const unknown = await configError({ platform: 'ios', choices: { 'OM-CHOICE-IOS-SILENTMODE': 'honoured' } });
    expect(unknown.message).toMatch(/choices\.OM-CHOICE-IOS-SILENTMODE is not a choice point .* OM-CHOICE-PLUS/);
    const option = await configError({ platform: 'ios', choices: { 'OM-CHOICE-PLUS': 'minus' } });
    expect(option.message).toMatch(/choices\.OM-CHOICE-PLUS must be one of "literal", "space", got "minus"/);
    // Table 3 makes Android's parameters case-sensitive: the iOS name-case choice does not exist there.
    const android = await configError({ platform: 'android', choices: { 'OM-CHOICE-IOS-NAME-CASE': 'insensitive' } });
    expect(android.message).toMatch(/choices\.OM-CHOICE-IOS-NAME-CASE exists only on ios, not on android/);
  });

  it('choices change what the client does: iOS with a `+` read as a space', async () => {
    const results: Record<string, string | null> = {};
    for (const choices of [{}, { 'OM-CHOICE-PLUS': 'space' }]) {
      const driver = await createEmulatedDriver({ platform: 'ios', choices }, context);
      const session = await driver.openSession();
      await session.reset(service.scope().url, signal);
      const answer = await session.provision({ url: 'ipass://provision?pid=9945&username=a+b', method: 'url' }, signal);
      expect(answer.handled).toBe(true);
      results[JSON.stringify(choices)] = (await session.state(signal)).settings.username;
      await session.close();
      await driver.stop();
    }
    expect(results).toEqual({ '{}': 'a+b', '{"OM-CHOICE-PLUS":"space"}': 'a b' });
  });

  it('info() describes the target', async () => {
    const ios = await createEmulatedDriver({ platform: 'ios' }, context);
    expect(await ios.info()).toEqual({
      name: 'emulated-ios',
      version: expect.any(String),
      platform: 'ios',
      methods: ['url'],
      capabilities: ['state', 'logs', 'network', 'concurrency'],
    });
    const android = await createEmulatedDriver({ platform: 'android', name: 'droid', version: '9.9' }, context);
    expect(await android.info()).toMatchObject({ name: 'droid', version: '9.9', methods: ['url', 'intent'] });
    expect(android.maxSessions).toBe(64);
  });
});

describe('emulated driver: sessions', () => {
  it('sessions are independent devices; reset keeps the defects', async () => {
    const driver = await createEmulatedDriver({ platform: 'android', defects: ['double-decoding'] }, context);
    const a = await driver.openSession();
    const b = await driver.openSession();
    await a.reset(service.scope().url, signal);
    await b.reset(service.scope().url, signal);
    await a.provision({ url: 'clientx://provision?pid=20003&username=a%2541', method: 'intent' }, signal);
    expect((await a.state(signal)).settings.username).toBe('aA');
    expect((await b.state(signal)).activated).toBe(false);
    await a.reset(service.scope().url, signal);
    expect((await a.state(signal)).activated).toBe(false);
    await a.provision({ url: 'clientx://provision?pid=20003&username=a%2541', method: 'intent' }, signal);
    expect((await a.state(signal)).settings.username).toBe('aA');
    await driver.stop();
    await expect(a.state(signal)).rejects.toThrow(/after close/);
    await expect(driver.openSession()).rejects.toThrow(/after stop/);
  });

  it('a session must be reset before use', async () => {
    const driver = await createEmulatedDriver({ platform: 'ios' }, context);
    const s = await driver.openSession();
    await expect(s.state(signal)).rejects.toThrow(/reset\(\) must come before/);
  });

  it('an abort during the profile fetch rejects and leaves the configuration untouched', async () => {
    const driver = await createEmulatedDriver({ platform: 'ios' }, context);
    const s = await driver.openSession();
    const scope = service.scope();
    await s.reset(scope.url, signal);
    scope.setFault({ kind: 'latency', ms: 2000 });
    const controller = new AbortController();
    const pending = s.provision(
      { url: 'ipass://provision?pid=9945&resulturlscheme=p', method: 'url' },
      controller.signal,
    );
    setTimeout(() => controller.abort(new Error('case timed out')), 30);
    await expect(pending).rejects.toThrow(/case timed out/);
    expect((await s.state(signal)).activated).toBe(false);
    scope.setFault(null);
    // The client is not left busy.
    const next = await s.provision({ url: 'ipass://provision?pid=9945&resulturlscheme=p', method: 'url' }, signal);
    expect(next.result).toBe(0);
  });

  it('without a key, an obfuscated password does not decode', async () => {
    const driver = await createEmulatedDriver({ platform: 'android' }, { rootDir: '.', obfuscationKey: null });
    const s = await driver.openSession();
    await s.reset(service.scope().url, signal);
    const hex = obfuscate('doggylove2', TEST_KEY);
    const o = await s.provision(
      { url: `clientx://provision?pid=9945&username=u&password=${hex}&obfuscation=Y`, method: 'intent' },
      signal,
    );
    expect(o.result).toBe(2);
  });
});
