/**
 * The case-id convention (docs/vectors.md, "Case ids") over what every suite of the registry really plans,
 * its loaded cases and its run-level checks (not the text of its files), and the table of former ids
 * (vectors/aliases.json): every former id resolves to exactly one current case on each route.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSuites } from '../../src/cli/builtins.ts';
import { ALIASES_FILE } from '../../src/cli/main.ts';
import { CaseAliases, caseIdProblem, readAliasTable } from '../../src/core/case-ids.ts';
import type { PlannedCase } from '../../src/core/suite.ts';
import type { AnySuite } from '../../src/runner/run.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
/** The obfuscation key of the repository's harness.config.ts: with it the builders make every vector. */
const KEY = '8CC677D6FA2AC487C2FC7AD7232F87D8FCAFD5E9FC0AFBFF23B09D8713BE3463';

describe("every suite's cases", () => {
  const suites: AnySuite[] = Object.values(createSuites());
  beforeAll(async () => {
    for (const suite of suites)
      await suite.load({ rootDir: ROOT, vectorsRoot: path.join(ROOT, 'vectors'), obfuscationKey: KEY });
  }, 120_000);

  it('follow the convention, each suite with its own prefix: its requirement IDs in lower case', () => {
    const prefixes = suites.map((s) => s.caseIdPrefix);
    expect(new Set(prefixes).size).toBe(suites.length);
    for (const suite of suites) {
      const problems = suite
        .list()
        .map((c) => caseIdProblem(c.id, suite.caseIdPrefix, c.route !== undefined))
        .filter((p) => p !== null);
      expect(problems, suite.name).toEqual([]);
      expect(suite.list().length, suite.name).toBeGreaterThan(10);
      for (const r of suite.catalogue().requirements)
        expect(r.id.startsWith(`${suite.caseIdPrefix.toUpperCase()}-`), `${suite.name} ${r.id}`).toBe(true);
    }
  });

  it('and the run-level checks of a plan, too', () => {
    const openmobile = suites.find((s) => s.name === 'openmobile') as AnySuite;
    const info = { name: 't', version: '1', platform: 'android', methods: ['url', 'intent'], capabilities: [] };
    const finished = openmobile.plan(info, { name: 't', precedence: null }).finish([]);
    expect(finished.map((r) => r.id).sort()).toEqual(['om:run-choice-consistency', 'om:run-precedence-order']);
    for (const r of finished) expect(caseIdProblem(r.id, 'om', false)).toBeNull();
  });

  it('are never a requirement ID, nor a part of one, nor one a part of them', () => {
    const requirements = suites.flatMap((s) => s.catalogue().requirements.map((r) => r.id));
    const clashes = suites.flatMap((s) =>
      s
        .list()
        .flatMap((c) => requirements.filter((r) => c.id.includes(r) || r.includes(c.id)).map((r) => `${c.id} ${r}`)),
    );
    expect(clashes).toEqual([]);
  });

  it('answer every former id of vectors/aliases.json: exactly one current case on each route', () => {
    const table = readAliasTable(ALIASES_FILE);
    const aliases = new CaseAliases(table);
    const cases = suites.flatMap((s) => s.list());
    const byId = new Map<string, PlannedCase[]>();
    for (const c of cases) byId.set(c.id, [...(byId.get(c.id) ?? []), c]);
    const runChecks = new Set(['om:run-choice-consistency', 'om:run-precedence-order']);
    const wrong: string[] = [];
    const targets = new Map<string, string>();
    for (const [former, current] of Object.entries(table)) {
      if (targets.has(current)) wrong.push(`${former} and ${targets.get(current)} both read ${current}`);
      targets.set(current, former);
      if (aliases.resolve(former) !== current) wrong.push(`${former} does not resolve to ${current}`);
      if (runChecks.has(current)) continue;
      const routed = cases.filter((c) => c.id === current || c.id.startsWith(`${current}@`));
      if (routed.length === 0) wrong.push(`${former} -> ${current}: no such case`);
      for (const c of routed) {
        const route = c.id.slice(current.length); // '' or '@ios-url'
        const resolved = aliases.resolve(`${former}${route}`);
        if (resolved !== c.id || byId.get(c.id)?.length !== 1) wrong.push(`${former}${route} -> ${resolved}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(Object.keys(table).length).toBeGreaterThan(1_500);
  });
});
