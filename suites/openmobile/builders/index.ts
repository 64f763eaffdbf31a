/**
 * The Open Mobile combination vectors, generated rather than typed out: one builder per area. Every
 * builder states its expectations from its own explicit rules (rules.ts and the builder itself), never
 * from the suite's model, so the model can be checked against them.
 */
import type { Catalog } from '../../../protocols/openmobile/types.ts';
import type { Vector } from '../types.ts';
import { buildLengthVectors } from './lengths.ts';
import { buildLookupVectors } from './lookup.ts';
import { buildOmissionVectors } from './omission.ts';
import { buildPartitionVectors } from './partition.ts';
import { buildPrecedenceVectors } from './precedence.ts';
import { buildRoutingVectors } from './routing.ts';
import { buildSoftVectors } from './soft.ts';

export type { BuildOptions } from './common.ts';
export { routeCount } from './common.ts';

/** The builders by name (`source` is `builder:<name>`), in the order their vectors are listed. */
export const BUILDERS = {
  precedence: buildPrecedenceVectors,
  omission: buildOmissionVectors,
  lengths: buildLengthVectors,
  soft: buildSoftVectors,
  lookup: buildLookupVectors,
  routing: buildRoutingVectors,
  partition: buildPartitionVectors,
} as const;

/**
 * Every generated vector, deterministic for a given catalog and key. Vectors needing the obfuscation key
 * are left out when it is null. Throws if two builders ever produce the same id.
 */
export function buildVectors(options: { catalog: Catalog; obfuscationKey: string | null }): Vector[] {
  const vectors = Object.values(BUILDERS).flatMap((build) => build(options));
  const seen = new Set<string>();
  for (const vector of vectors) {
    if (seen.has(vector.id))
      throw new Error(`vector builders: duplicate vector id ${vector.id} (from ${vector.source})`);
    seen.add(vector.id);
  }
  return vectors;
}
