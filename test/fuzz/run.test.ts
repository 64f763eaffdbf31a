/**
 * src/fuzz/run.ts on a property defined here (no target): why a property stopped is one of five ends, and the
 * failures found before the end are kept whatever it is. What the fuzz command prints and reports rests on it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FuzzFailure, FuzzProperty } from '../../src/core/fuzz.ts';
import { brokenReason, fuzzProperty, inconsistencyOf } from '../../src/fuzz/run.ts';

/** A property over integers 0..1000 whose check does what `behaviour` says for each value. */
function property(
  behaviour: (value: number) => FuzzFailure | null | 'throw',
  consistency?: () => FuzzFailure | null,
): FuzzProperty<number> {
  return {
    id: 'fake',
    name: 'fake property',
    arbitrary: fc.integer({ min: 0, max: 1000 }),
    check: async (value) => {
      const what = behaviour(value);
      if (what === 'throw') throw new Error(`adapter answered garbage for ${value}`);
      return what;
    },
    describe: (value) => `value ${value}`,
    ...(consistency ? { consistency } : {}),
    regression: (value) => ({ vectors: [{ id: `fake-${value}` }] }),
  };
}

const failure = (message: string, requirements = ['FAKE-REQ']): FuzzFailure => ({ message, requirements });

describe('a fuzz property ends in one of five ways', () => {
  it('budget: every run passed until the runs were spent', async () => {
    const outcome = await fuzzProperty(
      property(() => null),
      { timeMs: 60_000, runs: 250, seed: 3 },
    );
    expect(outcome.end).toEqual({ how: 'budget' });
    expect(outcome.runs).toBe(250);
    expect(outcome.failures).toEqual([]);
  });

  it('max-failures: a failure is shrunk to its smallest counterexample and ends the property', async () => {
    const outcome = await fuzzProperty(
      property((v) => (v >= 300 ? failure(`too big: ${v}`) : null)),
      { timeMs: 60_000, runs: 1_000, seed: 3 },
    );
    expect(outcome.end).toEqual({ how: 'max-failures' });
    expect(outcome.failures).toHaveLength(1);
    expect(outcome.failures[0]?.counterexample).toBe(300);
    expect(outcome.failures[0]?.flaky).toBe(false);
  });

  it('broken: a check that throws stops the property, naming the run, and keeps the failure found before', async () => {
    // Fails on 500 and up; throws once a failure was found and the next batch reaches a small value.
    let found = false;
    const outcome = await fuzzProperty(
      property((v) => {
        if (v >= 500) {
          found = true;
          return failure('too big');
        }
        return found && v < 100 ? 'throw' : null;
      }),
      { timeMs: 60_000, runs: 1_000, seed: 3, maxFailures: 5 },
    );
    expect(outcome.end.how).toBe('broken');
    expect(brokenReason(outcome)).toMatch(/^adapter answered garbage for \d+ \(while running: value \d+\)$/);
    expect(outcome.failures.map((f) => f.failure.message)).toEqual(['too big']);
    expect(inconsistencyOf(outcome)).toBeNull();
  });

  it('inconsistent: a run-wide rule broken over the runs ends the property after the batch', async () => {
    let seen = 0;
    const outcome = await fuzzProperty(
      property(
        () => (seen++, null),
        () => (seen >= 100 ? failure('two answers contradict each other', ['FAKE-ORDER']) : null),
      ),
      { timeMs: 60_000, runs: 1_000, seed: 3 },
    );
    expect(outcome.end.how).toBe('inconsistent');
    expect(inconsistencyOf(outcome)?.requirements).toEqual(['FAKE-ORDER']);
    expect(outcome.runs).toBe(100);
    expect(brokenReason(outcome)).toBeNull();
  });

  it('interrupted: an aborted signal stops the property before its budget is spent', async () => {
    const interrupt = new AbortController();
    let checks = 0;
    const outcome = await fuzzProperty(
      property(() => {
        if (++checks === 150) interrupt.abort();
        return null;
      }),
      { timeMs: 60_000, runs: 10_000, seed: 3 },
      { signal: interrupt.signal },
    );
    expect(outcome.end).toEqual({ how: 'interrupted' });
    expect(outcome.runs).toBeLessThan(10_000);
  });
});
