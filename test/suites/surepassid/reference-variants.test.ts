/**
 * SurePassID servers that behave otherwise than the reference where the sources permit it (the
 * reference's variants: drivers/emulated/surepassid/server.ts). No fixed vector and no fuzzed request may
 * fail them: a `type` in another letter case taken as the operation it spells (informational, a choice),
 * a Key URI naming its issuer only in the label (non-strict: the parameter is only recommended), an
 * algorithm spelt `sha1` (informational). The reference and its seeded defects keep their verdicts
 * (suite.test.ts, qr-modes.test.ts).
 */
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CaseResult } from '../../../src/core/results.ts';
import { createSurePassIdDriver } from '../../../drivers/http/surepassid.ts';
import { startSurePassIdReference, type SurePassIdVariant } from '../../../drivers/emulated/surepassid/server.ts';
import { surePassIdFuzzProperties } from '../../../suites/surepassid/fuzz.ts';
import { SurePassIdSuite } from '../../../suites/surepassid/index.ts';
import { checkKeyUri } from '../../../suites/surepassid/keyuri.ts';
import { caseRandom } from '../../../src/core/random.ts';

const ROOT = process.cwd();
const CONTEXT = { rootDir: ROOT, obfuscationKey: null };

/** A variant server, reached as a real one would be (`url`). */
async function onVariant<T>(
  variants: SurePassIdVariant[],
  work: (driver: Awaited<ReturnType<typeof createSurePassIdDriver>>) => Promise<T>,
): Promise<T> {
  const server = await startSurePassIdReference({ variants });
  const driver = await createSurePassIdDriver({ url: server.url, timeoutMs: 5000 }, CONTEXT);
  try {
    return await work(driver);
  } finally {
    await driver.stop();
    await server.close();
  }
}

async function runAll(variants: SurePassIdVariant[]): Promise<Map<string, CaseResult>> {
  const suite = new SurePassIdSuite();
  await suite.load({
    rootDir: ROOT,
    vectorsRoot: path.join(ROOT, 'vectors'),
    obfuscationKey: null,
  });
  return onVariant(variants, async (driver) => {
    const info = await driver.info();
    const plan = suite.plan(info, { name: 'variant', precedence: null });
    const session = await driver.openSession();
    const results = await Promise.all(
      plan.cases.map((planned) =>
        plan.run(planned, {
          session,
          scope: null,
          signal: new AbortController().signal,
          info,
          targetName: 'variant',
          replay: '',
          artifacts: 'on-failure',
          random: caseRandom(1, 'variant', planned.id),
        }),
      ),
    );
    return new Map(results.map((r) => [r.id, r]));
  });
}

const failures = (results: Map<string, CaseResult>) =>
  [...results.values()]
    .filter((r) => r.verdict === 'fail' || r.verdict === 'broken')
    .map((r) => `${r.id}: ${r.message}`);

describe('conformant SurePassID servers other than the reference', () => {
  it('a server that reads type in any letter case is informational, its choice recorded', async () => {
    const results = await runAll(['type-any-case']);
    expect(failures(results)).toEqual([]);
    const upper = results.get('sp:type-case');
    expect(upper?.verdict, upper?.message).toBe('informational');
    expect(upper?.choices).toEqual({ 'SP-CHOICE-TYPE-CASE': 'accepted' });
    expect(upper?.message).toMatch(/valid Key URI/);
  });

  it('a Key URI with the issuer only in its label prefix is non-strict, never failed', async () => {
    const results = await runAll(['issuer-in-label-only']);
    expect(failures(results)).toEqual([]);
    const keyUri = [...results.values()].filter((r) => r.verdict === 'non-strict');
    expect(keyUri.length).toBeGreaterThan(3);
    for (const r of keyUri) expect(r.message).toMatch(/issuer parameter is missing/);
  });

  it('a Key URI algorithm spelt sha1 is informational, its choice recorded', async () => {
    const results = await runAll(['algorithm-lower-case']);
    expect(failures(results)).toEqual([]);
    const chosen = [...results.values()].filter((r) => r.verdict === 'informational');
    expect(chosen.length).toBeGreaterThan(3);
    for (const r of chosen) expect(r.choices).toEqual({ 'SP-CHOICE-KEYURI-ALGORITHM-CASE': 'other-case' });
  });

  it('the requests fuzz property finds nothing on the three variants at once', { timeout: 60_000 }, async () => {
    const found = await onVariant(['type-any-case', 'issuer-in-label-only', 'algorithm-lower-case'], async (driver) => {
      const session = await driver.openSession();
      const [property] = surePassIdFuzzProperties(session, { maxSteps: 3 });
      const signal = new AbortController().signal;
      let first: string | null = null;
      await fc.check(
        fc.asyncProperty(property!.arbitrary, async (value) => {
          const failure = await property!.check(value, signal);
          if (failure !== null) first ??= `${failure.message}\n${property!.describe(value)}`;
          return failure === null;
        }),
        { seed: 20240611, numRuns: 150, endOnFailure: true },
      );
      return first;
    });
    expect(found).toBeNull();
  });
});

describe('checkKeyUri', () => {
  const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
  it('fails a Key URI with no issuer at all, and one with another algorithm', () => {
    const none = checkKeyUri(`otpauth://totp/mandy?secret=${secret}`).problems;
    expect(none.map((p) => [p.requirement, p.level])).toEqual([['SP-KEYURI-ISSUER', undefined]]);
    const md5 = checkKeyUri(`otpauth://totp/Acme:mandy?secret=${secret}&issuer=Acme&algorithm=MD5`).problems;
    expect(md5.map((p) => [p.requirement, p.level])).toEqual([['SP-KEYURI-PARAMS', undefined]]);
  });
  it('marks what the format only recommends (should) and what it leaves open (choice)', () => {
    const legacy = checkKeyUri(`otpauth://totp/Acme:mandy?secret=${secret}`).problems;
    expect(legacy.map((p) => p.level)).toEqual(['should']);
    const differ = checkKeyUri(`otpauth://totp/Acme:mandy?secret=${secret}&issuer=Other`).problems;
    expect(differ.map((p) => p.level)).toEqual(['should']);
    const lower = checkKeyUri(`otpauth://totp/Acme:mandy?secret=${secret}&issuer=Acme&algorithm=sha256`);
    expect(lower.problems.map((p) => p.level)).toEqual(['choice']);
    expect(lower.parsed?.algorithm).toBe('SHA256');
  });
});
