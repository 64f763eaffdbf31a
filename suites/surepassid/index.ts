/**
 * The SurePassID soft-token provisioning suite: fixed vectors (vectors/surepassid/*.json) run against a
 * SurePassID server's REST/JSON OATH endpoint, each request judged by the model (model.ts), plus the
 * `requests` fuzz property (generated bodies in the style of Schemathesis). A target is reached through the
 * `surepassid` driver (drivers/http/surepassid.ts), whose session matches {@link SurePassIdSession}.
 */
import path from 'node:path';
import { HarnessError } from '../../src/core/errors.ts';
import type { FuzzProperty } from '../../src/core/fuzz.ts';
import type { IcsVocabulary } from '../../src/core/ics.ts';
import { REDACTED } from '../../src/core/redact.ts';
import type { CaseResult } from '../../src/core/results.ts';
import type {
  CaseEnv,
  ChoicePointInfo,
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
import type { BaseTargetInfo } from '../../src/core/types.ts';
import { CallRecorder, judgeAgain, replayEnv, ReplayMismatch, withoutRequestBody } from '../../src/core/call-record.ts';
import { markSecrets, substituteStrings } from '../../src/core/secret-markers.ts';
import { describeExpectation } from './judge.ts';
import { ALGORITHM_CASE_CHOICE } from './keyuri.ts';
import { TYPE_CASE_CHOICE } from './model.ts';
import { runVector, SPECIFICATION, standInSecret, type SurePassIdCaseRun } from './execute.ts';
import { imageFetcherOf, type QrImageFetcher } from './qr.ts';
import { surePassIdFuzzProperties, SUREPASSID_FUZZ_PROPERTY_IDS } from './fuzz.ts';
import { REQUIREMENTS } from './requirements.ts';
import { TEST_HOOKS, type OathExchange, type SurePassIdSession, type Vector } from './types.ts';
import { CASE_ID_PREFIX, checkVectorDocument, loadSurePassIdVectors, modelExpectations } from './vectors.ts';

export { SPECIFICATION } from './execute.ts';

export interface SurePassIdCase extends PlannedCase {
  vector: Vector;
}

/** A case per vector; cases with fixtures need the target's test hooks. */
export function caseOf(vector: Vector): SurePassIdCase {
  const given = vector.given ?? {};
  const fixtures = (given.accounts?.length ?? 0) + (given.users?.length ?? 0) + (given.devices?.length ?? 0) > 0;
  return {
    id: vector.id,
    title: vector.title,
    area: vector.area,
    requirements: vector.requirements,
    needs: fixtures ? [TEST_HOOKS] : [],
    ...caseSourceOf(vector),
    // Its steps, and the test hook that sets its fixtures up: the shard cost estimate.
    requests: Math.max(1, vector.steps.length + (fixtures ? 1 : 0)),
    // The runner redacts these even from a broken case's message (a hook's error, a body excerpt).
    secrets: [...(given.accounts ?? []).map((a) => a.key), ...literalKeys(vector)],
    vector,
  };
}

/** Where the sources are silent and a server may answer either way (each option accepted, recorded). */
const CHOICE_POINTS: readonly ChoicePointInfo[] = [
  {
    id: TYPE_CASE_CHOICE,
    title: '`type` spelt in another letter case (PROVISION_OATH_DEVICE)',
    options: ['refused', 'accepted'],
    reading:
      'The sources spell every type in lower case and say nothing of others: a non-zero errorCode, or the operation the type spells (judged as that operation), are both accepted.',
  },
  {
    id: ALGORITHM_CASE_CHOICE,
    title: 'Key URI `algorithm` in another letter case (sha256)',
    options: ['format-case', 'other-case'],
    reading:
      'The Key URI format lists SHA1, SHA256 and SHA512 and says nothing of letter case: another case of one of them is accepted.',
  },
];

export class SurePassIdSuite implements Suite<SurePassIdSession, BaseTargetInfo> {
  readonly name = 'surepassid';
  readonly caseIdPrefix = CASE_ID_PREFIX;
  readonly specification = SPECIFICATION;
  readonly fuzzPropertyIds = SUREPASSID_FUZZ_PROPERTY_IDS;
  private cases: SurePassIdCase[] | null = null;

  /** `extraFiles`: vector files to load beside vectors/surepassid/ (a failure-corpus file to replay). */
  constructor(private readonly extraFiles: string[] = []) {}

  async load(context: SuiteLoadContext): Promise<void> {
    const ids = { prefix: CASE_ID_PREFIX, renamed: context.renamed };
    const vectors = await loadSurePassIdVectors(path.join(context.vectorsRoot, this.name), context.rootDir, ids);
    for (const file of this.extraFiles)
      vectors.push(...(await loadExtraVectorFile(file, context.rootDir, vectors, checkVectorDocument, ids)));
    this.cases = vectors.map(caseOf);
  }

  private loaded(): SurePassIdCase[] {
    if (this.cases === null) throw new Error('SurePassIdSuite used before load()');
    return this.cases;
  }

  list(): PlannedCase[] {
    return this.loaded();
  }

  /** A recorded case judged again from its recorded calls (`rejudgeSurePassIdCase`). */
  rejudge(recorded: CaseResult, target: RejudgeTarget): Promise<Rejudged | { skipped: string }> | { skipped: string } {
    const planned = this.loaded().find((c) => c.id === recorded.id);
    if (planned === undefined) return { skipped: `not a case of the SurePassID plan: ${recorded.id}` };
    return rejudgeSurePassIdCase(planned, recorded, target);
  }

  plan(info: BaseTargetInfo, target: TargetDeclarations): TargetPlan<SurePassIdSession, BaseTargetInfo> {
    void info; // Applicability (test hooks) is the runner's, from each case's `needs`.
    return fixedPlan(this.loaded(), (planned, env) =>
      runSurePassIdCase(planned as SurePassIdCase, env, target.everyChoice === true),
    );
  }

  fuzzProperties(
    env: FuzzEnv<SurePassIdSession, BaseTargetInfo>,
    options: FuzzOptions<SurePassIdSession, BaseTargetInfo>,
  ): FuzzProperty<unknown>[] {
    if (!env.info.capabilities.includes(TEST_HOOKS)) {
      throw new HarnessError(
        'HARNESS_USAGE',
        `target ${env.target.name} has no test hooks: the SurePassID fuzz property creates accounts, users and deletions through them`,
      );
    }
    const properties = surePassIdFuzzProperties(
      env.session,
      options.maxSteps === undefined ? {} : { maxSteps: options.maxSteps },
    );
    const wanted = options.properties ?? this.fuzzPropertyIds;
    return properties.filter((p) => wanted.includes(p.id)) as FuzzProperty<unknown>[];
  }

  catalogue() {
    return {
      requirements: requirementInfos(REQUIREMENTS),
      choicePoints: CHOICE_POINTS,
    };
  }

  icsVocabulary(): IcsVocabulary {
    return { suite: this.name, choicePoints: CHOICE_POINTS, capabilities: [TEST_HOOKS] };
  }

  explain(caseId: string): string {
    return explainVector(caseNamed(this.loaded(), caseId, 'SurePassID').vector);
  }
}

/** Runs one planned case and turns it into the engine's result. Throws (broken) only when the target cannot be reached. */
export async function runSurePassIdCase(
  planned: SurePassIdCase,
  env: CaseEnv<SurePassIdSession, BaseTargetInfo>,
  everyChoice = false,
): Promise<CaseResult> {
  const recorder = new CallRecorder();
  const { session } = env;
  const recording: SurePassIdSession = {
    endpoint: session.endpoint,
    send: (body, signal, contentType) =>
      recorder.record('send', session.send(body, signal, contentType), withoutRequestBody),
    hooks: {
      reset: (signal) => session.hooks.reset(signal),
      createAccount: (account, signal) =>
        recorder.record('createAccount', session.hooks.createAccount(account, signal)),
      createUser: (user, signal) => recorder.record('createUser', session.hooks.createUser(user, signal)),
      deleteDevice: (device, signal) => recorder.record('deleteDevice', session.hooks.deleteDevice(device, signal)),
    },
    close: () => session.close(),
  };
  const fetcher = imageFetcherOf(session);
  if (fetcher !== null)
    (recording as SurePassIdSession & QrImageFetcher).fetchImage = (url, signal) => fetcher.fetchImage(url, signal);
  // The fixtures' names come from the case's generator: recorded, so re-judging names them alike.
  const draws: number[] = [];
  const random = () => {
    const x = env.random();
    draws.push(x);
    return x;
  };
  const { result, run } = await judgeSurePassIdCase(planned, { ...env, session: recording, random }, everyChoice);
  if (run.qrImages > 0) {
    result.observations = {
      unjudgeable: 'a QR image was read: its pixels encode the OATH secret, so the answers are not recorded',
    };
    return result;
  }
  // The login keys stand as markers (the vector has them); an OATH secret the server handed out as a
  // stand-in of its form (standInSecret), which the Key URI judge reads as it read the secret.
  const known = planned.secrets ?? [];
  const handedOut = run.secrets.filter((x) => !known.includes(x));
  const standIns = new Map(handedOut.map((x) => [x, standInSecret(x)]));
  const calls = substituteStrings(markSecrets(recorder.calls, known), standIns);
  result.observations = { draws, calls };
  return result;
}

/** A recorded case judged again: its calls answered from the record, its fixtures named by the recorded draws. */
export function rejudgeSurePassIdCase(
  planned: SurePassIdCase,
  recorded: CaseResult,
  target: RejudgeTarget,
): Promise<Rejudged | { skipped: string }> {
  const recordedDraws = recorded.observations?.['draws'];
  const draws = Array.isArray(recordedDraws) ? recordedDraws.filter((x): x is number => typeof x === 'number') : [];
  return judgeAgain(recorded, planned.secrets ?? [], async (replay) => {
    const session: SurePassIdSession = {
      endpoint: '',
      send: async () => replay.answer<OathExchange>('send'),
      hooks: {
        reset: async () => {},
        createAccount: async () => replay.answer<'created' | 'exists'>('createAccount'),
        createUser: async () => replay.answer<undefined>('createUser'),
        deleteDevice: async () => replay.answer<undefined>('deleteDevice'),
      },
      close: async () => {},
    };
    let next = 0;
    const random = () => {
      const x = draws[next++];
      if (x === undefined)
        throw new ReplayMismatch(`the case drew ${next} random values, the record has ${draws.length}`);
      return x;
    };
    const env = { ...replayEnv(recorded, session, target.info), random };
    const { result } = await judgeSurePassIdCase(planned, env, target.everyChoice === true);
    return result;
  });
}

async function judgeSurePassIdCase(
  planned: SurePassIdCase,
  env: CaseEnv<SurePassIdSession, BaseTargetInfo>,
  everyChoice: boolean,
): Promise<{ result: CaseResult; run: SurePassIdCaseRun }> {
  const start = Date.now();
  const run = await runVector(planned.vector, env.session, env.signal, env.random, everyChoice);
  const attach = run.verdict !== 'pass' || env.artifacts === 'always';
  const result: CaseResult = {
    ...resultFrame(planned, env, SPECIFICATION, start),
    requirements: run.verdict === 'fail' ? run.requirements : planned.requirements,
    verdict: run.verdict,
    message: run.message,
    parameters: run.parameters,
    steps: attach ? run.steps : run.steps.map(({ attachments: _attachments, ...step }) => step),
    attachments: [],
    stop: Date.now(),
  };
  result.choices = { ...run.choices };
  if (run.category !== undefined) result.category = run.category;
  if (attach) {
    result.expected = run.expected;
    result.observed = run.observed;
  }
  return { result, run };
}

/** The model's derivation of each step, the fixtures assumed to succeed. */
export function explainVector(vector: Vector): string {
  const lines = [
    `${vector.id}: ${vector.title}`,
    `  from ${vector.source ?? '?'}; requirements ${vector.requirements.join(', ')}`,
  ];
  const given = vector.given ?? {};
  if ((given.accounts?.length ?? 0) > 0) {
    lines.push('', 'fixtures (through the test hooks, devices through add_oath_device):');
    for (const a of given.accounts ?? [])
      lines.push(
        `  account ${a.name} (key redacted${a.issuer === undefined ? '' : `, issuer ${JSON.stringify(a.issuer)}`})`,
      );
    for (const u of given.users ?? []) lines.push(`  user ${u.username} of ${u.account}`);
    for (const d of given.devices ?? []) {
      lines.push(
        `  device ${d.ref} of ${d.username}@${d.account}${d.provision === undefined ? '' : `, provisioned as ${JSON.stringify(d.provision)}`}${d.deleted === true ? ', then deleted' : ''}`,
      );
    }
  }
  // The derivation replays the model exactly as the loader's agreement check does.
  modelExpectations(vector).forEach(({ expectation }, i) => {
    const step = vector.steps[i];
    const shown = step?.raw !== undefined ? JSON.stringify(step.raw) : JSON.stringify(withoutLiteralKey(step?.body));
    lines.push('', `-- step ${i + 1} --`, `  body: ${shown}`, `  expected: ${describeExpectation(expectation)}`);
  });
  return lines.join('\n');
}

/** A body as explain prints it: a login key written in the vector (not a placeholder) is redacted. */
function withoutLiteralKey(body: unknown): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  const key = (body as Record<string, unknown>)['spAccountLoginKey'];
  if (key === undefined || (typeof key === 'string' && /^\{\{key:[A-Za-z0-9._-]+\}\}$/.test(key))) return body;
  return { ...body, spAccountLoginKey: REDACTED };
}

function literalKeys(vector: Vector): string[] {
  const keys: string[] = [];
  for (const step of vector.steps) {
    const key = (step.body as { spAccountLoginKey?: unknown } | null | undefined)?.spAccountLoginKey;
    if (typeof key === 'string' && key !== '' && !key.includes('{{')) keys.push(key);
  }
  return keys;
}
