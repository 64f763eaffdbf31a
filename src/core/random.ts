import { createHash } from 'node:crypto';

/** A small seeded PRNG (mulberry32): the same seed gives the same sequence on every machine. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The generator of one case: drawn from the run's seed and what names the case (its target and id), so a
 * case draws the same values whatever else the run holds, in whichever order or shard it runs. Every random
 * value a suite uses in a case comes from here (`CaseEnv.random`; suites may not import node:crypto's
 * random functions or Math.random: eslint.config.js), so two runs with one seed report the same messages.
 */
export function caseRandom(seed: number, ...names: string[]): () => number {
  const digest = createHash('sha256')
    .update(`${seed >>> 0}\0${names.join('\0')}`)
    .digest();
  return mulberry32(digest.readUInt32BE(0));
}

/** `length` lower-case hex digits from `random`. */
export function randomHex(random: () => number, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += Math.floor(random() * 16).toString(16);
  return out;
}
