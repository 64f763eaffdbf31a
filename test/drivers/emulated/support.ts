/**
 * Shared fixtures for the emulated driver's tests: the real catalog, a live profile service, and a client
 * session on its own scope, addressed the way the harness addresses it.
 */
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import type { ClientSession } from '../../../protocols/openmobile/types.ts';
import type {
  Catalog,
  ClientState,
  Method,
  Platform,
  ProfileServiceFault,
  ProfileServiceScope,
  ProvisionObservation,
} from '../../../protocols/openmobile/types.ts';
import { createEmulatedDriver } from '../../../drivers/emulated/driver.ts';

/** The project's example key (harness config); tests only. */
export const TEST_KEY = '8CC677D6FA2AC487C2FC7AD7232F87D8FCAFD5E9FC0AFBFF23B09D8713BE3463';

export function loadCatalog(): Catalog {
  const text = readFileSync(new URL('../../../vectors/openmobile/profiles.json', import.meta.url), 'utf8');
  return JSON.parse(text) as Catalog;
}

export const signal = new AbortController().signal;

export interface TestClient {
  platform: Platform;
  session: ClientSession;
  scope: ProfileServiceScope;
  /**
   * Sends `query` on the platform's result-reporting route: iOS URL with a result scheme, Android intent.
   * Returns the observation; `result` is the code.
   */
  send(query: string): Promise<ProvisionObservation>;
  url(url: string, method?: Method): Promise<ProvisionObservation>;
  state(): Promise<ClientState>;
  logs(): Promise<string[]>;
  network(online: boolean): Promise<void>;
  fault(fault: ProfileServiceFault | null): void;
}

export function reportingUrl(platform: Platform, query: string): { url: string; method: Method } {
  if (platform === 'ios')
    return { url: `ipass://provision?resulturlscheme=probe${query ? `&${query}` : ''}`, method: 'url' };
  return { url: `clientx://provision${query ? `?${query}` : ''}`, method: 'intent' };
}

export async function openClient(
  service: { scope(): ProfileServiceScope },
  platform: Platform,
  defects: string[] = [],
): Promise<TestClient> {
  const driver = await createEmulatedDriver(
    { platform, defects },
    { rootDir: process.cwd(), obfuscationKey: TEST_KEY },
  );
  const session = await driver.openSession();
  const scope = service.scope();
  await session.reset(scope.url, signal);
  return {
    platform,
    session,
    scope,
    send(query) {
      return session.provision(reportingUrl(platform, query), signal);
    },
    url(url, method = 'url') {
      return session.provision({ url, method }, signal);
    },
    state: () => session.state(signal),
    logs: () => session.logs(signal),
    network: (online) => session.network(online, signal),
    fault: (fault) => scope.setFault(fault),
  };
}

export interface RawAnswer {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/** A GET over a fresh connection (no shared agent), so the service's own behaviour is what is observed. */
export function get(url: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

export function settings(partial: Partial<ClientState['settings']>): ClientState['settings'] {
  return { username: null, password: null, domain: null, prefix: null, autologin: null, ...partial };
}
