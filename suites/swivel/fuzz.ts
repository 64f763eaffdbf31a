/**
 * The `agentxml-bodies` fuzz property: from a fixed starting state (alice: a current device, a retired device,
 * a used code and an outstanding code; bob: no device), one generated AgentXML body; the answer and the state
 * after it must be what the model predicts, and never an HTTP 500, a hang or a non-SASResponse.
 */
import type { FuzzFailure, FuzzProperty, FuzzStatistics } from '../../src/core/fuzz.ts';
import { agentBody, type GeneratedBody } from './arbitraries.ts';
import { StepRunner, worldOf } from './execute.ts';
import { initialState, predictAgent, predictStep } from './model.ts';
import type { ModelState, Step, SwivelSession, Vector, World } from './types.ts';

export const FUZZ_PROPERTY_IDS = ['agentxml-bodies'] as const;

/** The fixture, as vector steps (so a kept failure replays as an ordinary vector). */
export const FIXTURE_STEPS: Step[] = [
  { do: 'create-user', username: 'alice' },
  { do: 'create-user', username: 'bob' },
  { do: 'issue-code', username: 'alice', as: 'used' },
  { do: 'provision', username: 'alice', code: { ref: 'used' }, as: 'old', expect: { result: 'PASS' } },
  { do: 'issue-code', username: 'alice', as: 'c2' },
  { do: 'provision', username: 'alice', code: { ref: 'c2' }, as: 'device', expect: { result: 'PASS' } },
  { do: 'issue-code', username: 'alice', as: 'code' },
];

/** After the generated body: alice's outstanding code must still work, unless the body itself used it. */
const PROBE: Step = { do: 'provision', username: 'alice', code: { ref: 'code' }, expect: { result: 'PASS' } };

export function agentBodiesProperty(
  session: SwivelSession,
  capabilities: readonly string[],
): FuzzProperty<GeneratedBody> {
  const world = worldOf(session, capabilities);
  const stats: FuzzStatistics = { cases: 0, tables: { family: {}, answer: {} }, attachments: [], informational: [] };
  const tally = (table: string, key: string) => {
    const t = (stats.tables[table] ??= {});
    t[key] = (t[key] ?? 0) + 1;
  };
  return {
    id: 'agentxml-bodies',
    name: 'generated AgentXML bodies (valid, mutated, type-confused, malformed) answered as the model predicts',
    arbitrary: agentBody,
    async check(value, signal): Promise<FuzzFailure | null> {
      await session.reset(signal);
      const runner = new StepRunner(session, world, signal, ['SW-FAIL-NO-STATE-CHANGE']);
      for (const [i, step] of FIXTURE_STEPS.entries()) {
        const setup = await runner.run(step, `fixture ${i + 1}`);
        if (setup !== null)
          return {
            message: `while setting up the fixture, step ${i + 1}: ${setup.message}`,
            requirements: setup.requirements,
            category: setup.category,
          };
      }
      const predicted = predictAgent(runner.state, value.body, 0, world).prediction;
      stats.cases++;
      tally('family', value.family);
      tally('answer', predicted.result === 'PASS' ? 'PASS' : `FAIL ${predicted.errors[0] ?? ''}`);
      let deviation = await runner.run(
        { do: 'send', body: value.body, expect: { result: 'PASS' } },
        `${value.family}: ${value.note}`,
      );
      // Devices are checked after every request; an outstanding code can only be seen by using it, so the
      // probe uses alice's (the model knows whether the generated body used it up already).
      if (deviation === null) deviation = await runner.run(PROBE, 'probe: alice provisions with her outstanding code');
      if (deviation === null) return null;
      return {
        message: runner.redactor.text(`${value.family} body (${value.note}): ${deviation.message}`),
        requirements: [...new Set([...deviation.requirements, ...requirementsOf(predicted.errors)])],
        category: deviation.category,
      };
    },
    describe(value) {
      return `${value.family} (${value.note}): ${JSON.stringify(value.body)}`;
    },
    statistics() {
      return structuredClone(stats);
    },
    regression(value, failure, origin) {
      const vector: Vector = {
        id: `sw:reg-${origin.seed}-${origin.path.replace(/[^0-9]+/g, '-')}`.replace(/-+$/, ''),
        title: `fuzz ${origin.property} on ${origin.target}: ${value.family} (${value.note})`,
        area: 'regressions',
        requirements: failure.requirements.length > 0 ? failure.requirements : ['SW-NO-SERVER-ERROR'],
        steps: [
          ...FIXTURE_STEPS,
          { do: 'send', body: value.body, expect: expectOf(value.body, world) },
          probeAfter(value.body, world),
        ],
      };
      return { description: failure.message, vectors: [vector] };
    },
  };
}

/** What the model expects of the body after the fixture (a kept failure's vector states it). */
function expectOf(body: string, world: World): Extract<Step, { do: 'send' }>['expect'] {
  const p = predictAgent(fixtureState(world), body, 0, world).prediction;
  if (p.result === 'PASS') return { result: 'PASS' };
  const [only] = p.errors;
  return { result: 'FAIL', error: p.errors.length === 1 && only !== undefined ? only : [...p.errors] };
}

function probeAfter(body: string, world: World): Step {
  const after = predictAgent(fixtureState(world), body, 0, world).next;
  const p = predictStep(after, PROBE, world).prediction;
  const expect: Extract<Step, { do: 'provision' }>['expect'] =
    p.kind === 'agent' && p.prediction.result === 'FAIL'
      ? { result: 'FAIL', error: p.prediction.errors[0] ?? 'AGENT_ERROR_INVALID_PROVISION_CODE' }
      : { result: 'PASS' };
  return { do: 'provision', username: 'alice', code: { ref: 'code' }, expect };
}

function fixtureState(world: World): ModelState {
  let state = initialState();
  for (const step of FIXTURE_STEPS) state = predictStep(state, step, world).next;
  return state;
}

function requirementsOf(errors: readonly string[]): string[] {
  const map: Record<string, string> = {
    AGENT_ERROR_MALFORMED_XML: 'SW-ERR-MALFORMED',
    AGENT_ERROR_BAD_REQUEST: 'SW-ERR-MALFORMED',
    AGENT_ERROR_UNKNOWN_ACTION: 'SW-ERR-MALFORMED',
    AGENT_ERROR_MISSING_ELEMENT: 'SW-ERR-MISSING-ELEMENT',
    AGENT_ERROR_NO_USER_FOUND: 'SW-ERR-UNKNOWN-USER',
    AGENT_ERROR_INVALID_PROVISION_CODE: 'SW-ERR-INVALID-CODE',
    AGENT_ERROR_NOT_PROVISIONED: 'SW-ERR-OLD-DEVICE',
  };
  return errors.flatMap((e) => (map[e] === undefined ? [] : [map[e]]));
}
