/**
 * Runs Swivel steps against a session and judges every answer by the model: the wire answer (HTTP status,
 * SASResponse shape, Result, Error, RequestID echo), then the server's state (each user's device) after
 * every AgentXML request, so a FAIL that changed something is caught where it happens. Stops at the first
 * deviation; a test hook that misbehaves during setup throws (the case is broken, not failed).
 */
import { printable, printableJson } from '../../src/core/errors.ts';
import { Redactor } from '../../src/core/redact.ts';
import { requirement } from './requirements.ts';
import type { Attachment, FailureCategory, StepRecord, Verdict } from '../../src/core/results.ts';
import { initialState, predictStep, type StepPrediction } from './model.ts';
import type { ModelState, PolicyValues, Requires, Step, SwivelSession, Vector, WireExchange, World } from './types.ts';
import { readSasResponse } from './xml.ts';
import { isRecord } from '../../src/core/json.ts';

export interface Deviation {
  message: string;
  category: FailureCategory;
  requirements: string[];
}

export interface CaseOutcome {
  verdict: Verdict;
  message: string;
  category?: FailureCategory;
  steps: StepRecord[];
  attachments: Attachment[];
  parameters: Record<string, string>;
  /** The vector's requirements, plus the ones a failure breaks (SW-NO-SERVER-ERROR, ...). */
  requirements: string[];
  missing?: string[];
  /** The secrets the server handed out during the case (provision codes, security strings), as first seen. */
  secrets?: readonly string[];
}

/** The capabilities a target must have (and must lack) for a vector; null when it fits. */
export function applicability(
  requires: Requires | undefined,
  capabilities: readonly string[],
): { missing: string[]; reason: string } | null {
  const has = (c: string) => capabilities.includes(c);
  const wants: [boolean | undefined, string][] = [
    [requires?.clock, 'clock'],
    [requires?.cluster, 'cluster'],
    [requires?.sessionSharing, 'session-sharing'],
  ];
  const missing: string[] = [];
  const extra: string[] = [];
  for (const [want, capability] of wants) {
    if (want === true && !has(capability)) missing.push(capability);
    if (want === false && has(capability)) extra.push(capability);
  }
  if (missing.length === 0 && extra.length === 0) return null;
  const reason =
    missing.length > 0
      ? `the target lacks ${missing.join(', ')}`
      : extra.includes('clock')
        ? 'the target offers a controllable clock, so expiry is tested with it instead of a real-time wait'
        : `the vector is for targets without ${extra.join(', ')}`;
  return { missing, reason };
}

export function worldOf(session: Pick<SwivelSession, 'instances'>, capabilities: readonly string[]): World {
  return { instances: session.instances, sessionSharing: capabilities.includes('session-sharing') };
}

/** What each test hook may answer (docs/swivel.md); 200 and 201 are taken for each other. */
const OK = [200];
const PUT_POLICY = [200, 400, 422];
const PROVISION_CODE = [200, 201, 404];
const SELF_PROVISION = [200, 201, 403, 404];

/** Executes steps one by one, tracking the model and the values the server generated. */
export class StepRunner {
  state: ModelState = initialState();
  readonly bindings = new Map<string, string>();
  readonly redactor = new Redactor();
  readonly steps: StepRecord[] = [];
  /** The state after the step when the answer matched the model's other permitted reading. */
  private chosenNext: ModelState | null = null;
  /** What broke only SHOULD requirements: the case goes on, and ends non-strict instead of passing. */
  readonly soft: Deviation[] = [];

  constructor(
    private readonly session: SwivelSession,
    private readonly world: World,
    private readonly signal: AbortSignal,
    /** Requirements a deviation is charged to by default (the vector's). */
    private readonly requirements: string[],
    /** How a real-time step waits: re-judging a recorded case does not wait (src/core/call-record.ts). */
    private readonly wait: (ms: number, signal: AbortSignal) => Promise<void> = sleep,
  ) {}

  /** Tokens replaced by the real values (unknown tokens stay as written: the server sees them verbatim). */
  substitute(text: string): string {
    return text.replace(/\{\{[A-Za-z][A-Za-z0-9_-]*\}\}/g, (t) => this.bindings.get(t) ?? t);
  }

  /** Runs one step; returns the deviation, or null when the target did what the model predicts. */
  async run(step: Step, label: string): Promise<Deviation | null> {
    const { prediction, next } = predictStep(this.state, step, this.world);
    const start = Date.now();
    const attachments: Attachment[] = [];
    let deviation: Deviation | null;
    this.chosenNext = null;
    try {
      deviation = await this.execute(step, prediction, next, attachments);
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      this.record(label, 'broken', start, attachments, text);
      // The runner reports the case broken with this message, knowing none of the codes this case was handed:
      // a message quoting an answer that carried one (a hook's 500 with the code in it) is redacted here.
      const redacted = this.redactor.text(text);
      throw redacted === text ? error : new Error(redacted, { cause: error });
    }
    this.record(label, deviation === null ? 'passed' : 'failed', start, attachments, deviation?.message);
    if (deviation === null) this.state = this.chosenNext ?? next;
    return deviation;
  }

  private record(
    name: string,
    status: StepRecord['status'],
    start: number,
    attachments: Attachment[],
    message?: string,
  ): void {
    const step: StepRecord = {
      name,
      status,
      start,
      stop: Date.now(),
      attachments: attachments.map((a) => ({ ...a, body: this.redactor.text(a.body) })),
    };
    if (message !== undefined) step.message = this.redactor.text(message);
    this.steps.push(step);
  }

  private attach(attachments: Attachment[], name: string, exchange: WireExchange): void {
    const { request, response } = exchange;
    const lines = [`${request.method} ${request.url}`];
    if (request.contentType !== null) lines.push(`Content-Type: ${request.contentType}`);
    if (request.body !== null) lines.push('', request.body);
    lines.push(
      '',
      '--- answer',
      response === null
        ? `(none: ${exchange.failure ?? 'no answer'})`
        : `HTTP ${response.status}${response.contentType === null ? '' : ` ${response.contentType}`}`,
    );
    if (response !== null) lines.push('', response.body);
    lines.push('', `(${exchange.ms} ms)`);
    attachments.push({ name, contentType: 'text/plain', body: lines.join('\n') });
  }

  /**
   * A test hook (docs/swivel.md). The hooks are the harness's contract with the test deployment, not the
   * protocol under test: an answer the contract does not allow (a status it does not list, a success that is
   * not a JSON object, such as a login page or a proxy's HTML answering 200) leaves the step unobservable,
   * so it throws and the case is broken, naming the hook, what came back and why. A 5xx is passed on: the
   * step decides what a server error there means.
   */
  private async hook(
    attachments: Attachment[],
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    body: unknown,
    allowed: readonly number[],
    instance = 0,
  ): Promise<{ status: number; json: unknown; exchange: WireExchange }> {
    const exchange = await this.session.hook(method, path, body, { signal: this.signal, instance });
    this.attach(attachments, `${method} ${path}`, exchange);
    const where = `test hook ${method} ${exchange.request.url}`;
    if (exchange.response === null) throw new Error(`${where} gave no answer: ${exchange.failure ?? 'none'}`);
    const { status, body: text } = exchange.response;
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (status < 500 && !allowed.includes(status)) {
      throw new Error(
        `${where} answered ${status} ${printable(text)}; docs/swivel.md has it answer ${allowed.join(' or ')} (are the test hooks deployed at hooksPath?)`,
      );
    }
    if (status >= 200 && status < 300 && status !== 204 && !isRecord(json)) {
      throw new Error(
        `${where} answered ${status} with ${printable(text)}, not the JSON object docs/swivel.md specifies (an HTML page is usually a login page or a proxy in front of the hooks)`,
      );
    }
    return { status, json, exchange };
  }

  private setupFailed(what: string, answer: { status: number; exchange: WireExchange }): Error {
    return new Error(
      `test hook ${what} answered ${answer.status} ${printable(answer.exchange.response?.body ?? '')}: see docs/swivel.md`,
    );
  }

  private async execute(
    step: Step,
    prediction: StepPrediction,
    next: ModelState,
    attachments: Attachment[],
  ): Promise<Deviation | null> {
    const fail = (message: string, category: FailureCategory, requirements = this.requirements): Deviation => ({
      message,
      category,
      requirements,
    });
    switch (prediction.kind) {
      case 'user': {
        const answer = await this.hook(
          attachments,
          'PUT',
          `/users/${encodeURIComponent(prediction.username)}`,
          {},
          [200, 201],
        );
        if (answer.status !== 200 && answer.status !== 201) throw this.setupFailed('PUT /users', answer);
        return null;
      }
      case 'issue': {
        const s = step as Extract<Step, { do: 'issue-code' | 'self-provision' }>;
        const selfService = s.do === 'self-provision';
        const answer = selfService
          ? await this.hook(
              attachments,
              'POST',
              '/self-provision',
              { username: s.username },
              SELF_PROVISION,
              s.instance ?? 0,
            )
          : await this.hook(
              attachments,
              'POST',
              `/users/${encodeURIComponent(s.username)}/provision-code`,
              undefined,
              PROVISION_CODE,
              s.instance ?? 0,
            );
        const code = isRecord(answer.json) && typeof answer.json['code'] === 'string' ? answer.json['code'] : null;
        const observed =
          (answer.status === 200 || answer.status === 201) && code !== null && code !== ''
            ? 'issued'
            : answer.status === 403
              ? 'refused'
              : answer.status === 404
                ? 'unknown-user'
                : null;
        if (code !== null) this.redactor.add(code);
        if (observed === null) {
          if (!selfService && prediction.outcome === 'issued')
            throw this.setupFailed('POST /users/{u}/provision-code', answer);
          return fail(
            `${s.do} ${s.username}: answered HTTP ${answer.status}, expected ${prediction.outcome}`,
            answer.status >= 500 ? 'server-error' : 'wrong-result-code',
          );
        }
        if (observed !== prediction.outcome) {
          if (!selfService && prediction.outcome === 'issued')
            throw this.setupFailed('POST /users/{u}/provision-code', answer);
          return fail(
            `${s.do} ${s.username}: ${observed}, expected ${prediction.outcome} (${prediction.why})`,
            'wrong-result-code',
          );
        }
        if (prediction.code !== null && code !== null) this.bindings.set(prediction.code, code);
        return null;
      }
      case 'set-policy': {
        const s = step as Extract<Step, { do: 'set-policy' }>;
        const before = await this.hook(attachments, 'GET', '/policy', undefined, OK);
        // The console setting applies to every instance: the hook is sent to each (seed: "Ensure Provision
        // code settings are configured across multiple Swivel instances").
        let observed: 'accepted' | 'rejected' | null = null;
        let status = 0;
        for (let i = 0; i < this.session.instances; i++) {
          const answer = await this.hook(attachments, 'PUT', '/policy', s.policy, PUT_POLICY, i);
          status = answer.status;
          const o = status === 200 ? 'accepted' : status === 400 || status === 422 ? 'rejected' : null;
          if (i === 0) observed = o;
        }
        if (observed === null) {
          return fail(
            `set-policy ${JSON.stringify(s.policy)}: answered HTTP ${status}, expected ${prediction.outcome}`,
            status >= 500 ? 'server-error' : 'wrong-result-code',
          );
        }
        if (observed !== prediction.outcome) {
          return fail(
            `set-policy ${JSON.stringify(s.policy)}: ${observed}, expected ${prediction.outcome} (${prediction.why})`,
            'wrong-result-code',
          );
        }
        if (observed === 'rejected') {
          const after = await this.hook(attachments, 'GET', '/policy', undefined, OK);
          if (canonicalJson(after.json) !== canonicalJson(before.json)) {
            return fail(
              `set-policy was rejected but the policy changed: ${printableJson(before.json)} -> ${printableJson(after.json)}`,
              'state-changed-by-failing-request',
            );
          }
        }
        return null;
      }
      case 'check-policy': {
        const answer = await this.hook(attachments, 'GET', '/policy', undefined, OK);
        if (answer.status !== 200 || !isRecord(answer.json)) throw this.setupFailed('GET /policy', answer);
        const got = answer.json;
        const wrong = (Object.keys(prediction.policy) as (keyof typeof prediction.policy)[]).filter(
          (k) => got[k] !== prediction.policy[k],
        );
        const say = (keys: typeof wrong) =>
          `policy ${keys.map((k) => `${k} is ${printableJson(got[k])}, expected ${JSON.stringify(prediction.policy[k])}`).join('; ')}`;
        // Each setting is judged by its own requirement: a SHOULD one (device logging) makes the case
        // non-strict, never failed, and the case goes on.
        const strict = wrong.filter((k) => requirement(POLICY_REQUIREMENT[k]).severity === 'MUST');
        const soft = wrong.filter((k) => requirement(POLICY_REQUIREMENT[k]).severity === 'SHOULD');
        if (strict.length > 0) {
          return fail(say(strict), 'wrong-state', [...this.requirements, ...strict.map((k) => POLICY_REQUIREMENT[k])]);
        }
        if (soft.length > 0) {
          this.soft.push({
            message: say(soft),
            category: 'wrong-state',
            requirements: soft.map((k) => POLICY_REQUIREMENT[k]),
          });
        }
        return null;
      }
      case 'time': {
        if (prediction.real) {
          await this.wait(prediction.seconds * 1000, this.signal);
          return null;
        }
        for (let i = 0; i < this.session.instances; i++) {
          const answer = await this.hook(attachments, 'POST', '/clock/advance', { seconds: prediction.seconds }, OK, i);
          if (answer.status !== 200) throw this.setupFailed('POST /clock/advance', answer);
        }
        return null;
      }
      case 'agent': {
        const contentType = step.do === 'send' ? step.contentType : undefined;
        const options: { signal: AbortSignal; instance: number; contentType?: string } = {
          signal: this.signal,
          instance: prediction.instance,
        };
        if (contentType !== undefined) options.contentType = contentType;
        const exchange = await this.session.agentXml(this.substitute(prediction.body), options);
        this.attach(attachments, 'AgentXML', exchange);
        let judged = prediction;
        let wire = this.judgeAnswer(exchange, prediction, fail);
        const other = prediction.alternative;
        if (wire !== null && other !== undefined) {
          // The other permitted reading (a DOCTYPE processed): the answer and the state after it.
          const alternative = { ...prediction, prediction: other.prediction, device: other.device };
          const second = this.judgeAnswer(exchange, alternative, fail);
          if (second === null) {
            judged = alternative;
            this.chosenNext = other.next;
          }
          wire = second === null ? null : { ...wire, message: `${wire.message}; or, reading it: ${second.message}` };
        }
        if (wire !== null) return wire;
        return this.checkDevices(attachments, this.chosenNext ?? next, judged.prediction.result === 'FAIL', fail);
      }
    }
  }

  private judgeAnswer(
    exchange: WireExchange,
    step: Extract<StepPrediction, { kind: 'agent' }>,
    fail: (message: string, category: FailureCategory, requirements?: string[]) => Deviation,
  ): Deviation | null {
    const p = step.prediction;
    const expected = p.result === 'PASS' ? 'PASS' : `FAIL ${p.errors.join(' or ')}`;
    const noServerError = [...this.requirements, 'SW-NO-SERVER-ERROR'];
    if (exchange.response === null)
      return fail(
        `expected ${expected}, got no answer: ${exchange.failure ?? 'nothing'}`,
        'server-error',
        noServerError,
      );
    const { status, body } = exchange.response;
    if (status >= 500)
      return fail(`expected ${expected} (${p.why}), got HTTP ${status}`, 'server-error', noServerError);
    const read = readSasResponse(body);
    const wire = [...this.requirements, 'SW-WIRE-RESPONSE'];
    if ('problem' in read)
      return fail(
        `expected ${expected}, got HTTP ${status} that is not a SASResponse: ${read.problem}`,
        'schema-violation',
        wire,
      );
    // The answer's Content-Type is not judged: no text fixes it, and the body is read as XML whatever it says.
    const r = read.response;
    if (r.result !== p.result || (p.result === 'FAIL' && !(p.errors as string[]).includes(r.error))) {
      const got = r.result === 'PASS' ? 'PASS' : `FAIL ${r.error === '' ? '(no error)' : printable(r.error, 80)}`;
      return fail(`expected ${expected} (${p.why}), got ${got}`, 'wrong-result-code');
    }
    if (p.requestId !== null && r.requestId !== p.requestId) {
      return fail(
        `<RequestID> is ${printableJson(r.requestId)}, expected the request's ${JSON.stringify(p.requestId)}`,
        'schema-violation',
        [...this.requirements, 'SW-WIRE-REQUEST-ID'],
      );
    }
    // What <Error> holds beside a PASS is not judged: only the wire template shows it, empty for FAIL too.
    if (p.returnsId) {
      if (r.id === null || r.id === '') return fail('a provision PASS without a device <Id>', 'schema-violation', wire);
      if (step.device !== null) this.bindings.set(step.device, r.id);
    }
    if (p.returnsStrings) {
      if (r.strings === null || r.strings.length === 0 || r.strings.some((s) => s === '')) {
        return fail(
          'a SecurityStrings PASS without <SecurityStrings><String>...</String></SecurityStrings>',
          'schema-violation',
          wire,
        );
      }
      for (const s of r.strings) this.redactor.add(s);
    }
    return null;
  }

  /** Each user's device on the server must be the model's (the value bound to its token). */
  private async checkDevices(
    attachments: Attachment[],
    next: ModelState,
    failed: boolean,
    fail: (message: string, category: FailureCategory, requirements?: string[]) => Deviation,
  ): Promise<Deviation | null> {
    const answer = await this.hook(attachments, 'GET', '/state', undefined, OK);
    const users = isRecord(answer.json) && isRecord(answer.json['users']) ? answer.json['users'] : null;
    if (answer.status !== 200 || users === null) throw this.setupFailed('GET /state', answer);
    const wrong: string[] = [];
    for (const [name, user] of Object.entries(next.users)) {
      const expected = user.device === null ? null : (this.bindings.get(user.device) ?? user.device);
      const entry = users[name];
      const observed =
        isRecord(entry) && (typeof entry['device'] === 'string' || entry['device'] === null)
          ? entry['device']
          : undefined;
      if (observed !== expected) {
        wrong.push(
          `"${name}" has device ${printableJson(observed ?? '(user missing)')}, expected ${expected === null ? 'none' : JSON.stringify(expected)}`,
        );
      }
    }
    if (wrong.length === 0) return null;
    return failed
      ? fail(`the request failed but changed the server: ${wrong.join('; ')}`, 'state-changed-by-failing-request', [
          ...this.requirements,
          'SW-FAIL-NO-STATE-CHANGE',
        ])
      : fail(`wrong state after the request: ${wrong.join('; ')}`, 'wrong-state');
  }
}

/** A step in words, for the report (tokens as written: they never show a real code). */
export function describeStep(step: Step, index: number): string {
  const on =
    'instance' in step && step.instance !== undefined && step.instance > 0 ? ` on instance ${step.instance}` : '';
  const ref = (v: unknown) =>
    typeof v === 'object' && v !== null && 'ref' in v ? String((v as { ref: string }).ref) : JSON.stringify(v);
  const n = `${index + 1}.`;
  switch (step.do) {
    case 'create-user':
      return `${n} create user ${step.username}`;
    case 'issue-code':
      return `${n} issue a provision code to ${step.username}${step.as ? ` (${step.as})` : ''}${on}`;
    case 'self-provision':
      return `${n} ${step.username} asks for a code themselves${on}: ${step.expect}`;
    case 'set-policy':
      return `${n} set policy ${JSON.stringify(step.policy)}: ${step.expect}`;
    case 'check-policy':
      return `${n} policy is ${JSON.stringify(step.expect)}`;
    case 'advance-clock':
      return `${n} advance the clock ${step.seconds} s`;
    case 'wait':
      return `${n} wait ${step.seconds} s (real time)`;
    case 'provision':
      return `${n} provision ${step.username ?? '(no Username)'} with ${step.code === undefined ? '(no ProvisionCode)' : ref(step.code)}${on}${step.as ? ` as ${step.as}` : ''}: ${expectText(step.expect)}`;
    case 'security-strings':
      return `${n} security strings for ${step.device === undefined ? '(no Id)' : ref(step.device)}${on}: ${expectText(step.expect)}`;
    case 'send':
      return `${n} send ${JSON.stringify(step.body.length > 80 ? `${step.body.slice(0, 77)}...` : step.body)}${on}: ${expectText(step.expect)}`;
  }
}

function expectText(e: Step extends never ? never : { result: string; error?: string | string[] }): string {
  return e.result === 'PASS' ? 'PASS' : `FAIL ${Array.isArray(e.error) ? e.error.join('|') : (e.error ?? '')}`;
}

/** Runs a whole vector from a reset server. Throws when the target or a test hook misbehaves (broken). */
export async function runVector(
  vector: Vector,
  session: SwivelSession,
  capabilities: readonly string[],
  signal: AbortSignal,
  artifacts: 'on-failure' | 'always' = 'on-failure',
  wait?: (ms: number, signal: AbortSignal) => Promise<void>,
): Promise<CaseOutcome> {
  const parameters: Record<string, string> = { steps: String(vector.steps.length) };
  if (vector.realTime === true)
    parameters['real time'] =
      `yes (waits ${vector.steps.reduce((t, s) => t + (s.do === 'wait' ? s.seconds : 0), 0)} s)`;
  const na = applicability(vector.requires, capabilities);
  if (na !== null) {
    return {
      verdict: 'not-applicable',
      message: na.reason,
      steps: [],
      attachments: [],
      parameters,
      requirements: vector.requirements,
      missing: na.missing,
    };
  }
  await session.reset(signal);
  const runner = new StepRunner(session, worldOf(session, capabilities), signal, vector.requirements, wait);
  const outcome = await runSteps(vector, runner, parameters, artifacts);
  return { ...outcome, secrets: runner.redactor.known() };
}

async function runSteps(
  vector: Vector,
  runner: StepRunner,
  parameters: Record<string, string>,
  artifacts: 'on-failure' | 'always',
): Promise<CaseOutcome> {
  for (const [i, step] of vector.steps.entries()) {
    const deviation = await runner.run(step, describeStep(step, i));
    if (deviation !== null) {
      return {
        verdict: 'fail',
        message: runner.redactor.text(`step ${i + 1}: ${deviation.message}`),
        category: deviation.category,
        steps: runner.steps,
        attachments: [],
        parameters,
        requirements: [...new Set(deviation.requirements)],
      };
    }
  }
  if (runner.soft.length > 0) {
    // Only SHOULD requirements broken: reported with every step, but it does not fail the run.
    return {
      verdict: 'non-strict',
      message: runner.redactor.text(runner.soft.map((d) => `${d.requirements.join(', ')}: ${d.message}`).join('; ')),
      category: runner.soft[0]?.category ?? 'wrong-state',
      steps: runner.steps,
      attachments: [],
      parameters,
      requirements: [...new Set([...vector.requirements, ...runner.soft.flatMap((d) => d.requirements)])],
    };
  }
  const steps = artifacts === 'always' ? runner.steps : runner.steps.map(({ attachments: _a, ...rest }) => rest);
  return {
    verdict: 'pass',
    message: `${vector.steps.length} steps as the model predicts`,
    steps,
    attachments: [],
    parameters,
    requirements: vector.requirements,
  };
}

/** The requirement each policy setting is judged by (its severity decides fail or non-strict). */
const POLICY_REQUIREMENT: Readonly<Record<keyof PolicyValues, string>> = {
  validitySeconds: 'SW-POLICY-VALIDITY',
  selfProvisioning: 'SW-SELF-PROVISION-DEFAULT-OFF',
  logDeviceInformation: 'SW-POLICY-LOG-DEVICE-DEFAULT',
};

/** JSON with every object's keys sorted: two answers that differ only in key order compare equal. */
function canonicalJson(value: unknown): string {
  const sorted = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sorted)
      : isRecord(v)
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, sorted(v[k])]),
          )
        : v;
  return JSON.stringify(sorted(value)) ?? 'undefined';
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      return;
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Which failure categories a Swivel step can deviate with. A record over every category, so a new category
 * cannot be added without being classified here; docs/spec/verdict-audit.md has an entry for each one
 * produced, and its test holds the two together. `broken-target` is the runner's, for a step that throws.
 */
const SWIVEL_PRODUCES = {
  'wrong-result-code': true,
  'state-changed-by-failing-request': true,
  'wrong-state': true,
  precedence: false,
  'not-handled': false,
  'handled-unexpectedly': false,
  'wrong-delivery': false,
  'password-leak': false,
  'inconsistent-choice': false,
  'browser-altered-url': false,
  'server-error': true,
  'schema-violation': true,
  'broken-target': false,
} satisfies Record<FailureCategory, boolean>;

export const SWIVEL_CATEGORIES = (Object.keys(SWIVEL_PRODUCES) as FailureCategory[]).filter((c) => SWIVEL_PRODUCES[c]);
