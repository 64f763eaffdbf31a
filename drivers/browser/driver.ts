/**
 * The browser delivery driver (`--target browser+<target>`): provisioning links reach a client through a
 * real browser, the way a user gets them: on an MDM-style page or in an email, tapped in (headless)
 * Chromium with mobile emulation. Between the link's author and the client stands the browser's URL parser
 * and serialiser (case of the scheme, spaces, non-ASCII, `&amp;`); this driver captures the URL the
 * browser actually navigates to and hands that to the wrapped target, reporting both.
 *
 * Only the URL method has links: the wrapped target's intent method is not offered through a browser.
 */
import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, devices, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { DriverContext } from '../../src/core/driver.ts';
import type { ClientDriver, ClientSession } from '../../protocols/openmobile/types.ts';
import type { BrowserSettings } from '../../src/config/types.ts';
import { HarnessError } from '../../src/core/errors.ts';
import type {
  ClientState,
  ProvisionObservation,
  ProvisionRequest,
  TargetInfo,
} from '../../protocols/openmobile/types.ts';
import { LINK_ID, linkPage } from './pages.ts';

/** How long a click may take to turn into a navigation before the case is reported broken. */
const NAVIGATION_TIMEOUT_MS = 5_000;

/**
 * Chromium's own background traffic is refused on machines without Internet; these flags keep it quiet.
 * `--no-sandbox`: CI and containers run as root, where Chromium's sandbox cannot start.
 */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
];

/**
 * Installed in every page of a script-capture context: records the URL of a followed link and cancels the
 * navigation. Runs in the browser (hence a string).
 */
const CAPTURE_SCRIPT = `document.addEventListener('click', (event) => {
  const link = event.target instanceof Element ? event.target.closest('a[href]') : null;
  if (link) { window.harnessDelivered = link.href; event.preventDefault(); }
}, true);`;

interface InnerTarget {
  driver: string;
  options: Record<string, unknown>;
}

function innerTarget(options: Record<string, unknown>): InnerTarget {
  const target = options['target'] as Partial<InnerTarget> | undefined;
  if (!target || typeof target.driver !== 'string' || target.driver === 'browser') {
    throw new HarnessError(
      'HARNESS_CONFIG_INVALID',
      'the browser driver wraps another target: use --target browser+<target>, e.g. browser+emulated-android',
    );
  }
  return { driver: target.driver, options: target.options ?? {} };
}

function deviceFor(settings: BrowserSettings, info: TargetInfo): { name: string; options: Record<string, unknown> } {
  const name = settings.device === 'auto' ? (info.platform === 'ios' ? 'iPhone 15' : 'Pixel 7') : settings.device;
  const descriptor = devices[name];
  if (descriptor === undefined) {
    const some = Object.keys(devices).filter((d) => /^(Pixel \d|iPhone 1\d)$/.test(d));
    throw new HarnessError(
      'HARNESS_CONFIG_INVALID',
      `browser.device: unknown device "${name}": use "auto" or a Playwright device name such as ${some.slice(0, 6).join(', ')}`,
    );
  }
  // The descriptor names the engine Playwright would pick (WebKit for iPhones); the page runs in Chromium.
  const { defaultBrowserType: _engine, ...options } = descriptor;
  return { name, options };
}

/** Serves one page per link: GET /link/<n>. */
class LinkPages {
  private readonly links = new Map<string, string>();
  private next = 0;
  private server: http.Server | null = null;
  base = '';

  constructor(private readonly style: BrowserSettings['page']) {}

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const link = this.links.get(req.url ?? '');
      if (link === undefined) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('no such link');
        return;
      }
      const body = linkPage(this.style, link);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  add(link: string): string {
    const path = `/link/${this.next++}`;
    this.links.set(path, link);
    return path;
  }

  remove(path: string): void {
    this.links.delete(path);
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

class BrowserSession implements ClientSession {
  /** Whether the session's page shows a link page already (later pages are loaded in place). */
  private loaded = false;

  constructor(
    private readonly inner: ClientSession,
    private readonly context: BrowserContext,
    private readonly page: Page,
    private readonly pages: LinkPages,
    private readonly settings: BrowserSettings,
    private readonly touch: boolean,
  ) {}

  reset(profileServiceUrl: string, signal: AbortSignal): Promise<void> {
    return this.inner.reset(profileServiceUrl, signal);
  }

  /** The link, tapped on its page; the URL the browser delivered goes to the wrapped target. */
  async provision(request: ProvisionRequest, signal: AbortSignal): Promise<ProvisionObservation> {
    // Setup steps only build the starting state: the link under test is what goes through the browser.
    if (request.method !== 'url' || request.setup === true) return this.inner.provision(request, signal);
    const delivered = await this.deliver(request.url);
    const observation = await this.inner.provision({ url: delivered, method: 'url' }, signal);
    return { ...observation, delivered: { link: request.url, url: delivered } };
  }

  /** Opens the link's page, taps the link as a user would, and returns the URL the browser delivered. */
  async deliver(link: string): Promise<string> {
    const path = this.pages.add(link);
    try {
      return this.settings.capture === 'script'
        ? await this.deliverByScript(path)
        : await this.deliverByNavigation(path);
    } finally {
      this.pages.remove(path);
    }
  }

  /**
   * The default: one page per session; the click is recorded in the page (CAPTURE_SCRIPT, installed once per
   * context) and its navigation cancelled, so the next link can be tapped in the same tab. The recorded URL
   * is the link's href as the browser parsed it, which is what following the link navigates to.
   *
   * The session's first link page is opened by navigation; each later one is fetched from the same server
   * and parsed into the page in place, as a single-page portal loads its content: the browser's own HTML
   * parser (`&amp;`), URL parser and a real tap, at five times the speed of a navigation per link.
   */
  private async deliverByScript(path: string): Promise<string> {
    const url = `${this.pages.base}${path}`;
    if (!this.loaded) {
      await this.page.goto(url, { waitUntil: 'domcontentloaded' });
      this.loaded = true;
    } else {
      await this.page.evaluate(
        `(async () => {
           const response = await fetch(${JSON.stringify(url)});
           if (!response.ok) throw new Error('the link page answered ' + response.status);
           window.harnessDelivered = undefined;
           document.documentElement.innerHTML = await response.text();
         })()`,
      );
    }
    await this.tap(this.page);
    const delivered: unknown = await this.page.evaluate('window.harnessDelivered');
    if (typeof delivered !== 'string') throw new Error('the browser did not follow the tapped link');
    return delivered;
  }

  /**
   * A real navigation, captured where Chromium asks for it: after a custom-scheme navigation a tab stops
   * taking clicks, so each link gets a fresh page (about three times slower than script capture).
   */
  private async deliverByNavigation(path: string): Promise<string> {
    const page = await this.context.newPage();
    const cdp = await this.context.newCDPSession(page);
    let timer: NodeJS.Timeout | undefined;
    try {
      await cdp.send('Page.enable');
      const navigated = new Promise<string>((resolve, reject) => {
        timer = setTimeout(
          () => reject(new Error(`the browser did not navigate within ${NAVIGATION_TIMEOUT_MS} ms of the tap`)),
          NAVIGATION_TIMEOUT_MS,
        );
        cdp.on('Page.frameRequestedNavigation', (event: { url: string }) => {
          if (!event.url.startsWith(this.pages.base)) resolve(event.url);
        });
      });
      // Handled at once, so a failure elsewhere below cannot leave it rejected with nobody listening.
      navigated.catch(() => undefined);
      await page.goto(`${this.pages.base}${path}`, { waitUntil: 'domcontentloaded' });
      await this.tap(page);
      return await navigated;
    } finally {
      clearTimeout(timer);
      await cdp.detach().catch(() => undefined);
      await page.close().catch(() => undefined);
    }
  }

  /** A tap on a touch device, a click otherwise: real input events at the link's position. */
  private async tap(page: Page): Promise<void> {
    const selector = `#${LINK_ID}`;
    // `force` skips Playwright's actionability waits (the link is static on our page); the input is real.
    if (this.touch) await page.tap(selector, { force: true, noWaitAfter: true });
    else await page.click(selector, { force: true, noWaitAfter: true });
  }

  state(signal: AbortSignal): Promise<ClientState> {
    return this.inner.state(signal);
  }

  logs(signal: AbortSignal): Promise<string[]> {
    return this.inner.logs(signal);
  }

  network(online: boolean, signal: AbortSignal): Promise<void> {
    return this.inner.network(online, signal);
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.inner.close(), this.context.close()]);
  }
}

export async function createBrowserDriver(
  options: Record<string, unknown>,
  context: DriverContext,
): Promise<ClientDriver> {
  const target = innerTarget(options);
  // The config's `browser` section (src/config/types.ts), which the runner hands on unread.
  const settings = context.sections?.['browser'] as BrowserSettings | undefined;
  if (!settings || !context.createDriver) {
    throw new HarnessError(
      'HARNESS_CONFIG_INVALID',
      "the browser driver needs the run's browser settings: start it through `npx harness run --target browser+<target>`",
    );
  }
  if (!existsSync(settings.executablePath)) {
    throw new HarnessError(
      'HARNESS_CONFIG_INVALID',
      `browser.executablePath: ${settings.executablePath} does not exist: install Debian's Chromium (apt-get install chromium) or set browser.executablePath in the config file`,
    );
  }
  // The wrapped target is an Open Mobile client's (the resolver makes `browser+<target>` of one only).
  const inner = (await context.createDriver(target.driver, target.options)) as ClientDriver;
  let browser: Browser | null = null;
  const pages = new LinkPages(settings.page);
  try {
    const innerInfo = await inner.info();
    const device = deviceFor(settings, innerInfo);
    await pages.start();
    browser = await chromium.launch({
      executablePath: settings.executablePath,
      headless: settings.headless,
      args: CHROMIUM_ARGS,
      // Ctrl-C and SIGTERM stop the run, which lets the cases in flight finish and then closes the driver:
      // Playwright's own handlers would close the browser at once, under those cases (reported broken by
      // our own shutdown). Chromium runs in a process group of its own (Playwright launches it detached),
      // so a terminal's SIGINT to our group never reaches it either.
      handleSIGINT: false,
      handleSIGTERM: false,
    });
    const launched = browser;
    const info: TargetInfo = {
      ...innerInfo,
      name: `browser+${innerInfo.name}`,
      version: `${innerInfo.version} via Chromium ${launched.version()} (${device.name})`,
      methods: innerInfo.methods.filter((m) => m === 'url'),
    };
    const touch = device.options['hasTouch'] === true;
    return {
      // A browser context and page per session; beyond four, sessions only contend for the two cores (measured).
      maxSessions: Math.min(inner.maxSessions, 4),
      info: async () => info,
      openSession: async () => {
        const innerSession = await inner.openSession();
        const browserContext = await launched.newContext(device.options);
        if (settings.capture === 'script') await browserContext.addInitScript(CAPTURE_SCRIPT);
        const page = await browserContext.newPage();
        return new BrowserSession(innerSession, browserContext, page, pages, settings, touch);
      },
      stop: async () => {
        await Promise.allSettled([launched.close(), pages.stop(), inner.stop()]);
      },
    };
  } catch (error) {
    await Promise.allSettled([browser?.close(), pages.stop(), inner.stop()]);
    throw error;
  }
}
