/**
 * Throughput of the emulated clients against a live profile service: 5,000 provisions (each with a real
 * HTTP profile fetch), spread over sessions as the runner would. Not a test: numbers depend on the machine.
 *
 *   node --import tsx drivers/emulated/bench.ts [requests] [sessions]
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Catalog } from '../../src/core/types.ts';
import { createEmulatedDriver } from './driver.ts';
import { startProfileService } from './profile-service.ts';

const REQUESTS = Number(process.argv[2] ?? 5000);
const SESSIONS = Number(process.argv[3] ?? 32);
const catalog = JSON.parse(
  readFileSync(new URL('../../vectors/openmobile/profiles.json', import.meta.url), 'utf8'),
) as Catalog;

const service = await startProfileService(catalog);
try {
  for (const platform of ['ios', 'android'] as const) {
    const driver = await createEmulatedDriver({ platform }, { rootDir: process.cwd(), obfuscationKey: null });
    const base = platform === 'ios' ? 'ipass://provision?resulturlscheme=bench&' : 'clientx://provision.com?';
    const queries = [
      'pid=9945&username=jsmalley&password=doggylove2&domain=mycorp.com',
      'pid=12345&pin=abc1234',
      'pid=20001&prefix=ACME/',
    ];
    let issued = 0;
    let failures = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: SESSIONS }, async () => {
        // One signal per session, as the runner gives each case its own.
        const signal = new AbortController().signal;
        const session = await driver.openSession();
        const scope = service.scope();
        await session.reset(scope.url, signal);
        // Each session cycles through the queries in order, a sequence in which every request succeeds.
        for (let i = 0; issued < REQUESTS; i++) {
          issued++;
          const query = queries[i % queries.length] ?? '';
          const observation = await session.provision({ url: base + query, method: 'url' }, signal);
          if (!observation.handled || observation.dialog !== 'success') failures++;
        }
        await session.close();
        scope.close();
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    await driver.stop();
    console.log(
      `${platform}: ${REQUESTS} provisions in ${seconds.toFixed(2)} s over ${SESSIONS} sessions: ` +
        `${Math.round(REQUESTS / seconds)} provisions/s${failures ? ` (${failures} did not succeed)` : ''}`,
    );
  }
} finally {
  await service.close();
}
