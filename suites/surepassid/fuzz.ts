/**
 * The SurePassID fuzz property `requests`: runs of 1..maxSteps generated request bodies (arbitraries.ts:
 * valid, mutated, type-confused, not an object) from fresh fixtures, each answer judged by the model like a
 * fixed vector's (a run *is* a vector: runVector executes it). fast-check shrinks a failing run to the
 * fewest, simplest requests; the failure corpus keeps it as a vector file that replays as a fixed case.
 */
import type { Arbitrary } from 'fast-check';
import type { FuzzFailure, FuzzProperty, FuzzStatistics } from '../../src/core/fuzz.ts';
import { caseRandom } from '../../src/core/random.ts';
import { REDACTED } from '../../src/core/redact.ts';
import { runArbitrary, vectorOfRun, type GeneratedRequest } from './arbitraries.ts';
import { runVector } from './execute.ts';
import type { SurePassIdSession } from './types.ts';

export const SUREPASSID_FUZZ_PROPERTY_IDS = ['requests'] as const;

export interface SurePassIdFuzzOptions {
  /** Most requests in one generated run (default 4). */
  maxSteps?: number;
}

/** The suite's fuzz properties on one session. */
export function surePassIdFuzzProperties(
  session: SurePassIdSession,
  options: SurePassIdFuzzOptions = {},
): FuzzProperty<GeneratedRequest[]>[] {
  return [requestsProperty(session, options.maxSteps ?? 4)];
}

export function requestsProperty(session: SurePassIdSession, maxSteps: number): FuzzProperty<GeneratedRequest[]> {
  const kinds: Record<string, number> = {};
  const codes: Record<string, number> = {};
  let cases = 0;
  const arbitrary: Arbitrary<GeneratedRequest[]> = runArbitrary(maxSteps);
  // One seeded generator for the property's runs: their fixture names follow each other in the order
  // fast-check (itself seeded) checks them, the same from one fuzz run to the next.
  const random = caseRandom(0, 'surepassid', 'requests');
  return {
    id: 'requests',
    name: 'generated request bodies (valid, mutated, type-confused, not JSON objects) judged by the model',
    arbitrary,
    async check(value, signal): Promise<FuzzFailure | null> {
      const run = await runVector(vectorOfRun(value), session, signal, random);
      value.forEach((r) => (kinds[r.kind] = (kinds[r.kind] ?? 0) + 1));
      for (const code of run.codes)
        codes[code === null ? 'no JSON answer' : String(code)] = (codes[String(code ?? 'no JSON answer')] ?? 0) + 1;
      cases += run.codes.length;
      if (run.verdict !== 'fail') return null;
      const failure: FuzzFailure = { message: run.message, requirements: run.requirements };
      if (run.category !== undefined) failure.category = run.category;
      return failure;
    },
    describe(value): string {
      return value.map((r, i) => `${i + 1}. [${r.kind}] ${r.how}: ${describeStep(r)}`).join('\n');
    },
    statistics(): FuzzStatistics {
      return {
        cases,
        tables: { 'request kind': { ...kinds }, errorCode: { ...codes } },
        attachments: [],
        informational: [],
      };
    },
    regression(value, failure, origin) {
      const vector = vectorOfRun(
        value,
        `sp:reg-${origin.seed}-${origin.path.replace(/[^0-9]+/g, '-')}`.replace(/-+$/, ''),
      );
      return {
        description: `Kept by harness fuzz (${origin.target}, property ${origin.property}, seed ${origin.seed}, path ${origin.path}): ${failure.message}`,
        vectors: [
          {
            ...vector,
            title: vector.title.slice(0, 300),
            requirements: failure.requirements.length > 0 ? failure.requirements : vector.requirements,
          },
        ],
      };
    },
  };
}

/** The body in words with every login key replaced (fixture keys appear only as placeholders). */
function describeStep(request: GeneratedRequest): string {
  if (request.step.raw !== undefined) return JSON.stringify(request.step.raw);
  const body = request.step.body;
  if (body !== null && typeof body === 'object' && !Array.isArray(body) && 'spAccountLoginKey' in body) {
    const key = (body as Record<string, unknown>)['spAccountLoginKey'];
    const shown = typeof key === 'string' && /^\{\{key:[a-z]+\}\}$/.test(key) ? key : REDACTED;
    return JSON.stringify({ ...body, spAccountLoginKey: shown });
  }
  return JSON.stringify(body);
}
