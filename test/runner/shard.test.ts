/**
 * src/runner/shard.ts and `--shard i/n`: what a lab relies on when it splits a plan over machines. The
 * split is deterministic (each machine computes it alone and they must agree), never splits a chain of
 * cases that share device state, balances the shards by estimated cost rather than by count, and a bad
 * value is a usage error that says the fix.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCli } from '../../src/cli/args.ts';
import { main } from '../../src/cli/main.ts';
import type { PlannedCase } from '../../src/core/suite.ts';
import { orderCases } from '../../src/runner/select.ts';
import { assignChains, caseCost, chainCost, REQUEST_MS, RESET_MS, shardChains } from '../../src/runner/shard.ts';
import type { OpenMobileSuite } from '../../suites/openmobile/index.ts';
import { loadedOpenMobileSuite } from '../e2e/helpers.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

const quick = (id: string): PlannedCase => ({ id, title: id, area: 'a', requirements: [], needs: [] });

describe('the split', () => {
  let suite: OpenMobileSuite;
  let chains: PlannedCase[][];
  const capabilities = ['state', 'logs', 'network', 'concurrency'];
  beforeAll(async () => {
    suite = await loadedOpenMobileSuite();
    const info = {
      name: 'a',
      version: '1',
      platform: 'android' as const,
      methods: ['url', 'intent'] as const,
      capabilities,
    };
    const plan = suite.plan({ ...info, methods: [...info.methods], capabilities: [...capabilities] } as never, {
      name: 'device',
      precedence: null,
      resets: 'fewest',
    });
    chains = plan.chains?.(orderCases(plan.cases, 1)) ?? [];
  }, 120_000);

  it('puts every case in exactly one shard and never splits a chain, for n = 1 to 5', () => {
    const all = chains.flat().map((c) => c.id);
    expect(chains.some((c) => c.length > 1)).toBe(true);
    const whole = new Set(chains.map((chain) => chain.map((c) => c.id).join(' ')));
    for (let n = 1; n <= 5; n++) {
      const shardOf = new Map<string, number>();
      for (let i = 1; i <= n; i++) {
        const part = shardChains('device', chains, { index: i, total: n }, capabilities);
        for (const chain of part.chains) {
          // A chain arrives whole, in its order.
          expect(whole.has(chain.map((c) => c.id).join(' '))).toBe(true);
          for (const c of chain) {
            expect(shardOf.has(c.id)).toBe(false);
            shardOf.set(c.id, i);
          }
        }
      }
      expect([...shardOf.keys()].sort()).toEqual([...all].sort());
    }
  });

  it('is deterministic: the same plan gives the same shards, whatever else ran before', () => {
    const a = shardChains('device', chains, { index: 2, total: 4 }, capabilities)
      .chains.flat()
      .map((c) => c.id);
    shardChains('other', chains, { index: 1, total: 3 }, capabilities);
    const b = shardChains('device', chains, { index: 2, total: 4 }, capabilities)
      .chains.flat()
      .map((c) => c.id);
    expect(b).toEqual(a);
    // A copy of the plan, built anew (another machine): the same split.
    const copy = chains.map((chain) => chain.map((c) => ({ ...c })));
    expect(
      shardChains('device', copy, { index: 2, total: 4 }, capabilities)
        .chains.flat()
        .map((c) => c.id),
    ).toEqual(a);
  });

  it('balances the real plan: no shard of 4 more than 5% over the mean estimated cost', () => {
    const { costs } = shardChains('device', chains, { index: 1, total: 4 }, capabilities);
    const mean = costs.reduce((a, b) => a + b, 0) / costs.length;
    expect(Math.max(...costs) / mean).toBeLessThan(1.05);
  });
});

describe('the cost estimate', () => {
  it('weighs requests, resets and declared waits; a case the target cannot run costs nothing', () => {
    expect(caseCost({ ...quick('a'), requests: 3 }, [])).toBe(3 * REQUEST_MS);
    expect(caseCost({ ...quick('b'), timeoutMs: 21_000 }, [])).toBe(REQUEST_MS + 21_000);
    expect(caseCost({ ...quick('c'), needs: ['clock'] }, [])).toBe(0);
    expect(chainCost([quick('a'), quick('b')], [])).toBe(RESET_MS + 2 * REQUEST_MS);
    expect(chainCost([{ ...quick('c'), needs: ['clock'] }], [])).toBe(0);
  });

  it('balances by cost, not count: a case that waits 21 s gets a shard nearly to itself', () => {
    const cases = [{ ...quick('wait'), timeoutMs: 21_000 }, ...Array.from({ length: 60 }, (_, i) => quick(`q${i}`))];
    const units = cases.map((c) => [c]);
    const shardOf = assignChains(units, 2, (chain) => chainCost(chain, []));
    const waiting = shardOf[0] as number;
    const counts = [0, 0];
    const costs = [0, 0];
    units.forEach((u, i) => {
      const s = shardOf[i] as 0 | 1;
      counts[s] = (counts[s] as number) + 1;
      costs[s] = (costs[s] as number) + chainCost(u, []);
    });
    // By count it would be 31 and 30; by cost the waiting case's shard takes 12 quick ones, the other 48.
    expect(counts[waiting]).toBe(13);
    expect(counts[1 - waiting]).toBe(48);
    expect(Math.abs((costs[0] as number) - (costs[1] as number))).toBeLessThanOrEqual(RESET_MS + REQUEST_MS);
  });
});

describe('--shard i/n on the command line', () => {
  it('takes i/n from 1/1 to n/n', () => {
    expect(parseCli(['run', '--shard', '2/4']).overrides.shard).toEqual({ index: 2, total: 4 });
    expect(parseCli(['run', '--shard', '1/1']).overrides.shard).toEqual({ index: 1, total: 1 });
  });

  it.each([
    ['0/3', /there is no shard 0 of 3: shards are numbered 1 to 3/],
    ['4/3', /there is no shard 4 of 3: shards are numbered 1 to 3 \(for example --shard 1\/3 \.\.\. --shard 3\/3\)/],
    ['x', /--shard must be i\/n, the shard to run \(1 to n\) of n shards, got "x": for example --shard 1\/4/],
    ['1/0', /n must be 1 or more/],
    ['-1/3', /--shard must be i\/n/],
  ])('refuses --shard %s with exit 2 and the fix, no stack trace', async (value, message) => {
    let stderr = '';
    const code = await main(['run', '--shard', value], {
      cwd: ROOT,
      env: {},
      stdout: () => undefined,
      stderr: (t) => void (stderr += t),
    });
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('merge without a directory, or with one that is not a run, exits 2 naming it', async () => {
    for (const [args, message] of [
      [['merge'], /merge needs the output directories of the runs to join/],
      [['merge', 'no-such-dir'], /HARNESS_MERGE_INVALID: no-such-dir does not exist/],
      [['merge', 'docs'], /docs holds no run\.json, so it is not a run's output/],
    ] as const) {
      let stderr = '';
      const code = await main([...args], {
        cwd: ROOT,
        env: {},
        stdout: () => undefined,
        stderr: (t) => void (stderr += t),
      });
      expect(code).toBe(2);
      expect(stderr).toMatch(message);
    }
  });
});
