/** The browser delivery driver against real headless Chromium (Debian's; .ci/run installs it). */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBrowserDriver } from '../../../drivers/browser/driver.ts';
import { linkPage } from '../../../drivers/browser/pages.ts';
import { createEmulatedDriver } from '../../../drivers/emulated/driver.ts';
import { startProfileService } from '../../../drivers/emulated/profile-service.ts';
import type { DriverContext } from '../../../src/core/driver.ts';
import type { ClientDriver, ProfileService } from '../../../protocols/openmobile/types.ts';
import type { BrowserSettings } from '../../../src/config/types.ts';
import type { Catalog } from '../../../protocols/openmobile/types.ts';
import { readFileSync } from 'node:fs';

const CHROMIUM = '/usr/bin/chromium';
const catalog = JSON.parse(
  readFileSync(new URL('../../../vectors/openmobile/profiles.json', import.meta.url), 'utf8'),
) as Catalog;

function context(browser: Partial<BrowserSettings> = {}): DriverContext {
  const ctx: DriverContext = {
    rootDir: process.cwd(),
    obfuscationKey: null,
    sections: {
      browser: { executablePath: CHROMIUM, device: 'auto', page: 'mdm', capture: 'script', headless: true, ...browser },
    },
    createDriver: (name, options) => {
      if (name !== 'emulated') throw new Error(`unexpected inner driver ${name}`);
      return createEmulatedDriver(options, ctx);
    },
  };
  return ctx;
}

describe('the browser delivery driver', () => {
  it('needs Chromium at the configured path', () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`).toBe(true);
  });

  let service: ProfileService;
  const drivers: ClientDriver[] = [];
  beforeAll(async () => {
    service = await startProfileService(catalog);
  });
  afterAll(async () => {
    await Promise.all(drivers.map((d) => d.stop()));
    await service.close();
  });

  async function deliver(links: string[], settings: Partial<BrowserSettings> = {}): Promise<string[]> {
    const driver = await createBrowserDriver(
      { target: { driver: 'emulated', options: { platform: 'android' } } },
      context(settings),
    );
    drivers.push(driver);
    const session = await driver.openSession();
    const signal = new AbortController().signal;
    await session.reset(service.scope().url, signal);
    const out: string[] = [];
    for (const url of links) {
      const observation = await session.provision({ url, method: 'url' }, signal);
      expect(observation.delivered?.link).toBe(url);
      out.push(observation.delivered?.url ?? '(none)');
    }
    await session.close();
    return out;
  }

  const LINKS = [
    'clientx://provision.com?pid=9945&username=John Smith&domain=mycorp.com',
    'CLIENTX://PROVISION.com?pid=9945&username=Jos%C3%A9',
    'clientx://provision.com?pid=9945&username=jos\u00e9&password=p+w%41',
    'clientx://provision.com?pid=9945&username=jsmal\nley',
    'clientx://provision.com?pid=9945&amp;username=x#frag',
  ];
  const DELIVERED = [
    'clientx://provision.com?pid=9945&username=John%20Smith&domain=mycorp.com',
    'clientx://PROVISION.com?pid=9945&username=Jos%C3%A9',
    'clientx://provision.com?pid=9945&username=jos%C3%A9&password=p+w%41',
    'clientx://provision.com?pid=9945&username=jsmalley',
    'clientx://provision.com?pid=9945&amp;username=x#frag',
  ];

  it('delivers what Chromium makes of each link: spaces and non-ASCII encoded, scheme lower-cased, line breaks dropped', async () => {
    expect(await deliver(LINKS)).toEqual(DELIVERED);
  });

  it('captures the same URLs from a real navigation as from the recorded click, on the email page too', async () => {
    expect(await deliver(LINKS, { capture: 'navigation', page: 'email' })).toEqual(DELIVERED);
  });

  it("hands the delivered URL to the wrapped client and reports the client's observation", async () => {
    const driver = await createBrowserDriver(
      { target: { driver: 'emulated', options: { platform: 'android' } } },
      context(),
    );
    drivers.push(driver);
    expect((await driver.info()).methods).toEqual(['url']);
    const session = await driver.openSession();
    const signal = new AbortController().signal;
    await session.reset(service.scope().url, signal);
    const observation = await session.provision(
      { url: 'clientx://provision.com?pid=9945&username=John Smith', method: 'url' },
      signal,
    );
    expect(observation).toMatchObject({ handled: true, dialog: 'success' });
    expect((await session.state(signal)).settings.username).toBe('John Smith');
    await session.close();
  });

  it('rejects an unknown device and a missing browser with the fix', async () => {
    await expect(
      createBrowserDriver(
        { target: { driver: 'emulated', options: { platform: 'ios' } } },
        context({ device: 'Nokia 3310' }),
      ),
    ).rejects.toThrow(/browser.device: unknown device "Nokia 3310"/);
    await expect(
      createBrowserDriver(
        { target: { driver: 'emulated', options: { platform: 'ios' } } },
        context({ executablePath: '/nope/chromium' }),
      ),
    ).rejects.toThrow(/apt-get install chromium/);
  });

  it('escapes the link in the page, so the browser un-escapes exactly what was written', () => {
    const page = linkPage('mdm', 'clientx://provision.com?a=1&b="<x>"');
    expect(page).toContain('href="clientx://provision.com?a=1&amp;b=&quot;&lt;x&gt;&quot;"');
  });
});
