/**
 * Generated request bodies in the style of Schemathesis: from the request schema's operations, bodies that
 * are valid (right fields, drawn from the fixtures and from strangers), mutated (a required field dropped or
 * emptied, an unknown field added, the type changed) and type-confused (a field given a number, boolean,
 * null, array or object), plus bodies that are not a JSON object at all. Every string may hold the
 * fixture placeholders of vectors (types.ts), so a generated run is an ordinary vector.
 */
import fc from 'fast-check';
import type { Given, OperationType, Step, Vector } from './types.ts';
import { OPERATION_TYPES } from './types.ts';

/** The fixtures every generated run starts from: the devices cover each state a device can be in. */
export const FUZZ_GIVEN: Given = {
  accounts: [
    { name: 'acme', key: 'acme-fuzz-key-51d0', issuer: 'Acme Corp' },
    { name: 'globex', key: 'globex-fuzz-key-8e21', issuer: 'Globex' },
  ],
  users: [
    { account: 'acme', username: 'mandy' },
    { account: 'acme', username: 'bob' },
    { account: 'globex', username: 'mandy' },
  ],
  devices: [
    { ref: 'provisioned', account: 'acme', username: 'mandy', provision: 'phone-1' },
    { ref: 'added', account: 'acme', username: 'mandy' },
    { ref: 'bobs', account: 'acme', username: 'bob' },
    { ref: 'deleted', account: 'acme', username: 'mandy', provision: 'phone-2', deleted: true },
    { ref: 'globex', account: 'globex', username: 'mandy' },
  ],
};

export type RequestKind = 'valid' | 'mutated' | 'type-confused' | 'not-an-object';

export interface GeneratedRequest {
  kind: RequestKind;
  /** What was done to the body, in words (for statistics and describe). */
  how: string;
  step: Step;
}

const REQUIRED: Record<OperationType, string[]> = {
  provision_oath_device: [
    'type',
    'spAccountLoginName',
    'spAccountLoginKey',
    'username',
    'deviceId',
    'physicalDeviceId',
  ],
  get_oath_device_qrcode: ['type', 'spAccountLoginName', 'spAccountLoginKey', 'username', 'deviceId'],
  add_oath_device: ['type', 'spAccountLoginName', 'spAccountLoginKey', 'username'],
  find_device: ['type', 'spAccountLoginName', 'spAccountLoginKey', 'deviceId'],
};

/** Printable strings, short enough to read in a report, now and then with characters servers trip over. */
const text = fc.oneof(
  { weight: 4, arbitrary: fc.string({ minLength: 1, maxLength: 12 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(' ', 'ä', '😀', '\u0000', "'; --", '%00', '{{', 'null', '0', 'a'.repeat(300)),
  },
);

const credentials = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ spAccountLoginName: '{{account:acme}}', spAccountLoginKey: '{{key:acme}}' }) },
  {
    weight: 1,
    arbitrary: fc.constant({ spAccountLoginName: '{{account:globex}}', spAccountLoginKey: '{{key:globex}}' }),
  },
  {
    weight: 1,
    arbitrary: fc.constant({ spAccountLoginName: '{{account:acme}}', spAccountLoginKey: '{{key:globex}}' }),
  },
  { weight: 1, arbitrary: text.map((key) => ({ spAccountLoginName: '{{account:acme}}', spAccountLoginKey: key })) },
  { weight: 1, arbitrary: text.map((name) => ({ spAccountLoginName: name, spAccountLoginKey: '{{key:acme}}' })) },
);
const username = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom('mandy', 'bob') },
  { weight: 1, arbitrary: fc.constantFrom('Mandy', 'nobody', 'mandy ') },
  { weight: 1, arbitrary: text },
);
const deviceId = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...(FUZZ_GIVEN.devices ?? []).map((d) => `{{device:${d.ref}}}`)) },
  { weight: 1, arbitrary: fc.constantFrom('00000-00000-00000', '{{device:provisioned}} ') },
  { weight: 1, arbitrary: text },
);

/** A well-formed body of one operation (it may still name strangers: unknown users, devices, keys). */
export function validBody(type: OperationType): fc.Arbitrary<Record<string, unknown>> {
  const parts: Record<string, fc.Arbitrary<unknown>> = {
    creds: credentials,
    username,
    // find_device takes username optionally.
    withUsername: fc.boolean(),
    deviceId,
    physicalDeviceId: text,
    accountName: fc.option(text, { nil: undefined }),
  };
  return fc.record(parts).map((p) => {
    const body: Record<string, unknown> = { type, ...(p['creds'] as object) };
    if (type !== 'find_device' || p['withUsername'] === true) body['username'] = p['username'];
    if (type !== 'add_oath_device') body['deviceId'] = p['deviceId'];
    if (type === 'provision_oath_device') body['physicalDeviceId'] = p['physicalDeviceId'];
    if (type === 'get_oath_device_qrcode' && p['accountName'] !== undefined) body['accountName'] = p['accountName'];
    return body;
  });
}

const operation = fc.constantFrom(...OPERATION_TYPES);
const confusedValue = fc.oneof(
  fc.integer({ min: -5, max: 99999 }),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(['mandy'], ['{{device:provisioned}}'], ['{{key:acme}}'], []),
  fc.constant({}),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

const valid: fc.Arbitrary<GeneratedRequest> = operation.chain((type) =>
  validBody(type).map((body) => ({ kind: 'valid' as const, how: `a well-formed ${type}`, step: { body } })),
);

const mutated: fc.Arbitrary<GeneratedRequest> = operation.chain((type) =>
  fc
    .tuple(
      validBody(type),
      fc.constantFrom(...REQUIRED[type]),
      fc.constantFrom('drop', 'empty', 'unknown-field', 'retype') as fc.Arbitrary<
        'drop' | 'empty' | 'unknown-field' | 'retype'
      >,
      fc.oneof(text, confusedValue),
      fc.oneof(
        fc.constantFrom(
          'PROVISION_OATH_DEVICE',
          'provision_push_device',
          'provision_oath_device ',
          'delete_device',
          '',
        ),
        operation,
      ),
    )
    .map(([body, field, mutation, value, otherType]) => {
      const copy: Record<string, unknown> = { ...body };
      let how: string;
      switch (mutation) {
        case 'drop':
          delete copy[field];
          how = `${type} without ${field}`;
          break;
        case 'empty':
          copy[field] = '';
          how = `${type} with an empty ${field}`;
          break;
        case 'unknown-field':
          copy['deviceName'] = value;
          how = `${type} with an unknown field deviceName`;
          break;
        case 'retype':
          copy['type'] = otherType;
          how = `the fields of ${type} under type ${JSON.stringify(otherType)}`;
          break;
      }
      return { kind: 'mutated' as const, how, step: { body: copy } };
    }),
);

const typeConfused: fc.Arbitrary<GeneratedRequest> = operation.chain((type) =>
  fc.tuple(validBody(type), fc.constantFrom(...REQUIRED[type]), confusedValue).map(([body, field, value]) => ({
    kind: 'type-confused' as const,
    how: `${type} with ${field} = ${JSON.stringify(value)}`,
    step: { body: { ...body, [field]: value } },
  })),
);

const notAnObject: fc.Arbitrary<GeneratedRequest> = fc.oneof(
  fc
    .constantFrom(
      '',
      'null',
      '[]',
      '42',
      '"provision_oath_device"',
      'type=find_device',
      '{',
      '{"type": "find_device",}',
    )
    .map((raw) => ({
      kind: 'not-an-object' as const,
      how: `the body ${JSON.stringify(raw)}`,
      step: { raw },
    })),
  operation.chain((type) =>
    validBody(type).chain((body) =>
      fc.nat({ max: 40 }).map((cut) => {
        const json = JSON.stringify(body);
        const raw = json.slice(0, Math.max(1, Math.min(cut, json.length - 1)));
        return {
          kind: 'not-an-object' as const,
          how: `a ${type} body cut after ${raw.length} characters`,
          step: { raw },
        };
      }),
    ),
  ),
  fc
    .array(text, { maxLength: 3 })
    .map((items) => ({ kind: 'not-an-object' as const, how: 'a JSON array body', step: { body: items } })),
);

/** One generated request: mostly valid, then mutated and type-confused, a few not objects at all. */
export const requestArbitrary: fc.Arbitrary<GeneratedRequest> = fc.oneof(
  { weight: 4, arbitrary: valid },
  { weight: 3, arbitrary: mutated },
  { weight: 3, arbitrary: typeConfused },
  { weight: 1, arbitrary: notAnObject },
);

export function runArbitrary(maxSteps: number): fc.Arbitrary<GeneratedRequest[]> {
  return fc.array(requestArbitrary, { minLength: 1, maxLength: maxSteps });
}

/** A generated run as a vector (what the runner executes, and what the failure corpus keeps). */
export function vectorOfRun(requests: readonly GeneratedRequest[], id = 'sp-fuzz-run'): Vector {
  return {
    id,
    title: `generated: ${requests.map((r) => r.how).join('; ')}`,
    area: 'regressions',
    requirements: ['SP-FIELDS-MALFORMED'],
    given: FUZZ_GIVEN,
    steps: requests.map((r) => r.step),
  };
}
