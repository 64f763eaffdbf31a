/**
 * Re-judging (src/core/rejudge.ts), for every suite: the results of a real run (the emulated clients and
 * the reference servers, clean and with seeded defects, through the real runner and the jsonl reporter)
 * judge again from results.jsonl alone to exactly what was recorded; and an edited verdict, an edited
 * observation (one field of one step) and a different vector (one the model reads otherwise) each give a
 * discrepancy naming the case. Runs are on a --grep subset of Open Mobile's plan so that this stays fast.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSuites, DRIVERS, suiteOf } from '../../src/cli/builtins.ts';
import { resolveConfig } from '../../src/config/resolve.ts';
import type { HarnessConfig } from '../../src/config/types.ts';
import { Redactor } from '../../src/core/redact.ts';
import { rejudgeResults, rejudgeTargetOf, type RejudgeContext } from '../../src/core/rejudge.ts';
import type { CaseResult } from '../../src/core/results.ts';
import type { RunRecord } from '../../src/core/run-record.ts';
import type { PlannedCase } from '../../src/core/suite.ts';
import { createReporters } from '../../src/reporters/index.ts';
import { identity } from '../../src/reporters/text.ts';
import { runPlan, suiteLoadContext, type AnySuite } from '../../src/runner/run.ts';
import { DEFECTS } from '../../drivers/emulated/defects.ts';
import { SWIVEL_DEFECTS } from '../../drivers/emulated/swivel/defects.ts';
import { SUREPASSID_DEFECTS } from '../../drivers/emulated/surepassid/defects.ts';
import { PROFILE_SERVICE_DEFECTS } from '../../drivers/emulated/openmobile-profiles/defects.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const KEY = '8CC677D6FA2AC487C2FC7AD7232F87D8FCAFD5E9FC0AFBFF23B09D8713BE3463';
/** Open Mobile cases with setup steps, faults, offline, concurrent requests, choices and precedence. */
const OM_GREP = ['om:at-', 'om:rc-', 'om:pn-', 'om:ex-', 'om:sc-', 'om:ll-password', 'om:gen-precedence-autologinbad'];

let suites: Record<string, AnySuite>;
const dirs: string[] = [];

beforeAll(async () => {
  const config = resolveConfig({ file: path.join(ROOT, 'harness.config.ts'), config: {} }, {}, {}, ROOT);
  const loaded = createSuites();
  suites = {};
  for (const [name, suite] of Object.entries(loaded)) {
    await suite.load({ ...suiteLoadContext(config), obfuscationKey: KEY });
    suites[name] = Object.assign(Object.create(suite) as AnySuite, { load: async () => {} });
  }
}, 120_000);

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface Written {
  results: CaseResult[];
  context: RejudgeContext;
}

/** A real run of `config` (on `grep`, when given), and what re-judging it reads back: results.jsonl and run.json. */
async function run(config: HarnessConfig, grep?: string[]): Promise<Written> {
  const out = mkdtempSync(path.join(os.tmpdir(), 'harness-rejudge-'));
  dirs.push(out);
  const resolved = resolveConfig(
    { file: path.join(ROOT, 'harness.config.ts'), config: { obfuscation: { key: KEY }, ...config } },
    { outputDir: out, ...(grep === undefined ? {} : { grep }) },
    {},
    ROOT,
  );
  const redactor = new Redactor();
  redactor.add(KEY);
  await runPlan(
    resolved,
    {
      suites,
      suiteOf,
      drivers: DRIVERS,
      redactor,
      reporter: createReporters(['jsonl'], { outputDir: out, redact: identity }),
    },
    { startedAt: new Date().toISOString(), command: 'test', harnessVersion: 'test' },
  );
  const results = readFileSync(path.join(out, 'results.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as CaseResult);
  const record = JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8')) as RunRecord;
  const targets = Object.fromEntries(record.targets.map((t) => [t.name, rejudgeTargetOf(t)]));
  return { results, context: { suites, targets, redactor } };
}

const copy = (results: CaseResult[]) => results.map((r) => structuredClone(r));

/** The first judged case that passed, and its index. */
function passing(results: CaseResult[], prefix: string): number {
  const i = results.findIndex((r) => r.id.startsWith(prefix) && r.runLevel !== true && r.verdict === 'pass');
  expect(i, `a passing ${prefix} case`).toBeGreaterThanOrEqual(0);
  return i;
}

/** Each suite: its targets, clean and with seeded defects, and how to edit one step's observation and its vector. */
const SUITES: {
  name: string;
  prefix: string;
  clean: HarnessConfig;
  defective: HarnessConfig;
  grep?: string[];
  /** Changes one field of one step of the recorded observations. */
  editObservation(observations: Record<string, unknown>): void;
  /** Changes the vector of a case so that the model reads the same observations otherwise. */
  editVector(vector: Record<string, unknown>): void;
  /** The cases whose vector `editVector` changes (default: the suite's). */
  vectorCases?: string;
}[] = [
  {
    name: 'openmobile',
    prefix: 'om:',
    grep: OM_GREP,
    clean: {
      targets: [
        { name: 'emulated-ios', driver: 'emulated', options: { platform: 'ios' } },
        { name: 'emulated-android', driver: 'emulated', options: { platform: 'android' } },
      ],
      run: ['emulated-ios', 'emulated-android'],
    },
    defective: {
      targets: (['ios', 'android'] as const).map((platform) => ({
        name: `defective-${platform}`,
        driver: 'emulated',
        options: { platform, defects: DEFECTS.filter((d) => d.platforms.includes(platform)).map((d) => d.id) },
      })),
      run: ['defective-ios', 'defective-android'],
    },
    editObservation: (o) => {
      const steps = o['steps'] as { provision: { result: number | null; handled: boolean } }[];
      const last = steps[steps.length - 1] as (typeof steps)[number];
      last.provision.result = last.provision.result === 0 ? 23 : 0;
    },
    // The request under test sent offline: the model predicts a failure where the client succeeded.
    editVector: (v) => {
      v['when'] = { ...(v['when'] as object), network: 'offline' };
    },
    // The specification's complete example, which succeeds.
    vectorCases: 'om:ex-complete-',
  },
  {
    name: 'swivel',
    prefix: 'sw:',
    clean: { run: ['swivel-reference', 'swivel-cluster', 'swivel-cluster-shared'] },
    // Every seeded defect at once: each case fails on the first it meets.
    defective: {
      targets: [
        {
          name: 'swivel-defective',
          driver: 'swivel',
          options: { reference: true, defects: SWIVEL_DEFECTS.map((d) => d.id) },
        },
      ],
      run: ['swivel-defective'],
    },
    editObservation: editAnswerStatus,
    // Every provision for a user nobody created: the model predicts FAIL where the server said PASS.
    editVector: (v) => {
      for (const step of v['steps'] as Record<string, unknown>[])
        if (step['do'] === 'provision' || step['do'] === 'issue-code') step['username'] = 'nobody-created-me';
    },
  },
  {
    name: 'surepassid',
    prefix: 'sp:',
    clean: { run: ['surepassid-reference'] },
    // Every seeded defect at once: each case fails on the first it meets.
    defective: {
      targets: [
        {
          name: 'surepassid-defective',
          driver: 'surepassid',
          options: { reference: true, defects: SUREPASSID_DEFECTS.map((d) => d.id) },
        },
      ],
      run: ['surepassid-defective'],
    },
    editObservation: editAnswerStatus,
    // A wrong login key in every step: the model predicts errorCode 9000 where the server answered 0.
    editVector: (v) => {
      for (const step of v['steps'] as { body?: Record<string, unknown> }[])
        if (step.body !== undefined && typeof step.body === 'object') step.body['spAccountLoginKey'] = 'not-the-key';
    },
  },
  {
    name: 'openmobile-profiles',
    prefix: 'omp:',
    clean: { run: ['profile-service-reference'] },
    // Every seeded defect at once: each case fails on the first it meets.
    defective: {
      targets: [
        {
          name: 'profiles-defective',
          driver: 'profile-service',
          options: { reference: true, defects: PROFILE_SERVICE_DEFECTS.map((d) => d.id) },
        },
      ],
      run: ['profiles-defective'],
    },
    editObservation: editAnswerStatus,
    // Another catalog: every lookup's expected answer changes.
    editVector: (v) => {
      const catalog = v['catalog'] as { profiles: Record<string, unknown>[] };
      v['catalog'] = { ...catalog, profiles: catalog.profiles.map((p) => ({ ...p, id: Number(p['id']) + 1 })) };
    },
  },
];

/** A server suite's recorded call: the last one with an answer gets another HTTP status. */
function editAnswerStatus(o: Record<string, unknown>): void {
  const calls = o['calls'] as { value?: { response?: { status: number } | null } }[];
  const answered = calls.filter((c) => c.value?.response !== undefined && c.value.response !== null);
  const last = answered[answered.length - 1]?.value?.response as { status: number };
  last.status = last.status === 200 ? 500 : 200;
}

describe.each(SUITES)('re-judging $name', (s) => {
  let clean: Written;

  beforeAll(async () => {
    clean = await run(s.clean, s.grep);
  }, 240_000);

  it("a real run's results judge again to what was recorded, run-level checks included", async () => {
    const own = clean.results.filter((r) => r.id.startsWith(s.prefix) || r.runLevel === true);
    expect(own.length).toBeGreaterThan(5);
    const report = await rejudgeResults(clean.results, clean.context);
    expect(report.discrepancies).toEqual([]);
    expect(report.skipped).toEqual([]);
    expect(report.checked).toBe(clean.results.length);
  });

  it('an edited verdict is a discrepancy naming the case and the target', async () => {
    const edited = copy(clean.results);
    const i = passing(edited, s.prefix);
    const target = edited[i] as CaseResult;
    target.verdict = 'fail';
    const report = await rejudgeResults(edited, clean.context);
    expect(report.discrepancies).toContainEqual({
      id: target.id,
      target: target.target,
      field: 'verdict',
      recorded: 'fail',
      recomputed: 'pass',
    });
  });

  it('an edited observation (one field of one step) is a discrepancy naming the case', async () => {
    const edited = copy(clean.results);
    const i = passing(edited, s.prefix);
    const target = edited[i] as CaseResult;
    s.editObservation(target.observations as Record<string, unknown>);
    const report = await rejudgeResults(edited, clean.context);
    const verdict = report.discrepancies.find((d) => d.id === target.id && d.field === 'verdict');
    expect(verdict, JSON.stringify(report.discrepancies)).toMatchObject({ target: target.target, recorded: 'pass' });
    expect(verdict?.recomputed).not.toBe('pass');
  });

  it('a different vector (one the model reads otherwise) is a discrepancy naming the case', async () => {
    const suite = suites[s.name] as AnySuite;
    const i = clean.results.findIndex(
      (r) =>
        r.id.startsWith(s.vectorCases ?? s.prefix) &&
        r.verdict === 'pass' &&
        r.runLevel !== true &&
        changes(suite, r, s.editVector),
    );
    expect(i, 'a case whose edited vector the model reads otherwise').toBeGreaterThanOrEqual(0);
    const target = clean.results[i] as CaseResult;
    const planned = suite.list().find((c) => c.id === target.id) as PlannedCase & { vector: Record<string, unknown> };
    const original = planned.vector;
    planned.vector = structuredClone(original);
    s.editVector(planned.vector);
    try {
      const report = await rejudgeResults(clean.results, clean.context);
      expect(report.discrepancies.map((d) => `${d.id} ${d.target} ${d.field}`)).toContain(
        `${target.id} ${target.target} verdict`,
      );
    } finally {
      planned.vector = original;
    }
  });

  it('results written by a run with seeded defects judge again to what was recorded (failures as failures)', async () => {
    const defective = await run(s.defective, s.grep);
    const failed = defective.results.filter((r) => r.verdict === 'fail' && r.runLevel !== true);
    expect(failed.length).toBeGreaterThan(0);
    const report = await rejudgeResults(defective.results, defective.context);
    expect(report.discrepancies).toEqual([]);
    // A broken case (the target gave nothing to judge) is listed as skipped, saying why; no other is.
    for (const skipped of report.skipped) expect(skipped.reason).toMatch(/^broken: /);
    expect(report.checked + report.skipped.length).toBe(defective.results.length);
  }, 240_000);
});

/** Whether `edit` changes the vector of `recorded`'s case (a case the suite loaded from a vector). */
function changes(suite: AnySuite, recorded: CaseResult, edit: (v: Record<string, unknown>) => void): boolean {
  const planned = suite.list().find((c) => c.id === recorded.id) as
    (PlannedCase & { vector?: Record<string, unknown> }) | undefined;
  if (planned?.vector === undefined) return false;
  const probe = structuredClone(planned.vector);
  edit(probe);
  return JSON.stringify(probe) !== JSON.stringify(planned.vector);
}

describe('re-judging chained Open Mobile cases (resets: fewest)', () => {
  it('judges a continued case and one whose given steps were sent from the state an earlier case left to what was recorded', async () => {
    const chained = await run(
      {
        targets: (['ios', 'android'] as const).map((platform) => ({
          name: `chained-${platform}`,
          driver: 'emulated',
          options: { platform },
          resets: 'fewest' as const,
        })),
        run: ['chained-ios', 'chained-android'],
      },
      ['om:gen-soft-', 'om:at-'],
    );
    const step = (pattern: RegExp) => chained.results.filter((r) => r.steps.some((st) => pattern.test(st.name))).length;
    expect(step(/^no reset: .* the given steps lead to \(read back\)$/)).toBeGreaterThan(0);
    expect(step(/^no reset: .* from which the given steps lead/)).toBeGreaterThan(0);
    const report = await rejudgeResults(chained.results, chained.context);
    expect(report.discrepancies).toEqual([]);
    expect(report.checked).toBe(chained.results.length);
  }, 240_000);
});
