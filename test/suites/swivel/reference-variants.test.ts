/**
 * Swivel servers that behave otherwise than the reference where the sources permit it (the reference's
 * variants: drivers/emulated/swivel/server.ts). No fixed vector and no fuzzed body may fail them: answers
 * with elements the protocol does not define, in another order, pretty-printed, with a Content-Type the
 * protocol does not name; device logging on by default (a SHOULD: non-strict, never failed). The
 * reference and its seeded defects keep their verdicts (reference.test.ts).
 */
import path from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSwivelDriver } from '../../../drivers/http/swivel.ts';
import { startSwivelReference, type SwivelVariant } from '../../../drivers/emulated/swivel/server.ts';
import { runVector, type CaseOutcome } from '../../../suites/swivel/execute.ts';
import { agentBodiesProperty } from '../../../suites/swivel/fuzz.ts';
import type { Vector } from '../../../suites/swivel/types.ts';
import { loadSwivelVectors } from '../../../suites/swivel/vectors.ts';
import { readSasResponse } from '../../../suites/swivel/xml.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const context = { rootDir: ROOT, obfuscationKey: null };
let vectors: Vector[] = [];

beforeAll(async () => {
  vectors = await loadSwivelVectors(path.join(ROOT, 'vectors/swivel'), { rootDir: ROOT });
});

/** A variant server reached as a real one would be (`url`), with the work done on one session. */
async function onVariant<T>(
  variants: SwivelVariant[],
  work: (
    session: Awaited<ReturnType<Awaited<ReturnType<typeof createSwivelDriver>>['openSession']>>,
    capabilities: readonly string[],
  ) => Promise<T>,
): Promise<T> {
  const server = await startSwivelReference({ variants });
  const driver = await createSwivelDriver({ url: server.urls[0] }, context);
  try {
    return await work(await driver.openSession(), (await driver.info()).capabilities);
  } finally {
    await driver.stop();
    await server.close();
  }
}

async function runAll(variants: SwivelVariant[]): Promise<Map<string, CaseOutcome>> {
  return onVariant(variants, async (session, capabilities) => {
    const results = new Map<string, CaseOutcome>();
    for (const vector of vectors) {
      if (vector.realTime === true) continue;
      results.set(vector.id, await runVector(vector, session, capabilities, AbortSignal.timeout(10_000)));
    }
    return results;
  });
}

const failures = (results: Map<string, CaseOutcome>) =>
  [...results]
    .filter(([, r]) => r.verdict === 'fail' || r.verdict === 'broken')
    .map(([id, r]) => `${id}: ${r.message}`);

describe('conformant Swivel servers other than the reference', () => {
  it('reads answers tolerantly: unknown elements, another order, white space around tokens, any Content-Type', async () => {
    const results = await runAll(['verbose-answers']);
    expect(failures(results)).toEqual([]);
    expect([...results.values()].filter((r) => r.verdict === 'pass').length).toBeGreaterThan(35);
  });

  it('device logging on by default breaks a SHOULD: non-strict, never failed', async () => {
    const results = await runAll(['logs-devices-by-default']);
    expect(failures(results)).toEqual([]);
    const defaults = results.get('sw:pol-defaults');
    expect(defaults?.verdict).toBe('non-strict');
    expect(defaults?.message).toMatch(/SW-POLICY-LOG-DEVICE-DEFAULT: policy logDeviceInformation is true/);
    expect(defaults?.requirements).toContain('SW-POLICY-LOG-DEVICE-DEFAULT');
  });

  it('the agentxml-bodies fuzz property finds nothing on the verbose variant', { timeout: 60_000 }, async () => {
    const failure = await onVariant(['verbose-answers'], async (session, capabilities) => {
      const property = agentBodiesProperty(session, capabilities);
      let found: string | null = null;
      await fc.check(
        fc.asyncProperty(property.arbitrary, async (value) => {
          const f = await property.check(value, AbortSignal.timeout(10_000));
          if (f !== null) found ??= `${f.message}\n${property.describe(value)}`;
          return f === null;
        }),
        { seed: 4242, numRuns: 150, endOnFailure: true },
      );
      return found;
    });
    expect(failure).toBeNull();
  });
});

describe('readSasResponse', () => {
  it('still refuses what the protocol makes wrong: a missing or doubled defined element, another Result', () => {
    const ok = '<SASResponse><Version>3.9</Version><RequestID>r</RequestID><Result>PASS</Result><Error/></SASResponse>';
    expect('response' in readSasResponse(ok)).toBe(true);
    expect(readSasResponse(ok.replace('<Version>3.9</Version>', ''))).toEqual({ problem: '<Version> is missing' });
    expect(readSasResponse(ok.replace('<Error/>', '<Error/><Result>FAIL</Result>'))).toEqual({
      problem: '<Result> appears more than once',
    });
    expect('problem' in readSasResponse(ok.replace('PASS', 'Pass'))).toBe(true);
    // Undefined elements are ignored even when doubled or nested; the RequestID is data, taken exactly.
    const extra = ok.replace('<Error/>', '<Error/><X>1</X><X><Y/></X>').replace('<RequestID>r<', '<RequestID> r <');
    const read = readSasResponse(extra);
    expect('response' in read && read.response.requestId).toBe(' r ');
  });
});
