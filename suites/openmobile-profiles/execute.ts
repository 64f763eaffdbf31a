/**
 * Runs one vector against a profile-server session and turns the judged exchanges into a CaseResult,
 * with every exchange of a failing case attached (request and response as they travelled).
 */
import type { Attachment, CaseResult, StepRecord, Verdict } from '../../src/core/results.ts';
import type { BaseTargetInfo, WireExchange } from '../../src/core/types.ts';
import { CallRecorder, judgeAgain, replayEnv, withoutRequestBody } from '../../src/core/call-record.ts';
import { markSecrets } from '../../src/core/secret-markers.ts';
import {
  resultFrame,
  type CaseEnv,
  type PlannedCase,
  type Rejudged,
  type RejudgeTarget,
} from '../../src/core/suite.ts';
import { decidingPart } from '../../src/core/verdict.ts';
import { caseSourceOf } from '../../src/core/vector-files.ts';
import { describeOperation, formatExchange, runSequence } from './judge.ts';
import { requirement } from './requirements.ts';
import { SPECIFICATION, type ProfileServerSession, type Vector } from './types.ts';
import { operationsOf } from './vectors.ts';

export interface ProfilesCase extends PlannedCase {
  vector: Vector;
}

export function caseOf(vector: Vector): ProfilesCase {
  const ops = operationsOf(vector);
  return {
    id: vector.id,
    title: vector.title,
    area: vector.area,
    requirements: vector.requirements,
    needs: ops.some((o) => o.op === 'create') ? ['admin', 'create'] : ['admin'],
    ...caseSourceOf(vector),
    requests: Math.max(1, ops.length),
    vector,
  };
}

/**
 * Runs one case, recording every exchange (and state probe) as the server answered it
 * (`CaseResult.observations`), so that the case can be judged again without the server
 * ({@link rejudgeProfilesCase}).
 */
export async function runProfilesCase(
  planned: ProfilesCase,
  env: CaseEnv<ProfileServerSession, BaseTargetInfo>,
  everyChoice = false,
): Promise<CaseResult> {
  const recorder = new CallRecorder();
  const session: ProfileServerSession = {
    exchange: (request, signal) =>
      recorder.record(callName(request), env.session.exchange(request, signal), withoutRequestBody),
    close: () => env.session.close(),
  };
  const result = await judgeProfilesCase(planned, { ...env, session }, everyChoice);
  result.observations = { calls: markSecrets(recorder.calls, planned.secrets ?? []) };
  return result;
}

function callName(request: { method: string; path: string }): string {
  return `${request.method} ${request.path}`;
}

/** A recorded case judged again: its exchanges answered from the record (src/core/call-record.ts). */
export function rejudgeProfilesCase(
  planned: ProfilesCase,
  recorded: CaseResult,
  target: RejudgeTarget,
): Promise<Rejudged | { skipped: string }> {
  return judgeAgain(recorded, planned.secrets ?? [], (replay) => {
    const session: ProfileServerSession = {
      exchange: async (request) => replay.answer<WireExchange>(callName(request)),
      close: async () => {},
    };
    return judgeProfilesCase(planned, replayEnv(recorded, session, target.info), target.everyChoice === true);
  });
}

async function judgeProfilesCase(
  planned: ProfilesCase,
  env: CaseEnv<ProfileServerSession, BaseTargetInfo>,
  everyChoice: boolean,
): Promise<CaseResult> {
  const start = Date.now();
  const vector = planned.vector;
  const outcome = await runSequence(env.session, { operations: operationsOf(vector), everyChoice }, env.signal);
  const stop = Date.now();
  const failed = outcome.failure !== null;
  const attach = failed || env.artifacts === 'always';
  const steps: StepRecord[] = outcome.steps.map((s, i) => ({
    name: s.name,
    status: s.failure === null ? 'passed' : 'failed',
    // Steps carry no timing of their own beyond the exchange's duration; spread them over the case.
    start: start + i,
    stop: start + i + s.exchange.ms,
    ...(s.failure === null ? {} : { message: s.failure.message }),
    ...(attach ? { attachments: [exchangeAttachment(s.exchange, s.name)] } : {}),
  }));
  let verdict: Verdict = 'pass';
  let message = `${outcome.steps.length} exchange(s) as the model predicts`;
  const attachments: Attachment[] = [];
  const result: CaseResult = {
    ...resultFrame(planned, env, SPECIFICATION, start),
    requirements: planned.requirements,
    verdict,
    message,
    parameters: {
      catalog: `${vector.catalog.profiles.length} profile(s)`,
      ...(vector.given !== undefined ? { setup: vector.given.map(describeOperation).join('\n') } : {}),
      request: describeOperation(vector.when),
    },
    expected: vector.then,
    steps,
    attachments,
    stop,
  };
  result.choices = { ...outcome.choices };
  // The parts of the outcome, each with its verdict; the worst decides (src/core/verdict.ts), and only its
  // message, category and requirements are the case's.
  const parts: { verdict: Verdict; apply: () => void }[] = [];
  const failure = outcome.failure;
  if (failure !== null) {
    parts.push({
      // A broken SHOULD is reported, but does not fail the run.
      verdict:
        failure.category === 'broken-target'
          ? 'broken'
          : requirement(failure.requirement).severity === 'SHOULD'
            ? 'non-strict'
            : 'fail',
      apply: () => {
        const failing = outcome.steps[failure.step];
        message = `${failure.requirement}: ${failure.message}`;
        result.category = failure.category;
        if (!result.requirements.includes(failure.requirement))
          result.requirements = [...result.requirements, failure.requirement];
        if (failing !== undefined) {
          result.observed = failing.exchange.response ?? { failure: failing.exchange.failure };
          attachments.push(exchangeAttachment(failing.exchange, `failing exchange: ${failing.name}`));
        }
        attachments.push({
          name: 'wire transcript',
          contentType: 'text/plain',
          body: outcome.steps.map((s) => `## ${s.name}\n${formatExchange(s.exchange)}`).join('\n\n'),
        });
      },
    });
  }
  if (outcome.deviations.length > 0) {
    // Accepted, though a SHOULD says otherwise: reported, but it does not fail the run.
    parts.push({
      verdict: 'non-strict',
      apply: () => {
        message = outcome.deviations.map((d) => `${d.requirement}: ${d.message}`).join('; ');
        for (const d of outcome.deviations)
          if (!result.requirements.includes(d.requirement))
            result.requirements = [...result.requirements, d.requirement];
      },
    });
  }
  if (Object.keys(outcome.choices).length > 0) {
    parts.push({
      verdict: 'informational',
      apply: () => {
        message = `${message}; the server chose ${Object.entries(outcome.choices)
          .map(([point, option]) => `${point}: ${option}`)
          .join(', ')}`;
      },
    });
  }
  const deciding = decidingPart(parts);
  deciding?.apply();
  verdict = deciding?.verdict ?? 'pass';
  result.verdict = verdict;
  result.message = message;
  return result;
}

function exchangeAttachment(exchange: Parameters<typeof formatExchange>[0], name: string): Attachment {
  return { name, contentType: 'text/plain', body: formatExchange(exchange) };
}
