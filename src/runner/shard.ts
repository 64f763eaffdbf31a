/**
 * `--shard i/n`: each target's plan split into n parts that n machines (a CI matrix, one device each) run at
 * once, and `harness merge` joins again (src/runner/merge.ts; docs/shards.md).
 *
 * - Deterministic: the split depends only on the target's plan (its cases in run order, as the seed orders
 *   them, and the suite's chains), so every shard computes the same split on its own machine and a case
 *   always falls to the same shard for the same plan and seed.
 * - A chain of cases that share device state (`TargetPlan.chains`, `resets: 'fewest'`) is never split: a
 *   chain is the unit that is given out.
 * - Balanced by an estimate of each chain's cost (below), not by counting cases: a case that waits 11 s in
 *   real time weighs as much as a hundred quick ones.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ResolvedConfig, Shard } from '../config/types.ts';
import type { PlannedCase } from '../core/suite.ts';

/**
 * The cost estimate, in milliseconds a case would take on a real target (an emulated one is far faster, but
 * only the proportions matter):
 * - a request the case sends (`PlannedCase.requests`, default 1): REQUEST_MS;
 * - the reset a chain starts with (a fresh app and profile-service scope; a chain of k cases resets once): RESET_MS;
 * - a case that declares its own timeout (`PlannedCase.timeoutMs`: a real-time wait, e.g. Swivel's code
 *   expiry) counts as that timeout on top;
 * - a case the target cannot run (a capability it lacks) costs nothing: it is reported not applicable at once.
 */
export const REQUEST_MS = 100;
export const RESET_MS = 500;

/** The estimated cost of one case on a target with these capabilities (see above). */
export function caseCost(planned: PlannedCase, capabilities: readonly string[]): number {
  if (planned.needs.some((n) => !capabilities.includes(n))) return 0;
  return REQUEST_MS * Math.max(1, planned.requests ?? 1) + (planned.timeoutMs ?? 0);
}

/** The estimated cost of a chain: one reset and its cases (nothing when none of them runs). */
export function chainCost(chain: readonly PlannedCase[], capabilities: readonly string[]): number {
  const cases = chain.reduce((sum, c) => sum + caseCost(c, capabilities), 0);
  return cases === 0 ? 0 : RESET_MS + cases;
}

/**
 * Which shard (0-based) each chain goes to: the longest-processing-time rule, deterministic. Chains are
 * taken from the dearest to the cheapest (ties: the smaller first case id), each to the shard with the least
 * estimated cost so far; a tie between shards goes to the first counting from `offset`, so that the few
 * chains of a small target do not all land in shard 1 (`offset` comes from the target's name).
 */
export function assignChains(
  chains: readonly (readonly PlannedCase[])[],
  total: number,
  cost: (chain: readonly PlannedCase[]) => number,
  offset = 0,
): number[] {
  const costs = chains.map(cost);
  const firstId = chains.map((chain) => chain[0]?.id ?? '');
  const byCost = chains
    .map((_, i) => i)
    .sort((a, b) => (costs[b] as number) - (costs[a] as number) || compare(firstId[a] as string, firstId[b] as string));
  const loads = new Array<number>(total).fill(0);
  const shardOf = new Array<number>(chains.length).fill(0);
  for (const i of byCost) {
    let best = -1;
    for (let k = 0; k < total; k++) {
      const s = (offset + k) % total;
      if (best === -1 || (loads[s] as number) < (loads[best] as number)) best = s;
    }
    shardOf[i] = best;
    loads[best] = (loads[best] as number) + (costs[i] as number);
  }
  return shardOf;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Where a target's ties start: from its name, so a target's split never depends on the other targets. */
export function targetOffset(name: string, total: number): number {
  return createHash('sha256').update(name).digest().readUInt32BE(0) % total;
}

/** The part of a target's chains (in run order) that shard `shard` runs, and the estimated cost of each part. */
export function shardChains(
  target: string,
  chains: readonly PlannedCase[][],
  shard: Shard,
  capabilities: readonly string[],
): { chains: PlannedCase[][]; costs: number[] } {
  const cost = (chain: readonly PlannedCase[]) => chainCost(chain, capabilities);
  const shardOf = assignChains(chains, shard.total, cost, targetOffset(target, shard.total));
  const costs = new Array<number>(shard.total).fill(0);
  chains.forEach((chain, i) => {
    const s = shardOf[i] as number;
    costs[s] = (costs[s] as number) + cost(chain);
  });
  return { chains: chains.filter((_, i) => shardOf[i] === shard.index - 1), costs };
}

/** `2/4`: how reports and messages name a shard. */
export function shardText(shard: Shard): string {
  return `${shard.index}/${shard.total}`;
}

/**
 * A digest of what decides a run's plan besides the seed and the targets: the config file's text (every
 * machine of a CI matrix checks out the same), `--grep` and `--tier`. `harness merge` refuses to join runs
 * whose digests differ.
 */
export function configDigest(config: Pick<ResolvedConfig, 'configFile' | 'grep' | 'tier'>): string {
  const hash = createHash('sha256');
  let text = 'built-in defaults';
  if (config.configFile !== null) {
    try {
      text = readFileSync(config.configFile, 'utf8');
    } catch {
      text = `unreadable ${config.configFile}`;
    }
  }
  hash.update(JSON.stringify({ config: text, grep: config.grep, tier: config.tier }));
  return hash.digest('hex').slice(0, 16);
}
