/**
 * Runs operations against a profile server and judges every answer with the model: status, body schema
 * (vectors/schema/openmobile-profiles.responses.schema.json), content, and, after an administration
 * request, the catalog it left, seen through lookups (a real server offers no other view of it).
 */
import { printable, printableJson } from '../../src/core/errors.ts';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import type { FailureCategory } from '../../src/core/results.ts';
import { PLATFORMS, type Profile } from '../../protocols/openmobile/types.ts';
import { OTHER_PLATFORM_CHOICE, predict } from './model.ts';
import type {
  Choice,
  HttpMethod,
  ModelEntry,
  Operation,
  Prediction,
  ProfileServerSession,
  WireExchange,
} from './types.ts';
import { isRecord } from '../../src/core/json.ts';

const SCHEMA_FILE = fileURLToPath(
  new URL('../../vectors/schema/openmobile-profiles.responses.schema.json', import.meta.url),
);
const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });
let schemas: Record<'profile' | 'notFound' | 'invalidProfile' | 'catalogProfile', ValidateFunction> | null = null;

function validators() {
  if (schemas === null) {
    const document = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as { $id: string };
    ajv.addSchema(document);
    const at = (name: string) => ajv.getSchema(`${document.$id}#/$defs/${name}`) as ValidateFunction;
    schemas = {
      profile: at('profile'),
      notFound: at('notFound'),
      invalidProfile: at('invalidProfile'),
      catalogProfile: at('catalogProfile'),
    };
  }
  return schemas;
}

/** One request as sent: method, path relative to the server's base URL, JSON body. */
export function requestOf(op: Operation): { method: HttpMethod; path: string; body?: string } {
  switch (op.op) {
    case 'lookup': {
      const query = [`platform=${encodeURIComponent(op.platform)}`, `mode=${encodeURIComponent(op.mode)}`];
      if (op.pin !== undefined) query.push(`pin=${encodeURIComponent(op.pin)}`);
      return { method: 'GET', path: `v1/profiles/${encodeURIComponent(op.pid)}?${query.join('&')}` };
    }
    case 'put-catalog':
      return { method: 'PUT', path: 'v1/admin/catalog', body: JSON.stringify(op.catalog) };
    case 'patch': {
      const query: string[] = [];
      if (op.platform !== undefined) query.push(`platform=${op.platform}`);
      if (op.mode !== undefined) query.push(`mode=${op.mode}`);
      return {
        method: 'PATCH',
        path: `v1/admin/profiles/${encodeURIComponent(op.id)}${query.length > 0 ? `?${query.join('&')}` : ''}`,
        body: JSON.stringify(op.body),
      };
    }
    case 'create':
      return { method: 'POST', path: 'v1/admin/profiles', body: JSON.stringify(op.body) };
  }
}

/** The operation in one line, for parameters and fuzz counterexamples. */
export function describeOperation(op: Operation): string {
  const r = requestOf(op);
  const body = r.body === undefined ? '' : ` ${r.body.length > 300 ? `${r.body.slice(0, 300)}…` : r.body}`;
  return `${r.method} /${r.path}${body}`;
}

export interface StepOutcome {
  name: string;
  exchange: WireExchange;
  /** Null when the answer is what the model predicts. */
  failure: { message: string; category: FailureCategory; requirement: string } | null;
}

export interface SequenceOutcome {
  steps: StepOutcome[];
  /** The first failing step, or null. */
  failure: (StepOutcome['failure'] & { step: number }) | null;
  /** The catalog the model holds after the last judged step. */
  state: ModelEntry[];
  /** The implementation-defined choices the answers showed: choice point -> option (informational). */
  choices: Record<string, string>;
  /** SHOULD requirements an accepted answer broke (non-strict), each with what happened. */
  deviations: { requirement: string; message: string }[];
}

export interface SequenceInput {
  /** Operations in order; the last is the request under test, the ones before it set the case up. */
  operations: Operation[];
  /** Check the catalog through lookups after each administration request (default true). */
  probe?: boolean;
  /**
   * Record the harness's own reading of a choice point too where an answer shows it, not only the other
   * options (a conformance statement is judged: `TargetDeclarations.everyChoice`). Default false.
   */
  everyChoice?: boolean;
}

/**
 * Sends every operation, judging each; stops at the first failure. After each administration request the
 * state is probed: every entry the model knows of, before and after, and every entry the request named, is
 * looked up with its PIN, and each answer compared with the model's.
 */
export async function runSequence(
  session: ProfileServerSession,
  input: SequenceInput,
  signal: AbortSignal,
): Promise<SequenceOutcome> {
  let state: ModelEntry[] = [];
  const steps: StepOutcome[] = [];
  const choices: Record<string, string> = {};
  const deviations: SequenceOutcome['deviations'] = [];
  const end = (failure: SequenceOutcome['failure']): SequenceOutcome => ({
    steps,
    failure,
    state,
    choices,
    deviations,
  });
  for (const [index, op] of input.operations.entries()) {
    const prediction = predict(state, op);
    const exchange = await session.exchange(requestOf(op), signal);
    const judged = judge(prediction, exchange, state, input.everyChoice === true);
    const label = index === input.operations.length - 1 ? 'request under test' : `setup ${index + 1}`;
    const step: StepOutcome = { name: `${label}: ${describeOperation(op)}`, exchange, failure: judged.failure };
    steps.push(step);
    if (judged.failure !== null) return end({ ...judged.failure, step: steps.length - 1 });
    if (judged.choice !== undefined) choices[judged.choice.point] ??= judged.choice.option;
    if (judged.should !== undefined) {
      deviations.push({
        requirement: judged.should,
        message: `${describeOperation(op)} was accepted (HTTP ${exchange.response?.status ?? '?'}), though it breaks a SHOULD: ${expectation(prediction)}`,
      });
    }
    const before = state;
    state = judged.next;
    if (op.op !== 'lookup' && input.probe !== false) {
      // The answer the server chose decides what "failing" is: an accepted alternative changed the catalog.
      const failing = judged.status >= 400;
      for (const probe of probesFor(before, state, op, judged.createdId)) {
        const expected = predict(state, probe);
        const probeExchange = await session.exchange(requestOf(probe), signal);
        const probed = judge(expected, probeExchange, state);
        const probeStep: StepOutcome = {
          name: `state probe: ${describeOperation(probe)}`,
          exchange: probeExchange,
          failure:
            probed.failure === null ||
            probed.failure.category === 'server-error' ||
            probed.failure.category === 'broken-target' ||
            probed.failure.category === 'schema-violation'
              ? probed.failure
              : {
                  message: `after ${describeOperation(op)} (${failing ? `rejected, ${judged.status}` : 'accepted'}), ${probed.failure.message}`,
                  category: failing ? 'state-changed-by-failing-request' : 'wrong-state',
                  requirement: failing ? 'OMP-ADMIN-ATOMIC' : judged.requirement,
                },
        };
        steps.push(probeStep);
        if (probeStep.failure !== null) return end({ ...probeStep.failure, step: steps.length - 1 });
      }
    }
  }
  return end(null);
}

/** Lookups that tell the catalog apart: each known entry with its own PIN (and with none). */
function probesFor(before: ModelEntry[], after: ModelEntry[], op: Operation, createdId: number | null): Operation[] {
  const keys = new Set<string>();
  const probes: Operation[] = [];
  // Only ios and android are looked up: an entry of another platform (windows) is reached by its ID through
  // the Profile Finder, on both.
  const add = (id: unknown, platform: unknown, mode: unknown, pin: unknown) => {
    if (typeof id !== 'number' || (mode !== 'production' && mode !== 'test')) return;
    if (platform !== 'ios' && platform !== 'android') {
      if (typeof platform === 'string' && platform !== '') for (const p of PLATFORMS) add(id, p, mode, null);
      return;
    }
    const lookupPin = typeof pin === 'string' && pin !== '' ? pin : undefined;
    const key = `${id}|${platform}|${mode}|${lookupPin ?? ''}`;
    if (keys.has(key)) return;
    keys.add(key);
    probes.push({
      op: 'lookup',
      pid: String(id),
      platform,
      mode,
      ...(lookupPin === undefined ? {} : { pin: lookupPin }),
    });
  };
  for (const e of [...after, ...before]) add(e.id, e.platform, e.mode, e.pin);
  const mentioned: unknown[] = [];
  if (op.op === 'put-catalog' && isRecord(op.catalog) && Array.isArray(op.catalog['profiles']))
    mentioned.push(...op.catalog['profiles']);
  if (op.op === 'patch' && isRecord(op.body)) {
    for (const e of before)
      if (String(e.id) === op.id) mentioned.push({ ...e, ...op.body, id: e.id, platform: e.platform, mode: e.mode });
  }
  if (op.op === 'create' && isRecord(op.body)) mentioned.push({ ...op.body, id: createdId ?? op.body['id'] });
  for (const m of mentioned) if (isRecord(m)) add(m['id'], m['platform'], m['mode'], m['pin']);
  return probes;
}

interface Judged {
  failure: StepOutcome['failure'];
  next: ModelEntry[];
  createdId: number | null;
  /** The status of the answer the server gave (the prediction's, or the alternative's that matched). */
  status: number;
  /** The requirement the matched answer rests on. */
  requirement: string;
  choice?: Choice;
  should?: string;
}

const PUBLIC_FIELDS = [
  'id',
  'company',
  'platform',
  'mode',
  'domains',
  'prefixes',
  'savePassword',
  'autologin',
] as const;

/**
 * One answer against its prediction and the alternatives the sources permit: the first that matches wins
 * (its state, its choice, its SHOULD). When none matches, the failure is explained against the answer
 * with the observed status, else the prediction itself.
 */
export function judge(
  prediction: Prediction,
  exchange: WireExchange,
  state: ModelEntry[],
  everyChoice = false,
): Judged {
  const main = judgeOne(prediction, exchange, state);
  if (main.failure === null) return everyChoice ? withFirstOption(main, prediction, exchange, state) : main;
  let closest: Judged | null = null;
  for (const alternative of prediction.alternatives ?? []) {
    const judged = judgeOne(alternative, exchange, state);
    if (judged.failure === null) return judged;
    if (closest === null && alternative.status === exchange.response?.status) closest = judged;
  }
  if (closest !== null && prediction.status !== exchange.response?.status) {
    return {
      ...closest,
      failure: closest.failure && {
        ...closest.failure,
        message: `${closest.failure.message} (or ${expectation(prediction)})`,
      },
    };
  }
  return main;
}

/**
 * The prediction's own reading of a choice point, as a choice, where the answer matched it and no
 * alternative of that point would have explained it: other platforms rejected. (An unmatched PATCH has no
 * one reading to record: the harness answers 404 where no entry matches and 400 where several do, and
 * either status is another option where the other situation's is the reading.)
 */
function withFirstOption(main: Judged, prediction: Prediction, exchange: WireExchange, state: ModelEntry[]): Judged {
  if (main.choice !== undefined) return main;
  const others = (prediction.alternatives ?? []).filter((a) => a.choice?.point === OTHER_PLATFORM_CHOICE);
  if (others.length === 0 || others.some((a) => judgeOne(a, exchange, state).failure === null)) return main;
  return { ...main, choice: { point: OTHER_PLATFORM_CHOICE, option: 'rejected' } };
}

function judgeOne(prediction: Prediction, exchange: WireExchange, state: ModelEntry[]): Judged {
  const matched = (next: ModelEntry[], createdId: number | null = null): Judged => ({
    failure: null,
    next,
    createdId,
    status: prediction.status,
    requirement: prediction.requirement,
    ...(prediction.choice === undefined ? {} : { choice: prediction.choice }),
    ...(prediction.should === undefined ? {} : { should: prediction.should }),
  });
  const fail = (category: FailureCategory, message: string, requirement = prediction.requirement): Judged => ({
    failure: { category, message, requirement },
    next: state,
    createdId: null,
    status: prediction.status,
    requirement: prediction.requirement,
  });
  const response = exchange.response;
  if (response === null) return fail('server-error', `no answer: ${exchange.failure ?? 'unknown failure'}`, 'OMP-WIRE');
  // The adapter protocol's introduction: "Any status or body not described here is a protocol error: the
  // harness reports it as a broken (not failed) case, naming the endpoint, the status and the first 512 bytes".
  const protocolError = (what: string) =>
    fail(
      'broken-target',
      `protocol error: ${exchange.request.method} ${exchange.request.url} answered HTTP ${response.status}${what}: ${excerpt(response.body)}`,
      'OMP-WIRE',
    );
  if (response.status >= 500) return protocolError(` (expected ${prediction.status})`);
  let body: unknown = null;
  if (response.status !== 204) {
    try {
      body = JSON.parse(response.body);
    } catch {
      return protocolError(' with a body that is not JSON');
    }
  }
  if (response.status !== prediction.status) {
    return fail(
      'wrong-result-code',
      `expected ${expectation(prediction)}, got HTTP ${response.status} ${excerpt(response.body)}`,
    );
  }
  const v = validators();
  const schema =
    prediction.kind === 'profile'
      ? v.profile
      : prediction.kind === 'not-found'
        ? v.notFound
        : prediction.kind === 'rejected'
          ? v.invalidProfile
          : prediction.kind === 'patched' || prediction.kind === 'created'
            ? v.catalogProfile
            : null;
  if (schema !== null && !schema(body)) {
    const errors = (schema.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`).join('; ');
    return fail(
      'schema-violation',
      `HTTP ${response.status} body breaks its schema (${errors}): ${excerpt(response.body)}`,
      'OMP-WIRE',
    );
  }
  switch (prediction.kind) {
    case 'profile': {
      const diff = differences(prediction.profile, body);
      return diff === null
        ? matched(state)
        : fail('wrong-result-code', `expected profile ${label(prediction.profile)} (${prediction.reason}); ${diff}`);
    }
    case 'not-found':
      return matched(state);
    case 'rejected': {
      const answer = body as { id: number | null; field: string };
      const matches = prediction.violations.some((x) => x.id === answer.id && x.field === answer.field);
      if (matches) return matched(state);
      return fail(
        'wrong-result-code',
        `422 names profile ${String(answer.id)} field "${answer.field}", but the request breaks ${describeViolations(prediction)}`,
        prediction.violations[0]?.requirement ?? prediction.requirement,
      );
    }
    case 'replaced':
      return matched(prediction.next);
    case 'patched': {
      const diff = differences(prediction.entry, body);
      return diff === null
        ? matched(prediction.next)
        : fail('wrong-state', `the PATCH answer is not the patched profile: ${diff}`);
    }
    case 'created': {
      const id = (body as { id: number }).id;
      if (state.some((e) => e.id === id)) {
        return fail(
          'wrong-result-code',
          `the created profile got ID ${id}, which profile ${label(state.find((e) => e.id === id) as ModelEntry)} already has`,
        );
      }
      const diff = differences({ ...prediction.draft, id }, body);
      return diff === null
        ? matched(prediction.next(id), id)
        : fail('wrong-state', `the POST answer is not the created profile: ${diff}`);
    }
    case 'no-such-profile':
      return matched(state);
  }
}

/** What the model expected, in words (with the other answers the sources permit). */
export function expectation(prediction: Prediction): string {
  const others = (prediction.alternatives ?? []).map((a) => {
    const why =
      a.choice !== undefined ? `choice ${a.choice.point}: ${a.choice.option}` : `non-strict, ${a.should ?? '?'}`;
    return `${expectationOf(a)} [${why}]`;
  });
  return [expectationOf(prediction), ...others].join(' or ');
}

function expectationOf(prediction: Prediction): string {
  switch (prediction.kind) {
    case 'profile':
      return `200 with profile ${label(prediction.profile)} (${prediction.reason})`;
    case 'not-found':
      return `404 (${prediction.reason})`;
    case 'replaced':
      return '204 (the catalog is valid)';
    case 'patched':
      return '200 with the patched profile';
    case 'created':
      return '201 with the new profile and a new ID';
    case 'rejected':
      return `422 naming one of ${describeViolations(prediction)}`;
    case 'no-such-profile':
      return `${prediction.status} (${prediction.reason})`;
  }
}

function describeViolations(prediction: Extract<Prediction, { kind: 'rejected' }>): string {
  return prediction.violations.map((x) => `profile ${String(x.id)} field "${x.field}" (${x.rule})`).join(', ');
}

function label(p: { id: number; platform: string; mode: string }): string {
  return `${p.id} ${p.platform} ${p.mode}`;
}

/**
 * The first public field that differs, or null. Unknown fields in the answer are ignored (protocol), at
 * every depth, and so is the order of an object's keys; the order of a list is kept (`domains.options`:
 * "first one is the default").
 */
function differences(
  expected: Pick<Profile, (typeof PUBLIC_FIELDS)[number]> | ModelEntry,
  observed: unknown,
): string | null {
  const answer = isRecord(observed) ? observed : {};
  for (const field of PUBLIC_FIELDS) {
    const want = JSON.stringify(expected[field]);
    const got = JSON.stringify(projected(expected[field], answer[field]));
    if (want !== got) {
      const observed =
        answer[field] === undefined ? 'missing' : printableJson(projected(expected[field], answer[field]));
      return `"${field}" is ${observed}, expected ${want}`;
    }
  }
  return null;
}

/** `observed` reduced to the shape of `expected`: only its keys, in its order. */
function projected(expected: unknown, observed: unknown): unknown {
  if (Array.isArray(expected) && Array.isArray(observed)) {
    return observed.map((o, i) => (i < expected.length ? projected(expected[i], o) : o));
  }
  if (isRecord(expected) && isRecord(observed)) {
    return Object.fromEntries(Object.keys(expected).map((k) => [k, projected(expected[k], observed[k])]));
  }
  return observed;
}

/** The first 512 characters of a body, quoted and escaped (a hostile body must not drive a terminal). */
function excerpt(text: string): string {
  return printable(text, 512);
}

/** An exchange as a text attachment: request line and body, then status and body. */
export function formatExchange(exchange: WireExchange): string {
  const lines = [`${exchange.request.method} ${exchange.request.url}`];
  if (exchange.request.body !== null) lines.push('Content-Type: application/json', '', exchange.request.body);
  lines.push('', '---', '');
  if (exchange.response === null) lines.push(`(no answer: ${exchange.failure ?? '?'})`);
  else {
    lines.push(
      `HTTP ${exchange.response.status}${exchange.response.contentType ? ` (${exchange.response.contentType})` : ''}`,
    );
    if (exchange.response.body !== '') lines.push('', exchange.response.body);
  }
  lines.push('', `(${exchange.ms} ms)`);
  return lines.join('\n');
}

/**
 * Which failure categories this judge can produce. A record over every category, so a new category cannot
 * be added without being classified here; docs/spec/verdict-audit.md has an entry for each one produced,
 * and its test holds the two together. `broken-target` (a protocol error, or the runner's for a case that
 * throws) is a path to broken, not a failure: docs/spec/verdict-audit.md lists it apart.
 */
const PROFILE_SERVICE_PRODUCES = {
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

export const PROFILE_SERVICE_CATEGORIES = (Object.keys(PROFILE_SERVICE_PRODUCES) as FailureCategory[]).filter(
  (c) => PROFILE_SERVICE_PRODUCES[c],
);
