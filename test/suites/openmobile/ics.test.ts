/**
 * The Open Mobile suite's part of a conformance statement (suites/openmobile/ics.ts): the checks an order of
 * checks may name are exactly those the model makes, each in the phase the model puts it in, so that the
 * rule "no configuration check before a request or fetch check" refuses what the reading rules out and
 * nothing else.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CHECK_PHASES } from '../../../suites/openmobile/ics.ts';

const MODEL = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../suites/openmobile/model.ts');

describe('the checks of an Open Mobile order of checks', () => {
  it("are the model's checks, each in the model's phase", () => {
    const source = readFileSync(MODEL, 'utf8');
    const made = new Map<string, Set<string>>();
    // violated(ctx, <code>, <requirement or a choice between two>, '<phase>', ...)
    for (const call of source.matchAll(/violated\(\s*ctx,\s*[^,]+,\s*([^]*?),\s*'(request|fetch|configuration)'/g)) {
      for (const [requirement] of (call[1] ?? '').matchAll(/OM-[A-Z0-9-]+/g)) {
        const phases = made.get(requirement) ?? new Set<string>();
        made.set(requirement, phases.add(call[2] ?? ''));
      }
    }
    expect(made.size).toBeGreaterThan(15);
    expect(Object.fromEntries([...made].map(([r, phases]) => [r, [...phases].join(',')]))).toEqual(CHECK_PHASES);
  });
});
