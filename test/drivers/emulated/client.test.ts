import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProfileService } from '../../../protocols/openmobile/types.ts';
import type { Platform } from '../../../protocols/openmobile/types.ts';
import { obfuscate } from '../../../drivers/emulated/client/obfuscation.ts';
import { startProfileService } from '../../../drivers/emulated/profile-service.ts';
import { TEST_KEY, loadCatalog, openClient, settings } from './support.ts';
import type { TestClient } from './support.ts';

let service: ProfileService;
beforeAll(async () => {
  service = await startProfileService(loadCatalog());
});
afterAll(async () => {
  await service.close();
});

const open = (platform: Platform, defects: string[] = []): Promise<TestClient> =>
  openClient(service, platform, defects);
const PLATFORMS: Platform[] = ['ios', 'android'];
const COMPLETE = 'pid=9945&username=jsmalley&password=doggylove2&domain=mycorp.com';

/** The seed's examples as written for each platform (Android: the URL method, ".com" included). */
function seedUrl(platform: Platform, query: string): string {
  return platform === 'ios' ? `ipass://provision?${query}` : `clientx://provision.com?${query}`;
}

describe.each(PLATFORMS)("%s: the seed's provisioning examples", (platform) => {
  const initialAutologin = platform === 'ios'; // profile 9945 allows user control

  it('complete provisioning (activation + configuration)', async () => {
    const c = await open(platform);
    const seen = await c.url(seedUrl(platform, COMPLETE));
    expect(seen).toMatchObject({ handled: true, dialog: 'success', foreground: true, notification: null });
    expect(await c.send(COMPLETE).then((o) => o.result)).toBe(0);
    expect(await c.state()).toEqual({
      activated: true,
      profile: { id: 9945, mode: 'production' },
      settings: settings({
        username: 'jsmalley',
        password: 'doggylove2',
        domain: 'mycorp.com',
        autologin: initialAutologin,
      }),
    });
  });

  it('simple activation with a PIN', async () => {
    const c = await open(platform);
    expect((await c.url(seedUrl(platform, 'pid=12345&pin=abc1234'))).dialog).toBe('success');
    expect(await c.state()).toEqual({
      activated: true,
      profile: { id: 12345, mode: 'production' },
      settings: settings({ domain: 'mycorp.com', autologin: initialAutologin }),
    });
    expect(c.scope.requests()[0]?.query).toEqual({ platform, mode: 'production', pin: 'abc1234' });
  });

  it('reconfiguration replaces the password', async () => {
    const c = await open(platform);
    await c.send(COMPLETE);
    expect((await c.url(seedUrl(platform, 'password=snookums12'))).dialog).toBe('success');
    expect((await c.state()).settings.password).toBe('snookums12');
    expect(c.scope.requests()).toHaveLength(1); // no pid: no fetch
  });

  it('reactivation keeps the settings', async () => {
    const c = await open(platform);
    await c.send(COMPLETE);
    const before = (await c.state()).settings;
    expect((await c.url(seedUrl(platform, 'pid=13144'))).dialog).toBe('success');
    expect(await c.state()).toEqual({ activated: true, profile: { id: 13144, mode: 'production' }, settings: before });
  });

  it('reprovisioning for a new device user', async () => {
    const c = await open(platform);
    await c.send(COMPLETE);
    const query = 'pid=9945&username=SteveMoss&password=pinkkitty3&domain=mycorp.com';
    expect((await c.url(seedUrl(platform, query))).dialog).toBe('success');
    expect((await c.state()).settings).toMatchObject({
      username: 'SteveMoss',
      password: 'pinkkitty3',
      domain: 'mycorp.com',
    });
  });

  it("password obfuscation: the seed's sample is not whole AES blocks, so it does not decode", async () => {
    const c = await open(platform);
    const query = 'pid=9945&username=jsmalley&password=AEB1DB802DF810239ECA9013&domain=mycorp.com&obfuscation=Y';
    expect((await c.send(query)).result).toBe(platform === 'ios' ? 23 : 2);
    expect((await c.state()).activated).toBe(false);
  });

  it('password obfuscation with a real AES-256-ECB password decodes it before saving', async () => {
    const c = await open(platform);
    const hex = obfuscate('doggylove2', TEST_KEY);
    expect(hex).toMatch(/^[0-9A-F]{32}$/);
    const query = `pid=9945&username=jsmalley&password=${hex}&domain=mycorp.com&obfuscation=Y`;
    expect((await c.url(seedUrl(platform, query))).dialog).toBe('success');
    expect((await c.state()).settings.password).toBe('doggylove2');
    expect((await c.logs()).join('\n')).not.toContain(hex);
    expect((await c.logs()).join('\n')).not.toContain('doggylove2');
  });
});

describe('silent provisioning example', () => {
  it('android: not brought to the foreground, a notification reports the outcome', async () => {
    const c = await open('android');
    const seen = await c.url(`clientx://provision.com?${COMPLETE}&silentmode=Y`);
    expect(seen).toEqual({
      handled: true,
      result: null,
      callbackUrl: null,
      dialog: null,
      foreground: false,
      notification: expect.stringMatching(/succeeded/),
    });
    const intent = await c.url(`clientx://provision?${COMPLETE}&silentmode=Y`, 'intent');
    expect(intent).toMatchObject({ result: 0, foreground: false, dialog: null });
  });

  it('ios: iPass://provision.com is handled and silentmode is ignored', async () => {
    const c = await open('ios');
    const seen = await c.url(`iPass://provision.com?${COMPLETE}&silentmode=Y&resulturlscheme=probe`);
    expect(seen).toEqual({
      handled: true,
      result: 0,
      callbackUrl: 'probe://provision?result=0',
      dialog: 'success',
      foreground: true,
      notification: null,
    });
  });
});

describe("the seed's intent example (test=y)", () => {
  it('android accepts lower-case y and activates the test-mode profile', async () => {
    const c = await open('android');
    expect((await c.url('clientx://provision?pid=112665&pin=1111&test=y', 'intent')).result).toBe(0);
    expect((await c.state()).profile).toEqual({ id: 112665, mode: 'test' });
    expect(c.scope.requests()[0]?.query).toEqual({ platform: 'android', mode: 'test', pin: '1111' });
  });

  it('ios refuses lower-case y with 11', async () => {
    const c = await open('ios');
    expect((await c.send('pid=112665&pin=1111&test=y')).result).toBe(11);
    expect((await c.send('pid=112665&pin=1111&test=Y')).result).toBe(0);
  });
});

describe.each(PLATFORMS)('%s: result codes', (platform) => {
  const code = async (c: TestClient, query: string): Promise<number | null> => (await c.send(query)).result;

  it('0 and the delivery channel', async () => {
    const c = await open(platform);
    const seen = await c.send('pid=9945');
    expect(seen.result).toBe(0);
    if (platform === 'ios') expect(seen.callbackUrl).toBe('probe://provision?result=0');
    else expect(seen.callbackUrl).toBeNull();
  });

  it('10: blank profile ID', async () => {
    expect(await code(await open(platform), 'pid=')).toBe(10);
  });

  it('non-decimal pid and no pid on a fresh app (choices)', async () => {
    const c = await open(platform);
    expect(await code(c, 'pid=99x5')).toBe(platform === 'ios' ? 10 : 33);
    expect(await code(c, 'username=bob')).toBe(platform === 'ios' ? 10 : 33);
  });

  it('11: test or autologin not Y/N', async () => {
    const c = await open(platform);
    expect(await code(c, 'pid=9945&test=yes')).toBe(11);
    expect(await code(c, 'pid=9945&autologin=')).toBe(11);
    expect(await code(c, 'pid=9945&autologin=1')).toBe(11);
    expect(c.scope.requests()).toHaveLength(0);
  });

  it('silentmode / obfuscation with another value (choice: ios N, android 11)', async () => {
    const c = await open(platform);
    expect(await code(c, 'pid=9945&silentmode=maybe')).toBe(platform === 'ios' ? 0 : 11);
  });

  it('20: a domain the profile does not allow, including a saved one', async () => {
    const c = await open(platform);
    expect(await code(c, 'pid=20004&domain=other.example')).toBe(20);
    expect(await code(c, 'pid=20003&domain=own.example')).toBe(0);
    expect(await code(c, 'pid=20002')).toBe(20);
  });

  it('21: a prefix the profile does not allow', async () => {
    const c = await open(platform);
    expect(await code(c, 'pid=20004&prefix=XYZ/')).toBe(21);
    expect(await code(c, 'pid=9945&prefix=ACME/')).toBe(21);
    expect(await code(c, 'pid=20004&prefix=ACME/')).toBe(0);
  });

  it('22 (iOS only): autologin=Y with a forbidding profile or missing credentials', async () => {
    const c = await open(platform);
    if (platform === 'ios') {
      expect(await code(c, 'pid=20004&autologin=Y')).toBe(22);
      expect(await code(c, 'pid=9945&autologin=Y')).toBe(22);
      expect(await code(c, `${COMPLETE}&autologin=Y`)).toBe(0);
    } else {
      expect(await code(c, 'pid=20004&autologin=Y')).toBe(0);
      expect((await c.state()).settings.autologin).toBe(false);
      expect(await code(c, 'pid=20001&autologin=Y')).toBe(0);
      expect((await c.state()).settings.autologin).toBe(true);
    }
  });

  it('23: length limits count characters after decoding', async () => {
    const c = await open(platform);
    expect(await code(c, `pid=9945&username=${'u'.repeat(101)}`)).toBe(23);
    expect(await code(c, `pid=9945&username=${'u'.repeat(100)}`)).toBe(0);
    expect(await code(c, `username=u&password=${'p'.repeat(65)}`)).toBe(23);
    expect(await code(c, `username=u&password=${'p'.repeat(64)}`)).toBe(0);
    // 100 two-byte characters, percent-encoded: 600 characters on the wire, 100 after decoding.
    expect(await code(c, `username=${'%C3%A9'.repeat(100)}`)).toBe(0);
    expect(await code(c, `username=${'%C3%A9'.repeat(101)}`)).toBe(23);
  });

  it('astral characters: counted as the platform counts them (ios UTF-16, android code points)', async () => {
    const c = await open(platform);
    await c.send('pid=9945');
    const emoji = encodeURIComponent('😀');
    expect(await code(c, `username=${emoji.repeat(51)}`)).toBe(platform === 'ios' ? 23 : 0);
  });

  it('23: a password without username or domain, or with a profile that forbids saving it', async () => {
    const c = await open(platform);
    expect(await code(c, 'pid=20003&password=secret99')).toBe(23);
    expect(await code(c, 'pid=20003&username=bob&password=secret99')).toBe(23); // 20003: no domain option
    expect(await code(c, 'pid=20002&username=bob&password=secret99')).toBe(23);
    expect(await code(c, 'pid=20003&username=bob&domain=x.example&password=secret99')).toBe(0);
  });

  it('30: connection cut during the answer', async () => {
    const c = await open(platform);
    c.fault({ kind: 'cut' });
    expect(await code(c, 'pid=9945')).toBe(30);
  });

  it('31: the service reports a transient error', async () => {
    const c = await open(platform);
    c.fault({ kind: 'status', status: 503 });
    expect(await code(c, 'pid=9945')).toBe(31);
    c.fault({ kind: 'status', status: 500 });
    expect(await code(c, 'pid=9945')).toBe(31);
  });

  it('a non-5xx unexpected status is an internal error (2)', async () => {
    const c = await open(platform);
    c.fault({ kind: 'status', status: 418 });
    expect(await code(c, 'pid=9945')).toBe(2);
  });

  it('service drops the connection before answering (choice: ios 30, android 32)', async () => {
    const c = await open(platform);
    c.fault({ kind: 'offline' });
    expect(await code(c, 'pid=9945')).toBe(platform === 'ios' ? 30 : 32);
  });

  it('32: no Internet connection, without an HTTP attempt; reconfiguration still works offline', async () => {
    const c = await open(platform);
    await c.send(COMPLETE);
    await c.network(false);
    expect(await code(c, 'pid=9945')).toBe(32);
    expect(await code(c, 'password=newsecret1')).toBe(0);
    expect(c.scope.requests()).toHaveLength(1);
    await c.network(true);
    expect(await code(c, 'pid=13144')).toBe(0);
  });

  it('33: no profile selected (unknown ID, missing PIN, PIN on a profile without one, no favorite)', async () => {
    const c = await open(platform);
    expect(await code(c, 'pid=424242')).toBe(33);
    expect(await code(c, 'pid=12345')).toBe(33);
    expect(await code(c, 'pid=12345&pin=')).toBe(33);
    expect(await code(c, 'pid=13144&pin=1111')).toBe(33);
    expect(await code(c, platform === 'ios' ? 'pid=30201' : 'pid=30202')).toBe(33);
  });

  it("Profile Finder: the company's favorite for this platform is activated", async () => {
    const c = await open(platform);
    expect(await code(c, platform === 'ios' ? 'pid=30101' : 'pid=30102')).toBe(0);
    expect((await c.state()).profile?.id).toBe(platform === 'ios' ? 30002 : 30001);
  });

  it('1: a request while another is in progress (latency fault); the first completes normally', async () => {
    const c = await open(platform);
    c.fault({ kind: 'latency', ms: 150 });
    const first = c.send('pid=9945&username=first');
    const second = c.send('pid=13144&username=second');
    const [a, b] = await Promise.all([first, second]);
    expect(a.result).toBe(0);
    expect(b.result).toBe(1);
    expect(await c.state()).toMatchObject({ profile: { id: 9945 }, settings: { username: 'first' } });
    expect(c.scope.requests()).toHaveLength(1);
  });
});

describe.each(PLATFORMS)('%s: soft configuration', (platform) => {
  it('domain: an empty effective domain becomes the first option, also when domain= is sent', async () => {
    const c = await open(platform);
    await c.send('pid=20001');
    expect((await c.state()).settings.domain).toBe('acme.example');
    await c.send('domain=eu.acme.example');
    expect((await c.state()).settings.domain).toBe('eu.acme.example');
    await c.send('domain=');
    expect((await c.state()).settings.domain).toBe('acme.example');
  });

  it('a new profile forbidding saved passwords removes the saved password', async () => {
    const c = await open(platform);
    expect((await c.send('pid=20001&username=bob&password=secret99')).result).toBe(0);
    expect((await c.send('pid=20002')).result).toBe(0);
    expect((await c.state()).settings).toMatchObject({ username: 'bob', password: null, domain: 'acme.example' });
  });

  it('a new profile with no prefix option removes the saved prefix', async () => {
    const c = await open(platform);
    expect((await c.send('pid=20001&prefix=ACME/')).result).toBe(0);
    expect((await c.send('pid=20002')).result).toBe(0);
    expect((await c.state()).settings.prefix).toBeNull();
  });

  it('omitted keeps, zero-length erases', async () => {
    const c = await open(platform);
    await c.send('pid=20003&username=bob&domain=x.example&prefix=P/');
    await c.send('prefix=Q/');
    expect((await c.state()).settings).toMatchObject({ username: 'bob', domain: 'x.example', prefix: 'Q/' });
    await c.send('username=&prefix=');
    expect((await c.state()).settings).toMatchObject({ username: null, domain: 'x.example', prefix: null });
  });

  it('auto-login soft rules', async () => {
    const c = await open(platform);
    await c.send('pid=20001');
    expect((await c.state()).settings.autologin).toBe(platform === 'ios');
    await c.send('autologin=N');
    expect((await c.state()).settings.autologin).toBe(false);
    const fresh = await open(platform);
    await fresh.send('pid=20004');
    expect((await fresh.state()).settings.autologin).toBe(false);
    // Reactivation to a profile forbidding user control: iOS sets N; Android keeps the configured value.
    const re = await open(platform);
    await re.send('pid=20001&autologin=Y&username=u&password=secret99');
    expect((await re.state()).settings.autologin).toBe(true);
    await re.send('pid=20004');
    expect((await re.state()).settings.autologin).toBe(platform === 'ios' ? false : true);
  });
});

describe.each(PLATFORMS)('%s: all or nothing', (platform) => {
  it('failing requests leave profile and settings exactly as they were', async () => {
    const c = await open(platform);
    await c.send('pid=20001&username=bob&password=secret99&prefix=ACME/&domain=eu.acme.example');
    const before = await c.state();
    const failing = [
      'pid=20002&username=alice&password=other999', // 23 after the soft rules ran on the copy
      'pid=20004&domain=nowhere.example&username=alice', // 20
      'pid=20004&prefix=BAD/&username=alice', // 21
      `username=${'x'.repeat(101)}&domain=x.example`, // 23 length
      'pid=424242&username=alice', // 33
      'pid=&username=alice', // 10
      'test=maybe&username=alice', // 11
    ];
    for (const query of failing) {
      const seen = await c.send(query);
      expect(seen.result, query).not.toBe(0);
      expect(await c.state(), query).toEqual(before);
    }
    c.fault({ kind: 'cut' });
    expect((await c.send('pid=9945&username=alice')).result).toBe(30);
    expect(await c.state()).toEqual(before);
  });

  it('an unhandled URL changes nothing and reports nothing', async () => {
    const c = await open(platform);
    await c.send('pid=9945&username=bob');
    const before = await c.state();
    const logsBefore = (await c.logs()).length;
    const urls = [
      'https://provision?pid=13144',
      'ipasss://provision?pid=13144',
      'clientx://elsewhere?pid=13144',
      'not a url',
    ];
    for (const url of urls) {
      expect(await c.url(url)).toEqual({
        handled: false,
        result: null,
        callbackUrl: null,
        dialog: null,
        foreground: false,
        notification: null,
      });
    }
    expect(await c.state()).toEqual(before);
    expect((await c.logs()).length).toBe(logsBefore);
  });
});

describe('routing', () => {
  it('ios: ipass in any case, host provision or provision.com in any case, no intents', async () => {
    const c = await open('ios');
    for (const url of [
      'ipass://provision?pid=9945',
      'IPASS://provision?pid=9945',
      'iPass://Provision?pid=9945',
      'ipass://provision.com?pid=9945',
    ]) {
      expect((await c.url(url)).handled, url).toBe(true);
    }
    expect((await c.url('ipass://provisioning?pid=9945')).handled).toBe(false);
    expect((await c.url('ipass://provision?pid=9945', 'intent')).handled).toBe(false);
  });

  it('android URL method needs .com; intent takes provision (and provision.com); letter case matters', async () => {
    const c = await open('android');
    expect((await c.url('clientx://provision.com?pid=9945', 'url')).handled).toBe(true);
    expect((await c.url('clientx://provision?pid=9945', 'url')).handled).toBe(false);
    expect((await c.url('clientx://provision?pid=9945', 'intent')).handled).toBe(true);
    expect((await c.url('clientx://provision.com?pid=9945', 'intent')).handled).toBe(true);
    expect((await c.url('ClientX://provision.com?pid=9945', 'url')).handled).toBe(false);
    expect((await c.url('clientx://Provision?pid=9945', 'intent')).handled).toBe(false);
  });

  it('android URL method reports no code but a dialog; intent broadcasts the code', async () => {
    const c = await open('android');
    expect(await c.url('clientx://provision.com?pid=', 'url')).toMatchObject({
      result: null,
      dialog: 'failure',
      foreground: true,
    });
    expect(await c.url('clientx://provision?pid=', 'intent')).toMatchObject({ result: 10 });
  });

  it('ios: a callback only when resulturlscheme is non-empty', async () => {
    const c = await open('ios');
    expect(await c.url('ipass://provision?pid=9945')).toMatchObject({
      result: null,
      callbackUrl: null,
      dialog: 'success',
    });
    expect(await c.url('ipass://provision?pid=9945&resulturlscheme=')).toMatchObject({
      result: null,
      callbackUrl: null,
    });
    expect(await c.url('ipass://provision?pid=&resulturlscheme=myapp')).toMatchObject({
      result: 10,
      callbackUrl: 'myapp://provision?result=10',
      dialog: 'failure',
    });
  });
});

describe('parameters', () => {
  it('names are case-sensitive and unknown parameters are ignored', async () => {
    for (const platform of PLATFORMS) {
      const c = await open(platform);
      expect((await c.send('PID=9945')).result).toBe(platform === 'ios' ? 10 : 33);
      expect((await c.send('pid=9945&Username=bob&colour=blue')).result).toBe(0);
      expect((await c.state()).settings.username).toBeNull();
    }
  });

  it('values are percent-decoded once', async () => {
    for (const platform of PLATFORMS) {
      const c = await open(platform);
      await c.send('pid=20003&username=a%2541%26b%3Dc');
      expect((await c.state()).settings.username).toBe('a%41&b=c');
    }
  });

  it('+ : ios keeps it literal, android reads a space', async () => {
    const ios = await open('ios');
    await ios.send('pid=20003&username=a+b');
    expect((await ios.state()).settings.username).toBe('a+b');
    const android = await open('android');
    await android.send('pid=20003&username=a+b');
    expect((await android.state()).settings.username).toBe('a b');
  });

  it('repeated parameters: ios takes the last, android the first', async () => {
    const ios = await open('ios');
    await ios.send('pid=20003&username=one&username=two');
    expect((await ios.state()).settings.username).toBe('two');
    const android = await open('android');
    await android.send('pid=20003&username=one&username=two');
    expect((await android.state()).settings.username).toBe('one');
  });

  it('a bare name: ios ignores it, android reads it as empty', async () => {
    const ios = await open('ios');
    await ios.send('pid=20003&username=bob');
    await ios.send('username');
    expect((await ios.state()).settings.username).toBe('bob');
    const android = await open('android');
    await android.send('pid=20003&username=bob');
    await android.send('username');
    expect((await android.state()).settings.username).toBeNull();
  });

  it('malformed percent-encoding: ios does not handle the URL, android keeps it leniently', async () => {
    const ios = await open('ios');
    expect((await ios.send('pid=9945&username=50%zz')).handled).toBe(false);
    expect((await ios.send('pid=9945&username=%FF')).handled).toBe(false);
    const android = await open('android');
    expect((await android.send('pid=9945&username=50%zz')).result).toBe(0);
    expect((await android.state()).settings.username).toBe('50%zz');
    await android.send('username=%FF');
    expect((await android.state()).settings.username).toBe('\uFFFD');
  });

  it('an empty pin is no pin; test without pid is only checked for syntax', async () => {
    for (const platform of PLATFORMS) {
      const c = await open(platform);
      expect((await c.send('pid=13144&pin=')).result).toBe(0);
      expect(c.scope.requests()[0]?.query).toEqual({ platform, mode: 'production' });
      expect((await c.send('test=Y&username=bob')).result).toBe(0);
      expect((await c.send('test=X&username=bob')).result).toBe(11);
    }
  });
});

describe('precedence', () => {
  it('request syntax wins over the fetch, the fetch over configuration checks', async () => {
    for (const platform of PLATFORMS) {
      const c = await open(platform);
      await c.network(false);
      expect((await c.send(`pid=9945&username=${'u'.repeat(101)}`)).result).toBe(23);
      expect((await c.send('pid=9945&test=Q')).result).toBe(11);
      expect((await c.send('pid=20002&password=secret99')).result).toBe(32);
      await c.network(true);
      c.fault({ kind: 'status', status: 503 });
      expect((await c.send('pid=20004&domain=bad.example')).result).toBe(31);
    }
  });

  it('the platforms use different fixed orders', async () => {
    const ios = await open('ios');
    const android = await open('android');
    expect((await ios.send('pid=&test=Q')).result).toBe(10);
    expect((await android.send('pid=&test=Q')).result).toBe(11);
    // Configuration: iOS checks the password first, Android the domain.
    expect((await ios.send('pid=20002&domain=bad.example&username=u&password=secret99')).result).toBe(23);
    expect((await android.send('pid=20002&domain=bad.example&username=u&password=secret99')).result).toBe(20);
  });

  it('the same multi-violation request always gets the same code', async () => {
    for (const platform of PLATFORMS) {
      const c = await open(platform);
      const query = `pid=9945&test=Q&username=${'u'.repeat(101)}`;
      const codes = [];
      for (let i = 0; i < 4; i++) codes.push((await c.send(query)).result);
      expect(new Set(codes).size).toBe(1);
    }
  });
});

describe('logs', () => {
  it('record the request (password redacted), the fetch and the result, never the password', async () => {
    for (const platform of PLATFORMS) {
      const c = await open(platform);
      await c.send(COMPLETE);
      await c.send('password=snookums12');
      await c.send('pid=20002&domain=acme.example&password=pinkkitty3&username=x'); // fails, 23
      await c.send('password=%70ercent99'); // decoded: percent99
      const text = (await c.logs()).join('\n');
      for (const secret of ['doggylove2', 'snookums12', 'pinkkitty3', '%70ercent99', 'percent99'])
        expect(text).not.toContain(secret);
      expect(text).toContain('password=***');
      expect(text).toMatch(/profile 9945 \(production\) of mycorp fetched/);
      expect(text).toMatch(/result 23/);
    }
  });

  it('reset gives a fresh app with empty logs', async () => {
    const c = await open('android');
    await c.send(COMPLETE);
    await c.session.reset(c.scope.url, new AbortController().signal);
    expect(await c.logs()).toEqual([]);
    expect(await c.state()).toEqual({ activated: false, profile: null, settings: settings({}) });
  });
});
