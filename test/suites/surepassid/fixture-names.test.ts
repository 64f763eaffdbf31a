/**
 * A case's fixture names come from its seeded generator (the same seed, the same names in the report), and
 * a name the server already holds (a server that keeps its accounts between runs, or the same case run
 * twice in one run) is drawn again instead of breaking the case; a server holding every name drawn makes the
 * case broken with a message saying what to reset.
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSurePassIdDriver, type SurePassIdDriver } from '../../../drivers/http/surepassid.ts';
import { caseRandom, randomHex } from '../../../src/core/random.ts';
import { SurePassIdSuite, type SurePassIdCase } from '../../../suites/surepassid/index.ts';

const ROOT = process.cwd();
const CASE = 'sp:add-device';

describe('SurePassID fixture names', () => {
  let driver: SurePassIdDriver;
  beforeEach(async () => {
    driver = await createSurePassIdDriver(
      { reference: true, timeoutMs: 3000 },
      { rootDir: ROOT, obfuscationKey: null },
    );
  });
  afterEach(() => driver.stop());

  async function runCase(seed: number) {
    const suite = new SurePassIdSuite();
    await suite.load({ rootDir: ROOT, vectorsRoot: path.join(ROOT, 'vectors'), obfuscationKey: null });
    const info = await driver.info();
    const plan = suite.plan(info, { name: 'reference', precedence: null });
    const planned = plan.cases.find((c) => c.id === CASE) as SurePassIdCase;
    return plan.run(planned, {
      session: await driver.openSession(),
      scope: null,
      signal: AbortSignal.timeout(10_000),
      info,
      targetName: 'reference',
      replay: '',
      artifacts: 'on-failure',
      random: caseRandom(seed, 'reference', CASE),
    });
  }

  /** The names the case's generator draws, in order. */
  const drawn = (seed: number, n: number) => {
    const random = caseRandom(seed, 'reference', CASE);
    return Array.from({ length: n }, () => `acme-${randomHex(random, 8)}`);
  };

  it("names the account from the case's generator, and draws again where the name is taken", async () => {
    const [first, second] = drawn(3, 2);
    const fresh = await runCase(3);
    expect(fresh.verdict).toBe('pass');
    expect(fresh.steps?.[0]?.name).toBe(`given: account ${first} (test hook)`);
    // The same case again on the same server (a re-run, or a server keeping accounts): the next name.
    const again = await runCase(3);
    expect(again.verdict).toBe('pass');
    expect(again.steps?.[0]?.name).toBe(`given: account ${second} (test hook)`);
  });

  it('is broken, saying to reset the test data, when the server holds every name drawn', async () => {
    const session = await driver.openSession();
    for (const name of drawn(4, 8))
      await session.hooks.createAccount({ loginName: name, loginKey: 'k-123456' }, AbortSignal.timeout(5000));
    await expect(runCase(4)).rejects.toThrow(
      /answered 409 \(the login name exists\) for acme-[0-9a-f]{8}, .*POST \/reset/,
    );
  });
});
