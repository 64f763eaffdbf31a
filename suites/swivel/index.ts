/**
 * The Swivel mobile provision code suite: fixed vectors (vectors/swivel/*.json) run against a Swivel server
 * through the `swivel` driver, judged step by step by the model, plus the `agentxml-bodies` fuzz property.
 */
import path from 'node:path';
import type { FuzzProperty } from '../../src/core/fuzz.ts';
import type { IcsVocabulary } from '../../src/core/ics.ts';
import type { CaseResult } from '../../src/core/results.ts';
import type {
  CaseEnv,
  FuzzEnv,
  FuzzOptions,
  PlannedCase,
  Rejudged,
  RejudgeTarget,
  Suite,
  SuiteLoadContext,
  TargetDeclarations,
  TargetPlan,
} from '../../src/core/suite.ts';
import { caseSourceOf, loadExtraVectorFile } from '../../src/core/vector-files.ts';
import { caseNamed, fixedPlan, requirementInfos, resultFrame } from '../../src/core/suite.ts';
import type { BaseTargetInfo, WireExchange } from '../../src/core/types.ts';
import { CallRecorder, judgeAgain, replayEnv, withoutRequestBody } from '../../src/core/call-record.ts';
import { markSecrets } from '../../src/core/secret-markers.ts';
import { describeStep, runVector } from './execute.ts';
import { agentBodiesProperty, FUZZ_PROPERTY_IDS } from './fuzz.ts';
import { initialState, predictStep, worldOfRequires } from './model.ts';
import { REQUIREMENTS, SPECIFICATION } from './requirements.ts';
import type { SwivelSession, Vector } from './types.ts';
import { builtSwivelVectors, CASE_ID_PREFIX, checkDocument, loadSwivelVectors } from './vectors.ts';

export { SPECIFICATION };

export interface SwivelCase extends PlannedCase {
  vector: Vector;
}

/**
 * What a real-time case needs beyond its waits: its requests, each bounded by the driver's own timeout, and
 * the checks between them. The same as the default case timeout, so a wait never eats into it.
 */
export const REAL_TIME_MARGIN_MS = 10_000;

/** The wall time a vector waits on purpose (`wait` steps), in ms. */
export function waitMsOf(vector: Vector): number {
  return vector.steps.reduce((total, s) => total + (s.do === 'wait' ? s.seconds * 1000 : 0), 0);
}

export function caseOf(vector: Vector): SwivelCase {
  const needs: string[] = [];
  if (vector.requires?.clock === true) needs.push('clock');
  if (vector.requires?.cluster === true) needs.push('cluster');
  if (vector.requires?.sessionSharing === true) needs.push('session-sharing');
  return {
    id: vector.id,
    title: vector.realTime === true ? `${vector.title} [real time]` : vector.title,
    area: vector.area,
    requirements: vector.requirements,
    needs,
    ...caseSourceOf(vector),
    requests: Math.max(1, vector.steps.filter((s) => s.do !== 'wait').length),
    // Provision codes are generated at run time and redacted by the runner as they arrive.
    secrets: [],
    // A case that waits declares its own timeout: the runner gives it at least this (caseTimeoutMs).
    ...(waitMsOf(vector) > 0 ? { timeoutMs: waitMsOf(vector) + REAL_TIME_MARGIN_MS } : {}),
    vector,
  };
}

export class SwivelSuite implements Suite<SwivelSession, BaseTargetInfo> {
  readonly name = 'swivel';
  readonly caseIdPrefix = CASE_ID_PREFIX;
  readonly specification = SPECIFICATION;
  readonly fuzzPropertyIds = FUZZ_PROPERTY_IDS;
  private cases: SwivelCase[] | null = null;

  /** `extraFiles`: vector files to load beside vectors/swivel/ (a failure-corpus file to replay). */
  constructor(private readonly extraFiles: string[] = []) {}

  async load(context: SuiteLoadContext): Promise<void> {
    const ids = { prefix: CASE_ID_PREFIX, renamed: context.renamed };
    const vectors = await loadSwivelVectors(path.join(context.vectorsRoot, this.name), {
      rootDir: context.rootDir,
      ids,
    });
    vectors.push(...builtSwivelVectors(vectors));
    for (const file of this.extraFiles)
      vectors.push(...(await loadExtraVectorFile(file, context.rootDir, vectors, checkDocument, ids)));
    this.cases = vectors.map(caseOf);
  }

  private loaded(): SwivelCase[] {
    if (this.cases === null) throw new Error('SwivelSuite used before load()');
    return this.cases;
  }

  list(): PlannedCase[] {
    return this.loaded();
  }

  /** A recorded case judged again from its recorded calls (`rejudgeSwivelCase`). */
  rejudge(recorded: CaseResult, target: RejudgeTarget): Promise<Rejudged | { skipped: string }> | { skipped: string } {
    const planned = this.loaded().find((c) => c.id === recorded.id);
    if (planned === undefined) return { skipped: `not a case of the Swivel plan: ${recorded.id}` };
    return rejudgeSwivelCase(planned, recorded, target);
  }

  plan(info: BaseTargetInfo, target: TargetDeclarations): TargetPlan<SwivelSession, BaseTargetInfo> {
    void info; // Applicability is decided per case from the target's capabilities (needs, and requires: false).
    void target;
    return fixedPlan(this.loaded(), (planned, env) => runSwivelCase(planned as SwivelCase, env));
  }

  fuzzProperties(
    env: FuzzEnv<SwivelSession, BaseTargetInfo>,
    options: FuzzOptions<SwivelSession, BaseTargetInfo>,
  ): FuzzProperty<unknown>[] {
    const wanted = options.properties ?? this.fuzzPropertyIds;
    const properties = [agentBodiesProperty(env.session, env.info.capabilities)];
    return properties.filter((p) => wanted.includes(p.id)) as unknown as FuzzProperty<unknown>[];
  }

  catalogue() {
    return {
      requirements: requirementInfos(REQUIREMENTS),
      choicePoints: [],
    };
  }

  icsVocabulary(): IcsVocabulary {
    // Capabilities: the cases' `needs` (caseOf).
    return { suite: this.name, choicePoints: [], capabilities: ['clock', 'cluster', 'session-sharing'] };
  }

  explain(caseId: string): string {
    return explainVector(caseNamed(this.loaded(), caseId, 'Swivel').vector);
  }
}

/** Runs one planned case and turns it into the engine's result. Throws (broken) when the target misbehaves. */
export async function runSwivelCase(
  planned: SwivelCase,
  env: CaseEnv<SwivelSession, BaseTargetInfo>,
): Promise<CaseResult> {
  const recorder = new CallRecorder();
  const { session } = env;
  const recording: SwivelSession = {
    instances: session.instances,
    reset: (signal) => session.reset(signal),
    agentXml: (body, options) => recorder.record('agentXml', session.agentXml(body, options), withoutRequestBody),
    hook: (method, hookPath, body, options) =>
      recorder.record(`${method} ${hookPath}`, session.hook(method, hookPath, body, options), withoutRequestBody),
    close: () => session.close(),
  };
  const { result, secrets } = await judgeSwivelCase(planned, { ...env, session: recording });
  // The codes and strings the server handed out stand as markers: re-judging reads them as opaque values.
  result.observations = { instances: session.instances, calls: markSecrets(recorder.calls, secrets) };
  return result;
}

/** A recorded case judged again: its calls answered from the record, no real-time wait. */
export function rejudgeSwivelCase(
  planned: SwivelCase,
  recorded: CaseResult,
  target: RejudgeTarget,
): Promise<Rejudged | { skipped: string }> {
  const instances = recorded.observations?.['instances'];
  return judgeAgain(recorded, [], async (replay) => {
    const session: SwivelSession = {
      instances: typeof instances === 'number' ? instances : 1,
      reset: async () => {},
      agentXml: async () => replay.answer<WireExchange>('agentXml'),
      hook: async (method, hookPath) => replay.answer<WireExchange>(`${method} ${hookPath}`),
      close: async () => {},
    };
    const judged = await judgeSwivelCase(planned, replayEnv(recorded, session, target.info), async () => {});
    return judged.result;
  });
}

async function judgeSwivelCase(
  planned: SwivelCase,
  env: CaseEnv<SwivelSession, BaseTargetInfo>,
  wait?: (ms: number, signal: AbortSignal) => Promise<void>,
): Promise<{ result: CaseResult; secrets: readonly string[] }> {
  const start = Date.now();
  const run = await runVector(planned.vector, env.session, env.info.capabilities, env.signal, env.artifacts, wait);
  const result: CaseResult = {
    ...resultFrame(planned, env, SPECIFICATION, start),
    requirements: run.requirements,
    verdict: run.verdict,
    message: run.message,
    parameters: run.parameters,
    steps: run.steps,
    attachments: run.attachments,
    stop: Date.now(),
  };
  if (run.category !== undefined) result.category = run.category;
  if (run.missing !== undefined && run.missing.length > 0) result.missing = run.missing;
  return { result, secrets: run.secrets ?? [] };
}

/** The model's derivation, step by step, for the world the vector is written for. */
export function explainVector(vector: Vector): string {
  const lines = [
    `${vector.id}: ${vector.title}`,
    `  from ${vector.source ?? '?'}; requirements ${vector.requirements.join(', ')}`,
  ];
  if (vector.requires !== undefined)
    lines.push(`  requires ${JSON.stringify(vector.requires)} (capabilities clock, cluster, session-sharing)`);
  const world = worldOfRequires(vector.requires);
  let state = initialState();
  vector.steps.forEach((step, i) => {
    const { prediction, next } = predictStep(state, step, world);
    lines.push('', describeStep(step, i));
    if (prediction.kind === 'agent') {
      const p = prediction.prediction;
      lines.push(
        `  body: ${prediction.body}`,
        `  expected: ${p.result === 'PASS' ? 'PASS' : `FAIL ${p.errors.join(' or ')}`}, because ${p.why}`,
      );
      if (p.requestId !== null && p.requestId !== '') lines.push(`  RequestID echoed: ${JSON.stringify(p.requestId)}`);
    } else if (prediction.kind === 'issue' || prediction.kind === 'set-policy') {
      lines.push(`  expected: ${prediction.outcome}, because ${prediction.why}`);
    } else if (prediction.kind === 'check-policy') {
      lines.push(`  expected: ${JSON.stringify(prediction.policy)}`);
    }
    const devices = Object.entries(next.users).map(([u, d]) => `${u}: ${d.device ?? 'none'}`);
    if (devices.length > 0) lines.push(`  devices after: ${devices.join(', ')}`);
    state = next;
  });
  return lines.join('\n');
}
