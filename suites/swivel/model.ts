/**
 * The oracle: what a Swivel server must answer to each step of a vector and what its state must be after.
 * Server-generated values (provision codes, device ids) are tokens here (`{{c1}}`); the runner swaps them
 * for the real values on the way out and binds the real values on the way back, so the model never needs
 * to know a random code.
 *
 * Readings where the seed is silent (docs/swivel.md, "Readings"): a failing request changes nothing; a code
 * is checked against the validity period in force when it was issued, in whole seconds, valid through the
 * period's last second; a newer code replaces the user's earlier one in the same store; element order does
 * not matter, unknown elements are ignored, element values are taken exactly (no trimming).
 */
import { buildSasRequest, parseXml, withoutDoctype, type XmlElement } from './xml.ts';
import type { AgentError, AgentPrediction, ModelState, PolicyValues, Step, ValueRef, World } from './types.ts';

export const PROTOCOL_VERSION = '3.6';
export const DEFAULT_POLICY: Readonly<PolicyValues> = {
  validitySeconds: 600,
  selfProvisioning: false,
  logDeviceInformation: false,
};
export const VALIDITY_MIN = 10;
export const VALIDITY_MAX = 1_000_000;

const KNOWN_ELEMENTS = ['Version', 'Action', 'Username', 'ProvisionCode', 'Id', 'RequestID'];
const ACTIONS = ['provision', 'SecurityStrings'];

export function initialState(): ModelState {
  return { clock: 0, policy: { ...DEFAULT_POLICY }, users: {}, codes: {}, fresh: 0 };
}

export function token(name: string): string {
  return `{{${name}}}`;
}

/** Where a code issued on (or looked up from) `instance` lives: one store when codes are shared. */
export function storeOf(world: World, instance: number): number {
  return world.sessionSharing ? 0 : instance;
}

function valueOf(ref: ValueRef): string {
  return typeof ref === 'string' ? ref : token(ref.ref);
}

/** The AgentXML body of a structured step, with tokens for generated values. */
export function bodyOf(step: Extract<Step, { do: 'provision' | 'security-strings' | 'send' }>): string {
  if (step.do === 'send') return step.body;
  const elements: [string, string][] = [];
  if (step.do === 'provision') {
    if (step.version !== null) elements.push(['Version', step.version ?? PROTOCOL_VERSION]);
    elements.push(['Action', 'provision']);
    if (step.username !== undefined) elements.push(['Username', step.username]);
    if (step.code !== undefined) elements.push(['ProvisionCode', valueOf(step.code)]);
  } else {
    elements.push(['Version', PROTOCOL_VERSION], ['Action', 'SecurityStrings']);
    if (step.device !== undefined) elements.push(['Id', valueOf(step.device)]);
  }
  if (step.requestId !== undefined) elements.push(['RequestID', step.requestId]);
  return buildSasRequest(elements);
}

/** The predicted answer and state; `alternative`: the other permitted reading of the body (a DOCTYPE processed). */
export interface AgentOutcome {
  prediction: AgentPrediction;
  next: ModelState;
  device: string | null;
  alternative?: AgentOutcome;
}

function fail(errors: AgentError[], requestId: string | null, why: string): AgentPrediction {
  return { result: 'FAIL', errors, requestId, returnsId: false, returnsStrings: false, why };
}

/**
 * Predicts the answer to one AgentXML body sent to `instance`, and the state after it. `deviceName` names
 * the device a provision PASS creates (a fresh token otherwise).
 */
export function predictAgent(
  state: ModelState,
  body: string,
  instance: number,
  world: World,
  deviceName?: string,
): AgentOutcome {
  const unchanged = (prediction: AgentPrediction) => ({ prediction, next: state, device: null });
  const root = parseXml(body);
  if (root === null) {
    const refused = unchanged(fail(['AGENT_ERROR_MALFORMED_XML'], null, 'the body is not well-formed XML'));
    // A DOCTYPE: refusing it (no DTD processing) or reading the body with it are both permitted.
    const processed = withoutDoctype(body);
    if (processed === null) return refused;
    refused.prediction.why = 'the body has a DOCTYPE, refused (no DTD processing)';
    return { ...refused, alternative: predictAgent(state, processed, instance, world, deviceName) };
  }
  if (root.name !== 'SASRequest') {
    return unchanged(fail(['AGENT_ERROR_BAD_REQUEST'], null, `the root element is <${root.name}>, not <SASRequest>`));
  }
  const byName = new Map<string, XmlElement[]>();
  for (const child of root.children) {
    if (!KNOWN_ELEMENTS.includes(child.name)) continue;
    byName.set(child.name, [...(byName.get(child.name) ?? []), child]);
  }
  const single = (name: string): string | undefined => {
    const list = byName.get(name) ?? [];
    return list.length === 1 && list[0]?.children.length === 0 ? list[0].text : undefined;
  };
  const ids = byName.get('RequestID') ?? [];
  const requestId = ids.length === 0 ? '' : (single('RequestID') ?? null);

  // Structural rules: which one a server checks first is not specified, so any broken one is acceptable.
  const structural: AgentError[] = [];
  const why: string[] = [];
  for (const [name, list] of byName) {
    if (list.length > 1 || list.some((e) => e.children.length > 0)) {
      if (!structural.includes('AGENT_ERROR_BAD_REQUEST')) structural.push('AGENT_ERROR_BAD_REQUEST');
      why.push(list.length > 1 ? `<${name}> appears ${list.length} times` : `<${name}> holds elements`);
    }
  }
  const version = single('Version');
  const action = single('Action');
  const absentOrEmpty = (name: string): boolean => (byName.get(name) ?? []).length === 0 || single(name) === '';
  if (absentOrEmpty('Version') || absentOrEmpty('Action')) {
    structural.push('AGENT_ERROR_MISSING_ELEMENT');
    why.push(absentOrEmpty('Version') ? 'no <Version>' : 'no <Action>');
  }
  if (action !== undefined && action !== '' && !ACTIONS.includes(action)) {
    structural.push('AGENT_ERROR_UNKNOWN_ACTION');
    why.push(`<Action> ${JSON.stringify(action)} is neither provision nor SecurityStrings`);
  }
  // No text orders the user check against the checks of other elements: for a provision naming a user who
  // does not exist, a server that looks the user up first answers AGENT_ERROR_NO_USER_FOUND instead.
  const named = single('Username');
  const unknownUser = action === 'provision' && named !== undefined && named !== '' && state.users[named] === undefined;
  const orUnknownUser = (errors: AgentError[]): AgentError[] =>
    unknownUser ? [...errors, 'AGENT_ERROR_NO_USER_FOUND'] : errors;
  if (structural.length > 0) return unchanged(fail(orUnknownUser(structural), requestId, why.join('; ')));
  void version;

  if (action === 'SecurityStrings') {
    const id = single('Id') ?? '';
    if (id === '') return unchanged(fail(['AGENT_ERROR_MISSING_ELEMENT'], requestId, 'SecurityStrings without <Id>'));
    const owner = Object.entries(state.users).find(([, u]) => u.device === id);
    if (owner === undefined) {
      return unchanged(fail(['AGENT_ERROR_NOT_PROVISIONED'], requestId, `no user's current device is ${id}`));
    }
    return unchanged({
      result: 'PASS',
      errors: [],
      requestId,
      returnsId: false,
      returnsStrings: true,
      why: `${id} is the current device of "${owner[0]}"`,
    });
  }

  const username = single('Username') ?? '';
  const code = single('ProvisionCode') ?? '';
  if (username === '' || code === '') {
    return unchanged(
      fail(
        orUnknownUser(['AGENT_ERROR_MISSING_ELEMENT']),
        requestId,
        username === '' ? 'provision without <Username>' : 'provision without <ProvisionCode>',
      ),
    );
  }
  const user = state.users[username];
  if (user === undefined) {
    return unchanged(fail(['AGENT_ERROR_NO_USER_FOUND'], requestId, `no user "${username}" in the user database`));
  }
  const store = storeOf(world, instance);
  const issued = state.codes[store]?.[username];
  if (issued === undefined) {
    return unchanged(
      fail(
        ['AGENT_ERROR_INVALID_PROVISION_CODE'],
        requestId,
        world.instances > 1 && !world.sessionSharing
          ? `instance ${instance} holds no code for "${username}" (codes are in each instance's memory without session sharing)`
          : `"${username}" has no outstanding provision code (never issued, or already used)`,
      ),
    );
  }
  if (issued.token !== code) {
    return unchanged(
      fail(['AGENT_ERROR_INVALID_PROVISION_CODE'], requestId, `the code is not the one issued to "${username}"`),
    );
  }
  const elapsed = state.clock - issued.issuedAt;
  if (elapsed > issued.validitySeconds) {
    return unchanged(
      fail(
        ['AGENT_ERROR_INVALID_PROVISION_CODE'],
        requestId,
        `the code expired: ${elapsed} s since it was issued, validity ${issued.validitySeconds} s`,
      ),
    );
  }
  const fresh = deviceName === undefined ? state.fresh + 1 : state.fresh;
  const device = token(deviceName ?? `device-${fresh}`);
  const codes = { ...state.codes, [store]: { ...state.codes[store] } };
  delete codes[store]?.[username];
  const next: ModelState = { ...state, codes, fresh, users: { ...state.users, [username]: { device } } };
  return {
    prediction: {
      result: 'PASS',
      errors: [],
      requestId,
      returnsId: true,
      returnsStrings: false,
      why:
        user.device === null
          ? `the code issued to "${username}" is valid (${elapsed} s of ${issued.validitySeconds} s): provisioned`
          : `the code issued to "${username}" is valid: re-provisioned, the previous device ${user.device} stops working`,
    },
    next,
    device,
  };
}

/** Issues a code (console Reprovision or a permitted self-provision); null when the user is unknown. */
export function predictIssue(
  state: ModelState,
  username: string,
  instance: number,
  world: World,
  codeName?: string,
): { next: ModelState; code: string } | null {
  if (state.users[username] === undefined) return null;
  const fresh = codeName === undefined ? state.fresh + 1 : state.fresh;
  const code = token(codeName ?? `code-${fresh}`);
  const store = storeOf(world, instance);
  return {
    code,
    next: {
      ...state,
      fresh,
      codes: {
        ...state.codes,
        [store]: {
          ...state.codes[store],
          [username]: { token: code, issuedAt: state.clock, validitySeconds: state.policy.validitySeconds },
        },
      },
    },
  };
}

/** Why a policy change must be rejected, or null when it is valid. */
export function policyProblem(change: Record<string, unknown>): string | null {
  for (const [key, value] of Object.entries(change)) {
    if (key === 'validitySeconds') {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < VALIDITY_MIN || value > VALIDITY_MAX) {
        return `validitySeconds ${JSON.stringify(value)} is outside the allowed ${VALIDITY_MIN}..${VALIDITY_MAX}`;
      }
    } else if (key === 'selfProvisioning' || key === 'logDeviceInformation') {
      if (typeof value !== 'boolean') return `${key} must be Yes/No (a boolean), got ${JSON.stringify(value)}`;
    } else return `"${key}" is not a policy setting`;
  }
  return null;
}

export function applyPolicy(state: ModelState, change: Record<string, unknown>): ModelState {
  return { ...state, policy: { ...state.policy, ...(change as Partial<PolicyValues>) } };
}

/** The devices every user must have now: username -> device token or null. */
export function expectedDevices(state: ModelState): Record<string, string | null> {
  return Object.fromEntries(Object.entries(state.users).map(([name, u]) => [name, u.device]));
}

// ---------------------------------------------------------------------------------------------------------
// One vector step at a time (the runner, the agreement check and explain all walk vectors with this)

export type StepPrediction =
  | { kind: 'user'; username: string }
  | { kind: 'issue'; outcome: 'issued' | 'unknown-user' | 'refused'; code: string | null; why: string }
  | { kind: 'set-policy'; outcome: 'accepted' | 'rejected'; why: string }
  | { kind: 'check-policy'; policy: PolicyValues }
  | { kind: 'time'; seconds: number; real: boolean }
  | {
      kind: 'agent';
      body: string;
      instance: number;
      prediction: AgentPrediction;
      device: string | null;
      /** The other permitted answer and the state after it (a DOCTYPE processed instead of refused). */
      alternative?: { prediction: AgentPrediction; device: string | null; next: ModelState };
    };

export function predictStep(
  state: ModelState,
  step: Step,
  world: World,
): { prediction: StepPrediction; next: ModelState } {
  switch (step.do) {
    case 'create-user':
      return {
        prediction: { kind: 'user', username: step.username },
        next:
          state.users[step.username] !== undefined
            ? state
            : { ...state, users: { ...state.users, [step.username]: { device: null } } },
      };
    case 'issue-code': {
      const issued = predictIssue(state, step.username, step.instance ?? 0, world, step.as);
      return issued === null
        ? {
            prediction: { kind: 'issue', outcome: 'unknown-user', code: null, why: `no user "${step.username}"` },
            next: state,
          }
        : {
            prediction: { kind: 'issue', outcome: 'issued', code: issued.code, why: 'console Reprovision' },
            next: issued.next,
          };
    }
    case 'self-provision': {
      if (!state.policy.selfProvisioning) {
        return {
          prediction: {
            kind: 'issue',
            outcome: 'refused',
            code: null,
            why: 'Allow user self-provision of mobile client is No',
          },
          next: state,
        };
      }
      const issued = predictIssue(state, step.username, step.instance ?? 0, world, step.as);
      return issued === null
        ? {
            prediction: { kind: 'issue', outcome: 'unknown-user', code: null, why: `no user "${step.username}"` },
            next: state,
          }
        : {
            prediction: { kind: 'issue', outcome: 'issued', code: issued.code, why: 'self-provisioning is allowed' },
            next: issued.next,
          };
    }
    case 'set-policy': {
      const problem = policyProblem(step.policy);
      return problem === null
        ? {
            prediction: { kind: 'set-policy', outcome: 'accepted', why: 'every value is allowed' },
            next: applyPolicy(state, step.policy),
          }
        : { prediction: { kind: 'set-policy', outcome: 'rejected', why: problem }, next: state };
    }
    case 'check-policy':
      return { prediction: { kind: 'check-policy', policy: { ...state.policy } }, next: state };
    case 'advance-clock':
    case 'wait':
      return {
        prediction: { kind: 'time', seconds: step.seconds, real: step.do === 'wait' },
        next: { ...state, clock: state.clock + step.seconds },
      };
    case 'provision':
    case 'security-strings':
    case 'send': {
      const body = bodyOf(step);
      const instance = step.instance ?? 0;
      const deviceName = step.do === 'provision' ? step.as : undefined;
      const { prediction, next, device, alternative } = predictAgent(state, body, instance, world, deviceName);
      const agent: StepPrediction = { kind: 'agent', body, instance, prediction, device };
      if (alternative !== undefined) {
        agent.alternative = { prediction: alternative.prediction, device: alternative.device, next: alternative.next };
      }
      return { prediction: agent, next };
    }
  }
}

/** The world a vector is written for (its `requires`), for checking it without a target. */
export function worldOfRequires(requires: { cluster?: boolean; sessionSharing?: boolean } | undefined): World {
  return { instances: requires?.cluster === true ? 2 : 1, sessionSharing: requires?.sessionSharing === true };
}
