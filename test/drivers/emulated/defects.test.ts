/**
 * Every seeded defect is observable: for each, a scenario in which the defective client's observations
 * (results, delivery, state, password in logs) differ from the defect-free client's on the same platform.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProfileService } from '../../../protocols/openmobile/types.ts';
import type { Platform } from '../../../protocols/openmobile/types.ts';
import { DEFECTS } from '../../../drivers/emulated/defects.ts';
import { startProfileService } from '../../../drivers/emulated/profile-service.ts';
import { loadCatalog, openClient } from './support.ts';
import type { TestClient } from './support.ts';

let service: ProfileService;
beforeAll(async () => {
  service = await startProfileService(loadCatalog());
});
afterAll(async () => {
  await service.close();
});

const COMPLETE = 'pid=9945&username=jsmalley&password=doggylove2&domain=mycorp.com';

type Scenario = (c: TestClient) => Promise<unknown>;

/** Results of a sequence of requests and the final state. */
function sequence(...queries: string[]): Scenario {
  return async (c) => {
    const results = [];
    for (const q of queries) results.push((await c.send(q)).result);
    return { results, state: await c.state() };
  };
}

const SCENARIOS: Record<
  string,
  { scenario: Scenario; ios?: unknown; android?: unknown; clean?: unknown; defective?: unknown }
> = {
  'username-limit-off-by-one': { scenario: sequence(`pid=9945&username=${'u'.repeat(101)}`) },
  'password-limit-off-by-one': { scenario: sequence(`pid=9945&username=u&password=${'p'.repeat(65)}`) },
  'length-in-bytes': { scenario: sequence(`pid=9945&username=${'%C3%A9'.repeat(60)}`) },
  'partial-write-on-failure': {
    scenario: async (c) => {
      await c.send(COMPLETE);
      const result = (await c.send('pid=20002&domain=acme.example&username=bob&password=secret99')).result;
      return { result, username: (await c.state()).settings.username };
    },
    clean: { result: 23, username: 'jsmalley' },
    defective: { result: 23, username: 'bob' },
  },
  'empty-treated-as-omitted': {
    scenario: sequence('pid=20003&username=alice&domain=x.example', 'username=&domain='),
  },
  'missed-soft-domain-default': {
    scenario: async (c) => (await c.send('pid=9945')) && (await c.state()).settings.domain,
  },
  'missed-soft-password-removal': {
    scenario: async (c) => {
      await c.send('pid=20001&username=u&password=secret99&domain=acme.example');
      await c.send('pid=20002');
      return (await c.state()).settings.password;
    },
    clean: null,
    defective: 'secret99',
  },
  'missed-soft-prefix-removal': { scenario: sequence('pid=20001&prefix=ACME/', 'pid=20002') },
  'ios-autologin-initial-not-set': {
    scenario: async (c) => (await c.send('pid=9945')) && (await c.state()).settings.autologin,
    clean: true,
    defective: null,
  },
  'android-autologin-forbidden-honoured': {
    scenario: async (c) => (await c.send('pid=20002&autologin=Y')) && (await c.state()).settings.autologin,
    clean: false,
    defective: true,
  },
  'transient-as-cut': {
    scenario: async (c) => {
      c.fault({ kind: 'status', status: 503 });
      return (await c.send('pid=9945')).result;
    },
    clean: 31,
    defective: 30,
  },
  'offline-as-no-profile': {
    scenario: async (c) => {
      await c.network(false);
      return (await c.send('pid=9945')).result;
    },
    clean: 32,
    defective: 33,
  },
  'test-mode-ignored': {
    scenario: async (c) => (await c.send('pid=20005&pin=Zx9k&test=Y')) && (await c.state()).profile,
    clean: { id: 20005, mode: 'test' },
    defective: { id: 20005, mode: 'production' },
  },
  'in-progress-not-refused': {
    scenario: async (c) => {
      c.fault({ kind: 'latency', ms: 100 });
      const both = await Promise.all([c.send('pid=9945'), c.send('pid=13144')]);
      return both.map((o) => o.result);
    },
    clean: [0, 1],
    defective: [0, 0],
  },
  'password-in-logs': {
    scenario: async (c) => {
      await c.send(COMPLETE);
      return (await c.logs()).some((line) => line.includes('doggylove2'));
    },
    clean: false,
    defective: true,
  },
  'empty-resulturlscheme-callback': {
    scenario: async (c) => (await c.url('ipass://provision?pid=9945&resulturlscheme=')).callbackUrl,
    clean: null,
    defective: '://provision?result=0',
  },
  'silentmode-ignored': {
    scenario: async (c) => {
      const o = await c.url('clientx://provision.com?pid=9945&silentmode=Y');
      return { foreground: o.foreground, dialog: o.dialog, notification: o.notification !== null };
    },
    clean: { foreground: false, dialog: null, notification: true },
    defective: { foreground: true, dialog: 'success', notification: false },
  },
  'url-method-without-com-required-on-intent': {
    scenario: async (c) => (await c.url('clientx://provision?pid=9945', 'intent')).handled,
    clean: true,
    defective: false,
  },
  'double-decoding': {
    scenario: async (c) => (await c.send('pid=20003&username=a%2541')) && (await c.state()).settings.username,
    clean: 'a%41',
    defective: 'aA',
  },
  'inconsistent-precedence': {
    // Different requests with the same two problems: the clean client answers them all alike.
    scenario: sequence(...['a', 'b', 'c', 'd', 'e', 'f'].map((ch) => `pid=9945&test=X&username=${ch.repeat(101)}`)),
  },
  'boolean-trimmed': {
    scenario: sequence('pid=9945&autologin=%20Y'),
    clean: { results: [11], state: expect.anything() },
  },
  // Without a decodable password: read as N (iOS) or 11 (Android) when clean, undecodable (23 / 2) when not.
  'obfuscation-flag-ignores-case': { scenario: sequence('pid=9945&username=u&password=ABCD&obfuscation=y') },
  'settings-trimmed': {
    scenario: async (c) => (await c.send('pid=20003&username=%20alice%20')) && (await c.state()).settings.username,
    clean: ' alice ',
    defective: 'alice',
  },
  'pid-unicode-digits': { scenario: sequence('pid=%D9%A9%D9%A9%D9%A4%D9%A5') },
  // The same two problems, without and with a password beside them.
  'precedence-flips-with-password': {
    scenario: sequence(
      `pid=9945&test=X&username=${'u'.repeat(101)}`,
      `pid=9945&test=X&username=${'u'.repeat(101)}&password=p`,
    ),
  },
  'precedence-flips-with-test': {
    scenario: sequence('pid=9945&domain=other.example&prefix=X/', 'pid=9945&domain=other.example&prefix=X/&test=N'),
  },
  'precedence-flips-with-obfuscation': {
    scenario: sequence(
      'pid=9945&domain=other.example&prefix=X/',
      'pid=9945&domain=other.example&prefix=X/&obfuscation=Y',
    ),
  },
  'fragment-in-query': {
    scenario: async (c) => {
      const query = 'pid=20003&username=alice#x';
      await (c.platform === 'ios'
        ? c.url(`ipass://provision?${query}`)
        : c.url(`clientx://provision?${query}`, 'intent'));
      return (await c.state()).settings.username;
    },
    clean: 'alice',
    defective: 'alice#x',
  },
  'names-trimmed': {
    scenario: async (c) => (await c.send('pid=20003&username%20=alice')) && (await c.state()).settings.username,
    clean: null,
    defective: 'alice',
  },
  'names-ignore-case': {
    scenario: async (c) => (await c.send('pid=20003&USERNAME=alice')) && (await c.state()).settings.username,
    clean: null,
    defective: 'alice',
  },
  'password-value-ends-at-semicolon': {
    scenario: async (c) =>
      (await c.send('pid=9945&username=u&password=doggy;love2&domain=mycorp.com')) &&
      (await c.state()).settings.password,
    clean: 'doggy;love2',
    defective: 'doggy',
  },
  'empty-name-ends-query': {
    scenario: async (c) => (await c.send('=x&pid=20003&username=alice')) && (await c.state()).settings.username,
    clean: 'alice',
  },
};

describe('seeded defects', () => {
  it('there are at least 14, with unique ids, and each has a scenario here', () => {
    expect(DEFECTS.length).toBeGreaterThanOrEqual(14);
    expect(new Set(DEFECTS.map((d) => d.id)).size).toBe(DEFECTS.length);
    expect(Object.keys(SCENARIOS).sort()).toEqual(DEFECTS.map((d) => d.id).sort());
  });

  const cases = DEFECTS.flatMap((d) => d.platforms.map((platform) => ({ id: d.id, platform })));
  it.each(cases)('$id on $platform is detectable', async ({ id, platform }: { id: string; platform: Platform }) => {
    const entry = SCENARIOS[id];
    if (!entry) throw new Error(`no scenario for ${id}`);
    const clean = await entry.scenario(await openClient(service, platform));
    const defective = await entry.scenario(await openClient(service, platform, [id]));
    expect(defective).not.toEqual(clean);
    if ('clean' in entry) expect(clean).toEqual(entry.clean);
    if ('defective' in entry) expect(defective).toEqual(entry.defective);
  });

  it('a defect never makes the client throw on ordinary requests', async () => {
    for (const platform of ['ios', 'android'] as const) {
      const all = DEFECTS.filter((d) => d.platforms.includes(platform)).map((d) => d.id);
      const c = await openClient(service, platform, all);
      for (const q of [COMPLETE, 'pid=', 'test=Q', 'password=snookums12', 'pid=424242', 'pid=20002']) {
        // Android through the URL method: with every defect on, the intent method refuses `provision`.
        const o = platform === 'ios' ? await c.send(q) : await c.url(`clientx://provision.com?${q}`);
        expect(o.handled, q).toBe(true);
        expect(o.dialog, q).not.toBeNull();
      }
    }
  });
});
